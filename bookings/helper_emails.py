"""The e-mails that tell a helper what the customer did to their visit, at the moments the
helper must act or must know: the customer confirmed a time, cancelled the confirmed visit,
asked for other times; the visit was signed off and its price goes to them. And, apart from
any visit, that their pending offers were withdrawn because they cannot be paid. Web Push tells
the same only when the helper turned it on, and many do not.

Each goes to the helper's account, in its preferred language and Swiss time, with the link to
the visit's page (QUARTIER_VISIT_PAGE_URL). It names what that page shows at that moment, no
more: the address only once the visit is confirmed. Sent from the relay after commit, so at
least once; each first checks that the moment has not passed meanwhile (the visit cancelled
or moved again, other times already proposed), and then sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend.config import config
from backend.emails import send_notice
from backend.formats import written
from backend.models import User
from backend.money import Money
from bookings.customer_emails import booking_for_mail, day_and_time, first_name
from bookings.models import (
    Booking,
    BookingStatus,
    HelpRequest,
    Offer,
    OfferStatus,
    Party,
    ProposalStatus,
    WithdrawalCause,
)
from bookings.selectors import contact_visible_to


def visit_link(booking: Booking) -> str:
    """The visit's page of the helper, as an absolute address (QUARTIER_VISIT_PAGE_URL)."""
    return config().visit_page_url.format(public_id=booking.public_id)


def _when(booking: Booking) -> str:
    assert booking.starts_at is not None  # noqa: S101 - callers check the visit has a time
    if booking.ends_at is None:
        return day_and_time(booking.starts_at)
    return written.span(booking.starts_at, booking.ends_at)


def _price(booking: Booking) -> str | None:
    if not booking.price_minor:
        return None
    return Money(booking.price_minor, booking.currency).format()


def customer_first_name(booking: Booking) -> str:
    """The customer's first name, as the visit's page shows it."""
    return first_name(booking.help_request.customer, _("The customer"))


def visit_address(help_request: HelpRequest, *, with_street: bool = True) -> str:
    """Where the visit is: street, postal code and locality (the street may be missing, and
    is left out `with_street=False`)."""
    street = f"{help_request.street}, " if help_request.street and with_street else ""
    return f"{street}{help_request.postal_code} {help_request.locality}"


def _recipient(booking: Booking) -> User | None:
    user = booking.helper.user
    return user if user.is_active and user.email else None


def _send(booking: Booking, subject: str, lines: Sequence[str]) -> None:
    """The e-mail to the visit's helper, in their language (the caller's `override`)."""
    helper = booking.helper.user
    body = [
        _("Hello %(name)s,") % {"name": helper.display_name},
        *lines,
        _("The visit's page: %(link)s") % {"link": visit_link(booking)},
        _("Quartier"),
    ]
    send_notice(helper, subject, "\n\n".join(body))


def send_visit_confirmed(booking_id: int) -> None:
    """The customer chose one of the helper's times: when, where (the address the visit's page
    shows once confirmed), the price agreed, and how to reach the customer. Nothing once the
    visit is no longer confirmed (cancelled, or moved to other times)."""
    booking = booking_for_mail(booking_id)
    if booking is None or booking.status != BookingStatus.CONFIRMED or booking.starts_at is None:
        return
    helper = _recipient(booking)
    if helper is None:
        return
    help_request = booking.help_request
    with translation.override(helper.preferred_language):
        names = {
            "customer": customer_first_name(booking),
            "category": help_request.category.name,
            "when": _when(booking),
            # The street while the helper may see it: a confirmed visit's helper may.
            "where": visit_address(
                help_request, with_street=contact_visible_to(booking, booking.helper.user)
            ),
            "price": _price(booking),
            "person": help_request.on_behalf_name,
        }
        lines = [
            _("%(customer)s confirmed the visit (%(category)s).") % names,
            _("When: %(when)s") % names,
            _("Where: %(where)s") % names,
        ]
        if help_request.on_behalf_name:
            lines.append(_("You meet %(person)s; %(customer)s booked the visit for them.") % names)
        if names["price"]:
            lines.append(_("Price agreed: %(price)s") % names)
        else:
            lines.append(_("No price was agreed: the visit is free of charge."))
        lines.append(
            _(
                "To reach %(customer)s, write in the visit's messages on its page; the "
                "page also opens the address in your map app."
            )
            % names
        )
        _send(booking, _("Visit confirmed: %(when)s") % names, lines)


def send_visit_cancelled(booking_id: int) -> None:
    """The customer (or the manager for them) cancelled the confirmed visit. A late one costs
    the customer the cancellation fee, captured for the helper from the hold at once, or due
    from a customer who pays with TWINT (payments.services `payment_on_booking_ended`): the
    e-mail names it and when it comes."""
    booking = booking_for_mail(booking_id)
    if booking is None or booking.status != BookingStatus.CANCELLED or booking.starts_at is None:
        return
    helper = _recipient(booking)
    if helper is None:
        return
    percent = config().cancellation_fee_percent
    fee_due = (
        booking.is_late_cancellation
        and booking.caused_by == Party.CUSTOMER
        and bool(booking.price_minor)
        and percent > 0
    )
    with translation.override(helper.preferred_language):
        names = {
            "customer": customer_first_name(booking),
            "category": booking.help_request.category.name,
            "when": _when(booking),
            "hours": config().late_cancellation_hours,
            "percent": percent,
            "fee": Money((booking.price_minor or 0) * percent // 100, booking.currency).format(),
        }
        lines = [
            _("%(customer)s cancelled the visit (%(category)s, %(when)s).") % names,
            _("The time is free again in your calendar."),
        ]
        if fee_due:
            lines.append(
                # Said for a hold and for TWINT alike: this e-mail does not know how the
                # customer pays, and a fee paid with TWINT comes only once they pay it.
                ngettext(
                    "The cancellation came less than %(hours)s hour before the visit, so the "
                    "customer owes you a cancellation fee of %(fee)s (%(percent)s%% of the "
                    "agreed price). It goes to your Stripe account once it is paid: at once if "
                    "the visit was held on their card, otherwise when they pay it with TWINT.",
                    "The cancellation came less than %(hours)s hours before the visit, so the "
                    "customer owes you a cancellation fee of %(fee)s (%(percent)s%% of the "
                    "agreed price). It goes to your Stripe account once it is paid: at once if "
                    "the visit was held on their card, otherwise when they pay it with TWINT.",
                    config().late_cancellation_hours,
                )
                % names
            )
        _send(booking, _("Visit cancelled: %(when)s") % names, lines)


def send_times_requested(booking_id: int) -> None:
    """The customer asked for other times (none suited, or the confirmed visit must move): the
    helper proposes again. Nothing once they did, or the visit ended."""
    booking = booking_for_mail(booking_id)
    if (
        booking is None
        or booking.status != BookingStatus.AWAITING_PROPOSAL
        or booking.proposals.filter(status=ProposalStatus.PROPOSED).exists()
    ):
        return
    helper = _recipient(booking)
    if helper is None:
        return
    with translation.override(helper.preferred_language):
        names = {
            "customer": customer_first_name(booking),
            "category": booking.help_request.category.name,
        }
        _send(
            booking,
            _("%(customer)s asks for other times") % names,
            [
                _("%(customer)s asks you for other times for the visit (%(category)s).") % names,
                _("Please propose new times on the visit's page, where you also read why."),
            ],
        )


def send_visit_signed_off(booking_id: int) -> None:
    """The visit was signed off, by the customer or automatically: the price goes to the
    helper's Stripe account once the customer's payment is taken (a hold is captured at once by
    payments.services `payment_capture`; TWINT is paid after the sign-off), and Stripe pays it
    out. Nothing if it was not signed off after all."""
    booking = booking_for_mail(booking_id)
    if (
        booking is None
        or booking.status not in (BookingStatus.SIGNED_OFF, BookingStatus.SETTLED)
        or booking.starts_at is None
    ):
        return
    helper = _recipient(booking)
    if helper is None:
        return
    with translation.override(helper.preferred_language):
        names = {
            "customer": customer_first_name(booking),
            "category": booking.help_request.category.name,
            "when": _when(booking),
            "price": _price(booking),
        }
        if booking.signed_off_automatically:
            said = _(
                "The visit (%(category)s, %(when)s) was signed off automatically: "
                "%(customer)s did not answer in time."
            )
        else:
            said = _("%(customer)s signed off the visit (%(category)s, %(when)s).")
        if names["price"]:
            payment = _(
                "The agreed price, %(price)s, goes to your Stripe account once the customer's "
                "payment is taken: at once if it was held on their card, otherwise when they "
                "pay with TWINT. Quartier takes no share, and Stripe pays it out to your bank "
                "account."
            )
        else:
            payment = _("No price was agreed, so there is no payment.")
        _send(booking, _("Visit signed off"), [said % names, payment % names])


def send_offers_withdrawn_unpaid(offer_id: int) -> None:
    """The helper's pending offers were withdrawn because their payout account cannot take
    payments: one e-mail for the offers withdrawn together (sent for the first of them), naming
    each request as the offer showed it (category, postcode and locality, never the address)."""
    offer = Offer.objects.select_related("helper__user").filter(pk=offer_id).first()
    if offer is None or offer.withdrawal_cause != WithdrawalCause.CANNOT_BE_PAID:
        return
    together = list(
        Offer.objects.filter(
            helper_id=offer.helper_id,
            status=OfferStatus.WITHDRAWN,
            withdrawal_cause=WithdrawalCause.CANNOT_BE_PAID,
            updated_at=offer.updated_at,
        )
        .select_related("help_request__category")
        .order_by("pk")
    )
    helper = offer.helper.user
    if together[0].pk != offer.pk or not (helper.is_active and helper.email):
        return
    count = len(together)
    with translation.override(helper.preferred_language):
        requests = [
            f"- {o.help_request.category.name}, "
            f"{o.help_request.postal_code} {o.help_request.locality}"
            for o in together
        ]
        body = [
            _("Hello %(name)s,") % {"name": helper.display_name},
            ngettext(
                "Your payout account cannot take payments at the moment, so a customer could "
                "not confirm a paid visit with you. We have withdrawn your open offer:",
                "Your payout account cannot take payments at the moment, so a customer could "
                "not confirm a paid visit with you. We have withdrawn your %(count)s open "
                "offers:",
                count,
            )
            % {"count": count},
            "\n".join(requests),
            ngettext(
                "The request is offered to other helpers.",
                "The requests are offered to other helpers.",
                count,
            ),
            _(
                "Paid requests come to you again once your payout account can take payments: "
                "the start page of the helper app shows what is missing."
            ),
            _("Quartier"),
        ]
        subject = ngettext(
            "Offer withdrawn: your payout account cannot take payments",
            "Offers withdrawn: your payout account cannot take payments",
            count,
        )
        send_notice(helper, subject, "\n\n".join(body))
