from datetime import UTC, datetime, timedelta

import pytest

from backend.money import Money, prorate
from bookings.pricing import visit_price
from helpers.models import HelperProfile

START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def helper_at(rate_minor: int) -> HelperProfile:
    return HelperProfile(hourly_rate_minor=rate_minor, currency="CHF")


@pytest.mark.parametrize(
    ("minutes", "rate", "expected"),
    [
        (60, 4000, 4000),  # an hour at CHF 40
        (90, 4000, 6000),
        (15, 4000, 1000),
        (61, 4000, 5000),  # a started quarter hour is billed: 75 minutes
        (45, 3500, 2625),
        (50, 3333, 3333),  # 50 minutes are billed as a full hour
    ],
)
def test_visit_price_bills_started_quarter_hours(minutes, rate, expected):
    price = visit_price(
        helper=helper_at(rate), starts_at=START, ends_at=START + timedelta(minutes=minutes)
    )

    assert price == Money(expected, "CHF")


def test_prorate_rounds_half_up_to_the_rappen():
    assert prorate(3333, 45) == 2500  # 2499.75 → 2500
    assert prorate(1001, 30) == 501  # 500.5 → 501
    assert prorate(1000, 0) == 0


def test_prorate_refuses_negative_amounts():
    with pytest.raises(ValueError, match="never negative"):
        prorate(-1, 60)


def test_money_is_integer_minor_units_only():
    with pytest.raises(TypeError):
        Money(40.0, "CHF")
    with pytest.raises(ValueError, match="unsupported currency"):
        Money(100, "XXX")
    assert Money(4250, "CHF").format() == "CHF 42.50"
    assert Money(-5, "CHF").format() == "CHF -0.05"
