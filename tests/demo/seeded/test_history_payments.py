"""The demo's history was played before any helper had a payout account: its visits over with
a price (signed off, cancelled, not taken place) took no card. Their pages say that nothing was
held or charged, never that they wait for a card that can no longer come."""

from __future__ import annotations

import pytest

from bookings.models import Booking, BookingStatus
from demo.people import demo_users
from payments.models import PaymentStatus
from payments.selectors import money_views
from tests.factories import ManagerFactory
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

OVER = (
    BookingStatus.SIGNED_OFF,
    BookingStatus.SETTLED,
    BookingStatus.CANCELLED,
    BookingStatus.NO_SHOW,
)


def test_the_demos_visits_over_without_a_card_wait_for_none(client):
    over = list(
        Booking.objects.filter(
            help_request__customer__in=demo_users(),
            status__in=OVER,
            payment__status=PaymentStatus.REQUIRES_PAYMENT_METHOD,
        )
        .select_related("help_request")
        .order_by("pk")
    )
    # The story of the demo this test is about: a visit signed off without a card
    assert BookingStatus.SIGNED_OFF in {booking.status for booking in over}
    assert all(money.never_held for money in money_views(over).values())
    _logged_in(client, ManagerFactory.create(), "en")

    for booking in over:
        html = client.get(f"/manage/requests/{booking.help_request.public_id}/").content.decode()
        assert "Waiting for a card" not in html
        assert "Never held: nothing was charged" in html
