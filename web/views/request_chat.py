"""A visit's messages on the customer's request page: the latest ones, masked as the API masks
them while the booking hides contacts from the customer, and writing one to the helper. The
list is a live log of the page: a `chat.message` event fetches the messages after the last one
it shows, which are added at its end (web/static/web/live-parts.js)."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from bookings.models import Booking
from web.views.chat_parts import chat_part, chat_send_posted
from web.views.request_page import current_booking, me_of, own_request


def _booking(request: HttpRequest, public_id: UUID) -> Booking:
    """The visit of the customer's own request, else 404 (as the request's page)."""
    booking = current_booking(me_of(request), own_request(request, public_id))
    if booking is None:
        raise Http404
    return booking


@login_required
@require_GET
def request_chat(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return chat_part(request, _booking(request, public_id), "web/requests/chat.html")


@login_required
@require_POST
def request_chat_send(request: HttpRequest, public_id: UUID) -> HttpResponse:
    booking = _booking(request, public_id)
    return chat_send_posted(request, booking, reverse("web:request", args=[public_id]))
