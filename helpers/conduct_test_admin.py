"""The back office's view of the code-of-conduct test: versions, their questions and the
applicants' attempts, all read-only (a published version never changes), and a page to
publish a new version: a copy of the current one, changed, published through
`conduct_test_version_publish`. Registered from `HelpersConfig.ready()`."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.exceptions import ApplicationError
from backend.models import User
from helpers.conduct_test_selectors import conduct_test_current_version
from helpers.conduct_test_services import OptionInput, QuestionInput, conduct_test_version_publish
from helpers.models import (
    CONDUCT_TEST_LANGUAGES,
    ConductTestAttempt,
    ConductTestOption,
    ConductTestQuestion,
    ConductTestVersion,
)
from helpers.vetting_admin import ReadOnlyAdmin

PUBLISH_TEMPLATE = "admin/helpers/conducttestversion/publish.html"
RULES = ("pass_mark", "questions_per_attempt", "max_attempts", "waiting_hours")


class ConductTestQuestionInline(admin.TabularInline):
    model = ConductTestQuestion
    fields = ("position", "text_en", "text_de", "text_fr", "text_it")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ConductTestOptionInline(admin.TabularInline):
    model = ConductTestOption
    fields = ("position", "is_correct", "text_en", "text_de", "text_fr", "text_it")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def bank_as_json(version: ConductTestVersion | None) -> str:
    """A version's questions in the form the publish page reads: the copy to change."""
    if version is None:
        return "[]"
    questions = [
        {
            **{language: question.text_in(language) for language in CONDUCT_TEST_LANGUAGES},
            "options": [
                {
                    **{language: option.text_in(language) for language in CONDUCT_TEST_LANGUAGES},
                    "correct": option.is_correct,
                }
                for option in question.options.order_by("position")
            ],
        }
        for question in version.questions.order_by("position")
    ]
    return json.dumps(questions, ensure_ascii=False, indent=2)


class PublishForm(forms.Form):
    pass_mark = forms.IntegerField(min_value=1)
    questions_per_attempt = forms.IntegerField(min_value=1)
    max_attempts = forms.IntegerField(min_value=1)
    waiting_hours = forms.IntegerField(min_value=0)
    questions = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100}),
        help_text=_(
            'A list of questions: {"de", "fr", "it", "en", "options": [{"de", "fr", "it", "en", '
            '"correct": true or false}]}. Exactly one answer of each question is right.'
        ),
    )

    def clean_questions(self) -> list[QuestionInput]:
        try:
            rows = json.loads(self.cleaned_data["questions"])
            return [
                QuestionInput(
                    texts={language: str(row[language]) for language in CONDUCT_TEST_LANGUAGES},
                    options=[
                        OptionInput(
                            texts={
                                language: str(option[language])
                                for language in CONDUCT_TEST_LANGUAGES
                            },
                            is_correct=option.get("correct") is True,
                        )
                        for option in row["options"]
                    ],
                )
                for row in rows
            ]
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise forms.ValidationError(
                _("Not a list of questions in the form described below.")
            ) from exc


class ConductTestVersionAdmin(ReadOnlyAdmin):
    list_display = (
        "number",
        "published_at",
        "published_by",
        "pass_mark",
        "questions_per_attempt",
        "max_attempts",
        "waiting_period",
    )
    list_select_related = ("published_by",)
    fields = (*list_display[:-1], "waiting_period")
    readonly_fields = fields
    inlines = (ConductTestQuestionInline,)
    change_list_template = "admin/helpers/conducttestversion/change_list.html"

    def get_urls(self) -> list[URLPattern]:
        publish = path(
            "publish/",
            self.admin_site.admin_view(self.publish_view),
            name="helpers_conducttestversion_publish",
        )
        return [publish, *super().get_urls()]

    def publish_view(self, request: HttpRequest) -> HttpResponse:
        """Publish a new version from a copy of the current one."""
        if not self.has_view_permission(request) or not request.user.is_staff:
            raise PermissionError
        current = conduct_test_current_version()
        initial: dict[str, Any] = {"questions": bank_as_json(current)}
        if current is not None:
            initial |= {
                "pass_mark": current.pass_mark,
                "questions_per_attempt": current.questions_per_attempt,
                "max_attempts": current.max_attempts,
                "waiting_hours": int(current.waiting_period.total_seconds() // 3600),
            }
        form = PublishForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            assert isinstance(request.user, User)  # noqa: S101 - admin_view logs in
            try:
                version = conduct_test_version_publish(
                    actor=request.user,
                    questions=data["questions"],
                    pass_mark=data["pass_mark"],
                    questions_per_attempt=data["questions_per_attempt"],
                    max_attempts=data["max_attempts"],
                    waiting_period=timedelta(hours=data["waiting_hours"]),
                )
            except ApplicationError as error:
                field = next(iter(error.fields), "")
                form.add_error(
                    field if field in RULES else "questions",
                    gettext("%(object)s: %(reason)s") % {"object": field, "reason": error.message},
                )
            else:
                messages.success(
                    request,
                    gettext("Version %(number)d is published and current.")
                    % {"number": version.number},
                )
                return HttpResponseRedirect(
                    reverse("admin:helpers_conducttestversion_change", args=[version.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Publish a new version of the code-of-conduct test"),
            "form": form,
            "current": current,
            "changelist_url": reverse("admin:helpers_conducttestversion_changelist"),
        }
        return TemplateResponse(
            request, PUBLISH_TEMPLATE, context, status=400 if form.errors else 200
        )


class ConductTestQuestionAdmin(ReadOnlyAdmin):
    list_display = ("version", "position", "text_en")
    list_filter = ("version",)
    list_select_related = ("version",)
    fields = ("version", "position", "text_de", "text_fr", "text_it", "text_en")
    readonly_fields = fields
    inlines = (ConductTestOptionInline,)


class ConductTestAttemptAdmin(ReadOnlyAdmin):
    list_display = ("helper", "number", "version", "started_at", "submitted_at", "score", "passed")
    list_filter = ("passed", "version")
    list_select_related = ("helper__user", "version")
    search_fields = ("helper__user__email", "helper__user__display_name")
    fields = (
        "helper",
        "version",
        "number",
        "question_ids",
        "started_at",
        "submitted_at",
        "answers",
        "score",
        "passed",
    )
    readonly_fields = fields


def register(site: admin.AdminSite) -> None:
    site.register(ConductTestVersion, ConductTestVersionAdmin)
    site.register(ConductTestQuestion, ConductTestQuestionAdmin)
    site.register(ConductTestAttempt, ConductTestAttemptAdmin)
