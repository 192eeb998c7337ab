"""The payments app's errors, each with a code of `payments.errors.PaymentError`."""

from __future__ import annotations

from backend.exceptions import ApplicationError, Conflict, ErrorCode, ValidationFailed
from payments.declines import CardDeclineReason
from payments.errors import PaymentError


class PaymentDeclined(ApplicationError):
    """The card was declined, or the bank wants the customer to confirm (3-D Secure);
    `decline_reason` says why (the API answers it beside the code)."""

    status = 402
    code = PaymentError.CARD_DECLINED

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | str | None = None,
        decline_reason: CardDeclineReason | None = None,
    ) -> None:
        super().__init__(message, code=code)
        if decline_reason is None:
            decline_reason = (
                CardDeclineReason.AUTHENTICATION_REQUIRED
                if self.code == PaymentError.AUTHENTICATION_REQUIRED
                else CardDeclineReason.DECLINED
            )
        self.decline_reason = decline_reason


class PaymentProviderUnavailable(ApplicationError):
    """Stripe answered with an error of its own or not in time: safe to try again (the same
    request carries the same idempotency key)."""

    status = 503
    code = PaymentError.PAYMENT_PROVIDER_UNAVAILABLE


class PaymentProviderRefused(Conflict):
    """Stripe refused the request as made (e.g. nothing left to refund)."""

    code = PaymentError.PAYMENT_PROVIDER_REFUSED


class HelperCannotTakePayments(Conflict):
    code = PaymentError.HELPER_CANNOT_TAKE_PAYMENTS


class NoPayoutAccount(Conflict):
    code = PaymentError.NO_PAYOUT_ACCOUNT


class RefundTooLarge(ValidationFailed):
    code = PaymentError.REFUND_EXCEEDS_CAPTURED


class IdempotencyKeyReused(ApplicationError):
    status = 422
    code = PaymentError.IDEMPOTENCY_KEY_REUSED


class IdempotentRequestInProgress(Conflict):
    code = PaymentError.IDEMPOTENCY_REQUEST_IN_PROGRESS


class WebhookRefused(ApplicationError):
    status = 400
    code = PaymentError.WEBHOOK_SIGNATURE_INVALID
