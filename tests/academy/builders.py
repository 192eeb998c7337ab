"""Courses for the academy's tests: a draft body the manager's API takes, and a published
course made through the services (as the manager would)."""

from __future__ import annotations

from typing import Any

from academy.models import Course, QuizAttempt
from academy.services import (
    LessonInput,
    OptionInput,
    QuestionInput,
    course_create,
    course_draft_write,
    course_version_publish,
)
from backend.models import User
from catalogue.models import ServiceCategory
from tests.factories import ManagerFactory

LANGUAGES = ("de", "fr", "it", "en")


def texts(name: str, label: str) -> dict[str, str]:
    return {f"{name}_{language}": f"{label} ({language})" for language in LANGUAGES}


def draft_body(*, questions: int = 2, per_attempt: int = 2, pass_mark: int = 2) -> dict[str, Any]:
    """A whole draft for the manager's API: one lesson, `questions` questions with a right
    (the first) and a wrong answer."""
    return {
        **texts("title", "Smart-home set-up"),
        **texts("summary", "Set up lights and plugs safely"),
        "pass_mark": pass_mark,
        "questions_per_attempt": per_attempt,
        "lessons": [
            {
                **texts("title", "Before you start"),
                **texts("body", "Ask for the router's password; never write it down."),
                "video_url": "https://video.example.ch/smart-home-1",
            }
        ],
        "questions": [
            {
                **texts("text", f"Question {number}"),
                "options": [
                    {**texts("text", "Right"), "is_correct": True},
                    {**texts("text", "Wrong"), "is_correct": False},
                ],
            }
            for number in range(1, questions + 1)
        ],
    }


def _by_language(values: dict[str, Any], name: str) -> dict[str, str]:
    return {language: values.get(f"{name}_{language}", "") for language in LANGUAGES}


def publish_course(
    slug: str = "smart-home-set-up",
    *,
    required_for: tuple[str, ...] = (),
    required_for_all: bool = False,
    validity_months: int = 24,
    manager: User | None = None,
    publish: bool = True,
    **draft: Any,
) -> Course:
    """A course made and (unless `publish` is false) published through the services."""
    manager = manager or ManagerFactory.create()
    body = draft_body(**draft)
    course = course_create(
        actor=manager,
        slug=slug,
        titles=_by_language(body, "title"),
        required_for_all=required_for_all,
        required_for=list(
            ServiceCategory.objects.filter(slug__in=required_for).values_list("pk", flat=True)
        ),
        validity_months=validity_months,
    )
    version = course.versions.get()
    course_draft_write(
        actor=manager,
        version=version,
        titles=_by_language(body, "title"),
        summaries=_by_language(body, "summary"),
        pass_mark=body["pass_mark"],
        questions_per_attempt=body["questions_per_attempt"],
        lessons=[
            LessonInput(
                titles=_by_language(lesson, "title"),
                bodies=_by_language(lesson, "body"),
                video_url=lesson.get("video_url", ""),
            )
            for lesson in body["lessons"]
        ],
        questions=[
            QuestionInput(
                texts=_by_language(question, "text"),
                options=[
                    OptionInput(texts=_by_language(option, "text"), is_correct=option["is_correct"])
                    for option in question["options"]
                ],
            )
            for question in body["questions"]
        ],
    )
    if publish:
        course_version_publish(actor=manager, version=version)
    return course


def right_answers(attempt: QuizAttempt) -> list[dict[str, int]]:
    """The right answer of each drawn question, as the API takes them."""
    rows = []
    for question_id in attempt.question_ids:
        option = attempt.version.questions.get(pk=question_id).options.get(is_correct=True)
        rows.append({"question": question_id, "option": option.pk})
    return rows
