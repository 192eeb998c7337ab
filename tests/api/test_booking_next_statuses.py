"""A booking's `next_statuses` offer only the moves the services would accept now: a no-show
is offered once it may be reported, after the visit's start plus the grace period."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from backend.config import config
from bookings.models import Booking, BookingStatus
from bookings.selectors import next_statuses_for
from tests.api.api_assertions import API, client_for
from tests.factories import ManagerFactory, make_booking

pytestmark = pytest.mark.django_db


def _listed(booking: Booking) -> dict[str, list[str]]:
    """Each party's `next_statuses` in the API, checked to be what the selector says."""
    customer, helper = booking.help_request.customer, booking.helper.user
    listed = {}
    for name, user in (("customer", customer), ("helper", helper)):
        body = client_for(user).get(f"{API}/bookings/{booking.public_id}").json()
        assert body["next_statuses"] == next_statuses_for(booking, user)
        listed[name] = body["next_statuses"]
    return listed


def test_a_confirmed_visit_offers_no_no_show_before_its_grace_period_has_passed():
    # Given a confirmed visit that starts in half an hour
    booking = make_booking(BookingStatus.CONFIRMED)
    assert booking.starts_at is not None
    grace = timedelta(minutes=config().no_show_grace_minutes)

    # Then neither party is offered a no-show before the start, nor a minute before the grace
    # period ends
    before_start = _listed(booking)
    with time_machine.travel(booking.starts_at + grace - timedelta(minutes=1), tick=False):
        almost = _listed(booking)

    assert before_start == {
        "customer": ["awaiting_proposal", "cancelled"],
        "helper": ["cancelled", "in_progress", "on_the_way", "proposed"],
    }
    assert almost == before_start


def test_a_confirmed_visit_offers_a_no_show_once_the_grace_period_has_passed():
    # Given a confirmed visit
    booking = make_booking(BookingStatus.CONFIRMED)
    assert booking.starts_at is not None
    grace = timedelta(minutes=config().no_show_grace_minutes)

    with time_machine.travel(booking.starts_at + grace, tick=False):
        # When the grace period after its start has passed, both parties are offered a no-show
        assert _listed(booking) == {
            "customer": ["awaiting_proposal", "cancelled", "no_show"],
            "helper": ["cancelled", "in_progress", "no_show", "on_the_way", "proposed"],
        }
        # and the service takes the report then
        response = client_for(booking.help_request.customer).post(
            f"{API}/bookings/{booking.public_id}/no-show", {"note": "Nobody came."}
        )

    assert response.status_code == 200
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.NO_SHOW


def test_a_no_show_not_listed_yet_is_refused_by_the_service():
    # Given a confirmed visit a minute before a no-show may be reported
    booking = make_booking(BookingStatus.CONFIRMED)
    assert booking.starts_at is not None
    grace = timedelta(minutes=config().no_show_grace_minutes)

    with time_machine.travel(booking.starts_at + grace - timedelta(minutes=1), tick=False):
        # When the customer reports it anyway, it is refused, as the list said
        response = client_for(booking.help_request.customer).post(
            f"{API}/bookings/{booking.public_id}/no-show", {"note": "Nobody came."}
        )

    assert (response.status_code, response.json()["code"]) == (409, "too_early")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_a_manager_is_offered_the_no_show_at_any_time():
    # Given a confirmed visit that has not started
    booking = make_booking(BookingStatus.CONFIRMED)
    manager = ManagerFactory.create()

    # Then the manager, whose report is not timed, is offered it
    body = client_for(manager).get(f"{API}/bookings/{booking.public_id}").json()

    assert BookingStatus.NO_SHOW in body["next_statuses"]
