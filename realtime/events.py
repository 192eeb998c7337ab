"""The chat's domain events: stored in the event log like every other, and streamed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from backend.events import DomainEvent


@dataclass(frozen=True)
class ChatEvent(DomainEvent, abstract=True):
    """A chat belongs to its booking's history."""

    aggregate_type: ClassVar[str] = "booking"

    booking_id: int

    @property
    def aggregate_id(self) -> int:
        return self.booking_id


@dataclass(frozen=True)
class ChatMessagePosted(ChatEvent):
    message_id: int
    author_id: int


@dataclass(frozen=True)
class ChatMessagesRead(ChatEvent):
    reader_id: int
    last_read_message_id: int
