"""What the customer and the helper of a visit still to come read while it will not be paid
because the helper's payout account was disconnected (`selectors.payment_lost_ahead`): on both
visit pages and in the API's `payout_warning`, in the reader's language.

A card held on that account cannot be charged on any account the helper connects since. A card
only given there, for a hold still to be placed, is asked for again as soon as an account the
helper connects takes payments (`payouts.payments_card_ask_again_on_new_account`): so the words
promise nothing for the one and say what would happen for the other.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from bookings.models import Booking
from payments.models import Payment, PaymentStatus
from payments.selectors import payment_lost_ahead


def card_was_held(payment: Payment) -> bool:
    """Whether the card of a payment lost ahead was held (rather than only given for a hold
    still to be placed)."""
    return payment.status == PaymentStatus.AUTHORISED


def payout_warning(booking: Booking, payment: Payment | None, reader_id: int) -> str | None:
    """The warning the visit's helper or customer (`reader_id`) reads, or None (anyone else,
    or a visit that will be paid)."""
    if payment is None or not payment_lost_ahead(booking, payment):
        return None
    held = card_was_held(payment)
    if reader_id == booking.helper.user_id:
        if held:
            return _(
                "Your payout account was disconnected from Quartier, and the customer's card "
                "for this visit was given on it: this visit will not be paid through Quartier, "
                "even if you connect a payout account again."
            )
        return _(
            "Your payout account was disconnected from Quartier, and the customer's card for "
            "this visit was given on it, so it cannot be charged there. If you connect a payout "
            "account again, the customer is asked for their card again before the visit; "
            "otherwise this visit will not be paid through Quartier."
        )
    if reader_id == booking.help_request.customer_id:
        if held:
            return _(
                "The helper's payout account was disconnected from Quartier, and your card for "
                "this visit was given on it: your card will not be charged for this visit."
            )
        return _(
            "The helper's payout account was disconnected from Quartier, and your card for this "
            "visit was given on it, so it will not be charged there. Should the helper connect "
            "a payout account again before the visit, you are asked for your card again."
        )
    return None
