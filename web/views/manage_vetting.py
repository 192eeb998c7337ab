"""The manager's vetting desk: the queue of open applications (longest waiting first, against
the target), one application beside its documents and their access log, the decisions, and
the funnel. Reads are `helpers.selectors`; every decision is a service of `helpers.services`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backend.config import config
from backend.exceptions import ApplicationError
from helpers.conduct_test_selectors import (
    conduct_test_record,
    conduct_test_standing,
)
from helpers.models import ApprovalStatus, DocumentAccess, HelperProfile
from helpers.selectors import (
    application_history,
    documents_for_manager,
    helpers_for_manager,
    vetting_funnel,
    vetting_queue,
)
from helpers.services import (
    application_check_documents,
    application_invite_to_interview,
    application_record_conduct_test,
    application_reject,
    application_request_information,
    helper_approve,
)
from web.errors import add_service_error
from web.helper_forms import FunnelPeriodForm, VettingDecisionForm, VettingFilterForm
from web.kept_forms import kept_form, refused
from web.views.helper import me_of
from web.views.manage import manager_only
from web.words import APPROVAL_WORDS

_A = ApprovalStatus
FUNNEL_DAYS = 30


@dataclass(frozen=True)
class Decision:
    name: str
    button: str | Promise
    move: Callable[..., HelperProfile]
    style: str = ""
    done: str | Promise = ""
    # What the decision's note is called, where it is more than a note.
    note_label: str | Promise | None = None


DECISIONS = {
    decision.name: decision
    for decision in (
        Decision(
            "check_documents",
            gettext_lazy("The documents are in order"),
            application_check_documents,
            "button-primary",
            gettext_lazy("The documents are checked; the applicant takes the test next."),
        ),
        Decision(
            "record_conduct_test",
            gettext_lazy("Passed the conduct test in person"),
            application_record_conduct_test,
            "",
            gettext_lazy("The conduct test is recorded as passed."),
        ),
        Decision(
            "invite_to_interview",
            gettext_lazy("Invite to an interview"),
            application_invite_to_interview,
            "",
            gettext_lazy("The applicant is invited to an interview."),
        ),
        Decision(
            "approve",
            gettext_lazy("Approve"),
            helper_approve,
            "button-primary",
            gettext_lazy("The helper is approved."),
        ),
        Decision(
            "request_information",
            gettext_lazy("Ask for more information"),
            application_request_information,
            "",
            gettext_lazy("The applicant is asked for more information."),
            gettext_lazy("What is needed (the applicant reads it)"),
        ),
        Decision(
            "reject",
            gettext_lazy("Reject"),
            application_reject,
            "button-danger",
            gettext_lazy("The application is rejected."),
            gettext_lazy("Reason (the applicant reads it)"),
        ),
    )
}
# What the desk offers at each step (the services refuse anything else all the same).
DECISIONS_AT = {
    _A.APPLIED: ("reject",),
    _A.NEEDS_INFORMATION: ("reject",),
    _A.DOCUMENTS_SUBMITTED: ("check_documents", "request_information", "reject"),
    _A.DOCUMENTS_CHECKED: ("record_conduct_test", "request_information", "reject"),
    _A.CONDUCT_TEST_PASSED: ("approve", "invite_to_interview", "request_information", "reject"),
    _A.INTERVIEW: ("approve", "request_information", "reject"),
}


def waited_words(waited: timedelta) -> str:
    days = waited.days
    hours = waited.seconds // 3600
    return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}


@manager_only
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = VettingFilterForm(request.GET or None)
    step, region = "", ""
    if form.is_valid():
        step, region = form.cleaned_data["step"], form.cleaned_data["region"]
    applications = vetting_queue(
        me_of(request), steps=[step] if step else (), postal_code_prefix=region
    )
    rows = [
        {
            "application": application,
            "waited": waited_words(application.waited),
            "step": APPROVAL_WORDS.get(application.helper.approval_status, ""),
        }
        for application in applications
    ]
    context = {
        "form": form,
        "rows": rows,
        "target_days": config().vetting_target_days,
        "overdue": sum(1 for application in applications if application.overdue),
    }
    status = 400 if form.errors else 200
    return render(request, "web/manage/vetting_queue.html", context, status=status)


def _applicant(request: HttpRequest, public_id: UUID) -> HelperProfile:
    helper = (
        helpers_for_manager(me_of(request))
        .filter(public_id=public_id)
        .select_related("user")
        .first()
    )
    if helper is None:
        raise Http404
    return helper


def _application_page(
    request: HttpRequest,
    helper: HelperProfile,
    bound: tuple[str, VettingDecisionForm] | None = None,
) -> HttpResponse:
    documents = (
        documents_for_manager(me_of(request))
        .filter(helper=helper)
        .prefetch_related(
            Prefetch(
                "accesses",
                queryset=DocumentAccess.objects.select_related("manager").order_by(
                    "-accessed_at", "-pk"
                ),
                to_attr="access_log",
            )
        )
        .order_by("kind", "-uploaded_at", "-pk")
    )
    in_force = [document for document in documents if document.deleted_at is None]
    earlier = [document for document in documents if document.deleted_at is not None]
    decisions: list[dict[str, Any]] = []
    for name in DECISIONS_AT.get(ApprovalStatus(helper.approval_status), ()):
        if (
            name == "approve"
            and config().vetting_interview_required
            and (helper.approval_status == _A.CONDUCT_TEST_PASSED)
        ):
            continue
        form = (
            bound[1]
            if bound and bound[0] == name
            else VettingDecisionForm(prefix=name, note_label=DECISIONS[name].note_label)
        )
        decisions.append({"name": name, "decision": DECISIONS[name], "form": form})
    shown = {str(item["name"]) for item in decisions}
    # A decision the page no longer offers (another manager moved the application meanwhile):
    # its refusal is said above the decisions.
    refused = bound[1].errors.values() if bound and bound[0] not in shown else []
    context = {
        "helper": helper,
        "refused": [message for messages_ in refused for message in messages_],
        "documents": in_force,
        "earlier": earlier,
        "decisions": decisions,
        "history": application_history(helper).select_related("actor"),
        "conduct": conduct_test_standing(helper),
        "conduct_attempts": conduct_test_record(helper),
    }
    return render(request, "web/manage/vetting_application.html", context)


def _decision_form(data: Any, prefix: str) -> VettingDecisionForm:
    return VettingDecisionForm(data, prefix=prefix, note_label=DECISIONS[prefix].note_label)


@manager_only
@require_GET
def application(request: HttpRequest, public_id: UUID) -> HttpResponse:
    # A refused decision comes back once, by its name (its prefix), as it was sent
    kept = kept_form(request, request.path, dict.fromkeys(DECISIONS, _decision_form))
    bound = next(
        (
            (name, form)
            for name in DECISIONS
            if isinstance(form := kept.get(f"{name}_form"), VettingDecisionForm)
        ),
        None,
    )
    return _application_page(request, _applicant(request, public_id), bound)


@manager_only
@require_POST
def decide(request: HttpRequest, public_id: UUID, decision: str) -> HttpResponse:
    if decision not in DECISIONS:
        raise Http404
    chosen = DECISIONS[decision]
    helper = _applicant(request, public_id)
    form = VettingDecisionForm(request.POST, prefix=decision, note_label=chosen.note_label)
    if form.is_valid():
        try:
            chosen.move(helper=helper, actor=me_of(request), note=form.cleaned_data["note"])
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, str(chosen.done))
            return redirect("web:manage-vetting-application", public_id=public_id)
    # Back on the application at its own address, the form as sent: a reload resends nothing
    page = reverse("web:manage-vetting-application", kwargs={"public_id": public_id})
    return refused(request, form, page)


@manager_only
@require_GET
def funnel(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    initial = {"since": today - timedelta(days=FUNNEL_DAYS - 1), "until": today}
    form = FunnelPeriodForm(request.GET or None, initial=initial)
    since_day, until_day = initial["since"], initial["until"]
    if form.is_bound and form.is_valid():
        since_day, until_day = form.cleaned_data["since"], form.cleaned_data["until"]
    zone = timezone.get_default_timezone()
    since = datetime.combine(since_day, time(0), tzinfo=zone)
    until = datetime.combine(until_day + timedelta(days=1), time(0), tzinfo=zone)
    steps = vetting_funnel(me_of(request), since=since, until=until)
    rows = [{"step": step, "name": APPROVAL_WORDS.get(step.step, step.step)} for step in steps]
    context = {
        "form": form if form.is_bound else FunnelPeriodForm(initial=initial),
        "rows": rows,
        "since": since_day,
        "until": until_day,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "web/manage/vetting_funnel.html", context, status=status)
