"""Safety reports: the reporter's receipt, and the whole report for the community manager."""

from __future__ import annotations

from rest_framework import serializers

from bookings.models import SafetyCategory, SafetyOutcome, SafetyReport
from mobile_api.serializers.moments import ApiModelSerializer


class SafetyReportInputSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=SafetyCategory.choices)
    text = serializers.CharField(max_length=4000)


class SafetyReportReceiptSerializer(ApiModelSerializer):
    """What the reporter gets back: that the report is with the community manager."""

    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = SafetyReport
        fields = ("id", "category", "created_at")


class SafetyReportSerializer(ApiModelSerializer):
    """The whole report, for the community manager only."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    booking = serializers.UUIDField(source="booking.public_id", read_only=True)
    reporter = serializers.CharField(source="reporter.display_name", read_only=True)
    reported = serializers.CharField(source="reported.display_name", read_only=True)
    reported_email = serializers.EmailField(source="reported.email", read_only=True)
    triaged_by = serializers.CharField(
        source="triaged_by.display_name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = SafetyReport
        fields = (
            "id",
            "booking",
            "reporter",
            "reporter_role",
            "reported",
            "reported_email",
            "category",
            "text",
            "outcome",
            "triage_note",
            "triaged_by",
            "triaged_at",
            "created_at",
        )


class SafetyTriageInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=SafetyOutcome.choices)
    note = serializers.CharField(max_length=2000, allow_blank=True)


class HelperBlockSerializer(serializers.Serializer):
    blocked = serializers.BooleanField(
        help_text="Whether the booking's helper is kept from the customer's future requests."
    )
