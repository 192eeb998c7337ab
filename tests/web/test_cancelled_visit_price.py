"""A cancelled visit's page says what the cancellation costs: nothing in good time (the hold on
the card is released), the fee when the customer cancelled late. It went on saying "Price:
CHF 40.00, held on your card and charged only once you sign the visit off", and once the hold
was released "paid to the helper after the visit", of a visit that will never take place."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import services
from bookings.models import BookingStatus
from payments.models import Payment, PayoutAccount
from tests.factories import make_booking
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

NOTHING = (
    "Nothing is charged for this visit; if an amount was held on your card for it, the hold "
    "is released."
)
FEE = "You cancelled late: 50% of the price is charged for this visit, which goes to the helper."


def _cancelled_by_the_customer(*, days_ahead: float, payment_status: str):
    start = (timezone.now() + timedelta(days=days_ahead)).replace(second=0, microsecond=0)
    booking = make_booking(BookingStatus.CONFIRMED, start=start)
    # The card held, as the worker holds it after confirming (no Stripe here)
    account, _created = PayoutAccount.objects.get_or_create(
        helper=booking.helper,
        defaults={
            "stripe_account_id": f"acct_paper{booking.helper.pk}",
            "status": "payouts_enabled",
        },
    )
    price = booking.price_minor
    assert price is not None
    Payment.objects.update_or_create(
        booking=booking,
        defaults={
            "payout_account": account,
            "status": "authorised",
            "currency": "CHF",
            "amount_minor": price,
            "authorised_minor": price,
            "payment_intent_id": f"pi_paper{booking.pk}",
            "payment_method_id": "pm_paper",
        },
    )
    booking = services.booking_cancel(
        booking=booking, actor=booking.help_request.customer, reason="Mon père est hospitalisé."
    )
    Payment.objects.filter(booking=booking).update(status=payment_status)
    return booking


def _page(client, booking) -> str:
    _logged_in(client, booking.help_request.customer)
    response = client.get(f"/requests/{booking.help_request.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("payment_status", ["authorised", "released"])
def test_a_visit_cancelled_in_good_time_costs_nothing(client, payment_status):
    # The hold is released by the worker right after the cancellation: before and after it
    booking = _cancelled_by_the_customer(days_ahead=3, payment_status=payment_status)
    assert booking.status == BookingStatus.CANCELLED

    html = _page(client, booking)

    assert NOTHING in html
    assert FEE not in html
    assert "charged only once you sign the visit off" not in html
    assert "paid to the helper after the visit" not in html


def test_a_visit_cancelled_late_says_the_fee(client):
    booking = _cancelled_by_the_customer(days_ahead=0.25, payment_status="authorised")
    assert booking.is_late_cancellation

    html = _page(client, booking)

    assert FEE in html
    assert NOTHING not in html
    assert "charged only once you sign the visit off" not in html
