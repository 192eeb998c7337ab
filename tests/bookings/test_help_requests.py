import pytest

from bookings.models import HelpRequest, HelpRequestStatus
from tests.factories import UserFactory, make_helper, post_request

pytestmark = pytest.mark.django_db


def test_posting_with_nobody_in_reach_returns_the_request_as_unmatched():
    # Given no helper anywhere
    customer = UserFactory.create()

    # When the customer posts
    help_request = post_request(customer)

    # Then the returned object already says what the database says
    stored = HelpRequest.objects.get(pk=help_request.pk)
    assert help_request.status == stored.status == HelpRequestStatus.UNMATCHED
    assert help_request.search_radius_km == stored.search_radius_km == 25.0
    assert help_request.status_reason == (
        "No helper is available within 25 km in your time windows."
    )


def test_posting_with_a_helper_in_reach_returns_the_first_round():
    make_helper()

    help_request = post_request(UserFactory.create())

    assert help_request.status == HelpRequestStatus.OPEN
    assert help_request.matching_round == 1
    assert help_request.search_radius_km == 5.0
