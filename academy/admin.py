"""The back office's view of the academy: courses and their versions (lessons and quiz), the
helpers' certifications, training events and registrations. All read-only: every change goes
through `academy.services` (the actions below call them; the draft's content is written
through the manager's API). Registered from `AcademyConfig.ready()`."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from academy.models import (
    Certification,
    Course,
    CourseVersion,
    EventRegistration,
    Lesson,
    QuizQuestion,
    TrainingEvent,
)
from academy.services import course_draft_start, course_version_publish
from backend.exceptions import ApplicationError
from backend.models import User
from helpers.vetting_admin import ReadOnlyAdmin


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class LessonInline(_ReadOnlyInline):
    model = Lesson
    fields = ("position", "title_en", "title_de", "video_url", "image_url")
    readonly_fields = fields


class QuizQuestionInline(_ReadOnlyInline):
    model = QuizQuestion
    fields = ("position", "text_en", "text_de", "text_fr", "text_it")
    readonly_fields = fields


class CourseVersionAdmin(ReadOnlyAdmin):
    list_display = ("course", "number", "status", "title_en", "published_at")
    list_filter = ("status",)
    inlines = (LessonInline, QuizQuestionInline)
    actions = ("publish",)

    @admin.action(description=_("Publish the selected drafts"))
    def publish(self, request: HttpRequest, queryset: QuerySet[CourseVersion]) -> None:
        assert isinstance(request.user, User)  # noqa: S101 - the admin requires a log-in
        for version in queryset:
            try:
                course_version_publish(actor=request.user, version=version)
            except ApplicationError as error:
                self.message_user(
                    request,
                    gettext("%(object)s: %(reason)s")
                    % {"object": version, "reason": error.message},
                    messages.ERROR,
                )


class CourseAdmin(ReadOnlyAdmin):
    list_display = ("slug", "required_for_all", "validity_months", "created_at")
    filter_horizontal = ("required_for",)
    actions = ("start_draft",)

    @admin.action(description=_("Start the next draft (a copy of the newest version)"))
    def start_draft(self, request: HttpRequest, queryset: QuerySet[Course]) -> None:
        assert isinstance(request.user, User)  # noqa: S101 - the admin requires a log-in
        for course in queryset:
            try:
                course_draft_start(actor=request.user, course=course)
            except ApplicationError as error:
                self.message_user(
                    request,
                    gettext("%(object)s: %(reason)s") % {"object": course, "reason": error.message},
                    messages.ERROR,
                )


class CertificationAdmin(ReadOnlyAdmin):
    list_display = ("helper", "course", "source", "earned_at", "expires_at", "revoked_at")
    list_filter = ("course", "source")
    search_fields = ("helper__user__email",)


class EventRegistrationInline(_ReadOnlyInline):
    model = EventRegistration
    fields = ("helper", "status", "created_at", "attended")
    readonly_fields = fields


class TrainingEventAdmin(ReadOnlyAdmin):
    list_display = ("title_en", "kind", "starts_at", "capacity", "course", "cancelled_at")
    list_filter = ("kind",)
    inlines = (EventRegistrationInline,)


def register(site: admin.AdminSite) -> None:
    site.register(Course, CourseAdmin)
    site.register(CourseVersion, CourseVersionAdmin)
    site.register(Certification, CertificationAdmin)
    site.register(TrainingEvent, TrainingEventAdmin)
