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
    ValidationFailed,
    raises,
)
from backend.models import User
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


def _answer_refused(code: AcademyError, message: str, question_id: int | None) -> ValidationFailed:
    name = "answers" if question_id is None else f"answers.{question_id}"
    return ValidationFailed.for_field(name, message, code=code)


def _chosen_options(
    attempt: QuizAttempt, answers: Sequence[tuple[int, int]]
) -> dict[int, QuizOption]:
    drawn = set(attempt.question_ids)
    seen: set[int] = set()
    for question_id, _option_id in answers:
        if question_id not in drawn:
            raise _answer_refused(
                AcademyError.QUIZ_QUESTION_NOT_DRAWN,
                _("This question is not part of your quiz."),
                question_id,
            )
        if question_id in seen:
            raise _answer_refused(
                AcademyError.QUIZ_ANSWERED_TWICE,
                _("Give one answer to each question."),
                question_id,
            )
        seen.add(question_id)
    missing = [question_id for question_id in attempt.question_ids if question_id not in seen]
    if missing:
        raise _answer_refused(
            AcademyError.QUIZ_ANSWER_MISSING, _("Answer every question."), missing[0]
        )
    options = QuizOption.objects.in_bulk([option_id for _q, option_id in answers])
    chosen = {}
    for question_id, option_id in answers:
        option = options.get(option_id)
        if option is None or option.question_id != question_id:
            raise _answer_refused(
                AcademyError.QUIZ_OPTION_NOT_OF_QUESTION,
                _("This answer does not belong to this question."),
                question_id,
            )
        chosen[question_id] = option
    return chosen


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
    chosen = _chosen_options(attempt, answers)
    wrong = [qid for qid in attempt.question_ids if not chosen[qid].is_correct]
    score = len(attempt.question_ids) - len(wrong)
    passed = score >= attempt.version.pass_mark
    stored = QuizAttempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
        submitted_at=clock.now(),
        answers={str(qid): option.pk for qid, option in chosen.items()},
        score=score,
        passed=passed,
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
    return QuizResult(attempt=attempt, wrong_question_ids=wrong, certification=certification)
