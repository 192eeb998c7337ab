"""The customer's request forms say every problem in one round: the form's own (a field left
empty, half a window) and the request's rules (too short, incomplete, an unknown place, the
open-request limit), so nobody mends one round, sends, and meets a second."""

from __future__ import annotations

import pytest

from bookings.models import HelpRequest, HelpRequestStatus, TimeWindow
from tests.factories import UserFactory
from tests.web.refusals import refused_page
from tests.web.test_pages import _errors_of, _logged_in, _request_form
from tests.web.test_request_other_times import _day, _times, _unmatched, _windows

pytestmark = pytest.mark.django_db


def test_the_new_request_form_says_its_own_and_the_services_problems_at_once(
    client, quartier_settings
):
    # Given a customer with as many open requests as allowed
    quartier_settings(MAX_OPEN_REQUESTS_PER_CUSTOMER=1)
    customer = UserFactory.create()
    _logged_in(client, customer)
    client.post("/requests/new", _request_form())
    posted = HelpRequest.objects.get(customer=customer)
    before = (HelpRequest.objects.count(), TimeWindow.objects.count())

    # When one submission holds the form's errors and the service's
    response = client.post(
        "/requests/new",
        _request_form(
            category="",  # the form's: required
            day_2=_day(3),  # the form's: a day without its time
            description="Help",  # the service's: too short
            place="other",
            postal_code="9999",  # the service's: no such postcode
            locality="Nirgendwo",
            for_someone_else="on",
            on_behalf_name="Rosa Muster",  # the service's: her phone is missing
            on_behalf_phone="",
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # Then every problem is said at once, next to its field
    html = refused_page(client, response, "/requests/new")
    assert _errors_of(html, "id_category") == ["This field is required."]
    assert _errors_of(html, "id_slot_2") == ["Choose both the day and the time, or neither."]
    assert _errors_of(html, "id_description") == [
        "Describe the problem in a few words (at least 10 characters)."
    ]
    assert _errors_of(html, "id_postal_code") == ["We do not know this postcode."]
    assert _errors_of(html, "id_on_behalf_phone") == [
        "When booking for someone else, give their name and phone so the helper can call."
    ]
    assert _errors_of(html, "id_on_behalf_name") == []
    # the limit, which no field causes, above the form
    assert (
        "<p>You already have as many open requests as allowed. Withdraw one or wait for a "
        "helper.</p>" in html
    )
    # What was typed stays
    assert "Help</textarea>" in html
    assert 'value="9999"' in html
    assert 'value="Nirgendwo"' in html
    assert 'value="Rosa Muster"' in html
    # And nothing is written
    assert (HelpRequest.objects.count(), TimeWindow.objects.count()) == before
    assert list(HelpRequest.objects.filter(customer=customer)) == [posted]


def test_a_request_the_form_and_the_service_both_accept_is_posted(client):
    customer = UserFactory.create()
    _logged_in(client, customer)

    response = client.post(
        "/requests/new",
        _request_form(
            place="other",
            street="Bahnhofstrasse 1",
            postal_code="8001",
            locality="zürich",
            for_someone_else="on",
            on_behalf_name="Rosa Muster",
            on_behalf_phone="044 123 45 67",
        ),
    )

    help_request = HelpRequest.objects.get(customer=customer)
    assert response.headers["Location"] == f"/requests/{help_request.public_id}/"
    assert (help_request.postal_code, help_request.locality, help_request.street) == (
        "8001",
        "Zürich",
        "Bahnhofstrasse 1",
    )
    assert help_request.on_behalf_phone == "044 123 45 67"


def test_other_times_say_half_a_window_and_the_same_time_twice_at_once(client):
    help_request, page_url = _unmatched(client)
    before = _windows(help_request)

    response = client.post(
        f"{page_url}times",
        _times(
            **{
                "times-day_2": _day(3),  # the form's: no time
                "times-day_3": _day(2),  # the service's: the first window once more
                "times-slot_3": "afternoon",
            }
        ),
    )

    html = refused_page(client, response, page_url)
    assert _errors_of(html, "id_times-slot_2") == [
        "Wählen Sie Tag und Zeit, oder keines von beiden."
    ]
    assert _errors_of(html, "id_times-day_1") == [
        "Zwei Ihrer Zeiten überschneiden sich. Wählen Sie andere."
    ]
    assert f'<option value="{_day(3)}" selected>' in html
    help_request.refresh_from_db()
    assert (help_request.status, help_request.rematch_count) == (HelpRequestStatus.UNMATCHED, 0)
    assert _windows(help_request) == before
