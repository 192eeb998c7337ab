"""The small steps every payments write is made of: Stripe idempotency keys and the record of
each request, the ledger's entries, the one lock order, and Stripe's actual fee.

A key is made of our own row and attempt (`quartier:<payment>:<action>:<attempt>`) and recorded
in `StripeRequest` before the call; the ledger is appended to and never changed.
"""

from __future__ import annotations

from backend import clock
from bookings.models import Booking
from bookings.services.locks import lock_booking
from payments import stripe_gateway
from payments.models import LedgerAccount, LedgerEntry, Payment, PayoutAccount, StripeRequest

# --- Idempotency keys and the ledger -----------------------------------------------------------


def _key(payment: Payment, action: str, attempt: int | None = None) -> str:
    return f"quartier:{payment.public_id}:{action}:{attempt or payment.attempt}"


def _record_request(
    key: str,
    action: str,
    *,
    payment: Payment | None = None,
    payout_account: PayoutAccount | None = None,
) -> StripeRequest:
    request, _created = StripeRequest.objects.get_or_create(
        idempotency_key=key,
        defaults={"action": action, "payment": payment, "payout_account": payout_account},
    )
    return request


def _answered(key: str, stripe_object_id: str) -> None:
    StripeRequest.objects.filter(idempotency_key=key).update(
        stripe_object_id=stripe_object_id, answered_at=clock.now()
    )


def _book(
    payment: Payment, kind: str, debit: str, credit: str, amount: int, reference: str
) -> None:
    """One ledger entry, once per (payment, kind, Stripe object); nothing for 0."""
    if amount <= 0:
        return
    LedgerEntry.objects.get_or_create(
        payment=payment,
        kind=kind,
        reference=reference,
        defaults={
            "booking_id": payment.booking_id,
            "debit": debit,
            "credit": credit,
            "amount_minor": amount,
            "currency": payment.currency,
        },
    )


_C, _H, _HOLD, _S = (
    LedgerAccount.CUSTOMER,
    LedgerAccount.HELPER,
    LedgerAccount.HOLD,
    LedgerAccount.STRIPE,
)


def _lock(payment: Payment) -> tuple[Booking, Payment]:
    """The booking's row, then the payment's: the one lock order of the payments services."""
    booking = lock_booking(payment.booking)
    locked = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("payout_account")
        .get(pk=payment.pk)
    )
    return booking, locked


def _stripe_fee(
    payment: Payment, intent: stripe_gateway.IntentState, *, account_id: str | None = None
) -> tuple[int, str, str]:
    """Stripe's actual fee, from the charge's balance transaction, on the account the intent
    lives on (`account_id`, the payment's unless given: a tip's may be another)."""
    if intent.charge_id is None:
        raise AssertionError("a captured PaymentIntent has a charge")
    account_id = account_id or payment.stripe_account_id
    charge = stripe_gateway.charge_retrieve(account_id=account_id, charge_id=intent.charge_id)
    if charge.balance_transaction_id is None:
        return 0, charge.id, ""
    txn = stripe_gateway.balance_transaction_retrieve(
        account_id=account_id, txn_id=charge.balance_transaction_id
    )
    return txn.fee, charge.id, txn.id
