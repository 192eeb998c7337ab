"""Payments: the helper's payout account, a booking's payment (the card it is held on, the
receipt's amounts), refunds, and Stripe's webhook. Thin: the rules are in payments.services
(and its neighbours payouts, pay_after, refunds, tips).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from backend.exceptions import ApplicationError, CoreError, NotFound, error_body, raises
from backend.models import User
from bookings.selectors import booking_for
from mobile_api.idempotency import ApiView
from mobile_api.permissions import request_user
from mobile_api.serializers.payments import (
    ExtraAnswerInput,
    ExtraInput,
    ExtraSerializer,
    OnboardingInput,
    OnboardingOutput,
    PayAfterInput,
    PayAfterOutput,
    PaymentMethodInput,
    PaymentSerializer,
    PayoutAccountSerializer,
    ReceiptSerializer,
    RefundInput,
    StatementSerializer,
    TipInput,
    TipSerializer,
)
from payments import (
    extras,
    pay_after,
    payouts,
    receipts,
    refunds,
    selectors,
    services,
    statements,
    tips,
    webhooks,
)
from payments.models import Payment


def _payment_body(payment: Payment, reader: User) -> dict[str, Any]:
    return dict(PaymentSerializer(payment, context={"reader": reader}).data)


class PayoutAccountApi(ApiView):
    """Helper: the payout account's state, and a link to Stripe's onboarding (start or resume)."""

    @extend_schema(
        operation_id="payout_account_retrieve",
        responses={200: PayoutAccountSerializer},
    )
    @raises(CoreError.NOT_FOUND)
    def get(self, request: Request) -> Response:
        account = selectors.payout_account_of(request_user(request))
        if account is None:
            raise NotFound(_("No payout account yet: start the onboarding."))
        return Response(PayoutAccountSerializer(account).data)

    @extend_schema(
        operation_id="payout_account_onboard",
        request=OnboardingInput,
        responses={200: OnboardingOutput},
    )
    @raises(payouts.payout_account_onboard)
    def post(self, request: Request) -> Response:
        payouts.payout_helper_of(request_user(request))  # who may, before what was sent
        given = OnboardingInput(data=request.data)
        given.is_valid(raise_exception=True)
        account, url = payouts.payout_account_onboard(
            actor=request_user(request),
            return_url=given.validated_data["return_url"],
            refresh_url=given.validated_data["refresh_url"],
        )
        body = dict(PayoutAccountSerializer(account).data)
        body["onboarding_url"] = url
        return Response(body)


class BookingPaymentApi(ApiView):
    """Customer, helper, manager: the booking's payment and its receipt's amounts."""

    @extend_schema(
        operation_id="booking_payment_retrieve",
        responses={200: PaymentSerializer},
    )
    @raises(selectors.payment_for)
    def get(self, request: Request, booking_id: UUID) -> Response:
        user = request_user(request)
        return Response(_payment_body(selectors.payment_for(user, booking_id), user))


class BookingPaymentMethodApi(ApiView):
    """Customer: the card (a PaymentMethod on the helper's account, from Stripe.js) to hold the
    price on. Before confirming; or after a failed hold, when the hold is placed at once."""

    @extend_schema(
        operation_id="booking_payment_method",
        request=PaymentMethodInput,
        responses={200: PaymentSerializer},
    )
    @raises(booking_for, services.payment_method_set)
    def post(self, request: Request, booking_id: UUID) -> Response:
        user = request_user(request)
        booking = booking_for(user, booking_id)
        services.require_paying_customer(booking, user)  # who may, before what was sent
        given = PaymentMethodInput(data=request.data)
        given.is_valid(raise_exception=True)
        payment = services.payment_method_set(
            booking=booking,
            actor=user,
            payment_method_id=given.validated_data["payment_method"],
        )
        return Response(_payment_body(payment, user))


class BookingPayAfterApi(ApiView):
    """Customer: pay a visit paid with TWINT (it cannot be held), once it is due after sign-off
    (or a cancellation fee). Answers the URL of TWINT's page to send the customer to; TWINT
    sends them back to `return_url`, and the payment is taken from Stripe's webhook or from the
    next call here, which then answers an empty `redirect_url`."""

    @extend_schema(
        operation_id="booking_payment_pay",
        request=PayAfterInput,
        responses={200: PayAfterOutput},
    )
    @raises(booking_for, selectors.payment_for, pay_after.payment_pay_after_start)
    def post(self, request: Request, booking_id: UUID) -> Response:
        user = request_user(request)
        # Who may act, before whether there is a payment and what was sent
        services.require_paying_customer(booking_for(user, booking_id), user)
        payment = selectors.payment_for(user, booking_id)
        given = PayAfterInput(data=request.data)
        given.is_valid(raise_exception=True)

        payment, url = pay_after.payment_pay_after_start(
            payment=payment,
            actor=user,
            return_url=given.validated_data["return_url"],
        )
        return Response({**_payment_body(payment, user), "redirect_url": url})


class BookingRefundApi(ApiView):
    """Helper or manager: give back part or all of what was captured, with a reason."""

    @extend_schema(
        operation_id="booking_payment_refund",
        request=RefundInput,
        responses={200: PaymentSerializer},
    )
    @raises(booking_for, selectors.payment_for, refunds.payment_refund)
    def post(self, request: Request, booking_id: UUID) -> Response:
        user = request_user(request)
        # Who may act, before whether there is a payment and what was sent
        refunds.refunder_role(booking_for(user, booking_id), user)
        payment = selectors.payment_for(user, booking_id)
        given = RefundInput(data=request.data)
        given.is_valid(raise_exception=True)
        payment = refunds.payment_refund(
            payment=payment,
            actor=user,
            amount_minor=given.validated_data["amount_minor"],
            reason=given.validated_data["reason"],
        )
        return Response(_payment_body(payment, user))


class BookingReceiptApi(ApiView):
    """The visit's customer or helper: the receipt of its payment (anyone else: 404)."""

    @extend_schema(operation_id="booking_receipt_retrieve", responses={200: ReceiptSerializer})
    @raises(receipts.receipt_for)
    def get(self, request: Request, booking_id: UUID) -> Response:
        receipt = receipts.receipt_for(
            request_user(request), booking_id, language=translation.get_language() or "en"
        )
        return Response(ReceiptSerializer(receipt).data)


class BookingTipApi(ApiView):
    """Customer, after sign-off: a tip for the helper, once per visit, all of it to the helper
    (a charge on the helper's account, no application fee)."""

    @extend_schema(
        operation_id="booking_tip",
        request=TipInput,
        responses={201: TipSerializer},
    )
    @raises(selectors.party_payment, tips.tip_give)
    def post(self, request: Request, booking_id: UUID) -> Response:
        user = request_user(request)
        # Who may act, before whether there is a payment and what was sent
        tips.require_tipping_customer(selectors.booking_of_party(user, booking_id), user)
        payment = selectors.party_payment(user, booking_id)
        given = TipInput(data=request.data)
        given.is_valid(raise_exception=True)
        tip = tips.tip_give(
            payment=payment,
            actor=user,
            amount_minor=given.validated_data["amount_minor"],
            payment_method_id=given.validated_data.get("payment_method", ""),
        )
        return Response(TipSerializer(tip).data, status=201)


class BookingExtraApi(ApiView):
    """Extra time or material above the hold: the helper asks for it during the visit or at
    check-out (once per visit); the visit's customer and helper read it."""

    @extend_schema(operation_id="booking_extra_retrieve", responses={200: ExtraSerializer})
    @raises(selectors.party_extra)
    def get(self, request: Request, booking_id: UUID) -> Response:
        user = request_user(request)
        extra = selectors.party_extra(user, booking_id)
        return Response(ExtraSerializer(extra, context={"reader": user}).data)

    @extend_schema(
        operation_id="booking_extra_ask", request=ExtraInput, responses={201: ExtraSerializer}
    )
    @raises(selectors.party_payment, extras.extra_record)
    def post(self, request: Request, booking_id: UUID) -> Response:
        user = request_user(request)
        # Who may act, before whether there is a payment and what was sent
        extras.require_extra_asker(selectors.booking_of_party(user, booking_id), user)
        payment = selectors.party_payment(user, booking_id)
        given = ExtraInput(data=request.data)
        given.is_valid(raise_exception=True)
        extra = extras.extra_record(
            payment=payment,
            actor=user,
            minutes=given.validated_data["minutes"],
            material_minor=given.validated_data["material_minor"],
            note=given.validated_data["note"],
        )
        return Response(ExtraSerializer(extra, context={"reader": user}).data, status=201)


class BookingExtraAnswerApi(ApiView):
    """Customer: consent to the extra (a new hold for exactly its charge on the visit's card,
    captured with the visit on sign-off) or decline it (the agreed price stands)."""

    @extend_schema(
        operation_id="booking_extra_answer",
        request=ExtraAnswerInput,
        responses={200: ExtraSerializer},
    )
    @raises(selectors.party_extra, extras.extra_answer)
    def post(self, request: Request, booking_id: UUID) -> Response:
        user = request_user(request)
        # Who may act, before whether there is an extra and what was sent
        extras.require_extra_answerer(selectors.booking_of_party(user, booking_id), user)
        extra = selectors.party_extra(user, booking_id)
        given = ExtraAnswerInput(data=request.data)
        given.is_valid(raise_exception=True)
        extra = extras.extra_answer(
            extra=extra,
            actor=user,
            consent=given.validated_data["consent"],
        )
        return Response(ExtraSerializer(extra, context={"reader": user}).data)


class EarningsStatementApi(ApiView):
    """Helper: the year's earnings per month from the ledger (the web app offers CSV and PDF)."""

    @extend_schema(
        operation_id="earnings_statement",
        parameters=[
            OpenApiParameter(
                name="year",
                type=int,
                required=False,
                description=f"{statements.FIRST_YEAR}–{statements.LAST_YEAR}; "
                "the current year when omitted.",
            )
        ],
        responses={200: StatementSerializer},
    )
    @raises(statements.statement_year, statements.earnings_statement)
    def get(self, request: Request) -> Response:
        year = statements.statement_year(request.query_params.get("year"))
        statement = statements.earnings_statement(request_user(request), year)
        body = dict(StatementSerializer(statement).data)
        return Response(body)


@method_decorator(csrf_exempt, name="dispatch")
class StripeWebhookView(View):
    """Stripe's events: verified on the raw body (signature and timestamp), stored once per
    event id, then applied. A duplicate answers 200 and changes nothing; so does a type
    Quartier does not act on (it is kept)."""

    http_method_names = ["post"]  # noqa: RUF012 - Django's own attribute

    def post(self, request: HttpRequest) -> HttpResponse:
        try:
            event = webhooks.webhook_receive(
                payload=request.body, signature=request.headers.get("Stripe-Signature", "")
            )
        except ApplicationError as error:
            return JsonResponse(
                error_body(error.code, error.message, error.fields), status=error.status
            )
        return JsonResponse({"id": event.stripe_event_id, "outcome": event.outcome})
