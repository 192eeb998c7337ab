"""Help requests (customers) and offers (helpers)."""

from __future__ import annotations

from uuid import UUID

import django_filters
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.exceptions import raises
from bookings.models import (
    Booking,
    DeclineReason,
    HelpRequest,
    HelpRequestStatus,
    Offer,
    OfferStatus,
)
from bookings.selectors import (
    booking_for,
    help_request_for,
    help_requests_visible_to,
    offer_for,
    offers_of_request,
    offers_visible_to,
    own_help_request_for,
)
from bookings.services import (
    help_request_create,
    help_request_update,
    help_request_withdraw,
    offer_accept,
    offer_decline,
)
from mobile_api.permissions import IsManager, request_user
from mobile_api.serializers.bookings import BookingSerializer
from mobile_api.serializers.fields import (
    AddressInputSerializer,
    CategoryField,
    GeoJSONPointField,
    LanguagesField,
    WindowSerializer,
    address_from,
)
from mobile_api.serializers.offers import ManagerOfferSerializer, OfferSerializer
from mobile_api.serializers.requests import HelpRequestSerializer


def _windows(data: list[dict]) -> list[tuple]:
    return [(item["starts_at"], item["ends_at"]) for item in data]


def _with_counts(queryset: QuerySet[HelpRequest]) -> QuerySet[HelpRequest]:
    return queryset.prefetch_related(
        Prefetch("offers", queryset=Offer.objects.only("id", "status", "help_request_id")),
        Prefetch(
            "bookings",
            queryset=Booking.objects.only("id", "public_id", "status", "help_request_id").order_by(
                "created_at", "id"
            ),
        ),
    )


class HelpRequestFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=HelpRequestStatus.choices)
    category = django_filters.CharFilter(field_name="category__slug")

    class Meta:
        model = HelpRequest
        fields = ("status", "category")


class HelpRequestInput(AddressInputSerializer):
    category = CategoryField()
    description = serializers.CharField(max_length=2000)
    windows = WindowSerializer(many=True, max_length=20)  # type: ignore[call-arg]
    languages = LanguagesField(required=False)
    on_behalf_name = serializers.CharField(
        max_length=80, required=False, allow_blank=True, default=""
    )
    on_behalf_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )


class HelpRequestListApi(generics.ListAPIView):
    """The customer's own help requests (the manager's: all). POST asks for help."""

    serializer_class = HelpRequestSerializer
    filterset_class = HelpRequestFilter
    queryset = HelpRequest.objects.none()

    def get_queryset(self) -> QuerySet[HelpRequest]:
        return _with_counts(help_requests_visible_to(request_user(self.request)))

    @extend_schema(
        operation_id="help_requests_list",
        responses={200: HelpRequestSerializer(many=True)},
    )
    @raises()
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My help requests, newest first (the manager: all)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="help_requests_create",
        request=HelpRequestInput,
        responses={201: HelpRequestSerializer},
    )
    @raises(help_request_create)
    def post(self, request: Request) -> Response:
        """Ask for help: the best nearby helpers get an offer at once."""
        data = HelpRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        help_request = help_request_create(
            customer=request_user(request),
            category=values["category"],
            description=values["description"],
            address=address_from(values),
            windows=_windows(values["windows"]),
            languages=values.get("languages"),
            on_behalf_name=values["on_behalf_name"],
            on_behalf_phone=values["on_behalf_phone"],
        )
        return Response(
            HelpRequestSerializer(_reload(help_request)).data,
            status=status.HTTP_201_CREATED,
        )


class HelpRequestUpdateInput(serializers.Serializer):
    description = serializers.CharField(max_length=2000, required=False)
    windows = WindowSerializer(many=True, max_length=20, required=False)  # type: ignore[call-arg]
    languages = LanguagesField(required=False)
    on_behalf_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    on_behalf_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    street = serializers.CharField(max_length=120, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=4, required=False, allow_blank=True)
    locality = serializers.CharField(max_length=80, required=False, allow_blank=True)
    location = GeoJSONPointField(required=False, allow_null=True)


class HelpRequestDetailApi(APIView):
    @extend_schema(
        operation_id="help_requests_retrieve",
        responses={200: HelpRequestSerializer},
    )
    @raises(help_request_for)
    def get(self, request: Request, request_id: UUID) -> Response:
        """One of my help requests, with its exact address and matching status."""
        help_request = help_request_for(request_user(request), request_id)
        return Response(HelpRequestSerializer(_reload(help_request)).data)

    @extend_schema(
        operation_id="help_requests_update",
        request=HelpRequestUpdateInput,
        responses={200: HelpRequestSerializer},
    )
    @raises(own_help_request_for, help_request_update)
    def patch(self, request: Request, request_id: UUID) -> Response:
        """Change a request nobody has accepted yet.

        A change of place, windows or languages that could change whom matching finds
        withdraws the pending offers and matches again, at most QUARTIER_MAX_REMATCHES_PER_REQUEST
        times (then 409 `rematch_limit_reached`).
        """
        help_request = own_help_request_for(request_user(request), request_id)
        # Not `partial`: every field is optional already, and a partial root would let each
        # window it carries skip its own required fields.
        data = HelpRequestUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        address_keys = {"street", "postal_code", "locality", "location"}
        help_request = help_request_update(
            help_request=help_request,
            description=values.get("description"),
            windows=_windows(values["windows"]) if "windows" in values else None,
            languages=values.get("languages"),
            on_behalf_name=values.get("on_behalf_name"),
            on_behalf_phone=values.get("on_behalf_phone"),
            address=address_from(values) if address_keys & values.keys() else None,
        )
        return Response(HelpRequestSerializer(_reload(help_request)).data)


def _reload(help_request: HelpRequest) -> HelpRequest:
    return _with_counts(
        HelpRequest.objects.select_related("category").prefetch_related("windows")
    ).get(pk=help_request.pk)


class HelpRequestWithdrawApi(APIView):
    class HelpRequestWithdrawInput(serializers.Serializer):
        reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="help_requests_withdraw",
        request=HelpRequestWithdrawInput,
        responses={200: HelpRequestSerializer},
    )
    @raises(own_help_request_for, help_request_withdraw)
    def post(self, request: Request, request_id: UUID) -> Response:
        """Take a request back before anyone has accepted it."""
        help_request = own_help_request_for(request_user(request), request_id)
        data = self.HelpRequestWithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        help_request = help_request_withdraw(
            help_request=help_request, reason=data.validated_data["reason"]
        )
        return Response(HelpRequestSerializer(_reload(help_request)).data)


class ManagerRequestOffersApi(generics.ListAPIView):
    """For the community manager: who was offered this request, in which order, and why."""

    serializer_class = ManagerOfferSerializer
    permission_classes = (IsManager,)
    not_found_message = "No such help request."
    queryset = Offer.objects.none()

    def get_queryset(self) -> QuerySet[Offer]:
        user = request_user(self.request)
        return offers_of_request(help_request_for(user, self.kwargs["request_id"])).order_by("rank")

    @extend_schema(
        operation_id="manager_request_offers_list",
        responses={200: ManagerOfferSerializer(many=True)},
    )
    @raises(help_request_for)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Manager: who was offered this request, in which order, and why."""
        return super().get(request, *args, **kwargs)


class OfferFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=OfferStatus.choices)

    class Meta:
        model = Offer
        fields = ("status",)


class OfferListApi(generics.ListAPIView):
    """The offers made to the helper, newest first. Filter `?status=pending` for the inbox."""

    serializer_class = OfferSerializer
    filterset_class = OfferFilter
    queryset = Offer.objects.none()

    def get_queryset(self) -> QuerySet[Offer]:
        return offers_visible_to(request_user(self.request)).select_related("booking")

    @extend_schema(operation_id="offers_list", responses={200: OfferSerializer(many=True)})
    @raises()
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The offers made to me as a helper, newest first (?status=pending for the inbox)."""
        return super().get(request, *args, **kwargs)


class OfferDetailApi(APIView):
    @extend_schema(
        operation_id="offers_retrieve",
        responses={200: OfferSerializer},
    )
    @raises(offer_for)
    def get(self, request: Request, offer_id: UUID) -> Response:
        """One offer: the job (without the exact address) and why I was chosen."""
        return Response(OfferSerializer(offer_for(request_user(request), offer_id)).data)


class OfferAcceptApi(APIView):
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


class OfferDeclineApi(APIView):
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
        return Response(OfferSerializer(offer_for(user, offer.public_id)).data)
