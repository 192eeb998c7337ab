"""Help requests, as their customer sees them."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.models import HelpRequest
from catalogue.models import ServiceCategory


class WindowOutSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)


class HelpRequestSerializer(serializers.ModelSerializer):
    """The customer's view of their request: everything, including the exact address."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    category = serializers.SlugRelatedField[ServiceCategory](slug_field="slug", read_only=True)
    windows = WindowOutSerializer(many=True, read_only=True)
    pending_offers = serializers.SerializerMethodField()
    booking = serializers.SerializerMethodField()

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

    def get_pending_offers(self, help_request: HelpRequest) -> int:
        # Read by `bookings.selectors.with_status`, like `booking`.
        return int(help_request.pending_offer_total)  # type: ignore[attr-defined]

    @extend_schema_field(
        serializers.UUIDField(allow_null=True, help_text="The booking that stands, if any.")
    )
    def get_booking(self, help_request: HelpRequest) -> str | None:
        booking = help_request.live_booking_public_id  # type: ignore[attr-defined]
        return str(booking) if booking is not None else None
