"""A helper's training events as an iCalendar feed, for calendar apps: no log-in, the secret
in the address is the key (the helper gets and renews it in the app or over the API)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from academy.calendar import add_training_events, calendar_bytes, new_calendar
from academy.selectors import helper_by_feed_token


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    helper = helper_by_feed_token(token)
    if helper is None:
        return HttpResponse(status=404, content_type="text/plain")
    calendar = new_calendar()
    add_training_events(calendar, helper)
    response = HttpResponse(calendar_bytes(calendar), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
