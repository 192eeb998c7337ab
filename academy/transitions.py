"""The academy's state machines: a course version's and an event registration's.

    course version:      draft ─► published (the manager; only when the draft is complete)

    event registration:  (new) ─► registered ◄─ waiting ◄─ (new)
                                     │      moved up  │
                                     └──► cancelled ◄─┘  (the helper, or the manager with the
                                                          whole event)

`course_version_move` and `event_registrations_move` (academy/services/moves.py) are the only
writers of these statuses; each asks its machine first.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from academy.errors import AcademyError
from academy.models import (
    ACADEMY_LANGUAGES,
    MAX_OPTIONS,
    MIN_OPTIONS,
    CourseVersion,
    RegistrationStatus,
    VersionStatus,
)
from backend.exceptions import ValidationFailed
from backend.roles import ActorRole
from backend.state_machine import IllegalTransition, Move, StateMachine, Transition

_MANAGER = frozenset({ActorRole.MANAGER})
_HELPER = frozenset({ActorRole.HELPER})
_HELPER_OR_MANAGER = frozenset({ActorRole.HELPER, ActorRole.MANAGER})
_SYSTEM = frozenset({ActorRole.SYSTEM})
# What a registration not yet stored moves from.
NEW_REGISTRATION = "new"


class VersionNotDraft(IllegalTransition):
    code = AcademyError.COURSE_NOT_DRAFT


def _version_not_draft(from_status: str, to_status: str) -> IllegalTransition:
    return VersionNotDraft(_("This version is published already."))


def _incomplete(message: str, where: str) -> ValidationFailed:
    return ValidationFailed.for_field(where, message, code=AcademyError.COURSE_INCOMPLETE)


def _lessons_complete(version: CourseVersion) -> None:
    lessons = list(version.lessons.all())
    if not lessons:
        raise _incomplete(_("A course has at least one lesson."), "lessons")
    for lesson in lessons:
        for name in ("title", "body"):
            for language in ACADEMY_LANGUAGES:
                if not getattr(lesson, f"{name}_{language}"):
                    raise _incomplete(
                        _("Write every lesson in every language."),
                        f"lessons[{lesson.position - 1}].{name}_{language}",
                    )


def _quiz_complete(version: CourseVersion) -> None:
    questions = list(version.questions.prefetch_related("options"))
    if len(questions) < version.questions_per_attempt:
        raise _incomplete(_("The quiz has fewer questions than one attempt draws."), "questions")
    for question in questions:
        options = list(question.options.all())
        texts = [question, *options]
        if any(not getattr(row, f"text_{lang}") for row in texts for lang in ACADEMY_LANGUAGES):
            raise _incomplete(
                _("Write every question and answer in every language."),
                f"questions[{question.position - 1}]",
            )
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS or (
            sum(1 for option in options if option.is_correct) != 1
        ):
            raise ValidationFailed.for_field(
                f"questions[{question.position - 1}].options",
                _("Each question has %(low)d to %(high)d answers, exactly one right.")
                % {"low": MIN_OPTIONS, "high": MAX_OPTIONS},
                code=AcademyError.QUIZ_OPTIONS_INVALID,
            )


def version_complete(move: Move) -> None:
    """A version is published only whole: every text in every language, at least one lesson,
    enough questions for a draw, each with 2 to 6 answers of which exactly one is right."""
    version: CourseVersion = move.subject
    for language in ACADEMY_LANGUAGES:
        if not getattr(version, f"title_{language}"):
            raise _incomplete(_("Write the title in every language."), f"title_{language}")
    _lessons_complete(version)
    _quiz_complete(version)


VERSION_MACHINE = StateMachine(
    noun="course version",
    transitions={
        (VersionStatus.DRAFT, VersionStatus.PUBLISHED): Transition(
            roles=_MANAGER, guards=(version_complete,)
        ),
    },
    illegal=_version_not_draft,
)

_R = RegistrationStatus

REGISTRATION_MACHINE = StateMachine(
    noun="registration",
    transitions={
        (NEW_REGISTRATION, _R.REGISTERED): Transition(roles=_HELPER),
        # Only when the event is full and the helper asked to wait.
        (NEW_REGISTRATION, _R.WAITING): Transition(roles=_HELPER),
        # A place came free: the first on the waiting list moves up.
        (_R.WAITING, _R.REGISTERED): Transition(roles=_SYSTEM),
        (_R.REGISTERED, _R.CANCELLED): Transition(roles=_HELPER_OR_MANAGER),
        (_R.WAITING, _R.CANCELLED): Transition(roles=_HELPER_OR_MANAGER),
    },
)
