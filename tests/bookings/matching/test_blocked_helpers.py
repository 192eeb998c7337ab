"""A customer's block: the blocked helper is never offered that customer's requests again, the
manager's record of the matching says why, and lifting the block brings the helper back.

Unmarked, so the PostgreSQL run (DATABASE_URL set) walks the PostGIS index the same way."""

from __future__ import annotations

import pytest

from bookings import services
from bookings.models import MatchingRun, OfferStatus
from tests.bookings.matching.test_match_request import NEAR, frozen_time, offered  # noqa: F401
from tests.factories import ZURICH, UserFactory, make_booking, make_helper, offset, post_request


def _reasons(help_request) -> dict[int, str]:
    run = MatchingRun.objects.filter(help_request=help_request).order_by("pk").first()
    assert run is not None
    return {row["helper_id"]: row["reason"] for row in run.considered}


@pytest.mark.django_db
def test_a_blocked_helper_gets_no_offer_of_the_customers_requests(frozen_time):  # noqa: F811
    # Given a customer who blocked the nearest helper after a visit, and a farther helper
    customer = UserFactory()
    blocked = make_helper(point=NEAR)
    farther = make_helper(point=offset(ZURICH, east_m=3_000))
    booking = make_booking(customer=customer, helper=blocked)
    services.helper_block(booking=booking, actor=customer)

    # When the customer asks for help again
    help_request = post_request(customer, point=ZURICH)

    # Then only the farther helper is offered it, and the manager reads why
    assert offered(help_request) == [(farther.pk, 1, OfferStatus.PENDING)]
    assert _reasons(help_request)[blocked.pk] == "blocked by the customer"
    assert _reasons(help_request)[farther.pk] == "offered"

    # And another customer's request still goes to the nearest helper first
    other = post_request(UserFactory(), point=ZURICH)
    assert offered(other)[0][0] == blocked.pk


@pytest.mark.django_db
def test_an_unblocked_helper_is_offered_the_customers_requests_again(frozen_time):  # noqa: F811
    customer = UserFactory()
    helper = make_helper(point=NEAR)
    booking = make_booking(customer=customer, helper=helper)
    services.helper_block(booking=booking, actor=customer)
    assert offered(post_request(customer, point=ZURICH)) == []

    services.helper_unblock(booking=booking, actor=customer)

    assert offered(post_request(customer, point=offset(ZURICH, north_m=200))) == [
        (helper.pk, 1, OfferStatus.PENDING)
    ]
