"""Reconciliation: the ledger and the payments against Stripe's own objects, both ways.

For each helper's account: every PaymentIntent at Stripe that holds or took money must be a
payment of ours in the matching state with the same amounts (captured, refunded, Stripe's fee
from the balance transaction); every payment of ours that Stripe should know must be there.
Each booking's ledger must balance: nothing left on hold once the payment is over, the customer's
payments equal the helper's receipts plus Stripe's fees, and Quartier's share is 0.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Sum

from backend import clock
from payments import stripe_gateway
from payments.models import (
    ExtraCharge,
    ExtraStatus,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
    PayoutAccount,
    PayoutAccountStatus,
    ReconciliationRun,
    Tip,
)
from payments.selectors import ledger_balances

_P = PaymentStatus
# What Stripe's PaymentIntent status is for each state of ours that has one.
EXPECTED_INTENT_STATUS: dict[str, str] = {
    _P.AUTHORISED: "requires_capture",
    _P.CAPTURED: "succeeded",
    _P.REFUNDED: "succeeded",
    _P.RELEASED: "canceled",
}
# A due TWINT payment's PaymentIntent waits for the customer (or for TWINT's page).
DUE_INTENT_STATUSES = ("requires_payment_method", "requires_confirmation", "requires_action")


@dataclass(frozen=True)
class Mismatch:
    where: str  # "stripe", "quartier" or "ledger"
    reference: str
    problem: str

    def __str__(self) -> str:
        return f"[{self.where}] {self.reference}: {self.problem}"


def reconcile_and_record(
    *, progress: Callable[[Iterable[PayoutAccount]], Iterable[PayoutAccount]] = iter
) -> ReconciliationRun:
    """Reconcile, and keep the outcome (the manager's money view shows the latest)."""
    started_at = clock.now()
    mismatches = reconcile(progress=progress)
    return ReconciliationRun.objects.create(
        started_at=started_at,
        finished_at=clock.now(),
        mismatch_count=len(mismatches),
        mismatches=[str(mismatch) for mismatch in mismatches],
    )


def reconcile(
    *, progress: Callable[[Iterable[PayoutAccount]], Iterable[PayoutAccount]] = iter
) -> list[Mismatch]:
    """Every mismatch found, on either side (an empty list: the books agree with Stripe)."""
    mismatches: list[Mismatch] = []
    # A disconnected account answers nothing (403): its payments were released unpaid.
    accounts = list(
        PayoutAccount.objects.exclude(stripe_account_id=None)
        .exclude(status=PayoutAccountStatus.DISCONNECTED)
        .order_by("pk")
    )
    seen_intents: set[str] = set()
    for account in progress(accounts):
        account_id = str(account.stripe_account_id)
        for intent in stripe_gateway.payment_intents_list(account_id=account_id):
            seen_intents.add(intent.id)
            mismatches += _check_intent(account_id, intent)
    payments = list(
        Payment.objects.exclude(payment_intent_id=None).select_related("payout_account")
    )
    # Money on an account that removed Quartier's access is out of sight there.
    lost = {payment.pk for payment in payments if payment.account_lost}
    for payment in payments:
        if payment.payment_intent_id not in seen_intents and payment.pk not in lost:
            mismatches.append(
                Mismatch("quartier", str(payment.public_id), "its PaymentIntent is not at Stripe")
            )
    # A tip lives on the account it was given on (after a reconnection, not the payment's).
    reconciled = {str(account.stripe_account_id) for account in accounts}
    unseen_tips = Tip.objects.exclude(payment_intent_id__in=seen_intents).select_related(
        "payment__payout_account"
    )
    for tip in unseen_tips:
        if tip.stripe_account_id in reconciled:
            mismatches.append(Mismatch("quartier", str(tip.public_id), "its tip is not at Stripe"))
    unseen_extras = (
        ExtraCharge.objects.exclude(payment_intent_id=None)
        .exclude(payment_intent_id__in=seen_intents)
        .exclude(payment_id__in=lost)
    )
    for extra in unseen_extras:
        mismatches.append(Mismatch("quartier", f"extra {extra.public_id}", "not at Stripe"))
    for booking_id in Payment.objects.values_list("booking_id", flat=True).order_by("booking_id"):
        mismatches += _check_ledger(booking_id)
    return mismatches


def _check_intent(account_id: str, intent: stripe_gateway.IntentState) -> list[Mismatch]:
    holds_money = intent.status in ("requires_capture", "succeeded")
    payment = Payment.objects.filter(payment_intent_id=intent.id).first()
    if payment is None:
        tip = Tip.objects.select_related("payment__payout_account").filter(
            payment_intent_id=intent.id
        )
        if tip.exists():
            return _check_tip(account_id, intent, tip.get())
        extra = ExtraCharge.objects.select_related("payment__payout_account").filter(
            payment_intent_id=intent.id
        )
        if extra.exists():
            return _check_extra(account_id, intent, extra.get())
        if holds_money:
            return [
                Mismatch("stripe", intent.id, f"{intent.status} at Stripe, unknown to Quartier")
            ]
        return []
    found: list[Mismatch] = []
    ref = str(payment.public_id)
    if payment.stripe_account_id != account_id:
        found.append(Mismatch("quartier", ref, "the PaymentIntent is on another account"))
    expected = EXPECTED_INTENT_STATUS.get(payment.status)
    if payment.status == _P.DUE and intent.status in DUE_INTENT_STATUSES:
        expected = intent.status
    if expected != intent.status:
        found.append(
            Mismatch("quartier", ref, f"is {payment.status}, Stripe's intent is {intent.status}")
        )
    if intent.application_fee_amount:
        found.append(Mismatch("stripe", intent.id, "carries an application fee"))
    if intent.currency != payment.currency:
        found.append(Mismatch("quartier", ref, f"currency {payment.currency} ≠ {intent.currency}"))
    if intent.status == "succeeded":
        if intent.amount_received != payment.captured_minor:
            found.append(
                Mismatch(
                    "quartier",
                    ref,
                    f"captured {payment.captured_minor}, Stripe received {intent.amount_received}",
                )
            )
        refunded = sum(
            refund.amount
            for refund in stripe_gateway.refunds_list(account_id=account_id, intent_id=intent.id)
            if refund.status == "succeeded"
        )
        if refunded != payment.refunded_minor:
            found.append(
                Mismatch(
                    "quartier",
                    ref,
                    f"refunded {payment.refunded_minor}, Stripe refunded {refunded}",
                )
            )
        found += _fee_mismatch(
            account_id, ref, payment.stripe_fee_minor, txn_id=_charge_txn(account_id, intent)
        )
    return found


def _check_tip(account_id: str, intent: stripe_gateway.IntentState, tip: Tip) -> list[Mismatch]:
    """A tip is a charge taken at once: succeeded, for the tip's amount, no application fee,
    with Stripe's fee as booked."""
    ref = f"tip {tip.public_id}"
    found: list[Mismatch] = []
    if tip.stripe_account_id != account_id:
        found.append(Mismatch("quartier", ref, "the PaymentIntent is on another account"))
    if intent.status != "succeeded" or intent.amount_received != tip.amount_minor:
        found.append(
            Mismatch(
                "quartier",
                ref,
                f"tip of {tip.amount_minor}, Stripe's intent is {intent.status} "
                f"with {intent.amount_received} received",
            )
        )
    if intent.application_fee_amount:
        found.append(Mismatch("stripe", intent.id, "carries an application fee"))
    found += _fee_mismatch(account_id, ref, tip.stripe_fee_minor, txn_id=tip.balance_transaction_id)
    return found


# What Stripe's PaymentIntent status is for each state of an extra that has one.
EXPECTED_EXTRA_STATUS: dict[str, str] = {
    ExtraStatus.AUTHORISED: "requires_capture",
    ExtraStatus.CAPTURED: "succeeded",
    ExtraStatus.RELEASED: "canceled",
}


def _check_extra(
    account_id: str, intent: stripe_gateway.IntentState, extra: ExtraCharge
) -> list[Mismatch]:
    """An extra's hold: in the matching state, holding or having taken exactly what we book,
    no application fee, with Stripe's fee as booked."""
    ref = f"extra {extra.public_id}"
    found: list[Mismatch] = []
    if extra.payment.stripe_account_id != account_id:
        found.append(Mismatch("quartier", ref, "the PaymentIntent is on another account"))
    if EXPECTED_EXTRA_STATUS.get(extra.status) != intent.status:
        found.append(Mismatch("quartier", ref, f"is {extra.status}, Stripe's is {intent.status}"))
    if intent.application_fee_amount:
        found.append(Mismatch("stripe", intent.id, "carries an application fee"))
    if intent.status == "requires_capture" and intent.amount_capturable != extra.authorised_minor:
        found.append(Mismatch("quartier", ref, f"holds {extra.authorised_minor}, Stripe differs"))
    if intent.status == "succeeded":
        if intent.amount_received != extra.captured_minor:
            found.append(
                Mismatch(
                    "quartier",
                    ref,
                    f"captured {extra.captured_minor}, Stripe received {intent.amount_received}",
                )
            )
        found += _fee_mismatch(
            account_id, ref, extra.stripe_fee_minor, txn_id=_charge_txn(account_id, intent)
        )
    return found


def _charge_txn(account_id: str, intent: stripe_gateway.IntentState) -> str | None:
    """The balance transaction of the charge that took an intent's money, if Stripe made one."""
    if intent.charge_id is None:
        return None
    charge = stripe_gateway.charge_retrieve(account_id=account_id, charge_id=intent.charge_id)
    return charge.balance_transaction_id


def _fee_mismatch(
    account_id: str, ref: str, booked_fee_minor: int, *, txn_id: str | None
) -> list[Mismatch]:
    """Stripe's fee as booked against the balance transaction's (none to compare: no mismatch)."""
    if not txn_id:
        return []
    txn = stripe_gateway.balance_transaction_retrieve(account_id=account_id, txn_id=txn_id)
    if txn.fee == booked_fee_minor:
        return []
    return [
        Mismatch(
            "quartier",
            ref,
            f"Stripe fee {booked_fee_minor}, the balance transaction says {txn.fee}",
        )
    ]


def _check_ledger(booking_id: int) -> list[Mismatch]:
    payment = Payment.objects.get(booking_id=booking_id)
    ref = f"booking {booking_id}"
    balances = ledger_balances(booking_id=booking_id)
    found: list[Mismatch] = []
    if balances["quartier"] != 0:
        found.append(Mismatch("ledger", ref, f"Quartier's share is {balances['quartier']}"))
    if -balances["customer"] - balances["hold"] != balances["helper"] + balances["stripe"]:
        found.append(Mismatch("ledger", ref, f"does not balance: {balances}"))
    extra = ExtraCharge.objects.filter(booking_id=booking_id).first()
    held = payment.authorised_minor if payment.status == _P.AUTHORISED else 0
    if extra is not None and extra.status == ExtraStatus.AUTHORISED:
        held += extra.authorised_minor
    if balances["hold"] != held:
        found.append(
            Mismatch("ledger", ref, f"{balances['hold']} on hold, the payments hold {held}")
        )
    booked = dict(
        LedgerEntry.objects.filter(payment=payment)
        .values("kind")
        .annotate(total=Sum("amount_minor"))
        .values_list("kind", "total")
    )
    captured = booked.get(LedgerKind.CAPTURED, 0) + booked.get(LedgerKind.CANCELLATION_FEE, 0)
    extra_captured = extra.captured_minor if extra is not None else 0
    if captured != payment.captured_minor + extra_captured:
        found.append(
            Mismatch(
                "ledger",
                ref,
                f"books {captured} captured, payments say {payment.captured_minor + extra_captured}",
            )
        )
    if booked.get(LedgerKind.REFUNDED, 0) != payment.refunded_minor:
        found.append(Mismatch("ledger", ref, "refunds differ from the payment's"))
    tip = Tip.objects.filter(booking_id=booking_id).first()
    other_fees = tip.stripe_fee_minor if tip is not None else 0
    other_fees += extra.stripe_fee_minor if extra is not None else 0
    if booked.get(LedgerKind.STRIPE_FEE, 0) != payment.stripe_fee_minor + other_fees:
        found.append(Mismatch("ledger", ref, "Stripe's fee differs from the payment's"))
    if booked.get(LedgerKind.TIPPED, 0) != (tip.amount_minor if tip is not None else 0):
        found.append(Mismatch("ledger", ref, "the tip differs from the ledger's"))
    return found
