"""A visit's chat takes at most CHAT_MESSAGES_PER_WINDOW messages of one person within
CHAT_WINDOW, however they write (web page, API, socket): each message reaches the other side
live and as a push, so a flood is refused with nothing stored, streamed or pushed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from backend.exceptions import ApplicationError
from backend.models import OutboxEvent
from bookings.models import BookingStatus
from realtime.chat import CHAT_MESSAGES_PER_WINDOW, CHAT_WINDOW, chat_message_send
from realtime.models import ChatMessage
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import make_booking
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _flooded(booking, author, *, ago: timedelta = timedelta(0)) -> None:
    """The author wrote the most messages the chat takes, `ago` (all at once)."""
    with time_machine.travel(timezone.now() - ago, tick=False):
        for number in range(CHAT_MESSAGES_PER_WINDOW):
            chat_message_send(booking=booking, author=author, text=f"Hello? ({number})")


def test_one_message_too_many_is_refused_and_changes_nothing_while_the_other_side_writes_on():
    booking = make_booking(BookingStatus.CONFIRMED)
    customer, helper = booking.help_request.customer, booking.helper.user
    _flooded(booking, customer)
    messages, events = ChatMessage.objects.count(), OutboxEvent.objects.count()

    with pytest.raises(ApplicationError) as refused:
        chat_message_send(booking=booking, author=customer, text="Hello?!")

    assert (refused.value.status, refused.value.code) == (429, "rate_limited")
    assert refused.value.message == (
        "You have written many messages in a short time. Wait a few minutes, then write again."
    )
    assert (ChatMessage.objects.count(), OutboxEvent.objects.count()) == (messages, events)
    answer = chat_message_send(booking=booking, author=helper, text="I am on my way.")
    assert answer.author == helper


def test_the_chat_takes_the_authors_messages_again_once_the_window_has_passed():
    booking = make_booking(BookingStatus.CONFIRMED)
    customer = booking.help_request.customer
    _flooded(booking, customer, ago=CHAT_WINDOW + timedelta(seconds=1))

    message = chat_message_send(booking=booking, author=customer, text="Are you there?")

    assert ChatMessage.objects.filter(booking=booking, author=customer).count() == (
        CHAT_MESSAGES_PER_WINDOW + 1
    )
    assert message.text == "Are you there?"


def test_the_api_answers_429_rate_limited_and_stores_nothing():
    booking = make_booking(BookingStatus.CONFIRMED)
    helper = booking.helper.user
    _flooded(booking, helper)
    messages = ChatMessage.objects.count()

    response = client_for(helper).post(
        f"{API}/bookings/{booking.public_id}/messages", {"text": "Hello?!"}, format="json"
    )

    assert_error(
        response,
        429,
        "rate_limited",
        documented_in=("post", "/api/v1/bookings/{booking_id}/messages"),
    )
    assert ChatMessage.objects.count() == messages


def test_the_request_page_says_why_the_message_was_not_sent_and_stores_nothing(client):
    booking = make_booking(BookingStatus.CONFIRMED)
    customer = booking.help_request.customer
    _flooded(booking, customer)
    messages = ChatMessage.objects.count()
    _logged_in(client, customer, "de")
    page = f"/requests/{booking.help_request.public_id}/"

    response = client.post(page + "chat/send", {"chat-text": "Hallo?!"}, follow=True)

    assert ChatMessage.objects.count() == messages
    assert (
        "Sie haben in kurzer Zeit viele Nachrichten geschrieben. Warten Sie ein paar Minuten, "
        "dann schreiben Sie wieder."
    ) in response.content.decode()
