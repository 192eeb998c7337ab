"""Reads of the academy, scoped to who asks, and what the match index needs to gate the
categories a helper is offered by their certifications."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from academy.models import (
    CalendarFeed,
    Certification,
    Course,
    CourseVersion,
    EventRegistration,
    QuizAttempt,
    QuizQuestion,
    RegistrationStatus,
    TrainingEvent,
    VersionStatus,
)
from backend import clock
from backend.exceptions import CoreError, NotFound, raises
from backend.models import User
from helpers.models import ApprovalStatus, HelperProfile
from helpers.selectors import ready_for_offers

# --- Gating: what the match index reads ---------------------------------------------------------


@dataclass(frozen=True)
class Requirements:
    """The courses that gate matching: those required of every helper, and each category's.
    Only a course with a published version gates anyone (a course still being written asks
    nothing of anybody)."""

    for_all: frozenset[int]
    by_category: Mapping[int, frozenset[int]] = field(default_factory=dict)

    def for_category(self, category_id: int) -> frozenset[int]:
        return self.for_all | self.by_category.get(category_id, frozenset())

    @property
    def empty(self) -> bool:
        return not self.for_all and not self.by_category


def gating_requirements(*, using: str = DEFAULT_DB_ALIAS) -> Requirements:
    # One query: each published course with each category it is required for (None: none).
    rows = (
        Course.objects.using(using)
        .filter(versions__status=VersionStatus.PUBLISHED)
        .values_list("pk", "required_for_all", "required_for")
        .distinct()
    )
    for_all: set[int] = set()
    by_category: dict[int, set[int]] = {}
    for course_id, required_for_all, category_id in rows:
        if required_for_all:
            for_all.add(course_id)
        if category_id is not None:
            by_category.setdefault(category_id, set()).add(course_id)
    return Requirements(
        frozenset(for_all), {key: frozenset(value) for key, value in by_category.items()}
    )


def required_courses(category_id: int) -> QuerySet[Course]:
    """The courses whose certification a helper needs to be offered work of the category: each
    published course required of every helper or of this category (as `gating_requirements`)."""
    return Course.objects.filter(
        Q(required_for_all=True) | Q(required_for__id=category_id),
        versions__status=VersionStatus.PUBLISHED,
    ).distinct()


def valid_certifications(now: datetime | None = None) -> QuerySet[Certification]:
    """Certifications in force at `now`: earned, not expired, not revoked."""
    moment = now or clock.now()
    return Certification.objects.filter(
        revoked_at__isnull=True, earned_at__lte=moment, expires_at__gt=moment
    )


def certified_courses(
    helper_ids: Iterable[int], *, now: datetime | None = None, using: str = DEFAULT_DB_ALIAS
) -> dict[int, set[int]]:
    """Each helper's courses with a certification in force."""
    held: dict[int, set[int]] = {}
    for helper_id, course_id in (
        valid_certifications(now)
        .using(using)
        .filter(helper_id__in=list(helper_ids))
        .values_list("helper_id", "course_id")
    ):
        held.setdefault(helper_id, set()).add(course_id)
    return held


def certified_skills(
    skills: Mapping[int, list[int]], *, using: str = DEFAULT_DB_ALIAS
) -> dict[int, list[int]]:
    """Of each helper's skills (category ids), those they hold every required certification
    for (the all-helpers courses and the category's own). The match index stores only these,
    so matching needs no query per candidate. A fixed number of queries for any batch."""
    requirements = gating_requirements(using=using)
    if requirements.empty:
        return {helper_id: list(categories) for helper_id, categories in skills.items()}
    held = certified_courses(skills, using=using)
    return {
        helper_id: [
            category_id
            for category_id in categories
            if requirements.for_category(category_id) <= held.get(helper_id, set())
        ]
        for helper_id, categories in skills.items()
    }


def course_titles(
    course_ids: Iterable[int] | None, *, language: str | None = None
) -> dict[int, str]:
    """Each course's title in its newest published version, in `language` (or the active
    language's); of every published course when `course_ids` is None."""
    titles: dict[int, str] = {}
    versions = published_versions()
    if course_ids is not None:
        versions = versions.filter(course_id__in=list(course_ids))
    for version in versions.order_by("course_id", "-number"):
        title = getattr(version, f"title_{language}") if language else version.title
        titles.setdefault(version.course_id, str(title))
    return titles


@dataclass(frozen=True)
class Uncertified:
    helper_id: int
    latitude: float | None
    longitude: float | None
    service_radius_km: float
    missing: list[str]


def uncertified_helpers_near(
    *,
    category_id: int,
    box: tuple[float, float, float, float],
    limit: int,
    needed: frozenset[int],
) -> list[Uncertified]:
    """Helpers skilled in the category with a home in `box`, otherwise ready for offers, left
    out of matching only because they lack a certification the category requires: each with
    the titles of the courses they miss (for the manager's record). A fixed number of queries,
    none when the category requires nothing. `needed`: the category's required courses
    (`required_courses`, which matching reads before its search)."""
    if not needed:
        return []
    min_lat, max_lat, min_lon, max_lon = box
    rows = list(
        ready_for_offers()
        .filter(
            skills__id=category_id,
            user__home_latitude__range=(min_lat, max_lat),
            user__home_longitude__range=(min_lon, max_lon),
        )
        .order_by("pk")
        .values_list("pk", "user__home_latitude", "user__home_longitude", "service_radius_km")
    )
    held = certified_courses([row[0] for row in rows])
    titles = course_titles(needed, language="en")
    found = []
    for helper_id, latitude, longitude, radius in rows:
        mine = held.get(helper_id, set())
        if needed <= mine:
            continue
        found.append(
            Uncertified(
                helper_id,
                latitude,
                longitude,
                float(radius),
                [titles.get(course_id, "") for course_id in sorted(needed - mine)],
            )
        )
        if len(found) >= limit:
            break
    return found


# --- Courses ------------------------------------------------------------------------------------


def published_versions() -> QuerySet[CourseVersion]:
    return CourseVersion.objects.filter(status=VersionStatus.PUBLISHED)


def current_version(course: Course) -> CourseVersion | None:
    """The course's newest published version: the one helpers take."""
    return published_versions().filter(course=course).order_by("-number").first()


@dataclass(frozen=True)
class CourseForHelper:
    course: Course
    version: CourseVersion
    certification: Certification | None
    required_for_all: bool
    required_for: list[str]


def courses_for_helper(helper: HelperProfile) -> list[CourseForHelper]:
    """Every course with a published version, its newest version, and the helper's
    certification in force, if any. Three queries whatever the number of courses."""
    versions = list(
        published_versions()
        .select_related("course")
        .prefetch_related("course__required_for")
        .order_by("course__slug", "-number")
    )
    newest: dict[int, CourseVersion] = {}
    for version in versions:
        newest.setdefault(version.course_id, version)
    held = {
        certification.course_id: certification
        for certification in valid_certifications().filter(helper=helper).order_by("expires_at")
    }
    return [
        CourseForHelper(
            course=version.course,
            version=version,
            certification=held.get(version.course_id),
            required_for_all=version.course.required_for_all,
            required_for=[category.slug for category in version.course.required_for.all()],
        )
        for version in newest.values()
    ]


@raises(CoreError.NOT_FOUND)
def course_for_helper(slug: str) -> CourseVersion:
    """A course's current version with its lessons, for any helper."""
    version = (
        published_versions()
        .filter(course__slug=slug)
        .select_related("course")
        .prefetch_related("lessons")
        .order_by("-number")
        .first()
    )
    if version is None:
        raise NotFound(_("No such course."))
    return version


def courses_for_manager(user: User) -> QuerySet[Course]:
    if not user.is_staff:
        return Course.objects.none()
    return (
        Course.objects.prefetch_related("required_for", "versions")
        .annotate(
            certified=Count(
                "certifications",
                filter=Q(
                    certifications__revoked_at__isnull=True,
                    certifications__expires_at__gt=clock.now(),
                ),
                distinct=True,
            )
        )
        .order_by("slug")  # an aggregate drops Meta.ordering: the pages need a stable order
    )


@raises(CoreError.NOT_FOUND)
def course_for_manager(user: User, slug: str) -> Course:
    course = courses_for_manager(user).filter(slug=slug).first()
    if course is None:
        raise NotFound(_("No such course."))
    return course


@raises(CoreError.NOT_FOUND)
def course_version_for_manager(user: User, slug: str, number: int) -> CourseVersion:
    version = (
        CourseVersion.objects.filter(course__slug=slug, number=number)
        .select_related("course")
        .prefetch_related(
            "lessons", Prefetch("questions", QuizQuestion.objects.prefetch_related("options"))
        )
        .first()
        if user.is_staff
        else None
    )
    if version is None:
        raise NotFound(_("No such course version."))
    return version


# --- Quiz attempts --------------------------------------------------------------------------------


@raises(CoreError.NOT_FOUND)
def quiz_attempt_of(helper: HelperProfile, public_id: UUID) -> QuizAttempt:
    attempt = (
        QuizAttempt.objects.filter(helper=helper, public_id=public_id)
        .select_related("version__course", "helper")
        .first()
    )
    if attempt is None:
        raise NotFound(_("No such attempt."))
    return attempt


def quiz_drawn_questions(attempt: QuizAttempt) -> list[QuizQuestion]:
    """The attempt's questions in the order drawn, each with its options shuffled as drawn
    (the order is kept in `attempt.question_ids`; options keep their order)."""
    by_id = QuizQuestion.objects.prefetch_related("options").in_bulk(attempt.question_ids)
    return [by_id[question_id] for question_id in attempt.question_ids if question_id in by_id]


# --- Certifications -----------------------------------------------------------------------------


def certifications_of(helper: HelperProfile) -> QuerySet[Certification]:
    """The helper's whole record: every certification, in force or not, newest first."""
    return (
        Certification.objects.filter(helper=helper)
        .select_related("course", "event")
        .order_by("-earned_at", "-pk")
    )


def certifications_for_manager(user: User) -> QuerySet[Certification]:
    if not user.is_staff:
        return Certification.objects.none()
    return Certification.objects.select_related("course", "helper__user").order_by(
        "-earned_at", "-pk"
    )


@raises(CoreError.NOT_FOUND)
def certification_for_manager(user: User, certification_id: int) -> Certification:
    certification = certifications_for_manager(user).filter(pk=certification_id).first()
    if certification is None:
        raise NotFound(_("No such certification."))
    return certification


# --- Events ---------------------------------------------------------------------------------------


def _events() -> QuerySet[TrainingEvent]:
    return TrainingEvent.objects.select_related("course").annotate(
        registered_count=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.REGISTERED),
            distinct=True,
        ),
        waiting_count=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.WAITING),
            distinct=True,
        ),
    )


def upcoming_events(*, now: datetime | None = None) -> QuerySet[TrainingEvent]:
    """Events not cancelled that have not ended, soonest first."""
    return _events().filter(cancelled_at__isnull=True, ends_at__gt=now or clock.now())


@raises(CoreError.NOT_FOUND)
def event_for_helper(public_id: UUID) -> TrainingEvent:
    event = _events().filter(public_id=public_id).first()
    if event is None:
        raise NotFound(_("No such event."))
    return event


def events_for_manager(user: User) -> QuerySet[TrainingEvent]:
    if not user.is_staff:
        return TrainingEvent.objects.none()
    return _events().order_by("-starts_at", "-pk")


@raises(CoreError.NOT_FOUND)
def event_for_manager(user: User, public_id: UUID) -> TrainingEvent:
    event = events_for_manager(user).filter(public_id=public_id).first()
    if event is None:
        raise NotFound(_("No such event."))
    return event


def registrations_of_event(event: TrainingEvent) -> QuerySet[EventRegistration]:
    return (
        EventRegistration.objects.filter(event=event)
        .select_related("helper__user")
        .order_by("created_at", "pk")
    )


def registrations_of(helper: HelperProfile) -> QuerySet[EventRegistration]:
    """The helper's registrations, cancelled ones too, for their training record."""
    return (
        EventRegistration.objects.filter(helper=helper)
        .select_related("event")
        .order_by("-event__starts_at", "-pk")
    )


def my_registrations(helper: HelperProfile, event_ids: Iterable[int]) -> dict[int, str]:
    """The helper's live registration status for each of these events."""
    return dict(
        EventRegistration.objects.filter(helper=helper, event_id__in=list(event_ids))
        .exclude(status=RegistrationStatus.CANCELLED)
        .values_list("event_id", "status")
    )


# Who may have a calendar feed: an approved helper, and nobody else. It names customers'
# addresses and needs no log-in, so it opens nothing, and no address of it is given, made or
# renewed, while the helper is not approved: an applicant not approved yet, one rejected or
# withdrawn, a helper suspended or one who left Quartier for good. A reinstated helper's feed
# opens again.
FEED_OPEN_STATUSES = (ApprovalStatus.APPROVED,)
# Those who had it and lost it are told why; applicants are told when they will have it.
FEED_WITHDRAWN_STATUSES = (ApprovalStatus.SUSPENDED, ApprovalStatus.OFFBOARDED)


def calendar_feed_closed(helper: HelperProfile) -> str | None:
    """Why the helper has no calendar feed (in the active language), or None when they may
    have one (FEED_OPEN_STATUSES)."""
    if helper.approval_status in FEED_OPEN_STATUSES:
        return None
    if helper.approval_status in FEED_WITHDRAWN_STATUSES:
        return _(
            "Your calendar address is not available while your helper account is "
            "suspended or closed."
        )
    return _("Your calendar address is available once your helper account is approved.")


def helper_by_feed_token(token: str) -> HelperProfile | None:
    """The helper whose calendar feed `token` opens: nobody's while the helper is not approved
    (FEED_OPEN_STATUSES) or once their account was closed (inactive), as their log-in and API
    tokens open nothing."""
    feed = (
        CalendarFeed.objects.filter(
            token=token,
            helper__user__is_active=True,
            helper__approval_status__in=FEED_OPEN_STATUSES,
        )
        .select_related("helper__user")
        .first()
    )
    return feed.helper if feed is not None else None


def feed_events(helper: HelperProfile) -> list[tuple[TrainingEvent, str]]:
    """The events in a helper's calendar feed: those they are registered or waiting for,
    cancelled events too (so calendars drop them), with the registration's status."""
    rows = (
        EventRegistration.objects.filter(helper=helper)
        .select_related("event")
        .order_by("event__starts_at", "pk")
    )
    latest: dict[int, tuple[TrainingEvent, str]] = {}
    for row in rows:
        if row.event_id not in latest or row.status != RegistrationStatus.CANCELLED:
            latest[row.event_id] = (row.event, row.status)
    return list(latest.values())
