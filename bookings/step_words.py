"""A visit's steps, said to the one who reads them: one set of sentences for the web app's
timelines (the customer's, the helper's and the manager's) and the API's booking history
(`GET /api/v1/bookings/{id}/events`' `summary` and `note`), in the reader's language."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.models import User
from backend.roles import ActorRole
from bookings.choices import Party
from bookings.customer_emails import helper_first_name
from bookings.models import Booking, BookingEvent, BookingStatus
from bookings.selectors import role_in_booking

TIMELINE: dict[str, str | Promise] = {
    BookingStatus.AWAITING_PROPOSAL: gettext_lazy("The helper accepted your request"),
    BookingStatus.PROPOSED: gettext_lazy("The helper proposed times"),
    BookingStatus.CONFIRMED: gettext_lazy("The visit was confirmed"),
    BookingStatus.ON_THE_WAY: gettext_lazy("The helper set off"),
    BookingStatus.IN_PROGRESS: gettext_lazy("The helper arrived"),
    BookingStatus.COMPLETED: gettext_lazy("The helper finished the work"),
    BookingStatus.SIGNED_OFF: gettext_lazy("The visit was signed off"),
    BookingStatus.DISPUTED: gettext_lazy("A problem was reported"),
    BookingStatus.SETTLED: gettext_lazy("The visit was settled"),
    BookingStatus.CANCELLED: gettext_lazy("The visit was cancelled"),
    BookingStatus.NO_SHOW: gettext_lazy("The visit did not take place"),
}

HELPER_TIMELINE: dict[str, str | Promise] = {
    BookingStatus.AWAITING_PROPOSAL: gettext_lazy("You accepted the offer"),
    BookingStatus.PROPOSED: gettext_lazy("You proposed times"),
    BookingStatus.CONFIRMED: gettext_lazy("The customer confirmed a time"),
    BookingStatus.ON_THE_WAY: gettext_lazy("You set off"),
    BookingStatus.IN_PROGRESS: gettext_lazy("You arrived"),
    BookingStatus.COMPLETED: gettext_lazy("You finished the work"),
    BookingStatus.SIGNED_OFF: gettext_lazy("The visit was signed off"),
    BookingStatus.DISPUTED: gettext_lazy("A problem was reported"),
    BookingStatus.SETTLED: gettext_lazy("The visit was settled"),
    BookingStatus.CANCELLED: gettext_lazy("The visit was cancelled"),
    BookingStatus.NO_SHOW: gettext_lazy("The visit did not take place"),
}

# The same steps told to the community manager, who is neither side: the request's page.
MANAGER_TIMELINE: dict[str, str | Promise] = {
    **TIMELINE,
    BookingStatus.AWAITING_PROPOSAL: gettext_lazy("The helper accepted the offer"),
    BookingStatus.CONFIRMED: HELPER_TIMELINE[BookingStatus.CONFIRMED],
}

# Who reads a visit's timeline, and the words of its steps for them.
CUSTOMER_READS, HELPER_READS, MANAGER_READS = "customer", "helper", "manager"
_TIMELINES = {
    CUSTOMER_READS: TIMELINE,
    HELPER_READS: HELPER_TIMELINE,
    MANAGER_READS: MANAGER_TIMELINE,
}
# Steps a status alone does not tell: back to waiting for times after some were proposed or
# one confirmed (the customer asked for other times), times proposed after earlier ones (other
# times), and a sign-off Quartier made by itself.
_OTHER_TIMES_ASKED: dict[str, str | Promise] = {
    CUSTOMER_READS: gettext_lazy("You asked for other times"),
    HELPER_READS: gettext_lazy("The customer asked for other times"),
    MANAGER_READS: gettext_lazy("The customer asked for other times"),
}
_OTHER_TIMES_PROPOSED: dict[str, str | Promise] = {
    CUSTOMER_READS: gettext_lazy("The helper proposed other times"),
    HELPER_READS: gettext_lazy("You proposed other times"),
    MANAGER_READS: gettext_lazy("The helper proposed other times"),
}
_SIGNED_OFF_AUTOMATICALLY = gettext_lazy("The visit was signed off automatically")
# The customer's steps the helper took, with the helper's first name (as the request's page
# names them everywhere else); read with `% {"name": …}`.
_HELPER_NAMED: dict[str, str | Promise] = {
    BookingStatus.AWAITING_PROPOSAL: gettext_lazy("%(name)s accepted your request"),
    BookingStatus.PROPOSED: gettext_lazy("%(name)s proposed times"),
    BookingStatus.ON_THE_WAY: gettext_lazy("%(name)s set off"),
    BookingStatus.IN_PROGRESS: gettext_lazy("%(name)s arrived"),
    BookingStatus.COMPLETED: gettext_lazy("%(name)s finished the work"),
}
_HELPER_NAMED_OTHER_TIMES = gettext_lazy("%(name)s proposed other times")


def cancelled_words(role: str, reader: str, helper_name: str = "") -> str:
    """Who cancelled the visit (`role`, the cancelling step's), said to its `reader`: the
    reader themselves, the other side (the helper by name for the customer), or the community
    manager; the manager's console says who beside the step."""
    if reader == MANAGER_READS or not role:
        return str(TIMELINE[BookingStatus.CANCELLED])
    if role == {CUSTOMER_READS: ActorRole.CUSTOMER, HELPER_READS: ActorRole.HELPER}[reader]:
        return _("You cancelled the visit")
    if role == ActorRole.HELPER and helper_name:
        return _("%(name)s cancelled the visit") % {"name": helper_name}
    if role == ActorRole.CUSTOMER:
        return _("The customer cancelled the visit")
    if role == ActorRole.MANAGER:
        return _("The community manager cancelled the visit")
    return str(TIMELINE[BookingStatus.CANCELLED])


def _step_words(to: str, reader: str, helper_name: str) -> str:
    if reader == CUSTOMER_READS and helper_name and to in _HELPER_NAMED:
        return str(_HELPER_NAMED[to]) % {"name": helper_name}
    return str(_TIMELINES[reader].get(to, to))


def step_label(
    event: BookingEvent, reader: str, *, proposed_before: bool, helper_name: str = ""
) -> str:
    """What one step of a visit did, said to its `reader` (`proposed_before`: the helper had
    proposed times at an earlier step; `helper_name`: the helper's first name, which the
    customer reads instead of "the helper")."""
    to = event.to_status
    if to == BookingStatus.AWAITING_PROPOSAL and event.from_status:
        return str(_OTHER_TIMES_ASKED[reader])
    if to == BookingStatus.PROPOSED and proposed_before:
        if reader == CUSTOMER_READS and helper_name:
            return str(_HELPER_NAMED_OTHER_TIMES) % {"name": helper_name}
        return str(_OTHER_TIMES_PROPOSED[reader])
    if to == BookingStatus.SIGNED_OFF and event.actor_role == ActorRole.SYSTEM:
        return str(_SIGNED_OFF_AUTOMATICALLY)
    if to == BookingStatus.CANCELLED:
        return cancelled_words(event.actor_role, reader, helper_name)
    if to == BookingStatus.NO_SHOW:
        return no_show_words((event.data or {}).get("caused_by", ""), reader, helper_name)
    return _step_words(to, reader, helper_name)


def no_show_words(party: str, reader: str, helper_name: str = "") -> str:
    """Who was not there (`party`, the cause the no-show recorded), said to its `reader`: the
    reader themselves, or the other side (the helper by name for the customer); the manager's
    console says who caused it beside the step."""
    if reader == MANAGER_READS:
        return str(TIMELINE[BookingStatus.NO_SHOW])
    if party == {CUSTOMER_READS: Party.CUSTOMER, HELPER_READS: Party.HELPER}.get(reader):
        return _("You were not there")
    if party == Party.CUSTOMER:
        return _("The customer was not there")
    if party == Party.HELPER and helper_name:
        return _("%(name)s did not come") % {"name": helper_name}
    if party == Party.HELPER:
        return _("The helper did not come")
    return str(TIMELINE[BookingStatus.NO_SHOW])


def timeline_labels(
    events: Iterable[BookingEvent], reader: str, *, helper_name: str = ""
) -> list[tuple[str, BookingEvent]]:
    """Each step of a visit (oldest first) with its words for `reader` (the customer reads the
    helper's first name, `helper_name`, where one is given)."""
    labelled = []
    proposed_before = False
    for event in events:
        said = step_label(event, reader, proposed_before=proposed_before, helper_name=helper_name)
        labelled.append((said, event))
        proposed_before = proposed_before or event.to_status == BookingStatus.PROPOSED
    return labelled


def customer_timeline(
    booking: Booking | None, events: Iterable[BookingEvent]
) -> list[tuple[str, BookingEvent]]:
    """The visit's steps as its customer reads them, the helper named by first name."""
    helper_name = helper_first_name(booking) if booking is not None else ""
    return timeline_labels(events, CUSTOMER_READS, helper_name=helper_name)


# What Quartier itself writes as the reason of a visit's step (a person's own reason is shown
# as they wrote it): nothing where the step says it already, else in the reader's language.
SYSTEM_REASONS: dict[str, str | Promise] = {
    "offer accepted": "",
    "times proposed": "",
    "time confirmed": "",
    "on my way": "",
    "checked in": "",
    "checked out": "",
    "signed off": "",
    "payment captured": "",
    "signed off automatically": "",
    "no-show reported": gettext_lazy("no-show reported"),
    "nothing to pay": gettext_lazy("nothing to pay"),
}


def step_note(event: BookingEvent) -> str:
    """Why a step was taken, said to its reader: a person's reason as they wrote it; Quartier's
    own note in the reader's words, or nothing where the step's words say it already."""
    if event.reason in SYSTEM_REASONS:
        return str(SYSTEM_REASONS[event.reason])
    if event.actor_role == ActorRole.SYSTEM:
        return ""
    return event.reason


def reader_of(booking: Booking, user: User) -> str:
    """Who `user` is to the visit's timeline: its customer, its helper, or else the manager."""
    role = role_in_booking(booking, user)
    if role == ActorRole.CUSTOMER:
        return CUSTOMER_READS
    if role == ActorRole.HELPER:
        return HELPER_READS
    return MANAGER_READS


def steps_told_to(
    booking: Booking, events: Iterable[BookingEvent], user: User
) -> list[tuple[str, BookingEvent]]:
    """The visit's steps (all of them, oldest first) as `user` reads them on the visit's page:
    its customer with the helper's first name, its helper, or the manager."""
    reader = reader_of(booking, user)
    if reader == CUSTOMER_READS:
        return customer_timeline(booking, events)
    return timeline_labels(events, reader)
