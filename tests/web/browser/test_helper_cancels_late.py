"""A helper who cannot come cancels a visit that starts within hours, on a 390×844 phone in
German: the visit's page opens the cancellation, says it is late now, asks for a reason, and
the visit is cancelled as the helper's late cancellation. The page fits the phone and axe
finds nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from bookings.models import Booking, BookingStatus
from tests.factories import make_booking, make_helper
from tests.web.browser.conftest import PHONE, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_helper_cancels_a_visit_starting_soon_on_a_phone(browser, live_url, axe, screenshot):
    helper = make_helper(skills=("internet-wifi",), languages=("de",))
    helper.user.preferred_language = "de"
    helper.user.save(update_fields=["preferred_language"])
    booking = make_booking(BookingStatus.CONFIRMED, helper=helper)
    context = browser.new_context(locale="de-CH", **PHONE)
    page = context.new_page()
    visit = f"/helper/visits/{booking.public_id}/"
    log_in(page, live_url, helper.user.email, visit)

    page.get_by_text("Ich kann nicht kommen: Besuch absagen").click()
    expect(
        page.get_by_text("Der Besuch beginnt in weniger als 24 Stunden: Eine Absage gilt jetzt")
    ).to_be_visible()
    # Sent without a reason: said next to the field, nothing changed.
    page.get_by_role("button", name="Besuch absagen").click()
    expect(page.locator("#id_cancel-reason_error")).to_have_text(
        "Dieses Feld ist zwingend erforderlich."
    )
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe(page) == []
    screenshot(page, "helper-cancel-phone-de")

    page.get_by_label("Warum?").fill("Mein Kind ist krank.")
    page.get_by_role("button", name="Besuch absagen").click()
    expect(page.get_by_text("Der Besuch ist abgesagt.")).to_be_visible()
    expect(page.get_by_text("Ich kann nicht kommen: Besuch absagen")).to_have_count(0)
    booking.refresh_from_db()
    assert (booking.status, booking.caused_by, booking.is_late_cancellation) == (
        BookingStatus.CANCELLED,
        "helper",
        True,
    )
    assert axe(page) == []
    context.close()
