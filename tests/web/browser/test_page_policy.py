"""The main pages in a real browser, at a desktop's 1280 px and a phone's 390 px, without a
single complaint of their Content-Security-Policy (style-src 'self': no inline style), also
when a part of the page is redrawn by its polling while one of its fields carries a style the
browser wrote: a text field resized by its handle (Chromium writes the new size into the
field's style), or a field a password manager or a screenshot touched. htmx used to copy that
style onto the redrawn field with setAttribute, which the policy refuses.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page

from backend.models import User
from bookings.models import BookingStatus
from tests.factories import ManagerFactory, UserFactory, make_booking, make_helper
from tests.web.browser.conftest import DESKTOP, PHONE, log_in
from tests.web.browser.test_helper_and_manager import TILES, _drawn, _no_tiles

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Every violation of the page's Content-Security-Policy, from the page's first line.
POLICY_WATCH = """
window.policyViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.policyViolations.push(
    event.violatedDirective + " " + event.sourceFile + ":" + event.lineNumber
  );
});
"""

# What Chromium does when a field is resized by its handle: the new size goes into its style
# (through the style object, which the policy allows).
RESIZE_FIELDS = """() => document.querySelectorAll("textarea[id]").forEach((field) => {
  field.style.height = "12em";
})"""


def _pages() -> dict[str, tuple[str, str, bool]]:
    """name: (who sees it, path, whether it asks the server again after 3 s)."""
    helper = make_helper(email="marco@example.ch", display_name="Marco Rossi")
    customer = UserFactory.create(email="vreni@example.ch")
    confirmed = make_booking(BookingStatus.CONFIRMED, helper=helper, customer=customer)
    awaiting = make_booking(BookingStatus.AWAITING_PROPOSAL, helper=helper, customer=customer)
    ManagerFactory.create(email="desk@quartier.test")
    User.objects.update(preferred_language="en")
    return {
        "request": ("vreni@example.ch", f"/requests/{confirmed.help_request.public_id}/", True),
        "requests": ("vreni@example.ch", "/requests/", False),
        "request-new": ("vreni@example.ch", "/requests/new", False),
        "helper-offers": ("marco@example.ch", "/helper/", True),
        "helper-visit": ("marco@example.ch", f"/helper/visits/{awaiting.public_id}/", True),
        "helper-visits": ("marco@example.ch", "/helper/visits/", False),
        "manager-dashboard": ("desk@quartier.test", "/manage/", False),
        "manager-map": ("desk@quartier.test", "/manage/map/", False),
        "manager-requests": ("desk@quartier.test", "/manage/requests/", False),
    }


def _visit(page: Page, live_url: str, name: str, path: str, polls: bool) -> None:
    if not polls:
        page.goto(live_url + path)
        _drawn(page, name)
        page.evaluate(RESIZE_FIELDS)
        return
    # The part is redrawn by its first poll, after the field was resized
    with page.expect_response(re.compile(re.escape(path) + r"\?wait=3$")):
        page.goto(live_url + path)
        page.evaluate(RESIZE_FIELDS)
    page.wait_for_timeout(500)  # the swap settles


def test_the_main_pages_break_nothing_of_their_policy_on_a_desktop_and_a_phone(browser, live_url):
    pages = _pages()
    found: dict[str, Any] = {}
    for size_name, size in (("1280", DESKTOP), ("390", PHONE)):
        for who in ("vreni@example.ch", "marco@example.ch", "desk@quartier.test"):
            context = browser.new_context(locale="en", **size)
            context.route(TILES, _no_tiles)
            context.add_init_script(POLICY_WATCH)
            page = context.new_page()
            errors: list[str] = []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            mine = [
                (name, path, polls) for name, (owner, path, polls) in pages.items() if owner == who
            ]
            log_in(page, live_url, who, mine[0][1])
            for name, path, polls in mine:
                errors.clear()
                _visit(page, live_url, name, path, polls)
                violations = page.evaluate("() => window.policyViolations")
                if violations or errors:
                    found[f"{name} {size_name}"] = {"violations": violations, "errors": errors}
            context.close()
    assert found == {}
