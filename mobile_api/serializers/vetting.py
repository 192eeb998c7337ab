"""Vetting: the applicant's application and documents, the manager's queue, an application
beside its documents, and the funnel."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _
from rest_framework import serializers

from helpers.models import DocumentAccess, HelperApprovalEvent, HelperDocument
from helpers.selectors import QueuedApplication
from mobile_api.serializers.moments import ApiDateTimeField, ApiModelSerializer


class DocumentSerializer(ApiModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    deleted = serializers.SerializerMethodField()

    class Meta:
        model = HelperDocument
        fields: tuple[str, ...] = (
            "id",
            "kind",
            "content_type",
            "size_bytes",
            "original_name",
            "issued_on",
            "uploaded_at",
            "delete_after",
            "deleted",
        )

    def get_deleted(self, document: HelperDocument) -> bool:
        return document.deleted_at is not None


class ApplicationStepSerializer(ApiModelSerializer):
    class Meta:
        model = HelperApprovalEvent
        fields = ("from_status", "to_status", "role", "note", "created_at")


class ApplicationSerializer(serializers.Serializer):
    approval_status = serializers.CharField(source="helper.approval_status")
    note = serializers.CharField(
        source="helper.approval_note",
        help_text="The manager's latest note (what more is needed).",
    )
    documents = DocumentSerializer(many=True)
    history = ApplicationStepSerializer(many=True)


class DocumentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=HelperDocument.Kind.choices)
    file = serializers.FileField(allow_empty_file=True)
    issued_on = serializers.DateField(required=False, allow_null=True, default=None)


class QueuedApplicationSerializer(serializers.Serializer):
    helper_id = serializers.UUIDField(source="helper.public_id")
    display_name = serializers.CharField(source="helper.user.display_name")
    email = serializers.EmailField(source="helper.user.email")
    home_postal_code = serializers.CharField(source="helper.user.home_postal_code")
    home_locality = serializers.CharField(source="helper.user.home_locality")
    approval_status = serializers.CharField(source="helper.approval_status")
    note = serializers.CharField(source="helper.approval_note")
    waiting_since = ApiDateTimeField()
    waited_hours = serializers.SerializerMethodField()
    target_hours = serializers.SerializerMethodField()
    overdue = serializers.BooleanField()

    def get_waited_hours(self, row: QueuedApplication) -> int:
        return int(row.waited.total_seconds() // 3600)

    def get_target_hours(self, row: QueuedApplication) -> int:
        return int(row.target.total_seconds() // 3600)


class DocumentAccessSerializer(ApiModelSerializer):
    manager = serializers.CharField(source="manager.email")

    class Meta:
        model = DocumentAccess
        fields = ("manager", "accessed_at", "ip_address")


class ManagerDocumentSerializer(DocumentSerializer):
    sha256 = serializers.CharField()
    accesses = DocumentAccessSerializer(many=True)

    class Meta(DocumentSerializer.Meta):
        fields = (*DocumentSerializer.Meta.fields, "sha256", "accesses")


class ApplicationDetailSerializer(serializers.Serializer):
    helper_id = serializers.UUIDField(source="helper.public_id")
    display_name = serializers.CharField(source="helper.user.display_name")
    email = serializers.EmailField(source="helper.user.email")
    home_postal_code = serializers.CharField(source="helper.user.home_postal_code")
    home_locality = serializers.CharField(source="helper.user.home_locality")
    approval_status = serializers.CharField(source="helper.approval_status")
    documents = ManagerDocumentSerializer(many=True)
    history = ApplicationStepSerializer(many=True)


class DecisionNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class FunnelPeriodSerializer(serializers.Serializer):
    since = serializers.DateField()
    until = serializers.DateField()

    def validate(self, attrs: dict[str, date]) -> dict[str, date]:
        if attrs["until"] <= attrs["since"]:
            raise serializers.ValidationError({"until": _("After `since`.")})
        return attrs


class FunnelStepSerializer(serializers.Serializer):
    step = serializers.CharField()
    reached = serializers.IntegerField()
    waiting_now = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True)
