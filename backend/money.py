"""Money is an integer amount in minor units plus an ISO 4217 currency. Never floats."""

from __future__ import annotations

from dataclasses import dataclass

MINOR_UNITS = {"CHF": 2, "EUR": 2}


@dataclass(frozen=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise TypeError("amount_minor must be an int")
        if self.currency not in MINOR_UNITS:
            raise ValueError(f"unsupported currency {self.currency!r}")

    def format(self) -> str:
        digits = MINOR_UNITS[self.currency]
        sign = "-" if self.amount_minor < 0 else ""
        major, minor = divmod(abs(self.amount_minor), 10**digits)
        return f"{self.currency} {sign}{major}.{minor:0{digits}d}"


def prorate(amount_minor_per_hour: int, minutes: int) -> int:
    """The price of `minutes` at an hourly rate, rounded half up to the minor unit."""
    if minutes < 0 or amount_minor_per_hour < 0:
        raise ValueError("amounts and durations are never negative")
    return (amount_minor_per_hour * minutes + 30) // 60
