"""The community manager's payments page: what needs following up by hand."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from payments.selectors import visits_settled_unpaid
from web.views.helper import me_of
from web.views.manage import manager_only


@manager_only
@require_GET
def payments(request: HttpRequest) -> HttpResponse:
    """The visits signed off and settled unpaid because the helper's payout account was
    disconnected (nothing could be charged): helper, date and amount, to follow up."""
    context = {"settled_unpaid": visits_settled_unpaid(me_of(request))}
    return render(request, "web/manage/payments.html", context)
