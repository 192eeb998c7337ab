"""In a real browser: the skip link shows where the focus went; the language switch's button
says what it changes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.web.browser.conftest import DESKTOP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_skip_link_leads_to_the_content_and_shows_the_focus_there(browser, live_url):
    page = browser.new_context(locale="en", **DESKTOP).new_page()
    page.goto(f"{live_url}/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the content")).to_be_focused()
    page.keyboard.press("Enter")

    main = page.locator("main")
    expect(main).to_be_focused()
    outline = main.evaluate(
        "(e) => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert outline == ["solid", "4px"]
    page.context.close()


@pytest.mark.parametrize(
    ("language", "name"),
    [("en", "Change language"), ("de", "Sprache wechseln")],
)
def test_the_language_button_says_what_it_changes(browser, live_url, language, name):
    page = browser.new_context(locale=language, **DESKTOP).new_page()
    page.goto(f"{live_url}/")

    expect(page.get_by_role("button", name=name, exact=True)).to_have_count(1)
    page.context.close()
