"""A helper whose payout account stops taking charges keeps no pending paid offer: Stripe's
`account.updated` withdraws them, the requests go to the next helpers, and the helper is told
why in their language. Accepted offers, visits agreed and free helpers' offers stay."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from backend.models import OutboxEvent
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingEvent, BookingStatus, HelpRequest, Offer
from bookings.tasks import dispatch_offers
from helpers.models import HelperProfile
from helpers.services import helper_profile_update
from payments.models import PayoutAccount, PayoutAccountStatus, WebhookEvent
from tests.factories import UserFactory, pending_offer, post_request
from tests.payments.money import connected_helper, event_payload, sign

pytestmark = pytest.mark.django_db

DISPATCH = "bookings.tasks.dispatch_offers"


def _charges_disabled(client: Client, helper: HelperProfile, event_id: str) -> None:
    """Stripe says the helper's account can no longer take charges (more details needed)."""
    account = PayoutAccount.objects.get(helper=helper)
    obj = {
        "id": account.stripe_account_id,
        "object": "account",
        "details_submitted": True,
        "charges_enabled": False,
        "payouts_enabled": False,
    }
    payload = event_payload(event_id, "account.updated", obj)
    answer = client.post(
        "/stripe/webhook",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": sign(payload)},
    )
    assert answer.status_code == 200


def _offers(help_request: HelpRequest) -> set[tuple[int, str, str]]:
    return set(
        Offer.objects.filter(help_request=help_request).values_list(
            "helper_id", "status", "withdrawal_cause"
        )
    )


def _snapshot() -> dict[str, object]:
    return {
        "offers": sorted(Offer.objects.values_list("pk", "status", "withdrawal_cause")),
        "bookings": sorted(Booking.objects.values_list("pk", "status")),
        "booking_events": BookingEvent.objects.count(),
        "outbox": OutboxEvent.objects.count(),
        "tasks": DBTaskResult.objects.count(),
        "requests": sorted(HelpRequest.objects.values_list("pk", "status")),
    }


def test_charges_disabled_withdraw_the_pending_paid_offers_and_the_requests_go_to_others(client):
    # Given Anna (CHF 40 an hour, connected) with pending offers on two requests and an
    # accepted one on a third, Ben (connected too) offered the same requests, and Franz, who
    # helps for free with a connected account
    anna = connected_helper(display_name="Anna Meier", preferred_language="de")
    ben = connected_helper()
    franz = connected_helper()
    helper_profile_update(helper=franz, hourly_rate_minor=0)
    first, second, third = (post_request(UserFactory.create()) for _ in range(3))
    accepted = bookings.offer_accept(offer=pending_offer(third, anna), actor=anna.user)
    assert _offers(first) == {
        (anna.pk, "pending", ""),
        (ben.pk, "pending", ""),
        (franz.pk, "pending", ""),
    }
    # And Clara, connected since, whom nobody has offered anything yet
    clara = connected_helper()
    relay_pending()
    mail.outbox.clear()
    tasks_before = set(DBTaskResult.objects.values_list("pk", flat=True))
    events_before = BookingEvent.objects.filter(booking=accepted).count()

    # When Stripe says Anna's account can no longer take charges
    _charges_disabled(client, anna, "evt_anna_disabled")

    # Then her two pending offers are withdrawn for that cause; Ben's and Franz's stay
    assert PayoutAccount.objects.get(helper=anna).status == PayoutAccountStatus.PENDING_VERIFICATION
    for help_request in (first, second):
        assert _offers(help_request) == {
            (anna.pk, "withdrawn", "cannot_be_paid"),
            (ben.pk, "pending", ""),
            (franz.pk, "pending", ""),
        }
    # And her accepted offer and the visit agreed stay as they were
    assert Offer.objects.get(help_request=third, helper=anna).status == "accepted"
    accepted.refresh_from_db()
    assert accepted.status == BookingStatus.AWAITING_PROPOSAL
    assert BookingEvent.objects.filter(booking=accepted).count() == events_before
    # And each of the two requests is offered to the next helpers, as after a decline
    queued = DBTaskResult.objects.exclude(pk__in=tasks_before).filter(task_path=DISPATCH)
    assert sorted(task.args_kwargs["args"] for task in queued) == [[first.pk], [second.pk]]
    for help_request in (first, second):
        dispatch_offers.call(help_request.pk)
        assert _offers(help_request) == {
            (anna.pk, "withdrawn", "cannot_be_paid"),
            (ben.pk, "pending", ""),
            (franz.pk, "pending", ""),
            (clara.pk, "pending", ""),
        }

    # And Anna is told once, in German, which offers went and why
    relay_pending()
    sent = [m for m in mail.outbox if m.to == [anna.user.email]]
    assert [m.subject for m in sent] == [
        "Angebote zurückgezogen: Ihr Auszahlungskonto kann keine Zahlungen entgegennehmen"
    ]
    assert sent[0].body == (
        "Hallo Anna Meier,\n\n"
        "Ihr Auszahlungskonto kann zurzeit keine Zahlungen entgegennehmen, daher könnte keine "
        "Kundin und kein Kunde einen bezahlten Besuch mit Ihnen bestätigen. Wir haben Ihre 2 "
        "offenen Angebote zurückgezogen:\n\n"
        "- Internet & WLAN, 8001 Zürich\n- Internet & WLAN, 8001 Zürich\n\n"
        "Die Anfragen werden anderen Helferinnen und Helfern angeboten.\n\n"
        "Bezahlte Anfragen erhalten Sie wieder, sobald Ihr Auszahlungskonto Zahlungen "
        "entgegennehmen kann: Die Startseite der Helfer-App zeigt, was noch fehlt.\n\n"
        "Quartier"
    )
    assert [m for m in mail.outbox if m.to != [anna.user.email]] == []


def test_the_same_webhook_twice_changes_nothing_the_second_time(client):
    # Given Anna, connected, with a pending offer, and Stripe's event that disabled her charges
    anna = connected_helper()
    help_request = post_request(UserFactory.create())
    _charges_disabled(client, anna, "evt_twice")
    assert _offers(help_request) == {(anna.pk, "withdrawn", "cannot_be_paid")}
    relay_pending()
    mail.outbox.clear()
    before = _snapshot()

    # When Stripe delivers the same event again, and then another with the same state
    _charges_disabled(client, anna, "evt_twice")
    _charges_disabled(client, anna, "evt_same_state")

    # Then nothing changed, nothing was queued and nobody was told anything
    assert _snapshot() == before
    assert WebhookEvent.objects.get(stripe_event_id="evt_twice").outcome == "applied"
    assert WebhookEvent.objects.get(stripe_event_id="evt_same_state").outcome == "applied"
    relay_pending()
    assert mail.outbox == []


def test_a_helper_who_works_for_free_keeps_their_offers_when_charges_stop(client):
    # Given Franz, who helps for free, with a connected account and a pending offer
    franz = connected_helper()
    helper_profile_update(helper=franz, hourly_rate_minor=0)
    help_request = post_request(UserFactory.create())
    relay_pending()
    mail.outbox.clear()
    before = _snapshot()
    tasks_before = set(DBTaskResult.objects.values_list("pk", flat=True))

    # When Stripe says his account can no longer take charges
    _charges_disabled(client, franz, "evt_franz")

    # Then his offer stays pending, nothing is queued for it, and nobody is told anything
    assert PayoutAccount.objects.get(helper=franz).status == (
        PayoutAccountStatus.PENDING_VERIFICATION
    )
    assert _offers(help_request) == {(franz.pk, "pending", "")}
    after = _snapshot()
    assert (after["offers"], after["bookings"], after["requests"]) == (
        before["offers"],
        before["bookings"],
        before["requests"],
    )
    assert not DBTaskResult.objects.exclude(pk__in=tasks_before).filter(task_path=DISPATCH)
    relay_pending()
    assert mail.outbox == []
