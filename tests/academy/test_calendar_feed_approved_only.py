"""Only an approved helper has a calendar feed: an applicant not approved yet, one rejected or
withdrawn, like a suspended or offboarded helper, is given, made or renewed no address, and a
feed made before opens nothing (it names customers' addresses and needs no log-in)."""

from __future__ import annotations

import pytest

from academy.models import CalendarFeed
from helpers.models import ApprovalStatus
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import make_helper
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

FEED = ("post", "/api/v1/helper/academy/calendar-feed")
NOT_YET = "Your calendar address is available once your helper account is approved."
LOST = "Your calendar address is not available while your helper account is suspended or closed."
WHY = {
    ApprovalStatus.APPLIED: NOT_YET,
    ApprovalStatus.DOCUMENTS_SUBMITTED: NOT_YET,
    ApprovalStatus.DOCUMENTS_CHECKED: NOT_YET,
    ApprovalStatus.CONDUCT_TEST_PASSED: NOT_YET,
    ApprovalStatus.INTERVIEW: NOT_YET,
    ApprovalStatus.NEEDS_INFORMATION: NOT_YET,
    ApprovalStatus.REJECTED: NOT_YET,
    ApprovalStatus.WITHDRAWN: NOT_YET,
    ApprovalStatus.SUSPENDED: LOST,
    ApprovalStatus.OFFBOARDED: LOST,
}


def test_every_state_but_approved_is_named():
    assert set(WHY) == set(ApprovalStatus) - {ApprovalStatus.APPROVED}


@pytest.mark.parametrize("state", list(WHY))
@pytest.mark.parametrize("renew", [False, True])
def test_a_helper_not_approved_is_given_no_feed_address(state, renew):
    helper = make_helper(approval=state)

    response = client_for(helper.user).post(
        f"{API}/helper/academy/calendar-feed", {"renew": renew}, format="json"
    )

    body = assert_error(response, 403, "calendar_feed_closed", set(), documented_in=FEED)
    assert body["message"] == WHY[state]
    assert CalendarFeed.objects.count() == 0


@pytest.mark.parametrize("state", list(WHY))
def test_an_existing_feed_of_a_helper_not_approved_opens_nothing(client, state):
    # Given a feed made while the helper was approved (or before approval was asked for)
    helper = make_helper(approval=state)
    token = CalendarFeed.objects.create(helper=helper).token

    response = client.get(f"/calendar/{token}.ics")
    renewed = client_for(helper.user).post(
        f"{API}/helper/academy/calendar-feed", {"renew": True}, format="json"
    )

    assert response.status_code == 404
    assert response.content == b""
    assert renewed.status_code == 403
    assert token not in renewed.content.decode()
    assert list(CalendarFeed.objects.values_list("helper_id", "token")) == [(helper.pk, token)]


def test_an_approved_helper_has_a_feed(client):
    helper = make_helper(approval=ApprovalStatus.APPROVED)

    response = client_for(helper.user).post(
        f"{API}/helper/academy/calendar-feed", {}, format="json"
    )

    token = CalendarFeed.objects.get(helper=helper).token
    assert response.status_code == 200
    assert response.json() == {"url": f"http://testserver/calendar/{token}.ics"}
    assert client.get(f"/calendar/{token}.ics").status_code == 200


@pytest.mark.parametrize("state", [ApprovalStatus.INTERVIEW, ApprovalStatus.REJECTED])
def test_the_events_page_of_an_applicant_shows_no_address_and_makes_none(client, state):
    helper = make_helper(approval=state)
    _logged_in(client, helper.user)

    page = client.get("/helper/academy/events/").content.decode()
    made = client.post("/helper/academy/calendar-feed", {}, follow=True)

    assert "/calendar/" not in page
    assert 'action="/helper/academy/calendar-feed"' not in page
    assert f'<p id="calendar-closed">{NOT_YET}</p>' in page
    assert made.redirect_chain == [("/helper/academy/events/#calendar", 302)]
    assert NOT_YET in made.content.decode()
    assert CalendarFeed.objects.count() == 0
