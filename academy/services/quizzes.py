"""Quiz attempts: helpers take a course's quiz (a random draw, submitted once); a pass earns
the course's certification."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from academy.errors import AcademyError
from academy.models import (
    Certification,
    CertificationSource,
    Course,
    QuizAttempt,
    QuizOption,
)
from academy.selectors import current_version
from academy.services.certifications import certification_earn
from academy.services.common import require_own
from backend import clock
from backend.exceptions import (
    Conflict,
    raises,
)
from backend.models import User
from helpers.answer_sheets import AnswerCodes, Marked, answers_mark
from helpers.models import HelperProfile


@transaction.atomic
@raises(AcademyError.NOT_A_HELPER, AcademyError.COURSE_NOT_PUBLISHED)
def quiz_attempt_start(*, helper: HelperProfile, actor: User, course: Course) -> QuizAttempt:
    """The helper starts the course's quiz: questions drawn at random from its current
    version, in random order. An attempt under way on that version is returned as it is."""
    require_own(helper, actor)
    version = current_version(course)
    if version is None:
        raise Conflict(_("This course is not published."), code=AcademyError.COURSE_NOT_PUBLISHED)
    HelperProfile.objects.select_for_update().filter(pk=helper.pk).first()
    open_attempt = QuizAttempt.objects.filter(
        helper=helper, version=version, submitted_at__isnull=True
    ).first()
    if open_attempt is not None:
        return open_attempt
    bank = list(version.questions.values_list("pk", flat=True))
    drawn = secrets.SystemRandom().sample(bank, version.questions_per_attempt)
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(helper=helper, version=version, question_ids=drawn)
    except IntegrityError:  # started meanwhile (no row lock on SQLite)
        return QuizAttempt.objects.get(helper=helper, version=version, submitted_at__isnull=True)


def _marked(attempt: QuizAttempt, answers: Sequence[tuple[int, int]]) -> Marked[QuizOption]:
    return answers_mark(
        attempt.question_ids,
        answers,
        options=QuizOption.objects.in_bulk,
        codes=AnswerCodes(
            not_drawn=AcademyError.QUIZ_QUESTION_NOT_DRAWN,
            answered_twice=AcademyError.QUIZ_ANSWERED_TWICE,
            missing=AcademyError.QUIZ_ANSWER_MISSING,
            not_of_question=AcademyError.QUIZ_OPTION_NOT_OF_QUESTION,
            not_drawn_message=_("This question is not part of your quiz."),
        ),
    )


@dataclass(frozen=True)
class QuizResult:
    attempt: QuizAttempt
    wrong_question_ids: list[int]
    certification: Certification | None


@transaction.atomic
@raises(
    AcademyError.NOT_A_HELPER,
    AcademyError.QUIZ_ALREADY_SUBMITTED,
    AcademyError.QUIZ_QUESTION_NOT_DRAWN,
    AcademyError.QUIZ_ANSWERED_TWICE,
    AcademyError.QUIZ_ANSWER_MISSING,
    AcademyError.QUIZ_OPTION_NOT_OF_QUESTION,
)
def quiz_attempt_submit(
    *, attempt: QuizAttempt, actor: User, answers: Sequence[tuple[int, int]]
) -> QuizResult:
    """The helper submits an attempt once: one answer (question id, option id) for each drawn
    question. A pass earns the course's certification in this transaction (and with it the
    categories it gates). A refusal stores nothing."""
    require_own(attempt.helper, actor)
    attempt = (
        QuizAttempt.objects.select_for_update()
        .select_related("version__course", "helper")
        .get(pk=attempt.pk)
    )
    if attempt.submitted_at is not None:
        raise Conflict(
            _("This quiz is already submitted."), code=AcademyError.QUIZ_ALREADY_SUBMITTED
        )
    marked = _marked(attempt, answers)
    passed = marked.score >= attempt.version.pass_mark
    stored = QuizAttempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
        submitted_at=clock.now(), answers=marked.stored(), score=marked.score, passed=passed
    )
    if not stored:  # submitted meanwhile (no row lock on SQLite)
        raise Conflict(
            _("This quiz is already submitted."), code=AcademyError.QUIZ_ALREADY_SUBMITTED
        )
    attempt.refresh_from_db()
    certification = None
    if passed:
        certification = certification_earn(
            helper=attempt.helper,
            course=attempt.version.course,
            source=CertificationSource.QUIZ,
            attempt=attempt,
        )
    return QuizResult(attempt=attempt, wrong_question_ids=marked.wrong, certification=certification)
