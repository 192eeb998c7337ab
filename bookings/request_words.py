"""Where a help request stands, said to its customer: one set of sentences for the request page
and the API's `status_reason`, in the reader's language."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from bookings.models import HelpRequest, HelpRequestStatus


def settled_request_words(help_request: HelpRequest) -> str:
    """The sentence for a request no longer looking for a helper (nobody free, withdrawn, every
    time passed, closed, a helper accepted); "" while it is open."""
    status = help_request.status
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
    if status == HelpRequestStatus.ASSIGNED:
        return _("A helper accepted your request.")
    return ""
