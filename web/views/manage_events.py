"""The manager's console: training events and meet-ups (announced, cancelled with a reason,
their registrations and waiting list, attendance that grants a course's certification), and
who lacks what (per category, the approved helpers certified against those skilled, and the
requests that went unmatched because certified helpers were missing)."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academy.models import EventRegistration, RegistrationStatus, TrainingEvent
from academy.selectors import event_for_manager, events_for_manager, registrations_of_event
from academy.services import event_attendance_mark, training_event_cancel, training_event_create
from backend import clock
from backend.exceptions import ApplicationError, NotFound
from bookings.certification_gaps import coverage_by_category, unmatched_for_lack_of_certification
from web.console_forms import AttendanceForm, CancelEventForm, EventForm
from web.errors import add_service_error, message_for
from web.kept_forms import kept_form, refused
from web.views.helper import me_of
from web.views.manage import PAGE, manager_only


def _events_page(request: HttpRequest, form: EventForm | None = None) -> HttpResponse:
    context = {
        "events": list(events_for_manager(me_of(request))[:PAGE]),
        "form": form or EventForm(),
        "now": clock.now(),
    }
    return render(request, "web/manage/events.html", context)


@manager_only
@require_http_methods(["GET", "POST"])
def events(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        kept = kept_form(request, request.path, {"event": lambda data, prefix: EventForm(data)})
        form = kept.get("event_form")
        return _events_page(request, form if isinstance(form, EventForm) else None)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            event = training_event_create(actor=me_of(request), **form.service_arguments())
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The event is announced."))
            return redirect("web:manage-event", event.public_id)
    return refused(request, form, request.path, "event")


def _event(request: HttpRequest, public_id: UUID) -> TrainingEvent:
    try:
        return event_for_manager(me_of(request), public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _event_page(
    request: HttpRequest,
    event: TrainingEvent,
    *,
    cancel_form: CancelEventForm | None = None,
    attendance_form: AttendanceForm | None = None,
) -> HttpResponse:
    registrations = list(registrations_of_event(event))
    registered = [row for row in registrations if row.status == RegistrationStatus.REGISTERED]
    context = {
        "event": event,
        "registered": registered,
        "waiting": [row for row in registrations if row.status == RegistrationStatus.WAITING],
        "cancelled": [row for row in registrations if row.status == RegistrationStatus.CANCELLED],
        "started": event.starts_at <= clock.now(),
        "ended": event.ends_at <= clock.now(),
        "cancel_form": cancel_form or CancelEventForm(),
        "attendance_form": attendance_form
        or AttendanceForm(
            helpers=_attendance_choices(registered),
            initial={"attended": [row.helper_id for row in registered if row.attended]},
        ),
    }
    return render(request, "web/manage/event.html", context)


def _attendance_choices(registered: list[EventRegistration]) -> list[tuple[int, str]]:
    return [(row.helper_id, row.helper.user.display_name) for row in registered]


@manager_only
@require_GET
def event_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    event = _event(request, public_id)
    registered = [
        row for row in registrations_of_event(event) if row.status == RegistrationStatus.REGISTERED
    ]
    builders: dict[str, Callable[..., Form]] = {
        "cancel": lambda data, prefix: CancelEventForm(data),
        "attendance": lambda data, prefix: AttendanceForm(
            data, helpers=_attendance_choices(registered)
        ),
    }
    kept = kept_form(request, request.path, builders)
    cancel, attendance = kept.get("cancel_form"), kept.get("attendance_form")
    return _event_page(
        request,
        event,
        cancel_form=cancel if isinstance(cancel, CancelEventForm) else None,
        attendance_form=attendance if isinstance(attendance, AttendanceForm) else None,
    )


def _back_to_event(
    request: HttpRequest, form: Form, event: TrainingEvent, name: str
) -> HttpResponse:
    """Back on the event's page at its own address, the form as sent: a reload resends nothing."""
    page = reverse("web:manage-event", kwargs={"public_id": event.public_id})
    return refused(request, form, page, name)


@manager_only
@require_POST
def event_cancel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    event = _event(request, public_id)
    form = CancelEventForm(request.POST)
    if form.is_valid():
        try:
            training_event_cancel(
                actor=me_of(request), event=event, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as error:
            if error.fields:
                add_service_error(form, error)
                return _back_to_event(request, form, event, "cancel")
            messages.error(request, message_for(error))
        else:
            messages.success(request, _("The event is cancelled; everyone registered is told."))
        return redirect("web:manage-event", event.public_id)
    return _back_to_event(request, form, event, "cancel")


@manager_only
@require_POST
def event_attendance(request: HttpRequest, public_id: UUID) -> HttpResponse:
    event = _event(request, public_id)
    registered = [
        row for row in registrations_of_event(event) if row.status == RegistrationStatus.REGISTERED
    ]
    form = AttendanceForm(request.POST, helpers=_attendance_choices(registered))
    if form.is_valid():
        try:
            event_attendance_mark(
                actor=me_of(request),
                event=event,
                attended_helper_ids=form.cleaned_data["attended"],
            )
        except ApplicationError as error:
            messages.error(request, message_for(error))
        else:
            messages.success(request, _("Attendance is saved."))
        return redirect("web:manage-event", event.public_id)
    return _back_to_event(request, form, event, "attendance")


@manager_only
@require_GET
def certification_gaps(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
    context = {
        "coverage": coverage_by_category(me),
        "unmatched": unmatched_for_lack_of_certification(me),
    }
    return render(request, "web/manage/certification_gaps.html", context)
