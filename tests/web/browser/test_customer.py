"""The customer's web app in a real browser: the whole loop, a booking for a relative made with
the keyboard alone, errors next to their fields, and axe-core on every page in every language.

The helper's side is driven through the services in the test process (the helper's pages are
not built yet); the browser sees their moves only by the page's own polling.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Page, expect

from backend.models import User
from backend.services import email_verification_token
from bookings import services
from bookings.models import Booking, BookingStatus, HelpRequest, Review
from catalogue.models import LegalAcceptance, LegalDocument, LegalDocumentKind
from payments.models import Payment, PayoutAccount
from tests.factories import (
    PASSWORD,
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    paid_on_paper,
    pending_offer,
    publish,
)
from tests.web.browser.conftest import DESKTOP, PHONE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("de", "fr", "it", "en")


def _context(browser: Any, language: str = "en", **size: Any) -> Any:
    return browser.new_context(locale=language, **(size or DESKTOP))


def _log_in(page: Page, live_url: str, email: str) -> None:
    page.goto(f"{live_url}/log-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()


def _no_violations(axe: Any, page: Page) -> None:
    assert axe(page) == [], page.url


def test_the_customers_whole_loop_from_sign_up_to_review(browser, live_url, axe, screenshot):
    helper = make_helper(skills=("internet-wifi",), languages=("de", "en"))
    context = _context(browser)
    page = context.new_page()

    page.goto(live_url + "/")
    expect(
        page.get_by_role("heading", name="Help with technology, from a neighbour")
    ).to_be_visible()
    screenshot(page, "home-desktop")

    page.get_by_role("link", name="Sign up and ask for help").click()
    page.get_by_label("Your name").fill("Vreni Keller")
    page.get_by_label("E-mail address").fill("vreni@example.ch")
    page.get_by_label("Password").fill("Sonnenblume-im-Garten-7")
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    # The e-mail went out from the server process; the link carries this token.
    token = email_verification_token(User.objects.get(email="vreni@example.ch"))
    page.goto(f"{live_url}/verify-email?token={token}")
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_text("Your e-mail address is confirmed.")).to_be_visible()
    expect(page.get_by_role("heading", name="My requests")).to_be_visible()

    page.goto(f"{live_url}/profile")
    page.get_by_label("Street and number").fill("Bahnhofplatz 1")
    page.get_by_label("Postcode").press_sequentially("8001")
    expect(page.locator("#locality-suggestions option[value='Zürich']")).to_have_count(1)
    page.get_by_label("Locality").fill("Zürich")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    assert User.objects.get(email="vreni@example.ch").home_locality == "Zürich"

    page.get_by_role("link", name="Ask for help").first.click()
    page.get_by_text("Internet & Wi-Fi").click()
    page.get_by_label("Describe the problem").fill("The Wi-Fi drops every evening.")
    page.locator("#id_day_1").select_option(index=1)
    page.locator("#id_slot_1").select_option("morning")
    screenshot(page, "request-new-desktop")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_text("We asked 1 helper near you.")).to_be_visible()
    page.evaluate("() => { window.notReloaded = true; }")

    help_request = HelpRequest.objects.get(customer__email="vreni@example.ch")
    booking = services.offer_accept(offer=pending_offer(help_request, helper), actor=helper.user)
    window = help_request.windows.get()
    services.booking_propose(
        booking=booking,
        actor=helper.user,
        slots=[
            services.SlotInput(window.starts_at, window.starts_at + timedelta(hours=1)),
            services.SlotInput(window.starts_at + timedelta(hours=2), window.ends_at),
        ],
    )
    # The page learns it by polling (htmx), without reloading.
    expect(page.get_by_text("proposes these times")).to_be_visible(timeout=20_000)
    assert page.evaluate("() => window.notReloaded") is True
    screenshot(page, "request-proposed-desktop")
    _no_violations(axe, page)

    page.get_by_role("button", name=re.compile("^Confirm ")).first.click()
    expect(page.get_by_text("The visit is confirmed for")).to_be_visible()
    expect(page.get_by_text("Cancelling costs nothing up to 24 hours")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED

    with time_machine.travel(booking.starts_at - timedelta(minutes=20), tick=False):
        services.booking_start_journey(booking=booking, actor=helper.user, eta_minutes=15)
        services.booking_check_in(booking=booking, actor=helper.user)
        services.booking_check_out(
            booking=booking,
            actor=helper.user,
            work_summary="Moved the router to the hall and renamed the network.",
            leave_behind_note="If it drops again: unplug the router for ten seconds.",
        )
    page.reload()
    expect(page.get_by_text("unplug the router for ten seconds")).to_be_visible()
    page.get_by_role("button", name="Yes, sign off the visit").click()
    expect(page.get_by_text("Thank you! The visit is signed off.")).to_be_visible()

    page.get_by_text("5 stars: excellent").click()
    page.get_by_label("A few words for others (optional)").fill("Patient and friendly.")
    page.get_by_role("button", name="Send my review").click()
    expect(page.get_by_text("Thank you for your review.")).to_be_visible()
    expect(
        page.get_by_text("Reviews are shown once both sides have written theirs")
    ).to_be_visible()
    screenshot(page, "request-reviewed-desktop")
    _no_violations(axe, page)
    review = Review.objects.get(booking=booking)
    assert (review.rating, review.text, review.published_at) == (5, "Patient and friendly.", None)
    context.close()


def test_a_relative_books_for_her_father_with_the_keyboard_alone(
    browser, live_url, axe, screenshot
):
    make_helper(skills=("tv-streaming",), languages=("de", "en"))
    UserFactory.create(email="daughter@example.ch", preferred_language="en")
    context = _context(browser)
    page = context.new_page()
    _log_in(page, live_url, "daughter@example.ch")
    page.goto(f"{live_url}/requests/new")

    page.locator("body").focus()
    typed = {
        "description": "The TV box shows no channels since yesterday.",
        "on_behalf_name": "Walter Keller",
        "on_behalf_phone": "+41 44 123 45 67",
    }
    done: set[str] = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement;"
            " return [e.tagName, e.name || '', e.type || '', e.value || '', e.textContent.trim()]; }"
        )
        tag, name, kind, value, text = focused
        if name == "category" and "category" not in done:
            # Arrow keys move through a radio group; Space picks the focused one.
            while page.evaluate("() => document.activeElement.value") != str(
                _category_pk("tv-streaming")
            ):
                page.keyboard.press("ArrowDown")
            page.keyboard.press("Space")
            done.add("category")
        elif name in typed and name not in done:
            page.keyboard.type(typed[name])
            done.add(name)
        elif name == "day_1" and name not in done:
            page.keyboard.press("ArrowDown")  # the day after tomorrow
            done.add(name)
        elif name == "slot_1" and name not in done:
            page.keyboard.press("ArrowDown")
            page.keyboard.press("ArrowDown")  # the afternoon
            done.add(name)
        elif name == "for_someone_else" and name not in done:
            page.keyboard.press("Space")  # shows the name and phone fields
            # Alpine shows them on its next frame: wait for it, as a person would.
            page.locator("#id_on_behalf_name").wait_for(state="visible")
            done.add(name)
        elif tag == "BUTTON" and text == "Send my request":
            assert done == {
                "category",
                "description",
                "day_1",
                "slot_1",
                "for_someone_else",
                "on_behalf_name",
                "on_behalf_phone",
            }
            page.keyboard.press("Enter")
            break
    else:
        pytest.fail(f"never reached the send button; done: {sorted(done)}")

    expect(page.get_by_text("We asked 1 helper near Walter Keller.")).to_be_visible()
    expect(page.get_by_text("Walter Keller, +41 44 123 45 67")).to_be_visible()
    help_request = HelpRequest.objects.get(customer__email="daughter@example.ch")
    assert (
        help_request.category.slug,
        help_request.on_behalf_name,
        help_request.on_behalf_phone,
    ) == (
        "tv-streaming",
        "Walter Keller",
        "+41 44 123 45 67",
    )
    assert help_request.windows.get().starts_at.astimezone().hour in (
        13,
        14,
        15,
    )  # afternoon, Zurich
    _no_violations(axe, page)
    context.close()


def _category_pk(slug: str) -> int:
    from catalogue.models import ServiceCategory

    return ServiceCategory.objects.get(slug=slug).pk


def test_form_errors_are_shown_next_to_their_fields_keeping_what_was_typed(browser, live_url, axe):
    UserFactory.create(email="anna@example.ch", preferred_language="en")
    context = _context(browser)
    page = context.new_page()

    page.goto(f"{live_url}/sign-up")
    page.get_by_label("Your name").fill("Anna")
    page.get_by_label("E-mail address").fill("anna.new@example.ch")
    page.get_by_label("Password").fill("12345")
    page.get_by_role("button", name="Sign up").click()
    errors = page.locator("#id_password_error li")
    expect(errors).to_have_text(
        [
            "This password is too short. It must contain at least 8 characters.",
            "This password is too common.",
            "This password is entirely numeric.",
        ]
    )
    expect(page.get_by_label("E-mail address")).to_have_value("anna.new@example.ch")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    _no_violations(axe, page)

    _log_in(page, live_url, "anna@example.ch")
    page.goto(f"{live_url}/requests/new")
    page.get_by_label("Describe the problem").fill("Help")
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#id_category_error li")).to_have_text(["This field is required."])
    expect(page.get_by_label("Describe the problem")).to_have_value("Help")
    _no_violations(axe, page)

    page.get_by_text("Internet & Wi-Fi").click()
    page.locator("#id_day_1").select_option(index=1)
    page.locator("#id_slot_1").select_option("evening")
    page.locator("#id_day_2").select_option(index=2)
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#id_slot_2_error li")).to_have_text(
        ["Choose both the day and the time, or neither."]
    )
    page.locator("#id_day_2").select_option("")
    page.get_by_role("button", name="Send my request").click()
    expect(page.locator("#id_description_error li")).to_have_text(
        ["Describe the problem in a few words (at least 10 characters)."]
    )
    assert not HelpRequest.objects.exists()
    context.close()


def _pages_of_each_kind(live_url: str) -> dict[str, tuple[str | None, str]]:
    """name: (who is logged in, path) for every kind of customer page."""
    customer = UserFactory.create(email="showcase@example.ch")
    helper = make_helper(skills=("internet-wifi",), point=_zurich())
    pages: dict[str, tuple[str | None, str]] = {
        "home": (None, "/"),
        "sign-up": (None, "/sign-up"),
        "log-in": (None, "/log-in"),
        "password-reset": (None, "/password-reset"),
        "profile": (customer.email, "/profile"),
        "password-change": (customer.email, "/password"),
        "request-new": (customer.email, "/requests/new"),
        "history": (customer.email, "/requests/"),
    }
    for status in (BookingStatus.PROPOSED, BookingStatus.COMPLETED, BookingStatus.SIGNED_OFF):
        booking: Booking = make_booking(status, customer=customer, helper=helper)
        pages[f"request-{status}"] = (
            customer.email,
            f"/requests/{booking.help_request.public_id}/",
        )
    # Paying with TWINT: choosing it before the visit, and the payment due after it
    proposed: Booking = make_booking(BookingStatus.PROPOSED, customer=customer, helper=helper)
    pages["pay-choose-twint"] = (customer.email, f"/requests/{proposed.help_request.public_id}/pay")
    due: Booking = make_booking(BookingStatus.SIGNED_OFF, customer=customer, helper=helper)
    # Both made before the helper has a payout account (a paid visit cannot start unheld).
    paid: Booking = make_booking(BookingStatus.SIGNED_OFF, customer=customer, helper=helper)
    account, _created = PayoutAccount.objects.get_or_create(
        helper=helper,
        defaults={"stripe_account_id": "acct_twint_page", "status": "payouts_enabled"},
    )
    Payment.objects.update_or_create(
        booking=due,
        defaults={
            "payout_account": account,
            "status": "due",
            "pay_with": "twint",
            "currency": "CHF",
            "amount_minor": due.price_minor or 0,
            "due_minor": due.price_minor or 0,
            "payment_intent_id": f"pi_twint_page{due.pk}",
        },
    )
    pages["request-pay-due"] = (customer.email, f"/requests/{due.help_request.public_id}/")
    pages["pay-due"] = (customer.email, f"/requests/{due.help_request.public_id}/pay")
    # A paid visit: its request page with the "Receipt" link and the tip form, and the receipt
    paid_on_paper(paid)
    pages["request-paid"] = (customer.email, f"/requests/{paid.help_request.public_id}/")
    pages["receipt"] = (customer.email, f"/receipts/{paid.public_id}/")
    # A visit the customer reported, its helper blocked: the page says both
    reported: Booking = make_booking(BookingStatus.IN_PROGRESS, customer=customer)
    services.safety_report_file(
        booking=reported, actor=customer, category="harassment", text="He shouted at me."
    )
    services.helper_block(booking=reported, actor=customer)
    pages["request-reported"] = (customer.email, f"/requests/{reported.help_request.public_id}/")
    return pages


def _zurich() -> Any:
    from tests.factories import ZURICH

    return ZURICH


def test_every_customer_page_in_every_language_has_no_axe_violation(
    browser, live_url, axe, screenshot
):
    pages = _pages_of_each_kind(live_url)
    found: dict[str, list[dict[str, Any]]] = {}
    for language in LANGUAGES:
        User.objects.filter(email="showcase@example.ch").update(preferred_language=language)
        for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
            if size_name == "phone" and language != "de":
                continue  # the phone layout once, in the language most customers use
            context = browser.new_context(locale=language, **size)
            page = context.new_page()
            logged_in = False
            for name, (who, path) in pages.items():
                if who is not None and not logged_in:
                    page.goto(f"{live_url}/log-in")
                    page.locator("#id_email").fill(who)
                    page.locator("#id_password").fill(PASSWORD)
                    page.locator("form.form button[type=submit]").click()
                    page.wait_for_url(re.compile(r"/requests/$"))
                    logged_in = True
                page.goto(live_url + path)
                assert page.locator("html").get_attribute("lang") == language
                if size_name == "desktop":  # the phone layout is screenshotted, not re-scanned
                    violations = axe(page)
                    if violations:
                        found[f"{name} {language}"] = violations
                if language == "de" or (language == "en" and size_name == "desktop"):
                    screenshot(page, f"{name}-{language}-{size_name}")
            context.close()
    assert found == {}


def test_a_reason_being_written_is_kept_while_the_page_brings_its_news(browser, live_url):
    """The request's page asks the server again by itself while the customer waits (here every
    3 s, then 6 s…): while a form on it is being filled in, only the status words are brought up
    to date, and the rest once the form is left as it was. (Replacing the part used to clear
    what the customer had typed.)"""
    helper = make_helper(display_name="Marco Rossi")
    customer = UserFactory.create(email="vreni@example.ch", preferred_language="en")
    booking = make_booking(BookingStatus.CONFIRMED, customer=customer, helper=helper)
    context = _context(browser, **PHONE)
    page = context.new_page()
    _log_in(page, live_url, "vreni@example.ch")
    page.goto(f"{live_url}/requests/{booking.help_request.public_id}/")
    page.evaluate("() => { window.stillTheSamePage = true; }")
    part = page.locator("#request-main")
    expect(part).to_have_attribute("hx-get", re.compile(r"\?wait=3$"))
    reason = page.locator("#id_cancel-reason")
    reason.fill("My grandson can help after all.")
    page.locator("h1").click()  # the field loses the focus: what was typed still holds the part

    # Marco sets off: the status words say so; the reason stays as typed
    services.booking_start_journey(booking=booking, actor=helper.user, eta_minutes=20)
    status = page.locator(".status-words")
    expect(status).to_have_text(re.compile(r"^Marco is on the way and will arrive around "))
    expect(reason).to_have_value("My grandson can help after all.")
    expect(part).to_have_attribute("hx-get", re.compile(r"\?wait=3$"))  # the part is the same
    page.wait_for_timeout(7_000)  # past the next poll too
    expect(reason).to_have_value("My grandson can help after all.")

    # The reason cleared again: the whole part is brought up to date (its next poll doubled)
    reason.fill("")
    page.locator("h1").click()
    expect(part).to_have_attribute("hx-get", re.compile(r"\?wait=6$"))
    assert page.evaluate("() => window.stillTheSamePage === true")
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.ON_THE_WAY
    context.close()


def test_a_customer_reads_and_accepts_the_terms_then_confirms_a_time_on_a_phone(
    browser, live_url, axe
):
    """Someone who has not accepted the terms yet reads them on the request's page, ticks them
    and accepts; only then is there a time to confirm."""
    terms = publish(
        LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS),
        ManagerFactory.create(),
        text="Quartier brings neighbours together.",
    )
    customer = UserFactory.create(email="terms@example.ch", preferred_language="en")
    booking = make_booking(BookingStatus.PROPOSED, customer=customer)
    LegalAcceptance.objects.filter(user=customer).delete()
    page = _context(browser, **PHONE).new_page()
    _log_in(page, live_url, "terms@example.ch")
    page.goto(f"{live_url}/requests/{booking.help_request.public_id}/")

    section = page.get_by_role("region", name="Before you confirm: the terms of the visit")
    expect(section).to_be_visible()
    expect(page.get_by_text("Accept the terms above to confirm this time.").first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Confirm "))).to_have_count(0)
    text = section.get_by_text("[en] Quartier brings neighbours together.")
    expect(text).to_be_hidden()
    _no_violations(axe, page)
    section.get_by_text(f"Read “{terms.title_in('en')}”").click()
    expect(text).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    section.get_by_label(f"I have read and accept: {terms.title_in('en')}").check()
    section.get_by_role("button", name="Accept the terms").click()

    expect(page.get_by_text("Thank you. Now choose a time to confirm the visit.")).to_be_visible()
    expect(
        page.get_by_role("region", name="Before you confirm: the terms of the visit")
    ).to_have_count(0)
    _no_violations(axe, page)
    page.get_by_role("button", name=re.compile("^Confirm ")).first.click()
    expect(page.get_by_text("The visit is confirmed. The helper has been told.")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert LegalAcceptance.objects.get(user=customer).text_sha256 == terms.sha256_in("en")


def test_a_form_sent_back_opens_on_its_list_of_problems_each_leading_to_its_field(
    browser, live_url, axe
):
    UserFactory.create(email="mend@example.ch", preferred_language="en", home_postal_code="")
    page = _context(browser, **PHONE).new_page()
    _log_in(page, live_url, "mend@example.ch")
    page.goto(f"{live_url}/requests/new")
    page.get_by_role("button", name="Send my request").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please check these 3 fields:")
    _no_violations(axe, page)
    summary.get_by_role("link", name=re.compile("^Describe the problem")).click()
    expect(page.get_by_label("Describe the problem")).to_be_focused()
