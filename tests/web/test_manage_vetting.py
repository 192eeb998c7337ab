"""The manager's vetting desk in the console: the queue (longest waiting first, against the
target, filtered by step and region), the application beside its documents and their access
log, the one-click decisions through the services, and the funnel."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from backend.relay import relay_pending
from helpers.conduct_test_services import conduct_test_attempt_start, conduct_test_attempt_submit
from helpers.document_services import document_open
from helpers.models import (
    ApprovalStatus,
    ConductTestQuestion,
    HelperApprovalEvent,
    HelperDocument,
    HelperProfile,
)
from tests.factories import (
    ManagerFactory,
    answers_for,
    make_helper,
    publish_conduct_test,
    upload_documents,
    vet,
)
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db

QUEUE = "/manage/vetting/"
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))


def _applicant(name: str, postal_code: str = "8001", **kwargs) -> HelperProfile:
    helper = make_helper(approval=ApprovalStatus.APPLIED, display_name=name, **kwargs)
    type(helper.user).objects.filter(pk=helper.user_id).update(home_postal_code=postal_code)
    return helper


def _names(html: str) -> list[str]:
    table = re.search(r'<table id="vetting-queue"[^>]*>(.*?)</table>', html, re.S)
    assert table is not None
    return re.findall(r'<a href="/manage/vetting/[^"]+/">(.*?)</a>', table.group(1))


def test_the_queue_shows_the_longest_waiting_first_against_the_target(
    client, settings, django_assert_max_num_queries
):
    # Given three applications that reached their step 5 days, 2 days and 1 hour ago
    settings.QUARTIER = settings.QUARTIER.with_values(vetting_target_days=3)
    with time_machine.travel(T0 - timedelta(days=5), tick=False):
        oldest = vet(_applicant("Anna Alt"), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    with time_machine.travel(T0 - timedelta(days=2), tick=False):
        _applicant("Bruno Berner", postal_code="3011")
    with time_machine.travel(T0 - timedelta(hours=1), tick=False):
        vet(_applicant("Carla Conti", postal_code="6900"), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    make_helper(display_name="Approved Already")

    # When the manager opens the queue
    with time_machine.travel(T0, tick=False):
        _logged_in(client, ManagerFactory.create())
        with django_assert_max_num_queries(8):
            response = client.get(QUEUE)

    # Then the oldest comes first, and only it is over the 3-day target
    html = response.content.decode()
    assert _names(html) == ["Anna Alt", "Bruno Berner", "Carla Conti"]
    rows = re.findall(
        r'<tr role="row"( class="overdue")?>\s*<td role="cell" class="stack-title"><a', html
    )
    assert rows == [' class="overdue"', "", ""]
    assert "5 d 0 h" in html
    assert "2 d 0 h" in html
    assert "0 d 1 h" in html
    assert "1 application waits longer." in html
    assert f'href="/manage/vetting/{oldest.public_id}/"' in html


def test_the_queue_filters_by_step_and_region(client):
    vet(_applicant("Anna Alt"), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    _applicant("Bruno Berner", postal_code="3011")
    vet(_applicant("Carla Conti", postal_code="3900"), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    _logged_in(client, ManagerFactory.create())

    by_step = client.get(QUEUE, {"step": "documents_submitted"}).content.decode()
    by_region = client.get(QUEUE, {"region": "3"}).content.decode()
    both = client.get(QUEUE, {"step": "applied", "region": "30"}).content.decode()
    wrong = client.get(QUEUE, {"region": "zurich"})
    arabic_indic = client.get(QUEUE, {"region": "٣"})

    assert _names(by_step) == ["Anna Alt", "Carla Conti"]
    assert _names(by_region) == ["Bruno Berner", "Carla Conti"]
    assert _names(both) == ["Bruno Berner"]
    assert wrong.status_code == 400
    assert _errors_of(wrong.content.decode(), "id_region") == [
        "One to four digits, e.g. 80 for Zurich."
    ]
    assert arabic_indic.status_code == 400
    assert _errors_of(arabic_indic.content.decode(), "id_region") == [
        "One to four digits, e.g. 80 for Zurich."
    ]


def test_the_application_page_shows_the_documents_beside_the_applicant_with_their_log(
    client, django_assert_max_num_queries
):
    # Given an application handed in, whose ID another manager opened once
    helper = vet(_applicant("Anna Alt"), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    other = ManagerFactory.create(display_name="Marta Manager")
    identity = HelperDocument.objects.get(helper=helper, kind="identity")
    document_open(document=identity, manager=other, ip_address="192.0.2.7")
    _logged_in(client, ManagerFactory.create())

    with django_assert_max_num_queries(12):
        response = client.get(f"{QUEUE}{helper.public_id}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Anna Alt" in html
    assert helper.user.email in html
    for document in HelperDocument.objects.filter(helper=helper):
        assert f'href="/api/v1/manager/documents/{document.public_id}/file"' in html
    card = re.search(
        rf'id="document-{identity.public_id}">(.*?)(<div class="card"|</section>)', html, re.S
    )
    assert "Marta Manager (192.0.2.7)" in card.group(1)
    assert "Nobody has opened it yet." in html  # the extract
    # The decisions that fit "documents submitted", and no other
    assert re.findall(r'id="decide-(\w+)"', html) == [
        "check_documents",
        "request_information",
        "reject",
    ]


def test_opening_a_document_from_the_page_is_logged(client):
    helper = vet(_applicant("Anna Alt"), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    manager = ManagerFactory.create(display_name="Marta Manager")
    _logged_in(client, manager)
    identity = HelperDocument.objects.get(helper=helper, kind="identity")

    response = client.get(f"/api/v1/manager/documents/{identity.public_id}/file")

    assert response.status_code == 200
    page = client.get(f"{QUEUE}{helper.public_id}/").content.decode()
    assert page.count("Marta Manager") == 1
    assert identity.accesses.get().manager == manager


def test_the_manager_walks_an_application_to_approval_with_one_click_each(client):
    helper = vet(_applicant("Anna Alt"), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    manager = ManagerFactory.create()
    _logged_in(client, manager)
    base = f"{QUEUE}{helper.public_id}"
    relay_pending()
    mail.outbox.clear()

    checked = client.post(f"{base}/check_documents", {"check_documents-note": ""})
    helper.refresh_from_db()
    assert (checked.status_code, checked.headers["Location"]) == (302, f"{base}/")
    assert helper.approval_status == ApprovalStatus.DOCUMENTS_CHECKED
    relay_pending()
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([helper.user.email], "Ihre Dokumente sind in Ordnung")  # in the applicant's language
    ]

    client.post(f"{base}/record_conduct_test", {"record_conduct_test-note": "In person."})
    approved = client.post(f"{base}/approve", {"approve-note": "Welcome!"})

    helper.refresh_from_db()
    assert approved.status_code == 302
    assert helper.approval_status == ApprovalStatus.APPROVED
    events = HelperApprovalEvent.objects.filter(helper=helper).order_by("pk")
    assert [(e.to_status, e.actor, e.note) for e in events][-3:] == [
        (ApprovalStatus.DOCUMENTS_CHECKED, manager, ""),
        (ApprovalStatus.CONDUCT_TEST_PASSED, manager, "In person."),
        (ApprovalStatus.APPROVED, manager, "Welcome!"),
    ]
    assert helper.documents.filter(delete_after__isnull=False).count() == 2


def test_a_rejection_without_a_reason_is_answered_next_to_the_note_and_changes_nothing(client):
    helper = vet(_applicant("Anna Alt"), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    _logged_in(client, ManagerFactory.create())
    before = HelperApprovalEvent.objects.count()

    response = client.post(f"{QUEUE}{helper.public_id}/reject", {"reject-note": "  "})

    # Back on the application at its own address: a reload resends nothing
    assert _errors_of(
        shown_once(client, response, f"{QUEUE}{helper.public_id}/"), "id_reject-note"
    ) == ["Tell us why, in a few words."]
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.DOCUMENTS_SUBMITTED
    assert HelperApprovalEvent.objects.count() == before


def test_a_decision_that_does_not_fit_the_step_is_refused_and_changes_nothing(client):
    helper = _applicant("Anna Alt")
    upload_documents(helper)
    _logged_in(client, ManagerFactory.create())

    response = client.post(f"{QUEUE}{helper.public_id}/approve", {"approve-note": ""})
    unknown = client.post(f"{QUEUE}{helper.public_id}/promote", {"promote-note": ""})

    page = f"{QUEUE}{helper.public_id}/"
    assert (response.status_code, response["Location"]) == (302, page)
    assert (
        "This is not possible any more: the page was out of date."
        in client.get(page).content.decode()
    )
    assert "the page was out of date" not in client.get(page).content.decode()
    assert unknown.status_code == 404
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.APPLIED
    assert not HelperApprovalEvent.objects.exists()


def test_asking_for_more_information_tells_the_applicant_what(client):
    helper = vet(_applicant("Anna Alt"), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    _logged_in(client, ManagerFactory.create())

    client.post(
        f"{QUEUE}{helper.public_id}/request_information",
        {"request_information-note": "The extract is cut off."},
    )

    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.NEEDS_INFORMATION
    assert helper.approval_note == "The extract is cut off."


def _note_labels(html: str) -> dict[str, str]:
    return dict(re.findall(r'<label for="id_(\w+)-note"[^>]*>\s*([^<]*?)\s*<', html))


def test_each_decisions_note_is_named_as_the_decision_asks_for_it(client):
    # Given an application with every decision to take, one sent back without a reason
    helper = vet(_applicant("Anna Alt"), to=ApprovalStatus.CONDUCT_TEST_PASSED)
    _logged_in(client, ManagerFactory.create())

    html = client.get(f"{QUEUE}{helper.public_id}/").content.decode()
    refused = client.post(f"{QUEUE}{helper.public_id}/reject", {"reject-note": ""})

    # Then approving takes a note, asking for information what is needed, rejecting a reason
    assert _note_labels(html) == {
        "approve": "Note (the applicant reads it)",
        "invite_to_interview": "Note (the applicant reads it)",
        "request_information": "What is needed (the applicant reads it)",
        "reject": "Reason (the applicant reads it)",
    }
    shown = shown_once(client, refused, f"{QUEUE}{helper.public_id}/")
    assert _note_labels(shown)["reject"] == "Reason (the applicant reads it)"


def test_the_interview_setting_hides_the_direct_approval(client, settings):
    settings.QUARTIER = settings.QUARTIER.with_values(vetting_interview_required=True)
    helper = vet(_applicant("Anna Alt"), to=ApprovalStatus.CONDUCT_TEST_PASSED)
    _logged_in(client, ManagerFactory.create())
    html = client.get(f"{QUEUE}{helper.public_id}/").content.decode()
    assert re.findall(r'id="decide-(\w+)"', html) == [
        "invite_to_interview",
        "request_information",
        "reject",
    ]


def test_the_funnel_counts_applicants_per_step_over_the_period(
    client, django_assert_max_num_queries
):
    # Given one applicant who handed in after 2 days and one who only applied, in March
    with time_machine.travel(T0, tick=False):
        first = _applicant("Anna Alt")
        _applicant("Bruno Berner")
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        vet(first, to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    _logged_in(client, ManagerFactory.create())

    with django_assert_max_num_queries(8):
        response = client.get(
            "/manage/vetting/funnel", {"since": "2027-03-01", "until": "2027-03-31"}
        )

    html = response.content.decode()
    rows = re.findall(
        r'<tr>\s*<th scope="row">(.*?)</th>\s*<td>(\d+)</td>\s*<td>(\d+)</td>\s*<td>(.*?)</td>',
        html,
    )
    assert rows[0] == ("Applied, documents to upload", "2", "1", "2.0")
    assert rows[1] == ("Documents to check", "1", "1", "–")
    before = client.get("/manage/vetting/funnel", {"since": "2027-02-01", "until": "2027-02-28"})
    assert re.findall(
        r'<th scope="row">Applied, documents to upload</th>\s*<td>(\d+)', before.content.decode()
    ) == ["0"]


def test_the_funnel_refuses_a_period_that_ends_before_it_starts(client):
    _logged_in(client, ManagerFactory.create())
    response = client.get("/manage/vetting/funnel", {"since": "2027-03-10", "until": "2027-03-01"})
    assert response.status_code == 400
    assert _errors_of(response.content.decode(), "id_until") == [
        "The end must come after the start."
    ]


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_the_funnel_shows_its_default_period_in_its_date_fields(client, language):
    """A date field takes its value as 2026-11-08 in every language: given "08/11/2026" (French)
    the browser showed both fields empty while the page counted the last 30 days."""
    with time_machine.travel(T0 + timedelta(days=30), tick=False):
        _logged_in(client, ManagerFactory.create(), language)
        response = client.get("/manage/vetting/funnel")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<input type="date" name="(\w+)" value="([^"]*)"', html) == [
        ("since", "2027-03-02"),
        ("until", "2027-03-31"),
    ]


def test_the_applicants_languages_are_named_in_the_managers_language(client):
    helper = vet(
        _applicant("Anna Alt", languages=("fr", "de")), to=ApprovalStatus.DOCUMENTS_SUBMITTED
    )
    _logged_in(client, ManagerFactory.create(), "it")

    for page in (f"{QUEUE}{helper.public_id}/", f"/manage/helpers/{helper.public_id}/"):
        html = client.get(page).content.decode()
        assert "<dt>Lingue</dt><dd>francese, tedesco</dd>" in html, page


def _section(html: str, section_id: str) -> str:
    found = re.search(rf'<section [^>]*id="{section_id}">(.*?)</section>', html, re.S)
    assert found is not None
    return found.group(1)


def test_the_application_page_shows_the_online_test_attempts_with_the_questions_missed(client):
    # Given a checked applicant who failed an attempt (6 of 8, 7 needed) and started another
    with time_machine.travel(T0, tick=False):
        publish_conduct_test(max_attempts=3, waiting=timedelta(days=1))
        helper = vet(_applicant("Anna Alt"), to=ApprovalStatus.DOCUMENTS_CHECKED)
        first = conduct_test_attempt_start(helper=helper, actor=helper.user)
        conduct_test_attempt_submit(
            attempt=first, actor=helper.user, answers=answers_for(first, wrong=2)
        )
    missed = [ConductTestQuestion.objects.get(pk=pk) for pk in first.question_ids[:2]]
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        conduct_test_attempt_start(helper=helper, actor=helper.user)
        # When a manager reading Italian opens the application
        _logged_in(client, ManagerFactory.create(), language="it")
        html = client.get(f"{QUEUE}{helper.public_id}/").content
    section = _section(html.decode(), "conduct-test")

    # Then both attempts are there, newest first: the one under way, and the failed one with
    # its score against the pass mark and the questions missed in the manager's language
    assert re.findall(r'id="attempt-(\d)"', section) == ["2", "1"]
    assert "Iniziato: 3 marzo 2027 alle 09:00" in re.sub(r"<[^>]+>", "", section)  # not submitted
    assert "6 risposte giuste su 8 (minimo richiesto: 7)" in section
    assert re.findall(r"<li>(.*?)</li>", section) == [q.text_in("it") for q in missed]
    assert "1 tentativo rimasto." in section


def test_the_application_page_says_when_no_attempt_was_made(client):
    publish_conduct_test()
    helper = vet(_applicant("Anna Alt"), to=ApprovalStatus.DOCUMENTS_CHECKED)
    _logged_in(client, ManagerFactory.create())

    html = client.get(f"{QUEUE}{helper.public_id}/").content.decode()

    section = _section(html, "conduct-test")
    assert "No attempt online yet." in section
    assert "3 attempts left." in section
