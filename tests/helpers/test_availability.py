"""When helpers are free (AvailabilityIndex), and the helper services that change it.

Weekly hours are Swiss wall-clock times; what they mean in UTC changes twice a year. The
expected instants are built with zoneinfo, never written down by hand.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from backend.exceptions import PermissionDenied, ValidationFailed
from bookings.models import BookingStatus, Offer, OfferStatus
from helpers.availability import AvailabilityIndex, FreeSlot
from helpers.exceptions import InvalidAvailability
from helpers.models import ApprovalStatus, ExceptionKind, HelperProfile, WeeklyAvailability
from helpers.services import (
    WeeklyInterval,
    availability_exception_add,
    helper_set_weekly_availability,
    helper_suspend,
)
from tests.factories import (
    ZURICH,
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    offset,
    post_request,
)
from tests.worker import run_worker

SWISS = ZoneInfo("Europe/Zurich")
T0 = datetime(2027, 2, 2, 9, 0, tzinfo=SWISS)  # a Tuesday morning
THURSDAY = date(2027, 2, 4)
WORKER_DB = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def last_sunday(year: int, month: int) -> date:
    last_day = calendar.monthrange(year, month)[1]
    day = date(year, month, last_day)
    return day - timedelta(days=(day.weekday() - calendar.SUNDAY) % 7)


SPRING_FORWARD = last_sunday(2027, 3)
FALL_BACK = last_sunday(2027, 10)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=SWISS)


def real_length(start: datetime, end: datetime) -> timedelta:
    """Elapsed time: aware datetimes sharing a tzinfo subtract as wall-clock times."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def index_for(helper: HelperProfile, start: datetime, end: datetime) -> AvailabilityIndex:
    return AvailabilityIndex([helper.pk], start, end)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


# --- Weekly hours across the changes of Swiss time ---------------------------------------------


def test_the_dst_dates_are_the_last_sundays_of_march_and_october_2027():
    assert (date(2027, 3, 28), date(2027, 10, 31)) == (SPRING_FORWARD, FALL_BACK)
    assert local(SPRING_FORWARD, 12).utcoffset() - local(SPRING_FORWARD, 0).utcoffset() == (
        timedelta(hours=1)
    )
    assert local(FALL_BACK, 0).utcoffset() - local(FALL_BACK, 12).utcoffset() == timedelta(hours=1)


@pytest.mark.django_db
@pytest.mark.parametrize("change", [SPRING_FORWARD, FALL_BACK])
def test_weekly_hours_follow_swiss_wall_clock_time_across_a_dst_change(change):
    # Given a helper free 09:00–12:00 Swiss time every day
    helper = make_helper(weekly=((time(9, 0), time(12, 0)),))
    days = [change - timedelta(days=1), change, change + timedelta(days=1)]
    start, end = local(days[0], 0), local(days[-1] + timedelta(days=1), 0)

    # When their free time over the three days around the change is computed
    free = index_for(helper, start, end).free_intervals(helper.pk, start, end)

    # Then every day it is 09:00–12:00 on the Swiss clock, which moves by an hour in UTC
    assert free == [(local(day, 9), local(day, 12)) for day in days]
    offsets = [local(day, 9).utcoffset() for day in days]
    assert [(s.astimezone(UTC), e.astimezone(UTC)) for s, e in free] == [
        (
            datetime.combine(day, time(9), tzinfo=UTC) - offset_,
            datetime.combine(day, time(12), tzinfo=UTC) - offset_,
        )
        for day, offset_ in zip(days, offsets, strict=True)
    ]
    assert offsets[0] != offsets[2]
    assert [real_length(s, e) for s, e in free] == [timedelta(hours=3)] * 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "elapsed"), [(SPRING_FORWARD, "one hour"), (FALL_BACK, "three hours")]
)
def test_night_hours_through_the_change_cover_the_real_elapsed_time(change, elapsed):
    # Given a helper free 01:30–03:30 Swiss time on Sundays: the clock skips or repeats 02:00–03:00
    helper = make_helper(weekly=())
    helper_set_weekly_availability(
        helper=helper, intervals=[WeeklyInterval(6, time(1, 30), time(3, 30))]
    )
    start, end = local(change, 0), local(change, 6)

    # When their free time that night is computed
    free = index_for(helper, start, end).free_intervals(helper.pk, start, end)

    # Then it runs from 01:30 to 03:30 on the Swiss clock, however long that really is
    assert free == [(local(change, 1, 30), local(change, 3, 30))]
    expected = real_length(local(change, 1, 30), local(change, 3, 30))
    assert expected == {"one hour": timedelta(hours=1), "three hours": timedelta(hours=3)}[elapsed]


DST_SLOT_CASES = [
    # (Sunday weekly hours, window on the night of the change, minutes wanted, expected start)
    pytest.param(
        (time(1, 30), time(3, 30)),
        (SPRING_FORWARD, 0, 6),
        90,
        None,  # 01:30–03:30 is one real hour that night
        id="spring forward: 90 min do not fit in 01:30-03:30",
    ),
    pytest.param(
        (time(1, 30), time(3, 30)),
        (FALL_BACK, 0, 6),
        150,
        (FALL_BACK, 1, 30),  # 01:30–03:30 is three real hours that night
        id="fall back: 150 min fit in 01:30-03:30",
    ),
    pytest.param(
        (time(0, 0), time(23, 59)),
        (SPRING_FORWARD, 0, 4),
        180,
        (SPRING_FORWARD, 0, 0),  # 00:00–04:00 is three real hours that night
        id="spring forward: around the clock, 180 min from midnight",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("weekly", "window", "minutes", "expected_start"), DST_SLOT_CASES)
def test_the_first_free_slot_on_a_dst_night_is_measured_in_real_time(
    weekly, window, minutes, expected_start
):
    # Given a helper free during `weekly` Swiss hours on Sundays
    helper = make_helper(weekly=())
    helper_set_weekly_availability(helper=helper, intervals=[WeeklyInterval(6, *weekly)])
    day, first_hour, last_hour = window
    start, end = local(day, first_hour), local(day, last_hour)

    # When a visit of `minutes` is looked for on the night the clocks change
    slot = index_for(helper, start, end).first_free_slot(helper.pk, [(start, end)], minutes)

    # Then it fits exactly when the real elapsed time allows, and lasts `minutes` real minutes
    if expected_start is None:
        assert slot is None
    else:
        assert slot is not None
        assert slot.starts_at == local(*expected_start)
        assert real_length(slot.starts_at, slot.ends_at) == timedelta(minutes=minutes)


# --- Exceptions and held visits ---------------------------------------------------------------


@pytest.mark.django_db
def test_exceptions_add_and_subtract_time(clock):
    # Given a helper free 09:00–12:00, who is away 10:00–10:30 and 15:00–15:15 on Thursday and
    # free in addition 11:30–13:00 and 14:00–16:00
    helper = make_helper(weekly=((time(9, 0), time(12, 0)),))
    for kind, start, end in (
        (ExceptionKind.UNAVAILABLE, local(THURSDAY, 10), local(THURSDAY, 10, 30)),
        (ExceptionKind.AVAILABLE, local(THURSDAY, 11, 30), local(THURSDAY, 13)),
        (ExceptionKind.AVAILABLE, local(THURSDAY, 14), local(THURSDAY, 16)),
        (ExceptionKind.UNAVAILABLE, local(THURSDAY, 15), local(THURSDAY, 15, 15)),
    ):
        availability_exception_add(helper=helper, kind=kind, starts_at=start, ends_at=end)
    start, end = local(THURSDAY, 0), local(THURSDAY + timedelta(days=1), 0)

    # When Thursday's free time is computed
    free = index_for(helper, start, end).free_intervals(helper.pk, start, end)

    # Then the extra time is added, merged with the weekly hours, and the absences cut out
    assert free == [
        (local(THURSDAY, 9), local(THURSDAY, 10)),
        (local(THURSDAY, 10, 30), local(THURSDAY, 13)),
        (local(THURSDAY, 14), local(THURSDAY, 15)),
        (local(THURSDAY, 15, 15), local(THURSDAY, 16)),
    ]


@pytest.mark.django_db
def test_confirmed_visits_hold_time_and_proposed_ones_do_not(clock):
    # Given a helper (free 06:00–23:00) with a confirmed visit Thursday 10:00–11:00 and a
    # visit merely proposed for 14:00–15:00
    helper = make_helper()
    make_booking(BookingStatus.CONFIRMED, helper=helper, start=local(THURSDAY, 10))
    make_booking(BookingStatus.PROPOSED, helper=helper, start=local(THURSDAY, 14))
    start, end = local(THURSDAY, 8), local(THURSDAY, 18)

    # When Thursday's free time is computed
    free = index_for(helper, start, end).free_intervals(helper.pk, start, end)

    # Then only the confirmed visit is cut out
    assert free == [
        (local(THURSDAY, 8), local(THURSDAY, 10)),
        (local(THURSDAY, 11), local(THURSDAY, 18)),
    ]


@pytest.mark.django_db
def test_first_free_slot_picks_the_earliest_stretch_long_enough(clock):
    # Given a helper free 09:00–12:00 except 09:00–09:30 and 10:00–10:15 on Thursday
    helper = make_helper(weekly=((time(9, 0), time(12, 0)),))
    for start, end in (
        (local(THURSDAY, 9), local(THURSDAY, 9, 30)),
        (local(THURSDAY, 10), local(THURSDAY, 10, 15)),
    ):
        availability_exception_add(
            helper=helper, kind=ExceptionKind.UNAVAILABLE, starts_at=start, ends_at=end
        )
    friday = THURSDAY + timedelta(days=1)
    index = index_for(helper, local(THURSDAY, 0), local(friday, 23))

    def first(windows, minutes):
        return index.first_free_slot(helper.pk, windows, minutes)

    # Then a 45-minute visit fits first at 10:15 (09:30–10:00 is too short)
    thursday_morning = (local(THURSDAY, 8), local(THURSDAY, 12))
    assert first([thursday_morning], 45) == FreeSlot(local(THURSDAY, 10, 15), local(THURSDAY, 11))
    # And a 30-minute visit fits at 09:30
    assert first([thursday_morning], 30) == FreeSlot(local(THURSDAY, 9, 30), local(THURSDAY, 10))
    # And windows are tried earliest first, whatever order they come in
    friday_morning = (local(friday, 9), local(friday, 12))
    thursday_short = (local(THURSDAY, 9), local(THURSDAY, 9, 40))
    assert first([friday_morning, thursday_short], 45) == FreeSlot(
        local(friday, 9), local(friday, 9, 45)
    )
    # And a window shorter than the visit is offered whole
    assert first([(local(friday, 9), local(friday, 9, 30))], 60) == FreeSlot(
        local(friday, 9), local(friday, 9, 30)
    )
    # And nothing fits outside the weekly hours
    assert first([(local(friday, 13), local(friday, 18))], 30) is None


# --- Helper services --------------------------------------------------------------------------


def weekly_rows(helper: HelperProfile) -> list[tuple[int, time, time]]:
    return list(
        WeeklyAvailability.objects.filter(helper=helper)
        .order_by("weekday", "start_time")
        .values_list("weekday", "start_time", "end_time")
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "intervals",
    [
        pytest.param(
            [WeeklyInterval(0, time(9), time(12)), WeeklyInterval(0, time(11), time(13))],
            id="overlapping",
        ),
        pytest.param([WeeklyInterval(1, time(12), time(9))], id="inverted"),
        pytest.param([WeeklyInterval(1, time(9), time(9))], id="empty"),
        pytest.param([WeeklyInterval(7, time(9), time(12))], id="no such weekday"),
    ],
)
def test_invalid_weekly_hours_are_refused_and_the_old_ones_kept(intervals):
    # Given a helper free 06:00–23:00 every day
    helper = make_helper()
    before = weekly_rows(helper)
    assert len(before) == 7

    # When they set invalid weekly hours
    with pytest.raises(InvalidAvailability) as refused:
        helper_set_weekly_availability(helper=helper, intervals=intervals)

    # Then they are refused and the old hours stand
    assert isinstance(refused.value, ValidationFailed)
    assert (refused.value.code, refused.value.status) == ("invalid_availability", 400)
    assert weekly_rows(helper) == before


@pytest.mark.django_db
def test_weekly_hours_are_replaced_as_a_whole():
    # Given a helper free 06:00–23:00 every day
    helper = make_helper()

    # When they set Monday 09:00–12:00 and 12:00–14:00 (touching, not overlapping) and Wednesday
    helper_set_weekly_availability(
        helper=helper,
        intervals=[
            WeeklyInterval(2, time(14), time(18)),
            WeeklyInterval(0, time(12), time(14)),
            WeeklyInterval(0, time(9), time(12)),
        ],
    )

    # Then exactly those are their hours
    assert weekly_rows(helper) == [
        (0, time(9), time(12)),
        (0, time(12), time(14)),
        (2, time(14), time(18)),
    ]


@WORKER_DB
def test_suspending_a_helper_withdraws_their_offers_and_offers_the_requests_to_others(
    clock, quartier_settings
):
    # Given two requests, each offered only to the nearest helper (the other is clearly farther:
    # beyond the fairness margin, so the second request goes to the nearest helper as well)
    quartier_settings(OFFER_BATCH_SIZE=1)
    suspended = make_helper(point=offset(ZURICH, east_m=300))
    other = make_helper(point=offset(ZURICH, east_m=2300))
    requests = [post_request(UserFactory(), point=ZURICH) for _ in range(2)]
    assert (
        list(Offer.objects.values_list("helper_id", "status"))
        == [(suspended.pk, OfferStatus.PENDING)] * 2
    )

    # When the community manager suspends that helper
    helper_suspend(helper=suspended, actor=ManagerFactory(), note="Complaint under review")

    # Then the helper's offers are withdrawn at once
    suspended.refresh_from_db()
    assert (suspended.approval_status, suspended.approval_note) == (
        ApprovalStatus.SUSPENDED,
        "Complaint under review",
    )
    assert (
        list(Offer.objects.values_list("helper_id", "status", "decline_note"))
        == [(suspended.pk, OfferStatus.WITHDRAWN, "helper suspended")] * 2
    )

    # And once the worker runs, both requests are offered to the other helper
    run_worker()
    for help_request in requests:
        assert list(
            Offer.objects.filter(help_request=help_request)
            .order_by("rank")
            .values_list("helper_id", "rank", "status")
        ) == [
            (suspended.pk, 1, OfferStatus.WITHDRAWN),
            (other.pk, 2, OfferStatus.PENDING),
        ]


@pytest.mark.django_db
def test_only_the_manager_suspends_and_must_say_why(clock):
    # Given an approved helper with a pending offer
    helper = make_helper()
    post_request(UserFactory(), point=ZURICH)
    before = (
        HelperProfile.objects.values().get(pk=helper.pk),
        list(Offer.objects.values_list("pk", "status")),
        DBTaskResult.objects.count(),
    )

    # When someone who is not the manager suspends them, or the manager gives no reason
    with pytest.raises(PermissionDenied) as not_manager:
        helper_suspend(helper=helper, actor=UserFactory(), note="I do not like them")
    with pytest.raises(ValidationFailed) as no_reason:
        helper_suspend(helper=helper, actor=ManagerFactory(), note="   ")

    # Then both are refused and nothing changed
    assert (not_manager.value.code, not_manager.value.status) == ("manager_only", 403)
    assert (no_reason.value.code, no_reason.value.status) == ("reason_required", 400)
    assert (
        HelperProfile.objects.values().get(pk=helper.pk),
        list(Offer.objects.values_list("pk", "status")),
        DBTaskResult.objects.count(),
    ) == before
