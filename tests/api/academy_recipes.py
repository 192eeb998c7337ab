"""The codes of the training academy: the course, attempt, event or certification each rule
needs, then the request that meets it (used by tests/api/test_every_code_provoked.py)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone

from academy.models import (
    Certification,
    CertificationSource,
    EventKind,
    QuizAttempt,
    TrainingEvent,
)
from academy.services import course_create, course_draft_start, event_register
from academy.services import training_event_cancel as cancel_event
from helpers.services import helper_suspend
from tests.academy.builders import draft_body, publish_course, right_answers, texts
from tests.api.code_recipes import Operation, World, send
from tests.api.domain_recipes import V1, Recipe, _add
from tests.factories import make_helper

COURSES = V1 + "/manager/academy/courses"
COURSE = COURSES + "/{slug}"
VERSION = COURSE + "/versions/{number}"
QUIZ = V1 + "/helper/academy/courses/{slug}/quiz"
SUBMIT = V1 + "/helper/academy/quiz-attempts/{quiz_attempt_id}/submit"
REGISTER = V1 + "/helper/academy/events/{event_id}/register"
CANCEL_REGISTRATION = V1 + "/helper/academy/events/{event_id}/cancel"
EVENTS = V1 + "/manager/academy/events"
EVENT = EVENTS + "/{event_id}"
REVOKE = V1 + "/manager/academy/certifications/{certification_id}/revoke"
SLUG = "recipe-course"


def event_body() -> dict[str, Any]:
    start = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    return {
        "kind": "training",
        **texts("title", "Routers from the ground up"),
        **texts("description", "Bring your laptop."),
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 1,
        "place": "Gemeinschaftszentrum Wipkingen",
    }


def academy_bodies() -> dict[tuple[str, str], dict[str, Any]]:
    """A body each academy operation's serializer accepts, field by field."""
    return {
        ("post", COURSES): {
            "slug": "new-course",
            "required_for": ["internet-wifi"],
            "validity_months": 24,
            **texts("title", "A new course"),
        },
        ("post", COURSE + "/requirements"): {
            "required_for_all": False,
            "required_for": ["internet-wifi"],
            "validity_months": 12,
        },
        ("put", VERSION): draft_body(),
        ("post", SUBMIT): {"answers": [{"question": 1, "option": 1}]},
        ("post", REGISTER): {"join_waiting_list": False},
        ("post", V1 + "/helper/academy/calendar-feed"): {"renew": False},
        ("post", REVOKE): {"reason": "Left a customer's door open."},
        ("post", EVENTS): event_body(),
        ("post", EVENT + "/cancel"): {"reason": "The room is not free."},
        ("post", EVENT + "/attendance"): {"attended": []},
    }


def _event(world: World, *, capacity: int = 1, **fields: Any) -> TrainingEvent:
    start = fields.pop("starts_at", timezone.now() + timedelta(days=7))
    return TrainingEvent.objects.create(
        kind=EventKind.TRAINING,
        title_en="Recipe event",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=capacity,
        place="Zürich",
        created_by=world.manager,
        **fields,
    )


def prepare_academy(world: World, operation: Operation) -> None:
    """A published course (and the draft after it for a draft's operations), an attempt under
    way, an event in a week and a certification, for the operations on them."""
    method, path = operation
    if "academy" not in path:
        return
    if "{slug}" in path:
        course = publish_course(SLUG, manager=world.manager, questions=3, per_attempt=2)
        world.overrides["slug"] = SLUG
        number = 1
        if path.startswith(VERSION) and (method == "put" or path.endswith("/publish")):
            number = course_draft_start(actor=world.manager, course=course).number
        world.overrides["number"] = str(number)
    if "{quiz_attempt_id}" in path:
        course = publish_course(SLUG, manager=world.manager, questions=3, per_attempt=2)
        attempt = QuizAttempt.objects.create(
            helper=world.helper,
            version=course.versions.get(),
            question_ids=list(course.versions.get().questions.values_list("pk", flat=True)[:2]),
        )
        world.overrides["quiz_attempt_id"] = str(attempt.public_id)
    if "{event_id}" in path:
        world.overrides["event_id"] = str(_event(world).public_id)
    if "{certification_id}" in path:
        course = publish_course(SLUG, manager=world.manager)
        now = timezone.now()
        certification = Certification.objects.create(
            helper=world.helper,
            course=course,
            source=CertificationSource.QUIZ,
            earned_at=now,
            expires_at=now + timedelta(days=700),
        )
        world.overrides["certification_id"] = str(certification.pk)


def _twice(world: World, operation: Operation, **changes: Any) -> Any:
    send(world, operation, **changes)
    return send(world, operation, **changes)


def _twice_recipe(**changes: Any) -> Recipe:
    return lambda world, operation: _twice(world, operation, **changes)


def _attempt(world: World) -> QuizAttempt:
    return QuizAttempt.objects.get(public_id=world.overrides["quiz_attempt_id"])


def _answers(change: Any = None) -> Recipe:
    def recipe(world: World, operation: Operation) -> Any:
        attempt = _attempt(world)
        answers = right_answers(attempt)
        if change is not None:
            answers = change(attempt, answers)
        return send(world, operation, answers=answers)

    return recipe


def _not_drawn(attempt: QuizAttempt, answers: list[dict[str, int]]) -> Any:
    other = attempt.version.questions.exclude(pk__in=attempt.question_ids).get()
    return [*answers, {"question": other.pk, "option": other.options.first().pk}]  # type: ignore[union-attr]


def _other_option(attempt: QuizAttempt, answers: list[dict[str, int]]) -> Any:
    first, second = answers
    return [{"question": first["question"], "option": second["option"]}, second]


def _event_of(world: World) -> TrainingEvent:
    return TrainingEvent.objects.get(public_id=world.overrides["event_id"])


def _cancelled(world: World, operation: Operation) -> Any:
    cancel_event(actor=world.manager, event=_event_of(world), reason="No room.")
    return send(world, operation)


def _full(world: World, operation: Operation) -> Any:
    other = make_helper()
    event_register(helper=other, actor=other.user, event=_event_of(world))
    return send(world, operation)


def _registered_then_started(world: World, operation: Operation) -> Any:
    event = _event_of(world)
    event_register(helper=world.helper, actor=world.helper.user, event=event)
    with time_machine.travel(event.starts_at + timedelta(minutes=5), tick=False):
        return send(world, operation)


def _started(world: World, operation: Operation, **changes: Any) -> Any:
    event = _event(world, starts_at=timezone.now() - timedelta(minutes=30))
    return send(world, operation, params={"event_id": str(event.public_id)}, **changes)


def _fresh_course(world: World, operation: Operation) -> Any:
    course = course_create(actor=world.manager, slug="fresh-course", titles=_titles())
    return send(world, operation, params={"slug": course.slug, "number": "1"})


def _titles() -> dict[str, str]:
    return {language: f"Fresh ({language})" for language in ("de", "fr", "it", "en")}


def _published_version(world: World, operation: Operation, **changes: Any) -> Any:
    return send(world, operation, params={"slug": SLUG, "number": "1"}, **changes)


def _revoked_twice(world: World, operation: Operation) -> Any:
    return _twice(world, operation)


def _with_course(world: World, operation: Operation) -> Any:
    publish_course(SLUG, manager=world.manager)
    return send(world, operation, kind="meetup", course=SLUG)


def _no_such(field: str, value: Any) -> Recipe:
    return lambda world, operation: send(world, operation, **{field: value})


def _as_helper(world: World, operation: Operation) -> Any:
    return send(world, operation, role="helper")


for _path in (COURSES, EVENTS):
    _add("post", _path, {(404, "not_found"): _as_helper})
_add("get", V1 + "/manager/academy/certification-gaps", {(404, "not_found"): _as_helper})
for _path in (COURSES, COURSE + "/requirements"):
    _add(
        "post",
        _path,
        {
            (400, "max_length"): _no_such("required_for", ["internet-wifi"] * 51),
            (400, "null_characters_not_allowed"): _no_such("required_for", ["ab\x00cd"]),
            (400, "surrogate_characters_not_allowed"): _no_such("required_for", ["ab\ud800cd"]),
            (400, "validation_blank"): _no_such("required_for", [""]),
        },
    )
_add(
    "post",
    SUBMIT,
    {
        (400, "max_length"): _no_such("answers", [{"question": 1, "option": 1}] * 101),
        (409, "quiz_already_submitted"): lambda world, operation: (
            _answers()(world, operation),
            _answers()(world, operation),
        )[1],
        (400, "quiz_question_not_drawn"): _answers(_not_drawn),
        (400, "quiz_answered_twice"): _answers(lambda attempt, answers: answers * 2),
        (400, "quiz_answer_missing"): _answers(lambda attempt, answers: answers[:1]),
        (400, "quiz_option_not_of_question"): _answers(_other_option),
    },
)
_add(
    "post",
    REGISTER,
    {
        (409, "already_registered"): _twice_recipe(),
        (409, "event_closed"): _cancelled,
        (409, "event_full"): _full,
    },
)
_add(
    "post",
    CANCEL_REGISTRATION,
    {
        (409, "not_registered"): lambda world, operation: send(world, operation),
        (409, "event_closed"): _registered_then_started,
    },
)
_add(
    "post",
    REVOKE,
    {(409, "certification_already_revoked"): _revoked_twice},
)
_add(
    "post",
    COURSES,
    {
        (400, "course_rules_invalid"): _no_such("validity_months", 0),
        (400, "invalid_choice"): _no_such("required_for", ["no-such-category"]),
    },
)
_add(
    "post",
    COURSE + "/requirements",
    {
        (400, "course_rules_invalid"): _no_such("validity_months", 121),
        (400, "invalid_choice"): _no_such("required_for", ["no-such-category"]),
    },
)
_add(
    "post",
    VERSION + "/publish",
    {
        (400, "course_incomplete"): _fresh_course,
        (409, "course_not_draft"): _published_version,
    },
)
_add(
    "put",
    VERSION,
    {
        (400, "course_rules_invalid"): _no_such("pass_mark", 3),
        (400, "quiz_options_invalid"): lambda world, operation: send(
            world,
            operation,
            questions=[
                {
                    **texts("text", "Alone"),
                    "options": [{**texts("text", "Only"), "is_correct": True}],
                }
            ],
            questions_per_attempt=1,
            pass_mark=1,
        ),
        (409, "course_not_draft"): lambda world, operation: _published_version(world, operation),
    },
)
_add(
    "post",
    EVENTS,
    {
        (400, "event_place_required"): lambda world, operation: send(
            world, operation, place="", online_url=""
        ),
        (400, "event_times_invalid"): lambda world, operation: send(
            world,
            operation,
            starts_at=(timezone.now() - timedelta(days=1)).isoformat(),
        ),
        (400, "event_capacity_invalid"): _no_such("capacity", 0),
        (400, "event_course_invalid"): _with_course,
        (400, "invalid_choice"): _no_such("course", "no-such-course"),
    },
)
_add(
    "post",
    EVENT + "/cancel",
    {(409, "event_closed"): _twice_recipe()},
)


def _suspended(world: World, operation: Operation) -> Any:
    helper_suspend(helper=world.helper, actor=world.manager, note="Late twice.")
    return send(world, operation)


_add(
    "post",
    V1 + "/helper/academy/calendar-feed",
    {(403, "calendar_feed_closed"): _suspended},
)
_add(
    "post",
    EVENT + "/attendance",
    {
        (409, "attendance_too_early"): lambda world, operation: send(world, operation),
        (400, "max_length"): _no_such("attended", [str(uuid.uuid4())] * 1001),
        (409, "event_closed"): _cancelled,
        (409, "not_registered"): lambda world, operation: _started(
            world, operation, attended=[str(world.helper.public_id)]
        ),
    },
)
