"""The demo's code-of-conduct test: twelve questions about behaving at a customer's home,
published long ago (kept across a reset, as the waivers are), and taken online by applicants
on their way to approval."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from typing import Any

from backend.models import User
from demo.history import DAY, History
from demo.texts import data_dir
from helpers.conduct_test_selectors import conduct_test_current_version
from helpers.conduct_test_services import (
    OptionInput,
    QuestionInput,
    conduct_test_attempt_start,
    conduct_test_attempt_submit,
    conduct_test_version_publish,
)
from helpers.models import CONDUCT_TEST_LANGUAGES, ConductTestOption, HelperProfile


def _bank() -> dict[str, Any]:
    with (data_dir() / "conduct_test.toml").open("rb") as file:
        return tomllib.load(file)


def publish_demo_conduct_test(history: History, manager: User) -> None:
    """Version 1 of the test, unless a version is published already."""
    if conduct_test_current_version() is not None:
        return
    bank = _bank()
    questions = [
        QuestionInput(
            texts={language: row[language] for language in CONDUCT_TEST_LANGUAGES},
            options=[
                OptionInput(
                    texts={language: option[language] for language in CONDUCT_TEST_LANGUAGES},
                    is_correct=number == row["correct"],
                )
                for number, option in enumerate(row["options"], start=1)
            ],
        )
        for row in bank["questions"]
    ]
    with history.at(history.now - 700 * DAY):
        conduct_test_version_publish(
            actor=manager,
            questions=questions,
            pass_mark=bank["pass_mark"],
            questions_per_attempt=bank["questions_per_attempt"],
            max_attempts=bank["max_attempts"],
            waiting_period=timedelta(hours=bank["waiting_hours"]),
        )


def take_demo_conduct_test(helper: HelperProfile) -> None:
    """The applicant takes the current test online and answers every question rightly (the
    pass records their step, as Quartier)."""
    attempt = conduct_test_attempt_start(helper=helper, actor=helper.user)
    right = dict(
        ConductTestOption.objects.filter(
            question_id__in=attempt.question_ids, is_correct=True
        ).values_list("question_id", "pk")
    )
    answers = [(question_id, right[question_id]) for question_id in attempt.question_ids]
    conduct_test_attempt_submit(attempt=attempt, actor=helper.user, answers=answers)
