"""A visit's story as the community manager reads it on a request's page: each step of its
timeline with who took it and what it carried (the times proposed, the time chosen, the arrival
announced, a cancellation's or a no-show's cause and whether it was late, the reason given), and
where its payment stands. Every rule (late or not, who caused it) was applied by the service
that took the step, which recorded its outcome with it: here it is only read and said."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from backend.formats import written
from backend.money import format_chf
from backend.roles import ActorRole
from bookings.models import (
    REVIEWABLE_STATUSES,
    Booking,
    BookingEvent,
    BookingStatus,
    Party,
    SlotProposal,
)
from bookings.step_words import MANAGER_READS, SYSTEM_REASONS, step_note, timeline_labels
from payments.models import PaymentStatus, PayWith
from payments.selectors import MoneyView, money_views

BY_ROLE: dict[str, str | Promise] = {
    ActorRole.CUSTOMER: gettext_lazy("by the customer, %(name)s"),
    ActorRole.HELPER: gettext_lazy("by the helper, %(name)s"),
    ActorRole.MANAGER: gettext_lazy("by the community manager, %(name)s"),
}
CAUSED_BY: dict[str, str | Promise] = {
    Party.CUSTOMER: gettext_lazy("caused by the customer"),
    Party.HELPER: gettext_lazy("caused by the helper"),
    Party.NOBODY: gettext_lazy("caused by nobody"),
}
# Where the visit's payment stands in Quartier's books (the Stripe payment's state as last
# recorded), and how the customer pays.
PAYMENT_STATUS_WORDS: dict[str, str | Promise] = {
    PaymentStatus.REQUIRES_PAYMENT_METHOD: gettext_lazy("Waiting for a card"),
    PaymentStatus.AUTHORISED: gettext_lazy("Held on the card"),
    PaymentStatus.DUE: gettext_lazy("To be paid with TWINT after the visit"),
    PaymentStatus.CAPTURED: gettext_lazy("Captured"),
    PaymentStatus.RELEASED: gettext_lazy("Released"),
    PaymentStatus.REFUNDED: gettext_lazy("Refunded"),
}
PAY_WITH_WORDS: dict[str, str | Promise] = {
    PayWith.CARD: gettext_lazy("Card"),
    PayWith.TWINT: gettext_lazy("TWINT"),
}


def _payment_words(money: MoneyView) -> str:
    """Where the payment stands in Quartier's books ("" without one)."""
    if money.payment is None:
        return ""
    if money.never_held:
        return _("Never held: nothing was charged")
    return str(PAYMENT_STATUS_WORDS.get(money.payment.status, money.payment.status))


def _who(event: BookingEvent) -> str:
    # Quartier's own steps say what made them automatic (a sign-off nobody gave in time) in
    # their words: here only who took them.
    if event.actor_role == ActorRole.SYSTEM or event.actor_role not in BY_ROLE:
        return _("by Quartier")
    name = event.actor.display_name if event.actor is not None else _("(deleted)")
    return str(BY_ROLE[event.actor_role]) % {"name": name}


def _span(starts: str | datetime, ends: str | datetime) -> str:
    """A time as the steps recorded it (ISO 8601, or a datetime), in Swiss time."""
    if isinstance(starts, str):
        starts = datetime.fromisoformat(starts)
    if isinstance(ends, str):
        ends = datetime.fromisoformat(ends)
    return written.span(starts, ends)


def _late(data: dict[str, Any], *, moved: bool) -> str:
    if "late" not in data:
        return ""
    if moved:
        return _("moved late") if data["late"] else _("moved in good time")
    return _("a late cancellation") if data["late"] else _("cancelled in good time")


def _carried(event: BookingEvent, chosen: dict[str, SlotProposal]) -> list[str]:
    """What the step recorded beside its move, in words."""
    data = event.data or {}
    said: list[str] = []
    to = event.to_status
    if to == BookingStatus.PROPOSED and data.get("slots"):
        said.append(", ".join(_span(starts, ends) for starts, ends in data["slots"]))
    if to == BookingStatus.CONFIRMED and data.get("proposal") in chosen:
        proposal = chosen[data["proposal"]]
        said.append(_span(proposal.starts_at, proposal.ends_at))
        if proposal.price_minor is not None:
            said.append(format_chf(proposal.price_minor, _language()))
    if to == BookingStatus.ON_THE_WAY and "eta_minutes" in data:
        minutes = int(data["eta_minutes"])
        said.append(
            ngettext("expected in %(minutes)d minute", "expected in %(minutes)d minutes", minutes)
            % {"minutes": minutes}
        )
    if data.get("caused_by") in CAUSED_BY:
        said.append(str(CAUSED_BY[data["caused_by"]]))
    said.append(_late(data, moved="rescheduled_by" in data))
    return said


def _reason(event: BookingEvent) -> str:
    """Quartier's own reason in the reader's words (or none), a person's in quotes as written."""
    note = step_note(event)
    if not note or event.reason in SYSTEM_REASONS:
        return note
    return _("“%(text)s”") % {"text": note}


def _language() -> str:
    return translation.get_language() or "en"


def step_words(what: str, event: BookingEvent, chosen: dict[str, SlotProposal]) -> str:
    """One step of the visit: what happened (`what`, `timeline_labels`' words), by whom, and
    what it carried."""
    details = [_who(event), *_carried(event, chosen), _reason(event)]
    return _("%(what)s (%(detail)s)") % {
        "what": what,
        "detail": " · ".join(detail for detail in details if detail),
    }


def manager_timeline(booking: Booking) -> list[tuple[str, BookingEvent]]:
    """The visit's steps (`visits_of_request` read them) as the timeline partial lists them."""
    proposals: Sequence[SlotProposal] = booking.all_proposals  # type: ignore[attr-defined]
    chosen = {str(proposal.public_id): proposal for proposal in proposals}
    steps: Iterable[BookingEvent] = booking.steps  # type: ignore[attr-defined]
    return [
        (step_words(what, event, chosen), event)
        for what, event in timeline_labels(steps, MANAGER_READS)
    ]


def visit_stories(bookings: Sequence[Booking]) -> list[dict[str, Any]]:
    """Each of a request's visits (`visits_of_request`) as its page tells it: the timeline,
    the money (`money_views`: two queries for them all) and both reviews, published or not."""
    money = money_views(bookings)
    stories = []
    for index, booking in enumerate(bookings, start=1):
        payment = money[booking.pk].payment
        reviews = booking.seen_reviews  # type: ignore[attr-defined]
        stories.append(
            {
                "booking": booking,
                # Tells apart the ids of each visit's parts (several visits, one page).
                "key": f"-{index}",
                "time": written.span(booking.starts_at, booking.ends_at)
                if booking.starts_at is not None and booking.ends_at is not None
                else "",
                "timeline": manager_timeline(booking),
                "money": money[booking.pk],
                "payment_words": _payment_words(money[booking.pk]),
                "pay_with_words": PAY_WITH_WORDS.get(payment.pay_with, payment.pay_with)
                if payment is not None
                else "",
                "reviews": reviews,
                "reviewable": bool(reviews) or booking.status in REVIEWABLE_STATUSES,
            }
        )
    return stories
