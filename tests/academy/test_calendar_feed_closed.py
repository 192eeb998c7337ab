"""A suspended or offboarded helper's calendar feed: its secret address opens nothing (it names
customers' addresses and needs no log-in), and no address is given, made or renewed, over the
API or on the events page; a reinstated helper's feed opens again."""

from __future__ import annotations

import pytest
from django.db import transaction

from academy.models import CalendarFeed
from academy.services import calendar_feed_for
from bookings.models import BookingStatus
from helpers.models import ApprovalStatus, HelperProfile
from helpers.services import helper_approval_move, helper_offboard, helper_suspend
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import ManagerFactory, make_booking, make_helper
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

FEED = ("post", "/api/v1/helper/academy/calendar-feed")
CLOSED = "Your calendar address is not available while your helper account is suspended or closed."


def _leave(helper: HelperProfile, how: str) -> None:
    manager = ManagerFactory.create()
    if how == "suspended":
        helper_suspend(helper=helper, actor=manager, note="A customer complained.")
    else:
        helper_offboard(helper=helper, actor=manager, note="Leaves for good.")
    helper.refresh_from_db()
    assert helper.approval_status == how


@pytest.mark.parametrize("how", [ApprovalStatus.SUSPENDED, ApprovalStatus.OFFBOARDED])
def test_the_feed_of_a_suspended_or_offboarded_helper_opens_nothing(client, how):
    # Given a helper whose calendar app reads their feed, with a visit's address in it
    booking = make_booking(BookingStatus.CONFIRMED)
    helper = booking.helper
    token = calendar_feed_for(helper=helper, actor=helper.user).token
    assert b"Bahnhofstrasse 1" in client.get(f"/calendar/{token}.ics").content

    # When the manager suspends or offboards them
    _leave(helper, how)

    # Then the feed's address opens nothing
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 404
    assert response.content == b""


@pytest.mark.parametrize("how", [ApprovalStatus.SUSPENDED, ApprovalStatus.OFFBOARDED])
@pytest.mark.parametrize("renew", [False, True])
def test_the_api_gives_no_feed_address_to_a_suspended_or_offboarded_helper(how, renew):
    helper = make_helper()
    token = calendar_feed_for(helper=helper, actor=helper.user).token
    _leave(helper, how)

    response = client_for(helper.user).post(
        f"{API}/helper/academy/calendar-feed", {"renew": renew}, format="json"
    )

    body = assert_error(response, 403, "calendar_feed_closed", set(), documented_in=FEED)
    assert body["message"] == CLOSED
    assert token not in response.content.decode()
    # Nothing renewed: the one feed keeps its secret
    assert list(CalendarFeed.objects.values_list("helper_id", "token")) == [(helper.pk, token)]


@pytest.mark.parametrize("how", [ApprovalStatus.SUSPENDED, ApprovalStatus.OFFBOARDED])
def test_no_feed_is_made_for_a_suspended_or_offboarded_helper(how):
    helper = make_helper()
    _leave(helper, how)

    response = client_for(helper.user).post(
        f"{API}/helper/academy/calendar-feed", {}, format="json"
    )

    assert_error(response, 403, "calendar_feed_closed", set(), documented_in=FEED)
    assert CalendarFeed.objects.count() == 0


def test_the_events_page_of_a_suspended_helper_shows_no_address_and_makes_none(client):
    helper = make_helper()
    token = calendar_feed_for(helper=helper, actor=helper.user).token
    _leave(helper, ApprovalStatus.SUSPENDED)
    _logged_in(client, helper.user)

    page = client.get("/helper/academy/events/").content.decode()
    renewed = client.post("/helper/academy/calendar-feed", {"renew": "yes"}, follow=True)

    assert token not in page
    assert "/calendar/" not in page
    assert 'action="/helper/academy/calendar-feed"' not in page
    assert f'<p id="calendar-closed">{CLOSED}</p>' in page
    assert renewed.redirect_chain == [("/helper/academy/events/#calendar", 302)]
    assert CLOSED in renewed.content.decode()
    assert list(CalendarFeed.objects.values_list("token", flat=True)) == [token]


def test_a_reinstated_helpers_feed_opens_again(client):
    helper = make_helper()
    token = calendar_feed_for(helper=helper, actor=helper.user).token
    _leave(helper, ApprovalStatus.SUSPENDED)
    assert client.get(f"/calendar/{token}.ics").status_code == 404

    with transaction.atomic():
        helper_approval_move(
            helper=helper,
            to=ApprovalStatus.APPROVED,
            actor=ManagerFactory.create(),
            note="The matter is cleared up.",
        )

    assert client.get(f"/calendar/{token}.ics").status_code == 200
    answer = client_for(helper.user).post(f"{API}/helper/academy/calendar-feed", {}, format="json")
    assert answer.json()["url"] == f"http://testserver/calendar/{token}.ics"
