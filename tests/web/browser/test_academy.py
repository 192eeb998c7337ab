"""The helper's academy in a real browser on a 390×844 phone: the walk from signing up to the
first offer of a category a course gates, and axe-core on every academy page in every language.

The walk runs against a daphne of its own whose e-mails are written to files, so the test reads
the verification link from the outbox the server wrote. The customer's requests are posted
through the service in the test process (offers go out as in production).
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from academy.models import EventKind, QuizAttempt
from academy.services import (
    calendar_feed_for,
    event_register,
    quiz_attempt_start,
    training_event_create,
)
from backend.models import User
from bookings.models import Offer
from helpers.models import ApprovalStatus, ConductTestAttempt, HelperProfile
from helpers.services import WeeklyInterval, helper_set_weekly_availability
from tests.academy.builders import publish_course
from tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    ManagerFactory,
    UserFactory,
    answers_for,
    make_helper,
    post_request,
    publish_conduct_test,
)
from tests.web.browser.conftest import DESKTOP, PHONE, log_in
from tests.worker import start_daphne, stop_daphne

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("de", "fr", "it", "en")


@pytest.fixture
def mailing_url(live_url: str, django_db_blocker: Any, tmp_path: Path) -> Any:
    """A daphne of this test's own whose e-mails go to files in `tmp_path`, stopped at the
    test's end. It asks for the session's server only so that one is forked before the
    module's browser starts: a server forked later would hold the browser driver's pipes open
    to the end of the session, and stopping the browser would wait for it forever."""
    from channels.testing.live import make_application

    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    mail = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
    }
    with django_db_blocker.unblock(), override_settings(CACHES=dummy, **mail):
        process = start_daphne(partial(make_application, static_wrapper=None))
    yield f"http://127.0.0.1:{process.port.value}", tmp_path
    stop_daphne(process)


def _outbox(folder: Path) -> str:
    return "\n".join(path.read_text() for path in sorted(folder.glob("*.log")))


def _answer(page: Page, form: str, answers: list[tuple[int, int]]) -> None:
    for question_id, option_id in answers:
        page.locator(f"{form} input[name=question_{question_id}][value='{option_id}']").check()


def test_an_applicant_walks_from_sign_up_to_a_first_offer_the_course_unlocks(
    browser, mailing_url, axe, screenshot
):
    url, mailbox = mailing_url
    manager = ManagerFactory.create(email="manager@quartier.test", preferred_language="en")
    publish_conduct_test(per_attempt=3, pass_mark=3, manager=manager)
    course = publish_course(
        "smart-home-set-up", required_for=("smart-home",), questions=3, per_attempt=2
    )
    customer = UserFactory.create(email="vreni@example.ch", languages=["en"])
    phone = browser.new_context(locale="en", **PHONE).new_page()

    # Sign up; the verification link is read from the e-mail the server wrote
    phone.goto(f"{url}/sign-up")
    phone.get_by_label("Your name").fill("Nina Berger")
    phone.get_by_label("E-mail address").fill("nina@example.ch")
    phone.get_by_label("Password").fill("Sonnenblume-im-Garten-7")
    phone.get_by_role("button", name="Sign up").click()
    expect(phone.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    link = re.search(r"verify-email\?token=(\S+)", _outbox(mailbox))
    assert link is not None
    phone.goto(f"{url}/verify-email?token={link.group(1)}")
    phone.get_by_role("button", name="Confirm my address").click()
    expect(phone.get_by_text("Your e-mail address is confirmed.")).to_be_visible()
    expect(phone.get_by_role("heading", name="My requests")).to_be_visible()
    phone.goto(f"{url}/profile")
    phone.get_by_label("Street and number").fill("Limmatquai 10")
    phone.get_by_label("Postcode").fill("8001")
    phone.get_by_label("Locality").fill("Zürich")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Your profile is saved.")).to_be_visible()

    # Apply as a helper for smart homes, upload both documents and hand them in
    phone.goto(f"{url}/helper/apply")
    phone.get_by_text("Smart home").click()
    phone.get_by_role("button", name="Send my application").click()
    expect(phone.get_by_role("heading", name="My application")).to_be_visible()
    helper = HelperProfile.objects.get(user__email="nina@example.ch")
    phone.locator("#id_identity-file").set_input_files(
        {"name": "id.png", "mimeType": "image/png", "buffer": PNG_BYTES}
    )
    phone.locator("#document-identity").get_by_role("button", name="Upload").click()
    extract = phone.locator("#id_criminal_record_extract-file")
    extract.set_input_files(
        {"name": "extract.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
    )
    issued = (timezone.localdate() - timedelta(days=10)).isoformat()
    phone.locator("#id_criminal_record_extract-issued_on").fill(issued)
    phone.locator("#document-criminal_record_extract").get_by_role("button", name="Upload").click()
    phone.get_by_role("button", name="Hand in my documents").click()
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.DOCUMENTS_SUBMITTED

    # The manager, in a browser of their own, checks the documents
    desk = browser.new_context(locale="en", **DESKTOP).new_page()
    log_in(desk, url, "manager@quartier.test", "/manage/vetting/")
    desk.goto(f"{url}/manage/vetting/{helper.public_id}/")
    desk.locator("#decide-check_documents button").click()
    expect(desk.get_by_text("The documents are checked")).to_be_visible()

    # The applicant passes the code-of-conduct test
    phone.goto(f"{url}/helper/conduct-test")
    phone.get_by_role("button", name="Start the test").click()
    attempt = ConductTestAttempt.objects.get(helper=helper)
    _answer(phone, "#conduct-questions", answers_for(attempt))
    phone.get_by_role("button", name="Submit my answers").click()
    expect(phone.locator("#conduct-result")).to_contain_text("Passed.")
    # Still applying: her home page says what comes before a first offer, no empty inbox
    phone.goto(f"{url}/helper/")
    expect(phone.get_by_role("heading", name="Before your first offer")).to_be_visible()
    expect(phone.locator("#offers-heading")).to_have_count(0)
    expect(phone.locator("#certification-gaps")).to_contain_text(
        "Once you are approved, offers for Smart home come to you after you pass:"
    )
    assert axe(phone) == []

    # Where and when Nina works (her hours page and payout account are other tests' walks)
    helper_set_weekly_availability(
        helper=helper,
        intervals=[WeeklyInterval(day, time(0, 0), time(23, 59)) for day in range(7)],
    )
    HelperProfile.objects.filter(pk=helper.pk).update(takes_payments=True)

    # The manager approves her in the console
    desk.goto(f"{url}/manage/vetting/{helper.public_id}/")
    desk.locator("#decide-approve button").click()
    expect(desk.get_by_text("The helper is approved.")).to_be_visible()
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.APPROVED

    # Before the course, a smart-home request does not reach her; her home page says why
    before = post_request(customer, slug="smart-home", languages=["en"])
    assert not Offer.objects.filter(help_request=before, helper=helper).exists()
    phone.goto(f"{url}/helper/")
    gaps = phone.locator("#certification-gaps")
    expect(gaps).to_contain_text("You get no offers for Smart home until you pass:")
    assert axe(phone) == []

    # She takes the course and passes its quiz in the browser
    gaps.get_by_role("link", name="Smart-home set-up (en)").click()
    expect(phone.locator("#course-status")).to_contain_text("Not started.")
    expect(phone.get_by_role("link", name=re.compile("Watch the video"))).to_be_visible()
    phone.get_by_role("button", name="Start the quiz").click()
    quiz = QuizAttempt.objects.get(helper=helper)
    right = [
        (question, quiz.version.questions.get(pk=question).options.get(is_correct=True).pk)
        for question in quiz.question_ids
    ]
    _answer(phone, "#quiz-questions", right)
    screenshot(phone, "academy-quiz-phone")
    phone.get_by_role("button", name="Submit my answers").click()
    expect(phone.locator("#quiz-result")).to_contain_text("2 of 2 right (2 needed). Passed.")
    expect(phone.locator("#course-status")).to_contain_text("Passed, valid until")
    assert course.certifications.filter(helper=helper).count() == 1

    # The same request now reaches her: her first offer, on her phone
    post_request(customer, slug="smart-home", languages=["en"])
    phone.goto(f"{url}/helper/")
    expect(phone.locator("#certification-gaps")).to_have_count(0)
    expect(phone.locator("#offers .offer")).to_have_count(1)
    expect(phone.locator("#offers .offer h3")).to_have_text("Smart home")
    screenshot(phone, "academy-first-offer-phone")
    assert axe(phone) == []


def test_every_academy_page_in_every_language_on_a_phone_has_no_axe_violation(
    browser, live_url, axe
):
    manager = ManagerFactory.create()
    course = publish_course("smart-home-set-up", required_for=("smart-home",), manager=manager)
    helper = make_helper(email="academy@example.ch", skills=("smart-home",))
    quiz_attempt_start(helper=helper, actor=helper.user, course=course)
    now = timezone.now()
    for capacity, kind in ((1, EventKind.TRAINING), (5, EventKind.MEETUP)):
        event = training_event_create(
            actor=manager,
            kind=kind,
            titles={language: f"Event {capacity} ({language})" for language in LANGUAGES},
            descriptions=dict.fromkeys(LANGUAGES, "Bring your laptop."),
            starts_at=now + timedelta(days=3),
            ends_at=now + timedelta(days=3, hours=2),
            capacity=capacity,
            place="Gemeinschaftszentrum Wipkingen",
        )
    event_register(helper=helper, actor=helper.user, event=event)
    calendar_feed_for(helper=helper, actor=helper.user)
    pages = (
        "/helper/academy/",
        "/helper/academy/courses/smart-home-set-up/",
        "/helper/academy/record",
        "/helper/academy/events/",
    )
    found = {}
    for language in LANGUAGES:
        User.objects.filter(pk=helper.user_id).update(preferred_language=language)
        context = browser.new_context(locale=language, **PHONE)
        page = context.new_page()
        log_in(page, live_url, "academy@example.ch", "/helper/")
        for path in pages:
            page.goto(live_url + path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            violations = axe(page)
            if violations:
                found[(language, path)] = violations
            # Nothing is wider than the phone
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, (language, path)
        context.close()
    assert found == {}
