"""The pages that tell of a helper's disconnected payout account, in a real browser: the
helper's and the customer's pages of a visit still to come that will not be paid, and the
manager's payments page listing the visits settled unpaid, without an axe violation in any
language."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from backend.models import User
from backend.relay import relay_pending
from bookings import services as bookings
from payments import payouts
from payments.models import PayoutAccount
from tests.factories import ManagerFactory, UserFactory
from tests.payments.conftest import _stripe_at_the_emulator  # noqa: F401
from tests.payments.money import completed, connected_helper, days_ahead, held_booking
from tests.web.browser.conftest import DESKTOP, log_in
from tests.web.browser.test_paid_loop import _off_loop, paid_url  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("de", "fr", "it", "en")


def test_the_warnings_and_the_payments_page_in_every_language_have_no_axe_violation(
    browser,
    paid_url,  # noqa: F811
    axe,
):
    # Given Anna's visit signed off after her account was disconnected, and one tomorrow
    # (set up off Playwright's event loop, as the relay delivers its events)
    def given() -> tuple[Any, User, Any]:
        anna = connected_helper(email="lost@example.ch", display_name="Anna Meier")
        customer = UserFactory.create(email="lostcustomer@example.ch")
        unpaid = completed(held_booking(helper=anna, customer=customer))
        ahead = held_booking(helper=anna, customer=customer, start=days_ahead(1))
        account = PayoutAccount.objects.get(helper=anna)
        payouts.payout_account_disconnect(stripe_account_id=str(account.stripe_account_id))
        bookings.booking_sign_off(booking=unpaid, actor=customer)
        while relay_pending():
            pass
        return anna, customer, ahead

    anna, customer, ahead = _off_loop(given)
    manager = ManagerFactory.create(email="lostmanager@example.ch")
    pages = {
        "helper": (anna.user.email, f"/helper/visits/{ahead.public_id}/", "#payment-lost-ahead"),
        "customer": (
            customer.email,
            f"/requests/{ahead.help_request.public_id}/",
            "#payment-lost-ahead",
        ),
        "payments": (manager.email, "/manage/payments/", "#settled-unpaid td >> nth=0"),
    }
    found: dict[str, Any] = {}
    for language in LANGUAGES:
        User.objects.filter(pk__in=[customer.pk, anna.user_id, manager.pk]).update(
            preferred_language=language
        )
        for name, (email, path, shown) in pages.items():
            context = browser.new_context(locale=language, **DESKTOP)
            page = context.new_page()
            log_in(page, paid_url, email, path)
            expect(page.locator(shown)).to_be_visible()
            if name == "payments":
                expect(page.locator("#settled-unpaid td").first).to_have_text("Anna Meier")
            violations = axe(page)
            if violations:
                found[f"{name} {language}"] = violations
            context.close()
    assert found == {}
