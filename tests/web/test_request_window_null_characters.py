"""A NUL byte in a request's day or part of the day, on the new-request form and on the form
that offers other times, is refused next to that field as every text field refuses it
(`null_characters_not_allowed`), on SQLite and PostgreSQL alike, and nothing is written."""

from __future__ import annotations

import pytest

from bookings.models import HelpRequest, TimeWindow
from tests.factories import UserFactory
from tests.web.refusals import refused_page
from tests.web.test_pages import _errors_of, _logged_in, _request_form
from tests.web.test_request_other_times import _times, _unmatched, _windows
from web.forms import HelpRequestForm

pytestmark = pytest.mark.django_db

REFUSED = ["Null characters are not allowed."]


@pytest.mark.parametrize("field", ["day_1", "slot_1", "day_2", "slot_2"])
def test_a_new_request_with_a_nul_byte_in_a_day_or_time_is_refused_at_that_field(client, field):
    # Given a customer on the new-request form
    customer = UserFactory.create()
    _logged_in(client, customer)
    form = _request_form(day_2=_request_form()["day_1"], slot_2="evening")
    form[field] += "\x00"
    before = (HelpRequest.objects.count(), TimeWindow.objects.count())

    # When the day or the part of the day comes with a NUL byte after it
    response = client.post("/requests/new", form, HTTP_ACCEPT_LANGUAGE="en")

    # Then it is refused next to that field, with the code of a text field, and not repeated
    html = refused_page(client, response, "/requests/new", HTTP_ACCEPT_LANGUAGE="en")
    assert _errors_of(html, f"id_{field}") == REFUSED
    assert "\x00" not in html
    assert HelpRequestForm(data=form, customer=customer).errors.as_data()[field][0].code == (
        "null_characters_not_allowed"
    )
    # and nothing is written
    assert (HelpRequest.objects.count(), TimeWindow.objects.count()) == before


@pytest.mark.parametrize("field", ["times-day_1", "times-slot_1"])
def test_other_times_with_a_nul_byte_are_refused_at_that_field(client, field):
    # Given a request nobody was free for, offering other times (to a customer reading German)
    help_request, page_url = _unmatched(client)
    before = _windows(help_request)
    form = _times()
    form[field] += "\x00"

    # When the other times come with a NUL byte
    response = client.post(f"{page_url}times", form)

    # Then it is refused next to that field, and the request keeps its windows
    html = refused_page(client, response, page_url)
    assert _errors_of(html, f"id_{field}") == ["Nullzeichen sind nicht erlaubt."]
    assert "\x00" not in html
    assert _windows(help_request) == before
