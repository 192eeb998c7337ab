"""The forms that lead on to Stripe's pages (the payout account's onboarding, paying and tipping
with TWINT) may: a browser follows a form's redirect only to an origin the page's
Content-Security-Policy names in form-action, so the button did nothing before. With Stripe
itself, TWINT's redirect goes on from Stripe's page to TWINT's own, which is named too."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from backend.config import config
from bookings.models import BookingStatus
from tests.factories import make_booking, make_helper
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _form_action(response) -> list[str]:
    found = re.search(r"form-action ([^;]*)", response.headers["Content-Security-Policy"])
    assert found is not None
    return found.group(1).split()


def test_the_payouts_page_lets_its_button_go_on_to_the_onboarding(client):
    helper = make_helper(takes_payments=False)
    _logged_in(client, helper.user, "fr")

    response = client.get("/helper/payouts")

    assert 'action="/helper/payouts/onboard"' in response.content.decode()
    assert _form_action(response) == ["'self'", "http://127.0.0.1:8420"]


def test_the_pay_page_lets_twint_go_on_to_stripe(client):
    booking = make_booking(BookingStatus.PROPOSED)
    _logged_in(client, booking.help_request.customer)

    response = client.get(f"/requests/{booking.help_request.public_id}/pay")

    assert response.status_code == 200
    assert _form_action(response) == ["'self'", "http://127.0.0.1:8420"]


def test_with_stripe_itself_the_forms_may_go_on_to_stripes_pages(client):
    live = config().with_values(stripe_secret_key="sk_live_x")
    with override_settings(QUARTIER=live):
        helper = make_helper(takes_payments=False)
        _logged_in(client, helper.user)
        response = client.get("/helper/payouts")
    assert _form_action(response) == ["'self'", "https://*.stripe.com"]


def test_with_stripe_itself_twint_may_go_on_from_stripes_page_to_twints(client):
    live = config().with_values(stripe_secret_key="sk_live_x")
    booking = make_booking(BookingStatus.PROPOSED)
    with override_settings(QUARTIER=live):
        _logged_in(client, booking.help_request.customer)
        pay = client.get(f"/requests/{booking.help_request.public_id}/pay")
        _logged_in(client, booking.helper.user)
        payouts = client.get("/helper/payouts")

    assert pay.status_code == 200
    assert _form_action(pay) == ["'self'", "https://*.stripe.com", "https://pay.twint.ch"]
    # The payout account's onboarding stays on Stripe's pages
    assert _form_action(payouts) == ["'self'", "https://*.stripe.com"]


def test_other_pages_keep_their_forms_on_quartier(client):
    helper = make_helper()
    _logged_in(client, helper.user)
    assert _form_action(client.get("/helper/hours")) == ["'self'"]
