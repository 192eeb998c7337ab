"""Vetting over the API: the applicant's documents and application, and the community
manager's queue, document viewer and decisions. Every rule is in `helpers.services`; every
read is scoped in `helpers.selectors`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from uuid import UUID

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.client_address import client_ip
from backend.config import config
from backend.exceptions import NotFound, ValidationFailed
from helpers.models import (
    VETTING_STATUSES,
    DocumentAccess,
    HelperApprovalEvent,
    HelperDocument,
    HelperProfile,
)
from helpers.selectors import (
    QueuedApplication,
    application_history,
    documents_for_manager,
    documents_of,
    helper_profile_of,
    helpers_for_manager,
    vetting_funnel,
    vetting_queue,
)
from helpers.services import (
    application_check_documents,
    application_invite_to_interview,
    application_record_conduct_test,
    application_reject,
    application_request_information,
    application_submit_documents,
    application_withdraw,
    document_open,
    document_upload,
    helper_offboard,
)
from mobile_api.schema import TEXT_CODES, errors
from mobile_api.views.helpers import _user

UPLOAD_CODES = [
    "empty_file",
    "file_too_large",
    "unsupported_file_type",
    "content_type_mismatch",
    "pdf_active_content",
    "pdf_encrypted",
    "pdf_too_complex",
    "issued_in_future",
    "issued_on_required",
    "extract_too_old",
    "validation_required",
    "validation_invalid",
    "validation_null",
    "invalid_choice",
]


class DocumentSerializer(serializers.ModelSerializer):
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


class ApplicationStepSerializer(serializers.ModelSerializer):
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


def _application(helper: HelperProfile) -> dict[str, object]:
    return {
        "helper": helper,
        "documents": documents_of(helper).filter(deleted_at__isnull=True),
        "history": application_history(helper),
    }


class ApplicationApi(APIView):
    @extend_schema(
        operation_id="helper_application_retrieve",
        responses={200: ApplicationSerializer, **errors(s404=["not_a_helper"])},
    )
    def get(self, request: Request) -> Response:
        """Helper: where my application stands, the documents in force, and its history."""
        helper = helper_profile_of(_user(request))
        return Response(ApplicationSerializer(_application(helper)).data)


class DocumentUploadApi(APIView):
    parser_classes = (MultiPartParser,)

    class UploadSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=HelperDocument.Kind.choices)
        file = serializers.FileField(allow_empty_file=True)
        issued_on = serializers.DateField(required=False, allow_null=True, default=None)

    @extend_schema(
        operation_id="helper_application_documents_create",
        request={"multipart/form-data": UploadSerializer},
        responses={
            201: DocumentSerializer,
            **errors(
                s400=UPLOAD_CODES,
                s403=["not_your_application"],
                s404=["not_a_helper"],
                s409=["documents_locked"],
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """Helper: upload the identity document or the criminal record extract (issued at most
        3 months ago; `issued_on` required for it). Photos (JPEG, PNG, WebP) or PDF, checked by
        content; a newer upload replaces the earlier one of its kind."""
        user = _user(request)
        helper = helper_profile_of(user)
        data = self.UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size is not None and upload.size > config().document_max_bytes:
            # Refused before reading it into memory; the service checks the bytes again.
            raise ValidationFailed(
                "The file is too large.", code="file_too_large", fields={"file": ["too large"]}
            )
        document = document_upload(
            helper=helper,
            actor=user,
            kind=data.validated_data["kind"],
            content=upload.read(),
            declared_type=upload.content_type or "",
            original_name=upload.name or "",
            issued_on=data.validated_data["issued_on"],
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


def _applicant_action(
    operation_id: str,
    summary: str,
    move: Callable[[HelperProfile, object], HelperProfile],
    conflicts: list[str],
) -> type[APIView]:
    class ApplicantActionApi(APIView):
        @extend_schema(
            operation_id=operation_id,
            request=None,
            responses={
                200: ApplicationSerializer,
                **errors(s404=["not_a_helper"], s409=conflicts),
            },
        )
        def post(self, request: Request) -> Response:
            user = _user(request)
            helper = move(helper_profile_of(user), user)
            return Response(ApplicationSerializer(_application(helper)).data)

    ApplicantActionApi.post.__doc__ = summary
    ApplicantActionApi.__name__ = ApplicantActionApi.__qualname__ = (
        "".join(part.title() for part in operation_id.split("_")) + "Api"
    )
    return ApplicantActionApi


ApplicationSubmitApi = _applicant_action(
    "helper_application_submit",
    "Helper: hand in the uploaded documents for the manager's check (again, after the manager "
    "asked for more).",
    lambda helper, user: application_submit_documents(helper=helper, actor=user),  # type: ignore[arg-type]
    ["illegal_transition", "documents_missing"],
)
ApplicationWithdrawApi = _applicant_action(
    "helper_application_withdraw",
    "Helper: withdraw my application (its documents are deleted as announced).",
    lambda helper, user: application_withdraw(helper=helper, actor=user),  # type: ignore[arg-type]
    ["illegal_transition"],
)


# --- The manager ---------------------------------------------------------------------------------


class QueuedApplicationSerializer(serializers.Serializer):
    helper_id = serializers.UUIDField(source="helper.public_id")
    display_name = serializers.CharField(source="helper.user.display_name")
    email = serializers.EmailField(source="helper.user.email")
    home_postal_code = serializers.CharField(source="helper.user.home_postal_code")
    home_locality = serializers.CharField(source="helper.user.home_locality")
    approval_status = serializers.CharField(source="helper.approval_status")
    note = serializers.CharField(source="helper.approval_note")
    waiting_since = serializers.DateTimeField()
    waited_hours = serializers.SerializerMethodField()
    target_hours = serializers.SerializerMethodField()
    overdue = serializers.BooleanField()

    def get_waited_hours(self, row: QueuedApplication) -> int:
        return int(row.waited.total_seconds() // 3600)

    def get_target_hours(self, row: QueuedApplication) -> int:
        return int(row.target.total_seconds() // 3600)


class VettingQueueApi(APIView):
    @extend_schema(
        operation_id="manager_applications_list",
        parameters=[
            OpenApiParameter(
                "step", str, many=True, enum=[str(s) for s in VETTING_STATUSES], required=False
            ),
            OpenApiParameter(
                "postal_code", str, required=False, description="Postcode prefix: 8 is Zürich's"
            ),
        ],
        responses={
            200: QueuedApplicationSerializer(many=True),
            **errors(s400=["invalid_choice", "invalid_postal_code"], s404=["not_found"]),
        },
    )
    def get(self, request: Request) -> Response:
        """Manager: the open applications, longest waiting first, each with how long it has
        waited at its step against the target (QUARTIER_VETTING_TARGET_DAYS)."""
        user = _user(request)
        if not user.is_staff:
            raise NotFound("Not found.")
        steps = request.query_params.getlist("step")
        unknown = sorted(set(steps) - {str(s) for s in VETTING_STATUSES})
        if unknown:
            raise ValidationFailed.for_field(
                "step",
                f"Not a step of an open application: {', '.join(unknown)}.",
                code="invalid_choice",
            )
        postal_code = request.query_params.get("postal_code", "")
        if postal_code and not (postal_code.isdigit() and len(postal_code) <= 4):
            raise ValidationFailed.for_field(
                "postal_code",
                "Give up to 4 digits of a Swiss postcode.",
                code="invalid_postal_code",
            )
        rows = vetting_queue(user, steps=steps, postal_code_prefix=postal_code)
        return Response(QueuedApplicationSerializer(rows, many=True).data)


class DocumentAccessSerializer(serializers.ModelSerializer):
    manager = serializers.CharField(source="manager.email")

    class Meta:
        model = DocumentAccess
        fields = ("manager", "accessed_at", "ip_address")


class ManagerDocumentSerializer(DocumentSerializer):
    sha256 = serializers.CharField()
    accesses = DocumentAccessSerializer(many=True)

    class Meta(DocumentSerializer.Meta):
        fields = (*DocumentSerializer.Meta.fields, "sha256", "accesses")


def _helper(request: Request, helper_id: UUID) -> HelperProfile:
    try:
        return helpers_for_manager(_user(request)).get(public_id=helper_id)
    except HelperProfile.DoesNotExist as exc:
        raise NotFound("No such helper.") from exc


class ManagerApplicationApi(APIView):
    class ApplicationDetail(serializers.Serializer):
        helper_id = serializers.UUIDField(source="helper.public_id")
        display_name = serializers.CharField(source="helper.user.display_name")
        email = serializers.EmailField(source="helper.user.email")
        home_postal_code = serializers.CharField(source="helper.user.home_postal_code")
        home_locality = serializers.CharField(source="helper.user.home_locality")
        approval_status = serializers.CharField(source="helper.approval_status")
        documents = ManagerDocumentSerializer(many=True)
        history = ApplicationStepSerializer(many=True)

    @extend_schema(
        operation_id="manager_application_retrieve",
        responses={200: ApplicationDetail, **errors(s404=["not_found"])},
    )
    def get(self, request: Request, helper_id: UUID) -> Response:
        """Manager: an application beside its documents (every upload, deleted ones as records)
        and who opened each document when."""
        helper = _helper(request, helper_id)
        documents = documents_for_manager(_user(request)).filter(helper=helper)
        return Response(
            self.ApplicationDetail(
                {"helper": helper, "documents": documents, "history": application_history(helper)}
            ).data
        )


class ManagerDocumentFileApi(APIView):
    @extend_schema(
        operation_id="manager_document_file",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The document as uploaded (PDF or image)."
            ),
            **errors(s404=["not_found"], s410=["document_deleted"]),
        },
    )
    def get(self, request: Request, document_id: UUID) -> HttpResponse:
        """Manager: the document itself. Every access is logged (who, when, from where)."""
        user = _user(request)
        try:
            document = documents_for_manager(user).get(public_id=document_id)
        except HelperDocument.DoesNotExist as exc:
            raise NotFound("Not found.") from exc
        content = document_open(document=document, manager=user, ip_address=client_ip(request))
        response = HttpResponse(content, content_type=document.content_type)
        response["Content-Disposition"] = f'inline; filename="{document.kind}"'
        response["Cache-Control"] = "no-store, private"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class DecisionNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


def _manager_action(
    operation_id: str,
    summary: str,
    move: Callable[..., HelperProfile],
    codes: list[str],
) -> type[APIView]:
    class ManagerActionApi(APIView):
        @extend_schema(
            operation_id=operation_id,
            request=DecisionNoteSerializer,
            responses={
                200: ApplicationSerializer,
                **errors(
                    s400=["max_length", *codes, *TEXT_CODES],
                    s404=["not_found"],
                    s409=["illegal_transition", "documents_missing", "interview_required"],
                ),
            },
        )
        def post(self, request: Request, helper_id: UUID) -> Response:
            helper = _helper(request, helper_id)
            data = DecisionNoteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            helper = move(helper=helper, actor=_user(request), note=data.validated_data["note"])
            return Response(ApplicationSerializer(_application(helper)).data)

    ManagerActionApi.post.__doc__ = summary
    ManagerActionApi.__name__ = ManagerActionApi.__qualname__ = (
        "".join(part.title() for part in operation_id.split("_")) + "Api"
    )
    return ManagerActionApi


CheckDocumentsApi = _manager_action(
    "manager_application_check_documents",
    "Manager: the identity document and criminal record extract are in order.",
    application_check_documents,
    [],
)
RecordConductTestApi = _manager_action(
    "manager_application_record_conduct_test",
    "Manager: the applicant passed the code-of-conduct test in person.",
    application_record_conduct_test,
    [],
)
InviteToInterviewApi = _manager_action(
    "manager_application_invite_to_interview",
    "Manager: invite the applicant to an interview before deciding.",
    application_invite_to_interview,
    [],
)
RequestInformationApi = _manager_action(
    "manager_application_request_information",
    "Manager: ask the applicant for more (the note, required, says what).",
    application_request_information,
    ["reason_required"],
)
RejectApi = _manager_action(
    "manager_application_reject",
    "Manager: turn the application down (the note, required, says why).",
    application_reject,
    ["reason_required"],
)
OffboardApi = _manager_action(
    "manager_helper_offboard",
    "Manager: the helper leaves Quartier for good (the note, required, says why).",
    helper_offboard,
    ["reason_required"],
)


class FunnelStepSerializer(serializers.Serializer):
    step = serializers.CharField()
    reached = serializers.IntegerField()
    waiting_now = serializers.IntegerField()
    median_days = serializers.FloatField(allow_null=True)


class VettingFunnelApi(APIView):
    class Period(serializers.Serializer):
        since = serializers.DateField()
        until = serializers.DateField()

        def validate(self, attrs: dict[str, date]) -> dict[str, date]:
            if attrs["until"] <= attrs["since"]:
                raise serializers.ValidationError({"until": "After `since`."})
            return attrs

    @extend_schema(
        operation_id="manager_vetting_funnel",
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE, required=True),
            OpenApiParameter("until", OpenApiTypes.DATE, required=True, description="Exclusive"),
        ],
        responses={
            200: FunnelStepSerializer(many=True),
            **errors(s400=["validation_required", "validation_invalid"], s404=["not_found"]),
        },
    )
    def get(self, request: Request) -> Response:
        """Manager: applicants per step over a period (Swiss dates, `until` exclusive), how
        many wait at each now, and the median days spent at each."""
        user = _user(request)
        if not user.is_staff:
            raise NotFound("Not found.")
        period = self.Period(data=request.query_params)
        period.is_valid(raise_exception=True)
        zone = timezone.get_default_timezone()
        since = datetime.combine(period.validated_data["since"], time(0), tzinfo=zone)
        until = datetime.combine(period.validated_data["until"], time(0), tzinfo=zone)
        rows = vetting_funnel(user, since=since, until=until)
        return Response(FunnelStepSerializer(rows, many=True).data)
