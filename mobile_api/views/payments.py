"""Payments: the helper's payout account, a booking's payment (the card it is held on, the
receipt's amounts), refunds, and Stripe's webhook. Thin: the rules are in payments.services.

The money endpoints (payment method, refunds) accept an `Idempotency-Key` header.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.config import config
from backend.exceptions import ApplicationError, error_body
from bookings.selectors import booking_for
from mobile_api.schema import TEXT_CODES, errors
from mobile_api.views.helpers import _user
from payments import refunds, selectors, services, webhooks
from payments.idempotency import idempotent
from payments.models import Payment, PayoutAccountStatus

IDEMPOTENCY_KEY = OpenApiParameter(
    name="Idempotency-Key",
    location=OpenApiParameter.HEADER,
    required=False,
    type=str,
    description="Same key and body: the first answer again. Same key, other body: 422.",
)


class PaymentSerializer(serializers.Serializer):
    """A booking's payment, with the receipt's amounts (integer minor units)."""

    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField()
    currency = serializers.CharField()
    price_minor = serializers.IntegerField(source="amount_minor")
    authorised_minor = serializers.IntegerField()
    captured_minor = serializers.IntegerField()
    refunded_minor = serializers.IntegerField()
    stripe_fee_minor = serializers.IntegerField()
    quartier_fee_minor = serializers.SerializerMethodField()
    helper_receives_minor = serializers.SerializerMethodField()
    is_cancellation_fee = serializers.BooleanField()
    failure_code = serializers.CharField()
    stripe_account = serializers.CharField(source="stripe_account_id")
    publishable_key = serializers.SerializerMethodField()

    def get_quartier_fee_minor(self, payment: Payment) -> int:
        return 0

    def get_helper_receives_minor(self, payment: Payment) -> int:
        return selectors.helper_receives_minor(payment)

    def get_publishable_key(self, payment: Payment) -> str:
        return config().stripe_publishable_key


class PayoutAccountSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text="One of: " + ", ".join(PayoutAccountStatus.values),
    )
    can_take_payments = serializers.BooleanField()


def _payment_body(payment: Payment) -> dict[str, Any]:
    return dict(PaymentSerializer(payment).data)


class PayoutAccountApi(APIView):
    """Helper: the payout account's state, and a link to Stripe's onboarding (start or resume)."""

    class OnboardingInput(serializers.Serializer):
        return_url = serializers.URLField(max_length=500)
        refresh_url = serializers.URLField(max_length=500)

    class OnboardingOutput(PayoutAccountSerializer):
        onboarding_url = serializers.URLField()

    @extend_schema(
        operation_id="payout_account_retrieve",
        responses={200: PayoutAccountSerializer, **errors(s404=["not_found"])},
    )
    def get(self, request: Request) -> Response:
        account = selectors.payout_account_of(_user(request))
        if account is None:
            return Response(
                error_body("not_found", "No payout account yet: start the onboarding."),
                status=404,
            )
        return Response(PayoutAccountSerializer(account).data)

    @extend_schema(
        operation_id="payout_account_onboard",
        request=OnboardingInput,
        responses={
            200: OnboardingOutput,
            **errors(
                s400=["validation_invalid", "validation_required"],
                s403=["not_allowed_for_role"],
                s503=["payment_provider_unavailable"],
            ),
        },
    )
    def post(self, request: Request) -> Response:
        given = self.OnboardingInput(data=request.data)
        given.is_valid(raise_exception=True)
        account, url = services.payout_account_onboard(
            actor=_user(request),
            return_url=given.validated_data["return_url"],
            refresh_url=given.validated_data["refresh_url"],
        )
        body = dict(PayoutAccountSerializer(account).data)
        body["onboarding_url"] = url
        return Response(body)


class BookingPaymentApi(APIView):
    """Customer, helper, manager: the booking's payment and its receipt's amounts."""

    @extend_schema(
        operation_id="booking_payment_retrieve",
        responses={
            200: PaymentSerializer,
            **errors(s404=["not_found"], s409=["no_payment_yet"]),
        },
    )
    def get(self, request: Request, booking_id: UUID) -> Response:
        return Response(_payment_body(selectors.payment_for(_user(request), booking_id)))


class BookingPaymentMethodApi(APIView):
    """Customer: the card (a PaymentMethod on the helper's account, from Stripe.js) to hold the
    price on. Before confirming; or after a failed hold, when the hold is placed at once."""

    class PaymentMethodInput(serializers.Serializer):
        payment_method = serializers.CharField(max_length=64)

    @extend_schema(
        operation_id="booking_payment_method",
        request=PaymentMethodInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: PaymentSerializer,
            **errors(
                s400=["validation_invalid", "validation_required", "invalid_payment_method"],
                s402=["card_declined", "authentication_required"],
                s403=["not_allowed_for_role"],
                s404=["not_found"],
                s409=[
                    "no_payout_account",
                    "helper_cannot_take_payments",
                    "payment_not_expected",
                    "payment_provider_refused",
                    "idempotency_request_in_progress",
                ],
                s422=["idempotency_key_reused"],
                s503=["payment_provider_unavailable"],
            ),
        },
    )
    def post(self, request: Request, booking_id: UUID) -> Response:
        user = _user(request)
        given = self.PaymentMethodInput(data=request.data)
        given.is_valid(raise_exception=True)

        def run() -> tuple[int, dict[str, Any]]:
            payment = services.payment_method_set(
                booking=booking_for(user, booking_id),
                actor=user,
                payment_method_id=given.validated_data["payment_method"],
            )
            return 200, _payment_body(payment)

        status, body = idempotent(
            user=user,
            key=request.headers.get("Idempotency-Key"),
            endpoint=f"payment-method:{booking_id}",
            body=given.validated_data,
            run=run,
        )
        return Response(body, status=status)


class BookingRefundApi(APIView):
    """Helper or manager: give back part or all of what was captured, with a reason."""

    class RefundInput(serializers.Serializer):
        amount_minor = serializers.IntegerField(min_value=1)
        reason = serializers.CharField(max_length=300)

    @extend_schema(
        operation_id="booking_payment_refund",
        request=RefundInput,
        parameters=[IDEMPOTENCY_KEY],
        responses={
            200: PaymentSerializer,
            **errors(
                s400=[
                    "validation_invalid",
                    "validation_required",
                    "refund_exceeds_captured",
                    "reason_required",
                    *TEXT_CODES,
                ],
                s403=["not_allowed_for_role"],
                s404=["not_found"],
                s409=[
                    "no_payment_yet",
                    "payment_not_refundable",
                    "payment_provider_refused",
                    "idempotency_request_in_progress",
                ],
                s422=["idempotency_key_reused"],
                s503=["payment_provider_unavailable"],
            ),
        },
    )
    def post(self, request: Request, booking_id: UUID) -> Response:
        user = _user(request)
        given = self.RefundInput(data=request.data)
        given.is_valid(raise_exception=True)

        def run() -> tuple[int, dict[str, Any]]:
            payment = refunds.payment_refund(
                payment=selectors.payment_for(user, booking_id),
                actor=user,
                amount_minor=given.validated_data["amount_minor"],
                reason=given.validated_data["reason"],
            )
            return 200, _payment_body(payment)

        status, body = idempotent(
            user=user,
            key=request.headers.get("Idempotency-Key"),
            endpoint=f"refund:{booking_id}",
            body=given.validated_data,
            run=run,
        )
        return Response(body, status=status)


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
