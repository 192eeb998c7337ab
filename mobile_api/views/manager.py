"""The community manager's API: vetting helpers, and how a request was matched. (The back
office proper is the admin.)"""

from __future__ import annotations

from uuid import UUID

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from backend.exceptions import CoreError, NotFound, raises
from bookings.models import (
    MatchingRun,
    Offer,
)
from bookings.selectors import (
    help_request_for,
    helpers_considered_in,
    matching_runs_for_manager,
    offers_of_request,
)
from helpers.errors import HelperError
from helpers.models import ApprovalStatus, HelperProfile
from helpers.selectors import helpers_for_manager
from helpers.services import helper_approve, helper_suspend
from mobile_api.idempotency import ApiView
from mobile_api.permissions import IsManager, request_user
from mobile_api.serializers.fields import AwareDateTimeField
from mobile_api.serializers.helpers import HelperProfileSerializer
from mobile_api.serializers.matching import MatchingRunSerializer
from mobile_api.serializers.offers import ManagerOfferSerializer
from mobile_api.views.vetting import MANAGER_UNREACHABLE, move_codes

# IsManager answers anyone else first (404), so the services' own manager check never shows.
# Only managers reach these, and they move no application of their own.


class HelperFilter(django_filters.FilterSet):
    approval_status = django_filters.MultipleChoiceFilter(choices=ApprovalStatus.choices)
    skill = django_filters.CharFilter(field_name="skills__slug")

    class Meta:
        model = HelperProfile
        fields = ("approval_status", "skill")


class ManagerHelperListApi(generics.ListAPIView):
    """All helpers, for vetting: filter `?approval_status=applied` for the queue."""

    serializer_class = HelperProfileSerializer
    permission_classes = (IsManager,)
    filterset_class = HelperFilter
    queryset = HelperProfile.objects.none()

    def get_queryset(self) -> QuerySet[HelperProfile]:
        return helpers_for_manager(request_user(self.request)).distinct()

    @extend_schema(
        operation_id="manager_helpers_list",
        responses={200: HelperProfileSerializer(many=True)},
    )
    @raises()
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Manager: all helpers, e.g. ?approval_status=applied for the vetting queue."""
        return super().get(request, *args, **kwargs)


@raises(CoreError.NOT_FOUND)
def _helper(request: Request, helper_id: UUID) -> HelperProfile:
    try:
        return helpers_for_manager(request_user(request)).get(public_id=helper_id)
    except HelperProfile.DoesNotExist as exc:
        raise NotFound(_("No such helper.")) from exc


class ManagerHelperDetailApi(ApiView):
    permission_classes = (IsManager,)
    not_found_message = gettext_lazy("No such helper.")

    @extend_schema(
        operation_id="manager_helpers_retrieve",
        responses={200: HelperProfileSerializer},
    )
    @raises(_helper)
    def get(self, request: Request, helper_id: UUID) -> Response:
        """Manager: one helper's profile, approval and reliability figures."""
        return Response(HelperProfileSerializer(_helper(request, helper_id)).data)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class SuspendSerializer(NoteSerializer):
    until = AwareDateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the suspension ends by itself (absent or null: until lifted).",
    )


class ManagerHelperApproveApi(ApiView):
    permission_classes = (IsManager,)
    not_found_message = gettext_lazy("No such helper.")

    @extend_schema(
        operation_id="manager_helpers_approve",
        request=NoteSerializer,
        responses={200: HelperProfileSerializer},
    )
    @raises(
        _helper,
        move_codes(
            helper_approve,
            MANAGER_UNREACHABLE,
            HelperError.INTERVIEW_REQUIRED,
            CoreError.REASON_REQUIRED,
        ),
    )
    def post(self, request: Request, helper_id: UUID) -> Response:
        """Manager: approve a helper; they start receiving offers. For a suspended helper this
        lifts the suspension, and a note saying why is required (the helper reads it)."""
        helper = _helper(request, helper_id)
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        helper = helper_approve(
            helper=helper, actor=request_user(request), note=data.validated_data["note"]
        )
        return Response(HelperProfileSerializer(_helper(request, helper.public_id)).data)


class ManagerHelperSuspendApi(ApiView):
    """Suspend a helper: no more offers, pending offers withdrawn. A note is required."""

    permission_classes = (IsManager,)
    not_found_message = gettext_lazy("No such helper.")

    @extend_schema(
        operation_id="manager_helpers_suspend",
        request=SuspendSerializer,
        responses={200: HelperProfileSerializer},
    )
    @raises(
        _helper,
        move_codes(
            helper_suspend, MANAGER_UNREACHABLE, CoreError.REASON_REQUIRED, HelperError.IN_THE_PAST
        ),
    )
    def post(self, request: Request, helper_id: UUID) -> Response:
        """Manager: suspend a helper (a note is required) until `until` (then Quartier
        reinstates them) or until lifted; pending offers are withdrawn."""
        helper = _helper(request, helper_id)
        data = SuspendSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        helper = helper_suspend(
            helper=helper,
            actor=request_user(request),
            note=data.validated_data["note"],
            until=data.validated_data["until"],
        )
        return Response(HelperProfileSerializer(_helper(request, helper.public_id)).data)


class ManagerRequestMatchingApi(generics.ListAPIView):
    """For the community manager: each matching pass of a request, whom it considered and why
    each helper was or was not offered."""

    serializer_class = MatchingRunSerializer
    permission_classes = (IsManager,)
    not_found_message = gettext_lazy("No such help request.")
    queryset = MatchingRun.objects.none()

    def get_queryset(self) -> QuerySet[MatchingRun]:
        return matching_runs_for_manager(request_user(self.request), self.kwargs["request_id"])

    @extend_schema(
        operation_id="manager_request_matching_list",
        responses={200: MatchingRunSerializer(many=True)},
    )
    @raises(matching_runs_for_manager)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Manager: the matching passes of a help request, newest first.

        Each pass says how far it searched, how many offers it was to make and made, how many
        helpers it examined, and lists the helpers it considered: distance, score, whether
        offered, and why or why not (e.g. no shared language, their service radius does not
        reach, not free in the requested windows, ranked below the helpers offered). A helper
        deleted since is listed with a null `helper`.
        """
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        runs = list(queryset) if page is None else page
        context = {**self.get_serializer_context(), "helpers": helpers_considered_in(runs)}
        data = MatchingRunSerializer(runs, many=True, context=context).data
        if page is None:
            return Response(data)
        return self.get_paginated_response(data)


class ManagerRequestOffersApi(generics.ListAPIView):
    """For the community manager: who was offered this request, in which order, and why."""

    serializer_class = ManagerOfferSerializer
    permission_classes = (IsManager,)
    not_found_message = gettext_lazy("No such help request.")
    queryset = Offer.objects.none()

    def get_queryset(self) -> QuerySet[Offer]:
        user = request_user(self.request)
        return offers_of_request(help_request_for(user, self.kwargs["request_id"])).order_by("rank")

    @extend_schema(
        operation_id="manager_request_offers_list",
        responses={200: ManagerOfferSerializer(many=True)},
    )
    @raises(help_request_for)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Manager: who was offered this request, in which order, and why."""
        return super().get(request, *args, **kwargs)
