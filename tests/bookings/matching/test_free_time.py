"""The match index's free time against a slow computation of its own, minute by minute.

Calendars are drawn at random (weekly hours across the nights the Swiss clocks change, nights
bridged by hours running to midnight and from it, exceptions that add and remove time, visits
held, cancelled and moved), changed through the services, and after every change the stored
rows must equal what the minute-by-minute reading of the calendars says. The reference knows
nothing of `helpers.availability`: it reads the tables and walks the minutes.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from unittest import mock

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backend import clock
from backend.models import OutboxEvent
from bookings import services
from bookings.matching import explain
from bookings.matching.free_time import from_us, stored_span, to_us
from bookings.matching.index import match_index_rebuild
from bookings.matching.search import spatial_index
from bookings.models import (
    SLOT_HOLDING_STATUSES,
    Booking,
    BookingStatus,
    FreeTime,
    FreeTimeSpan,
    HelpRequest,
    Offer,
    ProposalStatus,
)
from helpers.availability import SWISS_TIME
from helpers.models import AvailabilityException, ExceptionKind, HelperProfile, WeeklyAvailability
from helpers.services import (
    WeeklyInterval,
    availability_exception_add,
    availability_exception_remove,
    helper_set_weekly_availability,
)
from tests.factories import UserFactory, make_booking, make_helper, pending_offer, post_request

OUTBOX_INSERT = f'INSERT INTO "{OutboxEvent._meta.db_table}"'

pytestmark = pytest.mark.django_db

MINUTE = timedelta(minutes=1)
# Mornings a few days before the Swiss clocks change: spring forward, fall back, and a plain week.
SPRING = datetime(2027, 3, 24, 7, 0, tzinfo=UTC)  # clocks skip 02:00 → 03:00 on 28 March
AUTUMN = datetime(2027, 10, 27, 7, 0, tzinfo=UTC)  # clocks repeat 02:00 → 03:00 on 31 October
PLAIN = datetime(2027, 5, 10, 7, 0, tzinfo=UTC)
COMPARED_DAYS = 8

Interval = tuple[datetime, datetime]


# --- The slow computation ----------------------------------------------------------------------


def _first_reading(day: date, wall: time) -> datetime:
    """The first minute Swiss clocks read `wall` or later on `day`, found by walking minutes."""
    target = datetime.combine(day, wall)
    moment = datetime.combine(day, time(0), tzinfo=UTC) - timedelta(hours=3)
    while moment.astimezone(SWISS_TIME).replace(tzinfo=None) < target:
        moment += MINUTE
    return moment


def _minutes(start: datetime, end: datetime) -> Iterator[datetime]:
    moment = start
    while moment < end:
        yield moment
        moment += MINUTE


def reference_free(helper_id: int, start: datetime, end: datetime) -> list[Interval]:
    """The helper's free time in [start, end), minute by minute, from the tables."""
    free: set[datetime] = set()
    first_day = (start - timedelta(days=1)).astimezone(SWISS_TIME).date()
    days = (end - start).days + 3
    for weekday, start_time, end_time in WeeklyAvailability.objects.filter(
        helper_id=helper_id
    ).values_list("weekday", "start_time", "end_time"):
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            if day.weekday() != weekday:
                continue
            until = (
                _first_reading(day + timedelta(days=1), time(0))
                if end_time >= time(23, 59)
                else _first_reading(day, end_time)
            )
            free.update(_minutes(_first_reading(day, start_time), until))
    exceptions = AvailabilityException.objects.filter(helper_id=helper_id)
    for kind in (ExceptionKind.AVAILABLE, ExceptionKind.UNAVAILABLE):
        for s, e in exceptions.filter(kind=kind).values_list("starts_at", "ends_at"):
            if kind == ExceptionKind.AVAILABLE:
                free.update(_minutes(s, e))
            else:
                free.difference_update(_minutes(s, e))
    for held_from, held_until in Booking.objects.filter(
        helper_id=helper_id, status__in=SLOT_HOLDING_STATUSES
    ).values_list("starts_at", "ends_at"):
        assert held_from is not None
        assert held_until is not None
        free.difference_update(_minutes(held_from, held_until))
    intervals: list[Interval] = []
    for moment in sorted(m for m in free if start <= m < end):
        if intervals and intervals[-1][1] == moment:
            intervals[-1] = (intervals[-1][0], moment + MINUTE)
        else:
            intervals.append((moment, moment + MINUTE))
    return intervals


def stored_free(helper_id: int, start: datetime, end: datetime) -> list[Interval]:
    """The stored rows of the helper, cut to [start, end)."""
    return [
        (max(from_us(s), start), min(from_us(e), end))
        for s, e in FreeTime.objects.filter(
            helper_id=helper_id, starts_us__lt=to_us(end), ends_us__gt=to_us(start)
        )
        .order_by("starts_us")
        .values_list("starts_us", "ends_us")
    ]


def assert_in_step(helper: HelperProfile, now: datetime) -> None:
    start = now.replace(second=0, microsecond=0) + MINUTE
    end = start + timedelta(days=COMPARED_DAYS)
    assert stored_free(helper.pk, start, end) == reference_free(helper.pk, start, end)


# --- Random calendars --------------------------------------------------------------------------


def _wall(minute: int) -> time:
    return time(minute // 60, minute % 60)


def random_weekly(rng: random.Random) -> list[WeeklyInterval]:
    """Up to three intervals a day on 5-minute steps, often touching midnight or 02:00–03:00."""
    intervals = []
    for weekday in range(7):
        cuts = {0, 24 * 60}
        cuts.update(rng.choice((120, 150, 175, 180, 5 * rng.randrange(288))) for _ in range(5))
        edges = sorted(cuts)
        for a, b in zip(edges, edges[1:], strict=False):
            if rng.random() < 0.5:
                end = _wall(b) if b < 24 * 60 else time(23, 59)
                intervals.append(WeeklyInterval(weekday, _wall(a), end))
    return intervals[:28]


def random_span(rng: random.Random, now: datetime, *, longest_hours: int) -> Interval:
    start = now.replace(minute=0, second=0, microsecond=0) + timedelta(
        minutes=5 * rng.randrange(12 * 24 * (COMPARED_DAYS - 1))
    )
    return start, start + timedelta(minutes=5 * rng.randint(1, 12 * longest_hours))


def _rebuilt_at(now: datetime) -> None:
    """The nightly rebuild, at `now`: the stored span starts that day."""
    match_index_rebuild()
    span = stored_span()
    assert span is not None
    assert span[0] <= now < span[1]


def _reschedule(booking: Booking, start: datetime) -> Booking:
    customer = booking.help_request.customer
    booking = services.booking_request_new_times(
        booking=booking, actor=customer, reason="Another day suits better."
    )
    booking = services.booking_propose(
        booking=booking,
        actor=booking.helper.user,
        slots=[services.SlotInput(start, start + timedelta(hours=1))],
    )
    return services.booking_confirm(
        booking=booking,
        actor=customer,
        proposal=booking.proposals.get(status=ProposalStatus.PROPOSED),
    )


@pytest.mark.parametrize(("moment", "seed"), [(SPRING, 1), (AUTUMN, 2), (PLAIN, 3), (AUTUMN, 4)])
def test_free_time_follows_every_change_of_the_calendars(moment: datetime, seed: int) -> None:
    rng = random.Random(seed)
    with time_machine.travel(moment, tick=False):
        _rebuilt_at(moment)
        helper = make_helper()
        assert_in_step(helper, moment)
        # Visits held while the helper is still free around the clock: each its own request.
        starts = sorted(
            {
                moment.replace(minute=0, second=0, microsecond=0)
                + timedelta(hours=rng.randrange(6, 24 * (COMPARED_DAYS - 1)))
                for _ in range(3)
            }
        )
        starts = [
            s
            for s, before in zip(starts, [None, *starts], strict=False)
            if not before or s - before >= timedelta(hours=4)
        ]
        bookings = [
            make_booking(BookingStatus.CONFIRMED, helper=helper, start=start) for start in starts
        ]
        assert_in_step(helper, moment)
        helper_set_weekly_availability(helper=helper, intervals=random_weekly(rng))
        assert_in_step(helper, moment)
        exceptions = []
        for _ in range(4):
            kind = rng.choice(ExceptionKind.values)
            start, end = random_span(rng, moment, longest_hours=30)
            exceptions.append(
                availability_exception_add(helper=helper, kind=kind, starts_at=start, ends_at=end)
            )
            assert_in_step(helper, moment)
        availability_exception_remove(exception=exceptions[rng.randrange(len(exceptions))])
        assert_in_step(helper, moment)
        services.booking_cancel(
            booking=bookings[0], actor=bookings[0].help_request.customer, reason="Not needed"
        )
        assert_in_step(helper, moment)
        if len(bookings) > 1:
            # The request's window lasts three hours from the visit's start: moved within it.
            moved = bookings[-1]
            assert moved.starts_at is not None
            _reschedule(moved, moved.starts_at + timedelta(hours=2))
            assert_in_step(helper, moment)
        helper_set_weekly_availability(helper=helper, intervals=random_weekly(rng))
        assert_in_step(helper, moment)


def test_a_fresh_database_starts_its_span_and_the_rebuild_moves_it_on() -> None:
    span = stored_span()
    assert span is not None
    later = span[0] + timedelta(days=30)
    with time_machine.travel(later, tick=False):
        _rebuilt_at(later)
    assert stored_span() != span


def test_without_a_span_nothing_is_stored_and_matching_reads_the_calendars() -> None:
    FreeTimeSpan.objects.all().delete()
    helper = make_helper()
    assert not FreeTime.objects.filter(helper=helper).exists()
    customer = UserFactory.create()
    help_request = post_request(customer)
    assert pending_offer(help_request, helper) is not None


# --- Matching on the stored free time ----------------------------------------------------------


def _offered(help_request_id: int) -> list[int]:
    return list(
        Offer.objects.filter(help_request_id=help_request_id)
        .order_by("rank")
        .values_list("helper_id", flat=True)
    )


@pytest.mark.parametrize("in_ring", [True, False], ids=["free-in-ring", "free-in-batches"])
@pytest.mark.parametrize("seed", [11, 12])
def test_matching_on_stored_free_time_offers_what_the_calendars_say(
    seed: int, in_ring: bool
) -> None:
    """Helpers with random calendars: the same offers, with the same slots, and the same record
    of who was considered and why, whether matching reads the stored free time (asked inside
    the ring statements, or in batches: either way on either database) or the calendars."""
    with mock.patch.object(type(spatial_index()), "free_in_ring", in_ring):
        _offers_what_the_calendars_say(seed)


def _offers_what_the_calendars_say(seed: int) -> None:
    rng = random.Random(seed)
    with time_machine.travel(SPRING, tick=False):
        _rebuilt_at(SPRING)
        helpers = [make_helper(radius_km=20) for _ in range(12)]
        for helper in helpers:
            helper_set_weekly_availability(helper=helper, intervals=random_weekly(rng))
            start, end = random_span(rng, SPRING, longest_hours=20)
            availability_exception_add(
                helper=helper, kind=rng.choice(ExceptionKind.values), starts_at=start, ends_at=end
            )
        offered = busy = 0
        for _ in range(6):
            start = SPRING.replace(minute=0) + timedelta(hours=rng.randrange(2, 24 * 6))
            customer = UserFactory.create()
            help_request = post_request(customer, start=start, hours=rng.randint(1, 5))
            with mock.patch.object(explain, "AvailabilityIndex", side_effect=AssertionError):
                fast = explain.match_request(
                    help_request=help_request, radius_km=20, limit=5, now=SPRING
                )
            with mock.patch.object(explain, "covers", return_value=False):
                slow = explain.match_request(
                    help_request=help_request, radius_km=20, limit=5, now=SPRING
                )
            assert fast == slow
            offered += len(fast.candidates)
            busy += sum(
                c.reason == "not free in any of the requested windows" for c in fast.considered
            )
    # Both kinds of answer came up: helpers offered with their slots, helpers not free.
    assert offered
    assert busy


def test_posting_a_request_takes_as_many_queries_for_many_candidates_as_for_few() -> None:
    """No query per candidate: the count of a post barely moves with the helpers around."""
    counts = []
    log_writes = []
    for helpers in (3, 30):
        for _ in range(helpers - len(HelperProfile.objects.all())):
            make_helper()
        customer = UserFactory.create()
        with CaptureQueriesContext(connection) as queries:
            help_request = post_request(customer)
        assert len(_offered(help_request.pk)) == 3
        counts.append(len(queries.captured_queries))
        log_writes.append(
            [q["sql"] for q in queries.captured_queries if q["sql"].startswith(OUTBOX_INSERT)]
        )
    # Ten times the helpers: a ring or an availability batch (of 24 helpers) more or fewer,
    # nothing per helper.
    assert abs(counts[1] - counts[0]) <= 2
    # At most 23 (were 24 when the post's own event was stored by a statement of its own, 30
    # when posting read back the request it had just written, its windows and its offers so
    # far before matching, and once more at the end): the category's lookup, and the savepoint
    # the test's transaction puts around the service; then the customer locked and their open
    # requests counted; the request and its window written; one read before the search, the
    # free time (one or two batches), the helpers who cannot be paid; the matching record, the
    # request's radius, the offers, the post's and the offers' events and the relay task; the
    # helpers' figures, their event and the offers' expiry task; the live streams (the offers
    # read at once, the users' counters, the rows).
    assert max(counts) <= 23
    # The event log: the post's event and its offers' in one statement, then the figures'.
    assert [len(writes) for writes in log_writes] == [2, 2]


def test_a_post_logs_its_events_in_the_order_they_happened() -> None:
    """The post's own event first, then its offers', then the figures the offers moved."""
    for _ in range(4):
        make_helper()
    before = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    help_request = post_request(UserFactory.create())
    offers = Offer.objects.filter(help_request=help_request).order_by("pk")
    logged = list(
        OutboxEvent.objects.filter(pk__gt=before)
        .order_by("pk")
        .values_list("event_type", "aggregate_id")
    )
    assert logged == [
        ("HelpRequestPosted", help_request.pk),
        *[("OfferMade", offer.pk) for offer in offers],
        *sorted(("HelperFiguresChanged", offer.helper_id) for offer in offers),
    ]


def test_matching_on_stored_free_time_takes_as_many_statements_for_many_helpers_as_for_few() -> (
    None
):
    """No statement per candidate on the matching path, and three in all (with PostgreSQL's
    rings asking who is free; on SQLite the free time in batches of 24): one before the search
    (the request's windows, the customer's own profile and the helpers they blocked, the stored
    span, the index's settings and the courses that gate the category), the free time with the
    offers today per batch of 24 helpers (one statement for both), and the helpers who cannot be
    paid (the code of conduct read inside it); the index's own ring statements go through the
    driver's cursor and are counted by `bench.loop`."""
    in_ring = spatial_index().free_in_ring
    counts = []
    for helpers in (3, 30):
        for _ in range(helpers - len(HelperProfile.objects.all())):
            make_helper()
        match_index_rebuild()
        customer = UserFactory.create()
        help_request = post_request(customer)
        help_request = HelpRequest.objects.select_related("category").get(pk=help_request.pk)
        with (
            mock.patch.object(explain, "AvailabilityIndex", side_effect=AssertionError),
            CaptureQueriesContext(connection) as queries,
        ):
            result = explain.match_request(
                help_request=help_request, radius_km=20, limit=3, now=clock.now()
            )
        assert len(result.candidates) == 3
        statements = [query["sql"] for query in queries.captured_queries]
        # The offers today are counted in the free time's statement, not on their own.
        assert not [s for s in statements if s.startswith("SELECT helper_id, COUNT(*)")]
        free_time = [s for s in statements if "UNION ALL SELECT 1, helper_id" in s]
        assert len(free_time) in ((1,) if in_ring else (1, 2))
        counts.append(len(statements))
    if in_ring:
        # Ten times the helpers, the same three: whether each helper is free is asked inside
        # the ring statements, and the exact slots once, for those who may be chosen.
        assert counts == [3, 3]
    else:
        # Ten times the helpers: at most one availability batch (of 24 helpers) more.
        assert counts[0] == 3
        assert counts[1] - counts[0] in (0, 1)
