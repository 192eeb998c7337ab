"""The helper's payout page in the web app, against the emulator: the account's state in words,
why paid offers need it, and Stripe's Express onboarding started, left and resumed."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from backend.config import config
from helpers.models import HelperProfile
from payments.models import PayoutAccount, PayoutAccountStatus, StripeRequest
from tests.factories import UserFactory, make_helper
from tests.payments.money import clear_faults, connected_helper, fault, set_account_state
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def test_without_an_account_the_page_says_why_paid_offers_need_one(
    client, django_assert_max_num_queries
):
    helper = make_helper(takes_payments=False)
    _logged_in(client, helper.user)

    with django_assert_max_num_queries(6):
        response = client.get("/helper/payouts")

    html = response.content.decode()
    assert response.status_code == 200
    assert "You have no payout account yet." in html
    assert "Until your account can take payments, you get no offers for paid visits." in html
    assert "Set up payouts with Stripe" in html


def test_onboarding_is_started_left_resumed_and_finished(client):
    helper = make_helper(takes_payments=False)
    _logged_in(client, helper.user, "fr")

    started = client.post("/helper/payouts/onboard")

    assert started.status_code == 302
    link = started["Location"]
    assert link.startswith(f"{config().stripe_api_base}/connect/onboarding/")
    account = PayoutAccount.objects.get(helper=helper)
    assert account.status == PayoutAccountStatus.DETAILS_MISSING
    html = client.get("/helper/payouts").content.decode()
    assert "Continuer l’inscription chez Stripe" in html

    # Left half-way, then resumed: a new link to the same account.
    resumed = client.post("/helper/payouts/onboard")
    assert resumed["Location"] != link
    assert PayoutAccount.objects.filter(helper=helper).count() == 1
    assert StripeRequest.objects.filter(action="account_create").count() == 1

    # Stripe's page (the emulator's) sends the helper back; the state is read at once.
    finished = requests.get(
        f"{resumed['Location']}&state=payouts_enabled", allow_redirects=False, timeout=5
    )
    assert finished.status_code == 302
    back = urlsplit(finished.headers["Location"])
    assert back.path == "/helper/payouts/back"
    assert client.get(back.path).status_code == 302

    account.refresh_from_db()
    assert account.status == PayoutAccountStatus.PAYOUTS_ENABLED
    assert HelperProfile.objects.get(pk=helper.pk).takes_payments
    html = client.get("/helper/payouts").content.decode()
    assert "Continuer l’inscription" not in html
    assert "aucune offre" not in html


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("pending_verification", "Stripe is verifying your details."),
        ("charges_enabled", "Your account can take payments. Stripe pays out once"),
        ("payouts_enabled", "Stripe pays them out to your bank account."),
    ],
)
def test_the_accounts_state_in_words(client, state, words):
    helper = connected_helper(state=state)
    _logged_in(client, helper.user)

    html = client.get("/helper/payouts").content.decode()

    assert words in html


def test_details_missing_again_brings_the_warning_back(client):
    helper = connected_helper()
    set_account_state(helper, "details_missing")
    _logged_in(client, helper.user)
    client.get("/helper/payouts/back")

    html = client.get("/helper/payouts").content.decode()

    assert "missing details" in html
    assert "you get no offers for paid visits" in html
    assert not HelperProfile.objects.get(pk=helper.pk).takes_payments


def test_stripe_down_leaves_no_account_and_says_so(client):
    helper = make_helper(takes_payments=False)
    _logged_in(client, helper.user)
    fault("error", "/v1/accounts", count=5)
    try:
        response = client.post("/helper/payouts/onboard", follow=True)
    finally:
        clear_faults()

    assert response.redirect_chain[-1][0] == "/helper/payouts"
    assert not PayoutAccount.objects.filter(helper=helper).exists()
    assert 'class="message' in response.content.decode()


def test_someone_who_is_no_helper_is_sent_to_apply(client):
    _logged_in(client, UserFactory.create())

    assert client.get("/helper/payouts")["Location"] == "/helper/apply"
    assert client.post("/helper/payouts/onboard")["Location"] == "/helper/apply"
    assert not PayoutAccount.objects.exists()
