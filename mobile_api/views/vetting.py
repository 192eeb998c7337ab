"""Vetting over the API: the applicant's documents and application, and the community
manager's queue, document viewer and decisions. Every rule is in `helpers.services`; every
read is scoped in `helpers.selectors`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from uuid import UUID

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.client_address import client_ip
from backend.digits import is_digits
from backend.exceptions import (
    CoreError,
    ErrorCode,
    NotFound,
    ValidationFailed,
    codes_raised_by,
    raises,
)
from backend.texts import visible_text
from helpers.document_services import document_open, document_upload
from helpers.documents import check_upload_size
from helpers.errors import HelperError
from helpers.models import VETTING_STATUSES, HelperDocument, HelperProfile
from helpers.selectors import (
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
    helper_offboard,
)
from mobile_api.errors import ApiError
from mobile_api.idempotency import ApiView
from mobile_api.pagination import PAGE_PARAMETERS, PaginatedListView, page_of, paginated
from mobile_api.parsers import MultiPartParser
from mobile_api.permissions import IsManager, request_user
from mobile_api.serializers.vetting import (
    ApplicationDetailSerializer,
    ApplicationSerializer,
    DecisionNoteSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    FunnelPeriodSerializer,
    FunnelStepSerializer,
    QueuedApplicationSerializer,
)

# What a move of the application answers over the API. Every move declares what any move can
# meet (helper_approval_move); over the API the applicant moves only their own application
# (`helper_profile_of`) and writes no note, only managers reach the manager's moves
# (`IsManager`), each move is made by a role its transitions allow, and of the guards only
# those of the move's own transitions are met.
GUARD_CODES = frozenset(
    {CoreError.REASON_REQUIRED, HelperError.DOCUMENTS_MISSING, HelperError.INTERVIEW_REQUIRED}
)
APPLICANT_UNREACHABLE = codes_raised_by(visible_text) | {
    HelperError.NOT_YOUR_APPLICATION,
    HelperError.MANAGER_ONLY,
}
MANAGER_UNREACHABLE = frozenset({HelperError.MANAGER_ONLY, HelperError.NOT_YOUR_APPLICATION})


def move_codes(
    service: Callable[..., HelperProfile], unreachable: frozenset[ErrorCode], *guards: ErrorCode
) -> frozenset[ErrorCode]:
    """The codes a move of the application answers over the API, its transitions' `guards`."""
    codes = codes_raised_by(service) - unreachable - GUARD_CODES - {CoreError.NOT_ALLOWED_FOR_ROLE}
    return codes | frozenset(guards)


def _application(helper: HelperProfile) -> dict[str, object]:
    return {
        "helper": helper,
        "documents": documents_of(helper).filter(deleted_at__isnull=True),
        "history": application_history(helper),
    }


class ApplicationApi(ApiView):
    @extend_schema(
        operation_id="helper_application_retrieve", responses={200: ApplicationSerializer}
    )
    @raises(helper_profile_of)
    def get(self, request: Request) -> Response:
        """Helper: where my application stands, the documents in force, and its history."""
        helper = helper_profile_of(request_user(request))
        return Response(ApplicationSerializer(_application(helper)).data)


class DocumentUploadApi(ApiView):
    parser_classes = (MultiPartParser,)

    @extend_schema(
        operation_id="helper_application_documents_create",
        request=DocumentUploadSerializer,
        responses={201: DocumentSerializer},
    )
    @raises(
        helper_profile_of, codes_raised_by(document_upload) - {HelperError.NOT_YOUR_APPLICATION}
    )
    def post(self, request: Request) -> Response:
        """Helper: upload the identity document or the criminal record extract (issued at most
        3 months ago; `issued_on` required for it). Photos (JPEG, PNG, WebP) or PDF, checked by
        content; a newer upload replaces the earlier one of its kind. An applicant uploads at
        most QUARTIER_DOCUMENT_UPLOADS_PER_DAY times within 24 hours (`429 too_many_uploads`),
        and their documents in force hold at most QUARTIER_DOCUMENT_BYTES_PER_APPLICANT bytes
        together (`400 documents_too_large_in_total`), both on `file`."""
        user = request_user(request)
        helper = helper_profile_of(user)
        data = DocumentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        check_upload_size(upload.size)
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
    codes: frozenset[ErrorCode],
) -> type[ApiView]:
    class ApplicantActionApi(ApiView):
        @extend_schema(
            operation_id=operation_id, request=None, responses={200: ApplicationSerializer}
        )
        @raises(helper_profile_of, codes)
        def post(self, request: Request) -> Response:
            user = request_user(request)
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
    move_codes(application_submit_documents, APPLICANT_UNREACHABLE, HelperError.DOCUMENTS_MISSING),
)
ApplicationWithdrawApi = _applicant_action(
    "helper_application_withdraw",
    "Helper: withdraw my application (its documents are deleted as announced).",
    lambda helper, user: application_withdraw(helper=helper, actor=user),  # type: ignore[arg-type]
    move_codes(application_withdraw, APPLICANT_UNREACHABLE),
)


# --- The manager ---------------------------------------------------------------------------------


class VettingQueueApi(PaginatedListView, ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_applications_list",
        parameters=[
            *PAGE_PARAMETERS,
            OpenApiParameter(
                "step", str, many=True, enum=[str(s) for s in VETTING_STATUSES], required=False
            ),
            OpenApiParameter(
                "postal_code", str, required=False, description="Postcode prefix: 8 is Zürich's"
            ),
        ],
        responses={200: page_of(QueuedApplicationSerializer)},
    )
    @raises(CoreError.INVALID_CHOICE, CoreError.INVALID_POSTAL_CODE)
    def get(self, request: Request) -> Response:
        """Manager: the open applications, longest waiting first, each with how long it has
        waited at its step against the target (QUARTIER_VETTING_TARGET_DAYS)."""
        user = request_user(request)
        steps = request.query_params.getlist("step")
        unknown = sorted(set(steps) - {str(s) for s in VETTING_STATUSES})
        if unknown:
            raise ValidationFailed.for_field(
                "step",
                _("Not a step of an open application: %(steps)s.") % {"steps": ", ".join(unknown)},
                code=CoreError.INVALID_CHOICE,
            )
        postal_code = request.query_params.get("postal_code", "")
        if postal_code and not (is_digits(postal_code) and len(postal_code) <= 4):
            raise ValidationFailed.for_field(
                "postal_code",
                _("Give up to 4 digits of a Swiss postcode."),
                code=CoreError.INVALID_POSTAL_CODE,
            )
        rows = vetting_queue(user, steps=steps, postal_code_prefix=postal_code)
        return paginated(request, self, list(rows), QueuedApplicationSerializer)


@raises(CoreError.NOT_FOUND)
def _helper(request: Request, helper_id: UUID) -> HelperProfile:
    try:
        return helpers_for_manager(request_user(request)).get(public_id=helper_id)
    except HelperProfile.DoesNotExist as exc:
        raise NotFound(_("No such helper.")) from exc


class ManagerApplicationApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_application_retrieve",
        responses={200: ApplicationDetailSerializer},
    )
    @raises(_helper)
    def get(self, request: Request, helper_id: UUID) -> Response:
        """Manager: an application beside its documents (every upload, deleted ones as records)
        and who opened each document when."""
        helper = _helper(request, helper_id)
        documents = documents_for_manager(request_user(request)).filter(helper=helper)
        return Response(
            ApplicationDetailSerializer(
                {"helper": helper, "documents": documents, "history": application_history(helper)}
            ).data
        )


class ManagerDocumentFileApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_document_file",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The document as uploaded (PDF or image)."
            ),
        },
    )
    @raises(CoreError.NOT_FOUND, codes_raised_by(document_open) - {HelperError.MANAGER_ONLY})
    def get(self, request: Request, document_id: UUID) -> HttpResponse:
        """Manager: the document itself. Every access is logged (who, when, from where)."""
        user = request_user(request)
        try:
            document = documents_for_manager(user).get(public_id=document_id)
        except HelperDocument.DoesNotExist as exc:
            raise NotFound(_("Not found.")) from exc
        content = document_open(document=document, manager=user, ip_address=client_ip(request))
        response = HttpResponse(content, content_type=document.content_type)
        response["Content-Disposition"] = f'inline; filename="{document.kind}"'
        response["Cache-Control"] = "no-store, private"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


def _manager_action(
    operation_id: str,
    summary: str,
    move: Callable[..., HelperProfile],
    *guards: ErrorCode,
) -> type[ApiView]:
    class ManagerActionApi(ApiView):
        permission_classes = (IsManager,)

        @extend_schema(
            operation_id=operation_id,
            request=DecisionNoteSerializer,
            responses={200: ApplicationSerializer},
        )
        @raises(_helper, move_codes(move, MANAGER_UNREACHABLE, *guards))
        def post(self, request: Request, helper_id: UUID) -> Response:
            helper = _helper(request, helper_id)
            data = DecisionNoteSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            helper = move(
                helper=helper, actor=request_user(request), note=data.validated_data["note"]
            )
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
    HelperError.DOCUMENTS_MISSING,
)
RecordConductTestApi = _manager_action(
    "manager_application_record_conduct_test",
    "Manager: the applicant passed the code-of-conduct test in person.",
    application_record_conduct_test,
)
InviteToInterviewApi = _manager_action(
    "manager_application_invite_to_interview",
    "Manager: invite the applicant to an interview before deciding.",
    application_invite_to_interview,
)
RequestInformationApi = _manager_action(
    "manager_application_request_information",
    "Manager: ask the applicant for more (the note, required, says what).",
    application_request_information,
    CoreError.REASON_REQUIRED,
)
RejectApi = _manager_action(
    "manager_application_reject",
    "Manager: turn the application down (the note, required, says why).",
    application_reject,
    CoreError.REASON_REQUIRED,
)
OffboardApi = _manager_action(
    "manager_helper_offboard",
    "Manager: the helper leaves Quartier for good (the note, required, says why).",
    helper_offboard,
    CoreError.REASON_REQUIRED,
)


class VettingFunnelApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_vetting_funnel",
        parameters=[
            OpenApiParameter("since", OpenApiTypes.DATE, required=True),
            OpenApiParameter("until", OpenApiTypes.DATE, required=True, description="Exclusive"),
        ],
        responses={200: FunnelStepSerializer(many=True)},
    )
    @raises(ApiError.VALIDATION_REQUIRED, ApiError.VALIDATION_INVALID)
    def get(self, request: Request) -> Response:
        """Manager: applicants per step over a period (Swiss dates, `until` exclusive), how
        many wait at each now, and the median days spent at each."""
        user = request_user(request)
        period = FunnelPeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        zone = timezone.get_default_timezone()
        since = datetime.combine(period.validated_data["since"], time(0), tzinfo=zone)
        until = datetime.combine(period.validated_data["until"], time(0), tzinfo=zone)
        rows = vetting_funnel(user, since=since, until=until)
        return Response(FunnelStepSerializer(rows, many=True).data)
