"""A customer's file in the manager's console: what a manager handling a report about them, or
from them, needs to know of their requests, visits, reports, warnings and cancellations."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backend.exceptions import NotFound
from bookings.selectors import customer_file_for_manager
from web.views.helper import me_of
from web.views.manage import manager_only


@manager_only
@require_GET
def customer_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    me = me_of(request)
    try:
        file = customer_file_for_manager(me, public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    context = {
        "file": file,
        "customer": file.customer,
        # Their account in the admin (e-mail, phone, home address) for a manager allowed to
        # read accounts there, as the admin itself decides.
        "account_open": me.has_perm("backend.view_user"),
    }
    return render(request, "web/manage/customer.html", context)
