"""The catalogue, and a helper's own profile and availability."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from backend.exceptions import CoreError, raises
from catalogue.models import ServiceCategory
from helpers.models import AvailabilityException, ExceptionKind, Weekday
from helpers.selectors import availability_exceptions_of, helper_profile_of
from helpers.services import (
    WeeklyInterval,
    availability_exception_add,
    availability_exception_remove,
    helper_apply,
    helper_profile_update,
    helper_set_weekly_availability,
)
from mobile_api.idempotency import ApiView
from mobile_api.pagination import (
    PAGE_PARAMETERS,
    PaginatedListView,
    one_page,
    page_of,
    paginated,
)
from mobile_api.permissions import request_user
from mobile_api.serializers.catalogue import CategorySerializer
from mobile_api.serializers.fields import AwareDateTimeField, CategoryField, LocalTimeField
from mobile_api.serializers.helpers import HelperProfileSerializer
from mobile_api.serializers.moments import ApiModelSerializer


class CategoryListApi(generics.ListAPIView):
    """What Quartier's helpers help with. Public: no log-in needed."""

    permission_classes = (AllowAny,)
    serializer_class = CategorySerializer

    def get_queryset(self) -> QuerySet[ServiceCategory]:
        return ServiceCategory.objects.filter(is_active=True)

    @extend_schema(
        operation_id="categories_list",
        responses={200: CategorySerializer(many=True)},
    )
    @raises()
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """What Quartier's helpers help with. Public: no log-in needed."""
        return super().get(request, *args, **kwargs)


class HelperProfileApi(ApiView):
    """Become a helper (POST), see (GET) and change (PATCH) one's own helper profile."""

    class ApplySerializer(serializers.Serializer):
        # No minimum count or bounds here: the service refuses them with its own codes
        # (`skills_required`, `invalid_radius`, `invalid_hourly_rate`), for the admin too.
        skills = serializers.ListField(child=CategoryField(), max_length=20)
        service_radius_km = serializers.IntegerField(default=10)
        hourly_rate_minor = serializers.IntegerField(default=4000)
        bio = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    class UpdateSerializer(serializers.Serializer):
        skills = serializers.ListField(child=CategoryField(), max_length=20, required=False)
        service_radius_km = serializers.IntegerField(required=False)
        hourly_rate_minor = serializers.IntegerField(required=False)
        bio = serializers.CharField(max_length=1000, required=False, allow_blank=True)
        is_accepting_jobs = serializers.BooleanField(required=False)

    @extend_schema(
        operation_id="helper_profile_retrieve",
        responses={200: HelperProfileSerializer},
    )
    @raises(helper_profile_of)
    def get(self, request: Request) -> Response:
        """My helper profile, approval and figures."""
        return Response(HelperProfileSerializer(helper_profile_of(request_user(request))).data)

    @extend_schema(
        operation_id="helper_profile_apply",
        request=ApplySerializer,
        responses={201: HelperProfileSerializer},
    )
    @raises(helper_apply)
    def post(self, request: Request) -> Response:
        """Apply as a helper: skills, radius and rate; the community manager approves."""
        data = self.ApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        helper = helper_apply(user=request_user(request), **data.validated_data)
        return Response(HelperProfileSerializer(helper).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="helper_profile_update",
        request=UpdateSerializer,
        responses={200: HelperProfileSerializer},
    )
    @raises(helper_profile_of, helper_profile_update)
    def patch(self, request: Request) -> Response:
        """Change my skills, radius, rate, bio, or pause offers (is_accepting_jobs)."""
        helper = helper_profile_of(request_user(request))
        data = self.UpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        helper = helper_profile_update(helper=helper, **data.validated_data)
        return Response(HelperProfileSerializer(helper).data)


class WeeklyIntervalSerializer(serializers.Serializer):
    weekday = serializers.ChoiceField(choices=Weekday.choices, help_text="0 = Monday … 6 = Sunday")
    start_time = LocalTimeField(help_text="Swiss local time")
    end_time = LocalTimeField(help_text="Swiss local time")


class WeeklyAvailabilityApi(PaginatedListView, ApiView):
    """The helper's recurring weekly hours (Swiss local time). PUT replaces them all."""

    class WeeklyAvailabilityInput(serializers.Serializer):
        intervals = WeeklyIntervalSerializer(many=True, max_length=28)  # type: ignore[call-arg]

    @extend_schema(
        operation_id="helper_weekly_retrieve",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(WeeklyIntervalSerializer)},
    )
    @raises(helper_profile_of)
    def get(self, request: Request) -> Response:
        """My weekly hours, Swiss local time (23:59 means until midnight)."""
        helper = helper_profile_of(request_user(request))
        rows = list(helper.weekly_availability.all())
        return paginated(request, self, rows, WeeklyIntervalSerializer)

    @extend_schema(
        operation_id="helper_weekly_replace",
        request=WeeklyAvailabilityInput,
        responses={200: page_of(WeeklyIntervalSerializer)},
    )
    @raises(helper_profile_of, helper_set_weekly_availability)
    def put(self, request: Request) -> Response:
        """Replace my weekly hours as a whole."""
        helper = helper_profile_of(request_user(request))
        data = self.WeeklyAvailabilityInput(data=request.data)
        data.is_valid(raise_exception=True)
        rows = helper_set_weekly_availability(
            helper=helper,
            intervals=[WeeklyInterval(**item) for item in data.validated_data["intervals"]],
        )
        return one_page(list(rows), WeeklyIntervalSerializer)


class ExceptionSerializer(ApiModelSerializer):
    class Meta:
        model = AvailabilityException
        fields = ("id", "kind", "starts_at", "ends_at", "note", "created_at")
        read_only_fields = ("id", "created_at")


class AvailabilityExceptionListApi(PaginatedListView, ApiView):
    """One-off changes to the weekly hours: holidays (unavailable) or extra time (available)."""

    class AvailabilityExceptionListInput(serializers.Serializer):
        kind = serializers.ChoiceField(choices=ExceptionKind.choices)
        starts_at = AwareDateTimeField()
        ends_at = AwareDateTimeField()
        note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="helper_exceptions_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(ExceptionSerializer)},
    )
    @raises(helper_profile_of)
    def get(self, request: Request) -> Response:
        """My one-off availability changes (holidays, extra time)."""
        helper = helper_profile_of(request_user(request))
        return paginated(
            request, self, list(availability_exceptions_of(helper)), ExceptionSerializer
        )

    @extend_schema(
        operation_id="helper_exceptions_create",
        request=AvailabilityExceptionListInput,
        responses={201: ExceptionSerializer},
    )
    @raises(helper_profile_of, availability_exception_add)
    def post(self, request: Request) -> Response:
        """Add a holiday (unavailable) or extra time (available)."""
        helper = helper_profile_of(request_user(request))
        data = self.AvailabilityExceptionListInput(data=request.data)
        data.is_valid(raise_exception=True)
        exception = availability_exception_add(helper=helper, **data.validated_data)
        return Response(ExceptionSerializer(exception).data, status=status.HTTP_201_CREATED)


class AvailabilityExceptionDetailApi(ApiView):
    @extend_schema(
        operation_id="helper_exceptions_delete",
        responses={204: None},
    )
    @raises(helper_profile_of, CoreError.NOT_FOUND)
    def delete(self, request: Request, exception_id: int) -> Response:
        """Remove one of my availability exceptions."""
        helper = helper_profile_of(request_user(request))
        exception = generics.get_object_or_404(availability_exceptions_of(helper), pk=exception_id)
        availability_exception_remove(exception=exception)
        return Response(status=status.HTTP_204_NO_CONTENT)
