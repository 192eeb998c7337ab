"""Someone who reads with their phone's text at twice its size (a setting many older customers
use) gets every page at the width of the screen: boxes wrap, long words break, fields shrink.
Checked at 320 px, the narrowest width pages must reflow to, with the page's text doubled."""

from __future__ import annotations

import pytest

from bookings.models import BookingStatus
from tests.factories import ManagerFactory, UserFactory, make_booking, make_helper
from tests.web.browser.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NARROW = {"viewport": {"width": 320, "height": 800}, "is_mobile": True, "has_touch": True}
# What a browser's text size of 200 % does to a page sized in rem; set through the CSS object
# model, which the pages' Content-Security-Policy leaves to scripts.
DOUBLE_TEXT = "document.documentElement.style.fontSize = '200%'"
WIDTH = "document.documentElement.scrollWidth"


def _widths(browser, live_url: str, email: str, paths: list[str]) -> dict[str, int]:
    page = browser.new_context(**NARROW).new_page()
    log_in(page, live_url, email, paths[0])
    widths = {}
    for path in paths:
        page.goto(live_url + path)
        page.evaluate(DOUBLE_TEXT)
        widths[path] = page.evaluate(WIDTH)
    page.context.close()
    return widths


def test_customer_and_helper_pages_fit_a_narrow_phone_with_doubled_text(browser, live_url):
    helper = make_helper(email="bigtext-helper@example.ch", display_name="Maximiliane Zürcher")
    customer = UserFactory.create(
        email="bigtext-customer@example.ch", preferred_language="de", display_name="Vreni Keller"
    )
    asked = make_booking(BookingStatus.AWAITING_PROPOSAL, helper=helper, customer=customer)

    customer_paths = ["/requests/new", "/requests/", f"/requests/{asked.help_request.public_id}/"]
    helper_paths = [
        f"/helper/visits/{asked.public_id}/",  # the form to propose times
        "/helper/earnings",
        "/helper/profile",
        "/helper/hours",
    ]

    assert _widths(browser, live_url, customer.email, customer_paths) == dict.fromkeys(
        customer_paths, 320
    )
    assert _widths(browser, live_url, helper.user.email, helper_paths) == dict.fromkeys(
        helper_paths, 320
    )


def test_the_consoles_lists_fit_a_narrow_phone_with_doubled_text(browser, live_url):
    manager = ManagerFactory.create(email="bigtext-manager@quartier.test", preferred_language="de")
    make_booking(BookingStatus.CONFIRMED)
    paths = ["/manage/", "/manage/helpers/", "/manage/bookings/", "/manage/courses/"]

    assert _widths(browser, live_url, manager.email, paths) == dict.fromkeys(paths, 320)


def test_tick_boxes_keep_their_size_beside_a_long_label(browser, live_url):
    # "I am booking for someone else (…)" is long enough on a phone to squeeze its box.
    customer = UserFactory.create(email="bigtext-boxes@example.ch", preferred_language="de")
    page = browser.new_context(**NARROW).new_page()
    log_in(page, live_url, customer.email, "/requests/new")

    sizes = page.eval_on_selector_all(
        "main input[type=checkbox], main input[type=radio]",
        "boxes => boxes.map(b => [b.name, Math.round(b.getBoundingClientRect().width),"
        " Math.round(b.getBoundingClientRect().height)])",
    )

    # 1.5rem square each: 27 px with the pages' 18 px text.
    assert sizes
    assert {(width, height) for _name, width, height in sizes} == {(27, 27)}
