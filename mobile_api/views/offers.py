"""Offers: the helper's inbox, and taking or declining a job."""

from __future__ import annotations

from uuid import UUID

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.exceptions import raises
from bookings.models import (
    DeclineReason,
    Offer,
    OfferStatus,
)
from bookings.selectors import (
    booking_for,
    offer_for,
    offers_visible_to,
)
from bookings.services import (
    offer_accept,
    offer_decline,
)
from mobile_api.filters import UpdatedSinceFilter
from mobile_api.idempotency import ApiView
from mobile_api.permissions import request_user
from mobile_api.serializers.bookings import BookingSerializer
from mobile_api.serializers.offers import OfferSerializer


class OfferFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OfferStatus.choices)
    updated_since = UpdatedSinceFilter(
        fields=("updated_at", "help_request__updated_at"),
        label=(
            "Only the offers whose answer changed at or after this time (with its UTC offset): "
            "the offer itself, or the request it shows. Send the largest `updated_at` seen."
        ),
    )

    class Meta:
        model = Offer
        fields = ("status", "updated_since")


class OfferListApi(generics.ListAPIView):
    """The offers made to the helper, newest first. Filter `?status=pending` for the inbox,
    `?updated_since=` for what changed since the last poll."""

    serializer_class = OfferSerializer
    filterset_class = OfferFilter
    queryset = Offer.objects.none()

    def get_queryset(self) -> QuerySet[Offer]:
        return offers_visible_to(request_user(self.request)).select_related("booking__helper")

    @extend_schema(operation_id="offers_list", responses={200: OfferSerializer(many=True)})
    @raises()
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The offers made to me as a helper, newest first (?status=pending for the inbox)."""
        return super().get(request, *args, **kwargs)


class OfferDetailApi(ApiView):
    @extend_schema(
        operation_id="offers_retrieve",
        responses={200: OfferSerializer},
    )
    @raises(offer_for)
    def get(self, request: Request, offer_id: UUID) -> Response:
        """One offer: the job (without the exact address) and why I was chosen."""
        offer = offer_for(request_user(request), offer_id)
        return Response(OfferSerializer(offer, context={"request": request}).data)


class OfferAcceptApi(ApiView):
    """Take the job. The first helper to accept wins; the others get 409."""

    @extend_schema(
        operation_id="offers_accept",
        request=None,
        responses={201: BookingSerializer},
    )
    @raises(offer_for, offer_accept)
    def post(self, request: Request, offer_id: UUID) -> Response:
        """Take the job. The first helper to accept wins; the others get 409."""
        user = request_user(request)
        booking = offer_accept(offer=offer_for(user, offer_id), actor=user)
        return Response(
            BookingSerializer(
                booking_for(user, booking.public_id), context={"request": request}
            ).data,
            status=status.HTTP_201_CREATED,
        )


class OfferDeclineApi(ApiView):
    class OfferDeclineInput(serializers.Serializer):
        reason = serializers.ChoiceField(
            choices=DeclineReason.choices, required=False, allow_blank=True, default=""
        )
        note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="offers_decline",
        request=OfferDeclineInput,
        responses={200: OfferSerializer},
    )
    @raises(offer_for, offer_decline)
    def post(self, request: Request, offer_id: UUID) -> Response:
        """Say no, with an optional reason; the request goes to the next helper."""
        user = request_user(request)
        offer = offer_for(user, offer_id)
        data = self.OfferDeclineInput(data=request.data)
        data.is_valid(raise_exception=True)
        offer = offer_decline(offer=offer, actor=user, **data.validated_data)
        offer = offer_for(user, offer.public_id)
        return Response(OfferSerializer(offer, context={"request": request}).data)
