"""Appeals in the browser: the suspended helper's section on their application page (the
form's refusals next to the field), and the manager's decision on the console's helper page,
with the count on the dashboard."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core import mail

from backend.relay import relay_pending
from bookings import services as booking_services
from bookings.models import BookingStatus
from helpers import services
from helpers.appeal_services import appeal_file
from helpers.models import AppealStatus, ApprovalStatus, HelperAppeal, HelperProfile
from tests.factories import ManagerFactory, UserFactory, make_booking, make_helper
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db

PAGE = "/helper/application"


def suspended_helper(language: str = "en") -> HelperProfile:
    helper = make_helper(preferred_language=language)
    services.helper_suspend(helper=helper, actor=ManagerFactory.create(), note="Late twice.")
    helper.refresh_from_db()
    return helper


def test_a_suspended_helper_appeals_from_the_application_page(
    client, django_assert_max_num_queries
):
    helper = suspended_helper()
    _logged_in(client, helper.user)
    assert f'href="{PAGE}#appeal"' in client.get("/helper/").content.decode()

    with django_assert_max_num_queries(9):
        page = client.get(PAGE)
    sent = client.post(f"{PAGE}/appeal", {"text": "The bus was late."})

    assert 'id="appeal-form"' in page.content.decode()
    assert "The community manager's reason: Late twice." in page.content.decode()
    assert (sent.status_code, sent.headers["Location"]) == (302, PAGE)
    appeal = HelperAppeal.objects.get()
    assert (appeal.helper, appeal.text, appeal.status) == (
        helper,
        "The bus was late.",
        AppealStatus.OPEN,
    )
    after = client.get(PAGE).content.decode()
    assert 'id="appeal-form"' not in after  # one open appeal at a time
    assert "With the community manager" in after
    assert "The bus was late." in after


def test_an_empty_appeal_is_refused_next_to_the_field(client):
    helper = suspended_helper()
    _logged_in(client, helper.user)

    response = client.post(f"{PAGE}/appeal", {"text": " \u200b "})

    # Back on the application's page at its own address: a reload resends nothing
    shown = shown_once(client, response, PAGE)
    assert _errors_of(shown, "id_text") == ["Write something visible."]
    assert not HelperAppeal.objects.exists()


def test_an_approved_helper_sees_no_appeal_and_cannot_post_one(client):
    helper = make_helper()
    _logged_in(client, helper.user)

    page = client.get(PAGE).content.decode()
    response = client.post(f"{PAGE}/appeal", {"text": "Why?"})

    assert 'id="appeal"' not in page
    assert (response.status_code, response.headers["Location"]) == (302, PAGE)
    assert not HelperAppeal.objects.exists()


def test_the_manager_sees_the_count_and_upholds_an_appeal(client, django_assert_max_num_queries):
    helper = suspended_helper("fr")
    appeal = appeal_file(helper=helper, actor=helper.user, text="Le bus était en retard.")
    manager = ManagerFactory.create()
    _logged_in(client, manager)
    relay_pending()
    mail.outbox.clear()

    dashboard = client.get("/manage/").content.decode()
    with django_assert_max_num_queries(12):
        page = client.get(f"/manage/helpers/{helper.public_id}/")
    decide = f"/manage/helpers/{helper.public_id}/appeals/{appeal.public_id}/decide"
    no_reason = client.post(decide, {"appeal-outcome": "uphold", "appeal-note": ""})
    refused_page = shown_once(client, no_reason, f"/manage/helpers/{helper.public_id}/")
    done = client.post(decide, {"appeal-outcome": "uphold", "appeal-note": "Third time."})

    assert '<span class="figure" id="open-appeals">1</span>' in dashboard
    assert f'action="{decide}"' in page.content.decode()
    assert "Le bus était en retard." in page.content.decode()
    assert _errors_of(refused_page, "id_appeal-note") != []
    assert (done.status_code, done.headers["Location"]) == (
        302,
        f"/manage/helpers/{helper.public_id}/",
    )
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by, appeal.decision_note) == (
        AppealStatus.UPHELD,
        manager,
        "Third time.",
    )
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.SUSPENDED
    relay_pending()
    assert [m.subject for m in mail.outbox] == ["Votre recours : la suspension est maintenue"]
    after = client.get(f"/manage/helpers/{helper.public_id}/").content.decode()
    assert 'id="appeal-decision"' not in after
    assert (
        '<span class="figure" id="open-appeals">0</span>' in client.get("/manage/").content.decode()
    )


@pytest.mark.parametrize("who", ["customer", "helper"])
def test_only_a_manager_decides_an_appeal(client, who):
    helper = suspended_helper()
    appeal = appeal_file(helper=helper, actor=helper.user, text="Please.")
    _logged_in(client, helper.user if who == "helper" else UserFactory.create())
    decide = f"/manage/helpers/{helper.public_id}/appeals/{appeal.public_id}/decide"

    response = client.post(decide, {"appeal-outcome": "lift", "appeal-note": "Myself."})

    assert response.status_code == 404
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.OPEN
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.SUSPENDED


def test_an_appeal_of_another_helper_is_not_found_on_this_helpers_page(client):
    helper, other = suspended_helper(), suspended_helper()
    appeal = appeal_file(helper=helper, actor=helper.user, text="Please.")
    _logged_in(client, ManagerFactory.create())

    wrong = client.post(
        f"/manage/helpers/{other.public_id}/appeals/{appeal.public_id}/decide",
        {"appeal-outcome": "lift", "appeal-note": "Fine."},
    )
    missing = client.post(
        f"/manage/helpers/{helper.public_id}/appeals/{uuid.uuid4()}/decide",
        {"appeal-outcome": "lift", "appeal-note": "Fine."},
    )

    assert (wrong.status_code, missing.status_code) == (404, 404)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.OPEN


def test_the_console_helper_page_shows_the_decided_reports_on_them(client):

    visit = make_booking(BookingStatus.IN_PROGRESS)
    manager = ManagerFactory.create()
    decided = booking_services.safety_report_file(
        booking=visit, actor=visit.help_request.customer, category="harassment", text="Shouted."
    )
    booking_services.safety_report_triage(
        report=decided, actor=manager, outcome="warning", note="Talked to him."
    )
    booking_services.safety_report_file(
        booking=visit, actor=visit.help_request.customer, category="damage", text="Still open."
    )
    _logged_in(client, manager)

    html = client.get(f"/manage/helpers/{visit.helper.public_id}/").content.decode()

    record = html.split('id="safety-record"', 1)[1].split("</section>", 1)[0]
    assert "<td>Harassment</td><td>Warned</td>" in record
    assert "Talked to him." in record
    assert "Damage" not in record  # an open report is not on the record yet


@pytest.mark.parametrize(
    ("outcome", "said", "approval"),
    [
        (
            "lift",
            "The suspension is lifted: {name} is approved again and gets offers. "
            "They are told by e-mail.",
            ApprovalStatus.APPROVED,
        ),
        (
            "uphold",
            "The suspension stands: {name} still gets no offers. "
            "They are told by e-mail, with your reason.",
            ApprovalStatus.SUSPENDED,
        ),
    ],
)
def test_the_page_says_what_the_appeal_decision_changed(client, outcome, said, approval):
    helper = suspended_helper()
    appeal = appeal_file(helper=helper, actor=helper.user, text="The bus was late.")
    _logged_in(client, ManagerFactory.create())

    response = client.post(
        f"/manage/helpers/{helper.public_id}/appeals/{appeal.public_id}/decide",
        {"appeal-outcome": outcome, "appeal-note": "Decided."},
        follow=True,
    )

    shown = re.findall(r'<p class="message message-success">(.*?)</p>', response.content.decode())
    assert shown == [said.format(name=helper.user.display_name)]
    helper.refresh_from_db()
    assert helper.approval_status == approval
