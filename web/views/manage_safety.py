"""The community manager's triage of safety reports: the queue (open first, newest first) and
the decision on each, with an outcome and a note."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backend.exceptions import ApplicationError, NotFound
from backend.models import User
from bookings.models import ActorRole, SafetyCategory, SafetyOutcome, SafetyReport
from bookings.selectors import safety_report_for_manager, safety_reports_for_manager
from bookings.services import safety_report_triage
from web.errors import add_service_error, message_for
from web.helper_forms import TriageForm
from web.views.helper import me_of
from web.views.manage import PAGE, manager_only
from web.words import SAFETY_CATEGORY_WORDS, SAFETY_OUTCOME_WORDS

CATEGORY_WORDS = SAFETY_CATEGORY_WORDS
OUTCOME_WORDS = SAFETY_OUTCOME_WORDS
ROLE_WORDS = {
    ActorRole.CUSTOMER: gettext_lazy("the customer"),
    ActorRole.HELPER: gettext_lazy("the helper"),
}


def _queue(
    request: HttpRequest, failed: UUID | None = None, form: TriageForm | None = None
) -> HttpResponse:
    reports = list(safety_reports_for_manager(me_of(request))[:PAGE])
    rows = [
        {
            "report": report,
            "category": CATEGORY_WORDS[SafetyCategory(report.category)],
            "by": ROLE_WORDS[ActorRole(report.reporter_role)],
            "outcome": OUTCOME_WORDS[SafetyOutcome(report.outcome)] if report.outcome else None,
            "visit_url": reverse(
                "web:manage-request", args=[report.booking.help_request.public_id]
            ),
            "person_url": _file_of_reported(report, me_of(request)),
            "form": form
            if form is not None and report.public_id == failed
            else TriageForm(prefix=f"r{report.public_id.hex}", about_helper=_about_helper(report)),
        }
        for report in reports
    ]
    return render(request, "web/manage/reports.html", {"rows": rows}, status=400 if form else 200)


def _file_of_reported(report: SafetyReport, manager: User) -> str | None:
    """The reported person's file in the back office: the helper's page for the visit's
    helper; for a customer, their account in the admin, if this manager may read it."""
    if report.reported_id == report.booking.helper.user_id:
        return reverse("web:manage-helper", args=[report.booking.helper.public_id])
    if manager.has_perm("backend.view_user"):
        return reverse("admin:backend_user_change", args=[report.reported_id])
    return None


def _about_helper(report: SafetyReport) -> bool:
    """Whether the reported person is the visit's helper: a customer filed the report."""
    return report.reporter_role == ActorRole.CUSTOMER


def _decided_words(report: SafetyReport) -> str:
    """What the decision changed, and who hears of it: the page says so, nobody has to guess."""
    name = report.reported.display_name
    if report.outcome == SafetyOutcome.SUSPENSION:
        effect = _(
            "%(name)s is suspended until you lift it: no more offers, their coming visits are "
            "cancelled and those customers told. They read your reason."
        )
    elif report.outcome == SafetyOutcome.WARNING:
        effect = _(
            "%(name)s is warned: the warning stays on their record, and they are e-mailed your "
            "reason and read it on their pages."
        )
    else:
        effect = _("No action: nothing changes for %(name)s.")
    told = _("The person who reported is e-mailed that their report is decided.")
    return f"{effect % {'name': name}} {told}"


@manager_only
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    return _queue(request)


@manager_only
@require_POST
def report_decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    try:
        report = safety_report_for_manager(me_of(request), public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = TriageForm(request.POST, prefix=f"r{public_id.hex}", about_helper=_about_helper(report))
    if form.is_valid():
        try:
            report = safety_report_triage(report=report, actor=me_of(request), **form.cleaned_data)
        except ApplicationError as error:
            if not error.fields:
                messages.error(request, message_for(error))
                return redirect("web:manage-reports")
            add_service_error(form, error)
        else:
            messages.success(request, _decided_words(report))
            return redirect("web:manage-reports")
    return _queue(request, public_id, form)
