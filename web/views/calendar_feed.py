"""Visits and training events as iCalendar files, for calendar apps. The helper's feed has no
log-in: the secret in the address is the key (the helper gets and renews it in the app or over
the API). The customer's confirmed visit is one file behind their log-in."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from academy.selectors import helper_by_feed_token
from bookings.selectors import CALENDAR_STATUSES
from bookings.visit_calendar import customer_visit_calendar, helper_calendar
from web.views.request_page import current_booking, me_of, own_request

CALENDAR_TYPE = "text/calendar; charset=utf-8"


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    helper = helper_by_feed_token(token)
    if helper is None:
        return HttpResponse(status=404, content_type="text/plain")
    response = HttpResponse(helper_calendar(helper), content_type=CALENDAR_TYPE)
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
@require_GET
def visit_calendar(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The request's visit, to add to the customer's calendar, once it has a confirmed time
    (404 before, and for anyone but the request's customer, like the page's other actions)."""
    me = me_of(request)
    help_request = own_request(request, public_id)
    booking = current_booking(me, help_request)
    if booking is None or booking.status not in CALENDAR_STATUSES:
        raise Http404
    response = HttpResponse(customer_visit_calendar(booking, me), content_type=CALENDAR_TYPE)
    response["Content-Disposition"] = 'attachment; filename="quartier-visit.ics"'
    return response
