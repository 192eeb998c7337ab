"""Bad input: a 4xx with a stable code naming the offending field, and no row left behind."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from backend.config import QuartierConfig
from bookings.models import BookingStatus, OfferStatus
from tests.api.api_assertions import API, assert_error, client_for, results, row_counts
from tests.factories import (
    PASSWORD,
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    next_slot_start,
    pending_offer,
    post_request,
)

pytestmark = pytest.mark.django_db

ALL_DAY = ((time(0, 0), time(23, 59)),)
QUARTIER: QuartierConfig = settings.QUARTIER
MAX_WINDOWS: int = QUARTIER.max_windows_per_request
MILAN = {"type": "Point", "coordinates": [9.19, 45.4642]}


def _window(starts_at: datetime, ends_at: datetime) -> dict[str, str]:
    return {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}


def _request_body(**changes: Any) -> dict[str, Any]:
    start = next_slot_start()
    body = {
        "category": "internet-wifi",
        "description": "The Wi-Fi drops every evening around eight.",
        "street": "Bahnhofstrasse 1",
        "postal_code": "8001",
        "locality": "Zürich",
        "windows": [_window(start, start + timedelta(hours=4))],
    }
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


START = next_slot_start()
BAD_REQUESTS = [
    pytest.param({"category": "knitting"}, "unknown_category", "category", id="unknown category"),
    pytest.param(
        {"windows": [_window(START - timedelta(days=3), START - timedelta(days=3, hours=-2))]},
        "window_in_past",
        "windows[0]",
        id="window in the past",
    ),
    pytest.param(
        {"windows": [_window(START + timedelta(hours=2), START)]},
        "window_inverted",
        "windows[0]",
        id="inverted window",
    ),
    pytest.param(
        {"windows": [_window(START, START + timedelta(minutes=20))]},
        "window_too_short",
        "windows[0]",
        id="window too short",
    ),
    pytest.param(
        {
            "windows": [
                _window(START, START + timedelta(hours=3)),
                _window(START + timedelta(hours=2), START + timedelta(hours=5)),
            ]
        },
        "windows_overlap",
        "windows",
        id="overlapping windows",
    ),
    pytest.param(
        {
            "windows": [
                _window(START + timedelta(days=day), START + timedelta(days=day, hours=1))
                for day in range(MAX_WINDOWS + 1)
            ]
        },
        "too_many_windows",
        "windows",
        id="too many windows",
    ),
    pytest.param(
        {"windows": [_window(START + timedelta(days=90), START + timedelta(days=90, hours=2))]},
        "window_too_far_ahead",
        "windows[0]",
        id="window too far ahead",
    ),
    pytest.param(
        {
            "windows": [
                {
                    "starts_at": f"{START.isoformat()}\x00",
                    "ends_at": (START + timedelta(hours=2)).isoformat(),
                }
            ]
        },
        "null_characters_not_allowed",
        "windows[0].starts_at",
        id="start with a NUL byte",
    ),
    pytest.param(
        {"windows": []},
        "windows_required",
        "windows",
        id="no window",
    ),
    pytest.param(
        {"street": None, "postal_code": None, "locality": None},
        "address_required",
        "postal_code",
        id="no address at all",
    ),
    pytest.param(
        {"street": None, "postal_code": None, "locality": None, "location": MILAN},
        "outside_switzerland",
        "location",
        id="coordinates in Milan",
    ),
    pytest.param(
        {
            "street": None,
            "postal_code": None,
            "locality": None,
            "location": {"type": "Polygon", "coordinates": [[8.5, 47.3]]},
        },
        "invalid_geojson",
        "location",
        id="GeoJSON polygon",
    ),
    pytest.param(
        {"location": {"type": "Point", "coordinates": ["8.54"]}},
        "invalid_geojson",
        "location",
        id="GeoJSON with one coordinate",
    ),
    pytest.param(
        {"postal_code": "8999"}, "unknown_postal_code", "postal_code", id="unknown postcode"
    ),
    pytest.param(
        {"locality": "Bern"},
        "postal_code_locality_mismatch",
        "locality",
        id="postcode and locality disagree",
    ),
    pytest.param(
        {"description": "x" * 2001}, "max_length", "description", id="description too long"
    ),
    pytest.param(
        {"description": "Help!"}, "description_too_short", "description", id="description too short"
    ),
    pytest.param(
        {"on_behalf_name": "Hans Muster"},
        "on_behalf_incomplete",
        "on_behalf_phone",
        id="on-behalf name without phone",
    ),
    pytest.param(
        {"on_behalf_name": "Hans Muster", "on_behalf_phone": "call me"},
        "invalid_phone",
        "on_behalf_phone",
        id="on-behalf phone not a number",
    ),
    pytest.param(
        {"languages": []},
        "languages_required",
        "languages",
        id="no language",
    ),
    pytest.param(
        {"languages": ["xx"]},
        "invalid_language",
        "languages",
        id="unknown language",
    ),
]
HELP_REQUESTS = ("post", "/api/v1/help-requests")


@pytest.mark.parametrize(("changes", "code", "field"), BAD_REQUESTS)
def test_a_bad_help_request_is_refused_and_leaves_no_row(
    changes: dict[str, Any], code: str, field: str
):
    # Given a customer and a helper nearby who would be offered a good request
    make_helper(weekly=ALL_DAY)
    customer = UserFactory.create()
    before = row_counts()

    # When the customer posts a request with one thing wrong
    response = client_for(customer).post(f"{API}/help-requests", _request_body(**changes))

    # Then it is a 400 naming the field, and no request, window or offer was written
    assert_error(response, 400, code, {field}, documented_in=HELP_REQUESTS)
    assert row_counts() == before


def test_the_good_request_used_above_is_accepted():
    # Given the same customer and helper, when the unchanged body is posted, then it is 201
    make_helper(weekly=ALL_DAY)
    response = client_for(UserFactory.create()).post(f"{API}/help-requests", _request_body())
    assert response.status_code == 201, response.content
    assert response.json()["pending_offers"] == 1


def test_a_request_over_the_open_request_limit_is_refused_with_409():
    # Given a customer with as many open requests as allowed
    quartier: QuartierConfig = settings.QUARTIER
    limit = quartier.max_open_requests_per_customer
    customer = UserFactory.create()
    for day in range(limit):
        post_request(customer, start=next_slot_start(days=day + 1))
    before = row_counts()

    # When they post one more
    response = client_for(customer).post(f"{API}/help-requests", _request_body())

    # Then it is a conflict, and nothing was written
    assert_error(response, 409, "open_request_limit", set(), documented_in=HELP_REQUESTS)
    assert row_counts() == before


def test_a_malformed_json_body_is_a_400_not_a_500():
    # Given a customer
    customer = UserFactory.create()
    before = row_counts()

    # When the body is not JSON at all
    response = client_for(customer).post(
        f"{API}/help-requests",
        data='{"category": "internet-wifi",',
        content_type="application/json",
    )

    # Then it is a parse error in the one error shape
    assert_error(response, 400, "parse_error", set())
    assert row_counts() == before


def test_a_json_array_body_is_a_400_not_a_500():
    # Given a customer, when the body is JSON but not an object
    response = client_for(UserFactory.create()).post(
        f"{API}/help-requests", data="[1, 2]", content_type="application/json"
    )

    # Then it is a validation error, not a crash
    assert_error(response, 400, "validation_invalid", {"non_field_errors"})


REVIEWS = ("post", "/api/v1/bookings/{booking_id}/reviews")


# --- Bookings ----------------------------------------------------------------------------------


def _booking_state(booking: Any) -> tuple[Any, ...]:
    booking.refresh_from_db()
    return (booking.status, booking.starts_at, booking.eta_at, booking.updated_at)


def test_a_slot_outside_the_customers_windows_is_refused():
    # Given a booking awaiting the helper's proposal (window: now + 30 min, three hours)
    booking = make_booking(helper=make_helper(weekly=ALL_DAY))
    window = booking.help_request.windows.get()
    before, state = row_counts(), _booking_state(booking)

    # When the helper proposes a time that ends after the window
    response = client_for(booking.helper.user).post(
        f"{API}/bookings/{booking.public_id}/propose",
        {
            "slots": [
                _window(window.ends_at - timedelta(minutes=30), window.ends_at + timedelta(hours=1))
            ]
        },
    )

    # Then it is refused on that slot, and nothing was proposed
    assert_error(
        response,
        400,
        "slot_outside_windows",
        {"slots[0]"},
        documented_in=("post", "/api/v1/bookings/{booking_id}/propose"),
    )
    assert row_counts() == before
    assert _booking_state(booking) == state


@pytest.mark.parametrize("eta_minutes", [0, 241, -5])
def test_an_eta_out_of_range_is_refused(eta_minutes: int):
    # Given a confirmed visit starting in 30 minutes
    booking = make_booking(BookingStatus.CONFIRMED, helper=make_helper(weekly=ALL_DAY))
    before, state = row_counts(), _booking_state(booking)

    # When the helper says they arrive in `eta_minutes`
    response = client_for(booking.helper.user).post(
        f"{API}/bookings/{booking.public_id}/on-my-way", {"eta_minutes": eta_minutes}
    )

    # Then it is refused on that field, and the booking is still only confirmed
    assert_error(
        response,
        400,
        "invalid_eta",
        {"eta_minutes"},
        documented_in=("post", "/api/v1/bookings/{booking_id}/on-my-way"),
    )
    assert row_counts() == before
    assert _booking_state(booking) == state


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_a_rating_outside_one_to_five_is_refused(rating: int):
    # Given a signed-off visit
    booking = make_booking(BookingStatus.SIGNED_OFF, helper=make_helper(weekly=ALL_DAY))
    before = row_counts()

    # When the customer rates it `rating`
    response = client_for(booking.help_request.customer).post(
        f"{API}/bookings/{booking.public_id}/reviews", {"rating": rating, "text": "Hm."}
    )

    # Then it is refused on the rating, and no review was written
    assert_error(response, 400, "invalid_rating", {"rating"}, documented_in=REVIEWS)
    assert row_counts() == before


def test_a_rating_that_is_not_a_number_is_refused():
    # Given a signed-off visit, when the customer rates it "five"
    booking = make_booking(BookingStatus.SIGNED_OFF, helper=make_helper(weekly=ALL_DAY))
    before = row_counts()
    response = client_for(booking.help_request.customer).post(
        f"{API}/bookings/{booking.public_id}/reviews", {"rating": "five"}
    )

    # Then it is a validation error on the rating
    assert_error(response, 400, "validation_invalid", {"rating"}, documented_in=REVIEWS)
    assert row_counts() == before


def test_a_review_text_over_1000_characters_is_refused():
    # Given a signed-off visit
    booking = make_booking(BookingStatus.SIGNED_OFF, helper=make_helper(weekly=ALL_DAY))
    before = row_counts()

    # When the customer writes 1001 characters
    response = client_for(booking.help_request.customer).post(
        f"{API}/bookings/{booking.public_id}/reviews", {"rating": 5, "text": "a" * 1001}
    )

    # Then it is refused on the text, and no review was written
    assert_error(response, 400, "max_length", {"text"}, documented_in=REVIEWS)
    assert row_counts() == before


def test_a_decline_with_an_unknown_reason_is_refused():
    # Given a pending offer
    helper = make_helper(weekly=ALL_DAY)
    offer = pending_offer(post_request(UserFactory.create()), helper)
    before = row_counts()

    # When the helper declines with a reason that is not one of the choices
    response = client_for(helper.user).post(
        f"{API}/offers/{offer.public_id}/decline", {"reason": "too_cold"}
    )

    # Then it is refused on the reason, and the offer is still pending
    assert_error(
        response,
        400,
        "invalid_choice",
        {"reason"},
        documented_in=("post", "/api/v1/offers/{offer_id}/decline"),
    )
    assert row_counts() == before
    offer.refresh_from_db()
    assert (offer.status, offer.responded_at) == (OfferStatus.PENDING, None)


def test_resolving_a_dispute_on_a_booking_that_is_not_disputed_is_a_conflict():
    # Given a proposed booking, not in dispute
    booking = make_booking(BookingStatus.PROPOSED, helper=make_helper(weekly=ALL_DAY))
    before, state = row_counts(), _booking_state(booking)

    # When the manager "resolves" it as void
    response = client_for(ManagerFactory.create()).post(
        f"{API}/bookings/{booking.public_id}/resolve-dispute",
        {"outcome": "visit_void", "note": "No dispute here.", "caused_by": "helper"},
    )

    # Then it is an illegal move, and nothing changed
    assert_error(response, 409, "illegal_transition", set())
    assert row_counts() == before
    assert _booking_state(booking) == state


# --- Accounts ----------------------------------------------------------------------------------


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer():
    # Given a registered user
    user = UserFactory.create()
    anonymous = APIClient()

    # When someone logs in with a wrong password, and with an email nobody has
    wrong_password = anonymous.post(
        f"{API}/auth/token", {"email": user.email, "password": "not-the-password"}
    )
    unknown_email = anonymous.post(
        f"{API}/auth/token", {"email": "nobody@example.ch", "password": PASSWORD}
    )

    # Then both are the same 401 invalid_credentials: nothing tells which one was wrong
    body = assert_error(
        wrong_password,
        401,
        "invalid_credentials",
        set(),
        documented_in=("post", "/api/v1/auth/token"),
    )
    assert unknown_email.status_code == wrong_password.status_code
    assert unknown_email.json() == body
    assert (
        anonymous.post(f"{API}/auth/token", {"email": user.email, "password": PASSWORD}).status_code
        == 200
    )


# --- Partial updates and filters ----------------------------------------------------------------


def _windows_of(help_request: Any) -> list[tuple[datetime, datetime]]:
    return list(help_request.windows.order_by("starts_at").values_list("starts_at", "ends_at"))


@pytest.mark.parametrize(
    ("window", "fields"),
    [
        pytest.param({}, {"windows[0].starts_at", "windows[0].ends_at"}, id="empty window"),
        pytest.param(
            {"starts_at": START.isoformat()}, {"windows[0].ends_at"}, id="window without an end"
        ),
    ],
)
def test_a_partial_update_still_validates_every_window_it_carries(window, fields):
    # Given a customer's open request
    customer = UserFactory.create()
    help_request = post_request(customer)
    before, windows = row_counts(), _windows_of(help_request)

    # When a PATCH replaces the windows with an incomplete one
    response = client_for(customer).patch(
        f"{API}/help-requests/{help_request.public_id}", {"windows": [window]}
    )

    # Then it is a 400 naming the missing fields of that window, and the request is unchanged
    assert_error(
        response,
        400,
        "validation_required",
        fields,
        documented_in=("patch", "/api/v1/help-requests/{request_id}"),
    )
    assert row_counts() == before
    assert _windows_of(help_request) == windows


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01T00:00:00+01:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
    ],
)
@pytest.mark.parametrize("name", ["starts_after", "starts_before"])
def test_a_datetime_filter_beyond_the_representable_range_is_a_400(name, value):
    # Given a customer with a booking
    booking = make_booking()

    # When the bookings are filtered from a date that overflows once converted to UTC
    response = client_for(booking.help_request.customer).get(f"{API}/bookings", {name: value})

    # Then it is a 400 with a code naming the filter, not an overflow
    assert_error(
        response,
        400,
        "datetime_out_of_range",
        {name},
        documented_in=("get", "/api/v1/bookings"),
    )


@pytest.mark.parametrize("value", ["2026-05-04T10:00:00", "2026-05-04", "0001-01-01"])
@pytest.mark.parametrize("name", ["starts_after", "starts_before"])
def test_a_datetime_filter_without_its_utc_offset_is_refused_not_read_as_swiss_time(name, value):
    # Given a customer with a booking
    booking = make_booking()

    # When the bookings are filtered from a time (or a date) without its offset
    response = client_for(booking.help_request.customer).get(f"{API}/bookings", {name: value})

    # Then it is a 400 naming the filter, as in a body
    assert_error(
        response, 400, "timezone_required", {name}, documented_in=("get", "/api/v1/bookings")
    )


def test_a_datetime_filter_within_the_range_still_filters():
    # Given a customer with a confirmed visit
    booking = make_booking(BookingStatus.CONFIRMED, helper=make_helper(weekly=ALL_DAY))
    client = client_for(booking.help_request.customer)

    # When the bookings are filtered at both ends of the representable range
    early = client.get(f"{API}/bookings", {"starts_after": "0001-01-02T00:00:00+00:00"})
    late = client.get(f"{API}/bookings", {"starts_after": "9999-12-30T00:00:00+00:00"})

    # Then the filter works as before
    assert [row["id"] for row in results(early)] == [str(booking.public_id)]
    assert results(late) == []


# --- Availability exceptions --------------------------------------------------------------------

EXCEPTIONS = ("post", "/api/v1/helper/availability/exceptions")


def _iso(delta: timedelta) -> Any:
    return lambda now: (now + delta).isoformat()


def _fixed(text: str) -> Any:
    return lambda now: text


TOMORROW = _iso(timedelta(days=1))


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "field"),
    [
        pytest.param(_fixed("1508-03-01T10:00:00+01:00"), TOMORROW, "starts_at", id="in 1508"),
        pytest.param(TOMORROW, _fixed("9999-12-31T10:00:00+01:00"), "ends_at", id="in 9999"),
        pytest.param(
            _iso(-timedelta(days=1, minutes=1)), TOMORROW, "starts_at", id="over a day back"
        ),
        pytest.param(
            TOMORROW, _iso(timedelta(days=61, minutes=1)), "ends_at", id="past 60 + 1 days"
        ),
    ],
)
def test_an_availability_exception_outside_the_bookable_horizon_is_refused(
    starts_at, ends_at, field
):
    # Given a helper (requests reach at most 60 days ahead, and a window lasts at most a day)
    helper = make_helper()
    now = timezone.now()
    body = {"kind": "unavailable", "starts_at": starts_at(now), "ends_at": ends_at(now)}

    # When the helper adds an exception reaching outside the time anyone can book
    response = client_for(helper.user).post(f"{API}/helper/availability/exceptions", body)

    # Then it is refused, naming the field, and nothing is stored
    assert_error(response, 400, "outside_bookable_horizon", {field}, documented_in=EXCEPTIONS)
    assert not helper.availability_exceptions.exists()


def test_an_availability_exception_at_the_edges_of_the_horizon_is_kept_in_swiss_time():
    # Given a helper
    helper = make_helper()
    now = timezone.now().replace(microsecond=0)
    body = {
        "kind": "unavailable",
        "starts_at": (now - timedelta(hours=23)).isoformat(),
        "ends_at": (now + timedelta(days=61) - timedelta(minutes=1)).isoformat(),
    }

    # When the helper adds an exception from a day back to the end of the horizon
    response = client_for(helper.user).post(f"{API}/helper/availability/exceptions", body)

    # Then it is stored, and comes back with a whole-hour offset (Swiss time)
    assert response.status_code == 201, response.content
    created = response.json()
    for name in ("starts_at", "ends_at"):
        assert created[name][-6:] in {"+01:00", "+02:00"}, created[name]
        assert datetime.fromisoformat(created[name]) == datetime.fromisoformat(body[name])
