"""What a phone app needs of the API: every list in one envelope, a page size that says its cap,
conditional GETs (ETag / If-None-Match → 304), ids on what it shows, one zone convention."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from bookings import services
from bookings.models import BookingStatus, Offer, Review
from realtime.chat import chat_message_send
from tests.api.api_assertions import openapi_schema
from tests.factories import UserFactory, make_booking, make_helper, next_slot_start, post_request

pytestmark = pytest.mark.django_db

API = "/api/v1"
ENVELOPE = {"count", "next", "previous", "results"}
SWISS_OFFSET = re.compile(r"\+0[12]:00$")


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_categories_are_a_list_like_any_other():
    body = APIClient().get(f"{API}/categories").json()

    assert set(body) == ENVELOPE
    assert (body["count"], body["next"], body["previous"]) == (9, None, None)
    assert [row["slug"] for row in body["results"]][:2] == ["internet-wifi", "tv-streaming"]


def test_weekly_hours_and_exceptions_come_in_pages_and_a_replacement_answers_the_same_way():
    helper = make_helper()  # 7 intervals, one a day
    client = _as(helper.user)

    first = client.get(f"{API}/helper/availability/weekly?page_size=5").json()
    second = client.get(f"{API}/helper/availability/weekly?page_size=5&page=2").json()
    replaced = client.put(
        f"{API}/helper/availability/weekly",
        {"intervals": [{"weekday": 0, "start_time": "08:00", "end_time": "12:00"}]},
        format="json",
    )
    exceptions = client.get(f"{API}/helper/availability/exceptions").json()

    assert set(first) == set(second) == ENVELOPE
    assert (first["count"], len(first["results"]), first["previous"]) == (7, 5, None)
    assert (len(second["results"]), second["next"]) == (2, None)
    assert replaced.status_code == 200
    assert replaced.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [{"weekday": 0, "start_time": "08:00:00", "end_time": "12:00:00"}],
    }
    assert exceptions == {"count": 0, "next": None, "previous": None, "results": []}


def test_a_page_beyond_the_last_is_404_and_page_size_is_capped_as_the_schema_says():
    helper = make_helper()
    client = _as(helper.user)

    beyond = client.get(f"{API}/helper/availability/weekly?page=3")
    many = client.get(f"{API}/categories?page_size=500").json()

    assert (beyond.status_code, beyond.json()["code"]) == (404, "not_found")
    assert len(many["results"]) == 9
    parameters = openapi_schema()["paths"]["/api/v1/offers"]["get"]["parameters"]
    page_size = next(p for p in parameters if p["name"] == "page_size")
    assert "at most 100" in page_size["description"]


def test_the_managers_queue_of_applications_is_paginated():
    manager = UserFactory(is_staff=True)
    make_helper(approval="documents_submitted")

    body = _as(manager).get(f"{API}/manager/applications").json()

    assert set(body) == ENVELOPE
    assert body["count"] == 1


def test_an_offer_names_its_request_and_its_times_are_in_swiss_time():
    helper = make_helper()
    customer = UserFactory()
    help_request = post_request(customer, start=next_slot_start(days=3))

    offer = _as(helper.user).get(f"{API}/offers").json()["results"][0]

    assert offer["request"]["id"] == str(help_request.public_id)
    assert SWISS_OFFSET.search(offer["expires_at"])
    assert SWISS_OFFSET.search(offer["explanation"]["free_from"])
    assert SWISS_OFFSET.search(offer["explanation"]["free_until"])


def test_a_review_carries_its_own_id_and_who_it_is_about():
    booking = make_booking(BookingStatus.SIGNED_OFF)
    customer = booking.help_request.customer
    services.review_submit(booking=booking, actor=customer, rating=5, text="Patient and clear.")
    review = Review.objects.get(booking=booking)

    body = _as(customer).get(f"{API}/bookings/{booking.public_id}/reviews").json()

    assert body["count"] == 1
    row = body["results"][0]
    assert (row["id"], row["subject"], row["subject_role"], row["author_role"]) == (
        str(review.public_id),
        booking.helper.user.display_name,
        "helper",
        "customer",
    )


def test_a_polled_list_answers_304_until_it_changes():
    helper = make_helper()
    post_request(UserFactory())
    client = _as(helper.user)

    first = client.get(f"{API}/offers")
    etag = first["ETag"]
    unchanged = client.get(f"{API}/offers", HTTP_IF_NONE_MATCH=etag)
    offer = Offer.objects.get(helper=helper)
    client.post(f"{API}/offers/{offer.public_id}/decline", {"reason": ""}, format="json")
    changed = client.get(f"{API}/offers", HTTP_IF_NONE_MATCH=etag)

    assert first.status_code == 200
    assert etag
    assert (unchanged.status_code, unchanged.content, unchanged["ETag"]) == (304, b"", etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert changed.json()["results"][0]["status"] == "declined"


def _offer_ids(client: APIClient, since: str) -> list[str]:
    response = client.get(f"{API}/offers", {"updated_since": since})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_offers_polled_with_updated_since_bring_only_what_changed():
    # Given a helper offered two requests, polled once after both were made
    helper = make_helper()
    first_customer, second_customer = UserFactory(), UserFactory()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        first = post_request(first_customer, start=next_slot_start(days=3))
        second = post_request(second_customer, start=next_slot_start(days=4))
        declined = Offer.objects.get(helper=helper, help_request=first)
        edited = Offer.objects.get(helper=helper, help_request=second)
        client = _as(helper.user)
        cursor = max(row["updated_at"] for row in client.get(f"{API}/offers").json()["results"])
        traveller.shift(timedelta(minutes=1))
        since = timezone.now().isoformat()

        # Then nothing has changed since
        assert _offer_ids(client, since) == []

        # When the helper declines one, and the other's customer edits the request
        client.post(f"{API}/offers/{declined.public_id}/decline", {"reason": ""}, format="json")
        services.help_request_update(
            help_request=edited.help_request, description="The printer jams on every page."
        )

        # Then both come back, each with the time of its change as the next cursor
        body = client.get(f"{API}/offers", {"updated_since": since}).json()["results"]
    assert sorted(row["id"] for row in body) == sorted(
        [str(declined.public_id), str(edited.public_id)]
    )
    assert all(row["updated_at"] > cursor for row in body)
    assert {row["id"]: row["status"] for row in body}[str(declined.public_id)] == "declined"
    assert all(SWISS_OFFSET.search(row["updated_at"]) for row in body)


@pytest.mark.parametrize("value", ["2026-05-04T10:00:00", "2026-05-04", "yesterday"])
def test_updated_since_needs_a_date_and_time_with_its_offset(value):
    helper = make_helper()
    post_request(UserFactory())

    response = _as(helper.user).get(f"{API}/offers", {"updated_since": value})

    assert response.status_code == 400
    code = "validation_invalid" if value == "yesterday" else "timezone_required"
    assert response.json()["code"] == code
    assert set(response.json()["fields"]) == {"updated_since"}


def _ids(client: APIClient, path: str, since: str) -> list[Any]:
    response = client.get(path, {"updated_since": since})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_bookings_polled_with_updated_since_bring_only_what_changed():
    # Given a helper with two visits, polled once after both were made
    helper = make_helper()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        moved = make_booking(helper=helper, start=next_slot_start(days=3))
        make_booking(helper=helper, start=next_slot_start(days=4))
        client = _as(helper.user)
        cursor = max(row["updated_at"] for row in client.get(f"{API}/bookings").json()["results"])
        traveller.shift(timedelta(minutes=1))
        since = timezone.now().isoformat()
        assert _ids(client, f"{API}/bookings", since) == []

        # When the helper proposes a time for one of them
        window = moved.help_request.windows.get()
        services.booking_propose(
            booking=moved,
            actor=helper.user,
            slots=[services.SlotInput(window.starts_at, window.starts_at + timedelta(hours=1))],
        )

        # Then only that one comes back, with the time of its change as the next cursor
        body = client.get(f"{API}/bookings", {"updated_since": since}).json()["results"]
    assert [(row["id"], row["status"]) for row in body] == [
        (str(moved.public_id), BookingStatus.PROPOSED)
    ]
    assert body[0]["updated_at"] > cursor
    assert SWISS_OFFSET.search(body[0]["updated_at"])


def test_a_chat_polled_with_updated_since_brings_new_messages_and_all_once_contacts_show():
    # Given a chat with one message, polled once
    helper = make_helper()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        booking = make_booking(helper=helper, start=next_slot_start(days=3))
        customer = booking.help_request.customer
        chat = f"{API}/bookings/{booking.public_id}/messages"
        first = chat_message_send(booking=booking, author=customer, text="Call me: 079 123 45 67")
        client = _as(helper.user)
        polled = client.get(chat).json()["results"]
        assert [row["text"] for row in polled] == ["Call me: •••"]
        traveller.shift(timedelta(minutes=1))
        since = timezone.now().isoformat()
        assert _ids(client, chat, since) == []

        # When a new message comes
        second = chat_message_send(booking=booking, author=helper.user, text="See you then.")
        assert _ids(client, chat, since) == [second.pk]

        # And when the booking is confirmed, the earlier message's number shows: it comes back
        traveller.shift(timedelta(minutes=1))
        since = timezone.now().isoformat()
        window = booking.help_request.windows.get()
        booking = services.booking_propose(
            booking=booking,
            actor=helper.user,
            slots=[services.SlotInput(window.starts_at, window.starts_at + timedelta(hours=1))],
        )
        services.booking_confirm(
            booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
        )
        body = client.get(chat, {"updated_since": since}).json()["results"]
    assert [(row["id"], row["text"]) for row in body] == [
        (second.pk, "See you then."),
        (first.pk, "Call me: 079 123 45 67"),
    ]
    assert all(row["updated_at"] >= polled[0]["updated_at"] for row in body)
    assert all(SWISS_OFFSET.search(row["updated_at"]) for row in body)


def test_bookings_and_a_chat_answer_304_until_they_change():
    booking = make_booking()
    helper_client = _as(booking.helper.user)
    paths = [f"{API}/bookings", f"{API}/bookings/{booking.public_id}/messages"]
    etags = {path: helper_client.get(path)["ETag"] for path in paths}
    unchanged = {path: helper_client.get(path, HTTP_IF_NONE_MATCH=etags[path]) for path in paths}

    chat_message_send(booking=booking, author=booking.help_request.customer, text="Hello!")
    window = booking.help_request.windows.get()
    services.booking_propose(
        booking=booking,
        actor=booking.helper.user,
        slots=[services.SlotInput(window.starts_at, window.starts_at + timedelta(hours=1))],
    )
    changed = {path: helper_client.get(path, HTTP_IF_NONE_MATCH=etags[path]) for path in paths}

    assert all(etags.values())
    assert [(r.status_code, r.content) for r in unchanged.values()] == [(304, b""), (304, b"")]
    assert [r.status_code for r in changed.values()] == [200, 200]


@pytest.mark.parametrize("value", ["2026-05-04T10:00:00", "2026-05-04"])
@pytest.mark.parametrize("list_of", ["bookings", "messages"])
def test_updated_since_on_bookings_and_chat_needs_the_offset_too(value, list_of):
    booking = make_booking()
    chat_message_send(booking=booking, author=booking.helper.user, text="Hello!")
    path = (
        f"{API}/bookings"
        if list_of == "bookings"
        else f"{API}/bookings/{booking.public_id}/messages"
    )

    response = _as(booking.helper.user).get(path, {"updated_since": value})

    assert response.status_code == 400
    assert response.json()["code"] == "timezone_required"
    assert set(response.json()["fields"]) == {"updated_since"}
