"""Reads for the helper's academy pages: where they stand on each course, the result of their
last quiz, their place on waiting lists, and which courses would unlock the categories they
are skilled in but not yet offered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from academy.models import (
    CalendarFeed,
    Certification,
    Course,
    CourseVersion,
    EventRegistration,
    QuizAttempt,
    QuizOption,
    QuizQuestion,
    RegistrationStatus,
    TrainingEvent,
)
from academy.selectors import (
    certified_courses,
    course_titles,
    courses_for_helper,
    gating_requirements,
    my_registrations,
    published_versions,
    upcoming_events,
)
from backend import clock
from catalogue.models import ServiceCategory
from helpers.models import HelperProfile

# A certification running out within this is shown as expiring (when the first reminder goes).
EXPIRING_WITHIN = timedelta(days=30)


class CourseStatus(StrEnum):
    NOT_STARTED = "not_started"
    NOT_PASSED = "not_passed"  # quiz handed in, not passed (yet): may try again
    PASSED = "passed"
    EXPIRING = "expiring"
    EXPIRED = "expired"


@dataclass(frozen=True)
class CourseStanding:
    course: Course
    version: CourseVersion
    status: CourseStatus
    # In force: until when; expired: when it ran out (or was revoked).
    until: datetime | None
    required_for_all: bool
    # The categories it is required for that the helper is skilled in.
    required_for_mine: list[ServiceCategory]

    @property
    def required(self) -> bool:
        return self.required_for_all or bool(self.required_for_mine)


def _lapsed_until(certification: Certification) -> datetime:
    return certification.revoked_at or certification.expires_at


def course_standings_of(helper: HelperProfile) -> list[CourseStanding]:
    """Every published course with the helper's status on it: required ones first (for all
    helpers, then for the helper's categories), then by title. A fixed number of queries."""
    now = clock.now()
    rows = courses_for_helper(helper)
    skills = set(helper.skills.values_list("pk", flat=True))
    lapsed: dict[int, Certification] = {}
    for certification in Certification.objects.filter(helper=helper).order_by("earned_at", "pk"):
        lapsed[certification.course_id] = certification
    tried = set(
        QuizAttempt.objects.filter(helper=helper, submitted_at__isnull=False).values_list(
            "version__course_id", flat=True
        )
    )
    standings = []
    for row in rows:
        mine = [category for category in row.course.required_for.all() if category.pk in skills]
        held = row.certification
        if held is not None:
            expiring = held.expires_at - now <= EXPIRING_WITHIN
            status = CourseStatus.EXPIRING if expiring else CourseStatus.PASSED
            until: datetime | None = held.expires_at
        elif row.course.pk in lapsed:
            status, until = CourseStatus.EXPIRED, _lapsed_until(lapsed[row.course.pk])
        elif row.course.pk in tried:
            status, until = CourseStatus.NOT_PASSED, None
        else:
            status, until = CourseStatus.NOT_STARTED, None
        standings.append(
            CourseStanding(row.course, row.version, status, until, row.required_for_all, mine)
        )
    return sorted(
        standings,
        key=lambda s: (not s.required_for_all, not s.required_for_mine, str(s.version.title)),
    )


def course_standing_of(helper: HelperProfile, course: Course) -> CourseStanding | None:
    return next((row for row in course_standings_of(helper) if row.course.pk == course.pk), None)


@dataclass(frozen=True)
class QuizOutcome:
    attempt: QuizAttempt
    total: int
    wrong: list[QuizQuestion]


def last_quiz_outcome(helper: HelperProfile, course: Course) -> QuizOutcome | None:
    """The helper's newest submitted attempt at any version of the course, with the questions
    answered wrongly (in the order drawn). The service lets them retry at once."""
    attempt = (
        QuizAttempt.objects.filter(
            helper=helper, version__course=course, submitted_at__isnull=False
        )
        .select_related("version")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if attempt is None:
        return None
    chosen = {int(question): option for question, option in attempt.answers.items()}
    right = set(
        QuizOption.objects.filter(pk__in=chosen.values(), is_correct=True).values_list(
            "pk", flat=True
        )
    )
    wrong_ids = [qid for qid in attempt.question_ids if chosen.get(qid) not in right]
    questions = QuizQuestion.objects.in_bulk(wrong_ids)
    return QuizOutcome(
        attempt=attempt,
        total=len(attempt.question_ids),
        wrong=[questions[qid] for qid in wrong_ids if qid in questions],
    )


def open_quiz_attempt(helper: HelperProfile, version: CourseVersion) -> QuizAttempt | None:
    return QuizAttempt.objects.filter(
        helper=helper, version=version, submitted_at__isnull=True
    ).first()


def waiting_positions(helper: HelperProfile, event_ids: list[int]) -> dict[int, int]:
    """The helper's place on each event's waiting list (1: next to move up, in the order the
    places are given: first come, first served). Two queries."""
    waiting_for = list(
        EventRegistration.objects.filter(
            helper=helper, event_id__in=event_ids, status=RegistrationStatus.WAITING
        ).values_list("event_id", flat=True)
    )
    positions: dict[int, int] = {}
    seen: dict[int, int] = {}
    for event_id, helper_id in (
        EventRegistration.objects.filter(
            event_id__in=waiting_for, status=RegistrationStatus.WAITING
        )
        .order_by("event_id", "created_at", "pk")
        .values_list("event_id", "helper_id")
    ):
        seen[event_id] = seen.get(event_id, 0) + 1
        if helper_id == helper.pk:
            positions[event_id] = seen[event_id]
    return positions


def events_attended_by(helper: HelperProfile) -> list[EventRegistration]:
    return list(
        EventRegistration.objects.filter(helper=helper, attended=True)
        .select_related("event")
        .order_by("-event__starts_at", "-pk")
    )


def calendar_feed_of(helper: HelperProfile) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(helper=helper).first()


@dataclass(frozen=True)
class CourseToTake:
    slug: str
    title: str


@dataclass(frozen=True)
class CertificationGap:
    category: ServiceCategory
    courses: list[CourseToTake]


def certification_gaps_of(helper: HelperProfile) -> list[CertificationGap]:
    """The categories the helper is skilled in but not offered for lack of a certification,
    each with the courses (in the active language) whose certification would unlock it."""
    requirements = gating_requirements()
    if requirements.empty:
        return []
    held = certified_courses([helper.pk]).get(helper.pk, set())
    gaps = []
    categories = list(helper.skills.order_by("position", "slug"))
    needed = {category.pk: requirements.for_category(category.pk) - held for category in categories}
    titles = course_titles(set().union(*needed.values()))
    slugs = dict(
        published_versions()
        .filter(course_id__in=list(titles))
        .values_list("course_id", "course__slug")
        .distinct()
    )
    for category in categories:
        missing = sorted(needed[category.pk], key=lambda course_id: titles.get(course_id, ""))
        if missing:
            gaps.append(
                CertificationGap(
                    category,
                    [CourseToTake(slugs[course_id], titles[course_id]) for course_id in missing],
                )
            )
    return gaps


class RecordStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class RecordRow:
    certification: Certification
    title: str
    status: RecordStatus


def training_record_of(helper: HelperProfile) -> list[RecordRow]:
    """Every certification the helper earned, newest first, with the course's title in the
    active language and whether it is in force, expired or revoked."""
    now = clock.now()
    rows = list(
        Certification.objects.filter(helper=helper)
        .select_related("course", "event")
        .order_by("-earned_at", "-pk")
    )
    titles = course_titles({row.course_id for row in rows})
    record = []
    for row in rows:
        if row.revoked_at is not None:
            status = RecordStatus.REVOKED
        elif row.expires_at <= now:
            status = RecordStatus.EXPIRED
        else:
            status = RecordStatus.VALID
        record.append(RecordRow(row, titles.get(row.course_id, row.course.slug), status))
    return record


@dataclass(frozen=True)
class EventForHelper:
    event: TrainingEvent
    places_left: int
    full: bool
    # The helper's live registration: "registered", "waiting" or "" (none).
    mine: str
    waiting_position: int | None
    # Registration and cancellation close when the event starts.
    open: bool


def events_for_helper(helper: HelperProfile) -> list[EventForHelper]:
    """The coming events, soonest first, each with its free places and the helper's own
    registration and place on the waiting list."""
    now = clock.now()
    coming = list(upcoming_events(now=now))
    ids = [event.pk for event in coming]
    mine = my_registrations(helper, ids)
    positions = waiting_positions(helper, ids)
    rows = []
    for event in coming:
        registered = getattr(event, "registered_count", 0)
        rows.append(
            EventForHelper(
                event=event,
                places_left=max(event.capacity - registered, 0),
                full=registered >= event.capacity,
                mine=mine.get(event.pk, ""),
                waiting_position=positions.get(event.pk),
                open=event.starts_at > now,
            )
        )
    return rows
