"""A booking's chat over REST: who may read and write, masked contacts until the booking
discloses them, pagination, read receipts, and the manager in a dispute."""

from __future__ import annotations

import pytest

from bookings import services
from bookings.models import BookingStatus
from realtime.models import ChatMessage, ChatReadMark, StreamEvent
from tests.api.api_assertions import API, assert_error, client_for, results
from tests.factories import ManagerFactory, UserFactory, make_booking, make_helper

pytestmark = pytest.mark.django_db

WITH_CONTACTS = "Reach me at +41 79 123 45 67 or anna.muster@example.ch, see https://x.example"


def _messages(booking_id: str) -> str:
    return f"{API}/bookings/{booking_id}/messages"


def test_contacts_are_masked_until_the_booking_is_confirmed() -> None:
    customer, helper = UserFactory.create(), make_helper()
    booking = make_booking(BookingStatus.PROPOSED, customer=customer, helper=helper)
    url = _messages(str(booking.public_id))

    posted = client_for(customer).post(url, {"text": WITH_CONTACTS}, format="json")

    assert posted.status_code == 201, posted.content
    masked = "Reach me at ••• or •••, see https://x.example"
    assert posted.json()["text"] == masked
    assert [m["text"] for m in results(client_for(helper.user).get(url))] == [masked]
    services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    assert [m["text"] for m in results(client_for(helper.user).get(url))] == [WITH_CONTACTS]
    # Stored as written, for the manager.
    assert ChatMessage.objects.get().text == WITH_CONTACTS


def test_the_chat_pages_newest_first() -> None:
    customer, helper = UserFactory.create(), make_helper()
    booking = make_booking(BookingStatus.CONFIRMED, customer=customer, helper=helper)
    url = _messages(str(booking.public_id))
    for number in range(3):
        author = customer if number % 2 == 0 else helper.user
        assert (
            client_for(author).post(url, {"text": f"m{number}"}, format="json").status_code == 201
        )

    page = client_for(customer).get(url, {"page_size": 2}).json()

    assert page["count"] == 3
    assert [m["text"] for m in page["results"]] == ["m2", "m1"]
    assert [m["author_role"] for m in page["results"]] == ["customer", "helper"]


def test_a_message_names_its_author_by_the_id_the_app_knows() -> None:
    """`author` is the writer's `id` as `GET /api/v1/me` answers it, so that the app tells its
    own messages from the others'; never the account's row number."""
    customer, helper = UserFactory.create(), make_helper()
    booking = make_booking(BookingStatus.CONFIRMED, customer=customer, helper=helper)
    url = _messages(str(booking.public_id))
    customer_id = client_for(customer).get(f"{API}/me").json()["id"]
    helper_id = client_for(helper.user).get(f"{API}/me").json()["id"]

    posted = client_for(customer).post(url, {"text": "Ring twice."}, format="json")
    client_for(helper.user).post(url, {"text": "Will do."}, format="json")

    assert posted.json()["author"] == customer_id
    page = results(client_for(customer).get(url))
    assert [(m["author"], m["text"]) for m in page] == [
        (helper_id, "Will do."),
        (customer_id, "Ring twice."),
    ]
    live = StreamEvent.objects.filter(type="chat.message", user=helper.user).order_by("seq")
    assert [event.data["author"] for event in live] == [customer_id, helper_id]


def test_strangers_and_bad_messages_are_refused_and_nothing_is_stored() -> None:
    customer, helper = UserFactory.create(), make_helper()
    booking = make_booking(BookingStatus.CONFIRMED, customer=customer, helper=helper)
    url = _messages(str(booking.public_id))
    rows_before = StreamEvent.objects.count()

    assert_error(client_for(UserFactory.create()).get(url), 404, "not_found")
    assert_error(
        client_for(UserFactory.create()).post(url, {"text": "hi"}, format="json"), 404, "not_found"
    )
    assert_error(
        client_for(customer).post(url, {"text": "x" * 2001}, format="json"),
        400,
        "max_length",
        {"text"},
        documented_in=("post", "/api/v1/bookings/{booking_id}/messages"),
    )
    assert_error(
        client_for(customer).post(url, {"text": "\u200b"}, format="json"),
        400,
        "nothing_visible",
        {"text"},
    )
    # An empty message, one of spaces only, or none: each its own code, on the text
    for body, code in (
        ({"text": ""}, "validation_blank"),
        ({"text": "   "}, "nothing_visible"),
        ({}, "validation_required"),
    ):
        assert_error(client_for(customer).post(url, body, format="json"), 400, code, {"text"})
    assert_error(
        client_for(customer).post(url, {"text": "a\u202eb"}, format="json"),
        400,
        "forbidden_characters",
        {"text"},
    )
    # A manager is not in the chat while there is no dispute.
    assert_error(
        client_for(ManagerFactory.create()).post(url, {"text": "hi"}, format="json"),
        404,
        "not_found",
        set(),
    )
    assert ChatMessage.objects.count() == 0
    assert StreamEvent.objects.count() == rows_before


def test_a_cancelled_booking_s_chat_is_closed() -> None:
    customer = UserFactory.create()
    booking = make_booking(BookingStatus.CANCELLED, customer=customer)
    response = client_for(customer).post(
        _messages(str(booking.public_id)), {"text": "hello?"}, format="json"
    )
    assert_error(response, 409, "chat_closed")
    assert ChatMessage.objects.count() == 0


def test_the_manager_joins_the_chat_of_a_dispute_and_sees_its_history() -> None:
    customer, helper = UserFactory.create(), make_helper()
    manager = ManagerFactory.create()
    booking = make_booking(BookingStatus.COMPLETED, customer=customer, helper=helper)
    url = _messages(str(booking.public_id))
    client_for(customer).post(url, {"text": "It still does not work"}, format="json")
    services.booking_dispute(booking=booking, actor=customer, reason="The Wi-Fi still drops.")

    answer = client_for(manager).post(url, {"text": "I am looking into it."}, format="json")

    assert answer.status_code == 201, answer.content
    assert answer.json()["author_role"] == "manager"
    assert [m["text"] for m in results(client_for(manager).get(url))] == [
        "I am looking into it.",
        "It still does not work",
    ]
    heard = StreamEvent.objects.filter(type="chat.message", data__id=answer.json()["id"])
    assert sorted(heard.values_list("user_id", flat=True)) == sorted(
        [customer.pk, helper.user.pk, manager.pk]
    )


def test_read_receipts_move_forward_only_and_reach_the_others() -> None:
    customer, helper = UserFactory.create(), make_helper()
    booking = make_booking(BookingStatus.CONFIRMED, customer=customer, helper=helper)
    url = _messages(str(booking.public_id))
    first = client_for(customer).post(url, {"text": "one"}, format="json").json()["id"]
    second = client_for(customer).post(url, {"text": "two"}, format="json").json()["id"]
    read = f"{url}/read"

    answer = client_for(helper.user).post(read, {"message": second}, format="json")
    helper_id = client_for(helper.user).get(f"{API}/me").json()["id"]
    assert answer.json() == {"read": {helper_id: second}}
    again = client_for(helper.user).post(read, {"message": first}, format="json")
    assert again.json() == {"read": {helper_id: second}}

    receipts = StreamEvent.objects.filter(type="chat.read")
    assert [(r.user_id, r.data["last_read_message"]) for r in receipts] == [(customer.pk, second)]
    # The receipt names the reader as the app knows them, by `GET /api/v1/me`'s id.
    assert [r.data["reader"] for r in receipts] == [helper_id]
    assert ChatReadMark.objects.get().last_read_message_id == second
    assert_error(
        client_for(helper.user).post(read, {"message": 999999}, format="json"),
        404,
        "no_such_message",
        {"message"},
    )
