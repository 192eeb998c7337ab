"""Bookings (visits): one endpoint per step of the visit, for the customer, helper and manager."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar
from uuid import UUID

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.exceptions import raises
from backend.roles import ActorRole
from bookings.models import Booking, BookingEvent, BookingStatus, Party
from bookings.selectors import (
    booking_events,
    booking_for,
    bookings_visible_to,
    proposal_of,
    reviews_visible_to,
)
from bookings.services import (
    DisputeOutcome,
    SlotInput,
    booking_cancel,
    booking_check_in,
    booking_check_out,
    booking_confirm,
    booking_dispute,
    booking_propose,
    booking_report_no_show,
    booking_request_new_times,
    booking_resolve_dispute,
    booking_sign_off,
    booking_start_journey,
    require_role,
    review_submit,
)
from bookings.step_words import steps_told_to
from mobile_api.filters import DateTimeFilter, UpdatedSinceFilter
from mobile_api.idempotency import ApiView
from mobile_api.pagination import PAGE_PARAMETERS, PaginatedListView, page_of, paginated
from mobile_api.permissions import request_user
from mobile_api.serializers.bookings import (
    BookingEventSerializer,
    BookingSerializer,
    ReviewSerializer,
    review_context,
)
from mobile_api.serializers.fields import WindowSerializer


class BookingFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=BookingStatus.choices)
    role = django_filters.ChoiceFilter(
        choices=[(party.value, party.label) for party in (Party.CUSTOMER, Party.HELPER)],
        method="filter_role",
        label="Only the bookings where I am the customer, or the helper.",
    )
    starts_after = DateTimeFilter(field_name="starts_at", lookup_expr="gte")
    starts_before = DateTimeFilter(field_name="starts_at", lookup_expr="lt")
    updated_since = UpdatedSinceFilter(
        fields=("updated_at",),
        label=(
            "Only the bookings that changed at or after this time (with its UTC offset). "
            "Send the largest `updated_at` seen."
        ),
    )

    class Meta:
        model = Booking
        fields = ("status", "role", "starts_after", "starts_before", "updated_since")

    def filter_role(self, queryset: QuerySet[Booking], name: str, value: str) -> QuerySet[Booking]:
        user = self.request.user if self.request is not None else None
        if value == "customer":
            return queryset.filter(help_request__customer=user)
        return queryset.filter(helper__user=user)


class BookingListApi(generics.ListAPIView):
    """The bookings where I am the customer or the helper (the manager: all);
    `?updated_since=` for what changed since the last poll."""

    serializer_class = BookingSerializer
    filterset_class = BookingFilter
    queryset = Booking.objects.none()

    def get_queryset(self) -> QuerySet[Booking]:
        return bookings_visible_to(request_user(self.request))

    @extend_schema(
        operation_id="bookings_list",
        responses={200: BookingSerializer(many=True)},
    )
    @raises()
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The bookings where I am the customer or the helper (the manager: all)."""
        return super().get(request, *args, **kwargs)


def _out(request: Request, booking: Booking, code: int = status.HTTP_200_OK) -> Response:
    fresh = booking_for(request_user(request), booking.public_id)
    return Response(BookingSerializer(fresh, context={"request": request}).data, status=code)


class BookingDetailApi(ApiView):
    @extend_schema(
        operation_id="bookings_retrieve",
        responses={200: BookingSerializer},
    )
    @raises(booking_for)
    def get(self, request: Request, booking_id: UUID) -> Response:
        """One booking, as its customer, helper or the manager sees it."""
        return _out(request, booking_for(request_user(request), booking_id))


class BookingActionApi(ApiView):
    """One booking step: who may take it, then the input, its service, the booking answered."""

    # The roles that may take the step, asked before the input is read (the service asks it
    # again under the booking's lock); empty where the service decides (cancel, no-show).
    roles: ClassVar[tuple[str, ...]] = ()
    input_serializer: ClassVar[type[serializers.Serializer] | None] = None
    service: ClassVar[Callable[..., Booking]]
    # What `perform` calls, for the codes the step documents (by default: `service`).
    calls: ClassVar[tuple[Callable[..., Any], ...]] = ()

    def post(self, request: Request, booking_id: UUID) -> Response:
        user = request_user(request)
        booking = booking_for(user, booking_id)
        if self.roles:
            require_role(booking, user, *self.roles)
        values: dict[str, Any] = {}
        if self.input_serializer is not None:
            data = self.input_serializer(data=request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
        booking = type(self).perform(booking=booking, actor=user, **values)
        return _out(request, booking)

    @classmethod
    def perform(cls, **kwargs: Any) -> Booking:
        return cls.service(**kwargs)


def booking_action_schema(name: str) -> Callable:
    """Give each booking step its own documented POST (a fresh function per view class),
    raising what `booking_for` and the step's service declare."""

    def decorate(view: type[BookingActionApi]) -> type[BookingActionApi]:
        def post(self: BookingActionApi, request: Request, booking_id: UUID) -> Response:
            return BookingActionApi.post(self, request, booking_id)

        post.__doc__ = view.__doc__
        calls = view.calls or (view.service,)
        view.post = extend_schema(  # type: ignore[method-assign]
            operation_id=f"bookings_{name}",
            request=view.input_serializer,
            responses={200: BookingSerializer},
        )(raises(booking_for, *calls)(post))
        return view

    return decorate


class SlotSerializer(WindowSerializer):
    pass


@booking_action_schema("propose")
class BookingProposeApi(BookingActionApi):
    """Helper: propose visit times inside the customer's windows (again to reschedule)."""

    roles = (ActorRole.HELPER,)

    class BookingProposeInput(serializers.Serializer):
        # How many: the service's rule (`slots_required`, `too_many_slots`).
        slots = SlotSerializer(many=True)
        reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    input_serializer = BookingProposeInput
    calls = (booking_propose,)

    @classmethod
    def perform(cls, **kwargs: Any) -> Booking:
        slots = [SlotInput(item["starts_at"], item["ends_at"]) for item in kwargs.pop("slots")]
        return booking_propose(slots=slots, **kwargs)


@booking_action_schema("confirm")
class BookingConfirmApi(BookingActionApi):
    """Customer: confirm one of the proposed times. The helper's time is then held."""

    roles = (ActorRole.CUSTOMER,)

    class BookingConfirmInput(serializers.Serializer):
        proposal = serializers.UUIDField()

    input_serializer = BookingConfirmInput
    calls = (proposal_of, booking_confirm)

    @classmethod
    def perform(cls, **kwargs: Any) -> Booking:
        booking = kwargs["booking"]
        proposal = proposal_of(booking, kwargs.pop("proposal"))
        return booking_confirm(proposal=proposal, **kwargs)


# An empty reason or note is the service's `reason_required` (the documented code), not DRF's
# generic `validation_blank`.
class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True)


@booking_action_schema("request_new_times")
class BookingRequestNewTimesApi(BookingActionApi):
    """Customer: none of the proposed times suits, or a confirmed visit must move."""

    roles = (ActorRole.CUSTOMER,)

    input_serializer = ReasonSerializer
    service = staticmethod(booking_request_new_times)


class CausedBy(serializers.ChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=Party.choices,
            required=False,
            allow_null=True,
            default=None,
            help_text="Managers only: who caused it (customer, helper or nobody).",
            **kwargs,
        )


@booking_action_schema("cancel")
class BookingCancelApi(BookingActionApi):
    """Customer, helper or manager: cancel, with the cause recorded.

    Late cancellations (less than the configured hours before the start) count only against
    the party who cancels. When the helper cancels, the request is offered to others again.
    """

    class BookingCancelInput(serializers.Serializer):
        reason = serializers.CharField(max_length=500, allow_blank=True)
        caused_by = CausedBy()

    input_serializer = BookingCancelInput
    service = staticmethod(booking_cancel)


@booking_action_schema("no_show")
class BookingNoShowApi(BookingActionApi):
    """Report that the other party did not turn up (after the start time plus a grace period)."""

    class BookingNoShowInput(serializers.Serializer):
        note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
        caused_by = CausedBy()

    input_serializer = BookingNoShowInput
    service = staticmethod(booking_report_no_show)


@booking_action_schema("on_my_way")
class BookingOnMyWayApi(BookingActionApi):
    """Helper: on the way, arriving in `eta_minutes`."""

    roles = (ActorRole.HELPER,)

    class BookingOnMyWayInput(serializers.Serializer):
        eta_minutes = serializers.IntegerField()

    input_serializer = BookingOnMyWayInput
    service = staticmethod(booking_start_journey)


@booking_action_schema("check_in")
class BookingCheckInApi(BookingActionApi):
    """Helper: arrived, the work starts."""

    roles = (ActorRole.HELPER,)

    service = staticmethod(booking_check_in)


@booking_action_schema("check_out")
class BookingCheckOutApi(BookingActionApi):
    """Helper: done. What was done, and a note on how to do it yourself next time."""

    roles = (ActorRole.HELPER,)

    class BookingCheckOutInput(serializers.Serializer):
        # Empty is the service's `summary_too_short`, not a generic blank.
        work_summary = serializers.CharField(max_length=2000, allow_blank=True)
        leave_behind_note = serializers.CharField(
            max_length=4000, required=False, allow_blank=True, default=""
        )

    input_serializer = BookingCheckOutInput
    service = staticmethod(booking_check_out)


@booking_action_schema("sign_off")
class BookingSignOffApi(BookingActionApi):
    """Customer: the visit happened as agreed."""

    roles = (ActorRole.CUSTOMER,)

    service = staticmethod(booking_sign_off)


@booking_action_schema("dispute")
class BookingDisputeApi(BookingActionApi):
    """Customer: something went wrong; the community manager will resolve it."""

    roles = (ActorRole.CUSTOMER,)

    input_serializer = ReasonSerializer
    service = staticmethod(booking_dispute)


@booking_action_schema("resolve_dispute")
class BookingResolveDisputeApi(BookingActionApi):
    """Manager: the visit stands (signed off) or is void (cancelled, with who caused it)."""

    roles = (ActorRole.MANAGER,)

    class BookingResolveDisputeInput(serializers.Serializer):
        outcome = serializers.ChoiceField(choices=DisputeOutcome.values)
        note = serializers.CharField(max_length=500, allow_blank=True)
        caused_by = CausedBy()

    input_serializer = BookingResolveDisputeInput
    service = staticmethod(booking_resolve_dispute)


class BookingEventListApi(generics.ListAPIView):
    """The booking's audit trail: every status move, who made it and why."""

    serializer_class = BookingEventSerializer
    queryset = BookingEvent.objects.none()

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        """One page of the trail, each step told as the reader's page tells it: whether the
        helper proposed times before is known from the whole trail, so all of it is read."""
        user = request_user(request)
        booking = booking_for(user, self.kwargs["booking_id"])
        events = list(booking_events(booking))
        summaries = {event.pk: said for said, event in steps_told_to(booking, events, user)}
        page = self.paginate_queryset(events)
        context = {**self.get_serializer_context(), "summaries": summaries}
        serializer = self.get_serializer(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)

    @extend_schema(
        operation_id="bookings_events_list",
        responses={200: BookingEventSerializer(many=True)},
    )
    @raises(booking_for)
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        """The booking's audit trail: every status move, who made it and why."""
        return super().get(request, *args, **kwargs)


class BookingReviewsApi(PaginatedListView, ApiView):
    """Reviews are double-blind: the other side's review shows once both have reviewed or the
    review window has closed."""

    class BookingReviewsInput(serializers.Serializer):
        rating = serializers.IntegerField()
        text = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")

    @extend_schema(
        operation_id="bookings_reviews_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(ReviewSerializer)},
    )
    @raises(booking_for)
    def get(self, request: Request, booking_id: UUID) -> Response:
        """The reviews of a visit I may see (double-blind: the other side's once both reviewed or the window closed)."""
        user = request_user(request)
        booking = booking_for(user, booking_id)
        reviews = list(reviews_visible_to(user, booking))
        context = review_context(booking, user)
        return paginated(request, self, reviews, ReviewSerializer, context=context)

    @extend_schema(
        operation_id="bookings_reviews_create",
        request=BookingReviewsInput,
        responses={201: ReviewSerializer},
    )
    @raises(booking_for, review_submit)
    def post(self, request: Request, booking_id: UUID) -> Response:
        """Rate the other side 1–5 within the review window after the sign-off."""
        user = request_user(request)
        booking = booking_for(user, booking_id)
        require_role(booking, user, ActorRole.CUSTOMER, ActorRole.HELPER)
        data = self.BookingReviewsInput(data=request.data)
        data.is_valid(raise_exception=True)
        review = review_submit(booking=booking, actor=user, **data.validated_data)
        answer = ReviewSerializer(review, context=review_context(booking, user)).data
        return Response(answer, status=status.HTTP_201_CREATED)
