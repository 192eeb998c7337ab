"""A course's or an event's title becomes the subject of e-mails: a line break in it is refused
where it is written (`forbidden_characters`, naming the field, nothing stored), and an e-mail
built from a title stored before that check still goes out, its subject on one line."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from academy.models import Course, CourseVersion, TrainingEvent
from backend.emails import subject_line
from tests.academy.builders import draft_body, texts
from tests.academy.test_academy_api import create_event
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import ManagerFactory, make_helper

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))
EVENTS = ("post", "/api/v1/manager/academy/events")


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _event(title_fr: str) -> dict[str, object]:
    start = T0 + timedelta(days=7)
    return {
        "kind": "meetup",
        **texts("title", "Smart-home evening"),
        "title_fr": title_fr,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "capacity": 10,
        "place": "GZ Wipkingen, Zürich",
    }


@pytest.mark.parametrize("title", ["Soirée\nBcc: victim@example.ch", "Soirée\r\nX", "Soirée\rX"])
def test_an_event_title_with_a_line_break_is_refused_and_nothing_is_stored(frozen, title):
    manager = client_for(ManagerFactory.create())

    response = manager.post(f"{API}/manager/academy/events", _event(title), format="json")

    assert_error(response, 400, "forbidden_characters", {"title_fr"}, documented_in=EVENTS)
    assert TrainingEvent.objects.count() == 0


def test_a_course_title_with_a_line_break_is_refused_and_nothing_is_stored(frozen):
    manager = client_for(ManagerFactory.create())
    body = {"slug": "smart-home", **texts("title", "Smart home"), "validity_months": 24}

    refused = manager.post(
        f"{API}/manager/academy/courses", {**body, "title_de": "Smart\nHome"}, format="json"
    )

    assert_error(refused, 400, "forbidden_characters", {"title_de"})
    assert Course.objects.count() == 0


def test_a_draft_with_a_line_break_in_its_title_or_a_lesson_title_is_refused(frozen):
    manager = client_for(ManagerFactory.create())
    created = manager.post(
        f"{API}/manager/academy/courses",
        {"slug": "smart-home", **texts("title", "Smart home"), "validity_months": 24},
        format="json",
    )
    assert created.status_code == 201, created.content
    url = f"{API}/manager/academy/courses/smart-home/versions/1"
    course_title = {**draft_body(questions=1, per_attempt=1, pass_mark=1), "title_it": "Casa\nX"}
    lesson_title = draft_body(questions=1, per_attempt=1, pass_mark=1)
    lesson_title["lessons"][0]["title_en"] = "Before\nyou start"

    refused = [manager.put(url, body, format="json") for body in (course_title, lesson_title)]

    assert_error(refused[0], 400, "forbidden_characters", {"title_it"})
    assert_error(refused[1], 400, "forbidden_characters", {"lessons[0].title_en"})
    version = CourseVersion.objects.get(course__slug="smart-home")
    assert (version.title_it, version.title_en, version.lessons.count()) == (
        "Smart home (it)",
        "Smart home (en)",
        0,
    )


def test_a_title_stored_with_a_line_break_still_makes_a_one_line_subject(
    frozen, django_capture_on_commit_callbacks
):
    # Given an event whose English title was stored with line breaks before the check
    manager = client_for(ManagerFactory.create())
    event_id = create_event(manager, capacity=5)
    TrainingEvent.objects.filter(public_id=event_id).update(
        title_en="Smart-home\r\nBcc: victim@example.ch\n\tevening"
    )
    helper = make_helper(preferred_language="en")
    client_for(helper.user).post(
        f"{API}/helper/academy/events/{event_id}/register", {}, format="json"
    )

    # When the manager cancels it
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            f"{API}/manager/academy/events/{event_id}/cancel",
            {"reason": "The room is flooded."},
            format="json",
        )

    # Then the helper is told, the subject on one line
    assert response.status_code == 200, response.content
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([helper.user.email], "Cancelled: Smart-home Bcc: victim@example.ch evening")
    ]
    assert mail.outbox[0].message()["Subject"] == (
        "Cancelled: Smart-home Bcc: victim@example.ch evening"
    )
    assert mail.outbox[0].message()["Bcc"] is None


def test_a_subject_line_collapses_every_run_of_white_space():
    assert subject_line(" Cancelled:\u2028Smart\r\n home \x0b\x0cevening\x85 ") == (
        "Cancelled: Smart home evening"
    )
