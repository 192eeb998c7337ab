"""The domain events of help requests, offers, bookings (with their proposals) and reviews.

Emitted by the one transition function of each (see `bookings/services/moves.py`) and by the
services that create them; stored in the event log by `backend.outbox.emit`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from backend.events import DomainEvent

# --- Help requests -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HelpRequestEvent(DomainEvent, abstract=True):
    aggregate_type: ClassVar[str] = "help_request"

    help_request_id: int

    @property
    def aggregate_id(self) -> int:
        return self.help_request_id


@dataclass(frozen=True)
class HelpRequestPosted(HelpRequestEvent):
    customer_id: int
    category_id: int


@dataclass(frozen=True)
class HelpRequestChanged(HelpRequestEvent):
    fields: list[str]
    # Whether the change withdrew the pending offers and matched the request again.
    rematched: bool


@dataclass(frozen=True)
class HelpRequestMoved(HelpRequestEvent, abstract=True):
    from_status: str
    to_status: str
    role: str
    reason: str
    assigned_helper_id: int | None


@dataclass(frozen=True)
class HelpRequestAssigned(HelpRequestMoved):
    pass


@dataclass(frozen=True)
class HelpRequestUnmatched(HelpRequestMoved):
    pass


@dataclass(frozen=True)
class HelpRequestWithdrawn(HelpRequestMoved):
    pass


@dataclass(frozen=True)
class HelpRequestExpired(HelpRequestMoved):
    pass


@dataclass(frozen=True)
class HelpRequestReopened(HelpRequestMoved):
    pass


@dataclass(frozen=True)
class HelpRequestClosed(HelpRequestMoved):
    pass


# --- Offers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferEvent(DomainEvent, abstract=True):
    aggregate_type: ClassVar[str] = "offer"

    offer_id: int
    help_request_id: int
    helper_id: int

    @property
    def aggregate_id(self) -> int:
        return self.offer_id


@dataclass(frozen=True)
class OfferMade(OfferEvent):
    round: int
    expires_at: str  # ISO 8601


@dataclass(frozen=True)
class OfferMoved(OfferEvent, abstract=True):
    from_status: str
    to_status: str
    # Seconds from the offer to the helper's answer (accepted or declined), else 0.
    response_seconds: int = 0
    decline_reason: str = ""
    # Why it was withdrawn (an Offer.WithdrawalCause value), else "".
    withdrawal_cause: str = ""


@dataclass(frozen=True)
class OfferAccepted(OfferMoved):
    pass


@dataclass(frozen=True)
class OfferDeclined(OfferMoved):
    pass


@dataclass(frozen=True)
class OfferExpired(OfferMoved):
    pass


@dataclass(frozen=True)
class OfferWithdrawn(OfferMoved):
    pass


# --- Bookings and their proposed times ---------------------------------------------------------


@dataclass(frozen=True)
class BookingMoved(DomainEvent, abstract=True):
    """One move of a booking's status, as its BookingEvent row records it."""

    aggregate_type: ClassVar[str] = "booking"

    booking_id: int
    help_request_id: int
    helper_id: int
    customer_id: int
    from_status: str
    to_status: str
    actor_id: int | None
    role: str
    reason: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def aggregate_id(self) -> int:
        return self.booking_id


@dataclass(frozen=True)
class BookingOpened(BookingMoved):
    pass


@dataclass(frozen=True)
class BookingProposed(BookingMoved):
    pass


@dataclass(frozen=True)
class BookingConfirmed(BookingMoved):
    pass


@dataclass(frozen=True)
class BookingTimesRequested(BookingMoved):
    pass


@dataclass(frozen=True)
class BookingJourneyStarted(BookingMoved):
    pass


@dataclass(frozen=True)
class BookingCheckedIn(BookingMoved):
    pass


@dataclass(frozen=True)
class BookingCompleted(BookingMoved):
    pass


@dataclass(frozen=True)
class BookingSignedOff(BookingMoved):
    pass


@dataclass(frozen=True)
class BookingDisputed(BookingMoved):
    pass


@dataclass(frozen=True)
class BookingSettled(BookingMoved):
    pass


@dataclass(frozen=True)
class BookingCancelled(BookingMoved):
    pass


@dataclass(frozen=True)
class BookingNoShow(BookingMoved):
    pass


@dataclass(frozen=True)
class ProposalEvent(DomainEvent, abstract=True):
    """Proposed times belong to their booking's history."""

    aggregate_type: ClassVar[str] = "booking"

    booking_id: int
    proposal_ids: list[int]

    @property
    def aggregate_id(self) -> int:
        return self.booking_id


@dataclass(frozen=True)
class ProposalsMade(ProposalEvent):
    pass


@dataclass(frozen=True)
class ProposalChosen(ProposalEvent):
    pass


@dataclass(frozen=True)
class ProposalsSuperseded(ProposalEvent):
    pass


# --- Reviews -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewEvent(DomainEvent, abstract=True):
    aggregate_type: ClassVar[str] = "review"

    review_id: int
    booking_id: int
    author_role: str
    rating: int

    @property
    def aggregate_id(self) -> int:
        return self.review_id


@dataclass(frozen=True)
class ReviewSubmitted(ReviewEvent):
    pass


@dataclass(frozen=True)
class ReviewPublished(ReviewEvent):
    """Shown to the other side and counted in the subject's rating from now on."""

    subject_id: int
    helper_id: int


# --- Safety reports ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SafetyReportEvent(DomainEvent, abstract=True):
    aggregate_type: ClassVar[str] = "safety_report"

    report_id: int

    @property
    def aggregate_id(self) -> int:
        return self.report_id


@dataclass(frozen=True)
class SafetyReportFiled(SafetyReportEvent):
    """One side of a visit reported the other: the community managers are told."""


@dataclass(frozen=True)
class SafetyReportDecided(SafetyReportEvent):
    """The community manager decided the report: the reporter is told, and a warned person."""

    outcome: str
