"""Writes of the online code-of-conduct test: the manager publishes a version of the question
bank; an applicant whose documents are checked starts an attempt (a random draw of questions,
in random order) and submits it. A pass records the step "conduct test passed" in the same
transaction, as Quartier (`application_record_conduct_test` with no actor).

A published version is never changed: nothing here edits one, the admin shows them read-only,
and the manager changes the test by publishing a new version (a copy of the current one,
changed). Attempts already started keep the version they were drawn from.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from backend import clock
from backend.exceptions import Conflict, CoreError, PermissionDenied, ValidationFailed, raises
from backend.models import User
from helpers.answer_sheets import AnswerCodes, Marked, answers_mark
from helpers.conduct_test_selectors import (
    ConductTestState,
    conduct_test_current_version,
    conduct_test_standing,
)
from helpers.errors import HelperError
from helpers.models import (
    CONDUCT_TEST_LANGUAGES,
    CONDUCT_TEXT_MAX_LENGTH,
    ApprovalStatus,
    ConductTestAttempt,
    ConductTestOption,
    ConductTestQuestion,
    ConductTestVersion,
    HelperProfile,
)
from helpers.services import application_record_conduct_test

MAX_QUESTIONS = 200
MIN_OPTIONS = 2
MAX_OPTIONS = 6
MAX_ATTEMPTS = 10
MAX_WAITING_PERIOD = timedelta(days=365)


@dataclass(frozen=True)
class OptionInput:
    texts: Mapping[str, str]
    is_correct: bool = False


@dataclass(frozen=True)
class QuestionInput:
    texts: Mapping[str, str]
    options: Sequence[OptionInput] = field(default_factory=tuple)


@dataclass(frozen=True)
class AttemptResult:
    attempt: ConductTestAttempt
    wrong_question_ids: list[int]


def _texts(texts: Mapping[str, str], where: str) -> dict[str, str]:
    cleaned = {}
    for language in CONDUCT_TEST_LANGUAGES:
        text = str(texts.get(language, "")).strip()
        if not text:
            raise ValidationFailed.for_field(
                f"{where}.text_{language}",
                _("Write the text in every language."),
                code=HelperError.CONDUCT_TEST_TEXT_REQUIRED,
            )
        if len(text) > CONDUCT_TEXT_MAX_LENGTH:
            raise ValidationFailed.for_field(
                f"{where}.text_{language}",
                _("At most %(count)d characters.") % {"count": CONDUCT_TEXT_MAX_LENGTH},
                code=CoreError.MAX_LENGTH,
            )
        cleaned[f"text_{language}"] = text
    return cleaned


def _rules_invalid(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed.for_field(
        field_name, message, code=HelperError.CONDUCT_TEST_RULES_INVALID
    )


def _check_rules(
    *,
    questions: Sequence[QuestionInput],
    pass_mark: int,
    questions_per_attempt: int,
    max_attempts: int,
    waiting_period: timedelta,
) -> None:
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise _rules_invalid(
            "questions", _("Between 1 and %(count)d questions.") % {"count": MAX_QUESTIONS}
        )
    if not 1 <= questions_per_attempt <= len(questions):
        raise _rules_invalid(
            "questions_per_attempt",
            _("Draw at least one question and at most as many as the bank holds."),
        )
    if not 1 <= pass_mark <= questions_per_attempt:
        raise _rules_invalid(
            "pass_mark", _("The pass mark is between 1 and the number of questions drawn.")
        )
    if not 1 <= max_attempts <= MAX_ATTEMPTS:
        raise _rules_invalid(
            "max_attempts", _("Between 1 and %(count)d attempts.") % {"count": MAX_ATTEMPTS}
        )
    if not timedelta(0) <= waiting_period <= MAX_WAITING_PERIOD:
        raise _rules_invalid("waiting_hours", _("The waiting period is at most a year."))


def _check_options(question: QuestionInput, where: str) -> None:
    if not MIN_OPTIONS <= len(question.options) <= MAX_OPTIONS:
        raise ValidationFailed.for_field(
            f"{where}.options",
            _("Each question has %(low)d to %(high)d answers.")
            % {"low": MIN_OPTIONS, "high": MAX_OPTIONS},
            code=HelperError.CONDUCT_TEST_OPTIONS_INVALID,
        )
    if sum(1 for option in question.options if option.is_correct) != 1:
        raise ValidationFailed.for_field(
            f"{where}.options",
            _("Exactly one answer of each question is right."),
            code=HelperError.CONDUCT_TEST_OPTIONS_INVALID,
        )


@transaction.atomic
@raises(
    HelperError.MANAGER_ONLY,
    HelperError.CONDUCT_TEST_TEXT_REQUIRED,
    HelperError.CONDUCT_TEST_OPTIONS_INVALID,
    HelperError.CONDUCT_TEST_RULES_INVALID,
    CoreError.MAX_LENGTH,
)
def conduct_test_version_publish(
    *,
    actor: User,
    questions: Sequence[QuestionInput],
    pass_mark: int,
    questions_per_attempt: int,
    max_attempts: int,
    waiting_period: timedelta,
) -> ConductTestVersion:
    """The community manager publishes a new version of the test, every text in de, fr, it
    and en, each question with 2 to 6 answers of which exactly one is right. It is current
    from now on: new attempts are drawn from it, attempts under way keep theirs. Nothing is
    stored when anything is refused."""
    if not actor.is_staff:
        raise PermissionDenied(
            _("Only the community manager publishes the test."), code=HelperError.MANAGER_ONLY
        )
    _check_rules(
        questions=questions,
        pass_mark=pass_mark,
        questions_per_attempt=questions_per_attempt,
        max_attempts=max_attempts,
        waiting_period=waiting_period,
    )
    cleaned = []
    for index, question in enumerate(questions):
        where = f"questions[{index}]"
        texts = _texts(question.texts, where)
        _check_options(question, where)
        options = [
            (_texts(option.texts, f"{where}.options[{number}]"), option.is_correct)
            for number, option in enumerate(question.options)
        ]
        cleaned.append((texts, options))
    # Versions are numbered one after the other: publishers queue on the newest version's row,
    # then read the number afresh (a publisher ahead in the queue may have added one).
    ConductTestVersion.objects.select_for_update().order_by("-number").values("pk").first()
    last = ConductTestVersion.objects.aggregate(n=Max("number"))["n"]
    version = ConductTestVersion.objects.create(
        number=(last or 0) + 1,
        pass_mark=pass_mark,
        questions_per_attempt=questions_per_attempt,
        max_attempts=max_attempts,
        waiting_period=waiting_period,
        published_by=actor,
    )
    for position, (texts, options) in enumerate(cleaned, start=1):
        row = ConductTestQuestion.objects.create(version=version, position=position, **texts)
        ConductTestOption.objects.bulk_create(
            ConductTestOption(question=row, position=number, is_correct=correct, **option)
            for number, (option, correct) in enumerate(options, start=1)
        )
    return version


class ConductTestRefused(Conflict):
    """The applicant cannot start an attempt now (the code says why)."""


def _swiss_time(moment: datetime) -> str:
    """The moment as the applicant reads it: Swiss local time, in their language's format."""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _refuse_start(helper: HelperProfile, version: ConductTestVersion | None) -> None:
    standing = conduct_test_standing(helper, version=version)
    if standing.state == ConductTestState.UNAVAILABLE:
        raise ConductTestRefused(
            _("The test is not available yet."), code=HelperError.CONDUCT_TEST_UNAVAILABLE
        )
    if standing.state in (ConductTestState.NOT_AT_THIS_STEP, ConductTestState.PASSED):
        raise ConductTestRefused(
            _("The test is taken once your documents are checked."),
            code=HelperError.CONDUCT_TEST_NOT_AT_THIS_STEP,
        )
    if standing.state == ConductTestState.EXHAUSTED:
        raise ConductTestRefused(
            _("You have used all your attempts. The community manager will contact you."),
            code=HelperError.CONDUCT_TEST_ATTEMPTS_EXHAUSTED,
        )
    if standing.state == ConductTestState.WAITING:
        assert standing.next_attempt_from is not None  # noqa: S101 - WAITING sets it
        until = _swiss_time(standing.next_attempt_from)
        raise ConductTestRefused(
            _("From %(until)s you can try again.") % {"until": until},
            code=HelperError.CONDUCT_TEST_WAITING_PERIOD,
            fields={"next_attempt_from": [standing.next_attempt_from.isoformat()]},
        )


@transaction.atomic
@raises(
    HelperError.NOT_YOUR_APPLICATION,
    HelperError.CONDUCT_TEST_UNAVAILABLE,
    HelperError.CONDUCT_TEST_NOT_AT_THIS_STEP,
    HelperError.CONDUCT_TEST_ATTEMPTS_EXHAUSTED,
    HelperError.CONDUCT_TEST_WAITING_PERIOD,
)
def conduct_test_attempt_start(*, helper: HelperProfile, actor: User) -> ConductTestAttempt:
    """The applicant starts an attempt: only at the step "documents checked", with attempts
    left and the waiting period after a failed one over. The questions are drawn at random
    from the current version, in random order. An attempt already under way is returned as it
    is (starting again draws nothing new). Locks the helper's profile: two starts at once make
    one attempt."""
    if actor.pk != helper.user_id:
        raise PermissionDenied(
            _("This is not your application."), code=HelperError.NOT_YOUR_APPLICATION
        )
    helper = HelperProfile.objects.select_for_update().get(pk=helper.pk)
    open_attempt = ConductTestAttempt.objects.filter(
        helper=helper, submitted_at__isnull=True
    ).first()
    if open_attempt is not None and helper.approval_status == ApprovalStatus.DOCUMENTS_CHECKED:
        return open_attempt
    version = conduct_test_current_version()
    _refuse_start(helper, version)
    assert version is not None  # noqa: S101 - _refuse_start refused UNAVAILABLE
    bank = list(version.questions.values_list("pk", flat=True))
    drawn = secrets.SystemRandom().sample(bank, version.questions_per_attempt)
    number = ConductTestAttempt.objects.filter(helper=helper).count() + 1
    try:
        with transaction.atomic():
            return ConductTestAttempt.objects.create(
                helper=helper, version=version, number=number, question_ids=drawn
            )
    except IntegrityError:  # started meanwhile (a profile lock not held on SQLite)
        return ConductTestAttempt.objects.get(helper=helper, submitted_at__isnull=True)


def _marked(
    attempt: ConductTestAttempt, answers: Sequence[tuple[int, int]]
) -> Marked[ConductTestOption]:
    return answers_mark(
        attempt.question_ids,
        answers,
        options=ConductTestOption.objects.in_bulk,
        codes=AnswerCodes(
            not_drawn=HelperError.CONDUCT_TEST_QUESTION_NOT_DRAWN,
            answered_twice=HelperError.CONDUCT_TEST_ANSWERED_TWICE,
            missing=HelperError.CONDUCT_TEST_ANSWER_MISSING,
            not_of_question=HelperError.CONDUCT_TEST_OPTION_NOT_OF_QUESTION,
            not_drawn_message=_("This question is not part of your test."),
        ),
    )


@transaction.atomic
@raises(
    HelperError.NOT_YOUR_APPLICATION,
    HelperError.CONDUCT_TEST_ALREADY_SUBMITTED,
    HelperError.CONDUCT_TEST_NOT_AT_THIS_STEP,
    HelperError.CONDUCT_TEST_QUESTION_NOT_DRAWN,
    HelperError.CONDUCT_TEST_ANSWERED_TWICE,
    HelperError.CONDUCT_TEST_ANSWER_MISSING,
    HelperError.CONDUCT_TEST_OPTION_NOT_OF_QUESTION,
    application_record_conduct_test,
)
def conduct_test_attempt_submit(
    *, attempt: ConductTestAttempt, actor: User, answers: Sequence[tuple[int, int]]
) -> AttemptResult:
    """The applicant submits an attempt once: `answers` are (question id, option id), one for
    each drawn question. Scored against the attempt's own version (a version published since
    changes nothing). A pass moves the application to "conduct test passed" in this
    transaction (the applicant is mailed after commit). Locks the attempt: of two submissions
    at once, one is scored, the other refused; a refusal stores nothing."""
    helper = attempt.helper
    if actor.pk != helper.user_id:
        raise PermissionDenied(
            _("This is not your application."), code=HelperError.NOT_YOUR_APPLICATION
        )
    # The profile first, then the attempt (as a start locks them): while both are held the
    # application stays at "documents checked", so the move a pass makes is always legal.
    HelperProfile.objects.select_for_update().get(pk=helper.pk)
    attempt = (
        ConductTestAttempt.objects.select_for_update()
        .select_related("version", "helper")
        .get(pk=attempt.pk)
    )
    if attempt.submitted_at is not None:
        raise Conflict(
            _("This attempt is already submitted."),
            code=HelperError.CONDUCT_TEST_ALREADY_SUBMITTED,
        )
    if attempt.helper.approval_status != ApprovalStatus.DOCUMENTS_CHECKED:
        raise Conflict(
            _("Your application is not waiting for the test any more."),
            code=HelperError.CONDUCT_TEST_NOT_AT_THIS_STEP,
        )
    marked = _marked(attempt, answers)
    passed = marked.score >= attempt.version.pass_mark
    stored = ConductTestAttempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
        submitted_at=clock.now(), answers=marked.stored(), score=marked.score, passed=passed
    )
    if not stored:  # submitted meanwhile (no row lock on SQLite)
        raise Conflict(
            _("This attempt is already submitted."),
            code=HelperError.CONDUCT_TEST_ALREADY_SUBMITTED,
        )
    if passed:
        application_record_conduct_test(helper=attempt.helper, actor=None)
    attempt.refresh_from_db()
    return AttemptResult(attempt=attempt, wrong_question_ids=marked.wrong)
