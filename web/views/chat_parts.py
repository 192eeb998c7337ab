"""A visit's messages as a page shows them, to its helper and to its customer: the latest ones,
masked for the reader as the API masks them (`chat_contacts_visible_to`), and the form to write
one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.exceptions import ApplicationError
from backend.models import User
from bookings.models import Booking
from realtime.chat import CLOSED_STATUSES, chat_message_send, chat_messages_for
from realtime.models import CHAT_MESSAGE_MAX_LENGTH
from realtime.participants import message_data
from web.errors import add_service_error
from web.kept_forms import refused

# The page shows the latest messages; the API pages through all of them.
CHAT_SHOWN = 50


WRITE_FIRST = gettext_lazy("Write your message first (at most 2000 characters).")


class ChatForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your message"),
        max_length=CHAT_MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": WRITE_FIRST, "max_length": WRITE_FIRST},
    )


class ChatAfterForm(forms.Form):
    """`?after=<message id>`: the live page asks for the messages after the last one it shows
    (0 while it shows none), to add them to its log."""

    after = forms.IntegerField(min_value=0)


def chat_context(
    request: HttpRequest, booking: Booking, after: int = 0, form: forms.Form | None = None
) -> dict[str, Any]:
    """The latest messages (after the message `after`, if given), oldest first, and the form to
    write one (`form`: a refused one, kept as it was sent)."""
    me = request.user
    assert isinstance(me, User)  # noqa: S101 - the views that show it require a log-in
    shown = chat_messages_for(me, booking).filter(pk__gt=after)
    latest = list(shown.order_by("-id")[:CHAT_SHOWN])
    return {
        "chat": [
            {
                "id": message.pk,
                "text": message_data(message, me)["text"],
                "mine": message.author_id == me.pk,
                "role": message.author_role,
                "at": message.created_at,
            }
            for message in reversed(latest)
        ],
        "chat_open": booking.status not in CLOSED_STATUSES,
        "chat_form": form or ChatForm(prefix="chat"),
    }


def chat_part(request: HttpRequest, booking: Booking, template: str) -> HttpResponse:
    """The chat's log (`template`), or, asked `?after=<message id>` by the live page, only the
    messages after that one, which the page adds at the log's end: each is announced once."""
    if "after" not in request.GET:
        context = {"booking": booking, **chat_context(request, booking)}
        return render(request, template, context)
    form = ChatAfterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            _("Give the number of the last message shown (after), 0 if none."),
            content_type="text/plain; charset=utf-8",
        )
    after = form.cleaned_data["after"]
    context = {"booking": booking, "after": after, **chat_context(request, booking, after)}
    return render(request, template + "#chat-after", context)


def chat_send_posted(request: HttpRequest, booking: Booking, back_to: str) -> HttpResponse:
    """The message the form sent, written to the visit's chat; back to the page's messages
    (`back_to`). A refused message comes back there in the box, as it was typed, with what was
    wrong (a reload of the page sends nothing again)."""
    me = request.user
    assert isinstance(me, User)  # noqa: S101 - the views that take it require a log-in
    form = ChatForm(request.POST, prefix="chat")
    if form.is_valid():
        try:
            chat_message_send(booking=booking, author=me, text=form.cleaned_data["text"])
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            return redirect(back_to + "#chat")
    # At the page's address without "#chat": a jump to it would take the focus from the list of
    # problems, which brings the box into view itself
    return refused(request, form, back_to, "chat")
