"""A card payment still waiting for a card once its visit is over was never held and never will
be: nothing was charged, and Quartier's pages say so instead of "Waiting for a card"."""

from __future__ import annotations

import pytest

from bookings.models import BookingStatus
from payments.models import Payment, PaymentStatus, PayWith
from payments.selectors import money_views, never_held
from tests.factories import make_booking

pytestmark = pytest.mark.django_db

_B = BookingStatus


@pytest.mark.parametrize(
    ("status", "over"),
    [
        (_B.CONFIRMED, False),
        (_B.ON_THE_WAY, False),
        (_B.IN_PROGRESS, False),
        (_B.COMPLETED, True),
        (_B.SIGNED_OFF, True),
        (_B.DISPUTED, True),
        (_B.SETTLED, True),
        (_B.CANCELLED, True),
        (_B.NO_SHOW, True),
    ],
)
def test_a_card_payment_without_a_card_is_never_held_once_the_visit_is_over(status, over):
    booking = make_booking(_B.CONFIRMED)
    payment = Payment.objects.get(booking=booking)
    booking.status = status

    assert never_held(booking, payment) is over


@pytest.mark.parametrize(
    ("status", "pay_with"),
    [
        (PaymentStatus.AUTHORISED, PayWith.CARD),
        (PaymentStatus.CAPTURED, PayWith.CARD),
        (PaymentStatus.RELEASED, PayWith.CARD),
        # TWINT waits for no card: it falls due once the visit is signed off.
        (PaymentStatus.REQUIRES_PAYMENT_METHOD, PayWith.TWINT),
    ],
)
def test_a_payment_held_settled_or_paid_with_twint_is_not_never_held(status, pay_with):
    booking = make_booking(_B.SIGNED_OFF)
    payment = Payment.objects.get(booking=booking)
    payment.status, payment.pay_with = status, pay_with

    assert never_held(booking, payment) is False


def test_the_money_of_a_visit_signed_off_without_a_card_says_it_was_never_held():
    signed_off = make_booking(_B.SIGNED_OFF)
    confirmed = make_booking(_B.CONFIRMED)
    free = make_booking(_B.SIGNED_OFF)
    Payment.objects.filter(booking=free).delete()

    money = money_views([signed_off, confirmed, free])

    assert money[signed_off.pk].never_held is True
    assert money[confirmed.pk].never_held is False
    assert money[free.pk].payment is None
    assert money[free.pk].never_held is False
