"""The e-mails that tell a customer where their request and its visit stand, at the moments
they must act or must know: a helper proposes times (first, or other ones), the helper or the
platform cancels the confirmed visit, the helper withdraws the times proposed, nobody could be
found, the helper says the work is done.

Each goes to the account that made the request (a relative who booked for someone names that
person), in its preferred language, with the link to the request's page. It names what the
request's page shows at that moment, no more: the helper's first name, the times, the prices.
Sent from the relay after commit, so at least once; each first checks that the moment has not
passed meanwhile (the times were chosen, the visit signed off), and then sends nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from backend.config import config
from backend.emails import send_notice
from backend.formats import written
from backend.models import User
from backend.money import Money
from bookings.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
    ProposalStatus,
    SlotProposal,
)


def request_link(help_request: HelpRequest) -> str:
    """The request's page on the web, as an absolute address (QUARTIER_REQUEST_PAGE_URL)."""
    return config().request_page_url.format(public_id=help_request.public_id)


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def day_and_time(moment: datetime) -> str:
    """A moment as the e-mails' sentences write it, in Swiss time: "am 6. Dezember 2026 um
    14:30", "le 6 décembre 2026 à 14:30"."""
    return written.moment_in_sentence(moment)


def _slot(proposal: SlotProposal) -> str:
    line = f"- {written.span(proposal.starts_at, proposal.ends_at)}"
    if proposal.price_minor is not None:
        line += f" · {Money(proposal.price_minor, proposal.currency).format()}"
    return line


def first_name(user: User, otherwise: str) -> str:
    """The first word of `user`'s name, as the other side of a visit reads it."""
    parts = user.display_name.split()
    return parts[0] if parts else otherwise


def helper_first_name(booking: Booking) -> str:
    """The helper's first name, as the request's page shows it."""
    return first_name(booking.helper.user, _("The helper"))


def _next_step(*, looking_again: bool) -> str:
    """What follows a visit that will not take place: another helper, or the request closed."""
    if looking_again:
        return _(
            "We are looking for another helper at the times you gave. You will get an "
            "e-mail as soon as one proposes times."
        )
    return _(
        "None of the times you gave is left, so the request is closed. If you still "
        "need help, please post a new request."
    )


def _recipient(help_request: HelpRequest) -> User | None:
    customer = help_request.customer
    return customer if customer.is_active and customer.email else None


def _send(help_request: HelpRequest, subject: str, lines: Sequence[str]) -> None:
    """The e-mail to the request's account, in its language (the caller's `override`): the
    greeting, who was helped when it was booked for someone else, `lines`, the page's link."""
    customer = help_request.customer
    body = [_("Hello %(name)s,") % {"name": customer.display_name}, *lines]
    if help_request.on_behalf_name:
        body.append(
            _("You made this request for %(person)s.") % {"person": help_request.on_behalf_name}
        )
    body += [
        _("The request's page: %(link)s") % {"link": request_link(help_request)},
        _("Quartier"),
    ]
    send_notice(customer, subject, "\n\n".join(body))


def booking_for_mail(booking_id: int) -> Booking | None:
    """The visit an e-mail is about, with what the e-mails name (None: it is gone)."""
    return (
        Booking.objects.select_related(
            "help_request__customer", "help_request__category", "helper__user"
        )
        .filter(pk=booking_id)
        .first()
    )


def send_times_proposed(booking_id: int, proposal_ids: Sequence[int]) -> None:
    """The helper proposed times: the customer chooses one. The first times a helper proposes
    say that they accepted; later ones that they are other times (the customer asked for
    them, or the helper moves the confirmed visit). Nothing once they are no longer open."""
    booking = booking_for_mail(booking_id)
    if booking is None or booking.status != BookingStatus.PROPOSED:
        return
    proposals = list(booking.proposals.filter(pk__in=proposal_ids).order_by("starts_at", "pk"))
    if not proposals or any(p.status != ProposalStatus.PROPOSED for p in proposals):
        return
    help_request = booking.help_request
    customer = _recipient(help_request)
    if customer is None:
        return
    earlier = booking.proposals.filter(pk__lt=min(p.pk for p in proposals)).exists()
    move = (
        BookingEvent.objects.filter(booking=booking, to_status=BookingStatus.PROPOSED)
        .order_by("-pk")
        .first()
    )
    moved = move is not None and move.from_status == BookingStatus.CONFIRMED
    with translation.override(customer.preferred_language):
        names = {"helper": helper_first_name(booking), "category": help_request.category.name}
        if moved:
            subject = _("%(helper)s cannot come at the time you confirmed") % names
            said = _(
                "%(helper)s cannot come at the time you confirmed for the visit (%(category)s) "
                "and proposes other times:"
            )
        elif earlier:
            subject = _("%(helper)s proposes other times for your visit") % names
            said = _("%(helper)s proposes other times for the visit (%(category)s):")
        else:
            subject = _("%(helper)s can help you: please choose a time") % names
            said = _("%(helper)s accepted your request (%(category)s) and proposes these times:")
        lines = ["\n".join([said % names, *map(_slot, proposals)])]
        if moved and move is not None:
            # The reason the helper had to give, written for the customer (`booking_propose`)
            lines.append(_("%(helper)s writes: “%(reason)s”") % (names | {"reason": move.reason}))
        lines.append(_("Please choose one on the request's page, or say that none suits you."))
        _send(help_request, subject, lines)


def send_visit_cancelled(booking_id: int, *, by_helper: bool) -> None:
    """The helper or the platform cancelled the confirmed visit (the customer caused nothing,
    so nothing is charged). What follows: the request is offered to other helpers while a
    time window is left (it was open again, or another helper has it since), else it is
    closed."""
    booking = booking_for_mail(booking_id)
    if booking is None or booking.status != BookingStatus.CANCELLED or booking.starts_at is None:
        return
    help_request = booking.help_request
    customer = _recipient(help_request)
    if customer is None:
        return
    looking_again = (
        help_request.status != HelpRequestStatus.CLOSED
        or help_request.bookings.filter(pk__gt=booking.pk).exists()
    )
    with translation.override(customer.preferred_language):
        names = {
            "helper": helper_first_name(booking),
            "category": help_request.category.name,
            "when": day_and_time(booking.starts_at),
        }
        if by_helper:
            said = _("%(helper)s cancelled the visit on %(when)s (%(category)s).")
        else:
            said = _("We had to cancel the visit of %(helper)s on %(when)s (%(category)s).")
        next_step = _next_step(looking_again=looking_again)
        _send(
            help_request,
            _("Your visit on %(when)s is cancelled") % names,
            [
                said % names,
                next_step,
                _(
                    "Nothing is charged for this visit; if an amount was held on your card for "
                    "it, the hold is released."
                ),
            ],
        )


def send_times_withdrawn(booking_id: int) -> None:
    """The helper withdrew (or was suspended) after proposing times the customer had not chosen
    yet: they were told to choose one, so they are told those times are gone and what follows.
    Nothing once another helper proposed times (that e-mail says more) or the customer
    withdrew the request."""
    booking = booking_for_mail(booking_id)
    if booking is None or booking.status != BookingStatus.CANCELLED:
        return
    help_request = booking.help_request
    customer = _recipient(help_request)
    later = help_request.bookings.filter(pk__gt=booking.pk)
    if (
        customer is None
        or help_request.status == HelpRequestStatus.WITHDRAWN
        or SlotProposal.objects.filter(booking__in=later).exists()
    ):
        return
    with translation.override(customer.preferred_language):
        names = {"helper": helper_first_name(booking), "category": help_request.category.name}
        next_step = _next_step(
            looking_again=help_request.status != HelpRequestStatus.CLOSED or later.exists()
        )
        _send(
            help_request,
            _("%(helper)s can no longer come") % names,
            [
                _(
                    "%(helper)s can no longer come for your request (%(category)s): the times "
                    "%(helper)s proposed are withdrawn."
                )
                % names,
                next_step,
            ],
        )


def send_nobody_found(help_request_id: int, *, expired: bool) -> None:
    """Nobody could be found for the request: no helper within the largest radius is free at
    its times (`expired=False`: other times may still find one), or every time passed while
    the search went on (`expired=True`: the request has ended)."""
    help_request = (
        HelpRequest.objects.select_related("customer", "category")
        .filter(pk=help_request_id)
        .first()
    )
    if help_request is None:
        return
    wanted = HelpRequestStatus.EXPIRED if expired else HelpRequestStatus.UNMATCHED
    customer = _recipient(help_request)
    if customer is None or help_request.status != wanted:
        return
    with translation.override(customer.preferred_language):
        names = {
            "category": help_request.category.name,
            "radius": formats.number_format(help_request.search_radius_km, decimal_pos=0),
        }
        if expired:
            subject = _("Nobody could come for your request")
            lines = [
                _(
                    "Every time you gave for your request (%(category)s) has passed without a "
                    "helper. The request has ended; if you still need help, please post a new "
                    "one."
                )
                % names
            ]
        else:
            subject = _("Nobody is free at the times you gave")
            lines = [
                _(
                    "No helper within %(radius)s km can come at the times you gave for your "
                    "request (%(category)s). Choose other times on the request's page, and we "
                    "will look again."
                )
                % names
            ]
        _send(help_request, subject, lines)


def send_sign_off_asked(booking_id: int) -> None:
    """The helper says the work is done: the customer signs the visit off, or says what went
    wrong, before it is signed off automatically (AUTO_SIGN_OFF_HOURS after the check-out)."""
    booking = booking_for_mail(booking_id)
    if (
        booking is None
        or booking.status != BookingStatus.COMPLETED
        or booking.checked_out_at is None
    ):
        return
    help_request = booking.help_request
    customer = _recipient(help_request)
    if customer is None:
        return
    automatic = booking.checked_out_at + timedelta(hours=config().auto_sign_off_hours)
    with translation.override(customer.preferred_language):
        names = {
            "helper": helper_first_name(booking),
            "category": help_request.category.name,
            "when": day_and_time(automatic),
        }
        _send(
            help_request,
            _("%(helper)s is done: please sign off the visit") % names,
            [
                _(
                    "%(helper)s says the work of the visit (%(category)s) is done. Please sign "
                    "off the visit on the request's page, or tell us there what went wrong."
                )
                % names,
                _("If you do neither, the visit is signed off automatically on %(when)s.") % names,
            ],
        )
