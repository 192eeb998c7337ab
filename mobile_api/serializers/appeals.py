"""A suspended helper's appeals, as the helper and the community manager see them."""

from __future__ import annotations

from rest_framework import serializers

from helpers.appeal_services import AppealOutcome
from helpers.models import APPEAL_TEXT_MAX_LENGTH, APPROVAL_NOTE_MAX_LENGTH, HelperAppeal
from mobile_api.serializers.moments import ApiDateTimeField, ApiModelSerializer


class AppealInputSerializer(serializers.Serializer):
    text = serializers.CharField(
        max_length=APPEAL_TEXT_MAX_LENGTH,
        trim_whitespace=False,
        help_text="Why the suspension should be lifted, in the helper's words.",
    )


class AppealSerializer(ApiModelSerializer):
    """An appeal as its helper sees it: what they wrote and what was decided."""

    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = HelperAppeal
        fields: tuple[str, ...] = (
            "id",
            "text",
            "status",
            "created_at",
            "decided_at",
            "decision_note",
        )
        read_only_fields: tuple[str, ...] = fields


class ManagerAppealSerializer(AppealSerializer):
    """An appeal for the community manager: whose it is, and the suspension it is against."""

    helper = serializers.UUIDField(source="helper.public_id", read_only=True)
    helper_name = serializers.CharField(source="helper.user.display_name", read_only=True)
    suspension_note = serializers.CharField(source="helper.approval_note", read_only=True)
    suspended_until = ApiDateTimeField(
        source="helper.suspended_until", read_only=True, allow_null=True
    )
    decided_by = serializers.CharField(
        source="decided_by.display_name", read_only=True, allow_null=True, default=None
    )

    class Meta(AppealSerializer.Meta):
        fields = (
            *AppealSerializer.Meta.fields,
            "helper",
            "helper_name",
            "suspension_note",
            "suspended_until",
            "decided_by",
        )
        read_only_fields = fields


class AppealDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=AppealOutcome.CHOICES,
        help_text="`uphold` keeps the suspension; `lift` reinstates the helper.",
    )
    note = serializers.CharField(
        max_length=APPROVAL_NOTE_MAX_LENGTH,
        allow_blank=True,
        help_text="The reason for the decision (required); the helper reads it.",
    )
