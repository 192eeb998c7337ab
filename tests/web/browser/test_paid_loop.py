"""The card form and the payouts page in a real browser against the Stripe emulator: the
customer types a card into the emulator's Stripe.js, which makes the PaymentMethod on the
helper's account; both pages have no axe violation in any language.

The app is served by a daphne of this module's own, forked with the settings pointing at the
emulator (the session's server knows no emulator).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from playwright.sync_api import Page, expect

from bookings.models import Booking, BookingStatus
from payments.models import Payment
from tests.factories import PASSWORD, UserFactory, make_booking
from tests.payments.conftest import _stripe_at_the_emulator  # noqa: F401
from tests.payments.money import GOOD_CARD, connected_helper
from tests.web.browser.conftest import DESKTOP
from tests.worker import start_daphne, stop_daphne

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("de", "fr", "it", "en")


@pytest.fixture(scope="module")
def paid_url(
    django_db_setup: None,
    django_db_blocker: Any,
    stripe_emulator: str,  # noqa: F811
) -> Iterator[str]:
    """daphne serving the test database, with Stripe at the emulator."""
    from channels.testing.live import make_application

    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    quartier = settings.QUARTIER.with_values(
        stripe_api_base=stripe_emulator, stripe_secret_key="", stripe_timeout_seconds=5.0
    )
    with django_db_blocker.unblock(), override_settings(CACHES=dummy, QUARTIER=quartier):
        process = start_daphne(partial(make_application, static_wrapper=None))
    yield f"http://127.0.0.1:{process.port.value}"
    stop_daphne(process)


def _log_in(page: Page, url: str, email: str, then: str) -> None:
    page.goto(f"{url}/log-in?next={then}")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def _enter_card(page: Page, number: str) -> None:
    """Type the card into the emulator's Stripe.js card element, then give it."""
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry month (MM)").fill("12")
    page.get_by_label("Expiry year (YY)").fill("31")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_label("Postcode").fill("8001")


def test_the_card_typed_into_stripe_js_is_made_on_the_helpers_account(browser, paid_url, axe):
    helper = connected_helper(display_name="Marco Rossi")
    customer = UserFactory.create(email="vreni@example.ch", preferred_language="en")
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    context = browser.new_context(locale="en", **DESKTOP)
    page = context.new_page()
    _log_in(page, paid_url, customer.email, "/requests/")
    page.goto(f"{paid_url}/requests/{booking.help_request.public_id}/")

    # Price, hold and fee are shown before confirming; no confirming before a card is given
    expect(page.get_by_text("Held on your card when you confirm")).to_be_visible()
    expect(page.get_by_text("paid by the helper out of the price")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Confirm "))).to_have_count(0)
    _enter_card(page, GOOD_CARD)
    page.get_by_role("button", name="Use this card").click()

    expect(page.get_by_text("Your card is ready. It is held only once")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Confirm "))).to_have_count(1)
    method = Payment.objects.get(booking=booking).payment_method_id
    assert method.startswith("pm_")
    assert axe(page) == []
    page.get_by_role("button", name=re.compile("^Confirm ")).click()
    expect(page.get_by_text("The visit is confirmed for")).to_be_visible()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    context.close()


def test_the_card_and_payout_pages_in_every_language_have_no_axe_violation(browser, paid_url, axe):
    helper = connected_helper(email="paidhelper@example.ch")
    customer = UserFactory.create(email="paidcustomer@example.ch")
    proposed = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    pages = {
        "card": (customer.email, f"/requests/{proposed.help_request.public_id}/"),
        "payouts": (helper.user.email, "/helper/payouts"),
    }
    found: dict[str, Any] = {}
    for language in LANGUAGES:
        UserFactory._meta.model.objects.filter(pk__in=[customer.pk, helper.user_id]).update(
            preferred_language=language
        )
        for name, (email, path) in pages.items():
            context = browser.new_context(locale=language, **DESKTOP)
            page = context.new_page()
            _log_in(page, paid_url, email, path)
            if name == "card":
                expect(page.locator("[data-card-element] input").first).to_be_visible()
            violations = axe(page)
            if violations:
                found[f"{name} {language}"] = violations
            context.close()
    assert found == {}
