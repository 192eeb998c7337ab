"""The community manager's triage of safety reports: the queue (open first, newest first), a
report's own page (the visit, the reported person's other reports and warnings) and the decision
on each, with an outcome and a note."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.exceptions import ApplicationError, NotFound
from backend.models import User
from bookings.models import ActorRole, SafetyCategory, SafetyOutcome, SafetyReport
from bookings.selectors import (
    booking_events,
    safety_report_for_manager,
    safety_reports_about,
    safety_reports_for_manager,
    warnings_given_to,
)
from bookings.services import safety_report_triage
from bookings.step_words import MANAGER_READS, timeline_labels
from web.errors import add_service_error, message_for
from web.helper_forms import TriageForm
from web.kept_forms import kept_form, refused
from web.views.helper import me_of
from web.views.manage import PAGE, manager_only
from web.words import SAFETY_CATEGORY_WORDS, SAFETY_OUTCOME_WORDS

CATEGORY_WORDS = SAFETY_CATEGORY_WORDS
OUTCOME_WORDS = SAFETY_OUTCOME_WORDS
ROLE_WORDS = {
    ActorRole.CUSTOMER: gettext_lazy("the customer"),
    ActorRole.HELPER: gettext_lazy("the helper"),
}


def _triage_form(report: SafetyReport, data: Any = None) -> TriageForm:
    prefix = f"r{report.public_id.hex}"
    return TriageForm(data, prefix=prefix, about_helper=_about_helper(report))


def _kept_triage(request: HttpRequest, reports: list[SafetyReport]) -> dict[str, Form]:
    """A refused decision kept for this page, by its report's prefix (`r<report id>_form`)."""
    builders: dict[str, Callable[..., Form]] = {
        f"r{report.public_id.hex}": partial(_rebuilt_triage, report) for report in reports
    }
    return kept_form(request, request.path, builders)


def _rebuilt_triage(report: SafetyReport, data: Any, prefix: str) -> TriageForm:
    return _triage_form(report, data)


def _queue(request: HttpRequest) -> HttpResponse:
    reports = list(safety_reports_for_manager(me_of(request))[:PAGE])
    kept = _kept_triage(request, reports)
    rows = [
        {
            "report": report,
            "category": CATEGORY_WORDS[SafetyCategory(report.category)],
            "by": ROLE_WORDS[ActorRole(report.reporter_role)],
            "outcome": OUTCOME_WORDS[SafetyOutcome(report.outcome)] if report.outcome else None,
            "report_url": reverse("web:manage-report", args=[report.public_id]),
            # The visit's story on its request's page
            "visit_url": reverse("web:manage-request", args=[report.booking.help_request.public_id])
            + f"#visit-{report.booking.public_id}",
            "person_url": file_of(report, report.reported),
            "form": kept.get(f"r{report.public_id.hex}_form") or _triage_form(report),
        }
        for report in reports
    ]
    return render(request, "web/manage/reports.html", {"rows": rows})


def file_of(report: SafetyReport, person: User) -> str:
    """A party's file in the back office: the helper's page for the visit's helper, the
    customer's file for its customer."""
    if person.pk == report.booking.helper.user_id:
        return reverse("web:manage-helper", args=[report.booking.helper.public_id])
    return reverse("web:manage-customer", args=[person.public_id])


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


def _report_of(request: HttpRequest, public_id: UUID) -> SafetyReport:
    try:
        return safety_report_for_manager(me_of(request), public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _decide(request: HttpRequest, report: SafetyReport) -> TriageForm | None:
    """Records the manager's decision on the report through the service. None once it is
    recorded, or refused as a whole (both said in a message); else the form with its errors."""
    form = _triage_form(report, request.POST)
    if not form.is_valid():
        return form
    try:
        report = safety_report_triage(report=report, actor=me_of(request), **form.cleaned_data)
    except ApplicationError as error:
        if error.fields:
            add_service_error(form, error)
            return form
        messages.error(request, message_for(error))
    else:
        messages.success(request, _decided_words(report))
    return None


@manager_only
@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    return _queue(request)


@manager_only
@require_POST
def report_decide(request: HttpRequest, public_id: UUID) -> HttpResponse:
    form = _decide(request, _report_of(request, public_id))
    if form is None:
        return redirect("web:manage-reports")
    # Back on the queue at its own address, the form as sent: a reload resends nothing
    return refused(request, form, reverse("web:manage-reports"))


@manager_only
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One report with what the manager weighs it against; an open one is decided here."""
    report = _report_of(request, public_id)
    if request.method == "POST":
        refused_form = _decide(request, report)
        if refused_form is None:
            return redirect("web:manage-report", public_id=public_id)
        # Back on the report's page at its own address: a reload resends nothing
        return refused(request, refused_form, request.path)
    form = _kept_triage(request, [report]).get(f"r{report.public_id.hex}_form")
    me = me_of(request)
    context = {
        "report": report,
        "booking": report.booking,
        "category": CATEGORY_WORDS[SafetyCategory(report.category)],
        "by": ROLE_WORDS[ActorRole(report.reporter_role)],
        "against": ROLE_WORDS[ActorRole.HELPER if _about_helper(report) else ActorRole.CUSTOMER],
        "outcome": OUTCOME_WORDS[SafetyOutcome(report.outcome)] if report.outcome else None,
        "timeline": timeline_labels(booking_events(report.booking), MANAGER_READS),
        "others": safety_reports_about(me, report.reported).exclude(pk=report.pk)[:PAGE],
        "warnings": warnings_given_to(me, report.reported).exclude(pk=report.pk)[:PAGE],
        "person_url": file_of(report, report.reported),
        "reporter_url": file_of(report, report.reporter),
        "form": form or _triage_form(report),
    }
    return render(request, "web/manage/report.html", context)
