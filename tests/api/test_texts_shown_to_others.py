"""Texts one user writes and another reads are refused when they hide or reorder what they
show: control characters, text-direction overrides, nothing visible. One case per place a user
writes such a text through the API; in each, nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import pytest
from rest_framework.test import APIClient

from backend.models import User
from bookings.models import Booking, BookingStatus, HelpRequest, Offer, Review
from helpers.models import HelperProfile
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import (
    PASSWORD,
    UserFactory,
    make_booking,
    make_helper,
    next_slot_start,
    pending_offer,
    post_request,
)

pytestmark = pytest.mark.django_db

ALL_DAY = ((time(0, 0), time(23, 59)),)
PHONE = "+41 79 123 45 67"


@dataclass
class Case:
    client: APIClient
    method: str
    path: str
    operation: str  # the OpenAPI path
    body: Callable[[str], dict[str, Any]]
    stored: Callable[[], Any]  # what must not change


def _request_body(**changes: Any) -> dict[str, Any]:
    start = next_slot_start()
    return {
        "category": "internet-wifi",
        "description": "The Wi-Fi drops every evening around eight.",
        "street": "Bahnhofstrasse 1",
        "postal_code": "8001",
        "locality": "Zürich",
        "windows": [
            {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=4)).isoformat()}
        ],
        **changes,
    }


def _me() -> Case:
    user = UserFactory.create(display_name="Ruth Keller")
    return Case(
        client_for(user),
        "patch",
        f"{API}/me",
        "/api/v1/me",
        lambda text: {"display_name": text},
        lambda: User.objects.get(pk=user.pk).display_name,
    )


def _register() -> Case:
    return Case(
        APIClient(),
        "post",
        f"{API}/auth/register",
        "/api/v1/auth/register",
        lambda text: {"email": "new@example.ch", "password": PASSWORD, "display_name": text},
        lambda: User.objects.count(),
    )


def _helper_apply() -> Case:
    user = UserFactory.create()
    return Case(
        client_for(user),
        "post",
        f"{API}/helper/profile",
        "/api/v1/helper/profile",
        lambda text: {"skills": ["internet-wifi"], "bio": text},
        lambda: HelperProfile.objects.count(),
    )


def _helper_bio() -> Case:
    helper = make_helper()
    return Case(
        client_for(helper.user),
        "patch",
        f"{API}/helper/profile",
        "/api/v1/helper/profile",
        lambda text: {"bio": text},
        lambda: HelperProfile.objects.get(pk=helper.pk).bio,
    )


def _on_behalf_name() -> Case:
    return Case(
        client_for(UserFactory.create()),
        "post",
        f"{API}/help-requests",
        "/api/v1/help-requests",
        lambda text: _request_body(on_behalf_name=text, on_behalf_phone=PHONE),
        lambda: HelpRequest.objects.count(),
    )


def _description() -> Case:
    return Case(
        client_for(UserFactory.create()),
        "post",
        f"{API}/help-requests",
        "/api/v1/help-requests",
        lambda text: _request_body(description=text * 12),
        lambda: HelpRequest.objects.count(),
    )


def _street() -> Case:
    return Case(
        client_for(UserFactory.create()),
        "post",
        f"{API}/help-requests",
        "/api/v1/help-requests",
        lambda text: _request_body(street=text),
        lambda: HelpRequest.objects.count(),
    )


def _home_street() -> Case:
    user = UserFactory.create(home_street="Seestrasse 4")
    return Case(
        client_for(user),
        "patch",
        f"{API}/me",
        "/api/v1/me",
        lambda text: {
            "home_street": text,
            "home_postal_code": "8001",
            "home_locality": "Zürich",
        },
        lambda: User.objects.values_list("home_street", "home_postal_code").get(pk=user.pk),
    )


def _decline_note() -> Case:
    helper = make_helper(weekly=ALL_DAY)
    offer = pending_offer(post_request(UserFactory.create()), helper)
    return Case(
        client_for(helper.user),
        "post",
        f"{API}/offers/{offer.public_id}/decline",
        "/api/v1/offers/{offer_id}/decline",
        lambda text: {"note": text},
        lambda: Offer.objects.values_list("status", "decline_note").get(pk=offer.pk),
    )


def _review_text() -> Case:
    booking = make_booking(BookingStatus.SIGNED_OFF, helper=make_helper(weekly=ALL_DAY))
    return Case(
        client_for(booking.help_request.customer),
        "post",
        f"{API}/bookings/{booking.public_id}/reviews",
        "/api/v1/bookings/{booking_id}/reviews",
        lambda text: {"rating": 5, "text": text},
        lambda: Review.objects.count(),
    )


def _work_summary() -> Case:
    booking = make_booking(BookingStatus.IN_PROGRESS, helper=make_helper(weekly=ALL_DAY))
    return Case(
        client_for(booking.helper.user),
        "post",
        f"{API}/bookings/{booking.public_id}/check-out",
        "/api/v1/bookings/{booking_id}/check-out",
        lambda text: {"work_summary": text * 12},
        lambda: Booking.objects.values_list("status", "work_summary").get(pk=booking.pk),
    )


def _dispute_reason() -> Case:
    booking = make_booking(BookingStatus.COMPLETED, helper=make_helper(weekly=ALL_DAY))
    return Case(
        client_for(booking.help_request.customer),
        "post",
        f"{API}/bookings/{booking.public_id}/dispute",
        "/api/v1/bookings/{booking_id}/dispute",
        lambda text: {"reason": text * 12},
        lambda: Booking.objects.values_list("status", "dispute_reason").get(pk=booking.pk),
    )


def _cancel_reason() -> Case:
    booking = make_booking(BookingStatus.CONFIRMED, helper=make_helper(weekly=ALL_DAY))
    return Case(
        client_for(booking.help_request.customer),
        "post",
        f"{API}/bookings/{booking.public_id}/cancel",
        "/api/v1/bookings/{booking_id}/cancel",
        lambda text: {"reason": text},
        lambda: Booking.objects.values_list("status", "cause").get(pk=booking.pk),
    )


CASES = {
    "display_name (profile)": (_me, "display_name"),
    "display_name (sign-up)": (_register, "display_name"),
    "bio (apply)": (_helper_apply, "bio"),
    "bio (profile)": (_helper_bio, "bio"),
    "on_behalf_name": (_on_behalf_name, "on_behalf_name"),
    "description": (_description, "description"),
    "street (request)": (_street, "street"),
    "home_street (profile)": (_home_street, "home_street"),
    "decline note": (_decline_note, "note"),
    "review text": (_review_text, "text"),
    "work_summary": (_work_summary, "work_summary"),
    "dispute reason": (_dispute_reason, "reason"),
    "cancel reason": (_cancel_reason, "reason"),
}
TEXTS = [
    pytest.param("Ruth \u202eKeller", "forbidden_characters", id="right-to-left override"),
    pytest.param("Ruth \u2067Keller\u2069", "forbidden_characters", id="isolate"),
    pytest.param("\x1b[2JRuth", "forbidden_characters", id="terminal escape"),
    pytest.param("\u200b", "nothing_visible", id="zero-width space alone"),
]


@pytest.mark.parametrize(("text", "code"), TEXTS)
@pytest.mark.parametrize("where", list(CASES))
def test_a_text_shown_to_others_is_refused_when_it_hides_what_it_shows(where, text, code):
    # Given someone about to write a text others read
    build, field = CASES[where]
    case = build()
    before = case.stored()

    # When the text reorders, escapes or hides what it shows
    response = getattr(case.client, case.method)(case.path, case.body(text), format="json")

    # Then it is refused with a code naming the field, and nothing was stored
    assert_error(response, 400, code, {field}, documented_in=(case.method, case.operation))
    assert case.stored() == before


def test_a_display_name_is_stored_normalised():
    # Given a user, when they type their name with a combining accent
    user = UserFactory.create()
    response = client_for(user).patch(f"{API}/me", {"display_name": "  Rene\u0301 Muller "})

    # Then the name is stored composed (NFC), without the outer spaces
    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.display_name == "René Muller"


def _my_phone() -> Case:
    user = UserFactory.create(phone=PHONE)
    return Case(
        client_for(user),
        "patch",
        f"{API}/me",
        "/api/v1/me",
        lambda text: {"phone": text},
        lambda: User.objects.get(pk=user.pk).phone,
    )


def _phone_at_sign_up() -> Case:
    return Case(
        APIClient(),
        "post",
        f"{API}/auth/register",
        "/api/v1/auth/register",
        lambda text: {
            "email": "new@example.ch",
            "password": PASSWORD,
            "display_name": "Ruth Keller",
            "phone": text,
        },
        lambda: User.objects.count(),
    )


@pytest.mark.parametrize("build", [_my_phone, _phone_at_sign_up], ids=["profile", "sign-up"])
@pytest.mark.parametrize(
    "phone",
    [
        pytest.param("+41 79 \u202e76 54 321", id="right-to-left override"),
        pytest.param("call evil.example", id="a text"),
        pytest.param("12", id="too short"),
    ],
)
def test_an_account_phone_the_other_side_calls_is_refused_unless_a_phone_number(build, phone):
    # Given a customer or helper whose phone the other side of a visit is shown
    case = build()
    before = case.stored()

    # When the phone is not a phone number
    response = getattr(case.client, case.method)(case.path, case.body(phone), format="json")

    # Then it is refused, naming the field, and nothing was stored
    assert_error(
        response, 400, "invalid_phone", {"phone"}, documented_in=(case.method, case.operation)
    )
    assert case.stored() == before


def test_an_account_phone_is_stored_stripped():
    user = UserFactory.create()
    response = client_for(user).patch(f"{API}/me", {"phone": f"  {PHONE} "}, format="json")

    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.phone == PHONE
