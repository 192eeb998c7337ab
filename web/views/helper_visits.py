"""The helper's visits: the list, and one visit's page driving its timeline (propose times,
on my way, arrived, done, no-show, cancel). Every move is a service of `bookings.services`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from backend import clock
from backend.config import config
from backend.exceptions import ApplicationError, NotFound
from bookings.models import REVIEWABLE_STATUSES, Booking, BookingEvent, BookingStatus
from bookings.selectors import (
    booking_events,
    booking_for,
    booking_reportable,
    bookings_visible_to,
    cancellation_late,
    contact_visible_to,
    next_statuses_for,
    request_description_for,
    reviews_visible_to,
    safety_report_open_by,
    visit_step_opens_at,
)
from bookings.services import (
    SlotInput,
    booking_cancel,
    booking_check_in,
    booking_check_out,
    booking_propose,
    booking_report_no_show,
    booking_start_journey,
    review_submit,
    safety_report_file,
)
from bookings.step_words import HELPER_READS, timeline_labels
from helpers.models import HelperProfile
from payments.extras import extra_record
from payments.models import Payment
from payments.refunds import payment_refund
from payments.selectors import (
    extra_askable,
    extra_of,
    hold_missing,
    money_view,
    payment_for,
    payment_state,
    visit_payment,
)
from payments.warnings import payout_warning
from realtime.stream import stream_last_seq
from web.errors import add_service_error, message_for
from web.forms import ReasonForm, ReviewForm, SafetyReportForm
from web.helper_forms import (
    CheckOutForm,
    ExtraForm,
    NoShowForm,
    OnMyWayForm,
    ProposeForm,
    RefundForm,
)
from web.kept_forms import keep_refused_form, kept_form
from web.views.chat_parts import ChatForm, chat_context
from web.views.helper import UPCOMING, helper_only, me_of, next_poll
from web.words import helper_contact_gone_words, helper_visit_words

SLOT_FIELDS = {f"slots[{index}]": f"start_{index + 1}" for index in range(3)} | {"slots": "start_1"}
# The visit's page asks for news while the customer has a move to make.
WAITING = (BookingStatus.AWAITING_PROPOSAL, BookingStatus.PROPOSED, BookingStatus.COMPLETED)


def _visit(request: HttpRequest, helper: HelperProfile, public_id: UUID) -> Booking:
    try:
        booking = booking_for(me_of(request), public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if booking.helper_id != helper.pk:
        raise Http404
    return booking


@helper_only
@require_GET
def visits(request: HttpRequest, helper: HelperProfile) -> HttpResponse:
    # Who cancelled each cancelled visit (its cancelling step's role), asked in the same
    # statement: the list says it.
    cancelled_by = (
        BookingEvent.objects.filter(booking=OuterRef("pk"), to_status=BookingStatus.CANCELLED)
        .order_by("-created_at", "-id")
        .values("actor_role")[:1]
    )
    done = (
        bookings_visible_to(me_of(request))
        .filter(helper=helper)
        .exclude(status__in=UPCOMING)
        .annotate(cancelled_by=Subquery(cancelled_by))
        .order_by("-starts_at", "-id")[:30]
    )
    return render(request, "web/helper/visits.html", {"visits": done})


def _not_yet(booking: Booking, to: str) -> datetime | None:
    """From when the step to `to` is possible, while the clock does not allow it yet."""
    opens_at = visit_step_opens_at(booking, to)
    return opens_at if opens_at is not None and clock.now() < opens_at else None


def _context(request: HttpRequest, booking: Booking, **bound: forms.Form) -> dict[str, Any]:
    me = me_of(request)
    live_seq = stream_last_seq(me.pk)
    events = list(booking_events(booking))
    moves = set(next_statuses_for(booking, me))
    help_request = booking.help_request
    # Read once: the receipt, the money, whether extra may be asked for, whether it is held.
    payment = visit_payment(booking)
    receipt = payment_state(booking, payment).receipt
    reviews = list(reviews_visible_to(me, booking))
    my_review = next((review for review in reviews if review.author_id == me.pk), None)
    contact = contact_visible_to(booking, me)
    return {
        "live_seq": live_seq,
        "booking": booking,
        **_extra_context(booking, payment, bound.get("extra_form")),
        "receipt": receipt,
        # Once paid: the visit's money, and the helper's own refund.
        "money": money_view(booking, payment) if receipt is not None else None,
        # Confirmed, the customer's card not held yet: the visit cannot start (said instead of
        # the buttons that would be refused).
        "hold_missing": booking.status == BookingStatus.CONFIRMED
        and hold_missing(booking, payment),
        # The helper's payout account was disconnected: this visit will not be paid.
        "payout_warning": payout_warning(booking, payment, booking.helper.user_id),
        "refund_form": bound.get("refund_form") or RefundForm(prefix="refund"),
        "refund_url": reverse("web:helper-refund", args=[booking.public_id]),
        "help_request": help_request,
        # Its contacts masked once the helper no longer sees the customer's.
        "description": request_description_for(help_request, me, booking),
        "contact": contact,
        # Once they are hidden, why (the page says it under the postcode and town).
        "contact_gone": None if contact else helper_contact_gone_words(booking),
        "timeline": timeline_labels(events, HELPER_READS),
        # Where it stands, who cancelled it or was not there
        "status_words": helper_visit_words(booking, events),
        "can_propose": BookingStatus.PROPOSED in moves,
        "can_go": BookingStatus.ON_THE_WAY in moves,
        "can_arrive": BookingStatus.IN_PROGRESS in moves,
        "can_finish": BookingStatus.COMPLETED in moves,
        # Only once it may be reported (`next_statuses_for` leaves it out before): before,
        # "the customer was not there" would say so of a visit that has not begun.
        "can_no_show": BookingStatus.NO_SHOW in moves,
        # A helper who cannot come cancels here, told first whether it is late now.
        "can_cancel": BookingStatus.CANCELLED in moves,
        "cancel_late": cancellation_late(booking),
        "late_cancellation_hours": config().late_cancellation_hours,
        # Instead of a button that would be refused: from when the step is possible.
        "go_from": _not_yet(booking, BookingStatus.ON_THE_WAY),
        "arrive_from": _not_yet(booking, BookingStatus.IN_PROGRESS),
        "reviews": [review for review in reviews if review.author_id != me.pk],
        # The helper reviews the customer as the customer reviews the helper (double-blind).
        "my_review": my_review,
        "can_review": booking.status in REVIEWABLE_STATUSES and my_review is None,
        "review_form": bound.get("review_form") or ReviewForm(prefix="review"),
        "review_window_days": config().review_window_days,
        "poll_seconds": next_poll(request) if booking.status in WAITING else None,
        "propose_form": bound.get("propose_form") or _propose_form(booking),
        "go_form": bound.get("go_form") or OnMyWayForm(prefix="go"),
        "done_form": bound.get("done_form") or CheckOutForm(prefix="done"),
        "no_show_form": bound.get("no_show_form") or NoShowForm(prefix="no_show"),
        "cancel_form": bound.get("cancel_form") or ReasonForm(prefix="cancel"),
        "arrive_form": bound.get("arrive_form"),
        "can_report": booking_reportable(booking),
        "report_open": safety_report_open_by(me, booking),
        "safety_form": bound.get("safety_form") or SafetyReportForm(prefix="safety"),
        **chat_context(request, booking, form=bound.get("chat_form")),
    }


def _extra_context(
    booking: Booking, payment: Payment | None, form: forms.Form | None
) -> dict[str, Any]:
    """Extra time or material: asked for already, or the form while it can be asked for."""
    extra = extra_of(booking)
    can_ask = extra_askable(booking, payment)
    # A refused ask comes back bound, with the reason, even when it can no longer be made.
    if form is None and can_ask:
        form = ExtraForm(prefix="extra")
    return {"extra": extra, "extra_form": form}


@helper_only
@require_GET
@vary_on_headers("HX-Request")
def visit(request: HttpRequest, helper: HelperProfile, public_id: UUID) -> HttpResponse:
    # Read before the booking: the live socket resumes after it, so a move made while the page
    # is being rendered is heard, not lost.
    live_seq = stream_last_seq(me_of(request).pk)
    booking = _visit(request, helper, public_id)
    kept = {} if request.htmx else kept_form(request, request.path, _builders(booking))  # type: ignore[attr-defined]
    context = _context(request, booking, **kept)
    context["live_seq"] = live_seq
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "web/helper/visit.html#visit-news", context)
    return render(request, "web/helper/visit.html", context)


def _builders(booking: Booking) -> dict[str, Callable[..., forms.Form]]:
    """The visit page's forms by name, each rebuilt on the page from what a refused POST sent."""
    return {
        "propose": lambda data, prefix: _propose_form(booking, data),
        "go": OnMyWayForm,
        "arrive": lambda data, prefix: forms.Form(data),
        "done": CheckOutForm,
        "review": ReviewForm,
        "no_show": NoShowForm,
        "cancel": ReasonForm,
        "safety": SafetyReportForm,
        "refund": RefundForm,
        "extra": ExtraForm,
        "chat": ChatForm,
    }


Step = Callable[[HttpRequest, Booking], tuple[forms.Form, str, dict[str, str]] | str]


def _step(run: Step) -> Callable[..., HttpResponse]:
    """A button on the visit's page. `run` returns the words said when it worked, or the form
    (with the service's field names mapped to its own) when the service refused it: that form
    comes back on the visit's page at its own address, so a reload resends nothing."""

    @helper_only
    @require_POST
    def view(request: HttpRequest, helper: HelperProfile, public_id: UUID) -> HttpResponse:
        booking = _visit(request, helper, public_id)
        outcome = run(request, booking)
        if isinstance(outcome, str):
            messages.success(request, outcome)
            return redirect("web:helper-visit", public_id=public_id)
        form, name, _fields = outcome
        page = reverse("web:helper-visit", kwargs={"public_id": public_id})
        keep_refused_form(request, form, page, name.removesuffix("_form"))
        return redirect(page)

    view.__name__ = run.__name__
    return view


def _attempt(
    request: HttpRequest,
    form: forms.Form,
    name: str,
    act: Callable[[], object],
    done: str,
    fields: dict[str, str] | None = None,
) -> tuple[forms.Form, str, dict[str, str]] | str:
    if not form.is_valid():
        return form, name, {}
    try:
        act()
    except ApplicationError as error:
        if error.fields:
            add_service_error(form, error, fields=fields)
        else:
            form.add_error(None, message_for(error))
        return form, name, {}
    return done


def _propose_form(booking: Booking, data: Any = None) -> ProposeForm:
    """The times to propose, bounded in the picker by the customer's times (prefetched)."""
    windows = [(w.starts_at, w.ends_at) for w in booking.help_request.windows.all()]
    return ProposeForm(data, prefix="propose", windows=windows)


@_step
def propose(request: HttpRequest, booking: Booking) -> tuple[forms.Form, str, dict[str, str]] | str:
    form = _propose_form(booking, request.POST)
    return _attempt(
        request,
        form,
        "propose_form",
        lambda: booking_propose(
            booking=booking,
            actor=me_of(request),
            slots=[SlotInput(start, end) for start, end in form.slots()],
            reason=form.cleaned_data["reason"],
        ),
        _("Your times are sent. The customer chooses one."),
        SLOT_FIELDS,
    )


@_step
def on_my_way(
    request: HttpRequest, booking: Booking
) -> tuple[forms.Form, str, dict[str, str]] | str:
    form = OnMyWayForm(request.POST, prefix="go")
    return _attempt(
        request,
        form,
        "go_form",
        lambda: booking_start_journey(
            booking=booking, actor=me_of(request), eta_minutes=form.cleaned_data["eta_minutes"]
        ),
        _("The customer knows you are on your way."),
    )


@_step
def arrived(request: HttpRequest, booking: Booking) -> tuple[forms.Form, str, dict[str, str]] | str:
    form = forms.Form(request.POST)
    return _attempt(
        request,
        form,
        "arrive_form",
        lambda: booking_check_in(booking=booking, actor=me_of(request)),
        _("Good luck with the visit!"),
    )


@_step
def done(request: HttpRequest, booking: Booking) -> tuple[forms.Form, str, dict[str, str]] | str:
    form = CheckOutForm(request.POST, prefix="done")
    return _attempt(
        request,
        form,
        "done_form",
        lambda: booking_check_out(
            booking=booking,
            actor=me_of(request),
            work_summary=form.cleaned_data["work_summary"],
            leave_behind_note=form.cleaned_data["leave_behind_note"],
        ),
        _("Thank you! The customer is asked to sign off the visit."),
    )


@_step
def review(request: HttpRequest, booking: Booking) -> tuple[forms.Form, str, dict[str, str]] | str:
    """The helper reviews the customer once the visit is signed off."""
    form = ReviewForm(request.POST, prefix="review")
    return _attempt(
        request,
        form,
        "review_form",
        lambda: review_submit(
            booking=booking,
            actor=me_of(request),
            rating=form.cleaned_data["rating"],
            text=form.cleaned_data["text"],
        ),
        _("Thank you for your review."),
    )


@_step
def no_show(request: HttpRequest, booking: Booking) -> tuple[forms.Form, str, dict[str, str]] | str:
    form = NoShowForm(request.POST, prefix="no_show")
    return _attempt(
        request,
        form,
        "no_show_form",
        lambda: booking_report_no_show(
            booking=booking, actor=me_of(request), note=form.cleaned_data["note"]
        ),
        _("Noted: the customer was not there."),
    )


@_step
def cancel(request: HttpRequest, booking: Booking) -> tuple[forms.Form, str, dict[str, str]] | str:
    """The helper cannot come: the visit is cancelled, caused by the helper (late within the
    late-cancellation hours), and the request is offered to other helpers again."""
    form = ReasonForm(request.POST, prefix="cancel")
    return _attempt(
        request,
        form,
        "cancel_form",
        lambda: booking_cancel(
            booking=booking, actor=me_of(request), reason=form.cleaned_data["reason"]
        ),
        _("The visit is cancelled."),
    )


@_step
def safety_report(
    request: HttpRequest, booking: Booking
) -> tuple[forms.Form, str, dict[str, str]] | str:
    """The helper reports the customer to the community manager."""
    form = SafetyReportForm(request.POST, prefix="safety")
    return _attempt(
        request,
        form,
        "safety_form",
        lambda: safety_report_file(booking=booking, actor=me_of(request), **form.cleaned_data),
        _("Thank you. The community manager will look at your report."),
    )


@_step
def refund(request: HttpRequest, booking: Booking) -> tuple[forms.Form, str, dict[str, str]] | str:
    """The helper gives back part or all of what the customer paid, with a reason."""
    form = RefundForm(request.POST, prefix="refund")
    return _attempt(
        request,
        form,
        "refund_form",
        lambda: payment_refund(
            payment=payment_for(me_of(request), booking.public_id),
            actor=me_of(request),
            amount_minor=form.amount_minor(),
            reason=form.cleaned_data["reason"],
        ),
        _("The refund is on its way to the customer's card."),
        {"amount_minor": "amount"},
    )


@_step
def extra(request: HttpRequest, booking: Booking) -> tuple[forms.Form, str, dict[str, str]] | str:
    """The helper asks for extra time or material above the agreed price."""
    form = ExtraForm(request.POST, prefix="extra")
    return _attempt(
        request,
        form,
        "extra_form",
        lambda: extra_record(
            payment=payment_for(me_of(request), booking.public_id),
            actor=me_of(request),
            minutes=form.cleaned_data["minutes"],
            material_minor=form.material_minor(),
            note=form.cleaned_data["note"],
        ),
        _("The customer is asked to agree to the extra in the app."),
        {"material_minor": "material"},
    )
