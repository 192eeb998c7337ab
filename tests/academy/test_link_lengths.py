"""A link longer than its column holds is refused with the field named, on every path that
writes one (a course draft's lesson, an event), and nothing is stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from academy.models import Course, CourseVersion, Lesson, TrainingEvent
from tests.academy.builders import draft_body, texts
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import ManagerFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))
LONG_LINK = "https://video.example.ch/" + "a" * 300


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_a_lesson_link_longer_than_its_column_is_refused_and_nothing_is_stored(frozen):
    manager = client_for(ManagerFactory.create())
    created = manager.post(
        f"{API}/manager/academy/courses",
        {"slug": "smart-home", **texts("title", "Smart home"), "validity_months": 24},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = draft_body(questions=1, per_attempt=1, pass_mark=1)
    body["lessons"][0]["video_url"] = LONG_LINK

    response = manager.put(
        f"{API}/manager/academy/courses/smart-home/versions/1", body, format="json"
    )

    assert_error(response, 400, "max_length", {"lessons[0].video_url"})
    version = CourseVersion.objects.get(course=Course.objects.get(slug="smart-home"))
    assert not Lesson.objects.filter(version=version).exists()


def test_an_event_link_longer_than_its_column_is_refused_and_nothing_is_stored(frozen):
    start = T0 + timedelta(days=7)
    response = client_for(ManagerFactory.create()).post(
        f"{API}/manager/academy/events",
        {
            "kind": "meetup",
            **texts("title", "Smart-home evening"),
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "capacity": 10,
            "online_url": LONG_LINK,
        },
        format="json",
    )

    assert_error(response, 400, "max_length", {"online_url"})
    assert not TrainingEvent.objects.exists()
