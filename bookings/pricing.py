"""What a visit costs: the helper's hourly rate, billed per started quarter hour.

The helper keeps all of it: Quartier takes no cut. The price is fixed when the helper proposes
a time (stored with the proposal), so a later change of rate does not move it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.config import config
from backend.money import Money, gross_up, prorate
from helpers.models import HelperProfile


def visit_price(*, helper: HelperProfile, starts_at: datetime, ends_at: datetime) -> Money:
    """The price of a visit slot at the helper's hourly rate, billed per started quarter hour."""
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    quarters = -(-minutes // 15)
    return Money(prorate(helper.hourly_rate_minor, quarters * 15), helper.currency)


@dataclass(frozen=True)
class Charge:
    """What the customer's card is held for and charged for a price, and who bears Stripe's
    fee ("customer": grossed up so the helper receives the price; "helper": the price)."""

    charge_minor: int
    stripe_fee_paid_by: str


def charge_for(price_minor: int | None) -> Charge:
    """The charge for a price under the current setting (nothing to charge for a free visit or
    one without a price)."""
    price_minor = price_minor or 0
    settings = config()
    if settings.stripe_fee_paid_by == "customer":
        charge = gross_up(
            price_minor,
            percent_tenths=settings.stripe_fee_percent_tenths,
            fixed_minor=settings.stripe_fee_fixed_minor,
        )
        return Charge(charge, "customer")
    return Charge(price_minor, "helper")
