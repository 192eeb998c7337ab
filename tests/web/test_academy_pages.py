"""The helper's academy pages: the courses with their status, a course's lessons and end quiz
(submitted once, with what was wrong), the certifications and training record, events with
registration, the waiting list and the calendar feed, and the home page naming the course that
unlocks a category. Refusals change nothing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from django.utils.translation import gettext

from academy.models import (
    CalendarFeed,
    Certification,
    EventKind,
    EventRegistration,
    Lesson,
    QuizAttempt,
    TrainingEvent,
)
from academy.services import (
    certification_revoke,
    event_attendance_mark,
    event_register,
    quiz_attempt_start,
    training_event_create,
)
from helpers.models import ApprovalStatus
from tests.academy.builders import publish_course
from tests.factories import ManagerFactory, UserFactory, make_helper
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db

SWISS = ZoneInfo("Europe/Zurich")
T0 = datetime(2027, 3, 2, 9, 0, tzinfo=SWISS)
COURSES = "/helper/academy/"
COURSE = "/helper/academy/courses/smart-home-set-up/"
EVENTS = "/helper/academy/events/"


def _right_form(attempt: QuizAttempt, wrong: int = 0) -> dict[str, str]:
    form = {}
    for number, question_id in enumerate(attempt.question_ids):
        options = attempt.version.questions.get(pk=question_id).options
        option = options.get(is_correct=number >= wrong)
        form[f"question_{question_id}"] = str(option.pk)
    return form


def _event(manager, *, capacity: int = 1, starts_in: timedelta = timedelta(days=3)):
    return training_event_create(
        actor=manager,
        kind=EventKind.MEETUP,
        titles={language: f"Meet-up ({language})" for language in ("de", "fr", "it", "en")},
        descriptions={},
        starts_at=T0 + starts_in,
        ends_at=T0 + starts_in + timedelta(hours=2),
        capacity=capacity,
        place="Gemeinschaftszentrum Wipkingen",
    )


def test_the_pages_ask_to_log_in_and_send_a_non_helper_to_apply(client):
    publish_course()
    pages = (COURSES, COURSE, "/helper/academy/record", EVENTS)
    for path in pages:
        assert client.get(path).headers["Location"].startswith("/log-in")
    _logged_in(client, UserFactory.create())
    for path in pages:
        response = client.get(path)
        assert (response.status_code, response.headers["Location"]) == (302, "/helper/apply")
    response = client.post(COURSE + "quiz")
    assert (response.status_code, response.headers["Location"]) == (302, "/helper/apply")
    assert QuizAttempt.objects.count() == 0


@pytest.fixture
def courses():
    manager = ManagerFactory.create()
    return {
        "all": publish_course(
            "data-protection", required_for_all=True, manager=manager, validity_months=12
        ),
        "mine": publish_course("smart-home-set-up", required_for=("smart-home",), manager=manager),
        "other": publish_course("printers", required_for=("printers-scanners",), manager=manager),
        "free": publish_course("tablets", manager=manager),
        "manager": manager,
    }


def test_the_list_shows_required_courses_first_with_their_status(
    client, courses, django_assert_max_num_queries
):
    helper = make_helper(skills=("smart-home",))
    with time_machine.travel(T0 - timedelta(days=400), tick=False):
        Certification.objects.create(
            helper=helper,
            course=courses["free"],
            source="quiz",
            earned_at=T0 - timedelta(days=400),
            expires_at=T0 - timedelta(days=10),
        )
    Certification.objects.create(
        helper=helper,
        course=courses["all"],
        source="quiz",
        earned_at=T0 - timedelta(days=340),
        expires_at=T0 + timedelta(days=20),
    )
    Certification.objects.create(
        helper=helper,
        course=courses["other"],
        source="quiz",
        earned_at=T0 - timedelta(days=10),
        expires_at=T0 + timedelta(days=700),
    )
    with time_machine.travel(T0, tick=False):
        _logged_in(client, helper.user)
        with django_assert_max_num_queries(20):
            html = client.get(COURSES).content.decode()
    cards = re.findall(r'<li class="card course" id="course-([\w-]+)">(.*?)</li>', html, re.S)
    assert [slug for slug, _body in cards] == [
        "data-protection",
        "smart-home-set-up",
        "printers",
        "tablets",
    ]
    text = {slug: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body)) for slug, body in cards}
    assert "Required for every helper." in text["data-protection"]
    assert "Expiring on 22 March 2027: take the course again." in text["data-protection"]
    assert "Required for your categories: Smart home" in text["smart-home-set-up"]
    assert "Not started." in text["smart-home-set-up"]
    assert "Required" not in text["printers"]
    assert "Passed, valid until 30 January 2029." in text["printers"]
    assert "Expired on 20 February 2027: take the course again." in text["tablets"]
    # The home page and the list say which course unlocks the gated category
    gaps = re.search(r'id="certification-gaps">(.*?)</section>', html, re.S).group(1)
    assert "You get no offers for Smart home until you pass:" in gaps
    assert f'href="{COURSE}"' in gaps
    with time_machine.travel(T0, tick=False):
        home = client.get("/helper/").content.decode()
    assert 'id="certification-gaps"' in home
    assert f'href="{COURSE}"' in home


def test_a_helper_reads_the_lessons_fails_then_passes_the_quiz_once(client, courses):
    helper = make_helper(skills=("smart-home",))
    version = courses["mine"].versions.get()
    Lesson.objects.filter(version=version).update(image_url="https://img.example.ch/plug.png")
    _logged_in(client, helper.user, "de")
    response = client.get(COURSE)
    html = response.content.decode()
    assert "Before you start (de)" in html
    assert '<a href="https://video.example.ch/smart-home-1"' in html
    assert "<iframe" not in html
    assert "<video" not in html
    assert 'src="https://img.example.ch/plug.png"' in html
    # Only the illustration's origin is let in besides the app's own
    policy = response.headers["Content-Security-Policy"]
    img_src = re.search(r"img-src ([^;]*)", policy).group(1).split()
    assert img_src[-1] == "https://img.example.ch"
    assert "https://img.example.ch" not in client.get(COURSES).headers["Content-Security-Policy"]
    assert 'id="quiz-questions"' not in html

    # Starting draws the questions, shown on one page as radio groups in the order drawn
    response = client.post(COURSE + "quiz")
    assert (response.status_code, response.headers["Location"]) == (302, COURSE + "#quiz")
    attempt = QuizAttempt.objects.get(helper=helper)
    html = client.get(COURSE).content.decode()
    legends = re.findall(r"<legend>(.*?)</legend>", html)
    assert [legend[:3] for legend in legends] == ["1. ", "2. "]
    assert html.count('type="radio"') == 4

    # An answer missing: refused next to its question, nothing stored
    form = _right_form(attempt, wrong=1)
    missing = dict(form)
    first = attempt.question_ids[0]
    del missing[f"question_{first}"]
    submit = f"/helper/academy/quiz/{attempt.public_id}/submit"
    response = client.post(submit, missing)
    # (back on the course's page at its own address, the other answer kept)
    html = shown_once(client, response, COURSE)
    assert _errors_of(html, f"id_question_{first}") == ["Wählen Sie eine Antwort."]
    second = attempt.question_ids[1]
    kept = f'name="question_{second}" value="{missing[f"question_{second}"]}" [^>]* checked'
    assert len(re.findall(kept, html)) == 1
    assert html.count(" checked") == 1
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.answers, Certification.objects.count()) == (None, {}, 0)

    # One wrong: not passed, the wrong question named, a retry allowed at once
    response = client.post(submit, form)
    assert response.headers["Location"] == COURSE + "#quiz"
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed) == (1, False)
    html = client.get(COURSE).content.decode()
    result = re.search(r'id="quiz-result">(.*?)</div>', html, re.S).group(1)
    assert "1 von 2 richtig (2 nötig)." in result
    wrong_text = attempt.version.questions.get(pk=first).text_de
    assert re.findall(r"<li>(.*?)</li>", result) == [wrong_text]
    assert 'id="quiz-retry"' in result
    # The course says so, no longer "not started", here and in the list
    status = re.search(r'id="course-status">(.*?)</p>', html, re.S).group(1)
    assert status.strip() == (
        "Noch nicht bestanden: Lesen Sie die Lektionen noch einmal und machen Sie das Quiz erneut."
    )
    assert "Noch nicht bestanden" in client.get(COURSES).content.decode()

    # Submitting the same attempt again is refused and changes nothing
    response = client.post(submit, _right_form(attempt))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert (attempt.score, attempt.passed, Certification.objects.count()) == (1, False, 0)
    html = client.get(COURSE).content.decode()
    assert "bereits abgegeben" in html

    # The retry passes and earns the certification
    client.post(COURSE + "quiz")
    second = QuizAttempt.objects.get(helper=helper, submitted_at__isnull=True)
    client.post(f"/helper/academy/quiz/{second.public_id}/submit", _right_form(second))
    second.refresh_from_db()
    assert second.passed is True
    certification = Certification.objects.get(helper=helper)
    assert (certification.course, certification.attempt) == (courses["mine"], second)
    html = client.get(COURSE).content.decode()
    assert 'id="quiz-retry"' not in html
    assert "2 von 2 richtig (2 nötig)." in html


def test_another_helpers_attempt_is_not_found(client, courses):
    owner = make_helper(skills=("smart-home",))
    attempt = quiz_attempt_start(helper=owner, actor=owner.user, course=courses["mine"])
    intruder = make_helper(skills=("smart-home",))
    _logged_in(client, intruder.user)
    response = client.post(f"/helper/academy/quiz/{attempt.public_id}/submit", _right_form(attempt))
    assert response.status_code == 404
    attempt.refresh_from_db()
    assert (attempt.submitted_at, Certification.objects.count()) == (None, 0)
    assert client.get("/helper/academy/courses/no-such-course/").status_code == 404


def test_the_record_lists_certifications_with_expiry_and_events_attended(client, courses):
    helper = make_helper(skills=("smart-home",))
    manager = courses["manager"]
    Certification.objects.create(
        helper=helper,
        course=courses["mine"],
        source="quiz",
        earned_at=T0 - timedelta(days=10),
        expires_at=T0 + timedelta(days=700),
    )
    revoked = Certification.objects.create(
        helper=helper,
        course=courses["all"],
        source="event",
        earned_at=T0 - timedelta(days=20),
        expires_at=T0 + timedelta(days=300),
    )
    with time_machine.travel(T0 - timedelta(days=5), tick=False):
        certification_revoke(actor=manager, certification=revoked, reason="Left a door open.")
        event = _event(manager, starts_in=timedelta(days=1))
        event_register(helper=helper, actor=helper.user, event=event)
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        event_attendance_mark(actor=manager, event=event, attended_helper_ids=[helper.pk])
        _logged_in(client, helper.user)
        html = client.get("/helper/academy/record").content.decode()
    cards = re.findall(r'<li class="card certification">(.*?)</li>', html, re.S)
    text = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", card)).strip() for card in cards]
    assert text == [
        "Smart-home set-up (en) Earned on 20 February 2027 by passing the quiz. Valid until "
        "30 January 2029.",
        "Smart-home set-up (en) Earned on 10 February 2027 by attending a training. Revoked on "
        "25 February 2027. Left a door open.",
    ]
    assert re.findall(r'<ul id="attended">\s*<li>(.*?)</li>', html) == [
        "3 March 2027: Meet-up (en)"
    ]


def test_a_helper_registers_waits_and_moves_up_and_subscribes(
    client, courses, django_assert_max_num_queries
):
    manager = courses["manager"]
    first = make_helper()
    second = make_helper()
    third = make_helper()
    with time_machine.travel(T0, tick=False):
        event = _event(manager, capacity=1)
        _logged_in(client, first.user)
        html = client.get(EVENTS).content.decode()
        assert "1 place left of 1." in html
        register = f"/helper/academy/events/{event.public_id}/register"
        response = client.post(register)
        assert response.headers["Location"] == f"{EVENTS}#event-{event.public_id}"
        html = client.get(EVENTS).content.decode()
        assert "0 places left of 1." in html
        assert "You are registered." in html

        # Registering twice is refused and changes nothing
        client.post(register)
        assert EventRegistration.objects.filter(event=event).count() == 1
        assert "You are registered for this event already." in client.get(EVENTS).content.decode()

        # The second helper is offered the waiting list, and gets number 1 on it
        _logged_in(client, second.user)
        html = client.get(EVENTS).content.decode()
        assert "Join the waiting list" in html
        client.post(register, {"waiting_list": "yes"})
        html = client.get(EVENTS).content.decode()
        assert "You are number 1 on the waiting list." in html
        _logged_in(client, third.user)
        # Without asking for the waiting list, a full event refuses and stores nothing
        client.post(register)
        assert not EventRegistration.objects.filter(helper=third).exists()
        assert "This event is full. You can join the waiting list." in (
            client.get(EVENTS).content.decode()
        )
        client.post(register, {"waiting_list": "yes"})
        with django_assert_max_num_queries(12):
            html = client.get(EVENTS).content.decode()
        assert "You are number 2 on the waiting list." in html

        # The first cancels: the second moves up
        _logged_in(client, first.user)
        client.post(f"/helper/academy/events/{event.public_id}/cancel")
        statuses = dict(
            EventRegistration.objects.filter(event=event).values_list("helper_id", "status")
        )
        assert statuses == {
            first.pk: "cancelled",
            second.pk: "registered",
            third.pk: "waiting",
        }
        # Cancelling again is refused, nothing changes
        client.post(f"/helper/academy/events/{event.public_id}/cancel")
        assert EventRegistration.objects.filter(event=event).count() == 3
        assert "You are not registered for this event." in client.get(EVENTS).content.decode()

        # The calendar feed: made on request, renewed on request
        assert 'id="feed-url"' not in client.get(EVENTS).content.decode()
        _logged_in(client, third.user)
        assert "You are number 1 on the waiting list." in client.get(EVENTS).content.decode()
        _logged_in(client, first.user)
        client.post("/helper/academy/calendar-feed")
        token = CalendarFeed.objects.get(helper=first).token
        html = client.get(EVENTS).content.decode()
        assert f'value="http://testserver/calendar/{token}.ics"' in html
        client.post("/helper/academy/calendar-feed", {"renew": "yes"})
        assert CalendarFeed.objects.get(helper=first).token != token


def test_registration_is_closed_once_the_event_started(client, courses):
    helper = make_helper()
    with time_machine.travel(T0, tick=False):
        event = _event(courses["manager"], starts_in=timedelta(hours=1))
    with time_machine.travel(T0 + timedelta(hours=1, minutes=30), tick=False):
        _logged_in(client, helper.user)
        html = client.get(EVENTS).content.decode()
        assert "Meet-up (en)" in html
        assert "/register" not in html
        client.post(f"/helper/academy/events/{event.public_id}/register")
        assert EventRegistration.objects.count() == 0
        assert "Registration for this event is closed." in client.get(EVENTS).content.decode()
    assert TrainingEvent.objects.get().cancelled_at is None


@pytest.mark.parametrize("language", ["en", "de", "fr", "it"])
def test_an_applicant_reads_the_courses_as_preparation_not_as_offers_missed(
    client, courses, language
):
    applicant = make_helper(skills=("smart-home",), approval=ApprovalStatus.CONDUCT_TEST_PASSED)
    approved = make_helper(skills=("smart-home",))
    with translation.override(language):
        heading_applying = gettext("Courses your categories ask for")
        heading_approved = gettext("Courses that unlock more offers")
    for helper, heading, other in (
        (applicant, heading_applying, heading_approved),
        (approved, heading_approved, heading_applying),
    ):
        _logged_in(client, helper.user, language)
        for page in ("/helper/", COURSES):
            html = client.get(page).content.decode()
            gaps = re.search(r'id="certification-gaps">(.*?)</section>', html, re.S).group(1)
            assert heading in gaps, (helper.approval_status, page)
            assert other not in gaps, (helper.approval_status, page)
            if language == "en":
                line = "Once you are approved, offers for Smart home come to you after you pass:"
                assert (line in gaps) == (helper is applicant), page
                assert ("You get no offers for Smart home" in gaps) == (helper is approved), page
