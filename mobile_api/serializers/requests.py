"""Help requests, as their customer sees them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.models import HelpRequest, HelpRequestStatus
from bookings.request_words import settled_request_words
from bookings.services.help_requests import WITHDRAWN_WITHOUT_REASON
from catalogue.models import ServiceCategory
from mobile_api.serializers.moments import ApiDateTimeField, ApiModelSerializer

STATUS_REASON_HELP = (
    "Why the request stands where it does, in the reader's language (Accept-Language, else "
    "the user's preferred language): the customer's own words when they withdrew it with a "
    "reason; empty while it is open."
)


def status_reason_words(help_request: HelpRequest) -> str:
    """The request's status said to its reader, as the request page says it
    (`settled_request_words`). The stored `status_reason` is the trail's note in English, except
    a reason the customer gave when withdrawing, which is theirs and said as they wrote it."""
    given = help_request.status_reason
    if help_request.status == HelpRequestStatus.WITHDRAWN and given != WITHDRAWN_WITHOUT_REASON:
        return given or settled_request_words(help_request)
    return settled_request_words(help_request)


class WindowOutSerializer(serializers.Serializer):
    starts_at = ApiDateTimeField(read_only=True)
    ends_at = ApiDateTimeField(read_only=True)


class HelpRequestSerializer(ApiModelSerializer):
    """The customer's view of their request: everything, including the exact address."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    category = serializers.SlugRelatedField[ServiceCategory](slug_field="slug", read_only=True)
    windows = WindowOutSerializer(many=True, read_only=True)
    pending_offers = serializers.SerializerMethodField()
    booking = serializers.SerializerMethodField()
    status_reason = serializers.SerializerMethodField(help_text=STATUS_REASON_HELP)

    class Meta:
        model = HelpRequest
        fields = (
            "id",
            "category",
            "description",
            "languages",
            "street",
            "postal_code",
            "locality",
            "location",
            "on_behalf_name",
            "on_behalf_phone",
            "windows",
            "status",
            "status_reason",
            "search_radius_km",
            "matching_round",
            "pending_offers",
            "booking",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_status_reason(self, help_request: HelpRequest) -> str:
        return status_reason_words(help_request)

    def get_pending_offers(self, help_request: HelpRequest) -> int:
        # Read by `bookings.selectors.with_status`, like `booking`.
        return int(help_request.pending_offer_total)  # type: ignore[attr-defined]

    @extend_schema_field(
        serializers.UUIDField(allow_null=True, help_text="The booking that stands, if any.")
    )
    def get_booking(self, help_request: HelpRequest) -> str | None:
        booking = help_request.live_booking_public_id  # type: ignore[attr-defined]
        return str(booking) if booking is not None else None
