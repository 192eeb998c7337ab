"""A customer posts at most `max_requests_per_customer_per_day` requests within 24 hours,
withdrawn ones too: each goes to helpers at once (a push each), so posting and withdrawing
again and again would pester them. One more is refused with nothing stored or sent."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from backend.models import OutboxEvent
from bookings.exceptions import OpenRequestLimit
from bookings.models import HelpRequest, Offer
from bookings.services import help_request_withdraw
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import UserFactory, make_helper, next_slot_start, post_request

pytestmark = pytest.mark.django_db

PER_DAY = 10  # QUARTIER_MAX_REQUESTS_PER_CUSTOMER_PER_DAY's default


def _posted_and_withdrawn(customer, count: int) -> None:
    for _ in range(count):
        help_request_withdraw(help_request=post_request(customer))


def test_the_eleventh_request_of_the_day_is_refused_and_nothing_reaches_a_helper():
    make_helper()
    customer = UserFactory.create()
    _posted_and_withdrawn(customer, PER_DAY)
    rows = (HelpRequest.objects.count(), Offer.objects.count(), OutboxEvent.objects.count())

    with pytest.raises(OpenRequestLimit) as refused:
        post_request(customer)

    assert (refused.value.status, refused.value.code) == (409, "open_request_limit")
    assert refused.value.message == (
        "You have posted 10 requests in the last 24 hours. Post the next one tomorrow, or "
        "change the times or place of an open one."
    )
    assert (HelpRequest.objects.count(), Offer.objects.count(), OutboxEvent.objects.count()) == (
        rows
    )
    # Another customer posts as before.
    assert post_request(UserFactory.create()).customer_id != customer.pk


def test_a_day_later_the_customer_posts_again():
    customer = UserFactory.create()
    with time_machine.travel(timezone.now() - timedelta(hours=24, seconds=1), tick=False):
        _posted_and_withdrawn(customer, PER_DAY)

    posted = post_request(customer, start=next_slot_start())

    assert HelpRequest.objects.filter(customer=customer).count() == PER_DAY + 1
    assert posted.customer_id == customer.pk


def test_the_api_answers_409_with_the_days_limit():
    customer = UserFactory.create()
    _posted_and_withdrawn(customer, PER_DAY)
    start = next_slot_start()
    body = {
        "category": "internet-wifi",
        "description": "The Wi-Fi drops every evening.",
        "street": "Bahnhofstrasse 1",
        "postal_code": "8001",
        "locality": "Zürich",
        "windows": [
            {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=4)).isoformat()}
        ],
    }

    response = client_for(customer).post(f"{API}/help-requests", body, format="json")

    assert_error(
        response, 409, "open_request_limit", documented_in=("post", "/api/v1/help-requests")
    )
    assert HelpRequest.objects.filter(customer=customer).count() == PER_DAY
