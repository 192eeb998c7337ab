"""A helper's connected account that removes Quartier's access at Stripe
(`account.application.deauthorized`): the payout account is `disconnected`, takes no charges,
the helper's pending paid offers are withdrawn and they read, in their language, to reconnect
one; the onboarding connects a new account, and paid offers come again once it takes charges.
The emulator sends the event (and refuses every later request for the account) as Stripe does."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from django.core import mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from backend.config import config
from backend.models import OutboxEvent, User
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingEvent, HelpRequest, Offer
from helpers.models import HelperProfile
from helpers.services import helper_profile_update
from payments import payouts, stripe_gateway
from payments.exceptions import PaymentProviderRefused
from payments.models import PayoutAccount, PayoutAccountStatus, StripeRequest, WebhookEvent
from tests.api.api_assertions import API, token_client
from tests.factories import UserFactory, pending_offer, post_request
from tests.payments.money import connected_helper, event_payload, sign
from tests.realtime.helpers import api_token
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

DISPATCH = "bookings.tasks.dispatch_offers"


def _deauthorize(helper: HelperProfile) -> dict[str, Any]:
    """The helper removes Quartier's access to their account at Stripe (the emulator's hook):
    the event Stripe sends for it."""
    account = PayoutAccount.objects.get(helper=helper)
    answer = requests.post(
        f"{config().stripe_api_base}/_config/accounts/{account.stripe_account_id}/deauthorize",
        timeout=5,
    )
    answer.raise_for_status()
    return dict(answer.json())


def _deliver(client: Client, event: dict[str, Any]) -> None:
    payload = json.dumps(event).encode()
    answer = client.post(
        "/stripe/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload)},
    )
    assert answer.status_code == 200, answer.content


def _offers(help_request: HelpRequest) -> set[tuple[int, str, str]]:
    return set(
        Offer.objects.filter(help_request=help_request).values_list(
            "helper_id", "status", "withdrawal_cause"
        )
    )


def _snapshot() -> dict[str, object]:
    return {
        "accounts": sorted(
            PayoutAccount.objects.values_list("pk", "stripe_account_id", "status", "updated_at")
        ),
        "helpers": sorted(HelperProfile.objects.values_list("pk", "takes_payments")),
        "offers": sorted(Offer.objects.values_list("pk", "status", "withdrawal_cause")),
        "bookings": sorted(Booking.objects.values_list("pk", "status")),
        "booking_events": BookingEvent.objects.count(),
        "outbox": OutboxEvent.objects.count(),
        "tasks": DBTaskResult.objects.count(),
        "requests": sorted(HelpRequest.objects.values_list("pk", "status")),
    }


def test_the_emulator_sends_the_event_and_refuses_the_account_from_then_on():
    anna = connected_helper()
    account = PayoutAccount.objects.get(helper=anna)

    event = _deauthorize(anna)

    assert event["type"] == "account.application.deauthorized"
    assert event["account"] == account.stripe_account_id
    assert event["data"]["object"]["object"] == "application"
    assert event["data"]["object"]["id"].startswith("ca_")
    with pytest.raises(PaymentProviderRefused) as refused:
        stripe_gateway.account_retrieve(str(account.stripe_account_id))
    # Stripe's own words stay with the developers (the cause), never in the message
    assert "Application access may have been revoked" in str(refused.value.__cause__)
    assert "Application access" not in refused.value.message
    with pytest.raises(PaymentProviderRefused):
        stripe_gateway.account_link_create(
            account_id=str(account.stripe_account_id),
            return_url="http://testserver/done",
            refresh_url="http://testserver/again",
        )


def test_the_event_disconnects_the_account_and_withdraws_exactly_the_pending_paid_offers(
    client,
):
    # Given Anna (CHF 40 an hour, connected) with pending offers on two requests and an
    # accepted one on a third, Ben (connected too) offered the same requests, and Franz, who
    # helps for free with a connected account
    anna = connected_helper(display_name="Anna Meier", preferred_language="de")
    ben = connected_helper()
    franz = connected_helper()
    helper_profile_update(helper=franz, hourly_rate_minor=0)
    first, second, third = (post_request(UserFactory.create()) for _ in range(3))
    accepted = bookings.offer_accept(offer=pending_offer(third, anna), actor=anna.user)
    relay_pending()
    mail.outbox.clear()
    tasks_before = set(DBTaskResult.objects.values_list("pk", flat=True))
    account = PayoutAccount.objects.get(helper=anna)

    # When Anna removes Quartier's access to her account at Stripe
    event = _deauthorize(anna)
    _deliver(client, event)

    # Then her payout account is disconnected, the event kept with its outcome
    account.refresh_from_db()
    assert account.status == PayoutAccountStatus.DISCONNECTED
    assert not account.can_take_payments
    assert HelperProfile.objects.get(pk=anna.pk).takes_payments is False
    stored = WebhookEvent.objects.get(stripe_event_id=event["id"])
    assert (stored.event_type, stored.account, stored.outcome) == (
        "account.application.deauthorized",
        account.stripe_account_id,
        "applied",
    )
    # And exactly her two pending offers are withdrawn for that cause; Ben's and Franz's stay
    for help_request in (first, second):
        assert _offers(help_request) == {
            (anna.pk, "withdrawn", "cannot_be_paid"),
            (ben.pk, "pending", ""),
            (franz.pk, "pending", ""),
        }
    assert _offers(third) == {
        (anna.pk, "accepted", ""),
        (ben.pk, "withdrawn", "taken"),
        (franz.pk, "withdrawn", "taken"),
    }
    assert Booking.objects.get(pk=accepted.pk).status == accepted.status
    # And the two requests go to the next helpers
    queued = DBTaskResult.objects.exclude(pk__in=tasks_before).filter(task_path=DISPATCH)
    assert sorted(task.args_kwargs["args"] for task in queued) == [[first.pk], [second.pk]]
    # And Ben's and Franz's accounts are as they were
    assert set(PayoutAccount.objects.exclude(helper=anna).values_list("status", flat=True)) == {
        PayoutAccountStatus.PAYOUTS_ENABLED
    }
    relay_pending()
    assert [m.to for m in mail.outbox] == [[anna.user.email]]


def test_the_same_event_twice_or_another_for_the_account_changes_nothing(client):
    anna = connected_helper()
    help_request = post_request(UserFactory.create())
    event = _deauthorize(anna)
    _deliver(client, event)
    assert _offers(help_request) == {(anna.pk, "withdrawn", "cannot_be_paid")}
    relay_pending()
    mail.outbox.clear()
    before = _snapshot()

    # When Stripe delivers the same event again, then another event of the same kind
    _deliver(client, event)
    _deliver(client, {**event, "id": "evt_deauthorized_again"})

    # Then nothing changed, nothing was queued and nobody was told anything
    assert _snapshot() == before
    assert WebhookEvent.objects.filter(stripe_event_id=event["id"]).count() == 1
    assert WebhookEvent.objects.get(stripe_event_id="evt_deauthorized_again").outcome == (
        "ignored: account already disconnected"
    )
    relay_pending()
    assert mail.outbox == []


def test_an_event_for_an_unknown_account_is_acknowledged_and_changes_nothing(client):
    connected_helper()
    post_request(UserFactory.create())
    relay_pending()
    before = _snapshot()
    obj = {"id": "ca_unknown", "object": "application", "name": "Quartier"}

    _deliver(
        client,
        json.loads(
            event_payload("evt_stranger", "account.application.deauthorized", obj, "acct_nobody")
        ),
    )
    _deliver(
        client,
        json.loads(event_payload("evt_no_account", "account.application.deauthorized", obj)),
    )

    assert _snapshot() == before
    assert dict(WebhookEvent.objects.values_list("stripe_event_id", "outcome")) == {
        "evt_stranger": "ignored: unknown account",
        "evt_no_account": "ignored: the event names no account",
    }


def test_account_application_authorized_is_recorded_as_nothing_to_do(client):
    # Given Anna, connected, and Bruno, whose account removed Quartier's access
    anna = connected_helper()
    bruno = connected_helper()
    _deliver(client, _deauthorize(bruno))
    post_request(UserFactory.create())
    relay_pending()
    mail.outbox.clear()
    before = _snapshot()
    obj = {"id": "ca_quartier", "object": "application", "name": "Quartier"}

    # When Stripe says an account authorised Quartier's application: Anna's, Bruno's, one
    # Quartier does not know, and one naming no account
    for event_id, account in (
        ("evt_authorized_anna", str(anna.payout_account.stripe_account_id)),
        ("evt_authorized_bruno", str(PayoutAccount.objects.get(helper=bruno).stripe_account_id)),
        ("evt_authorized_stranger", "acct_nobody"),
        ("evt_authorized_no_account", ""),
    ):
        _deliver(
            client,
            json.loads(event_payload(event_id, "account.application.authorized", obj, account)),
        )
    relay_pending()

    # Then each is acknowledged with why nothing is done, and nothing changed: Bruno's account
    # stays disconnected (only onboarding again connects him), nobody is told anything
    outcomes = WebhookEvent.objects.filter(event_type="account.application.authorized")
    assert dict(outcomes.values_list("stripe_event_id", "outcome")) == {
        "evt_authorized_anna": (
            "ignored: access given at onboarding; account.updated brings the account's state"
        ),
        "evt_authorized_bruno": (
            "ignored: account disconnected; only onboarding again connects the helper"
        ),
        "evt_authorized_stranger": "ignored: unknown account",
        "evt_authorized_no_account": "ignored: the event names no account",
    }
    assert all(event.processed_at is not None for event in outcomes)
    assert _snapshot() == before
    assert PayoutAccount.objects.get(helper=bruno).status == PayoutAccountStatus.DISCONNECTED
    assert mail.outbox == []


def test_a_late_account_updated_does_not_connect_it_again(client):
    anna = connected_helper()
    account = PayoutAccount.objects.get(helper=anna)
    _deliver(client, _deauthorize(anna))
    before = _snapshot()
    # Sent by Stripe before the access was removed, delivered after
    obj = {
        "id": account.stripe_account_id,
        "object": "account",
        "details_submitted": True,
        "charges_enabled": True,
        "payouts_enabled": True,
    }

    _deliver(client, json.loads(event_payload("evt_late", "account.updated", obj)))
    # And the way back from an old onboarding link reads nothing from Stripe
    assert payouts.payout_account_sync(stripe_account_id=str(account.stripe_account_id))

    assert _snapshot() == before
    assert WebhookEvent.objects.get(stripe_event_id="evt_late").outcome == (
        "ignored: account disconnected"
    )


def test_reconnecting_connects_a_new_account_and_paid_offers_come_again(client):
    # Given Anna, whose account was disconnected
    anna = connected_helper()
    old = str(PayoutAccount.objects.get(helper=anna).stripe_account_id)
    _deliver(client, _deauthorize(anna))
    _logged_in(client, anna.user, "en")
    assert "Reconnect a payout account at Stripe" in client.get("/helper/payouts").content.decode()

    # When she reconnects through the onboarding: a new Express account on the same row
    started = client.post("/helper/payouts/onboard")

    assert started.status_code == 302
    account = PayoutAccount.objects.get(helper=anna)
    assert account.stripe_account_id not in (None, old)
    assert account.status == PayoutAccountStatus.DETAILS_MISSING
    assert list(
        StripeRequest.objects.filter(action="account_create").values_list(
            "idempotency_key", flat=True
        )
    ) == [
        f"quartier:payout-account:{account.public_id}:create:1",
        f"quartier:payout-account:{account.public_id}:create:2",
    ]
    assert HelperProfile.objects.get(pk=anna.pk).takes_payments is False
    assert _offers(post_request(UserFactory.create())) == set()

    # And once Stripe says the new account takes charges, paid requests come to her again
    finished = requests.get(
        f"{started['Location']}&state=charges_enabled", allow_redirects=False, timeout=5
    )
    assert finished.status_code == 302
    assert client.get("/helper/payouts/back").status_code == 302
    account.refresh_from_db()
    assert account.status == PayoutAccountStatus.CAN_TAKE_PAYMENTS
    assert HelperProfile.objects.get(pk=anna.pk).takes_payments is True
    assert _offers(post_request(UserFactory.create())) == {(anna.pk, "pending", "")}
    # And an event about the old account no longer touches the new one
    _deliver(
        client,
        json.loads(
            event_payload(
                "evt_old_again",
                "account.application.deauthorized",
                {"id": "ca_1", "object": "application"},
                old,
            )
        ),
    )
    account.refresh_from_db()
    assert account.status == PayoutAccountStatus.CAN_TAKE_PAYMENTS


DISCONNECTED = {
    "de": "Ihr Auszahlungskonto wurde von Quartier getrennt: Verbinden Sie es erneut, um wieder "
    "bezahlte Anfragen zu erhalten",
    "fr": "Votre compte de versement a été déconnecté de Quartier : reconnectez-le pour recevoir "
    "à nouveau des demandes payantes",
    "it": "Il suo conto di versamento è stato scollegato da Quartier: lo ricolleghi per ricevere "
    "di nuovo richieste a pagamento",
    "en": "Your payout account was disconnected from Quartier: reconnect it to get paid "
    "requests again",
}


def _disconnected_helper(client: Client, language: str) -> HelperProfile:
    helper = connected_helper(preferred_language=language)
    _deliver(client, _deauthorize(helper))
    User.objects.filter(pk=helper.user_id).update(preferred_language=language)
    return helper


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_the_helper_reads_to_reconnect_on_the_start_page_and_the_earnings(client, language):
    helper = _disconnected_helper(client, language)
    _logged_in(client, helper.user, language)
    told = f'<a href="/helper/payouts">{DISCONNECTED[language]}</a>'

    for page in ("/helper/", "/helper/earnings"):
        html = client.get(page).content.decode()
        assert html.count('id="offer-blockers"') == 1, page
        box = html.split('id="offer-blockers"')[1].split("</ul>")[0]
        assert told in box, page


def test_the_payout_page_says_the_account_was_disconnected(client):
    helper = _disconnected_helper(client, "de")
    _logged_in(client, helper.user, "de")

    html = client.get("/helper/payouts").content.decode()

    assert (
        "Ihr Auszahlungskonto wurde bei Stripe von Quartier getrennt, daher können Kundinnen und "
        "Kunden Sie nicht mehr bezahlen. Verbinden Sie erneut ein Auszahlungskonto, um wieder "
        "bezahlte Anfragen zu erhalten."
    ) in html
    assert "Auszahlungskonto bei Stripe erneut verbinden" in html


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_the_api_tells_the_helper_to_reconnect(client, language):
    helper = _disconnected_helper(client, language)
    # With the helper's own token, so that their stored language counts
    api = token_client(api_token(User.objects.get(pk=helper.user_id)))

    me = api.get(f"{API}/me").json()
    account = api.get(f"{API}/helper/payout-account").json()

    assert me["payout"] == {
        "can_take_charges": False,
        "action_needed": True,
        "disconnected": True,
        "message": DISCONNECTED[language],
        "payout_account_url": "http://testserver/api/v1/helper/payout-account",
    }
    assert account == {
        "status": "disconnected",
        "can_take_payments": False,
        "message": DISCONNECTED[language],
    }
