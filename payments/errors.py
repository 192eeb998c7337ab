"""The payments' error codes: payout accounts, holds and captures, refunds, idempotency and
Stripe's webhook."""

from __future__ import annotations

from backend.exceptions import ErrorCode


class PaymentError(ErrorCode):
    # The card
    CARD_DECLINED = "card_declined", 402
    AUTHENTICATION_REQUIRED = "authentication_required", 402
    INVALID_PAYMENT_METHOD = "invalid_payment_method"
    # Stripe
    PAYMENT_PROVIDER_UNAVAILABLE = "payment_provider_unavailable", 503
    PAYMENT_PROVIDER_REFUSED = "payment_provider_refused", 409
    PAYMENT_REQUEST_CONFLICT = "payment_request_conflict", 409
    # The helper's payout account
    NO_PAYOUT_ACCOUNT = "no_payout_account", 409
    HELPER_CANNOT_TAKE_PAYMENTS = "helper_cannot_take_payments", 409
    # A visit's payment
    NO_PAYMENT_YET = "no_payment_yet", 409
    PAYMENT_NOT_EXPECTED = "payment_not_expected", 409
    # TWINT takes Swiss francs only.
    PAYMENT_METHOD_UNAVAILABLE = "payment_method_unavailable", 409
    # Refunds
    PAYMENT_NOT_REFUNDABLE = "payment_not_refundable", 409
    REFUND_EXCEEDS_CAPTURED = "refund_exceeds_captured"
    # Receipts
    NO_RECEIPT_YET = "no_receipt_yet", 409
    # Tips
    TIP_BEFORE_SIGN_OFF = "tip_before_sign_off", 409
    TIP_OUT_OF_BOUNDS = "tip_out_of_bounds"
    ALREADY_TIPPED = "already_tipped", 409
    # Extra time or material above the hold
    EXTRA_NOT_ALLOWED = "extra_not_allowed", 409
    EXTRA_EMPTY = "extra_empty"
    EXTRA_NOT_PENDING = "extra_not_pending", 409
    NO_EXTRA = "no_extra", 409
    # Earnings statements
    INVALID_YEAR = "invalid_year"
    # Idempotency-Key
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", 422
    IDEMPOTENCY_REQUEST_IN_PROGRESS = "idempotency_request_in_progress", 409
    # Stripe's webhook
    WEBHOOK_SIGNATURE_INVALID = "webhook_signature_invalid"
