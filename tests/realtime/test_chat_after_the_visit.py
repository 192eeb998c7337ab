"""Phone numbers and e-mail addresses typed in a visit's chat, per reader and at read time, by
the rule of the visit's address (`contact_visible_to`): the helper reads them while the visit
is alive and no longer once it is over (signed off, settled, cancelled, missed), as the visit's
page hides the customer's phone then; the customer keeps reading them once signed off. The same
in the API's messages, on the web pages and in the event stream."""

from __future__ import annotations

import pytest

from bookings.models import Booking, BookingStatus
from realtime.chat import chat_message_send
from realtime.models import ChatMessage, StreamEvent
from tests.api.api_assertions import API, client_for, results
from tests.factories import ManagerFactory, make_booking
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

TYPED = "Call me on +41 79 123 45 67 or anna.muster@example.ch."
MASKED = "Call me on ••• or •••."
OVER = [
    BookingStatus.SIGNED_OFF,
    BookingStatus.SETTLED,
    BookingStatus.CANCELLED,
    BookingStatus.NO_SHOW,
]
ALIVE = [
    BookingStatus.CONFIRMED,
    BookingStatus.ON_THE_WAY,
    BookingStatus.IN_PROGRESS,
    BookingStatus.COMPLETED,
    BookingStatus.DISPUTED,
]


def _typed_by_the_customer(booking: Booking) -> ChatMessage:
    """The customer's message, written while the visit was agreed."""
    return ChatMessage.objects.create(
        booking=booking, author=booking.help_request.customer, author_role="customer", text=TYPED
    )


def _api_texts(user, booking: Booking) -> list[str]:
    response = client_for(user).get(f"{API}/bookings/{booking.public_id}/messages")
    assert response.status_code == 200, response.content
    return [message["text"] for message in results(response)]


@pytest.mark.parametrize("status", OVER)
def test_the_helper_no_longer_reads_the_number_once_the_visit_is_over(client, status):
    booking = make_booking(status)
    _typed_by_the_customer(booking)
    _logged_in(client, booking.helper.user)

    part = client.get(f"/helper/visits/{booking.public_id}/chat").content.decode()

    assert _api_texts(booking.helper.user, booking) == [MASKED]
    assert MASKED in part
    assert "123 45 67" not in part
    assert "anna.muster" not in part
    # Stored as written
    assert ChatMessage.objects.get().text == TYPED


@pytest.mark.parametrize("status", [BookingStatus.SIGNED_OFF, BookingStatus.SETTLED])
def test_the_customer_keeps_reading_the_number_once_signed_off(client, status):
    booking = make_booking(status)
    message = ChatMessage.objects.create(
        booking=booking, author=booking.helper.user, author_role="helper", text=TYPED
    )
    customer = booking.help_request.customer

    assert _api_texts(customer, booking) == [TYPED]
    assert _api_texts(booking.helper.user, booking) == [MASKED]
    assert message.text == TYPED


@pytest.mark.parametrize("status", ALIVE)
def test_the_helper_reads_the_number_while_the_visit_is_alive(client, status):
    booking = make_booking(status)
    _typed_by_the_customer(booking)
    _logged_in(client, booking.helper.user)

    part = client.get(f"/helper/visits/{booking.public_id}/chat").content.decode()

    assert _api_texts(booking.helper.user, booking) == [TYPED]
    assert "Call me on +41 79 123 45 67 or anna.muster@example.ch." in part


def test_the_manager_of_a_dispute_reads_the_number():
    booking = make_booking(BookingStatus.DISPUTED)
    _typed_by_the_customer(booking)

    assert _api_texts(ManagerFactory.create(), booking) == [TYPED]


def test_a_message_written_after_sign_off_reaches_each_reader_as_they_may_read_it(
    django_capture_on_commit_callbacks,
):
    booking = make_booking(BookingStatus.SIGNED_OFF)
    customer, helper = booking.help_request.customer, booking.helper.user

    with django_capture_on_commit_callbacks(execute=True):
        message = chat_message_send(booking=booking, author=customer, text=TYPED)

    heard = StreamEvent.objects.filter(type="chat.message", data__id=message.pk)
    texts = {row.user_id: row.data["text"] for row in heard}
    assert texts == {customer.pk: TYPED, helper.pk: MASKED}
    assert _api_texts(helper, booking) == [MASKED]
    assert _api_texts(customer, booking) == [TYPED]
