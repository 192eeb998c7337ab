"""The customer's requests: posting one, following it to the visit and the review, history.

Every write is a service of `bookings.services`; every read a selector of `bookings.selectors`.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from backend.config import config
from backend.exceptions import ApplicationError, NotFound, ValidationFailed
from bookings.models import (
    Booking,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
)
from bookings.selectors import (
    bookings_visible_to,
    help_requests_visible_to,
    proposal_of,
    shown_warnings,
)
from bookings.services import (
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
from catalogue.models import legal_language
from payments.authentication import payment_authentication_finished
from payments.exceptions import PaymentDeclined
from payments.extras import extra_answer
from payments.models import PaymentStatus
from payments.selectors import party_extra
from payments.selectors import party_payment as payment_of_party
from payments.services import payment_method_set
from payments.tips import tip_give
from web.errors import add_service_error, message_for
from web.forms import (
    REQUEST_FIELDS,
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
from web.kept_forms import kept_form, refused
from web.views.chat_parts import ChatForm
from web.views.request_page import (
    current_booking,
    me_of,
    own_request,
    request_context,
    waivers_to_accept,
    with_stripe_js,
)
from web.views.terms_parts import terms_accept_shown


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
    has_home = bool(me.home_postal_code)
    initial = {"languages": me.languages or ["de"], "place": "home" if has_home else "other"}

    def build(data: QueryDict | None, prefix: str | None = None) -> HelpRequestForm:
        return HelpRequestForm(data, prefix=prefix, initial=initial, customer=me)

    if request.method != "POST":
        form = kept_form(request, request.path, {"": build}).get("form") or build(None)
        context = {"form": form, "has_home": has_home, "me": me}
        return render(request, "web/requests/new.html", context)
    form = build(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        someone_else = data["for_someone_else"]
        try:
            help_request = help_request_create(
                customer=me,
                category=data["category"],
                description=data["description"],
                address=form.address(),
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
    return refused(request, form, request.get_full_path())


def _posted_words(help_request: HelpRequest) -> str:
    """What the customer is told once their request is stored (or its times changed)."""
    name = {"name": help_request.on_behalf_name}
    if help_request.status == HelpRequestStatus.UNMATCHED and help_request.on_behalf_name:
        return (
            _(
                "Your request is saved, but no helper near %(name)s is free at those times. "
                "Choose other times below."
            )
            % name
        )
    if help_request.on_behalf_name:
        return _("Your request is posted. We are asking helpers near %(name)s.") % name
    if help_request.status == HelpRequestStatus.UNMATCHED:
        return _(
            "Your request is saved, but no helper near you is free at those times. "
            "Choose other times below."
        )
    return _("Your request is posted. We are asking helpers near you.")


@login_required
@require_GET
@vary_on_headers("HX-Request")
def request_detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    help_request = own_request(request, public_id)
    htmx = request.htmx  # type: ignore[attr-defined]
    kept = {} if htmx else kept_form(request, request.path, _kept_forms(request, help_request))
    context = request_context(request, help_request, **kept)
    if htmx:
        return with_stripe_js(
            render(request, "web/requests/detail.html#request-news", context), context
        )
    return with_stripe_js(render(request, "web/requests/detail.html", context), context)


# The request page's forms, by prefix: a refused one is shown again on the page at its own
# address, rebuilt from what was sent.
KEPT_FORMS: dict[str, Callable[..., forms.Form]] = {
    "withdraw": ReasonForm,
    "cancel": ReasonForm,
    "dispute": ReasonForm,
    "new_times": ReasonForm,
    "times": TimesForm,
    "review": ReviewForm,
    "safety": SafetyReportForm,
    "tip": TipForm,
    "card": CardForm,
    "chat": ChatForm,
}


def _kept_forms(
    request: HttpRequest, help_request: HelpRequest
) -> dict[str, Callable[..., forms.Form]]:
    """The builders of the page's forms; the waivers' form shows the terms still to accept
    (read only when that form comes back)."""

    def waivers(data: QueryDict, prefix: str | None = None) -> forms.Form:
        me = me_of(request)
        versions = waivers_to_accept(me, current_booking(me, help_request))
        return WaiversForm(versions, legal_language(get_language()), data, prefix=prefix)

    return {**KEPT_FORMS, "waivers": waivers}


Action = Callable[[HttpRequest, HelpRequest, Booking | None], forms.Form | None]


def _action(run: Action) -> Callable[[HttpRequest, UUID], HttpResponse]:
    """A button on the request's page: runs `run`, then shows the page again at its own
    address. A form that comes back bound (with the service's error next to its field) is shown
    there once, as it was sent: a reload of the page sends nothing again."""

    @login_required
    @require_POST
    def view(request: HttpRequest, public_id: UUID) -> HttpResponse:
        help_request = own_request(request, public_id)
        booking = current_booking(me_of(request), help_request)
        try:
            failed = run(request, help_request, booking)
        except ApplicationError as error:
            messages.error(request, message_for(error))
            return redirect("web:request", public_id=public_id)
        page = reverse("web:request", kwargs={"public_id": public_id})
        if failed is not None:
            return refused(request, failed, page)
        return redirect(page)

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
    me = me_of(request)
    versions = waivers_to_accept(me, booking)
    form = WaiversForm(versions, legal_language(get_language()), request.POST, prefix="waivers")
    if not form.is_valid():
        return form
    if not versions:
        return None
    try:
        terms_accept_shown(request, me, form, on_behalf_name=form.cleaned_data["on_behalf_name"])
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
        actor=me_of(request),
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
        lambda reason: booking_request_new_times(
            booking=visit, actor=me_of(request), reason=reason
        ),
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
        lambda reason: booking_cancel(booking=visit, actor=me_of(request), reason=reason),
        _("The visit is cancelled."),
    )


@_action
def booking_sign_off_visit(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    booking_sign_off(booking=_need(booking), actor=me_of(request))
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
        lambda reason: booking_dispute(booking=visit, actor=me_of(request), reason=reason),
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
            actor=me_of(request),
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
    """A tip for the helper, charged to the card the visit was paid with, or to the card given
    with it (Stripe.js) when the helper has reconnected their payout account since."""
    visit = _need(booking)
    form = TipForm(request.POST, prefix="tip")
    if not form.is_valid():
        return form
    try:
        tip_give(
            payment=payment_of_party(me_of(request), visit.public_id),
            actor=me_of(request),
            amount_minor=form.amount_minor(),
            payment_method_id=form.payment_method_id(),
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
        extra=party_extra(me_of(request), visit.public_id), actor=me_of(request), consent=consent
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
        payment=payment_of_party(me_of(request), visit.public_id), actor=me_of(request)
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
            booking=visit,
            actor=me_of(request),
            payment_method_id=form.cleaned_data["payment_method"],
        )
    except (PaymentDeclined, ValidationFailed) as error:
        form.add_error("payment_method", message_for(error))
        return form
    # Any other refusal is not about the card (the helper's account cannot take it, the visit
    # takes none now): said above the page, as the card's form may no longer be on it.
    if payment.status == PaymentStatus.AUTHORISED:
        messages.success(request, _("Your card is held. The visit goes ahead as agreed."))
    elif visit.status == BookingStatus.PROPOSED:
        messages.success(request, _("Your card is ready. It is held only once you confirm a time."))
    else:
        messages.success(
            request,
            ngettext(
                "Your card is ready. It will be held %(days)d day before the visit.",
                "Your card is ready. It will be held %(days)d days before the visit.",
                config().hold_days_before_visit,
            )
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
        safety_report_file(booking=visit, actor=me_of(request), **form.cleaned_data)
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
    helper_block(booking=_need(booking), actor=me_of(request))
    messages.success(request, _("This helper will not be offered your requests again."))
    return None


@_action
def booking_unblock_helper(
    request: HttpRequest, help_request: HelpRequest, booking: Booking | None
) -> forms.Form | None:
    helper_unblock(booking=_need(booking), actor=me_of(request))
    messages.success(request, _("This helper may be offered your requests again."))
    return None


@login_required
@require_GET
def history(request: HttpRequest) -> HttpResponse:
    me = me_of(request)
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
    return render(
        request,
        "web/requests/history.html",
        {"help_requests": help_requests, "warnings": shown_warnings(me)},
    )
