"""Help requests: a customer asks for help, changes or withdraws the request."""

from __future__ import annotations

from uuid import UUID

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.exceptions import raises
from bookings.models import HelpRequest, HelpRequestStatus
from bookings.selectors import (
    help_request_status_for,
    help_request_with_status,
    help_requests_visible_to,
    own_help_request_for,
    with_status,
)
from bookings.services import (
    help_request_create,
    help_request_update,
    help_request_withdraw,
)
from mobile_api.idempotency import ApiView, IdempotencyKeyStep
from mobile_api.permissions import request_user
from mobile_api.serializers.fields import (
    AddressInputSerializer,
    CategoryField,
    GeoJSONPointField,
    LanguagesField,
    WindowSerializer,
    address_from,
)
from mobile_api.serializers.requests import HelpRequestSerializer


def _windows(data: list[dict]) -> list[tuple]:
    return [(item["starts_at"], item["ends_at"]) for item in data]


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


class HelpRequestListApi(IdempotencyKeyStep, generics.ListAPIView):
    """The customer's own help requests (the manager's: all). POST asks for help."""

    serializer_class = HelpRequestSerializer
    filterset_class = HelpRequestFilter
    queryset = HelpRequest.objects.none()

    def get_queryset(self) -> QuerySet[HelpRequest]:
        return with_status(help_requests_visible_to(request_user(self.request)))

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
            HelpRequestSerializer(help_request_with_status(help_request)).data,
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


class HelpRequestDetailApi(ApiView):
    @extend_schema(
        operation_id="help_requests_retrieve",
        responses={200: HelpRequestSerializer},
    )
    @raises(help_request_status_for)
    def get(self, request: Request, request_id: UUID) -> Response:
        """One of my help requests, with its exact address and matching status."""
        help_request = help_request_status_for(request_user(request), request_id)
        return Response(HelpRequestSerializer(help_request).data)

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
        return Response(HelpRequestSerializer(help_request_with_status(help_request)).data)


class HelpRequestWithdrawApi(ApiView):
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
        return Response(HelpRequestSerializer(help_request_with_status(help_request)).data)
