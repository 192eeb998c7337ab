"""The academy's domain events. A certification earned, revoked or expired changes the
categories a helper is offered: those events are helper events, so the match index's handler
refreshes the helper's rows in the same transaction. A course's requirements changing (a
required course published for the first time, or its requirements edited) touches every
approved helper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from backend.events import DomainEvent
from helpers.events import HelperEvent


@dataclass(frozen=True)
class CertificationEarned(HelperEvent):
    course_id: int
    certification_id: int


@dataclass(frozen=True)
class CertificationRevoked(HelperEvent):
    course_id: int
    certification_id: int
    actor_id: int
    reason: str


@dataclass(frozen=True)
class CertificationExpired(HelperEvent):
    course_id: int
    certification_id: int


@dataclass(frozen=True)
class CourseRequirementsChanged(DomainEvent):
    """A course that gates matching was published for the first time, or what it is required
    for changed: every approved helper's categories may change."""

    aggregate_type: ClassVar[str] = "course"
    affects_matching: ClassVar[bool] = True

    course_id: int

    @property
    def aggregate_id(self) -> int:
        return self.course_id


@dataclass(frozen=True)
class EventRegistrationMoved(DomainEvent):
    """A registration for a training event changed: registered, moved up from the waiting
    list, cancelled (by the helper or with the whole event)."""

    aggregate_type: ClassVar[str] = "training_event"

    event_id: int
    helper_id: int
    registration_id: int
    to_status: str
    # "registered", "waiting", "moved_up", "cancelled_by_helper", "event_cancelled"
    what: str

    @property
    def aggregate_id(self) -> int:
        return self.event_id
