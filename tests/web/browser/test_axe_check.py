"""The accessibility check itself: every rule in a page's first language, each time it is
checked in that language, and the rules that depend on the words in the other languages."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

GREY_ON_WHITE = '<p style="color:#bbb;background:#fff">{text}</p>'


def _page_in(language: str, *, label: str, text: str) -> str:
    return (
        f'<!doctype html><html lang="{language}"><head><title>{text}</title></head><body>'
        f"<main><h1>{text}</h1>{GREY_ON_WHITE.format(text=text)}"
        f"<button>{label}</button></main></body></html>"
    )


def _ids(violations: list[dict]) -> list[str]:
    return sorted(violation["id"] for violation in violations)


def test_the_first_language_gets_every_rule_each_time_and_another_the_words(browser, axe):
    page = browser.new_context().new_page()

    page.set_content(_page_in("de", label="Senden", text="Hallo"))
    assert _ids(axe(page)) == ["color-contrast"]
    page.set_content(_page_in("de", label="", text="Hallo"))
    assert _ids(axe(page)) == ["button-name", "color-contrast"]

    # The same address in French: the contrast is the template's, checked in German already;
    # a name left empty by a translation is still found.
    page.set_content(_page_in("fr", label="", text="Bonjour"))
    assert _ids(axe(page)) == ["button-name"]
    page.set_content(_page_in("fr", label="Envoyer", text="Bonjour"))
    assert axe(page) == []


def test_a_page_opened_before_the_first_check_and_the_pages_after_it_are_checked(browser, axe):
    context = browser.new_context()
    opened_before = context.new_page()
    opened_before.set_content(_page_in("it", label="", text="Ciao"))
    assert _ids(axe(opened_before)) == ["button-name", "color-contrast"]

    opened_after = context.new_page()
    opened_after.set_content(_page_in("it", label="Invia", text="Ciao"))
    assert opened_after.evaluate("() => typeof axe") == "object"
    assert _ids(axe(opened_after)) == ["color-contrast"]
