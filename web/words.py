"""Where a request and its visit stand, in words a customer understands."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy

from backend import clock
from backend.roles import ActorRole
from bookings.choices import Party
from bookings.customer_emails import day_and_time, helper_first_name
from bookings.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
    Offer,
)
from bookings.offer_summary import distance_for_helper
from bookings.request_words import settled_request_words
from bookings.step_words import CUSTOMER_READS, HELPER_READS, HELPER_TIMELINE, cancelled_words


def _first_name(booking: Booking) -> str:
    parts = booking.helper.user.display_name.split()
    return parts[0] if parts else _("The helper")


def _when(value: object) -> dict[str, str]:
    local = timezone.localtime(value)  # type: ignore[arg-type]
    return {
        "date": formats.date_format(local, "DATE_FORMAT"),
        "time": formats.time_format(local, "TIME_FORMAT"),
    }


def request_words(help_request: HelpRequest, pending_offers: int) -> str:
    status = help_request.status
    if status == HelpRequestStatus.OPEN and help_request.on_behalf_name:
        # Booked for someone else: the helpers are near that person, not near the one who booked
        name = {"name": help_request.on_behalf_name}
        if pending_offers:
            return ngettext(
                "We asked %(count)d helper near %(name)s. "
                "As soon as one accepts, you will see them here.",
                "We asked %(count)d helpers near %(name)s. "
                "As soon as one accepts, you will see them here.",
                pending_offers,
            ) % (name | {"count": pending_offers})
        return _("We are looking for a helper near %(name)s.") % name
    if status == HelpRequestStatus.OPEN:
        if pending_offers:
            return ngettext(
                "We asked %(count)d helper near you. As soon as one accepts, you will see them here.",
                "We asked %(count)d helpers near you. As soon as one accepts, you will see them here.",
                pending_offers,
            ) % {"count": pending_offers}
        return _("We are looking for a helper near you.")
    return settled_request_words(help_request)


def booking_words(booking: Booking, events: Iterable[BookingEvent] = ()) -> str:
    """Where the visit stands; `events`, the booking's (in order), tell a first proposal from a
    confirmed visit the helper moved, whose reason the helper wrote for the customer."""
    name = _first_name(booking)
    status = booking.status
    if status == BookingStatus.AWAITING_PROPOSAL:
        return _("%(name)s accepted your request and will propose times for the visit soon.") % {
            "name": name
        }
    if status == BookingStatus.PROPOSED:
        moves = [event for event in events if event.to_status == BookingStatus.PROPOSED]
        if moves and moves[-1].from_status == BookingStatus.CONFIRMED:
            return _(
                "%(name)s cannot come at the time you confirmed and proposes other times. "
                "%(name)s writes: “%(reason)s” Choose one, or say that none suits you."
            ) % {"name": name, "reason": moves[-1].reason}
        return _("%(name)s proposes these times. Choose one, or say that none suits you.") % {
            "name": name
        }
    if status == BookingStatus.CONFIRMED:
        return _("The visit is confirmed for %(date)s at %(time)s.") % _when(booking.starts_at)
    if status == BookingStatus.ON_THE_WAY:
        if booking.eta_at is not None:
            return _("%(name)s is on the way and will arrive around %(time)s.") % {
                "name": name,
                "time": _when(booking.eta_at)["time"],
            }
        return _("%(name)s is on the way.") % {"name": name}
    if status == BookingStatus.IN_PROGRESS:
        return _("%(name)s has arrived. The visit is in progress.") % {"name": name}
    if status == BookingStatus.COMPLETED:
        return _(
            "%(name)s says the work is done. Please sign off the visit, or tell us what went wrong."
        ) % {"name": name}
    if status in (BookingStatus.SIGNED_OFF, BookingStatus.SETTLED):
        return _("The visit is done. Thank you for using Quartier!")
    if status == BookingStatus.DISPUTED:
        return _("You reported a problem. The community manager will contact you.")
    if status == BookingStatus.CANCELLED:
        return _ended_words(_cancelled_by(events), CUSTOMER_READS, name)
    return _ended_words(booking.caused_by, CUSTOMER_READS, name, no_show=True)


# A booking's status as the manager's console and the helper's lists name it.
STATUS_WORDS: dict[str, str | Promise] = {
    BookingStatus.AWAITING_PROPOSAL: gettext_lazy("Waiting for the helper's times"),
    BookingStatus.PROPOSED: gettext_lazy("Times proposed"),
    BookingStatus.CONFIRMED: gettext_lazy("Confirmed"),
    BookingStatus.ON_THE_WAY: gettext_lazy("Helper on the way"),
    BookingStatus.IN_PROGRESS: gettext_lazy("In progress"),
    BookingStatus.COMPLETED: gettext_lazy("Done, waiting for sign-off"),
    BookingStatus.SIGNED_OFF: gettext_lazy("Signed off"),
    BookingStatus.DISPUTED: gettext_lazy("Disputed"),
    BookingStatus.SETTLED: gettext_lazy("Settled"),
    BookingStatus.CANCELLED: gettext_lazy("Cancelled"),
    BookingStatus.NO_SHOW: gettext_lazy("No-show"),
    HelpRequestStatus.OPEN: gettext_lazy("Open"),
    HelpRequestStatus.ASSIGNED: gettext_lazy("Assigned"),
    HelpRequestStatus.UNMATCHED: gettext_lazy("Nobody matched"),
    HelpRequestStatus.WITHDRAWN: gettext_lazy("Withdrawn"),
    HelpRequestStatus.EXPIRED: gettext_lazy("Expired"),
    HelpRequestStatus.CLOSED: gettext_lazy("Closed"),
}

# The same, said to the helper in their own app: what speaks of "the helper" there speaks to
# them.
HELPER_STATUS_WORDS: dict[str, str | Promise] = {
    **STATUS_WORDS,
    BookingStatus.AWAITING_PROPOSAL: gettext_lazy("Propose your times"),
    BookingStatus.ON_THE_WAY: gettext_lazy("You are on your way"),
}

# Why the matching did or did not offer a helper a request (`MatchingRun.considered`).
CONSIDERED_REASONS: dict[str, str | Promise] = {
    "offered": gettext_lazy("Offered"),
    "already asked for this request": gettext_lazy("Already asked for this request"),
    "speaks none of the customer's languages": gettext_lazy(
        "Speaks none of the customer's languages"
    ),
    "not free in any of the requested windows": gettext_lazy(
        "Not free at any of the requested times"
    ),
    "ranked below the helpers offered": gettext_lazy("Ranked below the helpers offered"),
}


def considered_reason(reason: str) -> str:
    if reason in CONSIDERED_REASONS:
        return str(CONSIDERED_REASONS[reason])
    radius = re.match(r"their service radius of (\d+) km does not reach", reason)
    if radius:
        return _("Their service radius of %(km)s km does not reach the customer") % {
            "km": radius.group(1)
        }
    return reason


def offer_words(offer: Offer) -> list[str]:
    """Why the helper was chosen for an offer, in their words."""
    explanation = offer.explanation or {}
    km = formats.number_format(distance_for_helper(offer.distance_m) / 1000, 1)
    said = [_("%(km)s km from you") % {"km": km}]
    languages = explanation.get("shared_languages") or []
    if languages:
        said.append(_("You speak the customer's language"))
    if explanation.get("free_from"):
        said.append(_("You are free then"))
    if explanation.get("new_helper_bonus"):
        said.append(_("New helpers get a fair start"))
    return said


def visit_cancelled_words(booking: Booking, events: Iterable[BookingEvent]) -> str:
    """That the helper cancelled the visit, said to the customer while other helpers are asked,
    in the words of the customer's e-mail (`bookings.customer_emails.send_visit_cancelled`);
    empty when someone else cancelled it or it had no time yet."""
    cancelled = [event for event in events if event.to_status == BookingStatus.CANCELLED]
    if not cancelled or cancelled[-1].actor_role != ActorRole.HELPER or booking.starts_at is None:
        return ""
    return _("%(helper)s cancelled the visit on %(when)s (%(category)s).") % {
        "helper": helper_first_name(booking),
        "category": booking.help_request.category.name,
        "when": day_and_time(booking.starts_at),
    }


def helper_visit_words(booking: Booking, events: Iterable[BookingEvent] = ()) -> str:
    """Where a visit stands, said to its helper; `events`, the booking's (in order), tell who
    cancelled it."""
    status = booking.status
    if status == BookingStatus.AWAITING_PROPOSAL:
        return _("Propose times for the visit.")
    if status == BookingStatus.PROPOSED:
        return _("Waiting for the customer to choose one of your times.")
    if status == BookingStatus.CONFIRMED:
        return _("The visit is confirmed for %(date)s at %(time)s.") % _when(booking.starts_at)
    if status == BookingStatus.ON_THE_WAY and booking.eta_at is not None:
        return _("The customer expects you around %(time)s.") % {
            "time": _when(booking.eta_at)["time"]
        }
    if status == BookingStatus.IN_PROGRESS:
        return _("The visit is in progress. When you are done, say what you did.")
    if status == BookingStatus.COMPLETED:
        return _("Waiting for the customer to sign off the visit.")
    if status in (BookingStatus.SIGNED_OFF, BookingStatus.SETTLED):
        return _("The visit is signed off. Thank you!")
    if status == BookingStatus.DISPUTED:
        return _("The customer reported a problem. The community manager will contact you.")
    if status == BookingStatus.CANCELLED:
        return _ended_words(_cancelled_by(events), HELPER_READS)
    return _ended_words(booking.caused_by, HELPER_READS, no_show=True)


def _cancelled_by(events: Iterable[BookingEvent]) -> str:
    """The role that cancelled the visit, from its cancelling step (the last, if moved back)."""
    cancelled = [event for event in events if event.to_status == BookingStatus.CANCELLED]
    return cancelled[-1].actor_role if cancelled else ""


def _ended_words(party: str, reader: str, helper_name: str = "", *, no_show: bool = False) -> str:
    """A cancelled visit (`party`, the role that cancelled) or a no-show (`party`, the booking's
    recorded cause: who was not there), in a sentence of the status line its `reader` reads."""
    own = {CUSTOMER_READS: ActorRole.CUSTOMER, HELPER_READS: ActorRole.HELPER}[reader]
    if no_show and party == own:
        return _("You were not there.")
    if no_show and party == Party.CUSTOMER:
        return _("The customer was not there.")
    if no_show and party == Party.HELPER:
        return _("%(name)s did not come.") % {"name": helper_name}
    if no_show:
        return _("The visit did not take place.")
    if party == own:
        return _("You cancelled the visit.")
    if party == ActorRole.CUSTOMER:
        return _("The customer cancelled the visit.")
    if party == ActorRole.HELPER:
        return _("%(name)s cancelled the visit.") % {"name": helper_name}
    if party == ActorRole.MANAGER:
        return _("The community manager cancelled the visit.")
    return _("The visit was cancelled.")


def helper_list_words(booking: Booking) -> str:
    """Where a visit stands in the helper's list of visits: who cancelled it (the list's
    `cancelled_by`, the cancelling step's role) and who did not show up (`caused_by`), in the
    words of the visit's timeline and of the button that reports a no-show."""
    if booking.status == BookingStatus.CANCELLED:
        return cancelled_words(getattr(booking, "cancelled_by", "") or "", HELPER_READS)
    if booking.status == BookingStatus.NO_SHOW and booking.caused_by == Party.CUSTOMER:
        return _("The customer was not there")
    if booking.status == BookingStatus.NO_SHOW and booking.caused_by == Party.HELPER:
        return _("You were not there")
    if booking.status == BookingStatus.NO_SHOW:
        return str(HELPER_TIMELINE[BookingStatus.NO_SHOW])
    return str(HELPER_STATUS_WORDS.get(booking.status, booking.status))


def helper_contact_gone_words(booking: Booking) -> str:
    """Why the visit's page no longer shows its helper the street and phone numbers
    (`bookings.selectors.contact_visible_to` decides when), in the tense of the visit's time: a
    no-show, or a cancelled visit whose time has passed, did not take place."""
    passed = booking.starts_at is not None and booking.starts_at <= clock.now()
    if booking.status == BookingStatus.NO_SHOW or (
        booking.status == BookingStatus.CANCELLED and passed
    ):
        return _(
            "The visit did not take place, so the street and phone numbers are no longer "
            "shown: only the postcode and town."
        )
    if booking.status == BookingStatus.CANCELLED:
        return _(
            "The visit will not take place, so the street and phone numbers are no longer "
            "shown: only the postcode and town."
        )
    return _(
        "The visit is signed off, so the street and phone numbers are no longer shown: "
        "only the postcode and town."
    )


APPROVAL_WORDS: dict[str, str | Promise] = {
    "applied": gettext_lazy("Applied, documents to upload"),
    "documents_submitted": gettext_lazy("Documents to check"),
    "documents_checked": gettext_lazy("Documents checked, conduct test to pass"),
    "needs_information": gettext_lazy("More information needed"),
    "conduct_test_passed": gettext_lazy("Conduct test passed, to decide"),
    "interview": gettext_lazy("Invited to an interview"),
    "approved": gettext_lazy("Approved"),
    "suspended": gettext_lazy("Suspended"),
    "rejected": gettext_lazy("Rejected"),
    "withdrawn": gettext_lazy("Withdrawn"),
    "offboarded": gettext_lazy("Offboarded"),
}
# The dashboard's "Helpers waiting for you" tiles: what each tile's count counts, at each of the
# manager's steps (bookings.selectors.MANAGER_STEPS), in the singular for one and the plural
# otherwise; read with `% {"count": count}`.
WAITING_WORDS: dict[str, Promise] = {
    "documents_submitted": ngettext_lazy(
        "application with documents to check", "applications with documents to check", "count"
    ),
    "conduct_test_passed": ngettext_lazy(
        "application to decide after the conduct test",
        "applications to decide after the conduct test",
        "count",
    ),
    "interview": ngettext_lazy(
        "application at the interview stage", "applications at the interview stage", "count"
    ),
}
DOCUMENT_KIND_WORDS: dict[str, str | Promise] = {
    "identity": gettext_lazy("Identity document (passport or ID card)"),
    "criminal_record_extract": gettext_lazy("Criminal record extract (Strafregisterauszug)"),
}
OFFER_STATUS_WORDS: dict[str, str | Promise] = {
    "pending": gettext_lazy("waiting for an answer"),
    "accepted": gettext_lazy("accepted"),
    "declined": gettext_lazy("declined"),
    "expired": gettext_lazy("not answered in time"),
    "withdrawn": gettext_lazy("withdrawn"),
}


# A suspended helper's appeal, as the helper and the manager read its state.
APPEAL_WORDS: dict[str, str | Promise] = {
    "open": gettext_lazy("With the community manager"),
    "upheld": gettext_lazy("Suspension upheld"),
    "lifted": gettext_lazy("Suspension lifted"),
    "closed": gettext_lazy("Closed: the suspension ended otherwise"),
}


# Safety reports: their categories and the manager's outcomes (the triage queue, a user's record).
SAFETY_CATEGORY_WORDS: dict[str, str | Promise] = {
    "safety": gettext_lazy("Safety"),
    "harassment": gettext_lazy("Harassment"),
    "damage": gettext_lazy("Damage"),
    "no_show": gettext_lazy("No-show"),
    "other": gettext_lazy("Other"),
}
SAFETY_OUTCOME_WORDS: dict[str, str | Promise] = {
    "warning": gettext_lazy("Warned"),
    "suspension": gettext_lazy("Helper suspended"),
    "no_action": gettext_lazy("No action"),
}

# The terms and waivers, by kind (the manager's console).
LEGAL_KIND_WORDS: dict[str, str | Promise] = {
    "customer_terms": gettext_lazy("Customer terms"),
    "data_safety_waiver": gettext_lazy("Data-safety waiver"),
    "category_waiver": gettext_lazy("Waiver for one category"),
    "helper_code_of_conduct": gettext_lazy("Helpers' code of conduct"),
    "helper_liability_terms": gettext_lazy("Helpers' liability terms"),
}
