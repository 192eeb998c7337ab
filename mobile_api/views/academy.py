"""The training academy over the API, for the helper: their courses, lessons, quiz,
certifications, events, registrations and calendar feed. The manager's routes are in
`mobile_api.views.academy_manager`. Every rule is in `academy.services`; every read is scoped
in `academy.selectors`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from academy.errors import AcademyError
from academy.selectors import (
    certifications_of,
    course_for_helper,
    courses_for_helper,
    event_for_helper,
    my_registrations,
    quiz_attempt_of,
    quiz_drawn_questions,
    registrations_of,
    upcoming_events,
)
from academy.services import (
    calendar_feed_for,
    event_register,
    event_registration_cancel,
    quiz_attempt_start,
    quiz_attempt_submit,
)
from backend import clock
from backend.exceptions import codes_raised_by, raises
from helpers.selectors import helper_profile_of
from mobile_api.idempotency import ApiView
from mobile_api.pagination import PAGE_PARAMETERS, PaginatedListView, page_of, paginated
from mobile_api.permissions import request_user
from mobile_api.serializers.academy import (
    CalendarFeedInputSerializer,
    CalendarFeedSerializer,
    CertificationSerializer,
    CourseDetailSerializer,
    CourseSummarySerializer,
    QuizAttemptSerializer,
    QuizResultSerializer,
    QuizSubmitSerializer,
    RegisterSerializer,
    RegistrationSerializer,
    TrainingEventSerializer,
)

# Over the API a helper acts only on their own profile.
OWN = frozenset({AcademyError.NOT_A_HELPER})


def page_rows(queryset: QuerySet[Any]) -> Sequence[Any]:
    """A queryset for the paginator, which slices it (only the page is read)."""
    return cast(Sequence[Any], queryset)


# --- Helpers: courses and the quiz ----------------------------------------------------------------


class HelperCourseListApi(PaginatedListView, ApiView):
    @extend_schema(
        operation_id="helper_academy_courses_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(CourseSummarySerializer)},
    )
    @raises(helper_profile_of)
    def get(self, request: Request) -> Response:
        """Helper: every published course, what it is required for, and until when I am
        certified (null: not certified)."""
        helper = helper_profile_of(request_user(request))
        return paginated(request, self, courses_for_helper(helper), CourseSummarySerializer)


class HelperCourseDetailApi(ApiView):
    @extend_schema(
        operation_id="helper_academy_course_retrieve", responses={200: CourseDetailSerializer}
    )
    @raises(helper_profile_of, course_for_helper)
    def get(self, request: Request, slug: str) -> Response:
        """Helper: a course's current version with its lessons, in my language."""
        helper_profile_of(request_user(request))
        return Response(CourseDetailSerializer(course_for_helper(slug)).data)


class QuizAttemptStartApi(ApiView):
    @extend_schema(
        operation_id="helper_academy_quiz_start",
        request=None,
        responses={201: QuizAttemptSerializer},
    )
    @raises(
        helper_profile_of,
        course_for_helper,
        # The course is found among the published ones first: an unpublished one is 404.
        codes_raised_by(quiz_attempt_start) - OWN - {AcademyError.COURSE_NOT_PUBLISHED},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Helper: start the course's end quiz: questions drawn at random, in random order,
        without the right answers. An attempt under way is returned as it is."""
        user = request_user(request)
        helper = helper_profile_of(user)
        version = course_for_helper(slug)
        attempt = quiz_attempt_start(helper=helper, actor=user, course=version.course)
        body = {"attempt": attempt, "questions": quiz_drawn_questions(attempt)}
        return Response(QuizAttemptSerializer(body).data, status=status.HTTP_201_CREATED)


class QuizAttemptSubmitApi(ApiView):
    @extend_schema(
        operation_id="helper_academy_quiz_submit",
        request=QuizSubmitSerializer,
        responses={200: QuizResultSerializer},
    )
    @raises(helper_profile_of, quiz_attempt_of, codes_raised_by(quiz_attempt_submit) - OWN)
    def post(self, request: Request, quiz_attempt_id: UUID) -> Response:
        """Helper: submit my answers, one for each question drawn, once. A pass earns the
        course's certification (and with it the categories it is required for)."""
        user = request_user(request)
        attempt = quiz_attempt_of(helper_profile_of(user), quiz_attempt_id)
        data = QuizSubmitSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        answers = [(row["question"], row["option"]) for row in data.validated_data["answers"]]
        result = quiz_attempt_submit(attempt=attempt, actor=user, answers=answers)
        return Response(QuizResultSerializer(result).data)


class HelperCertificationListApi(PaginatedListView, ApiView):
    @extend_schema(
        operation_id="helper_academy_certifications_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(CertificationSerializer)},
    )
    @raises(helper_profile_of)
    def get(self, request: Request) -> Response:
        """Helper: my training record: every certification, newest first, with its expiry,
        whether it is in force, and a revocation's reason."""
        helper = helper_profile_of(request_user(request))
        return paginated(
            request,
            self,
            page_rows(certifications_of(helper)),
            CertificationSerializer,
            context={"now": clock.now()},
        )


# --- Helpers: events ----------------------------------------------------------------------------


class HelperEventListApi(PaginatedListView, ApiView):
    @extend_schema(
        operation_id="helper_academy_events_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(TrainingEventSerializer)},
    )
    @raises(helper_profile_of)
    def get(self, request: Request) -> Response:
        """Helper: the coming training sessions and meet-ups, soonest first, with the places
        taken and whether I am registered or waiting."""
        helper = helper_profile_of(request_user(request))
        events = list(upcoming_events())
        mine = my_registrations(helper, [event.pk for event in events])
        return paginated(request, self, events, TrainingEventSerializer, context={"mine": mine})


class HelperRegistrationListApi(PaginatedListView, ApiView):
    @extend_schema(
        operation_id="helper_academy_registrations_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(RegistrationSerializer)},
    )
    @raises(helper_profile_of)
    def get(self, request: Request) -> Response:
        """Helper: my registrations, cancelled ones and attendance too, newest event first."""
        helper = helper_profile_of(request_user(request))
        return paginated(request, self, page_rows(registrations_of(helper)), RegistrationSerializer)


class EventRegisterApi(ApiView):
    @extend_schema(
        operation_id="helper_academy_event_register",
        request=RegisterSerializer,
        responses={201: RegistrationSerializer},
    )
    @raises(helper_profile_of, event_for_helper, codes_raised_by(event_register) - OWN)
    def post(self, request: Request, event_id: UUID) -> Response:
        """Helper: register for an event. When it is full: `event_full`, unless
        `join_waiting_list` puts me on its waiting list."""
        user = request_user(request)
        helper = helper_profile_of(user)
        data = RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        registration = event_register(
            helper=helper,
            actor=user,
            event=event_for_helper(event_id),
            join_waiting_list=data.validated_data["join_waiting_list"],
        )
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)


class EventCancelRegistrationApi(ApiView):
    @extend_schema(
        operation_id="helper_academy_event_registration_cancel",
        request=None,
        responses={200: RegistrationSerializer},
    )
    @raises(helper_profile_of, event_for_helper, codes_raised_by(event_registration_cancel) - OWN)
    def post(self, request: Request, event_id: UUID) -> Response:
        """Helper: cancel my registration (or leave the waiting list) before the event; my
        place goes to the first on the waiting list."""
        user = request_user(request)
        registration = event_registration_cancel(
            helper=helper_profile_of(user), actor=user, event=event_for_helper(event_id)
        )
        return Response(RegistrationSerializer(registration).data)


class CalendarFeedApi(ApiView):
    @extend_schema(
        operation_id="helper_academy_calendar_feed",
        request=CalendarFeedInputSerializer,
        responses={200: CalendarFeedSerializer},
    )
    @raises(helper_profile_of, codes_raised_by(calendar_feed_for) - OWN)
    def post(self, request: Request) -> Response:
        """Helper: the secret address of my events as an iCalendar feed (subscribe to it in a
        calendar app); `renew` replaces it, and the old address stops working. Only while I am
        approved: an applicant not approved yet, rejected or withdrawn, and a helper suspended
        or offboarded get `403 calendar_feed_closed`, nothing made or renewed, and the address
        opens nothing (404)."""
        user = request_user(request)
        data = CalendarFeedInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feed = calendar_feed_for(
            helper=helper_profile_of(user), actor=user, renew=data.validated_data["renew"]
        )
        url = request.build_absolute_uri(reverse("web:calendar-feed", args=[feed.token]))
        return Response(CalendarFeedSerializer({"url": url}).data)
