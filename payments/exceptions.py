"""The payments app's errors, each with a stable code."""

from __future__ import annotations

from backend.exceptions import ApplicationError, Conflict, ValidationFailed


class PaymentDeclined(ApplicationError):
    """The card was declined, or the bank wants the customer to confirm (3-D Secure)."""

    status = 402
    code = "card_declined"


class PaymentProviderUnavailable(ApplicationError):
    """Stripe answered with an error of its own or not in time: safe to try again (the same
    request carries the same idempotency key)."""

    status = 503
    code = "payment_provider_unavailable"


class PaymentProviderRefused(Conflict):
    """Stripe refused the request as made (e.g. nothing left to refund)."""

    code = "payment_provider_refused"


class HelperCannotTakePayments(Conflict):
    code = "helper_cannot_take_payments"


class NoPayoutAccount(Conflict):
    code = "no_payout_account"


class PaymentNotFound(ApplicationError):
    status = 404
    code = "not_found"


class RefundTooLarge(ValidationFailed):
    code = "refund_exceeds_captured"


class CurrencyMismatch(ValidationFailed):
    code = "currency_mismatch"


class IdempotencyKeyReused(ApplicationError):
    status = 422
    code = "idempotency_key_reused"


class WebhookRefused(ApplicationError):
    status = 400
    code = "webhook_signature_invalid"
