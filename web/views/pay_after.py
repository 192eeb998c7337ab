"""The customer's payment page for a visit paid with TWINT, which cannot be held: before the
visit the customer can choose TWINT instead of a card; once the visit is signed off (or a late
cancellation's fee falls due) the page sends the customer to TWINT's page and takes the payment
when TWINT sends them back. Thin: the rules are in payments.services and payments.pay_after."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backend.config import config
from backend.exceptions import ApplicationError, NotFound
from bookings.models import Booking, BookingStatus
from bookings.selectors import bookings_visible_to, own_help_request_for
from payments import pay_after, services, tip_twint
from payments.models import Payment, PaymentStatus, PayWith
from payments.selectors import tip_of, twint_choosable, visit_payment
from payments.tips import TIPPABLE
from web.errors import message_for
from web.forms import TipForm
from web.kept_forms import kept_form, refused
from web.views.request_page import me_of


def _visit(request: HttpRequest, public_id: UUID) -> tuple[Booking, Payment | None]:
    """The current visit of the customer's own request, with its helper's payout account, and
    its payment (anyone else: 404)."""
    me = me_of(request)
    try:
        help_request = own_help_request_for(me, public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    booking = (
        bookings_visible_to(me)
        .select_related("help_request", "helper__user", "helper__payout_account")
        .filter(help_request=help_request)
        .order_by("-created_at", "-id")
        .first()
    )
    if booking is None or not booking.price_minor and booking.status != BookingStatus.PROPOSED:
        raise Http404(_("This visit has nothing to pay."))
    return booking, visit_payment(booking)


@login_required
@require_GET
def pay_page(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The page; a tip refused comes back on it once, as it was sent (`pay_tip`)."""
    booking, payment = _visit(request, public_id)
    form = kept_form(request, request.path, {"tip": TipForm}).get("tip_form")
    twint = payment is not None and payment.pay_with == PayWith.TWINT
    context = {
        "public_id": public_id,
        "booking": booking,
        "payment": payment,
        "due": payment is not None and payment.status == PaymentStatus.DUE,
        "paid": payment is not None and payment.status == PaymentStatus.CAPTURED,
        "twint": twint,
        "can_choose_twint": twint_choosable(booking, payment),
        **_tip_context(booking, payment, twint, form),
    }
    response = render(request, "web/pay/pay.html", context)
    # Paying and tipping with TWINT go on to Stripe's pages and from there to TWINT's (redirects
    # the browser checks).
    response._csp_update = config().twint_redirect_sources  # type: ignore[attr-defined]
    return response


def _tip_context(
    booking: Booking, payment: Payment | None, twint: bool, form: forms.Form | None
) -> dict[str, object]:
    """Once a TWINT visit is paid: the tip given, or the form to give one with TWINT too."""
    paid = payment is not None and payment.status == PaymentStatus.CAPTURED
    tip = tip_of(booking) if paid and twint else None
    return {
        "tip": tip,
        "can_tip": paid and twint and tip is None and booking.status in TIPPABLE,
        "tip_form": form or TipForm(prefix="tip"),
    }


@login_required
@require_POST
def pay_choose_twint(request: HttpRequest, public_id: UUID) -> HttpResponse:
    booking, _payment = _visit(request, public_id)
    try:
        services.payment_method_set(
            booking=booking, actor=me_of(request), payment_method_id=services.TWINT
        )
    except ApplicationError as error:
        messages.error(request, message_for(error))
    else:
        messages.success(
            request, _("You pay with TWINT: nothing is held now; you pay right after the visit.")
        )
    return redirect("web:booking-pay", public_id=public_id)


@login_required
@require_POST
def pay_start(request: HttpRequest, public_id: UUID) -> HttpResponse:
    _booking, payment = _visit(request, public_id)
    if payment is None:
        raise Http404(_("This visit has nothing to pay."))
    back = request.build_absolute_uri(reverse("web:booking-pay-return", args=[public_id]))
    try:
        _paid, url = pay_after.payment_pay_after_start(
            payment=payment, actor=me_of(request), return_url=back
        )
    except ApplicationError as error:
        messages.error(request, message_for(error))
        return redirect("web:booking-pay", public_id=public_id)
    if url:
        return redirect(url)
    messages.success(request, _("Paid. Thank you!"))
    return redirect("web:booking-pay", public_id=public_id)


@login_required
@require_GET
def pay_return(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Where TWINT sends the customer back: the payment is taken from Stripe's state."""
    _booking, payment = _visit(request, public_id)
    if payment is None:
        raise Http404(_("This visit has nothing to pay."))
    try:
        payment = pay_after.payment_pay_after_refresh(payment=payment)
    except ApplicationError as error:
        messages.error(request, message_for(error))
        return redirect("web:booking-pay", public_id=public_id)
    if payment.status == PaymentStatus.CAPTURED:
        messages.success(request, _("Paid. Thank you!"))
    elif payment.failure_code:
        messages.error(
            request, _("TWINT did not take the payment. Nothing was charged; please try again.")
        )
    return redirect("web:booking-pay", public_id=public_id)


@login_required
@require_POST
def pay_tip(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """A tip with TWINT after a visit paid with TWINT: off to TWINT's page, and back."""
    _booking, payment = _visit(request, public_id)
    if payment is None:
        raise Http404(_("This visit has nothing to pay."))
    page = reverse("web:booking-pay", args=[public_id])
    form = TipForm(request.POST, prefix="tip")
    if not form.is_valid():
        return refused(request, form, page)
    back = request.build_absolute_uri(reverse("web:booking-pay-tip-return", args=[public_id]))
    try:
        url = tip_twint.tip_twint_start(
            payment=payment, actor=me_of(request), amount_minor=form.amount_minor(), return_url=back
        )
    except ApplicationError as error:
        form.add_error("amount", message_for(error))
        return refused(request, form, page)
    if url:
        return redirect(url)
    messages.success(request, _("Thank you! All of your tip goes to the helper."))
    return redirect("web:booking-pay", public_id=public_id)


@login_required
@require_GET
def pay_tip_return(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Where TWINT sends the customer back after a tip: the tip is taken from Stripe's state."""
    _booking, payment = _visit(request, public_id)
    if payment is None:
        raise Http404(_("This visit has nothing to pay."))
    try:
        tip = tip_twint.tip_twint_refresh(payment=payment)
    except ApplicationError as error:
        messages.error(request, message_for(error))
        return redirect("web:booking-pay", public_id=public_id)
    if tip is not None:
        messages.success(request, _("Thank you! All of your tip goes to the helper."))
    else:
        messages.error(request, _("TWINT did not take the tip. Nothing was charged."))
    return redirect("web:booking-pay", public_id=public_id)
