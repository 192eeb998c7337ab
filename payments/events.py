"""The payments app's domain events: a payment moved, a payout account changed state."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from backend.events import DomainEvent


@dataclass(frozen=True)
class PaymentMoved(DomainEvent, abstract=True):
    aggregate_type: ClassVar[str] = "payment"

    payment_id: int
    booking_id: int
    from_status: str
    to_status: str
    role: str
    reason: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def aggregate_id(self) -> int:
        return self.payment_id


@dataclass(frozen=True)
class PaymentAuthorised(PaymentMoved):
    pass


@dataclass(frozen=True)
class PaymentDue(PaymentMoved):
    """A payment that could not be held (TWINT) is due: the customer pays it on a payment page."""


@dataclass(frozen=True)
class PaymentCaptured(PaymentMoved):
    pass


@dataclass(frozen=True)
class PaymentReleased(PaymentMoved):
    pass


@dataclass(frozen=True)
class PaymentRefunded(PaymentMoved):
    pass


@dataclass(frozen=True)
class PaymentAuthorisationFailed(DomainEvent):
    """A hold could not be placed (declined, 3-D Secure needed): the customer must act."""

    aggregate_type: ClassVar[str] = "payment"

    payment_id: int
    booking_id: int
    failure_code: str

    @property
    def aggregate_id(self) -> int:
        return self.payment_id


@dataclass(frozen=True)
class PayoutAccountChanged(DomainEvent):
    aggregate_type: ClassVar[str] = "payout_account"

    payout_account_id: int
    helper_id: int
    from_status: str
    to_status: str

    @property
    def aggregate_id(self) -> int:
        return self.payout_account_id


@dataclass(frozen=True)
class PaymentHoldDeferred(DomainEvent):
    """The visit is too far out for a card hold to last: the hold is placed at `hold_at`."""

    aggregate_type: ClassVar[str] = "payment"

    payment_id: int
    booking_id: int
    hold_at: str  # ISO 8601

    @property
    def aggregate_id(self) -> int:
        return self.payment_id


@dataclass(frozen=True)
class PaymentAccountLost(DomainEvent):
    """The helper's payout account was disconnected while a visit still to come is paid on it:
    customer and helper are told the visit will not be paid through Quartier."""

    aggregate_type: ClassVar[str] = "payment"

    payment_id: int
    booking_id: int

    @property
    def aggregate_id(self) -> int:
        return self.payment_id
