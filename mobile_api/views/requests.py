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

from backend.exceptions import NotFound
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
from mobile_api.schema import TEXT_CODES, errors
from mobile_api.serializers import (
    AddressInputSerializer,
    BookingSerializer,
    CategoryField,
    GeoJSONPointField,
    HelpRequestSerializer,
    LanguagesField,
    ManagerOfferSerializer,
    OfferSerializer,
    WindowSerializer,
    address_from,
)
from mobile_api.views.accounts import ADDRESS_CODES
from mobile_api.views.helpers import _user

WINDOW_CODES = [
    "windows_required",
    "too_many_windows",
    "window_inverted",
    "window_in_past",
    "window_too_far_ahead",
    "window_too_short",
    "window_too_long",
    "windows_overlap",
]
REQUEST_CODES = [
    "validation_invalid",
    "validation_required",
    "description_too_short",
    "languages_required",
    "invalid_language",
    "on_behalf_incomplete",
    "invalid_phone",
    "unknown_category",
    "max_length",
    *WINDOW_CODES,
    *ADDRESS_CODES,
    *TEXT_CODES,
]


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
        return _with_counts(help_requests_visible_to(_user(self.request)))

    @extend_schema(
        operation_id="help_requests_list",
        responses={200: HelpRequestSerializer(many=True), **errors()},
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """My help requests, newest first (the manager: all)."""
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="help_requests_create",
        request=HelpRequestInput,
        responses={
            201: HelpRequestSerializer,
            **errors(s400=REQUEST_CODES, s409=["open_request_limit"]),
        },
    )
    def post(self, request: Request) -> Response:
        """Ask for help: the best nearby helpers get an offer at once."""
        data = HelpRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        help_request = help_request_create(
            customer=_user(request),
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
        responses={200: HelpRequestSerializer, **errors(s404=["not_found"])},
    )
    def get(self, request: Request, request_id: UUID) -> Response:
        """One of my help requests, with its exact address and matching status."""
        help_request = help_request_for(_user(request), request_id)
        return Response(HelpRequestSerializer(_reload(help_request)).data)

    @extend_schema(
        operation_id="help_requests_update",
        request=HelpRequestUpdateInput,
        responses={
            200: HelpRequestSerializer,
            **errors(
                s400=REQUEST_CODES,
                s404=["not_found"],
                s409=["request_not_editable", "rematch_limit_reached"],
            ),
        },
    )
    def patch(self, request: Request, request_id: UUID) -> Response:
        """Change a request nobody has accepted yet.

        A change of place, windows or languages that could change whom matching finds
        withdraws the pending offers and matches again, at most QUARTIER_MAX_REMATCHES_PER_REQUEST
        times (then 409 `rematch_limit_reached`).
        """
        help_request = own_help_request_for(_user(request), request_id)
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
        responses={
            200: HelpRequestSerializer,
            **errors(
                s400=["max_length"],
                s404=["not_found"],
                s409=["request_not_editable", "illegal_transition"],
            ),
        },
    )
    def post(self, request: Request, request_id: UUID) -> Response:
        """Take a request back before anyone has accepted it."""
        help_request = own_help_request_for(_user(request), request_id)
        data = self.HelpRequestWithdrawInput(data=request.data)
        data.is_valid(raise_exception=True)
        help_request = help_request_withdraw(
            help_request=help_request, reason=data.validated_data["reason"]
        )
        return Response(HelpRequestSerializer(_reload(help_request)).data)


class ManagerRequestOffersApi(generics.ListAPIView):
    """For the community manager: who was offered this request, in which order, and why."""

    serializer_class = ManagerOfferSerializer
    queryset = Offer.objects.none()

    def get_queryset(self) -> QuerySet[Offer]:
        user = _user(self.request)
        if not user.is_staff:
            raise NotFound("No such help request.")
        return offers_of_request(help_request_for(user, self.kwargs["request_id"])).order_by("rank")

    @extend_schema(
        operation_id="manager_request_offers_list",
        responses={200: ManagerOfferSerializer(many=True), **errors(s404=["not_found"])},
    )
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
        return offers_visible_to(_user(self.request)).select_related("booking")

    @extend_schema(
        operation_id="offers_list", responses={200: OfferSerializer(many=True), **errors()}
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The offers made to me as a helper, newest first (?status=pending for the inbox)."""
        return super().get(request, *args, **kwargs)


class OfferDetailApi(APIView):
    @extend_schema(
        operation_id="offers_retrieve",
        responses={200: OfferSerializer, **errors(s404=["not_found"])},
    )
    def get(self, request: Request, offer_id: UUID) -> Response:
        """One offer: the job (without the exact address) and why I was chosen."""
        return Response(OfferSerializer(offer_for(_user(request), offer_id)).data)


class OfferAcceptApi(APIView):
    """Take the job. The first helper to accept wins; the others get 409."""

    @extend_schema(
        operation_id="offers_accept",
        request=None,
        responses={
            201: BookingSerializer,
            **errors(s404=["not_found"], s409=["offer_not_pending", "request_already_taken"]),
        },
    )
    def post(self, request: Request, offer_id: UUID) -> Response:
        """Take the job. The first helper to accept wins; the others get 409."""
        user = _user(request)
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
        responses={
            200: OfferSerializer,
            **errors(
                s400=["invalid_choice", "max_length", *TEXT_CODES],
                s404=["not_found"],
                s409=["offer_not_pending"],
            ),
        },
    )
    def post(self, request: Request, offer_id: UUID) -> Response:
        """Say no, with an optional reason; the request goes to the next helper."""
        user = _user(request)
        offer = offer_for(user, offer_id)
        data = self.OfferDeclineInput(data=request.data)
        data.is_valid(raise_exception=True)
        offer = offer_decline(offer=offer, actor=user, **data.validated_data)
        return Response(OfferSerializer(offer_for(user, offer.public_id)).data)
