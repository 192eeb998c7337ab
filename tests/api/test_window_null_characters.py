"""A NUL byte in a help request's window (its start or its end) is refused with the code every
text field gives it, naming the field, on SQLite and PostgreSQL alike (PostgreSQL refuses NUL
in text): a 400, never a 500, and nothing written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bookings.models import HelpRequest
from tests.api.api_assertions import API, assert_error, client_for, row_counts
from tests.factories import UserFactory, make_helper, next_slot_start, post_request

pytestmark = pytest.mark.django_db

CREATE = ("post", "/api/v1/help-requests")
UPDATE = ("patch", "/api/v1/help-requests/{request_id}")


def _window(end: str) -> dict[str, str]:
    """A good window, with a NUL byte after its `end` ("starts_at" or "ends_at")."""
    start = next_slot_start(days=2)
    window = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=4)).isoformat()}
    window[end] += "\x00"
    return window


@pytest.mark.parametrize("end", ["starts_at", "ends_at"])
def test_a_new_request_with_a_nul_byte_in_a_window_is_refused(end):
    # Given a customer and a helper nearby
    make_helper()
    customer = UserFactory.create()
    before = row_counts()

    # When the customer posts a request whose window has a NUL byte in it
    response = client_for(customer).post(
        f"{API}/help-requests",
        {
            "category": "internet-wifi",
            "description": "The Wi-Fi drops every evening around eight.",
            "street": "Bahnhofstrasse 1",
            "postal_code": "8001",
            "locality": "Zürich",
            "windows": [_window(end)],
        },
    )

    # Then it is refused as a text field refuses it, naming the field, and nothing is written
    assert_error(
        response, 400, "null_characters_not_allowed", {f"windows[0].{end}"}, documented_in=CREATE
    )
    assert row_counts() == before


@pytest.mark.parametrize("end", ["starts_at", "ends_at"])
def test_a_change_of_windows_with_a_nul_byte_is_refused(end):
    # Given a customer's open request
    customer = UserFactory.create()
    help_request = post_request(customer)
    before = row_counts()
    windows = list(help_request.windows.values_list("starts_at", "ends_at"))

    # When the customer changes its windows to one with a NUL byte in it
    response = client_for(customer).patch(
        f"{API}/help-requests/{help_request.public_id}", {"windows": [_window(end)]}
    )

    # Then it is refused the same way, and the request keeps its windows
    assert_error(
        response, 400, "null_characters_not_allowed", {f"windows[0].{end}"}, documented_in=UPDATE
    )
    assert row_counts() == before
    kept = HelpRequest.objects.get(pk=help_request.pk)
    assert list(kept.windows.values_list("starts_at", "ends_at")) == windows
