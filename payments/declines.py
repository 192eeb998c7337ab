"""Why a card was refused, in Quartier's own words.

Stripe answers a refused card with an error `code` (`card_declined`, `expired_card`,
`incorrect_cvc`, `processing_error`, ...) and, for an issuer's decline, a `decline_code`
(`insufficient_funds`, `lost_card`, `do_not_honor`, ...), and an English message. Quartier never
shows that message: `decline_reason` folds Stripe's codes into a few stable reasons (the API's
`decline_reason`), and `decline_words` says each in the customer's language: what happened and
what to do (another card, the bank, a new try), never blaming the customer. A lost, stolen or
suspected card is said as a plain decline, as Stripe advises.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from payments.errors import PaymentError


class CardDeclineReason(StrEnum):
    """Why a card was refused; stable, one of the API's `decline_reason` values."""

    INSUFFICIENT_FUNDS = "insufficient_funds"
    LIMIT_EXCEEDED = "limit_exceeded"
    EXPIRED_CARD = "expired_card"
    INCORRECT_CVC = "incorrect_cvc"
    INCORRECT_NUMBER = "incorrect_number"
    INCORRECT_EXPIRY = "incorrect_expiry"
    PROCESSING_ERROR = "processing_error"
    AUTHENTICATION_REQUIRED = "authentication_required"
    CARD_NOT_SUPPORTED = "card_not_supported"
    # The bank declined without a reason it lets us tell (also lost, stolen, suspected cards).
    DECLINED = "declined"
    # A code Quartier does not know yet.
    UNKNOWN = "unknown"


_R = CardDeclineReason

# Why a payment was released without being charged: its account removed Quartier's access.
ACCOUNT_LOST = "payout_account_disconnected"
# A hold's failure: the card was given on the helper's payout account before they reconnected a
# new one, which cannot charge it; the customer gives the card again.
CARD_ON_OLD_ACCOUNT = "card_on_previous_payout_account"

# Stripe's decline codes (https://docs.stripe.com/declines/codes) and card error codes
# (https://docs.stripe.com/error-codes) that say more than "declined".
_BY_STRIPE_CODE: dict[str, CardDeclineReason] = {
    "insufficient_funds": _R.INSUFFICIENT_FUNDS,
    "card_velocity_exceeded": _R.LIMIT_EXCEEDED,
    "withdrawal_count_limit_exceeded": _R.LIMIT_EXCEEDED,
    "expired_card": _R.EXPIRED_CARD,
    "incorrect_cvc": _R.INCORRECT_CVC,
    "invalid_cvc": _R.INCORRECT_CVC,
    "incorrect_number": _R.INCORRECT_NUMBER,
    "invalid_number": _R.INCORRECT_NUMBER,
    "invalid_expiry_month": _R.INCORRECT_EXPIRY,
    "invalid_expiry_year": _R.INCORRECT_EXPIRY,
    "processing_error": _R.PROCESSING_ERROR,
    "try_again_later": _R.PROCESSING_ERROR,
    "reenter_transaction": _R.PROCESSING_ERROR,
    "issuer_not_available": _R.PROCESSING_ERROR,
    "approve_with_id": _R.PROCESSING_ERROR,
    "authentication_required": _R.AUTHENTICATION_REQUIRED,
    "payment_intent_authentication_failure": _R.AUTHENTICATION_REQUIRED,
    "card_not_supported": _R.CARD_NOT_SUPPORTED,
    "currency_not_supported": _R.CARD_NOT_SUPPORTED,
    "transaction_not_allowed": _R.CARD_NOT_SUPPORTED,
    "not_permitted": _R.CARD_NOT_SUPPORTED,
    "service_not_allowed": _R.CARD_NOT_SUPPORTED,
    "invalid_account": _R.CARD_NOT_SUPPORTED,
    "online_or_offline_pin_required": _R.CARD_NOT_SUPPORTED,
    "offline_pin_required": _R.CARD_NOT_SUPPORTED,
    "generic_decline": _R.DECLINED,
    "do_not_honor": _R.DECLINED,
    "do_not_try_again": _R.DECLINED,
    "call_issuer": _R.DECLINED,
    "card_declined": _R.DECLINED,
    "lost_card": _R.DECLINED,
    "stolen_card": _R.DECLINED,
    "fraudulent": _R.DECLINED,
    "merchant_blacklist": _R.DECLINED,
    "pickup_card": _R.DECLINED,
    "restricted_card": _R.DECLINED,
    "security_violation": _R.DECLINED,
    "revocation_of_authorization": _R.DECLINED,
    "revocation_of_all_authorizations": _R.DECLINED,
    "stop_payment_order": _R.DECLINED,
    "no_action_taken": _R.DECLINED,
    "new_account_information_available": _R.DECLINED,
    "pin_try_exceeded": _R.DECLINED,
    "incorrect_pin": _R.DECLINED,
    "invalid_pin": _R.DECLINED,
    "testmode_decline": _R.DECLINED,
    "invalid_amount": _R.DECLINED,
    "duplicate_transaction": _R.DECLINED,
}


def decline_reason(code: str | None, decline_code: str | None = None) -> CardDeclineReason:
    """The reason for Stripe's `code` and `decline_code`: the issuer's decline code when it
    says more, else the error code; a decline Quartier does not know is a plain decline, any
    other code `unknown`."""
    for stripe_code in (decline_code, code):
        found = _BY_STRIPE_CODE.get(stripe_code or "")
        if found is not None and found != _R.DECLINED:
            return found
    if (decline_code or "") in _BY_STRIPE_CODE or (code or "") in _BY_STRIPE_CODE:
        return _R.DECLINED
    return _R.UNKNOWN


def decline_words(reason: str) -> str:
    """What the customer reads (in the active language) for a card refused for `reason`:
    the one source of these words for the card form, the request page and the API."""
    words = {
        _R.INSUFFICIENT_FUNDS: _(
            "Your bank declined the card: the amount is not available on it at the moment. "
            "Please use another card, or enter this one again once your bank allows it."
        ),
        _R.LIMIT_EXCEEDED: _(
            "Your bank declined the card: a limit set on it has been reached. Please use "
            "another card, or ask your bank to raise the limit."
        ),
        _R.EXPIRED_CARD: _(
            "Your bank declined the card because it has expired. Please use another card."
        ),
        _R.INCORRECT_CVC: _(
            "The security code did not match the card. Please enter the card again and check "
            "the three digits on its back."
        ),
        _R.INCORRECT_NUMBER: _(
            "The card number was not recognised. Please enter the card again and check its number."
        ),
        _R.INCORRECT_EXPIRY: _(
            "The expiry date did not match the card. Please enter the card again and check its "
            "date."
        ),
        _R.PROCESSING_ERROR: _(
            "The card could not be processed just now, and nothing was charged. Please try "
            "again in a few minutes."
        ),
        _R.AUTHENTICATION_REQUIRED: _(
            "Your bank asks to confirm this payment (3-D Secure). Please confirm it with your "
            "bank, or use another card."
        ),
        _R.CARD_NOT_SUPPORTED: _(
            "This card cannot be used for this payment. Please use another card, or ask your "
            "bank whether it can be used for online payments."
        ),
        _R.DECLINED: _(
            "Your bank declined the card without giving a reason. Please use another card, or "
            "contact your bank."
        ),
    }
    try:
        return words[CardDeclineReason(reason)]
    except (KeyError, ValueError):
        return _(
            "The payment with this card did not go through, and nothing was charged. Please "
            "try again, or use another card."
        )


def failure_words(code: str, reason: str, *, twint: bool = False) -> str:
    """Why a payment's last card or try failed (its `failure_code` and `decline_reason`), in
    the reader's language, for the money panel the helper and the manager read: the reason
    named in a few words, never Stripe's code; "" when nothing failed. A `twint` payment's try
    is said as TWINT's, never as a card's: no card or bank is involved."""
    if not code:
        return ""
    if code == PaymentError.HELPER_CANNOT_TAKE_PAYMENTS:
        return _("The helper's payout account could not take payments")
    if code == CARD_ON_OLD_ACCOUNT:
        return _("The card was given for the helper's previous payout account")
    if code == ACCOUNT_LOST:
        return _("The helper's payout account was disconnected")
    if twint:
        return _twint_failure_words(code)
    words = {
        _R.INSUFFICIENT_FUNDS: _("Insufficient funds on the card"),
        _R.LIMIT_EXCEEDED: _("A limit of the card was reached"),
        _R.EXPIRED_CARD: _("The card has expired"),
        _R.INCORRECT_CVC: _("Wrong security code"),
        _R.INCORRECT_NUMBER: _("Wrong card number"),
        _R.INCORRECT_EXPIRY: _("Wrong expiry date"),
        _R.PROCESSING_ERROR: _("The card could not be processed"),
        _R.AUTHENTICATION_REQUIRED: _("The bank asked for a confirmation (3-D Secure)"),
        _R.CARD_NOT_SUPPORTED: _("The card cannot be used for this payment"),
        _R.DECLINED: _("Declined by the bank without a reason"),
    }
    try:
        known = CardDeclineReason(reason)
    except ValueError:
        known = decline_reason(code)
    return words.get(known) or _("The payment did not go through")


# What Stripe answers when a TWINT payment is declined or left unconfirmed in the TWINT app.
_TWINT_NOT_CONFIRMED = "payment_intent_authentication_failure"


def _twint_failure_words(code: str) -> str:
    if code == _TWINT_NOT_CONFIRMED:
        return _("The payment was not confirmed in the TWINT app")
    return _("The TWINT payment did not go through")
