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
        return f"{self.currency} {major_units(self.amount_minor, self.currency)}"


def major_units(amount_minor: int, currency: str) -> str:
    """The amount as a plain decimal number of francs (or euros): "-1234.50", no grouping, for
    what machines and spreadsheets read."""
    digits = MINOR_UNITS[currency]
    sign = "-" if amount_minor < 0 else ""
    major, minor = divmod(abs(amount_minor), 10**digits)
    return f"{sign}{major}.{minor:0{digits}d}"


# Swiss conventions: German and Italian put the currency first and group thousands with an
# apostrophe; French puts it last and groups with a narrow no-break space.
_STYLES = {
    "de": ("CHF {amount}", "’"),
    "it": ("CHF {amount}", "’"),
    "fr": ("{amount} CHF", "\u202f"),
    "en": ("CHF {amount}", ","),
}


def format_chf(amount_minor: int, language: str) -> str:
    pattern, group = _STYLES.get(language[:2], _STYLES["en"])
    sign = "-" if amount_minor < 0 else ""
    francs, rappen = divmod(abs(amount_minor), 100)
    grouped = f"{francs:,}".replace(",", group)
    return sign + pattern.format(amount=f"{grouped}.{rappen:02d}")


def prorate(amount_minor_per_hour: int, minutes: int) -> int:
    """The price of `minutes` at an hourly rate, rounded half up to the minor unit."""
    if minutes < 0 or amount_minor_per_hour < 0:
        raise ValueError("amounts and durations are never negative")
    return (amount_minor_per_hour * minutes + 30) // 60


def card_fee(amount_minor: int, *, percent_tenths: int, fixed_minor: int) -> int:
    """A card processor's fee on `amount_minor` by its published price (tenths of a percent,
    rounded half up, plus a fixed part), the way Stripe computes it."""
    return (amount_minor * percent_tenths + 500) // 1000 + fixed_minor


def gross_up(net_minor: int, *, percent_tenths: int, fixed_minor: int) -> int:
    """The smallest charge that leaves exactly `net_minor` after the fee (0 for 0).

    The fee grows by at most one minor unit per minor unit charged (the rate is below 100 %),
    so what is left takes every value, and the smallest charge leaving at least `net_minor`
    leaves exactly that."""
    if net_minor < 0:
        raise ValueError("amounts are never negative")
    if net_minor == 0:
        return 0
    charge = max(net_minor, (net_minor + fixed_minor) * 1000 // (1000 - percent_tenths) - 2)
    while charge - card_fee(charge, percent_tenths=percent_tenths, fixed_minor=fixed_minor) < (
        net_minor
    ):
        charge += 1
    while (
        charge > net_minor
        and charge
        - 1
        - card_fee(charge - 1, percent_tenths=percent_tenths, fixed_minor=fixed_minor)
        >= net_minor
    ):
        charge -= 1
    return charge
