"""The e-mails about a visit's payment, each in its recipient's preferred language."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext as _

from backend.emails import send_notice
from backend.formats import written
from backend.models import User
from backend.money import Money
from bookings.models import Booking
from payments.declines import decline_reason, decline_words
from payments.errors import PaymentError
from payments.models import Payment
from payments.warnings import card_was_held

# An e-mail's subject and body, written (in the reader's language) for the visit's time.
Words = Callable[[str], tuple[str, str]]


def _visit_time(booking: Booking) -> str:
    if booking.starts_at is None:
        return ""
    return written.moment_in_sentence(booking.starts_at)


def _tell(person: User, booking: Booking, words: Words) -> None:
    """Send `person` the e-mail `words` writes, in their language, with the visit's time said
    the way that language says it."""
    with translation.override(person.preferred_language):
        subject, body = words(_visit_time(booking))
        send_notice(person, subject, body)


def _helper_why(code: str) -> str:
    """Why the card was not held, as the helper reads it: a card refused is said plainly,
    without what the customer's bank answered."""
    if code == PaymentError.HELPER_CANNOT_TAKE_PAYMENTS:
        return _("the helper's payout account cannot take payments at the moment")
    return _("the card was declined")


def _card_refused_words(payment: Payment) -> str:
    """What the customer reads of a refused card: the words of the card's page (what happened
    and what to do), from the reason recorded, else from Stripe's code."""
    return decline_words(payment.decline_reason or decline_reason(payment.failure_code))


def send_hold_failed(payment: Payment) -> None:
    """Tell the customer and the helper that the card could not be held: the customer gives
    another card (or confirms with their bank) in the app; until then the visit cannot start."""
    booking = payment.booking
    customer = booking.help_request.customer
    helper = booking.helper.user
    amount = Money(payment.amount_minor, payment.currency).format()

    def to_customer(when: str) -> tuple[str, str]:
        subject = _("Your card could not be held for the visit on %(when)s") % {"when": when}
        values = {
            "name": customer.display_name,
            "amount": amount,
            "helper": helper.display_name,
            "when": when,
        }
        if payment.failure_code == PaymentError.HELPER_CANNOT_TAKE_PAYMENTS:
            values["why"] = _helper_why(payment.failure_code)
            return subject, _(
                "Hello %(name)s,\n\n"
                "We could not hold %(amount)s on your card for the visit of %(helper)s on "
                "%(when)s: %(why)s.\n\n"
                "Please open the visit in the Quartier app and give another card, or confirm the "
                "payment with your bank. Until the amount is held, the visit cannot start; nothing "
                "has been charged.\n\n"
                "Quartier"
            ) % values
        values["why"] = _card_refused_words(payment)
        return subject, _(
            "Hello %(name)s,\n\n"
            "We could not hold %(amount)s on your card for the visit of %(helper)s on "
            "%(when)s.\n\n"
            "%(why)s\n\n"
            "The visit's page in the Quartier app takes another card or your bank's "
            "confirmation. Until the amount is held, the visit cannot start; nothing has been "
            "charged.\n\n"
            "Quartier"
        ) % values

    def to_helper(when: str) -> tuple[str, str]:
        subject = _("The customer's card is not held yet for the visit on %(when)s") % {
            "when": when
        }
        body = _(
            "Hello %(name)s,\n\n"
            "The card of %(customer)s could not be held for the visit on %(when)s: %(why)s. "
            "We have asked them to give another card.\n\n"
            "The visit stays confirmed, and the app lets you set off once the amount is "
            "held.\n\n"
            "Quartier"
        ) % {
            "name": helper.display_name,
            "customer": customer.display_name,
            "when": when,
            "why": _helper_why(payment.failure_code),
        }
        return subject, body

    _tell(customer, booking, to_customer)
    _tell(helper, booking, to_helper)


def send_card_needed_again(payment: Payment) -> None:
    """Tell the customer and the helper that the card given for the visit cannot be held: it
    was given on the helper's payout account before they connected a new one, which cannot
    charge it. The customer enters the card again in the app; the visit stays booked."""
    booking = payment.booking
    customer = booking.help_request.customer
    helper = booking.helper.user
    amount = Money(payment.amount_minor, payment.currency).format()

    def to_customer(when: str) -> tuple[str, str]:
        subject = _("Please enter your card again for the visit on %(when)s") % {"when": when}
        body = _(
            "Hello %(name)s,\n\n"
            "%(helper)s has connected a new payout account to Quartier since you gave your card "
            "for the visit on %(when)s, and a card given for the old account cannot be charged "
            "on the new one. Nothing has been charged, and the visit stays booked.\n\n"
            "Please open the visit in the Quartier app and enter your card again, so that "
            "%(amount)s can be held on it. Until the amount is held, the visit cannot start.\n\n"
            "Quartier"
        ) % {
            "name": customer.display_name,
            "helper": helper.display_name,
            "when": when,
            "amount": amount,
        }
        return subject, body

    def to_helper(when: str) -> tuple[str, str]:
        subject = _("The customer's card is asked for again for the visit on %(when)s") % {
            "when": when
        }
        body = _(
            "Hello %(name)s,\n\n"
            "The card of %(customer)s for the visit on %(when)s was given for the payout "
            "account you had before connecting your new one, so it cannot be charged on the "
            "new account. We have asked them to enter their card again.\n\n"
            "The visit stays confirmed, and the app lets you set off once the amount is "
            "held.\n\n"
            "Quartier"
        ) % {"name": helper.display_name, "customer": customer.display_name, "when": when}
        return subject, body

    _tell(customer, booking, to_customer)
    _tell(helper, booking, to_helper)


def send_card_needed_again_before_confirming(payment: Payment) -> None:
    """Tell the customer and the helper that the card given for the helper's proposed times,
    before a time was confirmed, cannot be held: it was given on the helper's payout account
    before they connected a new one. The customer enters the card again, then confirms a time;
    no time is chosen yet, so none is named."""
    booking = payment.booking
    customer = booking.help_request.customer
    helper = booking.helper.user

    def to_customer(when: str) -> tuple[str, str]:
        subject = _("Please enter your card again to confirm a time with %(helper)s") % {
            "helper": helper.display_name
        }
        body = _(
            "Hello %(name)s,\n\n"
            "%(helper)s has connected a new payout account to Quartier since you gave your card "
            "for the times they proposed, and a card given for the old account cannot be "
            "charged on the new one. Nothing has been charged.\n\n"
            "Please open your request in the Quartier app, enter your card again and then "
            "confirm one of the proposed times.\n\n"
            "Quartier"
        ) % {"name": customer.display_name, "helper": helper.display_name}
        return subject, body

    def to_helper(when: str) -> tuple[str, str]:
        subject = _("The card of %(customer)s is asked for again before a time is confirmed") % {
            "customer": customer.display_name
        }
        body = _(
            "Hello %(name)s,\n\n"
            "The card %(customer)s gave for the times you proposed was given for the payout "
            "account you had before connecting your new one, so it cannot be charged on the new "
            "account. We have asked them to enter their card again before they confirm a "
            "time.\n\n"
            "Quartier"
        ) % {"name": helper.display_name, "customer": customer.display_name}
        return subject, body

    _tell(customer, booking, to_customer)
    _tell(helper, booking, to_helper)


def send_payment_lost(payment: Payment) -> None:
    """Tell the customer and the helper that the visit's payment cannot be taken: the helper's
    payout account was disconnected from Quartier, so nothing is charged."""
    booking = payment.booking
    customer = booking.help_request.customer
    helper = booking.helper.user

    def to_customer(when: str) -> tuple[str, str]:
        subject = _("The visit on %(when)s cannot be paid through Quartier") % {"when": when}
        body = _(
            "Hello %(name)s,\n\n"
            "The payout account of %(helper)s was disconnected from Quartier, so the visit on "
            "%(when)s cannot be paid through Quartier. Nothing has been charged to you: an "
            "amount held on your card is released by your bank within a few days.\n\n"
            "Quartier"
        ) % {"name": customer.display_name, "helper": helper.display_name, "when": when}
        return subject, body

    def to_helper(when: str) -> tuple[str, str]:
        subject = _("The visit on %(when)s cannot be paid through Quartier") % {"when": when}
        body = _(
            "Hello %(name)s,\n\n"
            "Your payout account was disconnected from Quartier, so the visit with %(customer)s "
            "on %(when)s cannot be paid through Quartier: nothing has been charged to them. "
            "Reconnect a payout account in the app to get paid requests again.\n\n"
            "Quartier"
        ) % {"name": helper.display_name, "customer": customer.display_name, "when": when}
        return subject, body

    _tell(customer, booking, to_customer)
    _tell(helper, booking, to_helper)


def send_payment_lost_ahead(payment: Payment) -> None:
    """Tell the customer and the helper, when the helper's payout account is disconnected, that
    a visit still to come will not be paid through Quartier as agreed: the card was given on
    that account, so it cannot be charged there. A card held there cannot be charged on an
    account the helper connects since either; a card given for a hold still to be placed is
    asked for again if the helper connects one before the hold (`payments.warnings`)."""
    booking = payment.booking
    customer = booking.help_request.customer
    helper = booking.helper.user
    held = card_was_held(payment)

    def to_customer(when: str) -> tuple[str, str]:
        subject = _("Your card will not be charged for the visit on %(when)s") % {"when": when}
        values = {"name": customer.display_name, "helper": helper.display_name, "when": when}
        if not held:
            return subject, _(
                "Hello %(name)s,\n\n"
                "The payout account of %(helper)s was disconnected from Quartier. Your card for "
                "the visit on %(when)s was given on that account, so it will not be charged "
                "for this visit. Should %(helper)s connect a payout account again before the "
                "visit, we ask you for your card again; otherwise the visit cannot be paid "
                "through Quartier.\n\n"
                "Quartier"
            ) % values
        body = (
            _(
                "Hello %(name)s,\n\n"
                "The payout account of %(helper)s was disconnected from Quartier. Your card for the "
                "visit on %(when)s was given on that account, so it will not be charged for this "
                "visit: the visit cannot be paid through Quartier. If an amount is held on your "
                "card for it, your bank releases it within a few days.\n\n"
                "Quartier"
            )
            % values
        )
        return subject, body

    def to_helper(when: str) -> tuple[str, str]:
        values = {"name": helper.display_name, "customer": customer.display_name, "when": when}
        if not held:
            subject = _("The card for the visit on %(when)s cannot be charged") % {"when": when}
            return subject, _(
                "Hello %(name)s,\n\n"
                "Your payout account was disconnected from Quartier. The card of %(customer)s "
                "for the visit on %(when)s was given on that account, so it cannot be charged "
                "there. If you connect a payout account again, %(customer)s is asked for their "
                "card again before the visit; otherwise this visit will not be paid through "
                "Quartier.\n\n"
                "Quartier"
            ) % values
        subject = _("The visit on %(when)s will not be paid through Quartier") % {"when": when}
        body = (
            _(
                "Hello %(name)s,\n\n"
                "Your payout account was disconnected from Quartier. The card of %(customer)s for "
                "the visit on %(when)s was given on that account, so this visit will not be paid "
                "through Quartier, even if you connect a payout account again.\n\n"
                "Quartier"
            )
            % values
        )
        return subject, body

    _tell(customer, booking, to_customer)
    _tell(helper, booking, to_helper)


def send_payment_due(payment: Payment, *, reminder: int) -> None:
    """Ask the customer to pay a visit (or a cancellation fee) with TWINT on the payment page:
    when it falls due (`reminder=0`) and in each reminder after."""
    booking = payment.booking
    customer = booking.help_request.customer
    helper = booking.helper.user
    amount = Money(payment.due_minor, payment.currency).format()

    def to_customer(when: str) -> tuple[str, str]:
        if reminder:
            subject = _("Reminder: the visit on %(when)s is not paid yet") % {"when": when}
        else:
            subject = _("Please pay the visit on %(when)s with TWINT") % {"when": when}
        body = _(
            "Hello %(name)s,\n\n"
            "You chose to pay the visit of %(helper)s on %(when)s with TWINT. Please open the "
            "visit in Quartier and pay %(amount)s on its payment page. The money goes directly "
            "to %(helper)s; Quartier takes nothing.\n\n"
            "Quartier"
        ) % {
            "name": customer.display_name,
            "helper": helper.display_name,
            "when": when,
            "amount": amount,
        }
        return subject, body

    _tell(customer, booking, to_customer)


def send_hold_recovered(payment: Payment) -> None:
    """Tell the customer and the helper that the card is held after all (another card, or the
    bank's confirmation): the visit goes ahead as agreed."""
    booking = payment.booking
    amount = Money(payment.authorised_minor, payment.currency).format()
    for person in (booking.help_request.customer, booking.helper.user):

        def to_person(when: str, person: User = person) -> tuple[str, str]:
            subject = _("The card is held: the visit on %(when)s goes ahead") % {"when": when}
            body = _(
                "Hello %(name)s,\n\n"
                "%(amount)s is now held on the card for the visit on %(when)s. The visit goes "
                "ahead as agreed; the amount is charged once the visit is signed off.\n\n"
                "Quartier"
            ) % {"name": person.display_name, "amount": amount, "when": when}
            return subject, body

        _tell(person, booking, to_person)
