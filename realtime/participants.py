"""Who takes part in a booking's chat, and what they see of a message."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from backend import clock
from backend.models import User
from bookings.contact_masking import mask_contacts
from bookings.models import Booking, BookingStatus
from bookings.selectors import chat_contacts_visible_to
from realtime.models import ChatMessage


def message_data(message: ChatMessage, reader: User) -> dict[str, Any]:
    """A message as `reader` sees it, now: contacts masked unless the booking shows them to
    `reader` (`chat_contacts_visible_to`). Decided at read time, per reader: the stored text
    is kept as written."""
    disclosed = chat_contacts_visible_to(message.booking, reader)
    return {
        "id": message.pk,
        "booking": str(message.booking.public_id),
        # The author's public id, as `GET /api/v1/me` answers it: never the row's number.
        "author": str(message.author.public_id),
        "author_role": message.author_role,
        "text": message.text if disclosed else mask_contacts(message.text),
        "created_at": clock.iso(message.created_at),
    }


def _parties(booking: Booking) -> list[int]:
    return [booking.help_request.customer_id, booking.helper.user_id]


def chat_participants(booking: Booking) -> list[int]:
    """Who is in a booking's chat: its customer and helper, and the managers while a dispute
    is open."""
    users = _parties(booking)
    if booking.status == BookingStatus.DISPUTED:
        managers = get_user_model().objects.filter(is_staff=True, is_active=True)
        staff = managers.order_by("pk").values_list("pk", flat=True)
        users += [pk for pk in staff if pk not in users]
    return users
