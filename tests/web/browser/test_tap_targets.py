"""What an applicant or a helper taps on a phone (390 px) is big enough to tap: the document
upload's file fields were 21 px tall, the browser's own size; the phone link on a helper's
visit page was 21 px tall too. Each is at least 44 px high, and every link of the visit's page
at least 44 × 44 px."""

from __future__ import annotations

from typing import Any

import pytest

from backend.models import User
from bookings.models import BookingStatus, HelpRequest
from helpers.models import ApprovalStatus
from tests.factories import UserFactory, make_booking, make_helper
from tests.web.browser.conftest import PHONE, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

_SIZES = """() => [...document.querySelectorAll('main input[type=file]')].map(field => {
  const box = field.getBoundingClientRect();
  return [field.name, Math.round(box.width), Math.round(box.height)];
})"""


def test_the_document_upload_fields_are_big_enough_to_tap_on_a_phone(
    browser: Any, live_url: str, axe: Any
):
    # Given an applicant who still has to upload both documents, reading French
    helper = make_helper(approval=ApprovalStatus.APPLIED, email="nicole@example.ch")
    User.objects.filter(pk=helper.user_id).update(preferred_language="fr")
    context = browser.new_context(locale="fr-CH", **PHONE)
    page = context.new_page()

    # When she opens her application
    log_in(page, live_url, "nicole@example.ch", "/helper/application")

    # Then each file field is as tall as a field to tap, within the screen, and axe is content
    sizes = page.evaluate(_SIZES)
    assert [name for name, _width, _height in sizes] == [
        "identity-file",
        "criminal_record_extract-file",
    ]
    assert all(height >= 44 and 24 <= width <= 390 for _name, width, height in sizes), sizes
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    assert axe(page) == []
    context.close()


# Every link a helper can tap on the page (shown, inside the screen): its text or address, and
# its box.
_LINKS = """() => [...document.querySelectorAll('a[href]')].flatMap(link => {
  const box = link.getBoundingClientRect();
  if (box.width === 0 || box.height === 0 || box.bottom < 0 || box.right < 0 ||
      box.left >= window.innerWidth) return [];
  return [[link.getAttribute('href'), Math.round(box.width), Math.round(box.height)]];
})"""


@pytest.mark.parametrize("relative", [False, True], ids=["customer", "relative"])
def test_the_links_of_the_helpers_visit_page_are_big_enough_to_tap_on_a_phone(
    browser: Any, live_url: str, axe: Any, relative: bool
):
    # Given a confirmed visit whose customer (or the relative they booked for) has a phone
    helper = make_helper(email="luca@example.ch")
    User.objects.filter(pk=helper.user_id).update(preferred_language="de")
    booking = make_booking(
        BookingStatus.CONFIRMED,
        customer=UserFactory.create(display_name="Anna Keller", phone="+41 79 555 66 77"),
        helper=helper,
    )
    if relative:
        HelpRequest.objects.filter(pk=booking.help_request_id).update(
            on_behalf_name="Rosa Keller", on_behalf_phone="+41 52 212 34 56"
        )
    context = browser.new_context(locale="de-CH", **PHONE)
    page = context.new_page()

    # When the helper opens the visit's page on a phone
    log_in(page, live_url, "luca@example.ch", f"/helper/visits/{booking.public_id}/")

    # Then the phone link is there and every link is at least 44 × 44 px, within the screen
    links = page.evaluate(_LINKS)
    phone = "+41 52 212 34 56" if relative else "+41 79 555 66 77"
    assert f"tel:{phone}" in [href for href, _width, _height in links]
    small = [link for link in links if link[1] < 44 or link[2] < 44 or link[1] > 390]
    assert small == []
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    assert axe(page) == []
    context.close()
