"""Races settled by the database, with real threads on PostgreSQL (reliability B1–B3).

The PostgreSQL tests run with `transaction=True`: the threads have their own connections and
must see committed rows, and a test transaction around them would hide the races. They also
restore the serialized database (`serialized_rollback=True`) because the flush afterwards
would otherwise take the service categories the migrations seed with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from backend.models import User
from bookings import services
from bookings.exceptions import HelperDoubleBooked, RequestAlreadyTaken
from bookings.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
    Offer,
    OfferStatus,
    ProposalStatus,
)
from catalogue.models import ServiceCategory
from helpers.models import HelperProfile
from tests.concurrency import race
from tests.factories import (
    ZURICH,
    UserFactory,
    make_helper,
    next_slot_start,
    offset,
    pending_offer,
    post_request,
)


def _proposed_booking(
    customer: User, helper: HelperProfile, *, day: datetime, starts_at: datetime, minutes: int
) -> Booking:
    """A booking of `helper` for `customer`, proposed at one time inside a 09:00–13:00 window."""
    help_request = post_request(customer, start=day.replace(hour=9), hours=4)
    offer = pending_offer(help_request, helper)
    assert offer is not None
    booking = services.offer_accept(offer=offer, actor=helper.user)
    return services.booking_propose(
        booking=booking,
        actor=helper.user,
        slots=[services.SlotInput(starts_at, starts_at + timedelta(minutes=minutes))],
    )


def _confirm(booking: Booking) -> Callable[[], Booking]:
    proposal = booking.proposals.get(status=ProposalStatus.PROPOSED)
    customer = booking.help_request.customer
    return lambda: services.booking_confirm(booking=booking, actor=customer, proposal=proposal)


def _state(booking: Booking) -> tuple[Any, ...]:
    booking.refresh_from_db()
    return (
        booking.status,
        booking.starts_at,
        booking.ends_at,
        list(booking.events.values_list("to_status", flat=True)),
        list(booking.proposals.values_list("status", flat=True)),
    )


# --- B1: first accept wins --------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_helpers_accepting_at_once_make_exactly_one_booking(quartier_settings):
    # Given 20 approved helpers near one customer, each with a pending offer for one request
    quartier_settings(OFFER_BATCH_SIZE=20)
    helpers = [make_helper(point=offset(ZURICH, east_m=100 * n)) for n in range(20)]
    help_request = post_request(UserFactory(), point=ZURICH)
    offers = {offer.helper_id: offer for offer in Offer.objects.filter(help_request=help_request)}
    assert set(offers) == {helper.pk for helper in helpers}
    assert {offer.status for offer in offers.values()} == {OfferStatus.PENDING}

    # When all 20 accept at the same moment
    results = race(
        [
            lambda helper=helper: services.offer_accept(offer=offers[helper.pk], actor=helper.user)
            for helper in helpers
        ]
    )

    # Then exactly one booking was made and the 19 others were told the job is taken
    bookings = [value for outcome, value in results if outcome == "ok"]
    errors = [value for outcome, value in results if outcome == "error"]
    assert len(bookings) == 1
    # (also a loser that reads its offer only after the winner committed and finds it withdrawn)
    assert len(errors) == 19
    assert {(e.status, e.code) for e in errors} == {(409, "request_already_taken")}, errors
    winner = bookings[0]
    assert Booking.objects.count() == 1
    assert Booking.objects.get().pk == winner.pk
    help_request.refresh_from_db()
    assert help_request.status == HelpRequestStatus.ASSIGNED
    assert help_request.assigned_helper_id == winner.helper_id
    assert sorted(Offer.objects.values_list("helper_id", "status")) == sorted(
        (
            helper_id,
            OfferStatus.ACCEPTED if helper_id == winner.helper_id else OfferStatus.WITHDRAWN,
        )
        for helper_id in offers
    )
    assert list(BookingEvent.objects.values_list("booking_id", "from_status", "to_status")) == [
        (winner.pk, "", BookingStatus.AWAITING_PROPOSAL)
    ]
    assert dict(HelperProfile.objects.values_list("pk", "offers_accepted")) == {
        helper_id: int(helper_id == winner.helper_id) for helper_id in offers
    }


# --- B2: no overlapping visits of one helper --------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_customers_confirming_overlapping_times_at_once_hold_one_slot():
    # Given one helper and two customers; in each round the helper proposes
    # [10:00, 11:00) to A and [10:30, 11:30) to B on a new day
    helper = make_helper()
    customer_a, customer_b = UserFactory(), UserFactory()
    for round_number in range(10):
        day = next_slot_start(days=2 + round_number)
        booking_a = _proposed_booking(
            customer_a, helper, day=day, starts_at=day.replace(hour=10), minutes=60
        )
        booking_b = _proposed_booking(
            customer_b, helper, day=day, starts_at=day.replace(hour=10, minute=30), minutes=60
        )
        before = {booking.pk: _state(booking) for booking in (booking_a, booking_b)}

        # When both customers confirm at the same moment
        results = race([_confirm(booking_a), _confirm(booking_b)])

        # Then one visit is confirmed and the other is refused, untouched
        outcomes = [outcome for outcome, _ in results]
        assert sorted(outcomes) == ["error", "ok"], (round_number, results)
        winner, loser = (booking_a, booking_b) if outcomes[0] == "ok" else (booking_b, booking_a)
        error = results[outcomes.index("error")][1]
        assert (type(error), error.code, error.status) == (
            HelperDoubleBooked,
            "helper_double_booked",
            409,
        )
        assert _state(loser) == before[loser.pk]
        assert loser.status == BookingStatus.PROPOSED
        status, starts_at, _, events, proposals = _state(winner)
        assert status == BookingStatus.CONFIRMED
        assert events == [
            BookingStatus.AWAITING_PROPOSAL,
            BookingStatus.PROPOSED,
            BookingStatus.CONFIRMED,
        ]
        assert proposals == [ProposalStatus.CHOSEN]
        assert starts_at == (
            day.replace(hour=10) if winner is booking_a else day.replace(hour=10, minute=30)
        )
    assert Booking.objects.filter(status=BookingStatus.CONFIRMED).count() == 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_adjacent_slots_confirmed_at_once_both_hold():
    # Given [10:00, 11:00) proposed to A and [11:00, 12:00) to B: they touch, they do not overlap
    helper = make_helper()
    day = next_slot_start(days=3)
    booking_a = _proposed_booking(
        UserFactory(), helper, day=day, starts_at=day.replace(hour=10), minutes=60
    )
    booking_b = _proposed_booking(
        UserFactory(), helper, day=day, starts_at=day.replace(hour=11), minutes=60
    )

    # When both customers confirm at the same moment
    results = race([_confirm(booking_a), _confirm(booking_b)])

    # Then both visits are confirmed
    assert [outcome for outcome, _ in results] == ["ok", "ok"], results
    assert sorted(
        Booking.objects.filter(helper=helper).values_list("status", "starts_at", "ends_at")
    ) == [
        (BookingStatus.CONFIRMED, day.replace(hour=10), day.replace(hour=11)),
        (BookingStatus.CONFIRMED, day.replace(hour=11), day.replace(hour=12)),
    ]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_database_refuses_an_update_that_overlaps_two_held_slots():
    # Given two confirmed visits of one helper, [10:00, 11:00) and [12:00, 13:00)
    helper = make_helper()
    day = next_slot_start(days=4)
    first = _proposed_booking(
        UserFactory(), helper, day=day, starts_at=day.replace(hour=10), minutes=60
    )
    second = _proposed_booking(
        UserFactory(), helper, day=day, starts_at=day.replace(hour=12), minutes=60
    )
    _confirm(first)()
    _confirm(second)()

    # When the second is moved onto the first behind the services' back
    overlapping = {
        "starts_at": day.replace(hour=10, minute=30),
        "ends_at": day.replace(hour=11, minute=30),
    }
    with pytest.raises(IntegrityError, match="booking_helper_no_overlap"), transaction.atomic():
        Booking.objects.filter(pk=second.pk).update(**overlapping)

    # Then nothing moved
    second.refresh_from_db()
    assert (second.status, second.starts_at, second.ends_at) == (
        BookingStatus.CONFIRMED,
        day.replace(hour=12),
        day.replace(hour=13),
    )

    # And once the second no longer holds its slot, the same overlap is allowed
    services.booking_cancel(booking=second, actor=second.help_request.customer, reason="Not needed")
    assert Booking.objects.filter(pk=second.pk).update(**overlapping) == 1


# --- SQLite (and PostgreSQL): the same rule, one confirm after the other -----------------------


@pytest.mark.django_db
def test_confirming_an_overlapping_time_after_another_is_refused_and_changes_nothing():
    # Given one helper who proposed [10:00, 11:00) to A and [10:30, 11:30) to B
    helper = make_helper()
    day = next_slot_start(days=2)
    booking_a = _proposed_booking(
        UserFactory(), helper, day=day, starts_at=day.replace(hour=10), minutes=60
    )
    booking_b = _proposed_booking(
        UserFactory(), helper, day=day, starts_at=day.replace(hour=10, minute=30), minutes=60
    )
    _confirm(booking_a)()
    before = _state(booking_b)
    help_request_b = HelpRequest.objects.values().get(pk=booking_b.help_request_id)

    # When B confirms too
    with pytest.raises(HelperDoubleBooked) as refused:
        _confirm(booking_b)()

    # Then B is refused with 409 and nothing of B changed
    assert (refused.value.code, refused.value.status) == ("helper_double_booked", 409)
    assert _state(booking_b) == before
    assert before[0] == BookingStatus.PROPOSED
    assert HelpRequest.objects.values().get(pk=booking_b.help_request_id) == help_request_b
    assert _state(booking_a)[0] == BookingStatus.CONFIRMED


@pytest.mark.django_db
def test_a_helper_accepting_after_another_won_is_told_the_job_is_taken():
    # Given two helpers with pending offers for one request, and the first has accepted
    first, second = make_helper(), make_helper(point=offset(ZURICH, east_m=500))
    help_request = post_request(UserFactory())
    services.offer_accept(offer=pending_offer(help_request, first), actor=first.user)
    late_offer = Offer.objects.get(help_request=help_request, helper=second)
    before = list(Offer.objects.order_by("pk").values_list("pk", "status"))

    # When the second helper accepts a moment later
    with pytest.raises(RequestAlreadyTaken) as refused:
        services.offer_accept(offer=late_offer, actor=second.user)

    # Then they are told the job is taken, and nothing changed
    assert (refused.value.code, refused.value.status) == ("request_already_taken", 409)
    assert list(Offer.objects.order_by("pk").values_list("pk", "status")) == before
    assert Booking.objects.count() == 1


# --- The match index under concurrent changes to one helper -----------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_changes_to_one_helper_leave_the_match_index_in_step():
    from backend.services import user_update_profile
    from bookings.matching.index import match_index_check
    from bookings.models import MatchEntry
    from helpers.services import helper_profile_update

    # Given a helper with two skills
    helper = make_helper(
        point=offset(ZURICH, east_m=1_000), skills=("internet-wifi", "tv-streaming")
    )
    tv, phone = (
        ServiceCategory.objects.get(slug="tv-streaming"),
        ServiceCategory.objects.get(slug="smartphone-tablet"),
    )
    for round_number in range(5):
        radius = 5 + round_number
        languages = ["fr", "de"] if round_number % 2 else ["it"]

        # When, at the same instant, the helper changes radius, skills and languages in three
        # requests (each reads the helper before the others commit)
        results = race(
            [
                lambda radius=radius: helper_profile_update(
                    helper=HelperProfile.objects.get(pk=helper.pk), service_radius_km=radius
                ),
                lambda: helper_profile_update(
                    helper=HelperProfile.objects.get(pk=helper.pk), skills=[tv, phone]
                ),
                lambda languages=languages: user_update_profile(
                    user=User.objects.get(pk=helper.user_id), languages=languages
                ),
            ]
        )

        # Then every change landed, and the index holds exactly what the tables say
        assert [outcome for outcome, _ in results] == ["ok", "ok", "ok"], results
        assert match_index_check() == []
        rows = MatchEntry.objects.filter(helper=helper).order_by("category__slug")
        assert [(r.category.slug, r.service_radius_km) for r in rows] == [
            ("smartphone-tablet", radius),
            ("tv-streaming", radius),
        ]
        expected_mask = 0b11 if round_number % 2 else 0b100
        assert {r.languages_mask for r in rows} == {expected_mask}
