"""Where a request and its visit stand, in words a customer understands."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bookings.models import Booking, BookingStatus, HelpRequest, HelpRequestStatus

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
    if status == HelpRequestStatus.OPEN:
        if pending_offers:
            return ngettext(
                "We asked %(count)d helper near you. As soon as one accepts, you will see them here.",
                "We asked %(count)d helpers near you. As soon as one accepts, you will see them here.",
                pending_offers,
            ) % {"count": pending_offers}
        return _("We are looking for a helper near you.")
    if status == HelpRequestStatus.UNMATCHED:
        return _(
            "Nobody was free: no helper within %(radius)s km could come at the times you gave. "
            "Add other times or ask again later."
        ) % {"radius": formats.number_format(help_request.search_radius_km, decimal_pos=0)}
    if status == HelpRequestStatus.WITHDRAWN:
        return _("You withdrew this request.")
    if status == HelpRequestStatus.EXPIRED:
        return _("Every time you gave has passed without a helper.")
    if status == HelpRequestStatus.CLOSED:
        return _("This request is closed.")
    return _("A helper accepted your request.")


def booking_words(booking: Booking) -> str:
    name = _first_name(booking)
    status = booking.status
    if status == BookingStatus.AWAITING_PROPOSAL:
        return _("%(name)s accepted your request and will propose times for the visit soon.") % {
            "name": name
        }
    if status == BookingStatus.PROPOSED:
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
            "%(name)s says the work is done. Please confirm the visit, or tell us what went wrong."
        ) % {"name": name}
    if status in (BookingStatus.SIGNED_OFF, BookingStatus.SETTLED):
        return _("The visit is done. Thank you for using Quartier!")
    if status == BookingStatus.DISPUTED:
        return _("You reported a problem. The community manager will contact you.")
    if status == BookingStatus.CANCELLED:
        return _("The visit was cancelled.")
    return _("The visit did not take place.")
