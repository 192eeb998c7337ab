"""A helper's training events as an iCalendar feed, for calendar apps: no log-in, the secret
in the address is the key (the helper gets and renews it in the app or over the API)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from academy.calendar import calendar_of
from academy.selectors import helper_by_feed_token


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    helper = helper_by_feed_token(token)
    if helper is None:
        return HttpResponse(status=404, content_type="text/plain")
    response = HttpResponse(calendar_of(helper), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=900"
    return response
