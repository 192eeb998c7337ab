"""The codes of the online code-of-conduct test: the applicant's attempt at the state each
rule needs, then the request that meets it (used by tests/api/test_every_code_provoked.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from helpers.models import ApprovalStatus, ConductTestAttempt, HelperProfile
from tests.api.code_recipes import Operation, World, send
from tests.api.domain_recipes import V1, Recipe, _add, as_role
from tests.factories import answers_for, publish_conduct_test

START = V1 + "/helper/conduct-test/attempts"
SUBMIT = START + "/{attempt_id}/submit"
VERSIONS = V1 + "/manager/conduct-test/versions"


def _at_the_test(world: World) -> None:
    HelperProfile.objects.filter(pk=world.helper.pk).update(
        approval_status=ApprovalStatus.DOCUMENTS_CHECKED
    )


def _failed(world: World, *, submitted_at: Any, **bank: Any) -> None:
    version = publish_conduct_test(**bank)
    ConductTestAttempt.objects.create(
        helper=world.helper,
        version=version,
        number=1,
        question_ids=list(version.questions.values_list("pk", flat=True)[:8]),
        submitted_at=submitted_at,
        score=0,
        passed=False,
    )


def _start(*, version: bool = True, step: bool = True, **failed: Any) -> Recipe:
    def recipe(world: World, operation: Operation) -> Any:
        if step:
            _at_the_test(world)
        if failed:
            _failed(world, **failed)
        elif version:
            publish_conduct_test()
        return send(world, operation)

    return recipe


def prepare_conduct_test(world: World, operation: Operation) -> None:
    """An attempt of the world's helper under way, for the operations on one."""
    if "{attempt_id}" in operation[1]:
        version = publish_conduct_test(questions=3, per_attempt=2, pass_mark=1)
        attempt = ConductTestAttempt.objects.create(
            helper=world.helper,
            version=version,
            number=1,
            question_ids=list(version.questions.values_list("pk", flat=True)[:2]),
        )
        world.overrides["attempt_id"] = str(attempt.public_id)
    if "{number}" in operation[1]:
        world.overrides["number"] = str(
            publish_conduct_test(questions=2, per_attempt=1, pass_mark=1).number
        )


def _attempt(world: World) -> ConductTestAttempt:
    return ConductTestAttempt.objects.get(public_id=world.overrides["attempt_id"])


def _submit(change: Any = None, *, step: bool = True) -> Recipe:
    """The attempt's right answers, changed by `change(attempt, answers)`."""

    def recipe(world: World, operation: Operation) -> Any:
        if step:
            _at_the_test(world)
        attempt = _attempt(world)
        answers = answers_for(attempt)
        if change is not None:
            answers = change(attempt, answers)
        rows = [{"question": question, "option": option} for question, option in answers]
        return send(world, operation, answers=rows)

    return recipe


def _twice(world: World, operation: Operation) -> Any:
    _submit()(world, operation)
    return _submit()(world, operation)


def _not_drawn(attempt: ConductTestAttempt, answers: list[tuple[int, int]]) -> Any:
    other = attempt.version.questions.exclude(pk__in=attempt.question_ids).get()
    return [*answers, (other.pk, other.options.get(position=1).pk)]


def _other_option(attempt: ConductTestAttempt, answers: list[tuple[int, int]]) -> Any:
    (first, _), (second, option) = answers
    return [(first, option), (second, option)]


def _bank(**changes: Any) -> Recipe:
    def recipe(world: World, operation: Operation) -> Any:
        body = publish_body()
        body["questions"][0].update(changes.pop("question", {}))
        return send(world, operation, **{**body, **changes})

    return recipe


def texts(label: str) -> dict[str, str]:
    return {f"text_{language}": f"{label} ({language})" for language in ("de", "fr", "it", "en")}


def publish_body() -> dict[str, Any]:
    """A valid new version: one question, drawn once, with a right and a wrong answer."""
    return {
        "pass_mark": 1,
        "questions_per_attempt": 1,
        "max_attempts": 3,
        "waiting_hours": 24,
        "questions": [
            {
                **texts("Who handles the payment?"),
                "options": [
                    {**texts("Quartier"), "is_correct": True},
                    {**texts("Cash to me"), "is_correct": False},
                ],
            }
        ],
    }


_add(
    "post",
    START,
    {
        (409, "conduct_test_unavailable"): _start(version=False),
        (409, "conduct_test_not_at_this_step"): _start(step=False),
        (409, "conduct_test_attempts_exhausted"): _start(
            max_attempts=1, submitted_at=timezone.now() - timedelta(days=30)
        ),
        (409, "conduct_test_waiting_period"): _start(submitted_at=timezone.now()),
    },
)
_add(
    "post",
    SUBMIT,
    {
        (409, "conduct_test_already_submitted"): _twice,
        (409, "conduct_test_not_at_this_step"): _submit(step=False),
        (400, "conduct_test_question_not_drawn"): _submit(_not_drawn),
        (400, "conduct_test_answered_twice"): _submit(lambda attempt, answers: answers * 2),
        (400, "conduct_test_answer_missing"): _submit(lambda attempt, answers: answers[:1]),
        (400, "conduct_test_option_not_of_question"): _submit(_other_option),
        (400, "max_length"): lambda world, operation: send(
            world, operation, answers=[{"question": 1, "option": 1}] * 201
        ),
    },
)
_add(
    "post",
    VERSIONS,
    {
        (404, "not_found"): as_role("helper"),
        (400, "conduct_test_rules_invalid"): _bank(pass_mark=2),
        (400, "conduct_test_options_invalid"): _bank(
            question={"options": [{**texts("Only"), "is_correct": True}]}
        ),
    },
)
_add("get", VERSIONS, {(404, "not_found"): as_role("customer")})
