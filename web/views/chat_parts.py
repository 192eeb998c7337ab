"""A visit's messages as a page shows them, to its helper and to its customer: the latest ones,
masked for the reader as the API masks them (`chat_contacts_visible_to`), and the form to write
one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.exceptions import ApplicationError
from backend.models import User
from bookings.models import Booking
from realtime.chat import CLOSED_STATUSES, chat_message_send, chat_messages_for
from realtime.models import CHAT_MESSAGE_MAX_LENGTH
from realtime.participants import message_data
from web.errors import message_for

# The page shows the latest messages; the API pages through all of them.
CHAT_SHOWN = 50


class ChatForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=CHAT_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def chat_context(request: HttpRequest, booking: Booking) -> dict[str, Any]:
    me = request.user
    assert isinstance(me, User)  # noqa: S101 - the views that show it require a log-in
    latest = list(chat_messages_for(me, booking).order_by("-id")[:CHAT_SHOWN])
    return {
        "chat": [
            {
                "text": message_data(message, me)["text"],
                "mine": message.author_id == me.pk,
                "role": message.author_role,
                "at": message.created_at,
            }
            for message in reversed(latest)
        ],
        "chat_open": booking.status not in CLOSED_STATUSES,
        "chat_form": ChatForm(prefix="chat"),
    }


def chat_send_posted(request: HttpRequest, booking: Booking, back_to: str) -> HttpResponse:
    """The message the form sent, written to the visit's chat; back to the page's messages
    (`back_to`), saying what was wrong if it was refused."""
    me = request.user
    assert isinstance(me, User)  # noqa: S101 - the views that take it require a log-in
    form = ChatForm(request.POST, prefix="chat")
    if not form.is_valid():
        messages.error(request, _("Write your message first (at most 2000 characters)."))
    else:
        try:
            chat_message_send(booking=booking, author=me, text=form.cleaned_data["text"])
        except ApplicationError as error:
            messages.error(request, message_for(error))
    return redirect(back_to + "#chat")
