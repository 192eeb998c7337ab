"""The per-user event stream: which users hear a domain event, and what they are told.

`stream_write` is subscribed to run inside the transaction that emitted the events: for each
event someone must hear it appends one `StreamEvent` per recipient through `stream_append`,
the stream's one writer, which numbers them per user. After commit the relay hands the same
events to `realtime.publish.stream_publish`, which sends the rows to the users' sockets and
devices. A reconnecting client asks for the rows after the last `seq` it saw.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from uuid import UUID

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from backend.digits import MAX_DIGITS, digits_value, is_digits
from backend.events import DomainEvent
from backend.exceptions import ValidationFailed, raises
from backend.models import User
from backend.outbox import sequence_of
from backend.prepared import Prepared, PreparedInsert
from bookings.events import (
    BookingMoved,
    HelpRequestMoved,
    OfferEvent,
    OfferMade,
    OfferMoved,
    ProposalEvent,
)
from bookings.models import Booking, HelpRequest, Offer
from realtime.errors import RealtimeError
from realtime.events import ChatMessagePosted, ChatMessagesRead
from realtime.models import ChatMessage, StreamCounter, StreamEvent
from realtime.participants import chat_participants, message_data
from realtime.publish import stream_send_on_commit

STREAMED_EVENTS = (
    OfferEvent,
    BookingMoved,
    ProposalEvent,
    HelpRequestMoved,
    ChatMessagePosted,
    ChatMessagesRead,
)

PROPOSAL_NAMES = {
    "ProposalsMade": "booking.proposals_made",
    "ProposalChosen": "booking.proposal_chosen",
    "ProposalsSuperseded": "booking.proposals_superseded",
}


@dataclass(frozen=True)
class Entry:
    """One row to append: who hears it, the event's name for clients, its data, and whether it
    is also pushed to the user's devices."""

    user_id: int
    type: str
    data: dict[str, Any]
    push: bool = False


def stream_append(entries: Sequence[tuple[int, Entry]]) -> list[StreamEvent]:
    """Append each (outbox event id, entry) to its user's stream, numbered after the user's
    last number, in the order given.

    Must run in the transaction of the change: each user's counter row stays locked until it
    commits, so two transactions never hand out the same number and numbers never skip.
    Two statements whatever the number of events and users.
    """
    if not entries:
        return []
    wanted = Counter(entry.user_id for _event_id, entry in entries)
    last = _take_numbers(wanted)
    # Each user's numbers run up to their new last number, in the order given.
    next_seq = {user_id: last[user_id] - count + 1 for user_id, count in wanted.items()}
    rows = []
    for outbox_event_id, entry in entries:
        seq = next_seq[entry.user_id]
        next_seq[entry.user_id] = seq + 1
        rows.append(
            StreamEvent(
                user_id=entry.user_id,
                seq=seq,
                outbox_event_id=outbox_event_id,
                type=entry.type,
                data=entry.data,
                push=entry.push,
            )
        )
    return STREAM_INSERT.insert(rows)


_COUNTERS = StreamCounter._meta.db_table
# Every streamed change appends its rows: the INSERT written once per database and row count.
STREAM_INSERT = PreparedInsert(StreamEvent)


def _take_numbers(wanted: Counter[int]) -> dict[int, int]:
    """Move each user's counter on by the numbers wanted (creating it at 0 first) and return
    the new last numbers: one statement, which locks the users' counter rows until commit."""
    user_ids = sorted(wanted)
    values = ", ".join(["(%s, %s, 0)"] * len(user_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_COUNTERS} (user_id, last_seq, acked_seq) VALUES {values} "
            f"ON CONFLICT (user_id) DO UPDATE SET last_seq = {_COUNTERS}.last_seq + "
            "excluded.last_seq RETURNING user_id, last_seq",
            [value for user_id in user_ids for value in (user_id, wanted[user_id])],
        )
        return dict(cursor.fetchall())


def stream_write(events: Sequence[DomainEvent]) -> None:
    """In-transaction handler: the streamed events of one `emit` call to the streams of those
    who must hear them (the offers of a batch read at once). Once the transaction commits, this
    process sends the rows to the sockets itself and wakes the relays."""
    request_ids = {event.help_request_id for event in events if isinstance(event, OfferEvent)}
    offers = {
        facts.pk: facts
        for request_id in sorted(request_ids)
        for facts in map(OfferFacts._make, OFFERS_OF_REQUEST.rows(help_request_id=request_id))
    }
    appended = stream_append(
        [
            (sequence_of(event), entry)
            for event in events
            for entry in entries_for(event, offers=offers)
        ]
    )
    stream_send_on_commit(appended)


class OfferFacts(NamedTuple):
    """What an offer's stream rows say of it."""

    pk: int
    public_id: UUID
    status: str
    help_request_public_id: UUID
    category_slug: str
    helper_user_id: int


_OFFER_FACTS = (
    "pk",
    "public_id",
    "status",
    "help_request__public_id",
    "help_request__category__slug",
    "helper__user_id",
)

# The offers of a request, as a batch of offers made is streamed (a request has a handful):
# built once per database, since every request posted sends it.
OFFERS_OF_REQUEST = Prepared(
    lambda help_request_id: (
        Offer.objects.filter(help_request_id=help_request_id).order_by().values_list(*_OFFER_FACTS)
    ),
    help_request_id=int,
)


def entries_for(event: DomainEvent, *, offers: dict[int, OfferFacts] | None = None) -> list[Entry]:
    if isinstance(event, OfferEvent):
        facts = (offers or {}).get(event.offer_id)
        if facts is None:
            facts = OfferFacts._make(
                Offer.objects.filter(pk=event.offer_id).values_list(*_OFFER_FACTS).get()
            )
        return _offer_entries(event, facts)
    if isinstance(event, BookingMoved):
        return _booking_entries(event)
    if isinstance(event, ProposalEvent):
        booking = _booking(event.booking_id)
        data = {
            "booking": str(booking.public_id),
            "proposals": [
                str(p.public_id) for p in booking.proposals.filter(id__in=event.proposal_ids)
            ],
        }
        name = PROPOSAL_NAMES[type(event).__name__]
        return [Entry(user_id, name, data) for user_id in _parties(booking)]
    if isinstance(event, HelpRequestMoved):
        help_request = HelpRequest.objects.get(pk=event.help_request_id)
        data = {"help_request": str(help_request.public_id), "status": event.to_status}
        return [Entry(help_request.customer_id, "help_request.status", data)]
    if isinstance(event, ChatMessagePosted):
        return _chat_message_entries(event)
    if isinstance(event, ChatMessagesRead):
        return _chat_read_entries(event)
    return []


def _offer_entries(event: OfferEvent, offer: OfferFacts) -> list[Entry]:
    data: dict[str, Any] = {
        "offer": str(offer.public_id),
        "help_request": str(offer.help_request_public_id),
        "status": offer.status,
    }
    if isinstance(event, OfferMade):
        data.update(
            status="pending",
            expires_at=event.expires_at,
            category=offer.category_slug,
        )
        return [Entry(offer.helper_user_id, "offer.made", data, push=True)]
    if isinstance(event, OfferMoved):
        data.update(status=event.to_status, withdrawal_cause=event.withdrawal_cause)
    return [Entry(offer.helper_user_id, f"offer.{data['status']}", data)]


def _booking(booking_id: int) -> Booking:
    return Booking.objects.select_related("help_request", "helper").get(pk=booking_id)


def _parties(booking: Booking) -> list[int]:
    return [booking.help_request.customer_id, booking.helper.user_id]


def _booking_entries(event: BookingMoved) -> list[Entry]:
    booking = _booking(event.booking_id)
    data: dict[str, Any] = {
        "booking": str(booking.public_id),
        "help_request": str(booking.help_request.public_id),
        "status": event.to_status,
        "from_status": event.from_status,
        "by": event.role,
    }
    if "eta_minutes" in event.data:
        data["eta_minutes"] = event.data["eta_minutes"]
    return [
        Entry(user_id, "booking.status", data, push=user_id != event.actor_id)
        for user_id in _parties(booking)
    ]


def _chat_message_entries(event: ChatMessagePosted) -> list[Entry]:
    message = ChatMessage.objects.select_related(
        "author", "booking__help_request", "booking__helper"
    ).get(pk=event.message_id)
    # Each reader is told the message as they may read it (`message_data`).
    participants = chat_participants(message.booking)
    readers = User.objects.in_bulk(participants)
    return [
        Entry(
            user_id,
            "chat.message",
            message_data(message, readers[user_id]),
            push=user_id != event.author_id,
        )
        for user_id in participants
    ]


def _chat_read_entries(event: ChatMessagesRead) -> list[Entry]:
    booking = _booking(event.booking_id)
    data = {
        "booking": str(booking.public_id),
        "reader": str(User.objects.get(pk=event.reader_id).public_id),
        "last_read_message": event.last_read_message_id,
    }
    return [
        Entry(user_id, "chat.read", data)
        for user_id in chat_participants(booking)
        if user_id != event.reader_id
    ]


# --- Reading the stream ------------------------------------------------------------------------

# The most rows one catch-up answers; a client asks again after the last one it got.
CATCH_UP_LIMIT = 200


@raises(RealtimeError.INVALID_CURSOR)
def stream_cursor(text: str) -> int:
    """The sequence number a client wrote as `after`: the digits 0-9 alone, of a number a
    stream can reach. A sign, a word or too many digits are each refused in their own words."""
    if text.startswith("-") and is_digits(text[1:]):
        raise ValidationFailed.for_field(
            "after", _("The sequence number cannot be negative."), code=RealtimeError.INVALID_CURSOR
        )
    if not is_digits(text):
        raise ValidationFailed.for_field(
            "after",
            _("The sequence number must be a whole number written with the digits 0-9."),
            code=RealtimeError.INVALID_CURSOR,
        )
    after = digits_value(text)
    if after is None:
        raise ValidationFailed.for_field(
            "after",
            _("The sequence number is too large: it has at most %(digits)s digits.")
            % {"digits": MAX_DIGITS},
            code=RealtimeError.INVALID_CURSOR,
        )
    return after


@raises(RealtimeError.INVALID_CURSOR)
def stream_after(user: User, after: int, *, limit: int = CATCH_UP_LIMIT) -> QuerySet[StreamEvent]:
    """The user's events numbered after `after`, oldest first (at most `limit`)."""
    if after < 0:
        raise ValidationFailed.for_field(
            "after", _("The sequence number cannot be negative."), code=RealtimeError.INVALID_CURSOR
        )
    return StreamEvent.objects.filter(user=user, seq__gt=after).order_by("seq")[:limit]


def stream_last_seq(user_id: int) -> int:
    counter = StreamCounter.objects.filter(user_id=user_id).first()
    return counter.last_seq if counter else 0


def stream_ack(user: User, seq: object) -> int:
    """Record that a client of `user` holds every event up to `seq` (never backwards, never
    past the last number given); returns the acknowledged number."""
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        return 0
    StreamCounter.objects.filter(user=user, acked_seq__lt=seq, last_seq__gte=seq).update(
        acked_seq=seq
    )
    return seq
