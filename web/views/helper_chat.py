"""A visit's chat on the helper's phone: the latest messages, masked as the API masks them
until the booking discloses contacts, and writing one. The list is a live part of the visit's
page: a `chat.message` event fetches it again (web/static/web/live-parts.js)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.exceptions import ApplicationError, NotFound
from bookings.models import Booking
from bookings.selectors import booking_for
from helpers.models import HelperProfile
from realtime.chat import chat_message_send
from web.errors import message_for
from web.views.chat_parts import ChatForm, chat_context
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
    booking = _booking(request, helper, public_id)
    context = {"booking": booking, **chat_context(request, booking)}
    return render(request, "web/helper/visit_chat.html", context)


@helper_only
@require_POST
def chat_send(request: HttpRequest, helper: HelperProfile, public_id: UUID) -> HttpResponse:
    booking = _booking(request, helper, public_id)
    form = ChatForm(request.POST, prefix="chat")
    if not form.is_valid():
        messages.error(request, _("Write your message first (at most 2000 characters)."))
    else:
        try:
            chat_message_send(
                booking=booking, author=me_of(request), text=form.cleaned_data["text"]
            )
        except ApplicationError as error:
            messages.error(request, message_for(error))
    return redirect(reverse("web:helper-visit", args=[public_id]) + "#chat")
