"""Helpers: the public card a customer sees, and the profile the helper and manager see."""

from __future__ import annotations

from rest_framework import serializers

from catalogue.models import ServiceCategory
from helpers.models import HelperProfile
from mobile_api.serializers.moments import ApiModelSerializer


class PublicHelperSerializer(ApiModelSerializer):
    """What a customer sees of the helper who took their request."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    display_name = serializers.CharField(source="user.display_name")
    phone = serializers.CharField(source="user.phone")
    languages = serializers.JSONField(source="user.languages")
    rating_average = serializers.FloatField(allow_null=True)

    class Meta:
        model = HelperProfile
        fields = (
            "id",
            "display_name",
            "phone",
            "languages",
            "bio",
            "rating_average",
            "rating_count",
            "completed_visits",
        )
        read_only_fields = fields


class HelperProfileSerializer(ApiModelSerializer):
    """The helper's own profile (and the manager's view of it)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    display_name = serializers.CharField(source="user.display_name")
    email = serializers.EmailField(source="user.email")
    skills = serializers.SlugRelatedField[ServiceCategory](
        slug_field="slug", many=True, read_only=True
    )
    rating_average = serializers.FloatField(allow_null=True)
    average_response_seconds = serializers.IntegerField(allow_null=True)

    class Meta:
        model = HelperProfile
        fields = (
            "id",
            "display_name",
            "email",
            "bio",
            "service_radius_km",
            "hourly_rate_minor",
            "currency",
            "skills",
            "approval_status",
            "approval_changed_at",
            "approval_note",
            "suspended_until",
            "is_accepting_jobs",
            "rating_average",
            "rating_count",
            "completed_visits",
            "cancellations_caused",
            "late_cancellations_caused",
            "no_shows_caused",
            "offers_received",
            "offers_accepted",
            "offers_declined",
            "offers_expired",
            "average_response_seconds",
            "created_at",
        )
        read_only_fields = fields
