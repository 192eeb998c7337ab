"""The manager's console for the academy through Django's test client: courses written in
four languages and published as versions, events with registrations, a waiting list and
attendance, and who lacks what."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.html import escape

from academy.models import (
    Certification,
    Course,
    CourseVersion,
    EventRegistration,
    Lesson,
    QuizOption,
    TrainingEvent,
)
from academy.services import event_register
from bookings.models import HelpRequestStatus
from tests.academy.builders import publish_course, texts
from tests.factories import ManagerFactory, UserFactory, category, make_helper, post_request
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager_client(client):
    return _logged_in(client, ManagerFactory.create())


def _draft_post(**overrides: str) -> dict[str, str]:
    """A whole draft as the editor sends it: one lesson and one question with two answers
    (the first right), and the empty lesson and question the page offers to add."""
    data = {
        "lesson_count": "2",
        "question_count": "2",
        **texts("title", "Data protection"),
        **texts("summary", "At the customer's home"),
        "pass_mark": "1",
        "questions_per_attempt": "1",
        **{f"lesson0-{k}": v for k, v in texts("title", "Passwords").items()},
        **{f"lesson0-{k}": v for k, v in texts("body", "Never write them down.").items()},
        "lesson0-image_url": "https://img.example.ch/lock.png",
        "lesson0-video_url": "https://video.example.ch/1",
        "question0-option_count": "4",
        **{f"question0-{k}": v for k, v in texts("text", "May you keep a password?").items()},
        **{f"question0-{k}": v for k, v in texts("option1", "No").items()},
        **{f"question0-{k}": v for k, v in texts("option2", "Yes").items()},
        "question0-correct": "1",
        "question1-option_count": "4",
    }
    data.update(overrides)
    return data


def test_a_course_is_created_written_and_published_in_four_languages(manager_client):
    # When the manager creates a course required for one category
    wifi = category("internet-wifi")
    response = manager_client.post(
        "/manage/courses/",
        {
            "slug": "data-protection",
            **texts("title", "Data protection"),
            "required_for": [wifi.pk],
            "validity_months": "12",
        },
    )
    course = Course.objects.get(slug="data-protection")
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/courses/data-protection/versions/1/"
    assert (course.validity_months, list(course.required_for.all())) == (12, [wifi])

    # And writes the draft: its lesson and its question with two answers in every language
    response = manager_client.post(
        "/manage/courses/data-protection/versions/1/write", _draft_post()
    )
    assert response.status_code == 302
    version = CourseVersion.objects.get(course=course, number=1)
    lesson = Lesson.objects.get(version=version)
    assert (lesson.title_fr, lesson.body_it, lesson.image_url, lesson.video_url) == (
        "Passwords (fr)",
        "Never write them down. (it)",
        "https://img.example.ch/lock.png",
        "https://video.example.ch/1",
    )
    options = QuizOption.objects.filter(question__version=version).order_by("position")
    assert [(o.text_de, o.is_correct) for o in options] == [("No (de)", True), ("Yes (de)", False)]

    # And publishes it
    response = manager_client.post("/manage/courses/data-protection/versions/1/publish")
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.status == "published"

    # Then the list shows it published and required for the category
    page = manager_client.get("/manage/courses/").content.decode()
    assert "Data protection (en)" in page
    assert f'data-label="Required">{escape(wifi.name)}</td>' in page
    # And the published version is shown, never offered for editing
    shown = manager_client.get("/manage/courses/data-protection/versions/1/").content.decode()
    assert 'id="draft"' not in shown
    assert "Never write them down. (en)" in shown


def test_a_refused_draft_shows_the_error_by_its_field_and_stores_nothing(manager_client):
    course = publish_course("refused", publish=False)
    version = course.versions.get()
    before = list(QuizOption.objects.filter(question__version=version).values_list("pk", "text_en"))
    lessons_before = list(version.lessons.values_list("pk", "title_en"))

    # When the question has no right answer, a lesson lacks its Italian title, and a second
    # lesson and a second question were written
    response = manager_client.post(
        "/manage/courses/refused/versions/1/write",
        _draft_post(
            **{
                "question0-correct": "",
                "lesson0-title_it": "",
                "lesson_count": "3",
                **{f"lesson1-{k}": v for k, v in texts("title", "Updates").items()},
                **{f"lesson1-{k}": v for k, v in texts("body", "Install them.").items()},
                **{f"question1-{k}": v for k, v in texts("text", "Who may know it?").items()},
                **{f"question1-{k}": v for k, v in texts("option1", "Nobody").items()},
                **{f"question1-{k}": v for k, v in texts("option2", "Everyone").items()},
                "question1-correct": "1",
                "question_count": "3",
                "question2-option_count": "4",
            }
        ),
    )

    # Then the editor is back at its own address with the service's error next to the field
    # it concerns, once, and every lesson and question as typed
    page = "/manage/courses/refused/versions/1/"
    html = shown_once(manager_client, response, page)
    assert _errors_of(html, "id_lesson0-title_it") == ["Write the text in every language."]
    for name, value in (
        *{
            f"lesson0-{k}": v for k, v in texts("title", "Passwords").items() if k != "title_it"
        }.items(),
        *{f"lesson1-{k}": v for k, v in texts("title", "Updates").items()}.items(),
        *{f"question1-{k}": v for k, v in texts("text", "Who may know it?").items()}.items(),
        *{f"question1-{k}": v for k, v in texts("option1", "Nobody").items()}.items(),
    ):
        assert f'name="{name}" value="{escape(value)}"' in html, name
    assert "Install them. (fr)</textarea>" in html
    chosen = re.search(r'<select name="question1-correct".*?</select>', html, re.S).group(0)
    assert '<option value="1" selected>' in chosen
    assert html.count("<legend>Lesson ") == 3
    assert html.count("<legend>Question ") == 3
    assert '<input type="hidden" name="lesson_count" value="3">' in html
    # And the draft is as it was
    assert (
        list(QuizOption.objects.filter(question__version=version).values_list("pk", "text_en"))
        == before
    )
    assert list(version.lessons.values_list("pk", "title_en")) == lessons_before


def test_a_lesson_link_too_long_for_its_column_is_shown_by_its_field(manager_client):
    course = publish_course("long-link", publish=False)
    version = course.versions.get()
    before = list(version.lessons.values_list("pk", "video_url"))

    # When the lesson's video link is longer than the column holds
    response = manager_client.post(
        "/manage/courses/long-link/versions/1/write",
        _draft_post(**{"lesson0-video_url": "https://video.example.ch/" + "v" * 300}),
    )

    # Then the editor is back at its own address with the limit next to the link, the link
    # kept, and the draft is as it was
    html = shown_once(manager_client, response, "/manage/courses/long-link/versions/1/")
    assert _errors_of(html, "id_lesson0-video_url") == ["This text is too long."]
    assert "v" * 300 in html
    assert list(version.lessons.values_list("pk", "video_url")) == before


def test_a_published_version_is_never_written_and_a_new_draft_copies_it(manager_client):
    course = publish_course("fixed")
    version = course.versions.get()

    # When the manager posts a draft to the published version
    response = manager_client.post("/manage/courses/fixed/versions/1/write", _draft_post())

    # Then it is refused and nothing changed
    assert response.status_code == 302
    assert response.headers["Location"] == "/manage/courses/fixed/"
    version.refresh_from_db()
    assert version.title_en == "Smart-home set-up (en)"

    # When they start a new draft, it is version 2, a copy of version 1
    response = manager_client.post("/manage/courses/fixed/draft")
    assert response.headers["Location"] == "/manage/courses/fixed/versions/2/"
    draft = CourseVersion.objects.get(course=course, number=2)
    assert (draft.status, draft.title_de, draft.questions.count()) == (
        "draft",
        "Smart-home set-up (de)",
        2,
    )
    # And the editor holds its texts, plus an empty lesson and question to add
    html = manager_client.get("/manage/courses/fixed/versions/2/").content.decode()
    assert 'name="lesson_count" value="2"' in html
    assert 'name="question_count" value="3"' in html
    assert 'value="Question 2 (it)"' in html


def test_the_requirements_are_set_on_the_course_page(manager_client):
    course = publish_course("reqs")
    tv = category("tv-streaming")

    response = manager_client.post(
        "/manage/courses/reqs/requirements",
        {"required_for_all": "on", "required_for": [tv.pk], "validity_months": "6"},
    )

    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.required_for_all, course.validity_months) == (True, 6)
    assert list(course.required_for.all()) == [tv]
    # A validity out of range is refused by the form: nothing changes
    response = manager_client.post("/manage/courses/reqs/requirements", {"validity_months": "200"})
    # Back on the course's page at its own address, the value typed kept
    shown = shown_once(manager_client, response, "/manage/courses/reqs/")
    assert 'name="validity_months" value="200"' in shown
    course.refresh_from_db()
    assert (course.required_for_all, course.validity_months) == (True, 6)


def _event_post(**overrides: str) -> dict[str, str]:
    start = timezone.localtime() + timedelta(days=3)
    return {
        "kind": "training",
        **texts("title", "Smart-home evening"),
        "starts_at": start.strftime("%Y-%m-%dT18:00"),
        "ends_at": start.strftime("%Y-%m-%dT20:00"),
        "place": "Gemeinschaftszentrum Wipkingen",
        "capacity": "1",
        "course": "smart-home-set-up",
        **overrides,
    }


def test_an_event_is_announced_filled_cancelled_and_everyone_released(manager_client):
    publish_course()

    # When the manager announces a training for one person that grants the course
    response = manager_client.post("/manage/events/", _event_post())
    event = TrainingEvent.objects.get()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/events/{event.public_id}/"
    assert (event.title_it, event.capacity, event.course.slug) == (
        "Smart-home evening (it)",
        1,
        "smart-home-set-up",
    )
    assert timezone.localtime(event.starts_at).hour == 18

    # And two helpers register: one gets the place, the other waits
    first, second = make_helper(display_name="Anna"), make_helper(display_name="Bruno")
    event_register(helper=first, actor=first.user, event=event)
    event_register(helper=second, actor=second.user, event=event, join_waiting_list=True)
    html = manager_client.get(f"/manage/events/{event.public_id}/").content.decode()
    assert "Registered (1 of 1 place)" in html
    assert html.index("Anna") < html.index("Waiting list") < html.index("Bruno")

    # When they cancel it without a reason, nothing happens
    response = manager_client.post(f"/manage/events/{event.public_id}/cancel", {"reason": ""})
    shown_once(manager_client, response, f"/manage/events/{event.public_id}/")
    event.refresh_from_db()
    assert event.cancelled_at is None

    # With a reason, it is cancelled and so is every registration
    response = manager_client.post(
        f"/manage/events/{event.public_id}/cancel", {"reason": "The room is flooded."}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.cancel_reason == "The room is flooded."
    assert set(EventRegistration.objects.values_list("status", flat=True)) == {"cancelled"}


def test_the_certification_an_event_grants_is_chosen_by_the_courses_title(client):
    publish_course("smart-home-set-up")
    publish_course("drafted", publish=False)
    _logged_in(client, ManagerFactory.create(), "it")

    html = client.get("/manage/events/").content.decode()

    assert '<option value="smart-home-set-up">Smart-home set-up (it)</option>' in html
    assert '<option value="drafted">drafted</option>' in html


def test_an_event_in_the_past_is_refused_and_nothing_is_stored(manager_client):
    publish_course()
    past = timezone.localtime() - timedelta(days=1)
    response = manager_client.post(
        "/manage/events/",
        _event_post(
            starts_at=past.strftime("%Y-%m-%dT18:00"), ends_at=past.strftime("%Y-%m-%dT20:00")
        ),
    )
    # Back on the list of events at its own address, the times typed kept
    shown = shown_once(manager_client, response, "/manage/events/")
    assert _errors_of(shown, "id_starts_at") == [
        "An event starts in the future and ends after it starts."
    ]
    assert f'value="{past.strftime("%Y-%m-%dT18:00")}"' in shown
    # Neither place nor link: refused next to the place
    response = manager_client.post("/manage/events/", _event_post(place=""))
    shown = shown_once(manager_client, response, "/manage/events/")
    assert _errors_of(shown, "id_place") == ["Give a place or an online link."]
    assert not TrainingEvent.objects.exists()


def test_attendance_marked_after_the_start_grants_the_certification(manager_client):
    publish_course()
    manager_client.post("/manage/events/", _event_post(capacity="2"))
    event = TrainingEvent.objects.get()
    came, stayed_home = make_helper(display_name="Carla"), make_helper(display_name="Dario")
    for helper in (came, stayed_home):
        event_register(helper=helper, actor=helper.user, event=event)

    # Before the start, attendance is refused and nothing is granted
    response = manager_client.post(
        f"/manage/events/{event.public_id}/attendance", {"attended": [came.pk]}
    )
    assert response.status_code == 302
    assert not Certification.objects.exists()

    # Once it started, the manager marks who came: that helper is certified
    with time_machine.travel(event.starts_at + timedelta(minutes=30), tick=False):
        page = manager_client.get(f"/manage/events/{event.public_id}/").content.decode()
        assert 'name="attended"' in page
        response = manager_client.post(
            f"/manage/events/{event.public_id}/attendance", {"attended": [came.pk]}
        )
    assert response.status_code == 302
    assert list(Certification.objects.values_list("helper_id", "source", "event_id")) == [
        (came.pk, "event", event.pk)
    ]
    assert dict(EventRegistration.objects.values_list("helper_id", "attended")) == {
        came.pk: True,
        stayed_home.pk: False,
    }


def test_who_lacks_what_counts_certified_helpers_and_unmatched_requests(manager_client):
    # Given a course required for smart-home help and two helpers with the skill, neither
    # certified
    publish_course(required_for=("smart-home",))
    make_helper(skills=("smart-home",), display_name="Ella")
    make_helper(skills=("smart-home",), display_name="Fritz")
    # And a smart-home request that nobody could be offered for lack of the certification
    help_request = post_request(UserFactory.create(), slug="smart-home")
    help_request.refresh_from_db()

    html = manager_client.get("/manage/certification-gaps/").content.decode()

    # Then smart-home shows its course, 2 helpers skilled, none certified, 2 lacking
    smart_home = category("smart-home")
    row = html[html.index(f"<td>{smart_home.name}</td>") :]
    assert row.startswith(
        f"<td>{smart_home.name}</td>\n      <td>Smart-home set-up (en)</td>\n"
        "      <td>2</td>\n      <td>0</td>\n      <td>2</td>"
    )
    # And the request is listed with the two helpers left out and the course missing
    unmatched = html[html.index('id="unmatched"') :]
    # (wider than a phone, it scrolls sideways: a keyboard can reach it to scroll it)
    assert '<table id="unmatched" tabindex="0">' in html
    assert help_request.status == HelpRequestStatus.UNMATCHED
    assert f"/manage/requests/{help_request.public_id}/" in unmatched
    assert "<td>2</td>\n      <td>Smart-home set-up (en)</td>" in unmatched


def test_a_manager_meets_404_for_what_does_not_exist(manager_client):
    missing = "00000000-0000-4000-8000-000000000000"
    for path in (
        "/manage/courses/nothing/",
        "/manage/courses/nothing/versions/1/",
        f"/manage/events/{missing}/",
        "/manage/waivers/nothing/",
        f"/manage/bookings/{missing}/acceptances.json",
        f"/manage/bookings/{missing}/acceptances.pdf",
    ):
        assert manager_client.get(path).status_code == 404, path
    for path in (
        "/manage/courses/nothing/draft",
        "/manage/courses/nothing/versions/1/publish",
        f"/manage/events/{missing}/cancel",
    ):
        assert manager_client.post(path).status_code == 404, path


def test_the_course_and_event_lists_do_not_query_per_row(manager_client, django_assert_num_queries):
    for number in range(4):
        publish_course(f"course-{number}")
    for number in range(4):
        manager_client.post("/manage/events/", _event_post(course="", title_en=f"Evening {number}"))
    assert TrainingEvent.objects.count() == 4
    # A fixed number of queries, however many rows
    with django_assert_num_queries(6):
        assert manager_client.get("/manage/courses/").status_code == 200
    with django_assert_num_queries(5):
        assert manager_client.get("/manage/events/").status_code == 200


def test_a_course_name_taken_is_refused_next_to_it(manager_client):
    publish_course("taken")
    response = manager_client.post(
        "/manage/courses/",
        {"slug": "taken", **texts("title", "Again"), "validity_months": "24"},
    )
    shown = shown_once(manager_client, response, "/manage/courses/")
    assert _errors_of(shown, "id_slug") == ["A course with this name exists."]
    assert 'value="taken"' in shown
    assert Course.objects.count() == 1
