"""Stripe's declining test cards, as Stripe documents them ("Testing: declined payments").

localstripe declines most of these only when a card is attached to a customer, which Quartier
never does, and answers every decline with a generic `card_declined` of type
`invalid_request_error`. Stripe declines them when a PaymentIntent is confirmed with them and
answers HTTP 402 with its error object: `type` `card_error`, the `code`, the issuer's
`decline_code` where Stripe gives one, the `message` (English, for the cardholder) and the
`param` the error is about (the security code, the expiry). The PaymentIntent stays in
`requires_payment_method` with the same error as its `last_payment_error`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from localstripe import resources
from localstripe.errors import UserError


@dataclass(frozen=True)
class Decline:
    code: str
    message: str
    decline_code: str | None = None
    param: str | None = None

    def error(self, charge_id: str) -> dict[str, Any]:
        """Stripe's error object for a charge declined with this card."""
        found: dict[str, Any] = {"type": "card_error", "code": self.code, "message": self.message}
        if self.decline_code is not None:
            found["decline_code"] = self.decline_code
        if self.param is not None:
            found["param"] = self.param
        found["charge"] = charge_id
        return found


_DECLINED = "Your card was declined."
GENERIC = Decline("card_declined", _DECLINED, "generic_decline")

# Stripe's test card numbers that decline when charged, with Stripe's answer for each.
DECLINES: dict[str, Decline] = {
    "4000000000000002": GENERIC,
    # Attaching to a customer succeeds, charging fails (localstripe's own card).
    "4000000000000341": GENERIC,
    "4000000000009995": Decline(
        "card_declined", "Your card has insufficient funds.", "insufficient_funds"
    ),
    "4000000000009987": Decline("card_declined", _DECLINED, "lost_card"),
    "4000000000009979": Decline("card_declined", _DECLINED, "stolen_card"),
    "4000000000006975": Decline(
        "card_declined",
        "Your card was declined for making repeated attempts too frequently or exceeding its "
        "amount limit.",
        "card_velocity_exceeded",
    ),
    "4000000000000069": Decline("expired_card", "Your card has expired.", param="exp_month"),
    "4000000000000127": Decline(
        "incorrect_cvc", "Your card's security code is incorrect.", param="cvc"
    ),
    "4000000000000119": Decline(
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}


_original_charging_is_declined = resources.PaymentMethod._charging_is_declined


def decline_for(method: Any) -> Decline | None:
    """How Stripe declines a charge on this card (a PaymentMethod, or localstripe's older
    cards and sources), None if it does not."""
    found = DECLINES.get(getattr(method, "_card_number", None) or "")
    if found is None and _original_charging_is_declined(method):
        return GENERIC
    return found


def _charging_is_declined(self: Any) -> bool:
    return decline_for(self) is not None


def _set_auth_failure(self: Any) -> None:
    source = str(self.payment_method)
    method = resources.PaymentMethod._api_retrieve(source) if source.startswith("pm_") else None
    decline = (decline_for(method) if method is not None else None) or GENERIC
    self.status = "failed"
    self.failure_code = decline.code
    self.failure_message = decline.message
    self._decline = decline


def _raise_failure(self: Any) -> None:
    decline = getattr(self, "_decline", GENERIC)
    error = UserError(402, decline.message)
    error.body = {"error": decline.error(self.id)}
    raise error


def _last_payment_error(self: Any) -> dict[str, Any] | None:
    if self._authentication_failed:
        return {
            "type": "card_error",
            "code": "payment_intent_authentication_failure",
            "message": "The provided PaymentMethod has failed authentication.",
        }
    charge = self.latest_charge
    if charge is not None and charge.status == "failed":
        found = getattr(charge, "_decline", GENERIC).error(charge.id)
        found["payment_method"] = {"id": charge.payment_method, "object": "payment_method"}
        return found
    return None


def install_declines() -> None:
    """Decline Stripe's test cards when they are charged, with Stripe's error object."""
    resources.PaymentMethod._charging_is_declined = _charging_is_declined
    resources.Charge._set_auth_failure = _set_auth_failure
    resources.Charge._raise_failure = _raise_failure
    resources.PaymentIntent.last_payment_error = property(_last_payment_error)
