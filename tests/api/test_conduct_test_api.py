"""The code-of-conduct test over HTTP: the applicant's standing, a drawn attempt in their
language without the right answers, the result naming the wrong questions only, and the
manager's versions with their pass rates."""

from __future__ import annotations

import pytest

from helpers.models import ApprovalStatus, ConductTestAttempt, ConductTestVersion
from tests.api.api_assertions import API, assert_error, client_for
from tests.api.conduct_test_recipes import publish_body
from tests.factories import (
    ManagerFactory,
    UserFactory,
    answers_for,
    make_helper,
    publish_conduct_test,
    vet,
)

pytestmark = pytest.mark.django_db

TEST = f"{API}/helper/conduct-test"


def checked_applicant(language: str = "fr"):
    helper = make_helper(approval=ApprovalStatus.APPLIED, preferred_language=language)
    return vet(helper, to=ApprovalStatus.DOCUMENTS_CHECKED)


def test_an_applicant_takes_the_test_over_the_api():
    # Given the published test and an applicant reading French
    version = publish_conduct_test()
    helper = checked_applicant("fr")
    client = client_for(helper.user)
    assert client.get(TEST).json() == {
        "state": "can_start",
        "version": 1,
        "questions_per_attempt": 8,
        "pass_mark": 7,
        "attempts_used": 0,
        "attempts_left": 3,
        "next_attempt_from": None,
        "open_attempt": None,
    }

    # When they start an attempt
    response = client.post(f"{TEST}/attempts")

    # Then they get 8 questions in French, each option without a word on which is right
    assert response.status_code == 201
    body = response.json()
    attempt = ConductTestAttempt.objects.get(helper=helper)
    assert (body["id"], body["number"], body["version"]) == (str(attempt.public_id), 1, 1)
    assert (body["language"], body["pass_mark"]) == ("fr", 7)
    assert [question["id"] for question in body["questions"]] == attempt.question_ids
    first = body["questions"][0]
    assert set(first) == {"id", "text", "options"}
    assert first["text"].endswith("(fr)")
    assert [set(option) for option in first["options"]] == [{"id", "text"}] * 3
    assert version.questions.count() == 12

    # When they submit two wrong answers and six right ones
    answers = answers_for(attempt, wrong=2)
    response = client.post(
        f"{TEST}/attempts/{attempt.public_id}/submit",
        {"answers": [{"question": q, "option": o} for q, o in answers]},
        format="json",
    )

    # Then the result names the wrong questions, not the right answers
    assert response.status_code == 200
    result = response.json()
    assert {key: result[key] for key in ("score", "out_of", "pass_mark", "passed")} == {
        "score": 6,
        "out_of": 8,
        "pass_mark": 7,
        "passed": False,
    }
    assert result["wrong_questions"] == attempt.question_ids[:2]
    standing = client.get(TEST).json()
    assert (standing["state"], standing["attempts_left"]) == ("waiting", 2)
    assert standing["next_attempt_from"] is not None

    # And starting again is refused with the waiting period's code, nothing stored
    assert_error(
        client.post(f"{TEST}/attempts"), 409, "conduct_test_waiting_period", {"next_attempt_from"}
    )
    assert ConductTestAttempt.objects.filter(helper=helper).count() == 1


def test_the_manager_lists_versions_with_pass_rates_and_publishes_a_new_one():
    manager = ManagerFactory.create()
    publish_conduct_test(questions=3, per_attempt=2, pass_mark=1)
    helper = checked_applicant()
    client = client_for(helper.user)
    attempt_id = client.post(f"{TEST}/attempts").json()["id"]
    attempt = ConductTestAttempt.objects.get(public_id=attempt_id)
    client.post(
        f"{TEST}/attempts/{attempt_id}/submit",
        {"answers": [{"question": q, "option": o} for q, o in answers_for(attempt)]},
        format="json",
    )

    response = client_for(manager).post(
        f"{API}/manager/conduct-test/versions", publish_body(), format="json"
    )

    assert response.status_code == 201
    assert response.json()["number"] == 2
    assert [q["text_en"] for q in response.json()["questions"]] == ["Who handles the payment? (en)"]
    assert [o["is_correct"] for o in response.json()["questions"][0]["options"]] == [True, False]
    rows = client_for(manager).get(f"{API}/manager/conduct-test/versions").json()["results"]
    assert [
        (row["number"], row["question_count"], row["submitted_count"], row["passed_count"])
        for row in rows
    ] == [(2, 1, 0, 0), (1, 3, 1, 1)]


@pytest.mark.parametrize("role", ["helper", "customer"])
def test_no_one_but_the_manager_sees_or_publishes_versions(role):
    user = make_helper().user if role == "helper" else UserFactory.create()
    client = client_for(user)

    assert_error(client.get(f"{API}/manager/conduct-test/versions"), 404, "not_found", set())
    response = client.post(f"{API}/manager/conduct-test/versions", publish_body(), format="json")
    assert_error(response, 404, "not_found", set())
    assert ConductTestVersion.objects.count() == 0
