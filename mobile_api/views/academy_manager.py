"""The training academy over the API, for the manager: courses (drafts and publishing),
certifications (revoking), events (cancelling, attendance) and who lacks what. Every rule is in
`academy.services`; every read is scoped in `academy.selectors`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from academy.errors import AcademyError
from academy.selectors import (
    certification_for_manager,
    certifications_for_manager,
    course_for_manager,
    course_version_for_manager,
    courses_for_manager,
    event_for_manager,
    events_for_manager,
    registrations_of_event,
)
from academy.services import (
    LessonInput,
    OptionInput,
    QuestionInput,
    certification_revoke,
    course_create,
    course_draft_start,
    course_draft_write,
    course_requirements_set,
    course_version_publish,
    event_attendance_mark,
    training_event_cancel,
    training_event_create,
)
from backend import clock
from backend.exceptions import CoreError, ValidationFailed, codes_raised_by, raises
from bookings.certification_gaps import (
    coverage_by_category,
    unmatched_for_lack_of_certification,
)
from catalogue.models import ServiceCategory
from helpers.models import HelperProfile
from mobile_api.idempotency import ApiView
from mobile_api.pagination import PAGE_PARAMETERS, PaginatedListView, page_of, paginated
from mobile_api.permissions import IsManager, request_user
from mobile_api.serializers.academy import (
    AttendanceSerializer,
    CancelEventSerializer,
    CertificationGapsSerializer,
    CourseCreateSerializer,
    DraftInputSerializer,
    EventCreateSerializer,
    ManagerCertificationSerializer,
    ManagerCourseSerializer,
    ManagerEventDetailSerializer,
    ManagerEventSerializer,
    ManagerVersionSerializer,
    RequirementsSerializer,
    RevokeSerializer,
)
from mobile_api.views.academy import page_rows

LANGUAGES = ("de", "fr", "it", "en")
# Only managers reach these routes (`IsManager`); the input serializers refuse an empty text
# (or reason) before a service sees it.
MANAGER = frozenset({AcademyError.MANAGER_ONLY})
TEXTS = frozenset({AcademyError.COURSE_TEXT_REQUIRED, CoreError.MAX_LENGTH})
REASON = frozenset({CoreError.REASON_REQUIRED, CoreError.MAX_LENGTH})
# A draft written over the API has had its answers checked; publishing cannot find them wrong.
PUBLISH_UNREACHABLE = frozenset({AcademyError.QUIZ_OPTIONS_INVALID})


def _texts(values: dict[str, Any], name: str) -> dict[str, str]:
    return {language: values.get(f"{name}_{language}", "") for language in LANGUAGES}


@raises(CoreError.INVALID_CHOICE)
def _category_ids(slugs: list[str]) -> list[int]:
    found = dict(ServiceCategory.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise ValidationFailed.for_field(
            "required_for",
            _("No such category: %(slug)s.") % {"slug": unknown[0]},
            code=CoreError.INVALID_CHOICE,
        )
    return [found[slug] for slug in slugs]


# --- The manager: courses -----------------------------------------------------------------------


class ManagerCourseListApi(PaginatedListView, ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_academy_courses_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(ManagerCourseSerializer)},
    )
    @raises()
    def get(self, request: Request) -> Response:
        """Manager: every course, what it is required for, its versions, and how many helpers
        hold its certification now."""
        courses = courses_for_manager(request_user(request))
        return paginated(request, self, page_rows(courses), ManagerCourseSerializer)

    @extend_schema(
        operation_id="manager_academy_course_create",
        request=CourseCreateSerializer,
        responses={201: ManagerCourseSerializer},
    )
    @raises(_category_ids, codes_raised_by(course_create) - MANAGER - TEXTS)
    def post(self, request: Request) -> Response:
        """Manager: create a course (with its first draft, holding the title): required for
        every helper, for some categories, or for none, and valid for some months."""
        user = request_user(request)
        data = CourseCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        course = course_create(
            actor=user,
            slug=values["slug"],
            titles=_texts(values, "title"),
            required_for_all=values["required_for_all"],
            required_for=_category_ids(values["required_for"]),
            validity_months=values["validity_months"],
        )
        course = course_for_manager(user, course.slug)
        return Response(ManagerCourseSerializer(course).data, status=status.HTTP_201_CREATED)


class CourseRequirementsApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_academy_course_requirements",
        request=RequirementsSerializer,
        responses={200: ManagerCourseSerializer},
    )
    @raises(
        course_for_manager,
        _category_ids,
        codes_raised_by(course_requirements_set) - MANAGER - {CoreError.INVALID_CHOICE},
    )
    def post(self, request: Request, slug: str) -> Response:
        """Manager: change whom the course is required of and how long its certification is
        valid. Matching follows at once."""
        user = request_user(request)
        course = course_for_manager(user, slug)
        data = RequirementsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        course_requirements_set(
            actor=user,
            course=course,
            required_for_all=values["required_for_all"],
            required_for=_category_ids(values["required_for"]),
            validity_months=values["validity_months"],
        )
        return Response(ManagerCourseSerializer(course_for_manager(user, slug)).data)


class CourseDraftStartApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_academy_course_draft_start",
        request=None,
        responses={201: ManagerVersionSerializer},
    )
    @raises(course_for_manager)
    def post(self, request: Request, slug: str) -> Response:
        """Manager: start the next draft, a copy of the newest version (a draft under way is
        returned as it is)."""
        user = request_user(request)
        draft = course_draft_start(actor=user, course=course_for_manager(user, slug))
        version = course_version_for_manager(user, slug, draft.number)
        return Response(ManagerVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class CourseVersionApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_academy_course_version_retrieve",
        responses={200: ManagerVersionSerializer},
    )
    @raises(course_version_for_manager)
    def get(self, request: Request, slug: str, number: int) -> Response:
        """Manager: one version with its lessons and quiz (the right answers marked)."""
        version = course_version_for_manager(request_user(request), slug, number)
        return Response(ManagerVersionSerializer(version).data)

    @extend_schema(
        operation_id="manager_academy_course_draft_write",
        request=DraftInputSerializer,
        responses={200: ManagerVersionSerializer},
    )
    @raises(course_version_for_manager, codes_raised_by(course_draft_write) - MANAGER - TEXTS)
    def put(self, request: Request, slug: str, number: int) -> Response:
        """Manager: write a draft's whole content: title and summary, lessons, the quiz and
        its rules, every text in de, fr, it and en. A published version is refused."""
        user = request_user(request)
        version = course_version_for_manager(user, slug, number)
        data = DraftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        course_draft_write(
            actor=user,
            version=version,
            titles=_texts(values, "title"),
            summaries=_texts(values, "summary"),
            pass_mark=values["pass_mark"],
            questions_per_attempt=values["questions_per_attempt"],
            lessons=[
                LessonInput(
                    titles=_texts(lesson, "title"),
                    bodies=_texts(lesson, "body"),
                    image_url=lesson["image_url"],
                    video_url=lesson["video_url"],
                )
                for lesson in values["lessons"]
            ],
            questions=[
                QuestionInput(
                    texts=_texts(question, "text"),
                    options=[
                        OptionInput(texts=_texts(option, "text"), is_correct=option["is_correct"])
                        for option in question["options"]
                    ],
                )
                for question in values["questions"]
            ],
        )
        return Response(
            ManagerVersionSerializer(course_version_for_manager(user, slug, number)).data
        )


class CourseVersionPublishApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_academy_course_version_publish",
        request=None,
        responses={200: ManagerVersionSerializer},
    )
    @raises(
        course_version_for_manager,
        codes_raised_by(course_version_publish) - MANAGER - PUBLISH_UNREACHABLE,
    )
    def post(self, request: Request, slug: str, number: int) -> Response:
        """Manager: publish a draft. Helpers take it from now on; it never changes again."""
        user = request_user(request)
        course_version_publish(actor=user, version=course_version_for_manager(user, slug, number))
        return Response(
            ManagerVersionSerializer(course_version_for_manager(user, slug, number)).data
        )


# --- The manager: certifications and who lacks what ----------------------------------------------


class ManagerCertificationListApi(PaginatedListView, ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_academy_certifications_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(ManagerCertificationSerializer)},
    )
    @raises()
    def get(self, request: Request) -> Response:
        """Manager: every certification, newest first."""
        rows = certifications_for_manager(request_user(request))
        return paginated(
            request,
            self,
            page_rows(rows),
            ManagerCertificationSerializer,
            context={"now": clock.now()},
        )


class CertificationRevokeApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_academy_certification_revoke",
        request=RevokeSerializer,
        responses={200: ManagerCertificationSerializer},
    )
    @raises(
        certification_for_manager,
        codes_raised_by(certification_revoke) - MANAGER - REASON,
    )
    def post(self, request: Request, certification_id: int) -> Response:
        """Manager: revoke a certification with a reason; the helper loses the categories it
        gates at once and is told by e-mail."""
        user = request_user(request)
        certification = certification_for_manager(user, certification_id)
        data = RevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certification = certification_revoke(
            actor=user, certification=certification, reason=data.validated_data["reason"]
        )
        return Response(
            ManagerCertificationSerializer(certification, context={"now": clock.now()}).data
        )


class CertificationGapsApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_academy_certification_gaps",
        responses={200: CertificationGapsSerializer},
    )
    @raises()
    def get(self, request: Request) -> Response:
        """Manager: who lacks what: per category, the approved helpers skilled in it and how
        many hold every certification it requires; and the newest requests that went
        unmatched while helpers in reach lacked a required certification."""
        user = request_user(request)
        body = {
            "categories": coverage_by_category(user),
            "unmatched_requests": unmatched_for_lack_of_certification(user),
        }
        return Response(CertificationGapsSerializer(body).data)


# --- The manager: events --------------------------------------------------------------------------


@raises(CoreError.INVALID_CHOICE)
def _course_or_none(user: Any, slug: str | None) -> Any:
    if slug is None:
        return None
    course = courses_for_manager(user).filter(slug=slug).first()
    if course is None:
        raise ValidationFailed.for_field(
            "course", _("No such course."), code=CoreError.INVALID_CHOICE
        )
    return course


class ManagerEventListApi(PaginatedListView, ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_academy_events_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(ManagerEventSerializer)},
    )
    @raises()
    def get(self, request: Request) -> Response:
        """Manager: every event, newest first, with places taken and the waiting list."""
        return paginated(
            request,
            self,
            page_rows(events_for_manager(request_user(request))),
            ManagerEventSerializer,
        )

    @extend_schema(
        operation_id="manager_academy_event_create",
        request=EventCreateSerializer,
        responses={201: ManagerEventSerializer},
    )
    @raises(_course_or_none, codes_raised_by(training_event_create) - MANAGER - TEXTS)
    def post(self, request: Request) -> Response:
        """Manager: announce a training session or a meet-up, online or at a place, with a
        capacity; a training naming a course grants its certification to those present."""
        user = request_user(request)
        data = EventCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        event = training_event_create(
            actor=user,
            kind=values["kind"],
            titles=_texts(values, "title"),
            descriptions=_texts(values, "description"),
            starts_at=values["starts_at"],
            ends_at=values["ends_at"],
            capacity=values["capacity"],
            online_url=values["online_url"],
            place=values["place"],
            course=_course_or_none(user, values["course"]),
        )
        event = event_for_manager(user, event.public_id)
        return Response(ManagerEventSerializer(event).data, status=status.HTTP_201_CREATED)


class ManagerEventDetailApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_academy_event_retrieve",
        responses={200: ManagerEventDetailSerializer},
    )
    @raises(event_for_manager)
    def get(self, request: Request, event_id: UUID) -> Response:
        """Manager: one event with its registrations, waiting list and attendance."""
        event = event_for_manager(request_user(request), event_id)
        context = {"registrations": registrations_of_event(event)}
        return Response(ManagerEventDetailSerializer(event, context=context).data)


class ManagerEventCancelApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_academy_event_cancel",
        request=CancelEventSerializer,
        responses={200: ManagerEventSerializer},
    )
    @raises(
        event_for_manager,
        codes_raised_by(training_event_cancel) - MANAGER - REASON,
    )
    def post(self, request: Request, event_id: UUID) -> Response:
        """Manager: cancel an event with a reason; everyone registered or waiting is told."""
        user = request_user(request)
        data = CancelEventSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        training_event_cancel(
            actor=user,
            event=event_for_manager(user, event_id),
            reason=data.validated_data["reason"],
        )
        return Response(ManagerEventSerializer(event_for_manager(user, event_id)).data)


class ManagerEventAttendanceApi(ApiView):
    permission_classes = (IsManager,)

    @extend_schema(
        operation_id="manager_academy_event_attendance",
        request=AttendanceSerializer,
        responses={200: ManagerEventDetailSerializer},
    )
    @raises(event_for_manager, codes_raised_by(event_attendance_mark) - MANAGER)
    def post(self, request: Request, event_id: UUID) -> Response:
        """Manager: mark who came (the registered helpers named; the others did not). At a
        training that names a course, those present earn its certification."""
        user = request_user(request)
        event = event_for_manager(user, event_id)
        data = AttendanceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        helper_ids = list(
            HelperProfile.objects.filter(public_id__in=data.validated_data["attended"]).values_list(
                "pk", flat=True
            )
        )
        if len(helper_ids) != len(set(data.validated_data["attended"])):
            helper_ids.append(0)  # an unknown helper: refused as not registered
        event_attendance_mark(actor=user, event=event, attended_helper_ids=helper_ids)
        event = event_for_manager(user, event_id)
        context = {"registrations": registrations_of_event(event)}
        return Response(ManagerEventDetailSerializer(event, context=context).data)
