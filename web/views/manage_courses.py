"""The manager's console: the academy's courses. A course's versions, whom it is required of
and for how long its certification holds; a draft written in four languages (lessons with a
text, an image and a video link; quiz questions with their answers) and published as a new
version. A published version is shown, never edited: the next draft starts as its copy."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from academy.models import MAX_OPTIONS, Course, CourseVersion, VersionStatus
from academy.selectors import course_for_manager, course_version_for_manager, courses_for_manager
from academy.services import (
    MAX_LESSONS,
    MAX_QUESTIONS,
    course_create,
    course_draft_start,
    course_draft_write,
    course_requirements_set,
    course_version_publish,
)
from backend.exceptions import ApplicationError, NotFound
from web.console_forms import (
    CourseCreateForm,
    CourseDraftForm,
    CourseRequirementsForm,
    LessonForm,
    QuestionForm,
    question_initial,
    text_initial,
    texts_of,
)
from web.errors import add_service_error, message_for
from web.kept_forms import kept_form, kept_together, refused, refused_together, with_kept_errors
from web.views.helper import me_of
from web.views.manage import manager_only

# A service's field in a lesson or question: "lessons[2].title_de", "questions[0].options".
ROW_FIELD = re.compile(r"^(lessons|questions)\[(\d+)\]\.(\w+)")


def _course(request: HttpRequest, slug: str) -> Course:
    try:
        return course_for_manager(me_of(request), slug)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _version(request: HttpRequest, slug: str, number: int) -> CourseVersion:
    try:
        return course_version_for_manager(me_of(request), slug, number)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _course_rows(courses: list[Course]) -> list[dict[str, Any]]:
    rows = []
    for course in courses:
        versions = sorted(course.versions.all(), key=lambda version: version.number)
        published = [v for v in versions if v.status == VersionStatus.PUBLISHED]
        rows.append(
            {
                "course": course,
                "current": published[-1] if published else None,
                "draft": next((v for v in versions if v.status == VersionStatus.DRAFT), None),
                "categories": [category.name for category in course.required_for.all()],
            }
        )
    return rows


def _courses_page(request: HttpRequest, form: CourseCreateForm | None = None) -> HttpResponse:
    courses = list(courses_for_manager(me_of(request)))
    context = {"rows": _course_rows(courses), "form": form or CourseCreateForm()}
    return render(request, "web/manage/courses.html", context)


@manager_only
@require_http_methods(["GET", "POST"])
def courses(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        builders = {"course": lambda data, prefix: CourseCreateForm(data)}
        form = kept_form(request, request.path, builders).get("course_form")
        return _courses_page(request, form if isinstance(form, CourseCreateForm) else None)
    form = CourseCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            course = course_create(
                actor=me_of(request),
                slug=data["slug"],
                titles=texts_of(data, "title"),
                required_for_all=data["required_for_all"],
                required_for=[category.pk for category in data["required_for"]],
                validity_months=data["validity_months"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The course is created with a first draft."))
            return redirect("web:manage-course-version", course.slug, 1)
    # Back on the list at its own address, the form as sent: a reload resends nothing
    return refused(request, form, request.path, "course")


def _course_page(
    request: HttpRequest, course: Course, form: CourseRequirementsForm | None = None
) -> HttpResponse:
    context = {
        "course": course,
        "row": _course_rows([course])[0],
        "versions": sorted(course.versions.all(), key=lambda v: -v.number),
        "form": form
        or CourseRequirementsForm(
            initial={
                "required_for_all": course.required_for_all,
                "required_for": list(course.required_for.all()),
                "validity_months": course.validity_months,
            }
        ),
    }
    return render(request, "web/manage/course.html", context)


@manager_only
@require_GET
def course_page(request: HttpRequest, slug: str) -> HttpResponse:
    builders = {"requirements": lambda data, prefix: CourseRequirementsForm(data)}
    form = kept_form(request, request.path, builders).get("requirements_form")
    return _course_page(
        request,
        _course(request, slug),
        form if isinstance(form, CourseRequirementsForm) else None,
    )


@manager_only
@require_POST
def course_requirements(request: HttpRequest, slug: str) -> HttpResponse:
    course = _course(request, slug)
    form = CourseRequirementsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            course_requirements_set(
                actor=me_of(request),
                course=course,
                required_for_all=data["required_for_all"],
                required_for=[category.pk for category in data["required_for"]],
                validity_months=data["validity_months"],
            )
        except ApplicationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("The course's requirements are saved."))
            return redirect("web:manage-course", course.slug)
    # Back on the course's page at its own address, the form as sent: a reload resends nothing
    page = reverse("web:manage-course", args=[course.slug])
    return refused(request, form, page, "requirements")


@manager_only
@require_POST
def course_draft(request: HttpRequest, slug: str) -> HttpResponse:
    draft = course_draft_start(actor=me_of(request), course=_course(request, slug))
    return redirect("web:manage-course-version", slug, draft.number)


EditorForms = tuple[CourseDraftForm, list[LessonForm], list[QuestionForm]]


def _bounded(data: QueryDict, name: str, high: int) -> int:
    try:
        return max(0, min(int(data.get(name, "0")), high))
    except ValueError:
        return 0


def _sent_forms(data: QueryDict) -> EditorForms:
    """The draft's forms bound to what was sent: as many lessons, questions and answers."""
    lesson_count = _bounded(data, "lesson_count", MAX_LESSONS + 1)
    question_count = _bounded(data, "question_count", MAX_QUESTIONS + 1)
    return (
        CourseDraftForm(data),
        [LessonForm(data, prefix=f"lesson{n}") for n in range(lesson_count)],
        [
            QuestionForm(
                data,
                prefix=f"question{n}",
                options=_bounded(data, f"question{n}-option_count", MAX_OPTIONS),
            )
            for n in range(question_count)
        ],
    )


def _counts(forms: EditorForms) -> list[str]:
    """The fields that say how many lessons, questions and answers were sent."""
    return [
        "lesson_count",
        "question_count",
        *(f"{question.prefix}-option_count" for question in forms[2]),
    ]


def _editor_forms(request: HttpRequest, version: CourseVersion) -> EditorForms:
    """The draft's forms: a refused draft kept as it was sent with its problems (once), or
    filled from the draft with one empty lesson and one empty question to add."""
    kept = kept_together(request, request.path, "draft")
    if kept is not None:
        data, errors = kept
        forms = _sent_forms(data)
        draft, lessons, questions = forms
        for form in (draft, *lessons, *questions):
            with_kept_errors(form, errors.get(form.prefix or "", {}))
        return forms
    lesson_rows = list(version.lessons.all())
    question_rows = list(version.questions.all())
    draft = CourseDraftForm(
        initial={
            **text_initial(version, "title"),
            **text_initial(version, "summary"),
            "pass_mark": version.pass_mark,
            "questions_per_attempt": version.questions_per_attempt,
        }
    )
    lessons = [
        LessonForm(
            prefix=f"lesson{n}",
            initial={
                **text_initial(lesson, "title"),
                **text_initial(lesson, "body"),
                "image_url": lesson.image_url,
                "video_url": lesson.video_url,
            },
        )
        for n, lesson in enumerate(lesson_rows)
    ]
    lessons.append(LessonForm(prefix=f"lesson{len(lesson_rows)}"))
    questions = [
        QuestionForm(
            prefix=f"question{n}",
            initial=question_initial(question),
            options=len(question.options.all()),
        )
        for n, question in enumerate(question_rows)
    ]
    questions.append(QuestionForm(prefix=f"question{len(question_rows)}"))
    return draft, lessons, questions


def _place_error(
    error: ApplicationError,
    draft: CourseDraftForm,
    rows: dict[str, list[Any]],
) -> None:
    """Put the service's error next to the field of the lesson or question it names (the
    service counts only the rows kept), else on the draft's form."""
    for name in error.fields:
        found = ROW_FIELD.match(name)
        if found is None:
            continue
        kind, index, field = found.group(1), int(found.group(2)), found.group(3)
        if index < len(rows[kind]):
            form = rows[kind][index]
            form.add_error(field if field in form.fields else None, message_for(error))
            return
    add_service_error(draft, error)


@manager_only
@require_GET
def course_version(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _version(request, slug, number)
    context: dict[str, Any] = {"course": version.course, "version": version}
    if version.status == VersionStatus.DRAFT:
        draft, lessons, questions = _editor_forms(request, version)
        context.update(draft_form=draft, lesson_forms=lessons, question_forms=questions)
    return render(request, "web/manage/course_version.html", context)


@manager_only
@require_POST
def course_version_write(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _version(request, slug, number)
    if version.status != VersionStatus.DRAFT:
        messages.error(request, _("A published version is never changed: start a new draft."))
        return redirect("web:manage-course", slug)
    forms = _sent_forms(request.POST)
    draft, lessons, questions = forms
    if all(form.is_valid() for form in (draft, *lessons, *questions)):
        kept_lessons = [(form, form.lesson()) for form in lessons]
        kept_questions = [(form, form.question()) for form in questions]
        rows: dict[str, list[Any]] = {
            "lessons": [form for form, lesson in kept_lessons if lesson is not None],
            "questions": [form for form, question in kept_questions if question is not None],
        }
        try:
            course_draft_write(
                actor=me_of(request),
                version=version,
                titles=texts_of(draft.cleaned_data, "title"),
                summaries=texts_of(draft.cleaned_data, "summary"),
                lessons=[lesson for _form, lesson in kept_lessons if lesson is not None],
                questions=[q for _form, q in kept_questions if q is not None],
                pass_mark=draft.cleaned_data["pass_mark"],
                questions_per_attempt=draft.cleaned_data["questions_per_attempt"],
            )
        except ApplicationError as error:
            _place_error(error, draft, rows)
        else:
            messages.success(request, _("The draft is saved."))
            return redirect("web:manage-course-version", slug, number)
    # Back on the editor at its own address, every lesson and question as sent: a reload
    # resends nothing
    page = reverse("web:manage-course-version", args=[slug, number])
    return refused_together(request, [draft, *lessons, *questions], page, "draft", _counts(forms))


@manager_only
@require_POST
def course_version_publish_view(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _version(request, slug, number)
    try:
        course_version_publish(actor=me_of(request), version=version)
    except ApplicationError as error:
        messages.error(request, message_for(error))
        return redirect("web:manage-course-version", slug, number)
    messages.success(request, _("The version is published: helpers take it from now on."))
    return redirect("web:manage-course", slug)
