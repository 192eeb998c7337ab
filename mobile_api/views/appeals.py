"""Appeals against a suspension over the API: the suspended helper files one and follows it;
the community manager lists and decides them. The rules are in `helpers.appeal_services`."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.exceptions import CoreError, NotFound, ValidationFailed, codes_raised_by, raises
from helpers.appeal_services import appeal_decide, appeal_file
from helpers.errors import HelperError
from helpers.models import AppealStatus, HelperAppeal
from helpers.selectors import appeals_for_manager, appeals_of, helper_profile_of
from mobile_api.idempotency import ApiView
from mobile_api.permissions import IsManager, request_user
from mobile_api.serializers.appeals import (
    AppealDecisionSerializer,
    AppealInputSerializer,
    AppealSerializer,
    ManagerAppealSerializer,
)

# Over the API the helper files only their own appeal (`helper_profile_of`), and only managers
# reach the decision (`IsManager`). Lifting moves a helper whose appeal is open, so suspended
# (an appeal is closed as soon as its suspension ends otherwise), back to approved: a move the
# manager may always make, with no guard, so none of the move's own codes can come back.
FILE_UNREACHABLE = frozenset({HelperError.NOT_YOUR_APPLICATION})
DECIDE_UNREACHABLE = frozenset(
    {
        HelperError.MANAGER_ONLY,
        HelperError.NOT_YOUR_APPLICATION,
        HelperError.DOCUMENTS_MISSING,
        HelperError.INTERVIEW_REQUIRED,
        CoreError.ILLEGAL_TRANSITION,
        CoreError.NOT_ALLOWED_FOR_ROLE,
    }
)


class HelperAppealsApi(ApiView):
    @extend_schema(operation_id="helper_appeals_list", responses={200: AppealSerializer(many=True)})
    @raises(helper_profile_of)
    def get(self, request: Request) -> Response:
        """Helper: my appeals against a suspension, newest first."""
        helper = helper_profile_of(request_user(request))
        return Response(AppealSerializer(appeals_of(helper), many=True).data)

    @extend_schema(
        operation_id="helper_appeals_create",
        request=AppealInputSerializer,
        responses={201: AppealSerializer},
    )
    @raises(helper_profile_of, codes_raised_by(appeal_file) - FILE_UNREACHABLE)
    def post(self, request: Request) -> Response:
        """Helper: appeal against my suspension with a text (one open appeal at a time)."""
        user = request_user(request)
        helper = helper_profile_of(user)
        data = AppealInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal = appeal_file(helper=helper, actor=user, text=data.validated_data["text"])
        return Response(AppealSerializer(appeal).data, status=status.HTTP_201_CREATED)


class ManagerAppealListApi(generics.ListAPIView):
    """The appeals to decide: filter `?status=open`."""

    serializer_class = ManagerAppealSerializer
    permission_classes = (IsManager,)
    queryset = HelperAppeal.objects.none()

    def get_queryset(self) -> QuerySet[HelperAppeal]:
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in AppealStatus.values:
            raise ValidationFailed.for_field(
                "status", _("Not an appeal's status."), code=CoreError.INVALID_CHOICE
            )
        return appeals_for_manager(request_user(self.request), status=wanted)

    @extend_schema(
        operation_id="manager_appeals_list",
        parameters=[
            OpenApiParameter("status", str, enum=list(AppealStatus.values), required=False)
        ],
        responses={200: ManagerAppealSerializer(many=True)},
    )
    @raises(CoreError.INVALID_CHOICE)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """Manager: the helpers' appeals, oldest first; `?status=open` for those to decide."""
        return super().get(request, *args, **kwargs)


@raises(CoreError.NOT_FOUND)
def _appeal(request: Request, appeal_id: UUID) -> HelperAppeal:
    try:
        return appeals_for_manager(request_user(request)).get(public_id=appeal_id)
    except HelperAppeal.DoesNotExist as exc:
        raise NotFound(_("No such appeal.")) from exc


class ManagerAppealDecideApi(ApiView):
    permission_classes = (IsManager,)
    not_found_message = gettext_lazy("No such appeal.")

    @extend_schema(
        operation_id="manager_appeals_decide",
        request=AppealDecisionSerializer,
        responses={200: ManagerAppealSerializer},
    )
    @raises(_appeal, codes_raised_by(appeal_decide) - DECIDE_UNREACHABLE)
    def post(self, request: Request, appeal_id: UUID) -> Response:
        """Manager: decide an open appeal, giving the reason: `uphold` keeps the suspension,
        `lift` reinstates the helper."""
        appeal = _appeal(request, appeal_id)
        data = AppealDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appeal_decide(
            appeal=appeal,
            actor=request_user(request),
            outcome=data.validated_data["outcome"],
            note=data.validated_data["note"],
        )
        return Response(ManagerAppealSerializer(_appeal(request, appeal.public_id)).data)
