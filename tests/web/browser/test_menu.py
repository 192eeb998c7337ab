"""The site's menu on a phone: folded behind a button for everyone signed in (the customer, the
helper, the manager), so that the page itself starts on the first screen; opened and closed by
the button and by Escape, accessible folded and open, in every language; open as before on a
desktop and in a browser without scripts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from backend.models import User
from tests.factories import ManagerFactory, UserFactory, make_helper
from tests.web.browser.conftest import DESKTOP, PHONE, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("de", "fr", "it", "en")
MENU = {"de": "Menü", "fr": "Menu", "it": "Menu", "en": "Menu"}
LOG_OUT = {"de": "Abmelden", "fr": "Se déconnecter", "it": "Esci", "en": "Log out"}
MORE = {"de": "Mehr", "fr": "Plus", "it": "Altro", "en": "More"}
# Who signs in, where they land, and how many links their menu holds.
PEOPLE = {
    "customer": ("menu-customer@example.ch", "/requests/", 4),
    "helper": ("menu-helper@example.ch", "/helper/", 9),
    "manager": ("menu-manager@quartier.test", "/manage/", 14),
}


def _people() -> None:
    UserFactory.create(email="menu-customer@example.ch")
    make_helper(email="menu-helper@example.ch")
    ManagerFactory.create(email="menu-manager@quartier.test")


def test_the_menu_folds_on_a_phone_and_the_button_opens_it_in_every_language(
    browser, live_url, axe, screenshot
):
    _people()
    found: dict[str, list[dict[str, Any]]] = {}
    for language in LANGUAGES:
        User.objects.filter(email__startswith="menu-").update(preferred_language=language)
        for who, (email, home, links) in PEOPLE.items():
            context = browser.new_context(locale=language, **PHONE)
            page = context.new_page()
            log_in(page, live_url, email, home)
            button = page.get_by_role("button", name=MENU[language])
            menu = page.locator("#site-menu")
            log_out = page.get_by_role("button", name=LOG_OUT[language])

            # Folded: the button, the brand and the page's own heading on the first screen.
            expect(button).to_be_visible()
            expect(button).to_have_attribute("aria-expanded", "false")
            expect(menu).to_be_hidden()
            expect(log_out).to_be_hidden()
            header = page.locator(".site-header").bounding_box()
            assert header is not None
            assert header["height"] < 110, (who, language, header)
            heading = page.locator("main h1").first.bounding_box()
            assert heading is not None
            assert heading["y"] < 200, (who, language, heading)
            if violations := axe(page):
                found[f"{who} {language} folded"] = violations
            if language == "de":
                screenshot(page, f"menu-{who}-folded-390x844-de")

            # Opened: every link, the log-out and the language choice; the current page marked.
            button.click()
            expect(button).to_have_attribute("aria-expanded", "true")
            expect(menu.locator(".nav a")).to_have_count(links)
            for link in menu.locator(".nav a").all():
                expect(link).to_be_visible()
            expect(log_out).to_be_visible()
            expect(page.locator("#language-choice")).to_be_visible()
            expect(menu.locator("a[aria-current=page]")).to_have_attribute("href", home)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            if violations := axe(page):
                found[f"{who} {language} open"] = violations
            if language == "de":
                screenshot(page, f"menu-{who}-open-390x844-de")

            # Escape folds it again and gives the button the focus back; so does the button.
            menu.locator(".nav a").first.focus()
            page.keyboard.press("Escape")
            expect(button).to_have_attribute("aria-expanded", "false")
            expect(menu).to_be_hidden()
            expect(button).to_be_focused()
            button.click()
            expect(menu).to_be_visible()
            button.click()
            expect(menu).to_be_hidden()
            context.close()
    assert found == {}


def test_on_a_desktop_the_menu_is_open_and_has_no_button(browser, live_url):
    _people()
    User.objects.filter(email__startswith="menu-").update(preferred_language="en")
    context = browser.new_context(locale="en", **DESKTOP)
    page = context.new_page()
    for who, (email, home, links) in PEOPLE.items():
        log_in(page, live_url, email, home)
        expect(page.locator(".menu-button")).to_be_hidden()
        if who == "helper":
            page.get_by_role("button", name="More").click()
        expect(page.locator("#site-menu .nav a")).to_have_count(links)
        for link in page.locator("#site-menu .nav a").all():
            expect(link).to_be_visible()
        expect(page.locator("#language-choice")).to_be_visible()
        page.get_by_role("button", name="Log out").click()
        page.wait_for_url(re.compile(r"/$"))
    context.close()


def test_on_a_desktop_the_customers_menu_stands_beside_the_brand(browser, live_url):
    """The menu beside the brand and the language below it: two rows, even with French's
    longer words (a menu that wrapped under the brand took a third)."""
    _people()
    User.objects.filter(email__startswith="menu-").update(preferred_language="fr")
    context = browser.new_context(locale="fr", **DESKTOP)
    page = context.new_page()
    email, home, _ = PEOPLE["customer"]
    log_in(page, live_url, email, home)
    brand = page.locator(".brand").bounding_box()
    first_link = page.locator("#site-menu .nav a").first.bounding_box()
    header = page.locator(".site-header").bounding_box()
    assert brand is not None
    assert first_link is not None
    assert header is not None
    assert first_link["x"] > brand["x"] + brand["width"]
    assert header["height"] < 140, header
    context.close()


def test_without_scripts_the_menu_stays_open_on_a_phone(browser, live_url):
    _people()
    User.objects.filter(email__startswith="menu-").update(preferred_language="en")
    context = browser.new_context(locale="en", java_script_enabled=False, **PHONE)
    page = context.new_page()
    email, home, links = PEOPLE["helper"]
    log_in(page, live_url, email, home)
    expect(page.locator(".menu-button")).to_be_hidden()
    expect(page.locator("#site-menu .nav a")).to_have_count(links)
    for link in page.locator("#site-menu .nav a").all():
        expect(link).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    context.close()


def test_signed_out_the_log_in_and_sign_up_links_are_never_folded(browser, live_url):
    context = browser.new_context(locale="en", **PHONE)
    page = context.new_page()
    page.goto(live_url + "/")
    expect(page.locator(".menu-button")).to_have_count(0)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Log in", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="Sign up", exact=True)).to_be_visible()
    context.close()


def _header_rows(page: Any) -> int:
    """How many rows the header's brand, menu items and language choice stand on."""
    middles = page.evaluate(
        """() => [...document.querySelectorAll(
            '.site-header .brand, .site-header .nav > li, .site-header .language'
        )].map((item) => {
            const box = item.getBoundingClientRect();
            return Math.round(box.top + box.height / 2);
        })"""
    )
    rows: list[int] = []
    for middle in sorted(middles):
        if not rows or middle - rows[-1] > 8:
            rows.append(middle)
    return len(rows)


@pytest.mark.parametrize("language", LANGUAGES)
def test_on_a_desktop_the_helpers_header_is_one_row_the_rest_behind_more(
    browser, live_url, axe, screenshot, language
):
    """Nine links, the log-out and the language took three rows at 1280 px; the first links,
    "More" and the language now stand on one, in every language."""
    _people()
    User.objects.filter(email__startswith="menu-").update(preferred_language=language)
    context = browser.new_context(locale=language, **DESKTOP)
    page = context.new_page()
    email, home, links = PEOPLE["helper"]
    log_in(page, live_url, email, home)
    header = page.locator(".site-header")
    more = page.get_by_role("button", name=MORE[language])
    folded = page.locator("#more-menu a")

    assert _header_rows(page) == 1
    box = header.bounding_box()
    assert box is not None
    assert box["height"] < 80, box
    expect(page.locator("#site-menu .nav a:visible")).to_have_count(links - 6)
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(folded.first).to_be_hidden()

    # "More" opens the rest and the log-out over the page, the header stays as it was
    more.click()
    expect(more).to_have_attribute("aria-expanded", "true")
    expect(folded).to_have_count(6)
    for link in folded.all():
        expect(link).to_be_visible()
    expect(page.get_by_role("button", name=LOG_OUT[language])).to_be_visible()
    assert header.bounding_box() == box
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert axe(page) == []
    screenshot(page, f"helper-header-more-1280x900-{language}")

    # Escape folds it and gives "More" the focus back; so does a click elsewhere
    folded.first.focus()
    page.keyboard.press("Escape")
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(more).to_be_focused()
    more.click()
    page.locator(".site-footer").click()
    expect(more).to_have_attribute("aria-expanded", "false")
    expect(folded.first).to_be_hidden()
    context.close()
