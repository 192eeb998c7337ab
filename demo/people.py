"""The demo's people: the community manager, customers and helpers.

Customers and helpers live around real Swiss postcodes (see `places`), speak the languages of
where they live (helpers more often a second one and English; a few customers in the big cities
only English), and carry the names of `data/demo/names.toml`. Helpers apply, are approved or
suspended by the manager and set their hours through the helper services, at past moments.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from datetime import time as clock_time

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from backend import clock
from backend.geo import bounding_box
from backend.localities import Locality
from backend.models import User
from backend.places import Place, resolve_place
from demo.community import Community, Helper, Person
from demo.conduct_test import take_demo_conduct_test
from demo.history import DAY, HOUR, History, local_midnight
from demo.places import Places
from demo.texts import texts
from demo.waivers import accept_helper_terms
from helpers.document_services import document_upload
from helpers.models import (
    VETTING_STATUSES,
    ApprovalStatus,
    ExceptionKind,
    HelperDocument,
    HelperProfile,
)
from helpers.services import (
    WeeklyInterval,
    application_check_documents,
    application_invite_to_interview,
    application_record_conduct_test,
    application_reject,
    application_request_information,
    application_submit_documents,
    application_withdraw,
    availability_exception_add,
    helper_apply,
    helper_approve,
    helper_profile_update,
    helper_set_weekly_availability,
    helper_suspend,
    helper_takes_payments_set,
)

# Documented in the README and printed at the end: demo accounts only.
DEMO_PASSWORD = "quartier-demo"  # noqa: S105
MANAGER_EMAIL = "manager@quartier.test"
# The manager's display name marks a database this command has filled.
SEED_MARKER = "Community manager (demo data)"
DEMO_EMAIL_DOMAINS = ("@example.ch", "@quartier.test")
HOME_JITTER_M = 700.0
# Shares of the helpers whose application is still open or ended without approval, and of
# those suspended (from ten helpers on).
APPLIED_SHARE = 0.2
SUSPENDED_SHARE = 0.05
# The applications that are not (yet) approved stand at each of these, in turn.
NOT_APPROVED = (
    ApprovalStatus.APPLIED,
    ApprovalStatus.DOCUMENTS_SUBMITTED,
    ApprovalStatus.DOCUMENTS_CHECKED,
    ApprovalStatus.CONDUCT_TEST_PASSED,
    ApprovalStatus.INTERVIEW,
    ApprovalStatus.NEEDS_INFORMATION,
    ApprovalStatus.REJECTED,
    ApprovalStatus.WITHDRAWN,
)
# The pipeline an approved helper went through, in order.
PIPELINE = (
    ApprovalStatus.DOCUMENTS_SUBMITTED,
    ApprovalStatus.DOCUMENTS_CHECKED,
    ApprovalStatus.CONDUCT_TEST_PASSED,
    ApprovalStatus.INTERVIEW,
    ApprovalStatus.APPROVED,
)
# What a demo applicant uploads: a scan of their ID (an image) and their extract (a PDF).
DEMO_ID_SCAN = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"demo identity card scan" * 8
DEMO_EXTRACT = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"% Demo: Auszug aus dem Schweizerischen Strafregister, keine Eintragungen\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)

# Told how many people were made since it was last called (a progress bar's update).
Tick = Callable[[int], object]


def demo_users() -> QuerySet[User]:
    """Everybody the demo made (and nobody else: real accounts have other addresses)."""
    query = Q()
    for domain in DEMO_EMAIL_DOMAINS:
        query |= Q(email__endswith=domain)
    return User.objects.filter(query)


def showcase_helper() -> HelperProfile | None:
    """The approved demo helper with the most visits: the one the home page suggests trying."""
    return (
        HelperProfile.objects.filter(user__in=demo_users(), approval_status=ApprovalStatus.APPROVED)
        .annotate(n=Count("bookings"))
        .order_by("-n", "pk")
        .select_related("user")
        .first()
    )


def create_manager(*, history: History, password_hash: str) -> User:
    home = resolve_place(street="Bollwerk 15", postal_code="3011", locality="Bern")
    manager = User(
        email=MANAGER_EMAIL,
        display_name=SEED_MARKER,
        phone="+41 31 555 01 00",
        languages=["de", "fr", "it", "en"],
        preferred_language="de",
        is_staff=True,
        is_superuser=True,
        password=password_hash,
        date_joined=history.now - 800 * DAY,
        **home.fields(prefix="home_"),
    )
    manager.save()
    return manager


def _ascii(name: str) -> str:
    name = name.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum() or ch == "-"))


def _home_locality(places: Places) -> tuple[Locality, str, Place]:
    """Where someone lives, the local language, and their address."""
    while True:
        locality = places.draw_locality()
        local = places.local_language(locality)
        place = places.place_near(locality, local, HOME_JITTER_M)
        if place is not None:
            return locality, local, place


def _languages(community: Community, local: str, *, english: float, second: float) -> list[str]:
    rng = community.rng
    spoken = {local}
    if rng.random() < english:
        spoken.add("en")
    if rng.random() < second:
        italian_speakers_second = rng.choice(("de", "fr"))
        spoken.add({"de": "fr", "fr": "de", "it": italian_speakers_second}[local])
    return sorted(spoken, key=("de", "fr", "it", "en").index)


def new_person(community: Community, *, helper: bool, joined: datetime) -> Person:
    """Someone living in Switzerland, not saved yet."""
    rng = community.rng
    locality, local, place = _home_locality(community.places)
    expat = not helper and locality in community.places.big_city_rows and rng.random() < 0.07
    if expat:
        names_language = "en"
        languages = ["en"] if rng.random() < 0.5 else sorted({"en", local})
        preferred = "en"
    else:
        names_language = local
        languages = _languages(
            community, local, english=0.7 if helper else 0.35, second=0.3 if helper else 0.2
        )
        preferred = local
    names = texts().names
    first = rng.choice(names.first[names_language])
    last = rng.choice(names.last[names_language])
    community.emails_given += 1
    email = f"{_ascii(first)}.{_ascii(last)}.{community.emails_given}@example.ch"
    phone = (
        f"+41 {rng.choice(('76', '77', '78', '79'))} {rng.randint(100, 999)} "
        f"{rng.randint(10, 99)} {rng.randint(10, 99)}"
    )
    user = User(
        email=email,
        display_name=f"{first} {last}",
        phone=phone,
        languages=languages,
        preferred_language=preferred,
        password=community.password_hash,
        date_joined=joined,
        **place.fields(prefix="home_"),
    )
    return Person(user, place.point, locality, preferred, frozenset(languages))


def create_customers(community: Community, count: int, tick: Tick) -> None:
    now, span = community.history.now, community.history.span
    people = [
        new_person(community, helper=False, joined=now - span(45 * DAY, 700 * DAY))
        for _ in range(count)
    ]
    # People carry no status: one insert.
    User.objects.bulk_create([person.user for person in people])
    community.customers = people
    tick(count)


# --- helpers -------------------------------------------------------------------------------------


def _weekly_hours(community: Community) -> list[WeeklyInterval]:
    """Mostly evenings and weekends; some retired or part-time helpers in the daytime."""
    rng = community.rng
    intervals: list[WeeklyInterval] = []
    style = rng.choices(("evenings", "daytime", "student"), weights=(60, 20, 20))[0]
    if style == "evenings":
        for day in sorted(rng.sample(range(5), rng.randint(2, 4))):
            start = rng.choice((clock_time(17, 30), clock_time(18, 0), clock_time(18, 30)))
            end = rng.choice((clock_time(21, 0), clock_time(21, 30)))
            intervals.append(WeeklyInterval(day, start, end))
        saturday_end = rng.choice((clock_time(13, 0), clock_time(17, 0)))
        intervals.append(WeeklyInterval(5, clock_time(9, 0), saturday_end))
        if rng.random() < 0.6:
            intervals.append(WeeklyInterval(6, clock_time(13, 0), clock_time(18, 0)))
    elif style == "daytime":
        for day in sorted(rng.sample(range(5), rng.randint(3, 5))):
            intervals.append(WeeklyInterval(day, clock_time(9, 0), clock_time(12, 0)))
            intervals.append(WeeklyInterval(day, clock_time(14, 0), clock_time(17, 30)))
        if rng.random() < 0.5:
            intervals.append(WeeklyInterval(5, clock_time(9, 0), clock_time(12, 0)))
    else:
        for day in sorted(rng.sample(range(5), rng.randint(2, 3))):
            intervals.append(WeeklyInterval(day, clock_time(13, 0), clock_time(21, 0)))
        intervals.append(WeeklyInterval(5, clock_time(10, 0), clock_time(18, 0)))
        intervals.append(WeeklyInterval(6, clock_time(10, 0), clock_time(18, 0)))
    return intervals


def _approvals(community: Community, count: int) -> list[str]:
    """Where each helper stands: most approved, some at each step of their application (or
    turned down, or withdrawn), a few suspended."""
    approvals: list[str] = [ApprovalStatus.APPROVED] * count
    if count >= 10:
        applied = max(1, round(count * APPLIED_SHARE))
        suspended = max(1, round(count * SUSPENDED_SHARE))
        picked = community.rng.sample(range(count), applied + suspended)
        for position, index in enumerate(picked):
            approvals[index] = (
                NOT_APPROVED[position % len(NOT_APPROVED)]
                if position < applied
                else ApprovalStatus.SUSPENDED
            )
    return approvals


def _upload_documents(person: Person) -> None:
    profile = person.user.helper_profile
    document_upload(
        helper=profile,
        actor=person.user,
        kind=HelperDocument.Kind.IDENTITY,
        content=DEMO_ID_SCAN,
        declared_type="image/png",
        original_name="identity-card.png",
    )
    document_upload(
        helper=profile,
        actor=person.user,
        kind=HelperDocument.Kind.CRIMINAL_RECORD_EXTRACT,
        content=DEMO_EXTRACT,
        declared_type="application/pdf",
        original_name="strafregisterauszug.pdf",
        issued_on=timezone.localdate(clock.now()) - timedelta(days=12),
    )


def _vet(community: Community, person: Person, applied_at: datetime, approval: str) -> None:
    """The applicant's way through the pipeline to `approval`, one step every few hours or
    days after `applied_at` (approved helpers: within ten days, as before)."""
    history, manager, notes = community.history, community.manager, texts().helpers
    user = person.user
    moment = applied_at
    open_application = approval not in (ApprovalStatus.APPROVED, ApprovalStatus.SUSPENDED)

    def step(move: Callable[[], object]) -> None:
        nonlocal moment
        if open_application:
            # Each step a part of the time left, so an open application's last step is past.
            moment = moment + (history.now - moment) * community.rng.uniform(0.1, 0.4)
        else:
            moment = moment + history.span(HOUR, 2 * DAY)
        with history.at(moment):
            move()

    if approval == ApprovalStatus.APPLIED:
        return
    step(lambda: _upload_documents(person))
    if approval == ApprovalStatus.WITHDRAWN:
        step(lambda: application_withdraw(helper=user.helper_profile, actor=user))
        return
    targets = {
        ApprovalStatus.DOCUMENTS_SUBMITTED: lambda: application_submit_documents(
            helper=user.helper_profile, actor=user
        ),
        ApprovalStatus.DOCUMENTS_CHECKED: lambda: application_check_documents(
            helper=user.helper_profile, actor=manager
        ),
        # Every other applicant took the test in person, the others online.
        ApprovalStatus.CONDUCT_TEST_PASSED: (
            (lambda: take_demo_conduct_test(user.helper_profile))
            if person.user.pk % 2
            else lambda: application_record_conduct_test(
                helper=user.helper_profile,
                actor=manager,
                note=notes.conduct_test_note[person.language],
            )
        ),
        ApprovalStatus.INTERVIEW: lambda: application_invite_to_interview(
            helper=user.helper_profile, actor=manager
        ),
        ApprovalStatus.APPROVED: lambda: helper_approve(
            helper=user.helper_profile, actor=manager, note=notes.approved_note[person.language]
        ),
    }
    last: str = {
        ApprovalStatus.NEEDS_INFORMATION: ApprovalStatus.DOCUMENTS_SUBMITTED,
        ApprovalStatus.REJECTED: ApprovalStatus.DOCUMENTS_CHECKED,
        ApprovalStatus.SUSPENDED: ApprovalStatus.APPROVED,
    }.get(ApprovalStatus(approval), approval)
    for status in PIPELINE:
        step(targets[status])
        if status == last:
            break
    if approval == ApprovalStatus.NEEDS_INFORMATION:
        step(
            lambda: application_request_information(
                helper=user.helper_profile,
                actor=manager,
                note=notes.information_note[person.language],
            )
        )
    elif approval == ApprovalStatus.REJECTED:
        step(
            lambda: application_reject(
                helper=user.helper_profile, actor=manager, note=notes.rejected_note[person.language]
            )
        )


def _onboard(community: Community, person: Person, applied_at: datetime, approval: str) -> Helper:
    """The helper applies, sets their hours, and is approved (and perhaps suspended) later."""
    rng, history, manager = community.rng, community.history, community.manager
    skills = rng.sample(community.categories, rng.randint(1, min(4, len(community.categories))))
    skill_names = ", ".join(c.name_in(person.language) for c in skills)
    weekly = _weekly_hours(community)
    notes = texts().helpers
    with history.at(applied_at):
        profile = helper_apply(
            user=person.user,
            skills=skills,
            service_radius_km=rng.randint(3, 25),
            hourly_rate_minor=rng.randrange(3000, 6001, 500),
            bio=notes.bio[person.language].format(skills=skill_names),
        )
        helper_set_weekly_availability(helper=profile, intervals=weekly)
        accept_helper_terms(person.user)
    _vet(community, person, applied_at, approval)
    if approval in (ApprovalStatus.APPROVED, ApprovalStatus.SUSPENDED):
        # In the history played next the approved helpers count as able to take charges, so
        # that they had offers (its visits are never held or paid by card). Once it is played,
        # demo.paid connects each to a payout account at the emulator, or takes this back.
        helper_takes_payments_set(helper_id=profile.pk, takes_payments=True)
    profile.refresh_from_db()
    if approval == ApprovalStatus.SUSPENDED:
        with history.at(history.now - history.span(DAY, 20 * DAY)):
            profile = helper_suspend(
                helper=profile, actor=manager, note=notes.suspended_note[person.language]
            )
    reach_m = min(profile.service_radius_km, community.config.match_max_radius_km) * 1000.0
    return Helper(
        person=person,
        profile=profile,
        skills=frozenset(c.pk for c in skills),
        radius_km=profile.service_radius_km,
        weekly=weekly,
        reach=bounding_box(person.point, reach_m),
    )


def create_helpers(community: Community, count: int, tick: Tick) -> None:
    history = community.history
    people: list[tuple[Person, datetime, str]] = []
    for approval in _approvals(community, count):
        if approval == ApprovalStatus.APPLIED:
            applied_at = history.now - history.span(6 * HOUR, 20 * DAY)
        elif approval in VETTING_STATUSES:
            # An application still open was made in the last weeks: the manager's queue shows
            # some waiting within the target and some beyond, as a desk kept up to date does,
            # not every one of them waiting for months.
            applied_at = history.now - history.span(2 * DAY, 30 * DAY)
        else:
            # Approved well before the oldest history, so they could have had those offers.
            applied_at = history.now - history.span(60 * DAY, 500 * DAY)
        joined = applied_at - history.span(0 * DAY, 3 * DAY)
        people.append((new_person(community, helper=True, joined=joined), applied_at, approval))
    User.objects.bulk_create([person.user for person, _, _ in people])
    for person, applied_at, approval in people:
        community.helpers.append(_onboard(community, person, applied_at, approval))
        tick(1)
    community.helpers_by_pk = {h.profile.pk: h for h in community.helpers}
    approved = [
        h for h in community.helpers if h.profile.approval_status == ApprovalStatus.APPROVED
    ]
    for helper in approved:
        if community.rng.random() < 0.03:
            helper_profile_update(helper=helper.profile, is_accepting_jobs=False)
    community.active_helpers = [h for h in approved if h.profile.is_accepting_jobs]
    _add_exceptions(community, approved)


def _add_exceptions(community: Community, approved: Sequence[Helper]) -> None:
    """Holidays for some helpers, an extra free day for a few."""
    rng, history = community.rng, community.history
    notes = texts().helpers
    for helper in approved:
        roll = rng.random()
        if roll < 0.10:
            starts = local_midnight(history.now + history.span(3 * DAY, 25 * DAY))
            ends = starts + rng.randint(2, 10) * DAY
            with history.at(history.now - history.span(HOUR, 5 * DAY)):
                availability_exception_add(
                    helper=helper.profile,
                    kind=ExceptionKind.UNAVAILABLE,
                    starts_at=starts,
                    ends_at=ends,
                    note=notes.holiday_note[helper.person.language],
                )
            community.away.setdefault(helper.profile.pk, []).append((starts, ends))
        elif roll < 0.15:
            day = local_midnight(history.now + history.span(2 * DAY, 20 * DAY))
            with history.at(history.now - history.span(HOUR, 5 * DAY)):
                availability_exception_add(
                    helper=helper.profile,
                    kind=ExceptionKind.AVAILABLE,
                    starts_at=day + 9 * HOUR,
                    ends_at=day + 16 * HOUR,
                    note=notes.day_off_note[helper.person.language],
                )
