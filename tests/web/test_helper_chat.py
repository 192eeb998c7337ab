"""A visit's chat on the helper's phone, through Django's test client: the messages shown as
the API shows them (contacts masked until the booking discloses them), writing one, and the
refusals, which store nothing."""

from __future__ import annotations

import pytest

from bookings.services import booking_cancel
from realtime.chat import chat_message_send
from realtime.models import ChatMessage
from tests.factories import make_booking, make_helper
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

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

    html = shown_once(client, client.post(page + "chat/send", {"chat-text": "   "}), page)
    assert _errors_of(html, "id_chat-text") == [
        "Write your message first (at most 2000 characters)."
    ]

    booking_cancelled = make_booking(helper=booking.helper)
    booking_cancel(
        booking=booking_cancelled, actor=booking_cancelled.help_request.customer, reason="Sorry"
    )
    closed = f"/helper/visits/{booking_cancelled.public_id}/"
    assert 'action="' + closed + 'chat/send"' not in client.get(closed).content.decode()
    response = client.post(closed + "chat/send", {"chat-text": "Hello?"})
    html = shown_once(client, response, closed)
    assert "<p>This booking&#x27;s chat is closed.</p>" in html
    assert "Hello?</textarea>" in html
    assert 'action="' + closed + 'chat/send"' not in client.get(closed).content.decode()
    assert not ChatMessage.objects.exists()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("Ich komme um drei. " * 106, "Write your message first (at most 2000 characters)."),
        ("Ich komme\u202e um drei.", "This text contains characters that cannot be shown."),
    ],
)
def test_a_refused_message_comes_back_in_the_box_with_its_problem(client, text, error):
    booking = make_booking()
    _logged_in(client, booking.helper.user)
    page = f"/helper/visits/{booking.public_id}/"

    # When the helper sends a message that is too long, or has a character that cannot be shown
    response = client.post(page + "chat/send", {"chat-text": text})

    # Then the visit's page is back at its own address with the problem, once, and the text in
    # the box as typed
    html = shown_once(client, response, page)
    assert _errors_of(html, "id_chat-text") == [error]
    assert f"{text}</textarea>" in html
    assert not ChatMessage.objects.exists()


def test_another_helpers_visit_chat_is_not_found(client):
    booking = make_booking()
    _logged_in(client, make_helper().user)
    page = f"/helper/visits/{booking.public_id}/"
    assert client.get(page + "chat").status_code == 404
    assert client.post(page + "chat/send", {"chat-text": "Hello"}).status_code == 404
    assert not ChatMessage.objects.exists()


def test_the_chat_is_a_log_the_live_page_adds_only_the_new_messages_to(client):
    booking = make_booking()
    customer = booking.help_request.customer
    _logged_in(client, booking.helper.user)
    chat = f"/helper/visits/{booking.public_id}/chat"

    # Without messages: an empty list in the log, and the note saying where to write
    page = client.get(f"/helper/visits/{booking.public_id}/").content.decode()
    assert (
        f'<div id="chat-messages" role="log" aria-live="polite" aria-relevant="additions" '
        f'aria-labelledby="chat-heading" '
        f'data-live-url="{chat}" data-live-events="chat.message" '
        f'data-live-booking="{booking.public_id}" data-live-append="chat-list" '
        f'data-live-reread="booking.status">'
    ) in page
    assert '<ol class="chat" id="chat-list"></ol>' in page
    assert '<p id="chat-empty">No messages yet. Write to the customer here.</p>' in page

    first = chat_message_send(booking=booking, author=customer, text="Ring twice.")
    second = chat_message_send(booking=booking, author=booking.helper.user, text="I will.")

    # The page showed none: both come, and the note goes
    both = client.get(chat + "?after=0").content.decode()
    assert both.count('<li class="chat-message') == 2
    assert both.index(f'data-message="{first.pk}"') < both.index(f'data-message="{second.pk}"')
    assert both.rstrip().endswith('<p id="chat-empty" hx-swap-oob="delete"></p>')
    assert "chat-messages" not in both

    # The page shows the first: the second alone comes (one's own as well, once)
    after_first = client.get(f"{chat}?after={first.pk}").content.decode()
    assert after_first.count('<li class="chat-message') == 1
    assert f'<li class="chat-message chat-mine" data-message="{second.pk}">' in after_first
    assert "I will." in after_first
    assert "Ring twice." not in after_first
    assert "chat-empty" not in after_first

    # The page shows both: nothing
    assert client.get(f"{chat}?after={second.pk}").content.decode().strip() == ""


@pytest.mark.parametrize("after", ["", "x", "-1", "1.5"])
def test_the_chat_asked_after_no_message_number_says_so(client, after):
    booking = make_booking()
    chat_message_send(booking=booking, author=booking.help_request.customer, text="Ring twice.")
    _logged_in(client, booking.helper.user)

    response = client.get(f"/helper/visits/{booking.public_id}/chat", {"after": after})

    assert response.status_code == 400
    assert response.content.decode() == (
        "Give the number of the last message shown (after), 0 if none."
    )
    assert ChatMessage.objects.count() == 1
