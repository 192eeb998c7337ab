"""A visit's messages on the customer's request page (a relative who booked reads and answers
the helper there): shown as the API shows them (contacts masked until the booking discloses
them), writing one, and the refusals, which store nothing."""

from __future__ import annotations

import pytest

from bookings.services import booking_cancel
from realtime.chat import chat_message_send
from realtime.models import ChatMessage
from tests.factories import UserFactory, make_booking
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db


def test_the_customer_reads_the_helpers_messages_and_answers_on_the_requests_page(client):
    booking = make_booking()
    customer = booking.help_request.customer
    helper_user = booking.helper.user
    chat_message_send(booking=booking, author=helper_user, text="Chiamo suo padre martedì.")
    _logged_in(client, customer, "it")
    page = f"/requests/{booking.help_request.public_id}/"

    shown = client.get(page).content.decode()
    assert 'id="chat-heading">Messaggi</h2>' in shown
    assert "Chiamo suo padre martedì." in shown
    assert f'action="{page}chat/send"' in shown

    response = client.post(page + "chat/send", {"chat-text": "Grazie, è a casa."})
    assert (response.status_code, response.headers["Location"]) == (302, page + "#chat")
    assert list(ChatMessage.objects.filter(booking=booking).values_list("author", "text")) == [
        (helper_user.pk, "Chiamo suo padre martedì."),
        (customer.pk, "Grazie, è a casa."),
    ]
    part = client.get(page + "chat").content.decode()
    assert part.index("Chiamo suo padre martedì.") < part.index("Grazie, è a casa.")
    first_name = helper_user.display_name.split()[0]
    assert f"{first_name} ·" in part
    assert "Lei ·" in part


def test_a_phone_number_in_a_message_is_masked_until_the_visit_is_confirmed(client):
    booking = make_booking()  # times proposed, not yet confirmed
    helper_user = booking.helper.user
    chat_message_send(booking=booking, author=helper_user, text="Mi chiami al 079 123 45 67.")
    _logged_in(client, booking.help_request.customer, "it")
    page = f"/requests/{booking.help_request.public_id}/"

    for shown in (client.get(page).content.decode(), client.get(page + "chat").content.decode()):
        assert "Mi chiami al •••." in shown
        assert "079 123 45 67" not in shown


def test_without_messages_the_customer_is_told_where_to_write(client):
    booking = make_booking()
    _logged_in(client, booking.help_request.customer, "it")
    shown = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    assert "Ancora nessun messaggio. Scriva qui all’aiutante." in shown


def test_an_empty_message_or_a_closed_chat_stores_nothing(client):
    booking = make_booking()
    customer = booking.help_request.customer
    _logged_in(client, customer)
    page = f"/requests/{booking.help_request.public_id}/"

    html = shown_once(client, client.post(page + "chat/send", {"chat-text": "   "}), page)
    assert _errors_of(html, "id_chat-text") == [
        "Write your message first (at most 2000 characters)."
    ]

    booking_cancel(booking=booking, actor=customer, reason="Sorry")
    assert f'action="{page}chat/send"' not in client.get(page).content.decode()
    response = client.post(page + "chat/send", {"chat-text": "Hello?"})
    html = shown_once(client, response, page)
    assert "<p>This booking&#x27;s chat is closed.</p>" in html
    assert "Hello?</textarea>" in html
    assert f'action="{page}chat/send"' not in client.get(page).content.decode()
    assert not ChatMessage.objects.exists()


def test_a_message_too_long_comes_back_in_the_box_with_its_problem(client):
    booking = make_booking()
    _logged_in(client, booking.help_request.customer, "fr")
    page = f"/requests/{booking.help_request.public_id}/"
    text = "Sonnez deux fois, s’il vous plaît. " * 60

    # When the customer sends a message longer than a message may be
    response = client.post(page + "chat/send", {"chat-text": text})

    # Then the request's page is back at its own address with the problem in French, once, and
    # the text in the box as typed
    html = shown_once(client, response, page)
    assert _errors_of(html, "id_chat-text") == [
        "Écrivez d’abord votre message (2000 caractères au plus)."
    ]
    assert f"{text}</textarea>" in html
    assert not ChatMessage.objects.exists()


def test_another_customers_request_chat_is_not_found(client):
    booking = make_booking()
    _logged_in(client, UserFactory.create())
    page = f"/requests/{booking.help_request.public_id}/"
    assert client.get(page + "chat").status_code == 404
    assert client.post(page + "chat/send", {"chat-text": "Hello"}).status_code == 404
    assert not ChatMessage.objects.exists()


def test_the_customers_chat_is_a_log_the_live_page_adds_only_the_new_messages_to(client):
    booking = make_booking()
    helper_user = booking.helper.user
    _logged_in(client, booking.help_request.customer, "it")
    page = f"/requests/{booking.help_request.public_id}/"

    shown = client.get(page).content.decode()
    assert (
        f'<div id="chat-messages" role="log" aria-live="polite" aria-relevant="additions" '
        f'aria-labelledby="chat-heading" '
        f'data-live-url="{page}chat" data-live-events="chat.message" '
        f'data-live-booking="{booking.public_id}" data-live-append="chat-list" '
        f'data-live-reread="booking.status">'
    ) in shown
    assert '<ol class="chat" id="chat-list"></ol>' in shown

    first = chat_message_send(booking=booking, author=helper_user, text="Arrivo alle tre.")
    second = chat_message_send(booking=booking, author=helper_user, text="Suono due volte.")

    both = client.get(page + "chat?after=0").content.decode()
    assert both.count('<li class="chat-message"') == 2
    assert both.rstrip().endswith('<p id="chat-empty" hx-swap-oob="delete"></p>')
    after_first = client.get(f"{page}chat?after={first.pk}").content.decode()
    assert f'<li class="chat-message" data-message="{second.pk}">' in after_first
    assert "Suono due volte." in after_first
    assert "Arrivo alle tre." not in after_first
    assert "chat-empty" not in after_first
    assert client.get(f"{page}chat?after={second.pk}").content.decode().strip() == ""

    # The whole page (as without scripts) shows both in its log, the note gone
    shown = client.get(page).content.decode()
    assert shown.index("Arrivo alle tre.") < shown.index("Suono due volte.")
    assert "chat-empty" not in shown
