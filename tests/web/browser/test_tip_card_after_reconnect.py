"""A tip after the helper reconnected a new payout account, in a real browser on a phone: the
visit's card, given on the old account, cannot pay it, so the request page's tip form takes a
card typed into the emulator's Stripe.js, which makes it on the helper's new account, where the
tip is charged. The page says why, and passes axe in each language.

The app is served by the daphne of test_paid_loop's `paid_url` (Stripe at the emulator)."""

from __future__ import annotations

import pytest
from django.test import Client
from playwright.sync_api import expect

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking
from payments.models import LedgerEntry, LedgerKind, Tip
from tests.factories import UserFactory
from tests.payments.conftest import _stripe_at_the_emulator  # noqa: F401
from tests.payments.money import GOOD_CARD, completed, held_booking, payment_of
from tests.payments.test_tip_after_reconnect import _reconnect
from tests.web.browser.conftest import PHONE, log_in
from tests.web.browser.test_paid_loop import (  # noqa: F401
    LANGUAGES,
    _enter_card,
    _off_loop,
    paid_url,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _settled_then_reconnected(email: str) -> tuple[Booking, str, str]:
    """A visit held, done, signed off and captured; then its helper's account removed
    Quartier's access and a new one takes payments (in a thread of its own: the relay runs
    there, away from Playwright's event loop)."""

    def work() -> tuple[Booking, str, str]:
        customer = UserFactory.create(email=email, preferred_language="en")
        booking = completed(held_booking(customer=customer))
        bookings.booking_sign_off(booking=booking, actor=customer)
        while relay_pending():
            pass
        old, new = _reconnect(Client(), booking.helper)
        assert payment_of(booking).intent_account_id == old
        return booking, old, new

    return _off_loop(work)


def test_a_tip_after_a_reconnection_is_given_with_a_card_on_the_new_account(
    browser,
    paid_url,  # noqa: F811
    axe,
):
    booking, old, new = _settled_then_reconnected("tipper@example.ch")
    path = f"/requests/{booking.help_request.public_id}/"
    page = browser.new_context(locale="en", **PHONE).new_page()
    log_in(page, paid_url, booking.help_request.customer.email, path)

    # The tip form says why a card is asked for, and takes it on the helper's new account
    expect(
        page.get_by_text("The helper has connected a new payout account since you paid the visit")
    ).to_be_visible()
    form = page.locator("form[data-card-form]")
    expect(form).to_have_attribute("data-account", new)
    expect(page.get_by_label("Card number")).to_be_visible()
    # Nothing is wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe(page) == []

    page.get_by_label("Tip in CHF").fill("5")
    _enter_card(page, GOOD_CARD)
    page.get_by_role("button", name="Give the tip").click()

    expect(page.get_by_text("You gave a tip of CHF 5.00. Thank you!")).to_be_visible()
    tip = Tip.objects.get(booking=booking)
    assert (tip.account_id, tip.amount_minor) == (new, 500)
    assert tip.account_id != old
    tipped = LedgerEntry.objects.get(booking=booking, kind=LedgerKind.TIPPED)
    assert (tipped.debit, tipped.credit, tipped.amount_minor) == ("customer", "helper", 500)


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_the_tip_card_form_passes_axe_in_each_language(
    browser,
    paid_url,  # noqa: F811
    axe,
    language,
):
    booking, _old, _new = _settled_then_reconnected(f"tipper-{language}@example.ch")
    customer = booking.help_request.customer
    UserFactory._meta.model.objects.filter(pk=customer.pk).update(preferred_language=language)
    path = f"/requests/{booking.help_request.public_id}/"
    page = browser.new_context(locale=language, **PHONE).new_page()
    log_in(page, paid_url, customer.email, path)

    expect(page.locator("form[data-card-form] [data-card-element] input").first).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == language
    assert axe(page) == []
