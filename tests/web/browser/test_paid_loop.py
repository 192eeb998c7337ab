"""The paid loop in a real browser against the Stripe emulator: the customer types a card into
the emulator's Stripe.js, which makes the PaymentMethod on the helper's account; the visit is
confirmed, extra time agreed, signed off, captured and tipped, and the receipt shows the
money; the card, payouts, extra and receipt pages have no axe violation in any language.

The app is served by a daphne of this module's own, forked with the settings pointing at the
emulator (the session's server knows no emulator).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from typing import Any, TypeVar

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import Page, expect

from backend.money import format_chf
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from payments import extras, payouts, receipts
from payments.models import ExtraCharge, Payment, PaymentStatus
from payments.tasks import place_hold
from tests.factories import UserFactory, make_booking
from tests.payments.conftest import _stripe_at_the_emulator  # noqa: F401
from tests.payments.money import (
    GOOD_CARD,
    THREE_D_SECURE_CARD,
    connected_helper,
    held_booking,
    set_account_state,
)
from tests.web.browser.conftest import DESKTOP, PHONE, log_in
from tests.worker import start_daphne, stop_daphne

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = ("de", "fr", "it", "en")
T = TypeVar("T")


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


def _enter_card(page: Page, number: str) -> None:
    """Type the card into the emulator's Stripe.js card element, then give it."""
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry date (MM/YY)").fill("12/31")
    page.get_by_label("Security code (CVC)").fill("123")
    page.get_by_label("Postcode").fill("8001")


def test_the_card_typed_into_stripe_js_is_made_on_the_helpers_account(browser, paid_url, axe):
    helper = connected_helper(display_name="Marco Rossi")
    customer = UserFactory.create(email="vreni@example.ch", preferred_language="en")
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    context = browser.new_context(locale="en", **DESKTOP)
    page = context.new_page()
    log_in(page, paid_url, customer.email, "/requests/")
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


def test_a_card_refused_by_stripe_js_takes_the_keyboards_focus_to_the_problem(browser, paid_url):
    helper = connected_helper(display_name="Marco Rossi")
    customer = UserFactory.create(email="keys@example.ch", preferred_language="en")
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    page = browser.new_context(locale="en", **DESKTOP).new_page()
    log_in(page, paid_url, customer.email, f"/requests/{booking.help_request.public_id}/")

    # A card number cut short, given with the keyboard
    page.get_by_label("Card number").fill("4242")
    page.get_by_role("button", name="Use this card").focus()
    page.keyboard.press("Enter")

    problem = page.locator("[data-card-error]")
    expect(problem).to_be_visible()
    expect(problem).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Use this card")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_label("Postcode")).to_be_focused()
    assert Payment.objects.filter(booking=booking, payment_method_id__gt="").count() == 0
    page.context.close()


# Records what the page asks of Stripe.js (the first call of each: the emulator's own Stripe.js
# wraps localstripe's, which calls it again without options).
STRIPE_SPY = """
(() => {
  let real;
  Object.defineProperty(window, 'Stripe', {
    configurable: true,
    set(value) { real = value; },
    get() {
      const current = real;
      return current && function (key, options) {
        if (!('stripeOptions' in window)) window.stripeOptions = options || null;
        const stripe = current(key, options);
        const elements = stripe.elements.bind(stripe);
        stripe.elements = function (elementsOptions) {
          if (!('elementsOptions' in window)) window.elementsOptions = elementsOptions || null;
          return elements(elementsOptions);
        };
        return stripe;
      };
    },
  });
})();
"""


def test_the_card_element_speaks_the_pages_language_not_the_browsers(browser, paid_url):
    helper = connected_helper(display_name="Marco Rossi")
    customer = UserFactory.create(email="erika@example.ch", preferred_language="de")
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    # A browser in English; the customer reads the pages in German.
    context = browser.new_context(locale="en", **PHONE)
    context.add_init_script(STRIPE_SPY)
    page = context.new_page()
    log_in(page, paid_url, customer.email, "/requests/")
    page.goto(f"{paid_url}/requests/{booking.help_request.public_id}/")

    expect(page.get_by_role("button", name="Diese Karte verwenden")).to_be_visible()
    expect(page.locator("[data-card-element] input").first).to_be_visible()
    account = str(helper.payout_account.stripe_account_id)
    assert page.evaluate("window.stripeOptions") == {"stripeAccount": account, "locale": "de"}
    assert page.evaluate("window.elementsOptions") == {"locale": "de"}
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
            log_in(page, paid_url, email, path)
            if name == "card":
                expect(page.locator("[data-card-element] input").first).to_be_visible()
            violations = axe(page)
            if violations:
                found[f"{name} {language}"] = violations
            context.close()
    assert found == {}


def _off_loop(work: Callable[[], T]) -> T:
    """Run `work` (which delivers the outbox, as the relay does) in a thread of its own:
    Playwright's event loop runs in this one."""
    done: list[T] = []

    def run() -> None:
        try:
            done.append(work())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert done, "the work in the thread failed"
    return done[0]


def _relay() -> None:
    _off_loop(lambda: (relay_pending(), relay_pending()))


def _row(page: Page, label: str) -> Any:
    return page.locator("tr", has=page.locator("th", has_text=label))


def test_the_paid_loop_runs_to_the_receipt_in_the_browser(browser, paid_url, axe):
    """Card held on confirming; on the visit the helper asks (on a phone) for extra time and
    material, the customer agrees; done, signed off, captured, tipped; the receipt shows the
    price, the extra, Stripe's fee, Quartier's fee CHF 0.00 and what the helper receives."""
    helper = connected_helper(display_name="Marco Rossi", email="loophelper@example.ch")
    customer = UserFactory.create(email="loopcustomer@example.ch", preferred_language="en")
    UserFactory._meta.model.objects.filter(pk=helper.user_id).update(preferred_language="en")
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    request_path = f"/requests/{booking.help_request.public_id}/"
    as_customer = browser.new_context(locale="en", **DESKTOP).new_page()
    log_in(as_customer, paid_url, customer.email, request_path)
    _enter_card(as_customer, GOOD_CARD)
    as_customer.get_by_role("button", name="Use this card").click()
    as_customer.get_by_role("button", name=re.compile("^Confirm ")).click()
    expect(as_customer.get_by_text("The visit is confirmed for")).to_be_visible()
    _relay()
    assert Payment.objects.get(booking=booking).status == PaymentStatus.AUTHORISED
    booking = bookings.booking_start_journey(
        booking=Booking.objects.get(pk=booking.pk), actor=helper.user, eta_minutes=10
    )
    bookings.booking_check_in(booking=booking, actor=helper.user)

    # The helper, on a phone, asks for 20 minutes more and CHF 15.50 of material
    as_helper = browser.new_context(locale="en", **PHONE).new_page()
    visit_path = f"/helper/visits/{booking.public_id}/"
    log_in(as_helper, paid_url, helper.user.email, visit_path)
    as_helper.get_by_label("Extra time in minutes").fill("20")
    as_helper.get_by_label("Material in CHF").fill("15.50")
    as_helper.get_by_label("What for (the customer reads it)").fill("A new network cable.")
    as_helper.get_by_role("button", name="Ask the customer").click()
    expect(as_helper.get_by_text("Waiting for the customer's answer.")).to_be_visible()
    assert axe(as_helper) == []

    # The customer agrees: a second hold, for exactly the extra
    as_customer.goto(f"{paid_url}{request_path}")
    expect(as_customer.get_by_text("20 extra minutes and CHF 15.50 of material")).to_be_visible()
    assert axe(as_customer) == []
    as_customer.get_by_role("button", name="Agree to the extra").click()
    expect(as_customer.get_by_text("Agreed: the extra is held on your card.")).to_be_visible()
    extra = ExtraCharge.objects.get(booking=booking)
    assert (extra.status, extra.authorised_minor) == ("authorised", extra.amount_minor)

    # Done, signed off in the browser, captured
    bookings.booking_check_out(
        booking=Booking.objects.get(pk=booking.pk),
        actor=helper.user,
        work_summary="Set up the router.",
        leave_behind_note="",
    )
    as_customer.goto(f"{paid_url}{request_path}")
    as_customer.get_by_role("button", name="Yes, sign off the visit").click()
    expect(as_customer.get_by_role("heading", name="Your review")).to_be_visible()
    _relay()
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SETTLED

    # A tip of CHF 5.00 on the card the visit was paid with
    as_customer.goto(f"{paid_url}{request_path}")
    as_customer.get_by_label("Tip in CHF").fill("5")
    as_customer.get_by_role("button", name="Give the tip").click()
    expect(as_customer.get_by_text("You gave a tip of CHF 5.00. Thank you!")).to_be_visible()

    # The receipt, from the ledger
    as_customer.get_by_role("link", name="Receipt").click()
    shown = receipts.receipt_for(customer, booking.public_id, language="en")
    chf = partial(format_chf, language="en")
    assert shown.extra_charged_minor == extra.amount_minor
    assert shown.quartier_fee_minor == 0
    expected = {
        "Price of the visit": chf(shown.price_minor),
        "Extra time (20 min) and material (CHF 15.50), agreed": chf(shown.extra_price_minor),
        "Charged to the card": chf(shown.price_minor + shown.extra_charged_minor),
        "Stripe fee": chf(shown.stripe_fee_minor),
        "Quartier fee": "CHF 0.00",
        "Tip": "CHF 5.00",
        "The helper receives": chf(shown.helper_receives_minor),
    }
    for label, amount in expected.items():
        expect(_row(as_customer, label).first.locator("td")).to_have_text(amount)
    assert shown.stripe_fee_minor > 0
    assert shown.customer_paid_minor == shown.helper_receives_minor + shown.stripe_fees_minor
    assert axe(as_customer) == []
    as_customer.context.close()
    as_helper.context.close()


def _in_progress(customer: Any, email: str) -> Booking:
    helper = connected_helper(email=email)
    booking = held_booking(helper=helper, customer=customer)
    booking = bookings.booking_start_journey(booking=booking, actor=helper.user, eta_minutes=10)
    return bookings.booking_check_in(booking=booking, actor=helper.user)


def _extra_asked(booking: Booking) -> None:
    extras.extra_record(
        payment=Payment.objects.get(booking=booking),
        actor=booking.helper.user,
        minutes=20,
        material_minor=1550,
        note="A new network cable.",
    )


def _three_visits(customer: Any) -> tuple[Booking, Booking, Booking]:
    """In progress with no extra yet; with extra time asked for; settled with extra agreed."""
    plain = _in_progress(customer, "extrahelper1@example.ch")
    asked = _in_progress(customer, "extrahelper2@example.ch")
    _extra_asked(asked)
    paid = _in_progress(customer, "extrahelper3@example.ch")
    _extra_asked(paid)
    extras.extra_answer(extra=ExtraCharge.objects.get(booking=paid), actor=customer, consent=True)
    paid = bookings.booking_check_out(
        booking=paid,
        actor=paid.helper.user,
        work_summary="Set up the router.",
        leave_behind_note="",
    )
    bookings.booking_sign_off(booking=paid, actor=customer)
    relay_pending()
    return plain, asked, paid


def test_the_extra_and_receipt_pages_in_every_language_have_no_axe_violation(
    browser, paid_url, axe
):
    customer = UserFactory.create(email="extracustomer@example.ch")
    plain, asked, paid = _off_loop(lambda: _three_visits(customer))
    challenged = _off_loop(lambda: _challenge_needed(customer))
    users = [customer.pk, plain.helper.user_id, asked.helper.user_id]
    pages = {
        "extra form": (plain.helper.user.email, f"/helper/visits/{plain.public_id}/"),
        "extra asked, helper": (asked.helper.user.email, f"/helper/visits/{asked.public_id}/"),
        "extra asked": (customer.email, f"/requests/{asked.help_request.public_id}/"),
        "receipt": (customer.email, f"/receipts/{paid.public_id}/"),
        "3-D Secure": (customer.email, f"/requests/{challenged.help_request.public_id}/"),
    }
    found: dict[str, Any] = {}
    for language in LANGUAGES:
        UserFactory._meta.model.objects.filter(pk__in=users).update(preferred_language=language)
        for name, (email, path) in pages.items():
            size = DESKTOP if name == "receipt" else PHONE
            context = browser.new_context(locale=language, **size)
            page = context.new_page()
            log_in(page, paid_url, email, path)
            violations = axe(page)
            if violations:
                found[f"{name} {language}"] = violations
            context.close()
    assert found == {}


def _challenge_needed(customer: Any) -> Booking:
    """A visit eight days out whose hold, placed 2 days before, asked for 3-D Secure."""
    start = (timezone.now() + timedelta(days=8)).replace(second=0, microsecond=0)
    helper = connected_helper(email="threeds@example.ch")
    booking = held_booking(
        helper=helper, customer=customer, number=THREE_D_SECURE_CARD, start=start
    )
    with time_machine.travel(start - timedelta(days=2), tick=False):
        place_hold.call(Payment.objects.get(booking=booking).pk)
        relay_pending()
    return booking


def test_the_customer_finishes_3d_secure_on_the_visits_page(browser, paid_url, axe):
    customer = UserFactory.create(email="threedscustomer@example.ch", preferred_language="en")
    booking = _off_loop(lambda: _challenge_needed(customer))
    payment = Payment.objects.get(booking=booking)
    challenged = payment.authentication_intent_id
    assert payment.failure_code == "authentication_required"
    page = browser.new_context(locale="en", **PHONE).new_page()
    request_path = f"/requests/{booking.help_request.public_id}/"
    log_in(page, paid_url, customer.email, request_path)
    expect(page.get_by_text("Your bank asked to confirm the payment (3-D Secure)")).to_be_visible()
    assert axe(page) == []

    page.get_by_role("button", name="Confirm with my bank").click()
    page.get_by_role("button", name="Complete authentication").click()
    expect(page.get_by_text("Your card is held. The visit goes ahead as agreed.")).to_be_visible()
    payment.refresh_from_db()
    assert (payment.status, payment.payment_intent_id) == (PaymentStatus.AUTHORISED, challenged)
    assert payment.authorised_minor == payment.amount_minor
    page.context.close()


def _card_asked_again(customer: Any) -> Booking:
    """A visit eight days out whose card was given on the helper's payout account before they
    reconnected a new one: the hold, 2 days before, asks for the card again."""
    start = (timezone.now() + timedelta(days=8)).replace(second=0, microsecond=0)
    helper = connected_helper(email="reconnected@example.ch")
    booking = held_booking(helper=helper, customer=customer, start=start)
    payouts.payout_account_disconnect(
        stripe_account_id=str(helper.payout_account.stripe_account_id)
    )
    account, _url = payouts.payout_account_onboard(
        actor=helper.user,
        return_url="http://testserver/done",
        refresh_url="http://testserver/again",
    )
    set_account_state(helper, "payouts_enabled")
    payouts.payout_account_sync(stripe_account_id=str(account.stripe_account_id))
    with time_machine.travel(start - timedelta(days=2), tick=False):
        place_hold.call(Payment.objects.get(booking=booking).pk)
        relay_pending()
    return booking


def test_the_card_asked_again_after_the_helper_reconnected_has_no_axe_violation(
    browser, paid_url, axe
):
    customer = UserFactory.create(email="askedagain@example.ch")
    booking = _off_loop(lambda: _card_asked_again(customer))
    assert Payment.objects.get(booking=booking).failure_code == "card_on_previous_payout_account"
    found: dict[str, Any] = {}
    for language in LANGUAGES:
        UserFactory._meta.model.objects.filter(pk=customer.pk).update(preferred_language=language)
        context = browser.new_context(locale=language, **DESKTOP)
        page = context.new_page()
        log_in(page, paid_url, customer.email, f"/requests/{booking.help_request.public_id}/")
        expect(page.locator("#card-not-held")).to_be_visible()
        expect(page.locator("[data-card-element] input").first).to_be_visible()
        violations = axe(page)
        if violations:
            found[language] = violations
        context.close()
    assert found == {}


# What the customer reads, in their language, of a hold their bank refused for lack of funds.
NO_FUNDS_WORDS = {
    "de": "Ihre Bank hat die Karte abgelehnt: Der Betrag ist im Moment nicht darauf verfügbar.",
    "fr": "Votre banque a refusé la carte : le montant n’y est pas disponible pour le moment.",
}


def test_a_card_the_bank_refused_is_said_in_the_customers_words_with_no_axe_violation(
    browser, paid_url, axe
):
    customer = UserFactory.create(email="nofunds@example.ch")
    booking = _off_loop(lambda: held_booking(customer=customer, number="4000000000009995"))
    payment = Payment.objects.get(booking=booking)
    assert (payment.status, payment.decline_reason) == (
        "requires_payment_method",
        "insufficient_funds",
    )
    found: dict[str, Any] = {}
    for language, words in NO_FUNDS_WORDS.items():
        UserFactory._meta.model.objects.filter(pk=customer.pk).update(preferred_language=language)
        context = browser.new_context(locale=language, **DESKTOP)
        page = context.new_page()
        log_in(page, paid_url, customer.email, f"/requests/{booking.help_request.public_id}/")
        expect(page.locator("#card-not-held")).to_contain_text(words)
        expect(page.locator("#card-not-held")).not_to_contain_text("insufficient")
        violations = axe(page)
        if violations:
            found[language] = violations
        context.close()
    assert found == {}
