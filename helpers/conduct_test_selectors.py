"""Reads of the online code-of-conduct test: the current version, where an applicant stands
(attempts left, when the next may start), their attempts, and the versions with their pass
rates for the manager."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from backend import clock
from backend.exceptions import CoreError, NotFound, raises
from backend.models import User
from helpers.models import (
    CONDUCT_TEST_LANGUAGES,
    ApprovalStatus,
    ConductTestAttempt,
    ConductTestOption,
    ConductTestQuestion,
    ConductTestVersion,
    HelperProfile,
)


class ConductTestState(StrEnum):
    """What an applicant can do about the test now."""

    UNAVAILABLE = "unavailable"  # no version is published
    NOT_AT_THIS_STEP = "not_at_this_step"  # their application is not waiting for the test
    PASSED = "passed"
    IN_PROGRESS = "in_progress"  # an attempt is started and not submitted
    WAITING = "waiting"  # a failed attempt: the waiting period is not over
    EXHAUSTED = "exhausted"  # every attempt is used
    CAN_START = "can_start"


@dataclass(frozen=True)
class ConductTestStanding:
    state: ConductTestState
    version: ConductTestVersion | None
    attempts_used: int
    attempts_left: int
    next_attempt_from: datetime | None
    open_attempt: ConductTestAttempt | None
    last_attempt: ConductTestAttempt | None


def conduct_test_language() -> str:
    """The language the test's texts are read in: the page's, where the test has it."""
    language = (get_language() or "de")[:2]
    return language if language in CONDUCT_TEST_LANGUAGES else "de"


def conduct_test_current_version() -> ConductTestVersion | None:
    """The newest published version: the one new attempts are drawn from."""
    return ConductTestVersion.objects.order_by("-number").first()


def conduct_test_attempts_of(helper: HelperProfile) -> QuerySet[ConductTestAttempt]:
    return ConductTestAttempt.objects.filter(helper=helper).select_related("version")


def conduct_test_standing(
    helper: HelperProfile, *, version: ConductTestVersion | None = None
) -> ConductTestStanding:
    """Where `helper` stands with the test, under the current version's rules (or
    `version`'s, for a caller holding it already). Every attempt, of any version, counts."""
    if version is None:
        version = conduct_test_current_version()
    attempts = list(conduct_test_attempts_of(helper).order_by("number"))
    last = attempts[-1] if attempts else None
    used = len(attempts)
    left = max((version.max_attempts if version else 0) - used, 0)
    open_attempt = last if last is not None and last.submitted_at is None else None
    next_from = None
    if last is not None and last.passed is False and version is not None:
        assert last.submitted_at is not None  # noqa: S101 - a result is only ever submitted
        next_from = last.submitted_at + version.waiting_period
    if any(attempt.passed for attempt in attempts):
        state = ConductTestState.PASSED
    elif version is None:
        state = ConductTestState.UNAVAILABLE
    elif helper.approval_status != ApprovalStatus.DOCUMENTS_CHECKED:
        state = ConductTestState.NOT_AT_THIS_STEP
    elif open_attempt is not None:
        state = ConductTestState.IN_PROGRESS
    elif left == 0:
        state = ConductTestState.EXHAUSTED
    elif next_from is not None and clock.now() < next_from:
        state = ConductTestState.WAITING
    else:
        state = ConductTestState.CAN_START
    return ConductTestStanding(
        state=state,
        version=version,
        attempts_used=used,
        attempts_left=left,
        next_attempt_from=next_from if state == ConductTestState.WAITING else None,
        open_attempt=open_attempt,
        last_attempt=last,
    )


@raises(CoreError.NOT_FOUND)
def conduct_test_attempt_of(helper: HelperProfile, public_id: UUID) -> ConductTestAttempt:
    """One of the helper's own attempts (anyone else's is not found)."""
    try:
        return conduct_test_attempts_of(helper).get(public_id=public_id)
    except ConductTestAttempt.DoesNotExist as exc:
        raise NotFound(_("No such attempt.")) from exc


def conduct_test_drawn_questions(attempt: ConductTestAttempt) -> list[ConductTestQuestion]:
    """The attempt's questions in the order drawn, each with its options as `drawn_options`
    in an order of its own for this attempt (the same each time the attempt is shown), so
    that where the right answer stands tells nothing."""
    by_id = {
        question.pk: question
        for question in ConductTestQuestion.objects.filter(
            pk__in=attempt.question_ids
        ).prefetch_related(
            Prefetch("options", queryset=ConductTestOption.objects.order_by("position"))
        )
    }
    questions = [by_id[question_id] for question_id in attempt.question_ids]
    for question in questions:
        options = list(question.options.all())
        # Not a secret, only a shuffle that stays put for the attempt.
        random.Random(f"{attempt.public_id}-{question.pk}").shuffle(options)  # noqa: S311
        question.drawn_options = options  # type: ignore[attr-defined]
    return questions


def conduct_test_versions_for_manager(user: User) -> QuerySet[ConductTestVersion]:
    """Every version, newest first, with how many attempts were submitted and passed."""
    if not user.is_staff:
        return ConductTestVersion.objects.none()
    return (
        ConductTestVersion.objects.order_by("-number")
        .select_related("published_by")
        .annotate(
            question_count=Count("questions", distinct=True),
            submitted_count=Count(
                "attempts", filter=Q(attempts__submitted_at__isnull=False), distinct=True
            ),
            passed_count=Count("attempts", filter=Q(attempts__passed=True), distinct=True),
        )
    )


@raises(CoreError.NOT_FOUND)
def conduct_test_version_for_manager(user: User, number: int) -> ConductTestVersion:
    """One version with its questions and options (right answers included)."""
    try:
        return (
            conduct_test_versions_for_manager(user)
            .prefetch_related(
                Prefetch("questions", queryset=ConductTestQuestion.objects.order_by("position")),
                Prefetch("questions__options", queryset=ConductTestOption.objects.all()),
            )
            .get(number=number)
        )
    except ConductTestVersion.DoesNotExist as exc:
        raise NotFound(_("No such version.")) from exc


def conduct_test_wrong_questions(attempt: ConductTestAttempt) -> list[ConductTestQuestion]:
    """The questions of a submitted attempt answered wrongly, in the order drawn (never the
    right answers)."""
    chosen = {int(question): option for question, option in attempt.answers.items()}
    right = set(
        ConductTestOption.objects.filter(pk__in=chosen.values(), is_correct=True).values_list(
            "pk", flat=True
        )
    )
    wrong = [question for question in attempt.question_ids if chosen.get(question) not in right]
    by_id = ConductTestQuestion.objects.in_bulk(wrong)
    return [by_id[question] for question in wrong]


@dataclass(frozen=True)
class ConductTestAttemptRecord:
    """One attempt as the manager reads it beside the application: the questions answered
    wrongly (none while it is under way)."""

    attempt: ConductTestAttempt
    wrong: list[str]


def conduct_test_record(helper: HelperProfile) -> list[ConductTestAttemptRecord]:
    """Every attempt of the applicant, newest first, for the manager's application page, the
    questions in the page's language."""
    language = conduct_test_language()
    return [
        ConductTestAttemptRecord(
            attempt=attempt,
            wrong=[question.text_in(language) for question in conduct_test_wrong_questions(attempt)]
            if attempt.submitted_at
            else [],
        )
        for attempt in conduct_test_attempts_of(helper).order_by("-number")
    ]
