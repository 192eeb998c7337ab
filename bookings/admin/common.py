"""What the bookings back office pages share: how stored figures are shown."""

from __future__ import annotations

import json
from typing import Any

from django.utils.html import format_html

from backend.money import Money
from bookings.models import Offer
from bookings.offer_summary import offer_summary as summary_of


def pretty_json(value: Any) -> str:
    return format_html(
        "<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    )


def price_text(amount_minor: int | None, currency: str) -> str:
    if amount_minor is None:
        return "—"
    try:
        return Money(amount_minor, currency).format()
    except ValueError:
        return f"{currency} {amount_minor} (minor units)"


def offer_summary(offer: Offer) -> str:
    """The explanation's line, written as the API writes it (needs the request's category)."""
    return summary_of(offer) or "—"
