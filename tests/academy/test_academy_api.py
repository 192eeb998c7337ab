"""The academy over the HTTP API: refused input stores nothing; the waiting list moves up;
the manager's cancellation tells everyone; attendance earns the certification; the calendar
feed; reminders before expiry; and what the manager sees of who lacks what."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from icalendar import Calendar

from academy.models import Certification, EventRegistration, QuizAttempt, TrainingEvent
from academy.services import certification_earn, certification_reminders_send
from bookings.models import MatchEntry
from tests.academy.builders import publish_course, right_answers, texts
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import ManagerFactory, UserFactory, make_helper

pytestmark = pytest.mark.django_db

SWISS = ZoneInfo("Europe/Zurich")
T0 = datetime(2027, 3, 2, 9, 0, tzinfo=SWISS)


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def create_event(manager: Any, *, capacity: int = 1, course: str | None = None) -> str:
    start = T0 + timedelta(days=7)
    response = manager.post(
        f"{API}/manager/academy/events",
        {
            "kind": "training",
            **texts("title", "Smart-home evening"),
            **texts("description", "Bring your phone."),
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
            "capacity": capacity,
            "place": "GZ Wipkingen, Zürich",
            "course": course,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def start_quiz(helper: Any, slug: str = "smart-home-set-up") -> QuizAttempt:
    response = client_for(helper.user).post(f"{API}/helper/academy/courses/{slug}/quiz")
    assert response.status_code == 201, response.content
    return QuizAttempt.objects.get(public_id=response.json()["id"])


# --- Refused input stores nothing ---------------------------------------------------------------


def test_an_answer_for_a_question_not_drawn_is_refused_and_nothing_is_stored(frozen):
    # Given a course whose quiz draws 2 of 3 questions, and a helper's attempt
    publish_course(questions=3, per_attempt=2, pass_mark=2)
    helper = make_helper()
    attempt = start_quiz(helper)
    other = attempt.version.questions.exclude(pk__in=attempt.question_ids).get()
    answers = [
        *right_answers(attempt),
        {"question": other.pk, "option": other.options.get(is_correct=True).pk},
    ]

    # When they answer the question not drawn too
    response = client_for(helper.user).post(
        f"{API}/helper/academy/quiz-attempts/{attempt.public_id}/submit",
        {"answers": answers},
        format="json",
    )

    # Then it is refused, naming the question, and the attempt is untouched, nobody certified
    assert_error(
        response,
        400,
        "quiz_question_not_drawn",
        {f"answers.{other.pk}"},
        documented_in=("post", "/api/v1/helper/academy/quiz-attempts/{quiz_attempt_id}/submit"),
    )
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.answers, attempt.score) == (None, {}, None)
    assert Certification.objects.count() == 0


def test_a_quiz_submitted_twice_is_refused_the_second_time(frozen):
    # Given a helper who failed the quiz (every answer wrong)
    publish_course()
    helper = make_helper()
    attempt = start_quiz(helper)
    wrong = [
        {
            "question": row["question"],
            "option": attempt.version.questions.get(pk=row["question"])
            .options.get(is_correct=False)
            .pk,
        }
        for row in right_answers(attempt)
    ]
    url = f"{API}/helper/academy/quiz-attempts/{attempt.public_id}/submit"
    first = client_for(helper.user).post(url, {"answers": wrong}, format="json")
    assert (first.status_code, first.json()["passed"], first.json()["score"]) == (200, False, 0)

    # When they submit the right answers to the same attempt
    second = client_for(helper.user).post(url, {"answers": right_answers(attempt)}, format="json")

    # Then it is refused and the failed result stands
    assert_error(second, 409, "quiz_already_submitted")
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (0, False)
    assert Certification.objects.count() == 0


def test_a_full_event_and_a_second_registration_are_refused_and_nothing_is_stored(frozen):
    # Given an event with one place, taken by a helper
    manager = client_for(ManagerFactory.create())
    event_id = create_event(manager, capacity=1)
    first, second = make_helper(), make_helper()
    url = f"{API}/helper/academy/events/{event_id}/register"
    taken = client_for(first.user).post(url, {}, format="json")
    assert (taken.status_code, taken.json()["status"]) == (201, "registered")
    before = list(EventRegistration.objects.values_list("pk", "helper_id", "status"))

    # When the same helper registers again, and another one without joining the waiting list
    again = client_for(first.user).post(url, {}, format="json")
    full = client_for(second.user).post(url, {"join_waiting_list": False}, format="json")

    # Then both are refused with their codes and nothing is stored
    assert_error(again, 409, "already_registered")
    assert_error(full, 409, "event_full")
    assert list(EventRegistration.objects.values_list("pk", "helper_id", "status")) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/manager/academy/courses"),
        ("post", "/manager/academy/courses"),
        ("post", "/manager/academy/courses/smart-home-set-up/versions/1/publish"),
        ("post", "/manager/academy/events"),
        ("get", "/manager/academy/certifications"),
        ("get", "/manager/academy/certification-gaps"),
    ],
)
def test_a_non_manager_on_a_manager_route_gets_404_and_nothing_changes(frozen, method, path):
    # Given a course written but not published, and a helper
    course = publish_course(publish=False)
    helper = make_helper()

    # When the helper calls a manager's route
    response = getattr(client_for(helper.user), method)(f"{API}{path}", {}, format="json")

    # Then it does not exist for them, and the course is still an unpublished draft
    assert_error(response, 404, "not_found")
    assert list(course.versions.values_list("number", "status")) == [(1, "draft")]
    assert TrainingEvent.objects.count() == 0


# --- Events -------------------------------------------------------------------------------------


def test_the_waiting_list_moves_up_when_someone_cancels_and_is_told(
    frozen, django_capture_on_commit_callbacks
):
    # Given an event with one place: one helper registered, one on the waiting list
    manager = client_for(ManagerFactory.create())
    event_id = create_event(manager, capacity=1)
    first = make_helper()
    waiting = make_helper(preferred_language="fr", display_name="Chloé Attente")
    url = f"{API}/helper/academy/events/{event_id}"
    client_for(first.user).post(f"{url}/register", {}, format="json")
    queued = client_for(waiting.user).post(
        f"{url}/register", {"join_waiting_list": True}, format="json"
    )
    assert (queued.status_code, queued.json()["status"]) == (201, "waiting")

    # When the first cancels
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = client_for(first.user).post(f"{url}/cancel")

    # Then their registration is cancelled and the waiting helper has the place, told in French
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    assert set(EventRegistration.objects.values_list("helper_id", "status")) == {
        (first.pk, "cancelled"),
        (waiting.pk, "registered"),
    }
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([waiting.user.email], "Une place est libre pour vous : Smart-home evening (fr)")
    ]


def test_the_manager_cancels_an_event_and_everyone_on_it_is_told(
    frozen, django_capture_on_commit_callbacks
):
    manager = client_for(ManagerFactory.create())
    event_id = create_event(manager, capacity=1)
    first, second = make_helper(), make_helper(preferred_language="en")
    url = f"{API}/helper/academy/events/{event_id}/register"
    client_for(first.user).post(url, {}, format="json")
    client_for(second.user).post(url, {"join_waiting_list": True}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(
            f"{API}/manager/academy/events/{event_id}/cancel",
            {"reason": "The room is flooded."},
            format="json",
        )

    assert response.status_code == 200, response.content
    assert set(EventRegistration.objects.values_list("status", flat=True)) == {"cancelled"}
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (first.user.email, "Abgesagt: Smart-home evening (de)"),
            (second.user.email, "Cancelled: Smart-home evening (en)"),
        ]
    )
    assert "The room is flooded." in mail.outbox[0].body


def test_attendance_at_a_training_earns_the_course_certification_once(frozen):
    # Given a training that grants the smart-home course, with one helper registered
    publish_course(required_for=("smart-home",))
    manager = client_for(ManagerFactory.create())
    event_id = create_event(manager, capacity=5, course="smart-home-set-up")
    helper = make_helper(skills=("smart-home",))
    client_for(helper.user).post(
        f"{API}/helper/academy/events/{event_id}/register", {}, format="json"
    )
    url = f"{API}/manager/academy/events/{event_id}/attendance"
    body = {"attended": [str(helper.public_id)]}

    # When the manager marks attendance before it starts, it is refused
    assert_error(manager.post(url, body, format="json"), 409, "attendance_too_early")
    assert Certification.objects.count() == 0

    # When they mark it once the training has started, twice
    frozen.move_to(T0 + timedelta(days=7, minutes=10))
    marked = manager.post(url, body, format="json")
    manager.post(url, body, format="json")

    # Then the helper attended and holds one certification from the event, smart-home indexed
    assert marked.status_code == 200, marked.content
    assert [(r["helper"], r["attended"]) for r in marked.json()["registrations"]] == [
        (str(helper.public_id), True)
    ]
    assert list(Certification.objects.values_list("helper_id", "source")) == [(helper.pk, "event")]
    assert list(
        MatchEntry.objects.filter(helper=helper).values_list("category__slug", flat=True)
    ) == ["smart-home"]


def test_the_calendar_feed_lists_my_events_in_swiss_time_behind_a_secret_address(frozen):
    manager = client_for(ManagerFactory.create())
    event_id = create_event(manager, capacity=1)
    helper, other = make_helper(), make_helper()
    client_for(helper.user).post(
        f"{API}/helper/academy/events/{event_id}/register", {}, format="json"
    )
    client_for(other.user).post(
        f"{API}/helper/academy/events/{event_id}/register",
        {"join_waiting_list": True},
        format="json",
    )

    feed = client_for(helper.user).post(f"{API}/helper/academy/calendar-feed", {}, format="json")
    url = feed.json()["url"]
    response = client_for(None).get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    events = list(calendar.walk("VEVENT"))
    # In the helper's language (German), whoever's calendar app fetches it
    assert [(str(e["summary"]), e["status"], e.decoded("dtstart")) for e in events] == [
        ("Smart-home evening (de)", "CONFIRMED", T0 + timedelta(days=7))
    ]
    assert str(events[0]["dtstart"].params["TZID"]) == "Europe/Zurich"
    # A renewed secret shuts the old address; a made-up one finds nothing
    renewed = client_for(helper.user).post(
        f"{API}/helper/academy/calendar-feed", {"renew": True}, format="json"
    )
    assert renewed.json()["url"] != url
    assert client_for(None).get(url).status_code == 404


def test_reminders_go_out_30_and_7_days_before_expiry_once_each_in_the_helpers_language(frozen):
    course = publish_course(validity_months=1)
    helper = make_helper(preferred_language="it")
    attempt = start_quiz(helper)
    client_for(helper.user).post(
        f"{API}/helper/academy/quiz-attempts/{attempt.public_id}/submit",
        {"answers": right_answers(attempt)},
        format="json",
    )
    certification = Certification.objects.get(course=course)
    assert certification.expires_at == datetime(2027, 4, 2, 9, 0, tzinfo=SWISS)
    mail.outbox.clear()

    # 30 days ahead: one reminder; run again: none
    frozen.move_to(certification.expires_at - timedelta(days=29))
    assert certification_reminders_send() == 1
    assert certification_reminders_send() == 0
    # 7 days ahead: the second; then none
    frozen.move_to(certification.expires_at - timedelta(days=6))
    assert certification_reminders_send() == 1
    assert certification_reminders_send() == 0

    assert [m.subject for m in mail.outbox] == [
        "La sua certificazione «Smart-home set-up (it)» scade presto",
        "La sua certificazione «Smart-home set-up (it)» scade presto",
    ]
    assert "scade tra 29 giorni, in data 2 aprile 2027" in mail.outbox[0].body
    assert "scade tra 6 giorni, in data 2 aprile 2027" in mail.outbox[1].body


def test_the_manager_sees_who_lacks_what(frozen):
    publish_course(required_for=("smart-home",))
    make_helper(skills=("smart-home", "internet-wifi"))
    make_helper(skills=("smart-home",))
    manager = client_for(ManagerFactory.create())
    customer = client_for(UserFactory.create())
    start = (T0 + timedelta(days=2)).replace(hour=10)
    customer.post(
        f"{API}/help-requests",
        {
            "category": "smart-home",
            "description": "The lights do not answer.",
            "street": "Bahnhofstrasse 1",
            "postal_code": "8001",
            "locality": "Zürich",
            "windows": [
                {
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=4)).isoformat(),
                }
            ],
        },
        format="json",
    )

    response = manager.get(f"{API}/manager/academy/certification-gaps")

    assert response.status_code == 200
    body = response.json()
    rows = {row["category"]: row for row in body["categories"]}
    assert rows["smart-home"] == {
        "category": "smart-home",
        "required_courses": ["Smart-home set-up (en)"],
        "helpers_skilled": 2,
        "helpers_certified": 0,
        "helpers_lacking": 2,
    }
    assert (
        rows["internet-wifi"]["helpers_skilled"],
        rows["internet-wifi"]["helpers_certified"],
    ) == (1, 1)


def test_the_managers_course_list_comes_in_a_stable_order(frozen, recwarn):
    manager = ManagerFactory.create()
    for slug in ("wifi-at-home", "data-protection", "smart-home-set-up"):
        publish_course(slug, manager=manager)
    response = client_for(manager).get(f"{API}/manager/academy/courses")
    assert response.status_code == 200
    assert [course["slug"] for course in response.json()["results"]] == [
        "data-protection",
        "smart-home-set-up",
        "wifi-at-home",
    ]
    assert [str(warning.message) for warning in recwarn.list] == []


@pytest.mark.parametrize(
    ("reason", "code"),
    [
        pytest.param("The room \u202eis flooded.", "forbidden_characters", id="direction override"),
        pytest.param("\x1b[2JThe room is flooded.", "forbidden_characters", id="terminal escape"),
        pytest.param("\u200b", "nothing_visible", id="zero-width space alone"),
    ],
)
def test_a_reason_the_helper_is_told_is_refused_when_it_hides_what_it_shows(frozen, reason, code):
    # Given an event with a helper on it, and a certification the helper earned there
    manager = client_for(ManagerFactory.create())
    publish_course(required_for=("smart-home",))
    event_id = create_event(manager, capacity=5, course="smart-home-set-up")
    helper = make_helper(skills=("smart-home",))
    client_for(helper.user).post(
        f"{API}/helper/academy/events/{event_id}/register", {}, format="json"
    )
    event = TrainingEvent.objects.get(public_id=event_id)
    course = event.course
    assert course is not None
    certification = certification_earn(helper=helper, course=course, source="event", event=event)

    sent = len(mail.outbox)

    # When the manager cancels the event, or revokes the certification, with such a reason
    cancelled = manager.post(
        f"{API}/manager/academy/events/{event_id}/cancel", {"reason": reason}, format="json"
    )
    revoked = manager.post(
        f"{API}/manager/academy/certifications/{certification.pk}/revoke",
        {"reason": reason},
        format="json",
    )

    # Then both are refused with the reason named, and nothing changed
    for response, path in (
        (cancelled, "/api/v1/manager/academy/events/{event_id}/cancel"),
        (revoked, "/api/v1/manager/academy/certifications/{certification_id}/revoke"),
    ):
        assert_error(response, 400, code, {"reason"}, documented_in=("post", path))
    event.refresh_from_db()
    certification.refresh_from_db()
    assert (event.cancelled_at, event.cancel_reason) == (None, "")
    assert (certification.revoked_at, certification.revoke_reason) == (None, "")
    assert set(EventRegistration.objects.values_list("status", flat=True)) == {"registered"}
    assert len(mail.outbox) == sent
