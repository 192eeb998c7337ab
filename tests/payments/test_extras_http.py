"""Extra time or material above the hold, over HTTP against the emulator: the helper asks, the
customer consents (a second hold for exactly the extra's charge) or declines (the agreed price
stands), and sign-off captures each hold, never more than it holds. The receipt lists the
extra; the books balance with Quartier's share 0, and reconciliation finds nothing."""

from __future__ import annotations

import pytest

from backend.relay import relay_pending
from bookings.models import Booking, BookingStatus
from bookings.pricing import charge_for
from payments import stripe_gateway
from payments.models import (
    ExtraCharge,
    LedgerEntry,
    Payment,
    PaymentEvent,
    StripeRequest,
)
from payments.reconciliation import reconcile
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import UserFactory, make_booking
from tests.payments.money import (
    DECLINED_CARD,
    THREE_D_SECURE_CARD,
    assert_books_balance,
    card,
    clear_faults,
    connected_helper,
    fault,
    payment_of,
)

pytestmark = pytest.mark.django_db

PRICE = 4000  # one hour at CHF 40.00
# 20 extra minutes are two started quarter hours at CHF 40.00 an hour, plus CHF 15.50 material.
EXTRA_PRICE = 2000 + 1550
EXTRA_PATH = "/api/v1/bookings/{booking_id}/extra"


@pytest.fixture
def helper_bears_fee(settings):
    settings.QUARTIER = settings.QUARTIER.with_values(stripe_fee_paid_by="helper")


def _post(client, path: str, body: dict | None = None):
    answer = client.post(f"{API}{path}", body or {}, format="json")
    relay_pending()
    relay_pending()
    return answer


def _ok(client, path: str, body: dict | None = None) -> dict:
    answer = _post(client, path, body)
    assert answer.status_code in (200, 201), (path, answer.content)
    return answer.json()


def _visit_in_progress():
    helper = connected_helper()
    customer = UserFactory.create(preferred_language="en")
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    path = f"/bookings/{booking.public_id}"
    as_customer, as_helper = client_for(customer), client_for(helper.user)
    _ok(as_customer, f"{path}/payment/method", {"payment_method": card(helper)})
    proposal = booking.proposals.get(status="proposed")
    _ok(as_customer, f"{path}/confirm", {"proposal": str(proposal.public_id)})
    _ok(as_helper, f"{path}/on-my-way", {"eta_minutes": 10})
    _ok(as_helper, f"{path}/check-in")
    return booking, path, as_customer, as_helper


def _intents(booking: Booking) -> list[stripe_gateway.IntentState]:
    account = str(payment_of(booking).stripe_account_id)
    return stripe_gateway.payment_intents_list(account_id=account)


def test_a_consented_extra_is_held_apart_and_captured_with_the_visit(helper_bears_fee):
    booking, path, as_customer, as_helper = _visit_in_progress()

    asked = _post(
        as_helper,
        f"{path}/extra",
        {"minutes": 20, "material_minor": 1550, "note": "A new network cable."},
    )
    assert asked.status_code == 201, asked.content
    assert asked.json()["status"] == "asked"
    assert asked.json()["price_minor"] == asked.json()["charge_minor"] == EXTRA_PRICE
    assert as_customer.get(f"{API}{path}/extra").json()["note"] == "A new network cable."

    consented = _ok(as_customer, f"{path}/extra/answer", {"consent": True})
    assert consented["status"] == "authorised"
    assert consented["authorised_minor"] == EXTRA_PRICE
    extra = ExtraCharge.objects.get(booking=booking)
    held = {intent.id: intent for intent in _intents(booking)}
    assert held[str(extra.payment_intent_id)].status == "requires_capture"
    assert held[str(extra.payment_intent_id)].amount_capturable == EXTRA_PRICE
    # The visit's own hold is untouched.
    visit_hold = held[str(payment_of(booking).payment_intent_id)]
    assert (visit_hold.status, visit_hold.amount_capturable) == ("requires_capture", PRICE)
    assert reconcile() == []

    _ok(as_helper, f"{path}/check-out", {"work_summary": "Set up the router."})
    _ok(as_customer, f"{path}/sign-off")

    booking = Booking.objects.get(pk=booking.pk)
    payment, extra = payment_of(booking), ExtraCharge.objects.get(booking=booking)
    assert booking.status == BookingStatus.SETTLED
    assert (payment.status, payment.captured_minor) == ("captured", PRICE)
    assert (extra.status, extra.captured_minor) == ("captured", EXTRA_PRICE)
    assert extra.stripe_fee_minor > 0
    for intent in _intents(booking):
        assert intent.status == "succeeded"
        assert intent.amount_received <= intent.amount
        assert not intent.application_fee_amount
    balances = assert_books_balance(booking)
    assert -balances["customer"] == PRICE + EXTRA_PRICE
    receipt = as_customer.get(f"{API}{path}/receipt").json()
    assert receipt["price_minor"] == PRICE
    assert receipt["extra_minutes"] == 20
    assert receipt["extra_material_minor"] == 1550
    assert receipt["extra_price_minor"] == receipt["extra_charged_minor"] == EXTRA_PRICE
    assert receipt["charged_minor"] == receipt["customer_paid_minor"] == PRICE + EXTRA_PRICE
    assert receipt["stripe_fees_minor"] == payment.stripe_fee_minor + extra.stripe_fee_minor
    assert receipt["helper_receives_minor"] == PRICE + EXTRA_PRICE - receipt["stripe_fees_minor"]
    assert receipt["quartier_fee_minor"] == 0
    assert reconcile() == []

    # Stripe's fee booked otherwise than the balance transaction says: said for each intent.
    type(payment).objects.filter(pk=payment.pk).update(
        stripe_fee_minor=payment.stripe_fee_minor + 1
    )
    ExtraCharge.objects.filter(pk=extra.pk).update(stripe_fee_minor=extra.stripe_fee_minor + 2)
    found = [str(mismatch) for mismatch in reconcile()]
    assert (
        f"[quartier] {payment.public_id}: Stripe fee {payment.stripe_fee_minor + 1}, "
        f"the balance transaction says {payment.stripe_fee_minor}"
    ) in found
    assert (
        f"[quartier] extra {extra.public_id}: Stripe fee {extra.stripe_fee_minor + 2}, "
        f"the balance transaction says {extra.stripe_fee_minor}"
    ) in found


def test_the_customer_bearing_stripes_fee_is_held_for_the_grossed_up_extra(settings):
    settings.QUARTIER = settings.QUARTIER.with_values(stripe_fee_paid_by="customer")
    booking, path, as_customer, as_helper = _visit_in_progress()
    asked = _ok(as_helper, f"{path}/extra", {"minutes": 20, "material_minor": 1550})
    charge = charge_for(EXTRA_PRICE).charge_minor
    assert charge > EXTRA_PRICE
    assert (asked["price_minor"], asked["charge_minor"]) == (EXTRA_PRICE, charge)
    _ok(as_customer, f"{path}/extra/answer", {"consent": True})
    _ok(as_helper, f"{path}/check-out", {"work_summary": "Set up the router."})
    _ok(as_customer, f"{path}/sign-off")
    extra = ExtraCharge.objects.get(booking=booking)
    assert (extra.status, extra.captured_minor) == ("captured", charge)
    receipt = as_customer.get(f"{API}{path}/receipt").json()
    assert receipt["extra_price_minor"] == EXTRA_PRICE
    assert receipt["extra_charged_minor"] == charge
    assert_books_balance(booking)
    assert reconcile() == []


@pytest.mark.parametrize("how", ["declined", "not_answered"])
def test_a_refused_extra_leaves_the_agreed_amount(helper_bears_fee, how):
    booking, path, as_customer, as_helper = _visit_in_progress()
    _ok(as_helper, f"{path}/check-out", {"work_summary": "Set up the router."})
    _ok(as_helper, f"{path}/extra", {"minutes": 30})
    if how == "declined":
        declined = _ok(as_customer, f"{path}/extra/answer", {"consent": False})
        assert declined["status"] == "declined"
    _ok(as_customer, f"{path}/sign-off")

    booking = Booking.objects.get(pk=booking.pk)
    payment, extra = payment_of(booking), ExtraCharge.objects.get(booking=booking)
    assert booking.status == BookingStatus.SETTLED
    assert (payment.status, payment.captured_minor) == ("captured", PRICE)
    assert (extra.status, extra.payment_intent_id, extra.captured_minor) == ("declined", None, 0)
    assert len(_intents(booking)) == 1
    assert not StripeRequest.objects.filter(action__startswith="extra").exists()
    receipt = as_customer.get(f"{API}{path}/receipt").json()
    assert receipt["extra_price_minor"] == receipt["extra_charged_minor"] == 0
    assert receipt["charged_minor"] == PRICE
    assert -assert_books_balance(booking)["customer"] == PRICE
    assert reconcile() == []


def test_refusals_change_nothing(helper_bears_fee):
    booking, path, as_customer, as_helper = _visit_in_progress()

    def state() -> tuple:
        return (
            list(ExtraCharge.objects.values_list("status", "amount_minor", "authorised_minor")),
            LedgerEntry.objects.count(),
            StripeRequest.objects.count(),
            PaymentEvent.objects.count(),
            Payment.objects.values_list("status", "authorised_minor").get(booking=booking),
        )

    def refused(client, sub: str, body: dict, status: int, code: str) -> None:
        before = state()
        answer = _post(client, f"{path}{sub}", body)
        assert (answer.status_code, answer.json()["code"]) == (status, code), answer.content
        assert state() == before

    refused(as_customer, "/extra", {"minutes": 20}, 403, "not_allowed_for_role")
    refused(as_helper, "/extra", {"minutes": 0, "material_minor": 0}, 400, "extra_empty")
    refused(as_helper, "/extra", {"minutes": 9000}, 400, "extra_empty")
    refused(as_customer, "/extra/answer", {"consent": True}, 409, "no_extra")
    _ok(as_helper, f"{path}/extra", {"minutes": 20})
    refused(as_helper, "/extra", {"minutes": 20}, 409, "extra_not_allowed")
    refused(as_helper, "/extra/answer", {"consent": True}, 403, "not_allowed_for_role")
    stranger = client_for(UserFactory.create())
    assert stranger.get(f"{API}{path}/extra").status_code == 404
    _ok(as_customer, f"{path}/extra/answer", {"consent": False})
    refused(as_customer, "/extra/answer", {"consent": True}, 409, "extra_not_pending")


def test_an_extra_needs_a_visit_held_on_a_card_and_not_yet_signed_off(helper_bears_fee):
    booking, path, as_customer, as_helper = _visit_in_progress()
    _ok(as_helper, f"{path}/check-out", {"work_summary": "Set up the router."})
    _ok(as_customer, f"{path}/sign-off")
    answer = _post(as_helper, f"{path}/extra", {"minutes": 20})
    assert (answer.status_code, answer.json()["code"]) == (409, "extra_not_allowed")
    assert not ExtraCharge.objects.exists()


def test_stripe_down_while_consenting_holds_nothing_and_the_retry_holds_once(helper_bears_fee):
    booking, path, as_customer, as_helper = _visit_in_progress()
    _ok(as_helper, f"{path}/extra", {"minutes": 20, "material_minor": 1550})
    fault("error", "/v1/payment_intents", count=1)
    try:
        failed = _post(as_customer, f"{path}/extra/answer", {"consent": True})
    finally:
        clear_faults()
    assert (failed.status_code, failed.json()["code"]) == (503, "payment_provider_unavailable")
    extra = ExtraCharge.objects.get(booking=booking)
    assert (extra.status, extra.payment_intent_id) == ("asked", None)
    assert not StripeRequest.objects.filter(action="extra_authorise").exists()

    _ok(as_customer, f"{path}/extra/answer", {"consent": True})
    assert len(_intents(booking)) == 2
    assert ExtraCharge.objects.get(booking=booking).authorised_minor == EXTRA_PRICE
    assert reconcile() == []


@pytest.mark.parametrize(
    ("number", "code"),
    [(DECLINED_CARD, "card_declined"), (THREE_D_SECURE_CARD, "authentication_required")],
)
def test_a_card_refusing_the_extra_holds_nothing_more(helper_bears_fee, number, code):
    booking, path, as_customer, as_helper = _visit_in_progress()
    _ok(as_helper, f"{path}/extra", {"minutes": 20})
    # The card the visit is held on now refuses a new charge, or asks for 3-D Secure.
    Payment.objects.filter(booking=booking).update(payment_method_id=card(booking.helper, number))

    refused = _post(as_customer, f"{path}/extra/answer", {"consent": True})

    assert (refused.status_code, refused.json()["code"]) == (402, code)
    extra = ExtraCharge.objects.get(booking=booking)
    assert (extra.status, extra.failure_code, extra.authorised_minor) == ("declined", code, 0)
    visit_intent = payment_of(booking).payment_intent_id
    others = [intent for intent in _intents(booking) if intent.id != visit_intent]
    assert all(intent.status != "requires_capture" for intent in others)
    _ok(as_helper, f"{path}/check-out", {"work_summary": "Set up the router."})
    _ok(as_customer, f"{path}/sign-off")
    payment = payment_of(booking)
    assert (payment.status, payment.captured_minor) == ("captured", PRICE)
    assert -assert_books_balance(booking)["customer"] == PRICE
    assert reconcile() == []


@pytest.mark.parametrize(
    ("note", "code"),
    [
        ("Cable \u202e05.21 FHC", "forbidden_characters"),
        ("Cable\x1b[2J", "forbidden_characters"),
        ("\u200b", "nothing_visible"),
    ],
)
def test_an_extra_whose_note_hides_what_it_shows_is_refused_and_nothing_is_asked(
    helper_bears_fee, note, code
):
    # The customer reads the note to decide whether to pay the extra.
    booking, path, as_customer, as_helper = _visit_in_progress()
    answer = _post(as_helper, f"{path}/extra", {"minutes": 20, "note": note})
    assert_error(answer, 400, code, {"note"}, documented_in=("post", EXTRA_PATH))
    assert not ExtraCharge.objects.exists()


def test_an_extras_note_is_stored_normalised(helper_bears_fee):
    booking, path, as_customer, as_helper = _visit_in_progress()
    _ok(as_helper, f"{path}/extra", {"minutes": 20, "note": "  Ca\u0300ble HDMI "})
    assert ExtraCharge.objects.get(booking=booking).note == "Càble HDMI"
