"""A visit's chat on the helper's phone, through Django's test client: the messages shown as
the API shows them (contacts masked until the booking discloses them), writing one, and the
refusals, which store nothing."""

from __future__ import annotations

import pytest

from bookings.services import booking_cancel
from realtime.chat import chat_message_send
from realtime.models import ChatMessage
from tests.factories import make_booking, make_helper
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def test_the_visit_shows_its_chat_masked_until_confirmed_and_the_helper_writes_in_it(client):
    booking = make_booking()
    customer = booking.help_request.customer
    chat_message_send(booking=booking, author=customer, text="Call me on 079 123 45 67.")
    _logged_in(client, booking.helper.user)
    page = f"/helper/visits/{booking.public_id}/"

    shown = client.get(page).content.decode()
    assert "Call me on •••." in shown
    assert "079 123 45 67" not in shown

    response = client.post(page + "chat/send", {"chat-text": "I can come on Tuesday."})
    assert (response.status_code, response.headers["Location"]) == (302, page + "#chat")
    assert list(ChatMessage.objects.filter(booking=booking).values_list("author", "text")) == [
        (customer.pk, "Call me on 079 123 45 67."),
        (booking.helper.user_id, "I can come on Tuesday."),
    ]
    part = client.get(page + "chat").content.decode()
    assert part.index("Call me on •••.") < part.index("I can come on Tuesday.")
    assert "You ·" in part


def test_an_empty_message_or_a_closed_chat_stores_nothing(client):
    booking = make_booking()
    _logged_in(client, booking.helper.user)
    page = f"/helper/visits/{booking.public_id}/"

    client.post(page + "chat/send", {"chat-text": "   "})
    assert "Write your message first" in client.get(page).content.decode()

    booking_cancelled = make_booking(helper=booking.helper)
    booking_cancel(
        booking=booking_cancelled, actor=booking_cancelled.help_request.customer, reason="Sorry"
    )
    closed = f"/helper/visits/{booking_cancelled.public_id}/"
    assert 'action="' + closed + 'chat/send"' not in client.get(closed).content.decode()
    client.post(closed + "chat/send", {"chat-text": "Hello?"})
    assert "This booking&#x27;s chat is closed." in client.get(closed).content.decode()
    assert not ChatMessage.objects.exists()


def test_another_helpers_visit_chat_is_not_found(client):
    booking = make_booking()
    _logged_in(client, make_helper().user)
    page = f"/helper/visits/{booking.public_id}/"
    assert client.get(page + "chat").status_code == 404
    assert client.post(page + "chat/send", {"chat-text": "Hello"}).status_code == 404
    assert not ChatMessage.objects.exists()
