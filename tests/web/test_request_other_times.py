"""A request nobody was free for: the customer is told so when posting it, and gives other
times on its page; matching then starts again with them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from bookings.models import BookingStatus, HelpRequest, HelpRequestStatus, OfferStatus
from tests.factories import UserFactory, make_booking, make_helper
from tests.web.refusals import refused_page
from tests.web.test_pages import _errors_of, _logged_in, _request_form

pytestmark = pytest.mark.django_db


def _day(days_ahead: int) -> str:
    return (timezone.localtime() + timedelta(days=days_ahead)).date().isoformat()


def _unmatched(client) -> tuple[HelpRequest, str]:
    customer = UserFactory.create()
    _logged_in(client, customer, "de")
    response = client.post("/requests/new", _request_form())
    help_request = HelpRequest.objects.get(customer=customer)
    assert help_request.status == HelpRequestStatus.UNMATCHED
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == [
        "Ihre Anfrage ist gespeichert, aber zu diesen Zeiten ist in Ihrer Nähe niemand frei. "
        "Wählen Sie unten andere Zeiten."
    ]
    client.get(response.headers["Location"])  # the message read
    return help_request, response.headers["Location"]


def _times(**changes: str) -> dict[str, str]:
    form = {
        "times-day_1": _day(2),
        "times-slot_1": "afternoon",
        "times-day_2": "",
        "times-slot_2": "",
        "times-day_3": "",
        "times-slot_3": "",
    }
    return form | changes


def _windows(help_request: HelpRequest) -> list[tuple]:
    return list(help_request.windows.order_by("starts_at").values_list("starts_at", "ends_at"))


def test_a_request_nobody_was_free_for_offers_other_times(client):
    help_request, page_url = _unmatched(client)

    html = client.get(page_url).content.decode()

    assert "Andere Zeiten wählen" in html
    assert f'action="/requests/{help_request.public_id}/times"' in html
    assert 'name="times-day_1"' in html


def test_other_times_match_again_and_reach_a_helper_free_then(client):
    help_request, page_url = _unmatched(client)
    helper = make_helper()

    response = client.post(f"{page_url}times", _times())

    assert response.status_code == 302
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == ["Ihre Anfrage ist gesendet. Wir fragen Helferinnen und Helfer in Ihrer Nähe."]
    help_request.refresh_from_db()
    assert help_request.status == HelpRequestStatus.OPEN
    assert help_request.rematch_count == 1
    [(starts, ends)] = _windows(help_request)
    assert (timezone.localtime(starts).date().isoformat(), timezone.localtime(starts).hour) == (
        _day(2),
        14,
    )
    assert timezone.localtime(ends).hour == 18
    assert list(help_request.offers.values_list("helper_id", "status")) == [
        (helper.pk, OfferStatus.PENDING)
    ]
    assert "Andere Zeiten wählen" not in client.get(page_url).content.decode()


def test_a_day_without_its_time_is_refused_next_to_it_and_changes_nothing(client):
    help_request, page_url = _unmatched(client)
    before = _windows(help_request)

    response = client.post(f"{page_url}times", _times(**{"times-day_2": _day(3)}))

    assert _errors_of(refused_page(client, response, page_url), "id_times-slot_2") == [
        "Wählen Sie Tag und Zeit, oder keines von beiden."
    ]
    help_request.refresh_from_db()
    assert help_request.status == HelpRequestStatus.UNMATCHED
    assert help_request.rematch_count == 0
    assert _windows(help_request) == before


def test_a_request_a_helper_accepted_takes_no_other_times(client):
    booking = make_booking(BookingStatus.AWAITING_PROPOSAL)
    help_request = booking.help_request
    _logged_in(client, help_request.customer, "de")
    page_url = f"/requests/{help_request.public_id}/"
    before = _windows(help_request)
    assert "Andere Zeiten wählen" not in client.get(page_url).content.decode()

    response = client.post(f"{page_url}times", _times())

    assert response.status_code == 302
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == ["Diese Anfrage kann nicht mehr geändert werden."]
    help_request.refresh_from_db()
    assert help_request.status == HelpRequestStatus.ASSIGNED
    assert _windows(help_request) == before


@pytest.mark.parametrize(
    ("status", "action", "prefix"),
    [
        (BookingStatus.CONFIRMED, "cancel", "cancel"),
        (BookingStatus.PROPOSED, "new-times", "new_times"),
        (BookingStatus.COMPLETED, "dispute", "dispute"),
    ],
)
def test_a_reason_left_empty_is_said_above_the_form_that_takes_the_focus(
    client, status, action, prefix
):
    booking = make_booking(status)
    _logged_in(client, booking.help_request.customer, "it")
    page = f"/requests/{booking.help_request.public_id}/"

    response = client.post(page + action, {f"{prefix}-reason": "  "})

    # The answer leads back to the request's page at its own address: a reload resends nothing
    assert (response.status_code, response["Location"]) == (302, page)
    html = client.get(page).content.decode()
    assert html.count("data-error-summary") == 1
    assert f'<a href="#id_{prefix}-reason">' in html
    assert 'aria-invalid="true"' in html
    booking.refresh_from_db()
    assert booking.status == status
    # And shown once: reloading the page shows it as it stands, without the old refusal
    assert "data-error-summary" not in client.get(page).content.decode()


def test_withdrawing_without_a_reason_is_said_above_the_form(client):
    customer = UserFactory.create()
    _logged_in(client, customer, "it")
    client.post("/requests/new", _request_form())
    help_request = HelpRequest.objects.get(customer=customer)
    page = f"/requests/{help_request.public_id}/"

    response = client.post(page + "withdraw", {"withdraw-reason": ""})

    assert (response.status_code, response["Location"]) == (302, page)
    page_html = client.get(page).content.decode()
    assert '<a href="#id_withdraw-reason">' in page_html
    help_request.refresh_from_db()
    assert help_request.status != HelpRequestStatus.WITHDRAWN
    assert "data-error-summary" not in client.get(page).content.decode()
