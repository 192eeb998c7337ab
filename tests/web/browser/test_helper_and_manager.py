"""The helper's phone app and the manager's console in a real browser: the helper's loop from
an offer to the work done on a 390×844 phone, the manager approving a helper and reading why a
request found nobody, the installable app (manifest and service worker), and axe-core on every
new page in every language.

The customer's moves are made through the services in the test process; the helper's page
learns of them by its own polling.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone, translation
from django.utils.dates import MONTHS
from playwright.sync_api import Page, expect

from academy.models import EventKind
from academy.services import training_event_create
from backend.models import User
from backend.money import format_chf
from backend.point import Point
from bookings import services
from bookings.models import Booking, BookingStatus
from catalogue.models import LegalDocument, LegalDocumentKind
from helpers.appeal_services import appeal_decide, appeal_file
from helpers.conduct_test_services import conduct_test_attempt_start
from helpers.models import (
    ApprovalStatus,
    AvailabilityException,
    ConductTestAttempt,
    ConductTestOption,
)
from helpers.services import application_request_information, helper_suspend
from tests.academy.builders import publish_course
from tests.factories import (
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    paid_on_paper,
    post_request,
    publish,
    publish_conduct_test,
    vet,
)
from tests.web.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("de", "fr", "it", "en")


def test_the_helpers_loop_on_a_phone_from_offer_to_done(browser, live_url, axe, screenshot):
    helper = make_helper(email="helper@example.ch", display_name="Marco Rossi")
    User.objects.filter(pk=helper.user_id).update(preferred_language="en")
    customer = UserFactory.create(display_name="Vreni Keller")
    start = (timezone.now() + timedelta(minutes=30)).replace(second=0, microsecond=0)
    help_request = post_request(
        customer, start=start, hours=3, description="The television shows no picture."
    )
    context = browser.new_context(locale="en", **PHONE)
    page = context.new_page()
    log_in(page, live_url, "helper@example.ch", "/helper/")

    offer = page.locator("#offers .offer")
    expect(offer).to_have_count(1)
    expect(offer.get_by_text("The television shows no picture.")).to_be_visible()
    expect(offer.get_by_text("CHF 40.00 per hour, all for you")).to_be_visible()
    expect(offer.get_by_text("Bahnhofstrasse")).to_have_count(0)
    screenshot(page, "helper-offers-phone")
    page.screenshot(path=str(SCREENSHOTS / "helper-offers-390x844.png"))
    assert axe(page) == []
    box = page.get_by_role("button", name="Accept").bounding_box()
    assert box is not None
    assert box["height"] >= 44

    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("The job is yours.")).to_be_visible()
    expect(page.get_by_text("Bahnhofstrasse 1")).to_be_visible()
    booking = Booking.objects.get(help_request=help_request)
    local_start = timezone.localtime(start).strftime("%Y-%m-%dT%H:%M")
    page.locator("#id_propose-start_1").fill(local_start)
    page.locator("#id_propose-length_1").select_option("60")
    page.get_by_role("button", name="Send these times").click()
    expect(
        page.get_by_text("Waiting for the customer to choose one of your times.")
    ).to_be_visible()
    page.evaluate("() => { window.notReloaded = true; }")

    booking.refresh_from_db()
    services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    # The page learns it by polling (htmx), without reloading.
    expect(page.get_by_role("button", name="I am on my way")).to_be_visible(timeout=20_000)
    assert page.evaluate("() => window.notReloaded") is True
    page.locator("#id_go-eta_minutes").select_option("15")
    page.get_by_role("button", name="I am on my way").click()
    expect(page.get_by_text("The customer expects you around")).to_be_visible()
    page.get_by_role("button", name="I have arrived").click()
    expect(page.get_by_text("The visit is in progress.")).to_be_visible()

    page.get_by_label("What you did").fill("Fixed")
    page.get_by_role("button", name="The work is done").click()
    expect(page.locator("#id_done-work_summary_error")).to_have_text(
        "Say in a sentence what you did (at least 10 characters)."
    )
    expect(page.get_by_label("What you did")).to_have_value("Fixed")
    page.get_by_label("What you did").fill("Retuned the channels on the TV box.")
    page.get_by_label(re.compile("How to do it yourself next time")).fill(
        "Hold the OK button for five seconds to search again."
    )
    page.get_by_role("button", name="The work is done").click()
    expect(page.get_by_text("Waiting for the customer to sign off the visit.")).to_be_visible()
    screenshot(page, "helper-visit-phone")
    assert axe(page) == []
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert booking.leave_behind_note == "Hold the OK button for five seconds to search again."
    context.close()


def test_the_manager_approves_a_helper_and_reads_why_nobody_was_offered(
    browser, live_url, axe, screenshot
):
    manager = ManagerFactory.create(email="manager@quartier.test", preferred_language="en")
    applicant = make_helper(
        approval=ApprovalStatus.APPLIED, display_name="Lena Frei", languages=("de",)
    )
    # Lena has been through vetting: documents checked, conduct test passed
    vet(applicant, to=ApprovalStatus.CONDUCT_TEST_PASSED, manager=manager)
    make_helper(display_name="Jean Dupont", languages=("fr",))
    help_request = post_request(UserFactory.create(), languages=["it"])
    context = browser.new_context(locale="en", **DESKTOP)
    page = context.new_page()
    log_in(page, live_url, "manager@quartier.test", "/manage/")

    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    screenshot(page, "manager-dashboard-desktop")
    page.screenshot(path=str(SCREENSHOTS / "manager-dashboard-1280x900.png"))
    page.goto(f"{live_url}/manage/helpers/?status=conduct_test_passed")
    page.get_by_role("link", name="Lena Frei").click()
    page.locator("#id_approve-note").fill("Met her at the community centre.")
    page.get_by_role("button", name="Approve this helper").click()
    expect(page.get_by_text("The helper is approved.")).to_be_visible()
    expect(page.get_by_text("Met her at the community centre.").first).to_be_visible()
    applicant.refresh_from_db()
    assert applicant.approval_status == ApprovalStatus.APPROVED

    page.get_by_role("link", name="Requests").click()
    page.get_by_role("link", name="Internet & Wi-Fi").first.click()
    expect(
        page.get_by_role("heading", name="Why these helpers, and why nobody else")
    ).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Jean Dupont")).first
    expect(row).to_contain_text("Speaks none of the customer's languages")
    help_request.refresh_from_db()
    assert help_request.status == "unmatched"
    screenshot(page, "manager-matching-desktop")
    page.screenshot(path=str(SCREENSHOTS / "manager-matching-1280x900.png"))
    assert axe(page) == []
    context.close()


def test_the_helpers_app_is_installable_with_a_service_worker(browser, live_url):
    helper = make_helper(email="pwa@example.ch")
    User.objects.filter(pk=helper.user_id).update(preferred_language="en")
    context = browser.new_context(locale="en", **PHONE)
    page = context.new_page()
    log_in(page, live_url, "pwa@example.ch", "/helper/")
    scope = page.evaluate("() => navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == live_url + "/"
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []
    assert manifest["url"].endswith("/manifest.webmanifest")
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [error["errorId"] for error in errors] in ([], ["in-incognito"])
    # Offline, a page that cannot be reached shows the offline page from the cache.
    page.reload()  # now controlled by the service worker
    context.set_offline(True)
    page.goto(live_url + "/helper/hours", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name="No connection")).to_be_visible()
    context.set_offline(False)
    context.close()


def test_an_applicant_takes_the_conduct_test_on_a_phone(browser, live_url, axe, screenshot):
    # Given the published test and an applicant whose documents are checked, reading English
    publish_conduct_test(waiting=timedelta(days=7))
    helper = vet(
        make_helper(approval=ApprovalStatus.APPLIED, email="applicant@example.ch"),
        to=ApprovalStatus.DOCUMENTS_CHECKED,
    )
    User.objects.filter(pk=helper.user_id).update(preferred_language="en")
    context = browser.new_context(locale="en", **PHONE)
    page = context.new_page()
    log_in(page, live_url, "applicant@example.ch", "/helper/")

    # When they follow the home page's link and start the test
    page.get_by_role("link", name="Code-of-conduct test").click()
    expect(page.get_by_text("You have 3 attempts left.")).to_be_visible()
    page.get_by_role("button", name="Start the test").click()

    # Then one page shows eight questions, each a group of three answers
    groups = page.locator("#conduct-questions fieldset")
    expect(groups).to_have_count(8)
    assert axe(page) == []
    screenshot(page, "conduct-test-questions")

    # When they submit with one question left out, it is shown next to that question
    attempt = ConductTestAttempt.objects.get(helper=helper)
    right = {
        option.question_id: option.text_en
        for option in ConductTestOption.objects.filter(
            question_id__in=attempt.question_ids, is_correct=True
        )
    }
    for index, question_id in enumerate(attempt.question_ids):
        group = groups.nth(index)
        # The first three wrongly (a fail), the rest rightly, the last one skipped.
        if index == len(attempt.question_ids) - 1:
            continue
        if index < 3:
            group.get_by_label(re.compile(r"^Wrong")).first.check()
        else:
            group.get_by_label(right[question_id]).check()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.locator(".errors")).to_have_text(["Choose an answer."])

    # When they answer it too and submit
    last = groups.nth(len(attempt.question_ids) - 1)
    last.get_by_label(right[attempt.question_ids[-1]]).check()
    page.get_by_role("button", name="Submit my answers").click()

    # Then they read their result and when they may try again
    expect(page.locator("#conduct-result")).to_contain_text("5 of 8 right (7 needed).")
    expect(page.locator("#conduct-result li")).to_have_count(3)
    expect(page.locator("#conduct-wait")).to_contain_text("You have 2 attempts left.")
    assert axe(page) == []
    screenshot(page, "conduct-test-result")
    context.close()
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.DOCUMENTS_CHECKED


def _pages(live_url: str) -> dict[str, tuple[str, str]]:
    """Each new page once: (who sees it, path)."""
    helper = make_helper(email="showhelper@example.ch", display_name="Marco Rossi")
    customer = UserFactory.create(display_name="Vreni Keller")
    printer = post_request(customer, description="The printer prints blank pages.")
    # A paid visit first: once signed off it no longer holds its time
    paid = make_booking(BookingStatus.SIGNED_OFF, helper=helper, customer=customer)
    paid_on_paper(paid)
    visit = make_booking(BookingStatus.CONFIRMED, helper=helper, customer=customer)
    disputed = make_booking(BookingStatus.DISPUTED)
    reported = make_booking(BookingStatus.IN_PROGRESS)
    services.safety_report_file(
        booking=reported,
        actor=reported.help_request.customer,
        category="harassment",
        text="The helper shouted at me.",
    )
    start = timezone.now() + timedelta(days=3)
    AvailabilityException.objects.create(
        helper=helper, kind="unavailable", starts_at=start, ends_at=start + timedelta(days=1)
    )
    applicant = make_helper(approval=ApprovalStatus.APPLIED, display_name="Lena Frei")
    unmatched = post_request(customer, slug="smart-home")
    UserFactory.create(email="newhelper@example.ch")
    ManagerFactory.create(email="showmanager@quartier.test")
    # An applicant in the middle of the code-of-conduct test: its page shows the questions.
    publish_conduct_test()
    test_taker = vet(
        make_helper(approval=ApprovalStatus.APPLIED, email="testtaker@example.ch"),
        to=ApprovalStatus.DOCUMENTS_CHECKED,
    )
    conduct_test_attempt_start(helper=test_taker, actor=test_taker.user)
    # An applicant asked for more: their page shows the note, the uploads and withdrawing.
    asked = vet(
        make_helper(approval=ApprovalStatus.APPLIED, email="asked@example.ch"),
        to=ApprovalStatus.DOCUMENTS_SUBMITTED,
    )
    application_request_information(
        helper=asked, actor=ManagerFactory.create(), note="The ID photo is blurred."
    )
    # A suspended helper whose first appeal was upheld (the list and the form to appeal again),
    # and one whose appeal waits on the console's helper page.
    desk = ManagerFactory.create()
    appealing = make_helper(email="appealing@example.ch")
    helper_suspend(helper=appealing, actor=desk, note="Late twice.")
    upheld = appeal_file(helper=appealing, actor=appealing.user, text="The bus was late.")
    appeal_decide(appeal=upheld, actor=desk, outcome="uphold", note="Third time this month.")
    waiting = make_helper(display_name="Nina Graf")
    helper_suspend(helper=waiting, actor=desk, note="A customer complained.")
    appeal_file(helper=waiting, actor=waiting.user, text="It was a misunderstanding.")
    return {
        "helper-application": ("asked@example.ch", "/helper/application"),
        "helper-appeal": ("appealing@example.ch", "/helper/application"),
        # Suspended: the events page says why there is no calendar address.
        "helper-events-closed": ("appealing@example.ch", "/helper/academy/events/"),
        "manager-helper-appeal": (
            "showmanager@quartier.test",
            f"/manage/helpers/{waiting.public_id}/",
        ),
        "helper-conduct-test": ("testtaker@example.ch", "/helper/conduct-test"),
        "helper-apply": ("newhelper@example.ch", "/helper/apply"),
        "helper-offers": ("showhelper@example.ch", "/helper/"),
        "helper-hours": ("showhelper@example.ch", "/helper/hours"),
        "helper-profile": ("showhelper@example.ch", "/helper/profile"),
        "helper-visits": ("showhelper@example.ch", "/helper/visits/"),
        "helper-visit": ("showhelper@example.ch", f"/helper/visits/{visit.public_id}/"),
        "helper-paid-visit": ("showhelper@example.ch", f"/helper/visits/{paid.public_id}/"),
        "helper-receipt": ("showhelper@example.ch", f"/receipts/{paid.public_id}/"),
        "helper-earnings": ("showhelper@example.ch", "/helper/earnings"),
        "helper-payouts": ("showhelper@example.ch", "/helper/payouts"),
        "offline": ("showhelper@example.ch", "/offline"),
        "manager-dashboard": ("showmanager@quartier.test", "/manage/"),
        "manager-helpers": ("showmanager@quartier.test", "/manage/helpers/"),
        "manager-helper": ("showmanager@quartier.test", f"/manage/helpers/{applicant.public_id}/"),
        "manager-vetting": ("showmanager@quartier.test", "/manage/vetting/"),
        "manager-vetting-application": (
            "showmanager@quartier.test",
            f"/manage/vetting/{test_taker.public_id}/",
        ),
        "manager-vetting-funnel": ("showmanager@quartier.test", "/manage/vetting/funnel"),
        "manager-requests": ("showmanager@quartier.test", "/manage/requests/"),
        "manager-request": (
            "showmanager@quartier.test",
            f"/manage/requests/{unmatched.public_id}/",
        ),
        # Its matching record lists the helper offered, why, and how far away.
        "manager-request-offered": (
            "showmanager@quartier.test",
            f"/manage/requests/{printer.public_id}/",
        ),
        "manager-disputes": ("showmanager@quartier.test", "/manage/disputes/"),
        "manager-reports": ("showmanager@quartier.test", "/manage/reports/"),
        "manager-conduct-test": ("showmanager@quartier.test", "/manage/conduct-test/"),
        "manager-dispute": ("showmanager@quartier.test", f"/manage/disputes/{disputed.public_id}/"),
        "manager-bookings": ("showmanager@quartier.test", "/manage/bookings/?state=confirmed"),
        "manager-map": ("showmanager@quartier.test", "/manage/map/"),
    }


# The browser tests have no internet: the map's tiles never load (as when the tile server is
# down). Answered at once with nothing, so no test waits for a timeout.
TILES = "https://tile.openstreetmap.org/**"


def _no_tiles(route: Any) -> None:
    route.fulfill(status=204, body="")


def _drawn(page: Page, name: str) -> None:
    """Wait for what scripts draw after the page loaded, so that axe checks it too."""
    if name == "manager-map":
        expect(page.locator(".leaflet-marker-icon").first).to_be_visible()
    elif name == "manager-dashboard":
        expect(page.locator("canvas#requests-chart")).to_have_attribute("height", re.compile("."))


def test_every_helper_and_manager_page_in_every_language_has_no_axe_violation(
    browser, live_url, axe, screenshot
):
    pages = _pages(live_url)
    emails = {who for who, _path in pages.values()}
    found: dict[str, list[dict[str, Any]]] = {}
    for language in LANGUAGES:
        User.objects.filter(email__in=emails).update(preferred_language=language)
        for who in sorted(emails):
            size = DESKTOP if who.startswith("showmanager") else PHONE
            context = browser.new_context(locale=language, **size)
            context.route(TILES, _no_tiles)
            page = context.new_page()
            mine = [(name, path) for name, (owner, path) in pages.items() if owner == who]
            log_in(page, live_url, who, mine[0][1])
            for name, path in mine:
                page.goto(live_url + path)
                _drawn(page, name)
                assert page.locator("html").get_attribute("lang") == language
                violations = axe(page)
                if violations:
                    found[f"{name} {language}"] = violations
                if language == "de":
                    screenshot(page, f"{name}-{language}")
            context.close()
    assert found == {}


def test_every_manager_page_fits_a_phone_in_every_language(browser, live_url, axe, screenshot):
    """The community manager answers a helper from her phone too: no console page is wider
    than a 390 px screen in any language (German's long words included; a wide table scrolls
    in its own box), and each passes axe-core at that size."""
    pages = {
        name: path
        for name, (who, path) in _pages(live_url).items()
        if who == "showmanager@quartier.test"
    }
    too_wide: dict[str, int] = {}
    found: dict[str, list[dict[str, Any]]] = {}
    for language in LANGUAGES:
        User.objects.filter(email="showmanager@quartier.test").update(preferred_language=language)
        context = browser.new_context(locale=language, **PHONE)
        context.route(TILES, _no_tiles)
        page = context.new_page()
        log_in(page, live_url, "showmanager@quartier.test", "/manage/")
        for name, path in pages.items():
            page.goto(live_url + path)
            _drawn(page, name)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:  # PHONE's viewport
                too_wide[f"{name} {language}"] = width
            violations = axe(page)
            if violations:
                found[f"{name} {language}"] = violations
            if language == "de" and name == "manager-request-offered":
                screenshot(page, f"{name}-390x844-{language}")
        context.close()
    assert too_wide == {}
    assert found == {}


def test_the_managers_lists_stand_as_cards_on_a_phone_and_stay_tables(browser, live_url, axe):
    """On a phone each row of the helpers, visits and requests lists is a card, each cell under
    its column's name (in the page's language), and a list's states scroll on one line; the
    lists are still tables to a screen reader, and on a desktop they look like tables."""
    booking = make_booking(BookingStatus.CONFIRMED)
    ManagerFactory.create(email="cards@quartier.test", preferred_language="de")
    lists = {
        "/manage/helpers/?status=approved": ("Freigabe", 6),
        "/manage/bookings/?state=confirmed": ("Angenommen am", 5),
        "/manage/requests/?status=assigned": ("Angefragt am", 4),
        "/manage/vetting/": ("Wartet seit", 4),
        "/manage/waivers/": ("Art", 5),
        "/manage/courses/": ("Veröffentlichte Version", 6),
        "/manage/events/": ("Wann", 6),
    }
    make_helper(approval=ApprovalStatus.APPLIED, display_name="Lena Frei")
    desk = ManagerFactory.create()
    publish(LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS), desk)
    publish_course("smart-home-set-up", manager=desk)
    training_event_create(
        actor=desk,
        kind=EventKind.MEETUP,
        titles={language: f"Meet-up ({language})" for language in ("de", "fr", "it", "en")},
        descriptions=dict.fromkeys(("de", "fr", "it", "en"), "Bring your laptop."),
        starts_at=timezone.now() + timedelta(days=3),
        ends_at=timezone.now() + timedelta(days=3, hours=2),
        capacity=5,
        place="Gemeinschaftszentrum Wipkingen",
    )
    phone = browser.new_context(locale="de", **PHONE).new_page()
    log_in(phone, live_url, "cards@quartier.test", "/manage/")
    for path, (first_label, columns) in lists.items():
        phone.goto(live_url + path)
        row = phone.locator("table.stack tbody tr").first
        assert row.evaluate("tr => getComputedStyle(tr).display") == "flex", path
        expect(phone.locator("table.stack thead")).to_have_css("position", "absolute")
        labels = row.locator("td[data-label]").evaluate_all(
            "cells => cells.map(td => getComputedStyle(td, '::before').content)"
        )
        assert len(labels) == columns - 1, (path, labels)
        assert f'"{first_label}"' in labels, (path, labels)
        # To assistive technology: one table, its header row and a row a line
        expect(phone.get_by_role("table")).to_have_count(1)
        expect(phone.get_by_role("columnheader")).to_have_count(columns)
        expect(phone.get_by_role("row")).to_have_count(2)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        assert axe(phone) == [], path
    # The states stand on one line that scrolls sideways, the current one (here the last) in view
    phone.goto(f"{live_url}/manage/bookings/?state=no_show")
    states = phone.locator("nav.states").bounding_box()
    assert states is not None
    assert states["height"] < 60
    current = phone.locator("nav.states [aria-current=page]").bounding_box()
    assert current is not None
    assert current["x"] >= 0
    assert current["x"] + current["width"] <= 390
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    desk = browser.new_context(locale="de", **DESKTOP).new_page()
    log_in(desk, live_url, "cards@quartier.test", "/manage/")
    desk.goto(f"{live_url}/manage/bookings/?state=confirmed")
    row = desk.locator("table.stack tbody tr").first
    assert row.evaluate("tr => getComputedStyle(tr).display") == "table-row"
    expect(desk.get_by_role("columnheader", name="Angenommen am")).to_be_visible()
    expect(row.get_by_role("link", name=booking.helper.user.display_name)).to_be_visible()


def test_the_helpers_earnings_stand_as_a_card_a_month_on_a_phone(browser, live_url, axe):
    """On the helper's phone each month of the earnings is a card: a month with money in it
    shows each figure under its name, a month with nothing its name and its net on one line, the
    total last; no wider than the screen, still one table to a screen reader, a table on a desk."""
    helper = make_helper(email="earner@example.ch", preferred_language="de")
    paid = make_booking(BookingStatus.SIGNED_OFF, helper=helper)
    paid_on_paper(paid, fee_minor=291)
    today = timezone.localdate()
    with translation.override("de"):
        this_month = str(MONTHS[today.month])
        other_month = str(MONTHS[today.month % 12 + 1])
    phone = browser.new_context(locale="de", **PHONE).new_page()
    log_in(phone, live_url, "earner@example.ch", "/helper/earnings")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    expect(phone.get_by_role("table")).to_have_count(1)
    expect(phone.get_by_role("columnheader")).to_have_count(6)
    expect(phone.get_by_role("rowheader")).to_have_count(13)
    paid_month = phone.locator("tbody tr", has=phone.get_by_role("rowheader", name=this_month))
    assert paid_month.evaluate("tr => getComputedStyle(tr).display") == "flex"
    shown = paid_month.locator("td").evaluate_all(
        "cells => cells.filter(td => td.offsetParent !== null)"
        ".map(td => [getComputedStyle(td, '::before').content, td.textContent])"
    )
    fee = format_chf(291, "de")
    assert shown == [
        ['"Brutto"', format_chf(paid.price_minor, "de")],
        ['"Stripe-Gebühren"', fee],
        ['"Rückerstattungen"', format_chf(0, "de")],
        ['"Trinkgelder"', format_chf(0, "de")],
        ['"Netto"', format_chf(paid.price_minor - 291, "de")],
    ]
    empty_month = phone.locator("tbody tr", has=phone.get_by_role("rowheader", name=other_month))
    assert empty_month.locator("td").evaluate_all(
        "cells => cells.filter(td => td.offsetParent !== null).map(td => td.textContent)"
    ) == [format_chf(0, "de")]
    title, net = (
        empty_month.get_by_role("rowheader").bounding_box(),
        empty_month.locator("td").last.bounding_box(),
    )
    assert title is not None
    assert net is not None
    assert abs(title["y"] - net["y"]) < title["height"], "the name and the net on one line"
    total = phone.locator("tbody tr").last
    expect(total.get_by_role("rowheader")).to_have_text("Total")
    assert (
        total.locator("td").evaluate_all(
            "cells => cells.filter(td => td.offsetParent !== null).length"
        )
        == 5
    )
    # Every label keeps inside its card (the longest, "Rückerstattungen", too)
    assert paid_month.evaluate(
        "tr => Array.from(tr.querySelectorAll('td')).every(td => td.scrollWidth <= td.clientWidth)"
    )
    assert axe(phone) == []
    desk = browser.new_context(locale="de", **DESKTOP).new_page()
    log_in(desk, live_url, "earner@example.ch", "/helper/earnings")
    row = desk.locator("tbody tr", has=desk.get_by_role("rowheader", name=other_month))
    assert row.evaluate("tr => getComputedStyle(tr).display") == "table-row"
    expect(row.locator("td")).to_have_count(5)
    expect(row.locator("td").first).to_be_visible()
    expect(desk.get_by_role("columnheader", name="Stripe-Gebühren")).to_be_visible()


def test_the_receipt_reads_on_a_phone_each_value_under_its_label(browser, live_url, axe):
    """On a phone each line of the receipt stands as its label over its value, every value whole
    and no wider than the screen, an amount never broken between "CHF" and the number; on a desk
    the label and the value stand side by side as before."""
    helper = make_helper(email="receipts@example.ch", preferred_language="de")
    paid = make_booking(BookingStatus.SIGNED_OFF, helper=helper)
    paid_on_paper(paid, fee_minor=291)
    page = f"/receipts/{paid.public_id}/"
    phone = browser.new_context(locale="de", **PHONE).new_page()
    log_in(phone, live_url, "receipts@example.ch", page)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    expect(phone.get_by_role("table")).to_have_count(2)
    fee = phone.locator("tr", has=phone.get_by_role("rowheader", name="Stripe-Gebühr", exact=True))
    expect(fee.get_by_role("cell")).to_have_text(format_chf(291, "de"))
    rows = phone.locator("main table tr").evaluate_all(
        """rows => rows.map(tr => {
            const label = tr.querySelector('th').getBoundingClientRect();
            const cell = tr.querySelector('td');
            const value = cell.getBoundingClientRect();
            const text = document.createRange();
            text.selectNodeContents(cell);
            return {
                under: value.top >= label.bottom - 1,
                whole: cell.scrollWidth <= cell.clientWidth && value.left >= 0
                    && value.right <= 390,
                lines: new Set(Array.from(text.getClientRects()).map(r => r.top)).size,
                amount: /CHF/.test(cell.textContent),
            };
        })"""
    )
    assert len(rows) >= 10
    assert all(row["under"] and row["whole"] for row in rows), rows
    amounts = [row for row in rows if row["amount"]]
    assert len(amounts) >= 5
    assert all(row["lines"] == 1 for row in amounts), amounts
    assert axe(phone) == []
    desk = browser.new_context(locale="de", **DESKTOP).new_page()
    log_in(desk, live_url, "receipts@example.ch", page)
    row = desk.locator("tr", has=desk.get_by_role("rowheader", name="Stripe-Gebühr", exact=True))
    assert row.evaluate("tr => getComputedStyle(tr).display") == "table-row"
    label, value = (
        row.get_by_role("rowheader").bounding_box(),
        row.get_by_role("cell").bounding_box(),
    )
    assert label is not None
    assert value is not None
    assert value["x"] > label["x"] + label["width"] - 1, "side by side on a desk"
    assert abs(value["y"] - label["y"]) < 2


def test_the_managers_map_shows_the_geojson_as_markers_and_works_as_a_list_without_it(
    browser, live_url, axe, screenshot
):
    make_helper(email="zurich@example.ch")
    make_helper(email="zurich2@example.ch", skills=("smart-home",))
    make_helper(
        email="bern@example.ch",
        point=Point(46.9481, 7.4474),
        home_postal_code="3011",
        home_locality="Bern",
        skills=("smart-home",),
    )
    make_booking(BookingStatus.CONFIRMED)
    post_request(UserFactory.create(), slug="tv-streaming")  # nobody has the skill
    ManagerFactory.create(email="mapmanager@quartier.test", preferred_language="en")
    context = browser.new_context(locale="en", **DESKTOP)
    tiles: list[str] = []
    context.route(TILES, lambda route: (tiles.append(route.request.url), _no_tiles(route)))
    page = context.new_page()
    log_in(page, live_url, "mapmanager@quartier.test", "/manage/map/")
    markers = page.locator(".leaflet-marker-icon")
    expect(markers).to_have_count(2)
    assert sorted(markers.evaluate_all("icons => icons.map(icon => icon.title)")) == [
        "3011 Bern: 1 Helpers",
        "8001 Zürich: 3 Helpers",
    ]
    # One circle for Zürich's requests: one found a helper, one found nobody (red)
    expect(page.locator("path.request-unmatched")).to_have_count(1)
    expect(page.locator("path.request-matched")).to_have_count(0)
    assert tiles, "the map asked the tile server for tiles"
    assert axe(page) == []
    screenshot(page, "manager-map-desktop")
    # Filtered by a skill: the markers follow the form
    page.locator("#id_category").select_option("smart-home")
    page.get_by_role("button", name="Show").click()
    expect(markers).to_have_count(2)
    assert sorted(markers.evaluate_all("icons => icons.map(icon => icon.title)")) == [
        "3011 Bern: 1 Helpers",
        "8001 Zürich: 1 Helpers",
    ]
    # The dashboard's chart carries the same figures as its table
    page.goto(f"{live_url}/manage/?days=7")
    drawn = page.evaluate(
        "() => window.Chart.getChart(document.getElementById('requests-chart'))"
        ".data.datasets.map(set => set.data)"
    )
    assert drawn == [[0, 0, 0, 0, 0, 0, 2], [0, 0, 0, 0, 0, 0, 1]]
    context.close()
    # Without JavaScript the map stays hidden and the page is its lists
    plain = browser.new_context(locale="en", java_script_enabled=False, **DESKTOP)
    plain.route(TILES, _no_tiles)
    page = plain.new_page()
    log_in(page, live_url, "mapmanager@quartier.test", "/manage/map/")
    expect(page.locator("#map")).to_be_hidden()
    expect(page.get_by_role("cell", name="3011 Bern")).to_be_visible()
    expect(page.get_by_role("row", name="8001 Zürich 1 1")).to_be_visible()
    plain.close()
