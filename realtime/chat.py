"""A booking's chat: its customer and helper, and the managers while a dispute is open.

Plain text with a length limit; links are kept as text (nothing is fetched). Phone numbers
and e-mail addresses are masked when a message is shown, for each reader as the booking shows
them its contacts (`bookings.selectors.chat_contacts_visible_to`): the stored text is kept as
written, for the manager.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from backend import clock
from backend.exceptions import Conflict, CoreError, NotFound, TooManyRequests, raises
from backend.models import User
from backend.outbox import emit
from backend.texts import visible_text
from bookings.models import Booking, BookingStatus
from bookings.selectors import role_in_booking
from realtime.errors import RealtimeError
from realtime.events import ChatMessagePosted, ChatMessagesRead
from realtime.models import CHAT_MESSAGE_MAX_LENGTH, ChatMessage, ChatReadMark
from realtime.participants import chat_participants

# The booking statuses in which nobody writes in the chat any more.
CLOSED_STATUSES = (BookingStatus.CANCELLED, BookingStatus.NO_SHOW, BookingStatus.SETTLED)

# The most messages one person writes in one visit's chat within CHAT_WINDOW, however they
# write (web page, API, socket): each one reaches the other side live and as a push, so a
# flood would be a way to pester them. A person typing never comes near it.
CHAT_MESSAGES_PER_WINDOW = 30
CHAT_WINDOW = timedelta(minutes=10)


@raises(CoreError.NOT_FOUND)
def chat_booking_for(user: User, booking: Booking) -> Booking:
    """The booking, if `user` is in its chat; else the same 404 as for a booking that does not
    exist (a manager is in it only while a dispute is open)."""
    if user.pk not in chat_participants(booking):
        raise NotFound(_("No such booking."))
    return booking


@raises(chat_booking_for)
def chat_messages_for(user: User, booking: Booking) -> QuerySet[ChatMessage]:
    """The booking's messages, oldest first, for a participant."""
    chat_booking_for(user, booking)
    return ChatMessage.objects.filter(booking=booking).select_related(
        "author", "booking__help_request", "booking__helper"
    )


@raises(RealtimeError.CHAT_CLOSED, RealtimeError.RATE_LIMITED, visible_text, chat_booking_for)
def chat_message_send(*, booking: Booking, author: User, text: str) -> ChatMessage:
    """Store a message and stream it to the booking's chat, in one transaction; refused past
    CHAT_MESSAGES_PER_WINDOW of the author's in the chat within CHAT_WINDOW."""
    text = visible_text(text, field="text", multiline=True, max_length=CHAT_MESSAGE_MAX_LENGTH)
    with transaction.atomic():
        booking = Booking.objects.select_related("help_request", "helper").get(pk=booking.pk)
        chat_booking_for(author, booking)
        if booking.status in CLOSED_STATUSES:
            raise Conflict(_("This booking's chat is closed."), code=RealtimeError.CHAT_CLOSED)
        recent = ChatMessage.objects.filter(
            booking=booking, author=author, created_at__gt=clock.now() - CHAT_WINDOW
        )
        if recent.count() >= CHAT_MESSAGES_PER_WINDOW:
            raise TooManyRequests(
                _(
                    "You have written many messages in a short time. Wait a few minutes, "
                    "then write again."
                ),
                code=RealtimeError.RATE_LIMITED,
            )
        message = ChatMessage.objects.create(
            booking=booking,
            author=author,
            author_role=role_in_booking(booking, author) or "",
            text=text,
        )
        emit(ChatMessagePosted(booking_id=booking.pk, message_id=message.pk, author_id=author.pk))
    return message


@raises(RealtimeError.NO_SUCH_MESSAGE, chat_booking_for)
def chat_read_mark(*, booking: Booking, reader: User, message_id: int) -> ChatReadMark | None:
    """Record that `reader` has read the chat up to `message_id` (a read receipt for the
    others). Reading backwards changes nothing; returns the mark, or None when unchanged."""
    with transaction.atomic():
        booking = Booking.objects.select_related("help_request", "helper").get(pk=booking.pk)
        chat_booking_for(reader, booking)
        try:
            message = ChatMessage.objects.get(booking=booking, pk=message_id)
        except ChatMessage.DoesNotExist as exc:
            raise NotFound.for_field(
                "message", _("No such message."), code=RealtimeError.NO_SUCH_MESSAGE
            ) from exc
        mark = ChatReadMark.objects.select_for_update().filter(booking=booking, user=reader).first()
        if mark is not None and mark.last_read_message_id >= message.pk:
            return None
        if mark is None:
            mark = ChatReadMark.objects.create(
                booking=booking, user=reader, last_read_message=message
            )
        else:
            mark.last_read_message = message
            mark.read_at = clock.now()
            mark.save(update_fields=["last_read_message", "read_at"])
        emit(
            ChatMessagesRead(
                booking_id=booking.pk, reader_id=reader.pk, last_read_message_id=message.pk
            )
        )
    return mark


def chat_read_marks(booking: Booking) -> dict[str, int]:
    """Each participant's last read message id, by the participant's public id."""
    marks = ChatReadMark.objects.filter(booking=booking)
    return {
        str(user): message
        for user, message in marks.values_list("user__public_id", "last_read_message_id")
    }
