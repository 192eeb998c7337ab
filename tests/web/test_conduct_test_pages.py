"""The helper's code-of-conduct test page: start, one page of questions as radio groups,
refusals next to the question, the result, and the wait after a failed attempt."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from helpers.conduct_test_services import conduct_test_attempt_start, conduct_test_attempt_submit
from helpers.models import ApprovalStatus, ConductTestAttempt, HelperProfile
from tests.factories import (
    ManagerFactory,
    UserFactory,
    answers_for,
    make_helper,
    publish_conduct_test,
    vet,
)
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db

PAGE = "/helper/conduct-test"
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))


def checked_applicant() -> HelperProfile:
    return vet(make_helper(approval=ApprovalStatus.APPLIED), to=ApprovalStatus.DOCUMENTS_CHECKED)


def _form_of(attempt: ConductTestAttempt, answers: list[tuple[int, int]]) -> dict[str, str]:
    return {f"question_{question}": str(option) for question, option in answers}


def test_the_page_asks_to_log_in_and_sends_a_non_helper_to_apply(client):
    assert client.get(PAGE).headers["Location"].startswith("/log-in")
    _logged_in(client, UserFactory.create())
    for path, method in ((PAGE, client.get), (PAGE + "/start", client.post)):
        response = method(path)
        assert (response.status_code, response.headers["Location"]) == (302, "/helper/apply")
    assert ConductTestAttempt.objects.count() == 0


def test_the_home_page_leads_an_applicant_at_documents_checked_to_the_test(client):
    helper = checked_applicant()
    _logged_in(client, helper.user)
    html = client.get("/helper/").content.decode()
    assert f'href="{PAGE}"' in html
    HelperProfile.objects.filter(pk=helper.pk).update(approval_status=ApprovalStatus.APPROVED)
    assert f'href="{PAGE}"' not in client.get("/helper/").content.decode()


def test_an_applicant_starts_answers_and_passes(client, django_assert_max_num_queries):
    # Given the published test and an applicant at "documents checked", reading German
    publish_conduct_test()
    helper = checked_applicant()
    _logged_in(client, helper.user, "de")
    html = client.get(PAGE).content.decode()
    assert "Sie haben noch 3 Versuche." in html

    # When they start the test
    response = client.post(PAGE + "/start")
    assert (response.status_code, response.headers["Location"]) == (302, PAGE)
    attempt = ConductTestAttempt.objects.get(helper=helper)

    # Then one page shows the 8 drawn questions, in the order drawn, as radio groups
    with django_assert_max_num_queries(12):
        html = client.get(PAGE).content.decode()
    legends = re.findall(r"<legend>(.*?)</legend>", html)
    numbers = [int(re.search(r"Question (\d+)", legend).group(1)) for legend in legends]
    positions = dict(attempt.version.questions.values_list("pk", "position"))
    assert numbers == [positions[question] for question in attempt.question_ids]
    assert legends[0].startswith("1. Question")
    assert "(de)" in legends[0]
    assert html.count('type="radio"') == 24
    # And nothing on the page tells the right answer apart
    assert "Right" in html
    assert "is_correct" not in html

    # When they submit the right answers
    response = client.post(
        PAGE + f"/{attempt.public_id}/submit", _form_of(attempt, answers_for(attempt))
    )

    # Then they passed, the application moved on, and the page shows the result
    assert (response.status_code, response.headers["Location"]) == (302, PAGE)
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.CONDUCT_TEST_PASSED
    html = client.get(PAGE).content.decode()
    assert "8 von 8 richtig (7 nötig)." in html
    assert "Bestanden." in html


def test_an_unanswered_question_is_shown_next_to_it_and_nothing_is_stored(client):
    publish_conduct_test()
    helper = checked_applicant()
    _logged_in(client, helper.user)
    client.post(PAGE + "/start")
    attempt = ConductTestAttempt.objects.get(helper=helper)
    answers = answers_for(attempt)

    response = client.post(PAGE + f"/{attempt.public_id}/submit", _form_of(attempt, answers[1:]))

    # Then the test's page is back at its own address, the problem shown once, the answers
    # chosen kept
    html = shown_once(client, response, PAGE)
    assert _errors_of(html, f"id_question_{attempt.question_ids[0]}") == ["Choose an answer."]
    assert _errors_of(html, f"id_question_{attempt.question_ids[1]}") == []
    chosen = re.findall(r'name="question_(\d+)" value="(\d+)" [^>]* checked', html)
    assert [(int(question), int(option)) for question, option in chosen] == answers[1:]
    attempt.refresh_from_db()
    assert (attempt.submitted_at, attempt.answers, attempt.score) == (None, {}, None)


def test_a_failed_attempt_shows_the_wrong_questions_and_the_wait(client):
    with time_machine.travel(T0, tick=False) as clock:
        publish_conduct_test(waiting=timedelta(days=7))
        helper = checked_applicant()
        _logged_in(client, helper.user)
        client.post(PAGE + "/start")
        attempt = ConductTestAttempt.objects.get(helper=helper)
        client.post(
            PAGE + f"/{attempt.public_id}/submit",
            _form_of(attempt, answers_for(attempt, wrong=2)),
        )
        html = client.get(PAGE).content.decode()

        assert "6 of 8 right (7 needed)." in html
        wrong = re.search(r"answered wrongly:</p>\s*<ul>(.*?)</ul>", html, re.S).group(1)
        assert len(re.findall(r"<li>", wrong)) == 2
        assert "From 8 March 2027 at 09:00 you can try again. You have 2 attempts left." in html
        # And starting again a day later is refused with that message, nothing stored
        clock.move_to(T0 + timedelta(days=1))
        response = client.post(PAGE + "/start", follow=True)
        assert "From 8 March 2027 at 09:00 you can try again." in response.content.decode()
        assert ConductTestAttempt.objects.filter(helper=helper).count() == 1


def test_another_helpers_attempt_is_not_found(client):
    publish_conduct_test()
    helper = checked_applicant()
    _logged_in(client, helper.user)
    client.post(PAGE + "/start")
    attempt = ConductTestAttempt.objects.get(helper=helper)
    other = checked_applicant()
    _logged_in(client, other.user)

    response = client.post(
        PAGE + f"/{attempt.public_id}/submit", _form_of(attempt, answers_for(attempt))
    )

    assert response.status_code == 404
    attempt.refresh_from_db()
    assert attempt.submitted_at is None


def test_the_console_lists_versions_with_their_pass_rates(client, django_assert_max_num_queries):
    # Given version 1 taken by three applicants (two passed) and version 2 not taken yet
    publish_conduct_test(questions=3, per_attempt=2, pass_mark=2)
    for wrong in (0, 0, 1):
        helper = checked_applicant()
        attempt = conduct_test_attempt_start(helper=helper, actor=helper.user)
        conduct_test_attempt_submit(
            attempt=attempt, actor=helper.user, answers=answers_for(attempt, wrong=wrong)
        )
    publish_conduct_test(questions=4, per_attempt=3, pass_mark=2, max_attempts=2)
    _logged_in(client, ManagerFactory.create())

    # When the manager opens the console's page
    with django_assert_max_num_queries(6):
        response = client.get("/manage/conduct-test/")

    # Then the newest version comes first, with the figures of each
    assert response.status_code == 200
    rows = [
        [
            re.sub(r"<[^>]+>|\s+", " ", cell).strip()
            for cell in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(
            r"<tr>(.*?)</tr>", response.content.decode().split("<tbody>")[1], re.S
        )
    ]
    assert [[row[0], row[2], row[3], row[4], row[5]] for row in rows] == [
        ["2 (current)", "4", "3 drawn, 2 to pass, 2 attempts", "0", "–"],
        ["1", "3", "2 drawn, 2 to pass, 3 attempts", "3", "2 (67 %)"],
    ]
    assert 'href="/admin/helpers/conducttestversion/publish/"' in response.content.decode()
