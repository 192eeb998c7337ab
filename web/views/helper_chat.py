"""A visit's chat on the helper's phone: the latest messages, masked as the API masks them
until the booking discloses contacts, and writing one. The list is a live part of the visit's
page: a `chat.message` event fetches it again (web/static/web/live-parts.js)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backend.exceptions import ApplicationError, NotFound
from bookings.models import Booking
from bookings.selectors import booking_for
from helpers.models import HelperProfile
from realtime.chat import CLOSED_STATUSES, chat_message_send, chat_messages_for
from realtime.models import CHAT_MESSAGE_MAX_LENGTH
from realtime.participants import message_data
from web.errors import message_for
from web.views.helper import helper_only, me_of

# The page shows the latest messages; the API pages through all of them.
CHAT_SHOWN = 50


class ChatForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=CHAT_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def chat_context(request: HttpRequest, booking: Booking) -> dict[str, Any]:
    me = me_of(request)
    latest = list(chat_messages_for(me, booking).order_by("-id")[:CHAT_SHOWN])
    return {
        "chat": [
            {
                "text": message_data(message)["text"],
                "mine": message.author_id == me.pk,
                "role": message.author_role,
                "at": message.created_at,
            }
            for message in reversed(latest)
        ],
        "chat_open": booking.status not in CLOSED_STATUSES,
        "chat_form": ChatForm(prefix="chat"),
    }


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
