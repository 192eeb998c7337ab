"""The set-up and the checks the browser tests of refused forms share: a person on a phone, in
their language, on the page that holds the form; after the refusal, that page back at its own
address with the form's problem above it taking the focus and nothing for axe to find; and a
reload that only reloads the page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect

from backend.models import User
from tests.web.browser.conftest import PHONE, log_in


def phone_on_the_page(browser: Any, live_url: str, user: User, language: str, path: str) -> Any:
    """A phone's page for `user` (everyone reads `language`), logged in on `path`."""
    User.objects.update(preferred_language=language)
    page = browser.new_context(locale=language, **PHONE).new_page()
    log_in(page, live_url, user.email, path)
    return page


def back_with_the_problem_focused(
    page: Any, live_url: str, path: str, field_id: str, axe: Callable[[Any], list]
) -> None:
    """The refused form's page is back at `path`, one list of problems above the form taking
    the focus and leading to the field `field_id`, and axe finds nothing."""
    page.wait_for_url(f"{live_url}{path}")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_have_count(1)
    expect(summary).to_be_focused()
    expect(summary.locator(f'a[href="#{field_id}"]')).to_have_count(1)
    assert axe(page) == []


def reload_sends_nothing(page: Any, live_url: str, path: str) -> None:
    """A reload shows the page as it stands, at its own address, without the problems."""
    page.reload()
    expect(page.locator("[data-error-summary]")).to_have_count(0)
    assert page.url == f"{live_url}{path}"
