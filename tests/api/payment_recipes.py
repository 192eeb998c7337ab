"""The payment operations' codes: a payout account and payment in the state each rule needs,
and, for what Stripe answers, a scripted Stripe on 127.0.0.1 that answers every call with one
error (Stripe's own status and error object), so that the gateway's translation is what the
client meets."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.conf import settings
from django.test import override_settings

from bookings.models import Booking
from payments.models import (
    ExtraCharge,
    ExtraStatus,
    Payment,
    PaymentStatus,
    PayoutAccount,
    PayWith,
    Tip,
)
from payments.models import PayoutAccountStatus as Account
from tests.api.code_recipes import Call, Operation, World, send
from tests.api.domain_recipes import BOOKING, V1, Recipe, _add, _ids, body, booking_in

PAYMENT_METHOD = ("post", BOOKING + "/payment/method")
REFUNDS = ("post", BOOKING + "/payment/refunds")
PAY = ("post", BOOKING + "/payment/pay")
PAYOUT_ACCOUNT = ("post", V1 + "/helper/payout-account")
RECEIPT = ("get", BOOKING + "/receipt")
TIP = ("post", BOOKING + "/tip")
EARNINGS = ("get", V1 + "/helper/earnings")
EXTRA = ("post", BOOKING + "/extra")
EXTRA_READ = ("get", BOOKING + "/extra")
EXTRA_ANSWER = ("post", BOOKING + "/extra/answer")


@contextmanager
def stripe_answering(status: int, error: dict[str, str]) -> Iterator[None]:
    """Stripe, for the length of the block, answers every request with `status` and `error`."""
    payload = json.dumps({"error": {"message": "Scripted answer.", **error}}).encode()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = _answer

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    quartier = settings.QUARTIER.with_values(
        stripe_api_base=base, stripe_secret_key="", stripe_timeout_seconds=5.0
    )
    try:
        with override_settings(QUARTIER=quartier):
            yield
    finally:
        server.shutdown()
        server.server_close()


STRIPE_SAYS = {
    (402, "card_declined"): (402, {"type": "card_error", "code": "card_declined"}),
    (402, "authentication_required"): (
        402,
        {"type": "card_error", "code": "authentication_required"},
    ),
    (409, "payment_provider_refused"): (400, {"type": "invalid_request_error"}),
    (409, "payment_request_conflict"): (400, {"type": "idempotency_error"}),
    (503, "payment_provider_unavailable"): (500, {"type": "api_error"}),
}


def stripe_says(status: int, code: str) -> Recipe:
    answer_status, error = STRIPE_SAYS[(status, code)]

    def recipe(world: World, operation: Operation) -> Any:
        with stripe_answering(answer_status, error):
            return send(world, operation)

    return recipe


def payout_account(world: World, status: str = Account.CAN_TAKE_PAYMENTS) -> PayoutAccount:
    account, _created = PayoutAccount.objects.update_or_create(
        helper=world.helper,
        defaults={"stripe_account_id": f"acct_{world.helper.pk}", "status": status},
    )
    return account


def prepare_payments(world: World, operation: Operation) -> None:
    """A confirmed visit whose helper can take payments; for refunds, its payment captured; for
    a tip, a signed-off visit whose payment was captured from a card."""
    if operation in (EXTRA, EXTRA_READ, EXTRA_ANSWER):
        _prepare_extra(world, asked=operation != EXTRA)
        return
    if operation not in (PAYMENT_METHOD, REFUNDS, TIP, PAY):
        return
    booking = booking_in(world, "signed_off" if operation in (TIP, PAY) else "confirmed")
    world.overrides["booking_id"] = str(booking.public_id)
    account = payout_account(world)
    if operation == PAY:
        # Paid with TWINT: due since sign-off, waiting for the customer.
        assert booking.price_minor is not None
        Payment.objects.update_or_create(
            booking=booking,
            defaults={
                "payout_account": account,
                "status": PaymentStatus.DUE,
                "pay_with": PayWith.TWINT,
                "currency": booking.currency,
                "amount_minor": booking.price_minor,
                "due_minor": booking.price_minor,
                "payment_intent_id": f"pi_{booking.pk}",
            },
        )
    if operation in (REFUNDS, TIP):
        assert booking.price_minor is not None
        Payment.objects.update_or_create(
            booking=booking,
            defaults={
                "payout_account": account,
                "status": PaymentStatus.CAPTURED,
                "currency": booking.currency,
                "amount_minor": booking.price_minor,
                "authorised_minor": booking.price_minor,
                "captured_minor": booking.price_minor,
                "payment_intent_id": f"pi_{booking.pk}",
                "payment_method_id": "pm_card_visa",
            },
        )


def _payment_status(status: str) -> Recipe:
    def recipe(world: World, operation: Operation) -> Any:
        Payment.objects.filter(booking__public_id=world.params()["booking_id"]).update(
            status=status
        )
        return send(world, operation)

    return recipe


def _account_status(status: str | None) -> Recipe:
    def recipe(world: World, operation: Operation) -> Any:
        if status is None:
            PayoutAccount.objects.filter(helper=world.helper).delete()
        else:
            payout_account(world, status)
        return send(world, operation)

    return recipe


def _no_payment(world: World, operation: Operation) -> Any:
    """The world's booking: no time agreed yet, so no price and no payment."""
    return send(world, operation, params=_ids(world.booking))


def _in_euros(world: World, operation: Operation) -> Any:
    """TWINT chosen for a visit priced in euros: TWINT takes Swiss francs only."""
    Booking.objects.filter(public_id=world.params()["booking_id"]).update(currency="EUR")
    return send(world, operation, payment_method="twint")


_add("get", BOOKING + "/payment", {(409, "no_payment_yet"): _no_payment})
_add(
    *PAYMENT_METHOD,
    {
        **{key: stripe_says(*key) for key in STRIPE_SAYS},
        (400, "invalid_payment_method"): body(payment_method="card_4242"),
        (403, "not_allowed_for_role"): lambda w, o: send(w, o, role="helper"),
        (409, "no_payout_account"): _account_status(None),
        (409, "helper_cannot_take_payments"): _account_status(Account.PENDING_VERIFICATION),
        (409, "payment_not_expected"): _no_payment,
        (409, "payment_method_unavailable"): _in_euros,
    },
)
_PROVIDER = {key: stripe_says(*key) for key in STRIPE_SAYS if key[0] != 402}
_add(
    *REFUNDS,
    {
        **_PROVIDER,
        (400, "reason_required"): body(reason=""),
        (400, "refund_exceeds_captured"): body(amount_minor=10**6),
        (409, "no_payment_yet"): _no_payment,
        (409, "payment_not_refundable"): _payment_status(PaymentStatus.AUTHORISED),
    },
)
_add(
    *PAY,
    {
        **_PROVIDER,
        (403, "not_allowed_for_role"): lambda w, o: send(w, o, role="helper"),
        (409, "no_payment_yet"): _no_payment,
        (409, "payment_not_expected"): _payment_status(PaymentStatus.CAPTURED),
    },
)
_add(
    *PAYOUT_ACCOUNT,
    {**_PROVIDER, (403, "not_allowed_for_role"): lambda w, o: send(w, o, role="customer")},
)

_add(*RECEIPT, {(409, "no_receipt_yet"): lambda w, o: send(w, o)})


def _tipped(world: World, operation: Operation) -> Any:
    payment = Payment.objects.get(booking__public_id=world.params()["booking_id"])
    Tip.objects.create(
        booking_id=payment.booking_id,
        payment=payment,
        amount_minor=500,
        currency=payment.currency,
        payment_intent_id="pi_tip_before",
        charge_id="ch_tip_before",
    )
    return send(world, operation)


def _before_sign_off(world: World, operation: Operation) -> Any:
    """A visit confirmed and held, not yet done: too early for a tip."""
    booking = booking_in(world, "confirmed")
    assert booking.price_minor is not None
    Payment.objects.update_or_create(
        booking=booking,
        defaults={
            "payout_account": payout_account(world),
            "status": PaymentStatus.AUTHORISED,
            "currency": booking.currency,
            "amount_minor": booking.price_minor,
            "authorised_minor": booking.price_minor,
            "payment_intent_id": f"pi_{booking.pk}",
            "payment_method_id": "pm_card_visa",
        },
    )
    return send(world, operation, params=_ids(booking))


_add(
    *TIP,
    {
        **{key: stripe_says(*key) for key in STRIPE_SAYS},
        (400, "tip_out_of_bounds"): body(amount_minor=1),
        (400, "invalid_payment_method"): body(payment_method="card_4242"),
        (403, "not_allowed_for_role"): lambda w, o: send(w, o, role="helper"),
        (409, "already_tipped"): _tipped,
        (409, "helper_cannot_take_payments"): _account_status(Account.PENDING_VERIFICATION),
        (409, "no_payment_yet"): _no_payment,
        (409, "tip_before_sign_off"): _before_sign_off,
    },
)
_add(
    *EARNINGS,
    {
        (400, "invalid_year"): lambda w, o: Call(w, o, query="year=nineteen").send(),
        (403, "not_allowed_for_role"): lambda w, o: send(w, o, role="customer"),
    },
)


def _prepare_extra(world: World, *, asked: bool) -> None:
    """A visit in progress, held on a card; unless the helper is about to ask, extra time and
    material asked for and waiting for the customer."""
    booking = booking_in(world, "in_progress")
    world.overrides["booking_id"] = str(booking.public_id)
    assert booking.price_minor is not None
    payment, _created = Payment.objects.update_or_create(
        booking=booking,
        defaults={
            "payout_account": payout_account(world),
            "status": PaymentStatus.AUTHORISED,
            "currency": booking.currency,
            "amount_minor": booking.price_minor,
            "authorised_minor": booking.price_minor,
            "payment_intent_id": f"pi_{booking.pk}",
            "payment_method_id": "pm_card_visa",
        },
    )
    if asked:
        ExtraCharge.objects.create(
            booking=booking,
            payment=payment,
            minutes=20,
            price_minor=2000,
            amount_minor=2000,
            currency=payment.currency,
        )


def _extra_gone(world: World, operation: Operation) -> Any:
    ExtraCharge.objects.filter(booking__public_id=world.params()["booking_id"]).delete()
    return send(world, operation)


def _extra_asked(world: World, operation: Operation) -> Any:
    """Extra time already asked for on this visit: once per visit."""
    payment = Payment.objects.get(booking__public_id=world.params()["booking_id"])
    ExtraCharge.objects.create(
        booking_id=payment.booking_id,
        payment=payment,
        minutes=15,
        price_minor=1000,
        amount_minor=1000,
        currency=payment.currency,
    )
    return send(world, operation)


def _extra_answered(world: World, operation: Operation) -> Any:
    ExtraCharge.objects.filter(booking__public_id=world.params()["booking_id"]).update(
        status=ExtraStatus.DECLINED
    )
    return send(world, operation)


_add(
    *EXTRA,
    {
        (400, "extra_empty"): body(minutes=0, material_minor=0),
        (403, "not_allowed_for_role"): lambda w, o: send(w, o, role="customer"),
        (409, "extra_not_allowed"): _extra_asked,
        (409, "no_payment_yet"): _no_payment,
    },
)
_add(
    *EXTRA_READ,
    {(409, "no_extra"): _extra_gone, (409, "no_payment_yet"): _no_payment},
)
_add(
    *EXTRA_ANSWER,
    {
        **{key: stripe_says(*key) for key in STRIPE_SAYS},
        (403, "not_allowed_for_role"): lambda w, o: send(w, o, role="helper"),
        (409, "extra_not_pending"): _extra_answered,
        (409, "no_extra"): _extra_gone,
        (409, "no_payment_yet"): _no_payment,
    },
)
