"""A safety report's page, a customer's file and a request's page telling its visits' stories
in the manager's console, in a real browser: in every language, on a desktop (1280 px) and on
a phone (390 px), no axe-core violation and nothing wider than the screen."""

from __future__ import annotations

from typing import Any

import pytest

from backend.models import User
from bookings import services
from bookings.models import BookingStatus
from tests.factories import ManagerFactory, UserFactory, make_booking
from tests.web.browser.conftest import DESKTOP, PHONE, log_in
from tests.web.test_manage_request_story import _story

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("de", "fr", "it", "en")
MANAGER = "reportdesk@quartier.test"


def _pages() -> dict[str, str]:
    """An open report about a customer warned before, who filed a report of their own and
    cancelled a visit; and the customer's file."""
    manager = ManagerFactory.create(email=MANAGER)
    customer = UserFactory.create(display_name="Annemarie Zimmermann-Oberholzer")
    earlier = make_booking(BookingStatus.IN_PROGRESS, customer=customer)
    warned = services.safety_report_file(
        booking=earlier, actor=earlier.helper.user, category="no_show", text="Nobody opened."
    )
    services.safety_report_triage(
        report=warned, actor=manager, outcome="warning", note="Be home for the visit you booked."
    )
    services.safety_report_file(
        booking=earlier, actor=customer, category="damage", text="The router's cable broke."
    )
    visit = make_booking(BookingStatus.IN_PROGRESS, customer=customer)
    report = services.safety_report_file(
        booking=visit,
        actor=visit.helper.user,
        category="harassment",
        text="She shouted at me when I asked where the router was.",
    )
    make_booking(BookingStatus.CANCELLED, customer=customer)
    # A request whose first helper cancelled late and whose second came, was paid and reviewed
    # by the customer (not yet visible to the helper).
    cancelled, paid = _story()
    services.review_submit(
        booking=paid, actor=paid.help_request.customer, rating=4, text="Quick and kind."
    )
    return {
        "manager-report": f"/manage/reports/{report.public_id}/",
        "manager-customer": f"/manage/customers/{customer.public_id}/",
        "manager-request-story": f"/manage/requests/{cancelled.help_request.public_id}/",
    }


def test_the_report_page_the_customers_file_and_a_requests_story_pass_axe_at_both_widths(
    browser, live_url, axe
):
    pages = _pages()
    too_wide: dict[str, int] = {}
    found: dict[str, list[dict[str, Any]]] = {}
    for language in LANGUAGES:
        User.objects.filter(email=MANAGER).update(preferred_language=language)
        for size_name, size in (("1280", DESKTOP), ("390", PHONE)):
            context = browser.new_context(locale=language, **size)
            page = context.new_page()
            log_in(page, live_url, MANAGER, "/manage/")
            for name, path in pages.items():
                page.goto(live_url + path)
                assert page.locator("html").get_attribute("lang") == language
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > size["viewport"]["width"]:
                    too_wide[f"{name} {language} {size_name}"] = width
                if violations := axe(page):
                    found[f"{name} {language} {size_name}"] = violations
            context.close()
    assert too_wide == {}
    assert found == {}
