"""The training academy over the API: courses and lessons in the reader's language, the quiz
(never which answer is right), certifications, events and registrations, and the manager's
courses, events and who lacks what."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from academy.models import (
    OPTION_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Certification,
    EventKind,
)
from academy.services import MAX_LESSONS, MAX_OPTIONS, MAX_QUESTIONS, REASON_MAX_LENGTH
from mobile_api.serializers.fields import AwareDateTimeField
from mobile_api.serializers.moments import ApiDateTimeField

LANGUAGES = ("de", "fr", "it", "en")


def _texts(name: str, max_length: int, *, required: bool = True) -> dict[str, Any]:
    """A field per language: `name_de`, `name_fr`, `name_it`, `name_en`."""
    if required:
        return {
            f"{name}_{language}": serializers.CharField(max_length=max_length)
            for language in LANGUAGES
        }
    return {
        f"{name}_{language}": serializers.CharField(
            max_length=max_length, allow_blank=True, default=""
        )
        for language in LANGUAGES
    }


def _with_texts(name: str, base: type, fields: dict[str, Any]) -> type:
    return type(name, (base,), {**fields, "__module__": __name__})


# --- Helpers' side -------------------------------------------------------------------------------


class CourseSummarySerializer(serializers.Serializer):
    slug = serializers.CharField(source="course.slug")
    version = serializers.IntegerField(source="version.number")
    title = serializers.CharField(source="version.title")
    summary = serializers.CharField(source="version.summary")
    required_for_all = serializers.BooleanField()
    required_for = serializers.ListField(
        child=serializers.CharField(), help_text="The slugs of the categories it is required for."
    )
    validity_months = serializers.IntegerField(source="course.validity_months")
    certified_until = ApiDateTimeField(
        source="certification.expires_at", allow_null=True, read_only=True
    )


class LessonSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    image_url = serializers.CharField()
    video_url = serializers.CharField()


class CourseDetailSerializer(serializers.Serializer):
    slug = serializers.CharField(source="course.slug")
    version = serializers.IntegerField(source="number")
    title = serializers.CharField()
    summary = serializers.CharField()
    pass_mark = serializers.IntegerField()
    questions_per_attempt = serializers.IntegerField()
    lessons = LessonSerializer(many=True)


class QuizOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()


class QuizQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    options = QuizOptionSerializer(many=True, source="options.all")


class QuizAttemptSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="attempt.public_id")
    course = serializers.CharField(source="attempt.version.course.slug")
    version = serializers.IntegerField(source="attempt.version.number")
    started_at = ApiDateTimeField(source="attempt.started_at")
    pass_mark = serializers.IntegerField(source="attempt.version.pass_mark")
    questions = QuizQuestionSerializer(many=True)


class QuizAnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1)
    option = serializers.IntegerField(min_value=1)


class QuizSubmitSerializer(serializers.Serializer):
    answers = serializers.ListField(child=QuizAnswerSerializer(), max_length=MAX_QUESTIONS)


class QuizResultSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="attempt.public_id")
    submitted_at = ApiDateTimeField(source="attempt.submitted_at")
    score = serializers.IntegerField(source="attempt.score")
    out_of = serializers.SerializerMethodField()
    pass_mark = serializers.IntegerField(source="attempt.version.pass_mark")
    passed = serializers.BooleanField(source="attempt.passed")
    wrong_questions = serializers.ListField(
        child=serializers.IntegerField(), source="wrong_question_ids"
    )
    certified_until = ApiDateTimeField(
        source="certification.expires_at", allow_null=True, read_only=True
    )

    def get_out_of(self, result: Any) -> int:
        return len(result.attempt.question_ids)


class CertificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.CharField(source="course.slug")
    earned_by = serializers.CharField(source="source", help_text="`quiz` or `event`.")
    earned_at = ApiDateTimeField()
    expires_at = ApiDateTimeField()
    revoked_at = ApiDateTimeField(allow_null=True)
    revoke_reason = serializers.CharField()
    in_force = serializers.SerializerMethodField()

    def get_in_force(self, certification: Certification) -> bool:
        now = self.context["now"]
        return certification.revoked_at is None and certification.expires_at > now


class TrainingEventSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    kind = serializers.ChoiceField(choices=EventKind.choices)
    title = serializers.CharField()
    description = serializers.CharField()
    starts_at = ApiDateTimeField()
    ends_at = ApiDateTimeField()
    online_url = serializers.CharField()
    place = serializers.CharField()
    capacity = serializers.IntegerField()
    registered = serializers.IntegerField(source="registered_count")
    waiting = serializers.IntegerField(source="waiting_count")
    grants_course = serializers.CharField(source="course.slug", allow_null=True, default=None)
    cancelled_at = ApiDateTimeField(allow_null=True)
    my_registration = serializers.SerializerMethodField(
        help_text="`registered`, `waiting` or null."
    )

    def get_my_registration(self, event: Any) -> str | None:
        return self.context.get("mine", {}).get(event.pk)


class RegisterSerializer(serializers.Serializer):
    join_waiting_list = serializers.BooleanField(
        default=False, help_text="When the event is full, join its waiting list."
    )


class RegistrationSerializer(serializers.Serializer):
    event = serializers.UUIDField(source="event.public_id")
    status = serializers.CharField(help_text="`registered`, `waiting` or `cancelled`.")
    created_at = ApiDateTimeField()
    cancelled_at = ApiDateTimeField(allow_null=True)
    attended = serializers.BooleanField(allow_null=True)


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The secret address of my events as iCalendar (.ics).")


class CalendarFeedInputSerializer(serializers.Serializer):
    renew = serializers.BooleanField(
        default=False, help_text="Replace the secret address (the old one stops working)."
    )


# --- The manager's side ----------------------------------------------------------------------------


class CourseVersionBriefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField()
    title = serializers.CharField(source="title_en")


class ManagerCourseSerializer(serializers.Serializer):
    slug = serializers.CharField()
    required_for_all = serializers.BooleanField()
    required_for = serializers.SerializerMethodField()
    validity_months = serializers.IntegerField()
    versions = serializers.SerializerMethodField()
    certified_helpers = serializers.IntegerField(source="certified", default=0)

    def get_required_for(self, course: Any) -> list[str]:
        return [category.slug for category in course.required_for.all()]

    @extend_schema_field(CourseVersionBriefSerializer(many=True))
    def get_versions(self, course: Any) -> Any:
        versions = sorted(course.versions.all(), key=lambda v: v.number)
        return CourseVersionBriefSerializer(versions, many=True).data


CourseCreateSerializer = _with_texts(
    "CourseCreateSerializer",
    serializers.Serializer,
    {
        "slug": serializers.RegexField(r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60),
        "required_for_all": serializers.BooleanField(default=False),
        "required_for": serializers.ListField(
            child=serializers.CharField(max_length=40), default=list, max_length=50
        ),
        "validity_months": serializers.IntegerField(default=24),
        **_texts("title", TITLE_MAX_LENGTH),
    },
)


class RequirementsSerializer(serializers.Serializer):
    required_for_all = serializers.BooleanField()
    required_for = serializers.ListField(child=serializers.CharField(max_length=40), max_length=50)
    validity_months = serializers.IntegerField()


OptionInputSerializer = _with_texts(
    "QuizOptionInputSerializer",
    serializers.Serializer,
    {"is_correct": serializers.BooleanField(default=False), **_texts("text", OPTION_MAX_LENGTH)},
)
QuestionInputSerializer = _with_texts(
    "QuizQuestionInputSerializer",
    serializers.Serializer,
    {
        "options": serializers.ListField(child=OptionInputSerializer(), max_length=MAX_OPTIONS),
        **_texts("text", OPTION_MAX_LENGTH),
    },
)
LessonInputSerializer = _with_texts(
    "LessonInputSerializer",
    serializers.Serializer,
    {
        "image_url": serializers.URLField(required=False, default="", allow_blank=True),
        "video_url": serializers.URLField(required=False, default="", allow_blank=True),
        **_texts("title", TITLE_MAX_LENGTH),
        **_texts("body", TEXT_MAX_LENGTH),
    },
)
DraftInputSerializer = _with_texts(
    "CourseDraftInputSerializer",
    serializers.Serializer,
    {
        "pass_mark": serializers.IntegerField(),
        "questions_per_attempt": serializers.IntegerField(),
        "lessons": serializers.ListField(child=LessonInputSerializer(), max_length=MAX_LESSONS),
        "questions": serializers.ListField(
            child=QuestionInputSerializer(), max_length=MAX_QUESTIONS
        ),
        **_texts("title", TITLE_MAX_LENGTH),
        **_texts("summary", TEXT_MAX_LENGTH, required=False),
    },
)


class ManagerOptionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    text_en = serializers.CharField()
    text_de = serializers.CharField()
    text_fr = serializers.CharField()
    text_it = serializers.CharField()
    is_correct = serializers.BooleanField()


class ManagerQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField()
    text_en = serializers.CharField()
    text_de = serializers.CharField()
    text_fr = serializers.CharField()
    text_it = serializers.CharField()
    options = ManagerOptionSerializer(many=True, source="options.all")


class ManagerLessonSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    title_en = serializers.CharField()
    title_de = serializers.CharField()
    title_fr = serializers.CharField()
    title_it = serializers.CharField()
    body_en = serializers.CharField()
    body_de = serializers.CharField()
    body_fr = serializers.CharField()
    body_it = serializers.CharField()
    image_url = serializers.CharField()
    video_url = serializers.CharField()


class ManagerVersionSerializer(serializers.Serializer):
    course = serializers.CharField(source="course.slug")
    number = serializers.IntegerField()
    status = serializers.CharField(help_text="`draft` or `published`.")
    title_en = serializers.CharField()
    title_de = serializers.CharField()
    title_fr = serializers.CharField()
    title_it = serializers.CharField()
    pass_mark = serializers.IntegerField()
    questions_per_attempt = serializers.IntegerField()
    published_at = ApiDateTimeField(allow_null=True)
    lessons = ManagerLessonSerializer(many=True, source="lessons.all")
    questions = ManagerQuestionSerializer(many=True, source="questions.all")


class ManagerCertificationSerializer(CertificationSerializer):
    helper = serializers.UUIDField(source="helper.public_id")
    helper_name = serializers.CharField(source="helper.user.display_name")


class RevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


EventCreateSerializer = _with_texts(
    "EventCreateSerializer",
    serializers.Serializer,
    {
        "kind": serializers.ChoiceField(choices=EventKind.choices),
        "starts_at": AwareDateTimeField(),
        "ends_at": AwareDateTimeField(),
        "capacity": serializers.IntegerField(),
        "online_url": serializers.URLField(required=False, default="", allow_blank=True),
        "place": serializers.CharField(
            max_length=300, required=False, default="", allow_blank=True
        ),
        "course": serializers.CharField(max_length=60, allow_null=True, default=None),
        **_texts("title", TITLE_MAX_LENGTH),
        **_texts("description", TEXT_MAX_LENGTH, required=False),
    },
)


class ManagerRegistrationSerializer(serializers.Serializer):
    helper = serializers.UUIDField(source="helper.public_id")
    helper_name = serializers.CharField(source="helper.user.display_name")
    status = serializers.CharField()
    created_at = ApiDateTimeField()
    attended = serializers.BooleanField(allow_null=True)


class ManagerEventSerializer(TrainingEventSerializer):
    my_registration = None  # type: ignore[assignment]
    cancel_reason = serializers.CharField()


class ManagerEventDetailSerializer(ManagerEventSerializer):
    registrations = serializers.SerializerMethodField()

    def get_registrations(self, event: Any) -> list[dict[str, Any]]:
        return ManagerRegistrationSerializer(self.context["registrations"], many=True).data  # type: ignore[return-value]


class CancelEventSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX_LENGTH)


class AttendanceSerializer(serializers.Serializer):
    attended = serializers.ListField(
        child=serializers.UUIDField(), max_length=1000, help_text="The helpers who came."
    )


class CategoryCoverageSerializer(serializers.Serializer):
    category = serializers.CharField(source="category.slug")
    required_courses = serializers.ListField(child=serializers.CharField())
    helpers_skilled = serializers.IntegerField()
    helpers_certified = serializers.IntegerField()
    helpers_lacking = serializers.IntegerField()


class UnmatchedRequestSerializer(serializers.Serializer):
    help_request = serializers.UUIDField(source="help_request.public_id")
    category = serializers.CharField(source="help_request.category.slug")
    created_at = ApiDateTimeField(source="help_request.created_at")
    helpers_left_out = serializers.IntegerField()
    missing = serializers.ListField(child=serializers.CharField())


class CertificationGapsSerializer(serializers.Serializer):
    categories = CategoryCoverageSerializer(many=True)
    unmatched_requests = UnmatchedRequestSerializer(many=True)
