"""What a visit costs: the helper's hourly rate, billed per started quarter hour.

The helper keeps all of it: Quartier takes no cut. The price is fixed when the helper proposes
a time (stored with the proposal), so a later change of rate does not move it.
"""

from __future__ import annotations

from datetime import datetime

from backend.money import Money, prorate
from helpers.models import HelperProfile


def visit_price(*, helper: HelperProfile, starts_at: datetime, ends_at: datetime) -> Money:
    """The price of a visit slot at the helper's hourly rate, billed per started quarter hour."""
    minutes = int((ends_at - starts_at).total_seconds() // 60)
    quarters = -(-minutes // 15)
    return Money(prorate(helper.hourly_rate_minor, quarters * 15), helper.currency)
