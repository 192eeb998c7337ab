"""The back office publishes a new version of the code-of-conduct test from a copy of the
current one; published versions stay read-only."""

from __future__ import annotations

import json

import pytest

from helpers.models import ConductTestVersion
from tests.admin_world import admin_url, make_user, manager_client  # noqa: F401 - a fixture
from tests.factories import publish_conduct_test

pytestmark = pytest.mark.django_db

PUBLISH = "/admin/helpers/conducttestversion/publish/"


def test_the_publish_page_starts_from_a_copy_of_the_current_version(manager_client):  # noqa: F811
    publish_conduct_test(questions=3, per_attempt=2, pass_mark=1)

    response = manager_client.get(PUBLISH)

    assert response.status_code == 200
    form = response.context["form"]
    copy = json.loads(form.initial["questions"])
    assert [question["en"] for question in copy] == [
        "Question 1 (en)",
        "Question 2 (en)",
        "Question 3 (en)",
    ]
    assert [option["correct"] for option in copy[0]["options"]] == [True, False, False]
    assert (form.initial["pass_mark"], form.initial["questions_per_attempt"]) == (1, 2)


def test_publishing_a_changed_copy_makes_version_two_and_leaves_version_one(manager_client):  # noqa: F811
    first = publish_conduct_test(questions=3, per_attempt=2, pass_mark=1)
    copy = json.loads(manager_client.get(PUBLISH).context["form"].initial["questions"])
    copy[0]["en"] = "Who keeps the customer's passwords?"

    response = manager_client.post(
        PUBLISH,
        {
            "pass_mark": "2",
            "questions_per_attempt": "2",
            "max_attempts": "3",
            "waiting_hours": "48",
            "questions": json.dumps(copy),
        },
    )

    assert response.status_code == 302
    second = ConductTestVersion.objects.get(number=2)
    assert response.headers["Location"] == admin_url(ConductTestVersion, "change", second.pk)
    assert second.questions.get(position=1).text_en == "Who keeps the customer's passwords?"
    assert first.questions.get(position=1).text_en == "Question 1 (en)"
    assert second.pass_mark == 2


def test_a_refused_version_is_shown_on_the_form_and_nothing_is_published(manager_client):  # noqa: F811
    publish_conduct_test(questions=3, per_attempt=2, pass_mark=1)
    copy = json.loads(manager_client.get(PUBLISH).context["form"].initial["questions"])
    for option in copy[0]["options"]:
        option["correct"] = True

    response = manager_client.post(
        PUBLISH,
        {
            "pass_mark": "1",
            "questions_per_attempt": "2",
            "max_attempts": "3",
            "waiting_hours": "48",
            "questions": json.dumps(copy),
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "questions": ["questions[0].options: Exactly one answer of each question is right."]
    }
    assert ConductTestVersion.objects.count() == 1


def test_someone_not_staff_cannot_reach_the_publish_page(client):
    client.force_login(make_user("nina"))

    response = client.get(PUBLISH)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login/")
