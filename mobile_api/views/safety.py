"""Safety reports (either side of a visit reports the other; the community manager triages)
and the customer's block of a helper."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.exceptions import CoreError, codes_raised_by, raises
from backend.roles import ActorRole
from bookings.models import SafetyReport
from bookings.selectors import (
    booking_for,
    helper_is_blocked,
    safety_report_for_manager,
    safety_reports_for_manager,
)
from bookings.services import (
    helper_block,
    helper_unblock,
    require_role,
    safety_report_file,
    safety_report_triage,
)
from helpers.errors import HelperError
from mobile_api.idempotency import ApiView
from mobile_api.permissions import IsManager, request_user
from mobile_api.serializers.safety import (
    HelperBlockSerializer,
    SafetyReportInputSerializer,
    SafetyReportReceiptSerializer,
    SafetyReportSerializer,
    SafetyTriageInputSerializer,
)

# The suspension's refusals that cannot come back here: IsManager lets only managers through,
# and the suspension's guards are those of an approval.
TRIAGE_UNREACHABLE = frozenset(
    {
        HelperError.MANAGER_ONLY,
        HelperError.NOT_YOUR_APPLICATION,
        HelperError.DOCUMENTS_MISSING,
        HelperError.INTERVIEW_REQUIRED,
        # A report's suspension has no end date.
        HelperError.IN_THE_PAST,
        CoreError.NOT_ALLOWED_FOR_ROLE,
    }
)


class BookingReportApi(ApiView):
    @extend_schema(
        operation_id="bookings_reports_create",
        request=SafetyReportInputSerializer,
        responses={201: SafetyReportReceiptSerializer},
    )
    @raises(booking_for, safety_report_file)
    def post(self, request: Request, booking_id: UUID) -> Response:
        """Report the other side of a visit to the community manager, once it has started.
        Only the community manager reads it; the reported person never does."""
        user = request_user(request)
        booking = booking_for(user, booking_id)
        require_role(booking, user, ActorRole.CUSTOMER, ActorRole.HELPER)
        data = SafetyReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = safety_report_file(booking=booking, actor=user, **data.validated_data)
        return Response(SafetyReportReceiptSerializer(report).data, status=status.HTTP_201_CREATED)


class BookingHelperBlockApi(ApiView):
    @extend_schema(
        operation_id="bookings_helper_block_create",
        request=None,
        responses={200: HelperBlockSerializer},
    )
    @raises(booking_for, helper_block)
    def post(self, request: Request, booking_id: UUID) -> Response:
        """The customer: never offer my requests to this booking's helper again."""
        user = request_user(request)
        booking = booking_for(user, booking_id)
        helper_block(booking=booking, actor=user)
        return Response({"blocked": helper_is_blocked(user, booking.helper_id)})

    @extend_schema(
        operation_id="bookings_helper_block_destroy",
        responses={200: HelperBlockSerializer},
    )
    @raises(booking_for, helper_unblock)
    def delete(self, request: Request, booking_id: UUID) -> Response:
        """The customer lifts the block: the helper may be offered my requests again."""
        user = request_user(request)
        booking = booking_for(user, booking_id)
        helper_unblock(booking=booking, actor=user)
        return Response({"blocked": helper_is_blocked(user, booking.helper_id)})


class ManagerReportListApi(generics.ListAPIView):
    """The triage queue: open reports first, newest first."""

    serializer_class = SafetyReportSerializer
    permission_classes = (IsManager,)
    queryset = SafetyReport.objects.none()

    def get_queryset(self) -> QuerySet[SafetyReport]:
        return safety_reports_for_manager(request_user(self.request))

    @extend_schema(
        operation_id="manager_reports_list",
        responses={200: SafetyReportSerializer(many=True)},
    )
    @raises()
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Manager: the safety reports, open ones first, newest first."""
        return super().get(request, *args, **kwargs)


class ManagerReportDetailApi(ApiView):
    permission_classes = (IsManager,)
    not_found_message = gettext_lazy("No such report.")

    @extend_schema(operation_id="manager_reports_retrieve", responses={200: SafetyReportSerializer})
    @raises(safety_report_for_manager)
    def get(self, request: Request, report_id: UUID) -> Response:
        """Manager: one safety report."""
        report = safety_report_for_manager(request_user(request), report_id)
        return Response(SafetyReportSerializer(report).data)


class ManagerReportDecideApi(ApiView):
    permission_classes = (IsManager,)
    not_found_message = gettext_lazy("No such report.")

    @extend_schema(
        operation_id="manager_reports_decide",
        request=SafetyTriageInputSerializer,
        responses={200: SafetyReportSerializer},
    )
    @raises(safety_report_for_manager, codes_raised_by(safety_report_triage) - TRIAGE_UNREACHABLE)
    def post(self, request: Request, report_id: UUID) -> Response:
        """Manager: decide a report (warning, suspension of the helper, or no action), saying why."""
        user = request_user(request)
        report = safety_report_for_manager(user, report_id)
        data = SafetyTriageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = safety_report_triage(report=report, actor=user, **data.validated_data)
        return Response(
            SafetyReportSerializer(safety_report_for_manager(user, report.public_id)).data
        )
