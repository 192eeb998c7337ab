"""The online code-of-conduct test: a versioned bank, attempts drawn at random, limited tries
with a waiting period, refusals that store nothing, and a pass that records the vetting step."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings

from backend.exceptions import ApplicationError
from backend.relay import relay_pending
from backend.roles import ActorRole
from helpers.conduct_test_selectors import (
    ConductTestState,
    conduct_test_current_version,
    conduct_test_standing,
)
from helpers.conduct_test_services import (
    OptionInput,
    QuestionInput,
    conduct_test_attempt_start,
    conduct_test_attempt_submit,
    conduct_test_version_publish,
)
from helpers.models import (
    ApprovalStatus,
    ConductTestAttempt,
    ConductTestOption,
    ConductTestQuestion,
    ConductTestVersion,
    HelperApprovalEvent,
    HelperProfile,
)
from tests.factories import (
    ManagerFactory,
    UserFactory,
    answers_for,
    make_helper,
    publish_conduct_test,
    vet,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def checked_applicant(**user_fields: Any) -> HelperProfile:
    """An applicant whose documents the manager has checked: the step of the test."""
    helper = make_helper(approval=ApprovalStatus.APPLIED, **user_fields)
    return vet(helper, to=ApprovalStatus.DOCUMENTS_CHECKED)


def snapshot(helper: HelperProfile) -> tuple[object, ...]:
    """Everything a refused start or submission must leave as it was."""
    return (
        HelperProfile.objects.get(pk=helper.pk).approval_status,
        HelperApprovalEvent.objects.filter(helper=helper).count(),
        list(
            ConductTestAttempt.objects.filter(helper=helper)
            .order_by("number")
            .values_list("number", "submitted_at", "answers", "score", "passed")
        ),
    )


def refusal(call) -> tuple[str, int]:
    with pytest.raises(ApplicationError) as refused:
        call()
    return str(refused.value.code), refused.value.status


def test_an_applicant_passes_online_and_the_step_is_recorded_by_quartier(clock):
    # Given the published test (12 questions, 8 drawn, 7 to pass) and a checked applicant
    version = publish_conduct_test()
    helper = checked_applicant(preferred_language="de")
    relay_pending()
    mail.outbox.clear()

    # When they start an attempt
    attempt = conduct_test_attempt_start(helper=helper, actor=helper.user)

    # Then 8 different questions of the bank are drawn, nothing answered yet
    bank = set(version.questions.values_list("pk", flat=True))
    assert len(attempt.question_ids) == 8
    assert len(set(attempt.question_ids)) == 8
    assert set(attempt.question_ids) <= bank
    assert (attempt.number, attempt.version, attempt.submitted_at) == (1, version, None)
    assert conduct_test_standing(helper).state == ConductTestState.IN_PROGRESS

    # When they answer one question wrongly and the rest rightly
    result = conduct_test_attempt_submit(
        attempt=attempt, actor=helper.user, answers=answers_for(attempt, wrong=1)
    )

    # Then they pass with 7 of 8, told which question was wrong
    assert (result.attempt.score, result.attempt.passed) == (7, True)
    assert result.wrong_question_ids == [attempt.question_ids[0]]
    assert result.attempt.submitted_at == T0
    # And the application moved to "conduct test passed", recorded by Quartier (no actor)
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.CONDUCT_TEST_PASSED
    assert list(
        HelperApprovalEvent.objects.filter(helper=helper).values_list(
            "from_status", "to_status", "actor", "role"
        )
    ) == [
        (ApprovalStatus.APPLIED, ApprovalStatus.DOCUMENTS_SUBMITTED, helper.user_id, "helper"),
        (
            ApprovalStatus.DOCUMENTS_SUBMITTED,
            ApprovalStatus.DOCUMENTS_CHECKED,
            vetting_manager(helper),
            "manager",
        ),
        (
            ApprovalStatus.DOCUMENTS_CHECKED,
            ApprovalStatus.CONDUCT_TEST_PASSED,
            None,
            ActorRole.SYSTEM,
        ),
    ]
    # And they are mailed about it, as for a pass recorded by the manager
    relay_pending()
    assert [message.subject for message in mail.outbox] == [
        "Sie haben den Test zum Verhaltenskodex bestanden"
    ]
    assert conduct_test_standing(helper).state == ConductTestState.PASSED


def vetting_manager(helper: HelperProfile) -> int | None:
    return HelperApprovalEvent.objects.get(
        helper=helper, to_status=ApprovalStatus.DOCUMENTS_CHECKED
    ).actor_id


def test_a_failed_attempt_costs_a_try_and_the_next_waits_for_the_period(clock):
    # Given the test with 3 attempts and 7 days' wait, and a checked applicant
    publish_conduct_test(max_attempts=3, waiting=timedelta(days=7))
    helper = checked_applicant()
    assert conduct_test_standing(helper).attempts_left == 3

    # When they fail the first attempt (6 of 8, 7 needed)
    first = conduct_test_attempt_start(helper=helper, actor=helper.user)
    result = conduct_test_attempt_submit(
        attempt=first, actor=helper.user, answers=answers_for(first, wrong=2)
    )

    # Then it is scored and failed, the application stays, and 2 attempts are left
    assert (result.attempt.score, result.attempt.passed) == (6, False)
    assert len(result.wrong_question_ids) == 2
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.DOCUMENTS_CHECKED
    standing = conduct_test_standing(helper)
    assert (standing.state, standing.attempts_left) == (ConductTestState.WAITING, 2)
    assert standing.next_attempt_from == T0 + timedelta(days=7)

    # When they start again six days later
    clock.move_to(T0 + timedelta(days=6, hours=23))
    before = snapshot(helper)
    with pytest.raises(ApplicationError) as refused:
        conduct_test_attempt_start(helper=helper, actor=helper.user)

    # Then it is refused with the waiting period's code, saying until when; nothing stored
    assert (refused.value.code, refused.value.status) == ("conduct_test_waiting_period", 409)
    assert refused.value.message == "From 8 March 2027 at 09:00 you can try again."
    (until,) = refused.value.fields["next_attempt_from"]
    assert datetime.fromisoformat(until) == T0 + timedelta(days=7)
    assert snapshot(helper) == before

    # When the week is over
    clock.move_to(T0 + timedelta(days=7))
    second = conduct_test_attempt_start(helper=helper, actor=helper.user)

    # Then the second attempt starts
    assert second.number == 2
    assert conduct_test_standing(helper).attempts_left == 1


def test_every_attempt_used_is_refused_with_its_own_code(clock):
    # Given the test with 2 attempts and no wait, both failed
    publish_conduct_test(max_attempts=2, waiting=timedelta(0))
    helper = checked_applicant()
    for _ in range(2):
        attempt = conduct_test_attempt_start(helper=helper, actor=helper.user)
        conduct_test_attempt_submit(
            attempt=attempt, actor=helper.user, answers=answers_for(attempt, wrong=8)
        )
    standing = conduct_test_standing(helper)
    assert (standing.state, standing.attempts_left) == (ConductTestState.EXHAUSTED, 0)

    # When they start a third
    before = snapshot(helper)
    code = refusal(lambda: conduct_test_attempt_start(helper=helper, actor=helper.user))

    # Then it is refused, nothing stored
    assert code == ("conduct_test_attempts_exhausted", 409)
    assert snapshot(helper) == before


def test_starting_again_returns_the_attempt_under_way():
    publish_conduct_test()
    helper = checked_applicant()
    first = conduct_test_attempt_start(helper=helper, actor=helper.user)

    again = conduct_test_attempt_start(helper=helper, actor=helper.user)

    assert again.pk == first.pk
    assert again.question_ids == first.question_ids
    assert ConductTestAttempt.objects.filter(helper=helper).count() == 1


def test_the_draw_is_random_in_questions_and_order():
    # Given a bank of 12 questions, 8 drawn, and many applicants
    publish_conduct_test()
    draws = {
        tuple(conduct_test_attempt_start(helper=h, actor=h.user).question_ids)
        for h in (checked_applicant() for _ in range(6))
    }
    # Then the draws differ (six equal draws of 8 of 12 in order would be all but impossible)
    assert len(draws) > 1


@pytest.mark.parametrize(
    "step",
    [
        ApprovalStatus.APPLIED,
        ApprovalStatus.DOCUMENTS_SUBMITTED,
        ApprovalStatus.CONDUCT_TEST_PASSED,
        ApprovalStatus.APPROVED,
    ],
)
def test_only_an_applicant_at_documents_checked_may_start(step):
    publish_conduct_test()
    helper = make_helper(approval=step)
    before = snapshot(helper)

    code = refusal(lambda: conduct_test_attempt_start(helper=helper, actor=helper.user))

    assert code == ("conduct_test_not_at_this_step", 409)
    assert snapshot(helper) == before


def test_no_published_test_refuses_a_start():
    helper = checked_applicant()

    code = refusal(lambda: conduct_test_attempt_start(helper=helper, actor=helper.user))

    assert code == ("conduct_test_unavailable", 409)
    assert ConductTestAttempt.objects.count() == 0


def test_someone_else_may_neither_start_nor_submit_an_applicants_attempt():
    publish_conduct_test()
    helper = checked_applicant()
    stranger = UserFactory.create()
    assert refusal(lambda: conduct_test_attempt_start(helper=helper, actor=stranger)) == (
        "not_your_application",
        403,
    )
    attempt = conduct_test_attempt_start(helper=helper, actor=helper.user)
    before = snapshot(helper)

    code = refusal(
        lambda: conduct_test_attempt_submit(
            attempt=attempt, actor=stranger, answers=answers_for(attempt)
        )
    )

    assert code == ("not_your_application", 403)
    assert snapshot(helper) == before


def _not_drawn(attempt, answers):
    other = attempt.version.questions.exclude(pk__in=attempt.question_ids).first()
    return [*answers[1:], (other.pk, other.options.get(position=1).pk)]


def _foreign_option(attempt, answers):
    (first, _), (second, option), *rest = answers
    return [(first, option), (second, option), *rest]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (_not_drawn, "conduct_test_question_not_drawn"),
        (lambda attempt, answers: [*answers, answers[0]], "conduct_test_answered_twice"),
        (lambda attempt, answers: answers[:-1], "conduct_test_answer_missing"),
        (lambda attempt, answers: [], "conduct_test_answer_missing"),
        (_foreign_option, "conduct_test_option_not_of_question"),
        (
            lambda attempt, answers: [(answers[0][0], 10**9), *answers[1:]],
            "conduct_test_option_not_of_question",
        ),
    ],
    ids=["not-drawn", "twice", "one-missing", "none", "other-questions-option", "no-such-option"],
)
def test_a_bad_answer_sheet_is_refused_and_stores_nothing(change, code):
    publish_conduct_test()
    helper = checked_applicant()
    attempt = conduct_test_attempt_start(helper=helper, actor=helper.user)
    before = snapshot(helper)

    refused = refusal(
        lambda: conduct_test_attempt_submit(
            attempt=attempt, actor=helper.user, answers=change(attempt, answers_for(attempt))
        )
    )

    assert refused == (code, 400)
    assert snapshot(helper) == before
    assert conduct_test_standing(helper).state == ConductTestState.IN_PROGRESS


def test_an_attempt_is_submitted_once():
    publish_conduct_test()
    helper = checked_applicant()
    attempt = conduct_test_attempt_start(helper=helper, actor=helper.user)
    conduct_test_attempt_submit(
        attempt=attempt, actor=helper.user, answers=answers_for(attempt, wrong=3)
    )
    before = snapshot(helper)

    code = refusal(
        lambda: conduct_test_attempt_submit(
            attempt=attempt, actor=helper.user, answers=answers_for(attempt)
        )
    )

    assert code == ("conduct_test_already_submitted", 409)
    assert snapshot(helper) == before


def test_an_attempt_started_before_a_new_version_is_scored_on_its_own():
    # Given an attempt drawn from version 1
    old = publish_conduct_test(pass_mark=7)
    helper = checked_applicant()
    attempt = conduct_test_attempt_start(helper=helper, actor=helper.user)

    # When version 2 is published (a stricter pass mark) before they submit
    new = publish_conduct_test(pass_mark=8)
    assert conduct_test_current_version() == new
    result = conduct_test_attempt_submit(
        attempt=attempt, actor=helper.user, answers=answers_for(attempt, wrong=1)
    )

    # Then it is scored on version 1's questions and pass mark
    assert (result.attempt.version, result.attempt.score, result.attempt.passed) == (old, 7, True)


def test_an_application_moved_on_meanwhile_refuses_the_submission():
    publish_conduct_test()
    helper = checked_applicant()
    attempt = conduct_test_attempt_start(helper=helper, actor=helper.user)
    HelperProfile.objects.filter(pk=helper.pk).update(
        approval_status=ApprovalStatus.NEEDS_INFORMATION
    )
    before = snapshot(helper)

    code = refusal(
        lambda: conduct_test_attempt_submit(
            attempt=attempt, actor=helper.user, answers=answers_for(attempt)
        )
    )

    assert code == ("conduct_test_not_at_this_step", 409)
    assert snapshot(helper) == before


def _bank_rows() -> tuple[int, int, int]:
    return (
        ConductTestVersion.objects.count(),
        ConductTestQuestion.objects.count(),
        ConductTestOption.objects.count(),
    )


def _question(*, correct: int = 1, options: int = 3, text: str = "Q") -> QuestionInput:
    return QuestionInput(
        texts={language: f"{text} {language}".strip() for language in ("de", "fr", "it", "en")}
        | ({"de": " "} if text == " " else {}),
        options=[
            OptionInput(
                texts={language: f"A{n} {language}" for language in ("de", "fr", "it", "en")},
                is_correct=n < correct,
            )
            for n in range(options)
        ],
    )


@pytest.mark.parametrize(
    ("questions", "rules", "code", "field"),
    [
        (
            [_question()],
            {"pass_mark": 2, "questions_per_attempt": 1},
            "conduct_test_rules_invalid",
            "pass_mark",
        ),
        (
            [_question()],
            {"questions_per_attempt": 2},
            "conduct_test_rules_invalid",
            "questions_per_attempt",
        ),
        ([], {}, "conduct_test_rules_invalid", "questions"),
        ([_question()], {"max_attempts": 0}, "conduct_test_rules_invalid", "max_attempts"),
        ([_question(correct=0)], {}, "conduct_test_options_invalid", "questions[0].options"),
        ([_question(correct=2)], {}, "conduct_test_options_invalid", "questions[0].options"),
        ([_question(options=1)], {}, "conduct_test_options_invalid", "questions[0].options"),
        ([_question(text=" ")], {}, "conduct_test_text_required", "questions[0].text_de"),
        ([_question(text="x" * 600)], {}, "max_length", "questions[0].text_de"),
    ],
)
def test_a_bad_bank_is_refused_and_nothing_is_published(questions, rules, code, field):
    manager = ManagerFactory.create()
    arguments = {
        "pass_mark": 1,
        "questions_per_attempt": 1,
        "max_attempts": 3,
        "waiting_period": timedelta(days=1),
        **rules,
    }

    with pytest.raises(ApplicationError) as refused:
        conduct_test_version_publish(actor=manager, questions=questions, **arguments)

    assert (refused.value.code, list(refused.value.fields)) == (code, [field])
    assert _bank_rows() == (0, 0, 0)


def test_only_a_manager_publishes():
    with pytest.raises(ApplicationError) as refused:
        conduct_test_version_publish(
            actor=UserFactory.create(),
            questions=[_question()],
            pass_mark=1,
            questions_per_attempt=1,
            max_attempts=1,
            waiting_period=timedelta(0),
        )
    assert (refused.value.code, refused.value.status) == ("manager_only", 403)
    assert _bank_rows() == (0, 0, 0)


def test_a_published_version_is_never_changed_a_new_one_is_published():
    # Given version 1, answered by an applicant
    first = publish_conduct_test(questions=3, per_attempt=2, pass_mark=1)
    helper = checked_applicant()
    attempt = conduct_test_attempt_start(helper=helper, actor=helper.user)
    conduct_test_attempt_submit(attempt=attempt, actor=helper.user, answers=answers_for(attempt))
    rows_before = list(
        ConductTestQuestion.objects.filter(version=first).values_list("pk", "text_en")
    )

    # When the manager publishes a changed copy
    second = conduct_test_version_publish(
        actor=ManagerFactory.create(),
        questions=[_question(text="Changed"), _question(text="New")],
        pass_mark=2,
        questions_per_attempt=2,
        max_attempts=2,
        waiting_period=timedelta(days=3),
    )

    # Then it is version 2, current, and version 1 and its attempt are as they were
    assert (second.number, conduct_test_current_version()) == (2, second)
    assert (
        list(ConductTestQuestion.objects.filter(version=first).values_list("pk", "text_en"))
        == rows_before
    )
    assert ConductTestAttempt.objects.get(pk=attempt.pk).version == first
    # And the back office shows versions, questions and answers read-only
    from django.contrib import admin

    for model in (ConductTestVersion, ConductTestQuestion, ConductTestAttempt):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_change_permission(request=None, obj=first)
        assert not model_admin.has_delete_permission(request=None, obj=first)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_submissions_of_one_attempt_at_once_score_it_once():
    # Given an attempt under way
    publish_conduct_test()
    helper = checked_applicant()
    attempt = conduct_test_attempt_start(helper=helper, actor=helper.user)
    answers = answers_for(attempt)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait(timeout=30)
            conduct_test_attempt_submit(attempt=attempt, actor=helper.user, answers=answers)
            outcomes.append("scored")
        except ApplicationError as error:
            outcomes.append(str(error.code))
        finally:
            connection.close()

    # When two threads submit it at the same moment
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    # Then exactly one wins, the other is refused, and the step is recorded once
    assert sorted(outcomes) == ["conduct_test_already_submitted", "scored"]
    stored = ConductTestAttempt.objects.get(pk=attempt.pk)
    assert (stored.score, stored.passed) == (8, True)
    assert (
        HelperApprovalEvent.objects.filter(
            helper=helper, to_status=ApprovalStatus.CONDUCT_TEST_PASSED
        ).count()
        == 1
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_starts_at_once_make_one_attempt():
    # Given an applicant who may start
    publish_conduct_test()
    helper = checked_applicant()
    barrier = threading.Barrier(2)
    started: list[int] = []

    def start() -> None:
        try:
            barrier.wait(timeout=30)
            started.append(conduct_test_attempt_start(helper=helper, actor=helper.user).pk)
        finally:
            connection.close()

    # When two threads start an attempt at the same moment
    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then both got the one attempt there is
    attempt = ConductTestAttempt.objects.get(helper=helper)
    assert started == [attempt.pk, attempt.pk]
    assert attempt.number == 1
