"""The customer's requests: posting one, following it to the visit and the review, history.

Every write is a service of `bookings.services`; every read a selector of `bookings.selectors`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backend.client_address import client_ip
from backend.config import config
from backend.exceptions import ApplicationError, NotFound
from backend.models import User
from bookings.models import (
    Booking,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
    OfferStatus,
)
from bookings.selectors import (
    booking_events,
    booking_reportable,
    bookings_visible_to,
    current_proposals,
    help_requests_visible_to,
    helper_is_blocked,
    offers_of_request,
    own_help_request_for,
    proposal_of,
    reviews_visible_to,
    safety_report_open_by,
)
from bookings.services import (
    AddressInput,
    booking_cancel,
    booking_confirm,
    booking_dispute,
    booking_request_new_times,
    booking_sign_off,
    help_request_create,
    help_request_update,
    help_request_withdraw,
    helper_block,
    helper_unblock,
    review_submit,
    safety_report_file,
)
from catalogue.models import LegalDocumentVersion, legal_language
from catalogue.selectors import waivers_missing
from catalogue.services import legal_accept_all
from payments.authentication import payment_authentication_finished
from payments.extras import extra_answer
from payments.models import PaymentStatus
from payments.selectors import card_step, extra_of, party_extra, receipt_and_due_of, tip_of
from payments.selectors import party_payment as payment_of_party
from payments.services import payment_method_set
from payments.tips import TIPPABLE, tip_give
from realtime.stream import stream_last_seq
from web.errors import add_service_error, message_for
from web.forms import (
    MAX_WINDOWS,
    CardForm,
    ConfirmTimeForm,
    HelpRequestForm,
    ReasonForm,
    ReviewForm,
    SafetyReportForm,
    TimesForm,
    TipForm,
    WaiversForm,
)
from web.words import TIMELINE, booking_words, request_words

# While the customer waits for someone else, the page asks for news: first after this many
# seconds, then twice as long each time, up to the longest pause.
FIRST_POLL_SECONDS = 3
LONGEST_POLL_SECONDS = 60
WAITING_REQUEST = (HelpRequestStatus.OPEN,)
WAITING_BOOKING = (
    BookingStatus.AWAITING_PROPOSAL,
    BookingStatus.CONFIRMED,
    BookingStatus.ON_THE_WAY,
    BookingStatus.IN_PROGRESS,
)
CANCELLABLE = (
    BookingStatus.AWAITING_PROPOSAL,
    BookingStatus.PROPOSED,
    BookingStatus.CONFIRMED,
    BookingStatus.ON_THE_WAY,
)
REQUEST_FIELDS = {f"windows[{index}]": f"day_{index + 1}" for index in range(MAX_WINDOWS)} | {
    "windows": "day_1",
    "location": "postal_code",
}


def _me(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - login_required
    return request.user


def _own_request(request: HttpRequest, public_id: UUID) -> HelpRequest:
    try:
        return own_help_request_for(_me(request), public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _current_booking(me: User, help_request: HelpRequest) -> Booking | None:
    booking = (
        bookings_visible_to(me)
        # The helper's payout account, for the card step of a paid visit; extra time asked.
        .select_related("helper__payout_account", "extra_charge")
        # The request (its windows read) is the page's own: not read a second time.
        .prefetch_related(None)
        .prefetch_related(current_proposals())
        .filter(help_request=help_request)
        .order_by("-created_at", "-id")
        .first()
    )
    if booking is not None:
        booking.help_request = help_request
    return booking


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    has_home = bool(me.home_postal_code)
    initial = {"languages": me.languages or ["de"], "place": "home" if has_home else "other"}
    form = HelpRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["place"] == "home":
            address = AddressInput(
                street=me.home_street,
                postal_code=me.home_postal_code,
                locality=me.home_locality,
            )
        else:
            address = AddressInput(
                street=data["street"], postal_code=data["postal_code"], locality=data["locality"]
            )
        someone_else = data["for_someone_else"]
        try:
            help_request = help_request_create(
                customer=me,
                category=data["category"],
                description=data["description"],
                address=address,
                windows=form.windows(),
                languages=data["languages"],
                on_behalf_name=data["on_behalf_name"] if someone_else else "",
                on_behalf_phone=data["on_behalf_phone"] if someone_else else "",
            )
        except ApplicationError as error:
            add_service_error(form, error, fields=REQUEST_FIELDS)
        else:
            messages.success(request, _posted_words(help_request))
            return redirect("web:request", public_id=help_request.public_id)
    context = {"form": form, "has_home": has_home, "me": me}
    return render(request, "web/requests/new.html", context, status=400 if form.errors else 200)


def _posted_words(help_request: HelpRequest) -> str:
    """What the customer is told once their request is stored (or its times changed)."""
    if help_request.status == HelpRequestStatus.UNMATCHED:
        return _(
            "Your request is saved, but no helper near you is free at those times. "
            "Choose other times below."
        )
    return _("Your request is posted. We are asking helpers near you.")


def _next_poll(request: HttpRequest) -> int:
    try:
        waited = int(request.GET.get("wait", "0"))
    except ValueError:
        waited = 0
    if waited <= 0:
        return FIRST_POLL_SECONDS
    return min(waited * 2, LONGEST_POLL_SECONDS)


def _request_context(
    request: HttpRequest, help_request: HelpRequest, **bound: forms.Form
) -> dict[str, Any]:
    me = _me(request)
    # Read before the page's data: the live socket resumes after it, so an event that comes
    # while the page is being rendered is heard, not lost. (A closed request is never live.)
    live = help_request.status in (*WAITING_REQUEST, HelpRequestStatus.ASSIGNED)
    live_seq = stream_last_seq(me.pk) if live else None
    booking = _current_booking(me, help_request)
    pending_offers = 0
    if help_request.status == HelpRequestStatus.OPEN:
        pending_offers = offers_of_request(help_request).filter(status=OfferStatus.PENDING).count()
    events, reviews = [], []
    my_review = receipt = tip = card = None
    pay_due = False
    safety: dict[str, Any] = {"can_report": False, "report_open": False, "helper_blocked": False}
    # Before a time can be confirmed: the terms and waivers the customer has still to accept
    waivers = _waivers_to_accept(me, help_request, booking)
    if booking is not None:
        safety = {
            "can_report": booking_reportable(booking),
            "report_open": safety_report_open_by(me, booking),
            "helper_blocked": helper_is_blocked(me, booking.helper_id),
        }
        receipt, pay_due = receipt_and_due_of(booking)
        card = card_step(booking)
        tip = tip_of(booking) if receipt is not None else None
        events = list(booking_events(booking))
        reviews = list(reviews_visible_to(me, booking))
        my_review = next((review for review in reviews if review.author_id == me.pk), None)
    # Not while the customer types a card in: a refresh would clear the card's fields.
    waiting = card is None and (
        help_request.status in WAITING_REQUEST
        or (
            booking is not None
            and help_request.status == HelpRequestStatus.ASSIGNED
            and booking.status in WAITING_BOOKING
        )
    )
    return {
        "request_words": request_words(help_request, pending_offers),
        "booking_words": booking_words(booking) if booking else "",
        "timeline": [(TIMELINE.get(event.to_status, event.to_status), event) for event in events],
        "can_cancel": booking is not None and booking.status in CANCELLABLE,
        "help_request": help_request,
        "booking": booking,
        "helper": booking.helper if booking else None,
        "pending_offers": pending_offers,
        "events": events,
        "reviews": reviews,
        "my_review": my_review,
        "other_reviews": [review for review in reviews if review.author_id != me.pk],
        "late_cancellation_hours": config().late_cancellation_hours,
        "review_window_days": config().review_window_days,
        # While the customer waits for someone else, the page is live (and polls as well).
        "poll_seconds": _next_poll(request) if waiting else None,
        "live_seq": live_seq if waiting else None,
        "new_times_form": bound.get("new_times_form") or ReasonForm(prefix="new_times"),
        "cancel_form": bound.get("cancel_form") or ReasonForm(prefix="cancel"),
        "withdraw_form": bound.get("withdraw_form") or ReasonForm(prefix="withdraw"),
        # Nobody was free: other times can be given (matching starts again)
        "times_form": bound.get("times_form")
        or (
            TimesForm(prefix="times")
            if help_request.status == HelpRequestStatus.UNMATCHED
            else None
        ),
        "dispute_form": bound.get("dispute_form") or ReasonForm(prefix="dispute"),
        "review_form": bound.get("review_form") or ReviewForm(prefix="review"),
        "safety_form": bound.get("safety_form") or SafetyReportForm(prefix="safety"),
        **safety,
        "receipt": receipt,
        "pay_due": pay_due,
        "tip": tip,
        "extra": extra_of(booking) if booking is not None else None,
        "can_tip": receipt is not None
        and tip is None
        and booking is not None
        and booking.status in TIPPABLE,
        "tip_form": bound.get("tip_form") or TipForm(prefix="tip"),
        "waivers_form": bound.get("waivers_form")
        or (
            WaiversForm(waivers, legal_language(get_language()), prefix="waivers")
            if waivers
            else None
        ),
        "card": card,
        "card_form": bound.get("card_form") or CardForm(prefix="card"),
        "stripe_js": config().stripe_js if card is not None else "",
        "stripe_publishable_key": config().stripe_publishable_key,
        "tip_min_minor": config().tip_min_minor,
        "tip_max_minor": config().tip_max_minor,
    }


def _waivers_to_accept(
    me: User, help_request: HelpRequest, booking: Booking | None
) -> list[LegalDocumentVersion]:
    if booking is None or booking.status != BookingStatus.PROPOSED:
        return []
    return waivers_missing(user=me, category=help_request.category, in_force_at=booking.created_at)


@login_required
@require_GET
def request_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    help_request = _own_request(request, public_id)
    context = _request_context(request, help_request)
    if request.htmx:  # type: ignore[attr-defined]
        return _with_stripe_js(
            render(request, "web/requests/detail.html#request-main", context), context
        )
    return _with_stripe_js(render(request, "web/requests/detail.html", context), context)


def _with_stripe_js(response: HttpResponse, context: dict[str, Any]) -> HttpResponse:
    """A page with the card form lets Stripe.js (and only it) in: its origin, from the
    settings, and the API it calls."""
    if context.get("stripe_js"):
        response._csp_update = config().stripe_js_sources  # type: ignore[attr-defined]
    return response


Action = Callable[[HttpRequest, HelpRequest, Booking | None], forms.Form | None]


def _action(run: Action) -> Callable[[HttpRequest, UUID], HttpResponse]:
    """A button on the request's page: runs `run`, then shows the page again. A form that
    comes back bound (with the service's error next to its field) is shown with status 400."""

    @login_required
    @require_POST
    def view(request: HttpRequest, public_id: UUID) -> HttpResponse:
        help_request = _own_request(request, public_id)
        booking = _current_booking(_me(request), help_request)
        try:
            failed = run(request, help_request, booking)
        except ApplicationError as error:
            messages.error(request, message_for(error))
            return redirect("web:request", public_id=public_id)
        if failed is not None:
            name = f"{failed.prefix}_form"
            context = _request_context(request, help_request, **{name: failed})
            return _with_stripe_js(
                render(request, "web/requests/detail.html", context, status=400), context
            )
        return redirect("web:request", public_id=public_id)

    view.__name__ = run.__name__
    return view


def _need(booking: Booking | None) -> Booking:
    if booking is None:
        raise NotFound(_("There is no visit for this request yet."))
    return booking


def _with_reason(
    request: HttpRequest, prefix: str, do: Callable[[str], object], done: str
) -> forms.Form | None:
    form = ReasonForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return form
    try:
        do(form.cleaned_data["reason"])
    except ApplicationError as error:
        if error.fields:
            add_service_error(form, error)
            return form
        raise
    messages.success(request, done)
    return None


@_action
def request_withdraw(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    return _with_reason(
        request,
        "withdraw",
        lambda reason: help_request_withdraw(help_request=help_request, reason=reason),
        _("Your request is withdrawn."),
    )


@_action
def request_other_times(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    """Other times for a request nobody was free for: matching starts again with them."""
    form = TimesForm(request.POST, prefix="times")
    if not form.is_valid():
        return form
    try:
        help_request = help_request_update(help_request=help_request, windows=form.windows())
    except ApplicationError as error:
        if not error.fields:
            raise
        add_service_error(form, error, fields=REQUEST_FIELDS)
        return form
    messages.success(request, _posted_words(help_request))
    return None


@_action
def booking_accept_waivers(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    """The customer (or the relative booking for them) accepts the terms and waivers shown,
    each as the page showed it (its text's SHA-256): all of them, or none."""
    booking = _need(booking)
    me = _me(request)
    versions = _waivers_to_accept(me, help_request, booking)
    form = WaiversForm(versions, legal_language(get_language()), request.POST, prefix="waivers")
    if not form.is_valid():
        return form
    if not versions:
        return None
    try:
        legal_accept_all(
            user=me,
            shown=form.shown(),
            language=form.language,
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            on_behalf_name=form.cleaned_data["on_behalf_name"],
        )
    except ApplicationError as error:
        if "on_behalf_name" not in error.fields:
            raise  # a text changed since the page was shown: said above the page, shown anew
        add_service_error(form, error)
        return form
    messages.success(request, _("Thank you. Now choose a time to confirm the visit."))
    return None


@_action
def booking_confirm_time(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    booking = _need(booking)
    form = ConfirmTimeForm(request.POST)
    if not form.is_valid():
        raise NotFound(_("Choose one of the times currently proposed."))
    booking_confirm(
        booking=booking,
        actor=_me(request),
        proposal=proposal_of(booking, form.cleaned_data["proposal"]),
    )
    messages.success(request, _("The visit is confirmed. The helper has been told."))
    return None


@_action
def booking_new_times(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    visit = _need(booking)
    return _with_reason(
        request,
        "new_times",
        lambda reason: booking_request_new_times(booking=visit, actor=_me(request), reason=reason),
        _("We asked the helper for other times."),
    )


@_action
def booking_cancel_visit(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    visit = _need(booking)
    return _with_reason(
        request,
        "cancel",
        lambda reason: booking_cancel(booking=visit, actor=_me(request), reason=reason),
        _("The visit is cancelled."),
    )


@_action
def booking_sign_off_visit(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    booking_sign_off(booking=_need(booking), actor=_me(request))
    messages.success(request, _("Thank you! The visit is signed off."))
    return None


@_action
def booking_dispute_visit(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    visit = _need(booking)
    return _with_reason(
        request,
        "dispute",
        lambda reason: booking_dispute(booking=visit, actor=_me(request), reason=reason),
        _("We have noted the problem. The community manager will contact you."),
    )


@_action
def booking_review(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    visit = _need(booking)
    form = ReviewForm(request.POST, prefix="review")
    if not form.is_valid():
        return form
    try:
        review_submit(
            booking=visit,
            actor=_me(request),
            rating=form.cleaned_data["rating"],
            text=form.cleaned_data["text"],
        )
    except ApplicationError as error:
        if error.fields:
            add_service_error(form, error)
            return form
        raise
    messages.success(request, _("Thank you for your review."))
    return None


@_action
def booking_tip(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    """A tip for the helper, charged to the card the visit was paid with."""
    visit = _need(booking)
    form = TipForm(request.POST, prefix="tip")
    if not form.is_valid():
        return form
    try:
        tip_give(
            payment=payment_of_party(_me(request), visit.public_id),
            actor=_me(request),
            amount_minor=form.amount_minor(),
        )
    except ApplicationError as error:
        add_service_error(form, error, fields={"amount_minor": "amount"})
        return form
    messages.success(request, _("Thank you! All of your tip goes to the helper."))
    return None


@_action
def booking_extra(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    """The customer agrees to the helper's extra time or material (held on the visit's card,
    charged with the visit) or declines it (the agreed price stands)."""
    visit = _need(booking)
    consent = request.POST.get("consent") == "yes"
    extra_answer(
        extra=party_extra(_me(request), visit.public_id), actor=_me(request), consent=consent
    )
    if consent:
        messages.success(request, _("Agreed: the extra is held on your card."))
    else:
        messages.success(request, _("Declined: the agreed price stands."))
    return None


@_action
def booking_card_authenticated(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    """Back from the bank's 3-D Secure challenge: the hold follows what Stripe says."""
    visit = _need(booking)
    payment = payment_authentication_finished(
        payment=payment_of_party(_me(request), visit.public_id), actor=_me(request)
    )
    if payment.status == PaymentStatus.AUTHORISED:
        messages.success(request, _("Your card is held. The visit goes ahead as agreed."))
    else:
        messages.error(
            request, _("Your bank did not confirm the payment. Please use another card.")
        )
    return None


@_action
def booking_card(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    """The card the visit is held on: before confirming, or another one after a hold failed
    (then it is held at once)."""
    visit = _need(booking)
    form = CardForm(request.POST, prefix="card")
    if not form.is_valid():
        return form
    try:
        payment = payment_method_set(
            booking=visit, actor=_me(request), payment_method_id=form.cleaned_data["payment_method"]
        )
    except ApplicationError as error:
        form.add_error("payment_method", message_for(error))
        return form
    if payment.status == PaymentStatus.AUTHORISED:
        messages.success(request, _("Your card is held. The visit goes ahead as agreed."))
    elif visit.status == BookingStatus.PROPOSED:
        messages.success(request, _("Your card is ready. It is held only once you confirm a time."))
    else:
        messages.success(
            request,
            _("Your card is ready. It will be held %(days)d days before the visit.")
            % {"days": config().hold_days_before_visit},
        )
    return None


@_action
def booking_safety_report(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    """The customer reports the helper to the community manager."""
    visit = _need(booking)
    form = SafetyReportForm(request.POST, prefix="safety")
    if not form.is_valid():
        return form
    try:
        safety_report_file(booking=visit, actor=_me(request), **form.cleaned_data)
    except ApplicationError as error:
        if error.fields:
            add_service_error(form, error)
            return form
        raise
    messages.success(request, _("Thank you. The community manager will look at your report."))
    return None


@_action
def booking_block_helper(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    helper_block(booking=_need(booking), actor=_me(request))
    messages.success(request, _("This helper will not be offered your requests again."))
    return None


@_action
def booking_unblock_helper(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    helper_unblock(booking=_need(booking), actor=_me(request))
    messages.success(request, _("This helper may be offered your requests again."))
    return None


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    me = _me(request)
    help_requests = (
        help_requests_visible_to(me)
        .filter(customer=me)
        .prefetch_related(
            Prefetch(
                "bookings",
                queryset=bookings_visible_to(me).order_by("-created_at", "-id"),
                to_attr="visits",
            )
        )
    )
    return render(request, "web/requests/history.html", {"help_requests": help_requests})
