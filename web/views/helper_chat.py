"""A visit's chat on the helper's phone: the latest messages, masked as the API masks them
while the booking hides contacts from the helper, and writing one. The list is a live log of
the visit's page: a `chat.message` event fetches the messages after the last one it shows,
which are added at its end (web/static/web/live-parts.js)."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from backend.exceptions import NotFound
from bookings.models import Booking
from bookings.selectors import booking_for
from helpers.models import HelperProfile
from web.views.chat_parts import chat_part, chat_send_posted
from web.views.helper import helper_only, me_of


def _booking(request: HttpRequest, helper: HelperProfile, public_id: UUID) -> Booking:
    """The helper's own visit, else 404 (as its page)."""
    try:
        booking = booking_for(me_of(request), public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if booking.helper_id != helper.pk:
        raise Http404
    return booking


@helper_only
@require_GET
def chat(request: HttpRequest, helper: HelperProfile, public_id: UUID) -> HttpResponse:
    return chat_part(request, _booking(request, helper, public_id), "web/helper/visit_chat.html")


@helper_only
@require_POST
def chat_send(request: HttpRequest, helper: HelperProfile, public_id: UUID) -> HttpResponse:
    booking = _booking(request, helper, public_id)
    return chat_send_posted(request, booking, reverse("web:helper-visit", args=[public_id]))
