"""The manager's console for the academy and the waivers in a real browser: a draft course
is written and published, attendance is marked, and every new page has no axe violation in
any language."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from academy.models import Certification, CourseVersion, TrainingEvent
from academy.services import event_register
from backend.models import User
from bookings.models import BookingStatus
from catalogue.models import LegalDocument, LegalDocumentKind
from tests.academy.builders import publish_course
from tests.factories import ManagerFactory, make_booking, make_helper, publish
from tests.web.browser.conftest import DESKTOP, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("de", "fr", "it", "en")
MANAGER = "deskmanager@quartier.test"


def _desk() -> dict[str, str]:
    """A published course with a draft, an event with a registration and a waiting list, the
    terms, and a disputed visit: the console's new pages."""
    manager = ManagerFactory.create(email=MANAGER)
    disputed = make_booking(BookingStatus.DISPUTED)
    publish_course(required_for=("smart-home",), manager=manager)
    publish_course("data-protection", publish=False, manager=manager)
    start = timezone.now() + timedelta(days=4)
    event = TrainingEvent.objects.create(
        kind="training",
        title_en="Smart-home evening",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        capacity=1,
        place="Zürich",
    )
    first, second = make_helper(display_name="Anna Meier"), make_helper(display_name="Beat Roth")
    event_register(helper=first, actor=first.user, event=event)
    event_register(helper=second, actor=second.user, event=event, join_waiting_list=True)
    terms = LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS)
    publish(terms, manager)
    return {
        "courses": "/manage/courses/",
        "course": "/manage/courses/smart-home-set-up/",
        "published": "/manage/courses/smart-home-set-up/versions/1/",
        "draft": "/manage/courses/data-protection/versions/1/",
        "events": "/manage/events/",
        "event": f"/manage/events/{event.public_id}/",
        "gaps": "/manage/certification-gaps/",
        "waivers": "/manage/waivers/",
        "waiver": "/manage/waivers/terms/",
        "dispute": f"/manage/disputes/{disputed.public_id}/",
    }


def test_every_console_desk_page_in_every_language_has_no_axe_violation(browser, live_url, axe):
    pages = _desk()
    found: dict[str, list[dict[str, Any]]] = {}
    for language in LANGUAGES:
        User.objects.filter(email=MANAGER).update(preferred_language=language)
        context = browser.new_context(locale=language, **DESKTOP)
        page = context.new_page()
        log_in(page, live_url, MANAGER, pages["courses"])
        for name, path in pages.items():
            page.goto(f"{live_url}{path}")
            violations = axe(page)
            if violations:
                found[f"{name} {language}"] = violations
        context.close()
    assert found == {}


def test_the_manager_publishes_a_draft_and_marks_attendance(browser, live_url):
    _desk()
    User.objects.filter(email=MANAGER).update(preferred_language="en")
    context = browser.new_context(locale="en", **DESKTOP)
    page = context.new_page()
    log_in(page, live_url, MANAGER, "/manage/courses/data-protection/versions/1/")

    # The draft is written in the browser: the second lesson's text in every language
    for language, name in (
        ("de", "German"),
        ("fr", "French"),
        ("it", "Italian"),
        ("en", "English"),
    ):
        page.get_by_label(f"Lesson title ({name})").nth(1).fill(f"Extra lesson {language}")
        page.get_by_label(f"Lesson text ({name})").nth(1).fill(f"Back up first {language}")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("The draft is saved.")).to_be_visible()
    page.get_by_role("button", name="Publish this version").click()
    expect(
        page.get_by_text("The version is published: helpers take it from now on.")
    ).to_be_visible()
    version = CourseVersion.objects.get(course__slug="data-protection")
    assert (version.status, version.lessons.count()) == ("published", 2)
    assert version.lessons.get(position=2).body_it == "Back up first it"

    # Once the training started, the manager ticks who came: that helper is certified
    event = TrainingEvent.objects.get()
    TrainingEvent.objects.filter(pk=event.pk).update(
        course=version.course, starts_at=timezone.now() - timedelta(minutes=5)
    )
    page.goto(f"{live_url}/manage/events/{event.public_id}/")
    page.get_by_label("Anna Meier").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_text("Attendance is saved.")).to_be_visible()
    assert list(Certification.objects.values_list("helper__user__display_name", "source")) == [
        ("Anna Meier", "event")
    ]
    context.close()
