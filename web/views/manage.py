"""The community manager's console: a dashboard, helpers to vet, requests with the matching's
explanation, and disputes to decide. Only managers (staff) see it: for anyone else logged in
every page does not exist (404), as in the API; anonymous visitors are asked to log in."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from backend.exceptions import ApplicationError, NotFound
from backend.formats import written
from bookings.console import requests_per_day
from bookings.models import BookingStatus, HelpRequestStatus
from bookings.selectors import (
    booking_events,
    booking_for,
    bookings_visible_to,
    help_request_for,
    help_requests_visible_to,
    helpers_considered_in,
    manager_figures,
    matching_runs_for_manager,
    offers_of_request,
    safety_record_of,
    visits_of_request,
)
from bookings.services import booking_resolve_dispute
from bookings.step_words import MANAGER_READS, timeline_labels
from helpers.appeal_services import AppealOutcome, appeal_decide
from helpers.models import AppealStatus, ApprovalStatus, HelperProfile
from helpers.selectors import (
    appeals_for_manager,
    helpers_for_manager,
    helpers_found,
    offer_blockers,
    open_appeal_count,
)
from helpers.services import helper_approve, helper_suspend
from helpers.transitions import APPROVAL_MACHINE, reason_required
from payments.refunds import payment_refund
from payments.selectors import money_view, payment_for, visit_payment
from web.errors import add_service_error, message_for
from web.helper_forms import (
    AppealDecisionForm,
    HelperFilterForm,
    NoteForm,
    PeriodForm,
    RefundForm,
    ResolveForm,
    SuspendForm,
)
from web.kept_forms import kept_form, refused
from web.views.helper import me_of
from web.visit_story import visit_stories
from web.words import STATUS_WORDS, WAITING_WORDS, considered_reason

PAGE = 50
DEFAULT_PERIOD = 30
REQUEST_TABS = (
    HelpRequestStatus.OPEN,
    HelpRequestStatus.UNMATCHED,
    HelpRequestStatus.ASSIGNED,
    HelpRequestStatus.CLOSED,
    HelpRequestStatus.EXPIRED,
    HelpRequestStatus.WITHDRAWN,
)
ManagerView = Callable[..., HttpResponse]


def manager_only(view: ManagerView) -> ManagerView:
    @login_required
    @wraps(view)
    def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not me_of(request).is_staff:
            raise Http404
        return view(request, *args, **kwargs)

    return run


def period_of(request: HttpRequest) -> int:
    """The period asked for (7, 30 or 90 days); 30 when none or another is asked for."""
    form = PeriodForm(request.GET)
    return (form.cleaned_data["days"] or DEFAULT_PERIOD) if form.is_valid() else DEFAULT_PERIOD


def _charts(request: HttpRequest) -> dict[str, Any]:
    days = period_of(request)
    per_day = requests_per_day(me_of(request), days=days)
    chart = {
        "labels": [written.day_month(day.day) for day in per_day],
        "requests": [day.requests for day in per_day],
        "matched": [day.matched for day in per_day],
        "match_percent": [day.match_percent for day in per_day],
        "requests_label": _("Requests"),
        "matched_label": _("Found a helper"),
        "match_rate_label": _("Match rate (%)"),
    }
    return {
        "days": days,
        "period_form": PeriodForm(initial={"days": days}),
        "per_day": per_day,
        "chart": chart,
    }


@manager_only
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    figures = manager_figures()
    by_status = [
        (status, STATUS_WORDS[status], count)
        for status, count in figures["bookings_by_status"].items()
    ]
    waiting = [
        (step, WAITING_WORDS[step] % {"count": count}, count)
        for step, count in figures["helpers_waiting"].items()
    ]
    unmatched = (
        help_requests_visible_to(me_of(request))
        .filter(status=HelpRequestStatus.UNMATCHED)
        .select_related("category")[:10]
    )
    context = {
        "figures": figures,
        "by_status": by_status,
        "waiting": waiting,
        "unmatched": unmatched,
        "open_appeals": open_appeal_count(me_of(request)),
        **_charts(request),
    }
    return render(request, "web/manage/dashboard.html", context)


@manager_only
@require_GET
def helpers(request: HttpRequest) -> HttpResponse:
    form = HelperFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    skill = data.get("skill")
    found = helpers_found(
        me_of(request),
        text=data.get("q", ""),
        status=data.get("status", ""),
        skill_slug=skill.slug if skill else "",
    )
    return render(request, "web/manage/helpers.html", {"form": form, "helpers": found[:PAGE]})


def _helper(request: HttpRequest, public_id: UUID) -> HelperProfile:
    helper = helpers_for_manager(me_of(request)).filter(public_id=public_id).first()
    if helper is None:
        raise Http404
    return helper


def _helper_page(request: HttpRequest, helper: HelperProfile, **bound: forms.Form) -> HttpResponse:
    appeals = list(
        appeals_for_manager(me_of(request)).filter(helper=helper).order_by("-created_at", "-id")
    )
    context = {
        "appeals": appeals,
        "safety_record": safety_record_of(helper.user).select_related(
            "booking", "reporter", "triaged_by"
        ),
        "open_appeal": next((a for a in appeals if a.status == AppealStatus.OPEN), None),
        "appeal_form": bound.get("appeal_form") or AppealDecisionForm(prefix="appeal"),
        "helper": helper,
        # What keeps an approved helper's offers away, for the manager who supports them.
        "blockers": offer_blockers(helper) if helper.approval_status == "approved" else [],
        "events": helper.approval_events.select_related("actor"),
        # The latest by the visit's time; those whose time is not agreed yet are being
        # arranged now, so they come first, the newest request first.
        "visits": bookings_visible_to(me_of(request))
        .filter(helper=helper)
        .order_by(F("starts_at").desc(nulls_first=True), "-created_at", "-id")[:20],
        "approve_form": bound.get("approve_form") or NoteForm(prefix="approve"),
        "suspend_form": bound.get("suspend_form") or SuspendForm(prefix="suspend"),
        # Only the moves the helper's step allows (an applicant is decided on at the vetting
        # desk); a refused one stays on the page with its reason.
        "can_approve": "approve_form" in bound
        or ApprovalStatus.APPROVED in APPROVAL_MACHINE.targets(helper.approval_status),
        "can_suspend": "suspend_form" in bound
        or ApprovalStatus.SUSPENDED in APPROVAL_MACHINE.targets(helper.approval_status),
        "applying": ApprovalStatus.REJECTED in APPROVAL_MACHINE.targets(helper.approval_status),
        # Approving a suspended helper lifts the suspension, which the manager explains.
        "lifting": reason_required(helper.approval_status, ApprovalStatus.APPROVED),
    }
    return render(request, "web/manage/helper.html", context)


# The helper page's forms, each rebuilt there from what a refused POST sent.
HELPER_FORMS: dict[str, Callable[..., forms.Form]] = {
    "approve": NoteForm,
    "suspend": SuspendForm,
    "appeal": AppealDecisionForm,
}


@manager_only
@require_GET
def helper_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    kept = kept_form(request, request.path, HELPER_FORMS)
    return _helper_page(request, _helper(request, public_id), **kept)


def _back_to_helper(request: HttpRequest, form: forms.Form, public_id: UUID) -> HttpResponse:
    page = reverse("web:manage-helper", kwargs={"public_id": public_id})
    return refused(request, form, page)


def _approval(move: Callable[..., HelperProfile], prefix: str, done: object) -> ManagerView:
    @manager_only
    @require_POST
    def view(request: HttpRequest, public_id: UUID) -> HttpResponse:
        helper = _helper(request, public_id)
        form = NoteForm(request.POST, prefix=prefix)
        if form.is_valid():
            try:
                move(helper=helper, actor=me_of(request), note=form.cleaned_data["note"])
            except ApplicationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, str(done))
                return redirect("web:manage-helper", public_id=public_id)
        return _back_to_helper(request, form, public_id)

    return view


helper_approve_view = _approval(helper_approve, "approve", gettext_lazy("The helper is approved."))


@manager_only
@require_POST
def helper_suspend_view(request: HttpRequest, public_id: UUID) -> HttpResponse:
    helper = _helper(request, public_id)
    form = SuspendForm(request.POST, prefix="suspend")
    if form.is_valid():
        try:
            helper_suspend(
                helper=helper,
                actor=me_of(request),
                note=form.cleaned_data["note"],
                until=form.until(),
            )
        except ApplicationError as error:
            add_service_error(form, error, fields={"until": "last_day"})
        else:
            messages.success(request, _("The helper is suspended."))
            return redirect("web:manage-helper", public_id=public_id)
    return _back_to_helper(request, form, public_id)


@manager_only
@require_POST
def appeal_decide_view(request: HttpRequest, public_id: UUID, appeal_id: UUID) -> HttpResponse:
    helper = _helper(request, public_id)
    appeal = appeals_for_manager(me_of(request)).filter(public_id=appeal_id, helper=helper).first()
    if appeal is None:
        raise Http404
    form = AppealDecisionForm(request.POST, prefix="appeal")
    if form.is_valid():
        try:
            appeal_decide(
                appeal=appeal,
                actor=me_of(request),
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            name = helper.user.display_name
            if form.cleaned_data["outcome"] == AppealOutcome.LIFT:
                said = _(
                    "The suspension is lifted: %(name)s is approved again and gets offers. "
                    "They are told by e-mail."
                )
            else:
                said = _(
                    "The suspension stands: %(name)s still gets no offers. "
                    "They are told by e-mail, with your reason."
                )
            messages.success(request, said % {"name": name})
            return redirect("web:manage-helper", public_id=public_id)
    return _back_to_helper(request, form, public_id)


@manager_only
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    shown = request.GET.get("status", HelpRequestStatus.UNMATCHED)
    if shown not in HelpRequestStatus.values:
        shown = HelpRequestStatus.UNMATCHED
    found = (
        help_requests_visible_to(me_of(request))
        .filter(status=shown)
        .select_related("category", "customer")[:PAGE]
    )
    context = {"help_requests": found, "shown": shown, "tabs": REQUEST_TABS}
    return render(request, "web/manage/requests.html", context)


@manager_only
@require_GET
def request_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    me = me_of(request)
    try:
        help_request = help_request_for(me, public_id)
        runs = list(matching_runs_for_manager(me, public_id))
    except NotFound as exc:
        raise Http404(exc.message) from exc
    helpers_by_id = helpers_considered_in(runs)
    explained = [
        (
            run,
            [
                {
                    "helper": helpers_by_id.get(entry["helper_id"]),
                    "distance_km": entry["distance_m"] / 1000,
                    "offered": entry["offered"],
                    "reason": considered_reason(entry["reason"]),
                }
                for entry in run.considered
            ],
        )
        for run in runs
    ]
    visits = visits_of_request(me, help_request)
    context = {
        "help_request": help_request,
        "runs": explained,
        "offers": offers_of_request(help_request),
        "bookings": visits,
        # Each visit's whole story: its timeline, its money and both reviews.
        "visits": visit_stories(visits),
    }
    return render(request, "web/manage/request.html", context)


@manager_only
@require_GET
def disputes(request: HttpRequest) -> HttpResponse:
    found = bookings_visible_to(me_of(request)).filter(status=BookingStatus.DISPUTED)
    return render(request, "web/manage/disputes.html", {"bookings": found[:PAGE]})


def _dispute_page(
    request: HttpRequest,
    public_id: UUID,
    form: ResolveForm | None = None,
    refund_form: RefundForm | None = None,
) -> HttpResponse:
    try:
        booking = booking_for(me_of(request), public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    context = {
        "booking": booking,
        "timeline": timeline_labels(booking_events(booking), MANAGER_READS),
        "form": form or ResolveForm(),
        "status_words": STATUS_WORDS.get(booking.status, booking.status),
        "money": money_view(booking, visit_payment(booking)),
        "refund_form": refund_form or RefundForm(prefix="refund"),
        "refund_url": reverse("web:manage-dispute-refund", args=[booking.public_id]),
    }
    return render(request, "web/manage/dispute.html", context)


# The dispute page's forms, each rebuilt there from what a refused POST sent.
DISPUTE_FORMS: dict[str, Callable[..., forms.Form]] = {
    "resolve": lambda data, prefix: ResolveForm(data),
    "refund": RefundForm,
}


def _back_to_dispute(
    request: HttpRequest, form: forms.Form, public_id: UUID, name: str | None = None
) -> HttpResponse:
    page = reverse("web:manage-dispute", kwargs={"public_id": public_id})
    return refused(request, form, page, name)


@manager_only
@require_POST
def dispute_refund(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The manager gives back part or all of what was captured, with a reason."""
    try:
        booking = booking_for(me_of(request), public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = RefundForm(request.POST, prefix="refund")
    if form.is_valid():
        try:
            payment_refund(
                payment=payment_for(me_of(request), booking.public_id),
                actor=me_of(request),
                amount_minor=form.amount_minor(),
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            if not error.fields:
                messages.error(request, message_for(error))
                return redirect("web:manage-dispute", public_id=public_id)
            add_service_error(form, error, fields={"amount_minor": "amount"})
        else:
            messages.success(request, _("The refund is on its way to the customer's card."))
            return redirect("web:manage-dispute", public_id=public_id)
    return _back_to_dispute(request, form, public_id)


@manager_only
@require_GET
def dispute(request: HttpRequest, public_id: UUID) -> HttpResponse:
    kept = kept_form(request, request.path, DISPUTE_FORMS)
    resolve, refund = kept.get("resolve_form"), kept.get("refund_form")
    return _dispute_page(
        request,
        public_id,
        resolve if isinstance(resolve, ResolveForm) else None,
        refund if isinstance(refund, RefundForm) else None,
    )


@manager_only
@require_POST
def dispute_resolve(request: HttpRequest, public_id: UUID) -> HttpResponse:
    try:
        booking = booking_for(me_of(request), public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    form = ResolveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            booking_resolve_dispute(
                booking=booking,
                actor=me_of(request),
                outcome=data["outcome"],
                note=data["note"],
                caused_by=data["caused_by"] or None,
            )
        except ApplicationError as error:
            if not error.fields:
                messages.error(request, message_for(error))
                return redirect("web:manage-dispute", public_id=public_id)
            add_service_error(form, error)
        else:
            messages.success(request, _("The dispute is decided. Both sides are told."))
            # Back on the visit: its new state, its money and, once captured, the refund form.
            return redirect("web:manage-dispute", public_id=public_id)
    return _back_to_dispute(request, form, public_id, "resolve")
