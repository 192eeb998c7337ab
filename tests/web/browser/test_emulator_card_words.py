"""The local Stripe emulator's stand-in card element speaks the page's language, as Stripe
Elements does with the `locale` Quartier passes: its fields' labels and placeholders, and what
is wrong with a card entry, said before anything reaches Stripe. The expiry is taken as MM/YY
or MM/YYYY (a four-digit year was refused with a bare "Bad request")."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from bookings.models import BookingStatus
from payments.models import Payment
from tests.factories import UserFactory, make_booking
from tests.payments.conftest import _stripe_at_the_emulator  # noqa: F401
from tests.payments.money import GOOD_CARD, connected_helper
from tests.web.browser.conftest import PHONE, log_in
from tests.web.browser.test_paid_loop import paid_url  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

_FIELDS = """() => [...document.querySelectorAll('[data-card-element] input')].map(
  input => [input.getAttribute('aria-label'), input.getAttribute('placeholder')])"""


def _card_page(browser: Any, url: str, language: str) -> Any:
    """A customer reading `language` (in a browser set to English) at a visit's card step."""
    helper = connected_helper(display_name="Marco Rossi")
    customer = UserFactory.create(preferred_language=language)
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    page = browser.new_context(locale="en", **PHONE).new_page()
    log_in(page, url, customer.email, f"/requests/{booking.help_request.public_id}/")
    expect(page.locator("[data-card-element] input").first).to_be_visible()
    return page, booking


@pytest.mark.parametrize(
    ("language", "fields"),
    [
        (
            "de",
            [
                ["Kartennummer", "1234 1234 1234 1234"],
                ["Ablaufdatum (MM/JJ)", "MM/JJ"],
                ["Sicherheitscode (CVC)", "CVC"],
                ["Postleitzahl", "PLZ"],
            ],
        ),
        (
            "fr",
            [
                ["Numéro de carte", "1234 1234 1234 1234"],
                ["Date d’expiration (MM/AA)", "MM/AA"],
                ["Code de sécurité (CVC)", "CVC"],
                ["NPA", "NPA"],
            ],
        ),
        (
            "it",
            [
                ["Numero della carta", "1234 1234 1234 1234"],
                ["Data di scadenza (MM/AA)", "MM/AA"],
                ["Codice di sicurezza (CVC)", "CVC"],
                ["NPA", "NPA"],
            ],
        ),
        (
            "en",
            [
                ["Card number", "1234 1234 1234 1234"],
                ["Expiry date (MM/YY)", "MM/YY"],
                ["Security code (CVC)", "CVC"],
                ["Postcode", "Postcode"],
            ],
        ),
    ],
)
def test_the_card_fields_speak_the_pages_language(browser, paid_url, language, fields):  # noqa: F811
    page, _booking = _card_page(browser, paid_url, language)

    assert page.evaluate(_FIELDS) == fields
    page.context.close()


def test_a_wrong_card_entry_is_said_in_german_and_a_four_digit_year_is_taken(
    browser,
    paid_url,  # noqa: F811
    axe,
):
    page, booking = _card_page(browser, paid_url, "de")
    problem = page.locator("[data-card-error]")
    use = page.get_by_role("button", name="Diese Karte verwenden")
    page.get_by_label("Kartennummer").fill(GOOD_CARD)
    page.get_by_label("Sicherheitscode (CVC)").fill("123")
    page.get_by_label("Postleitzahl").fill("8400")

    for expiry, said in [
        ("01/20", "Das Ablaufdatum Ihrer Karte liegt in der Vergangenheit."),
        ("13/30", "Der Ablaufmonat Ihrer Karte ist ungültig."),
        (
            "12",
            "Das Ablaufdatum Ihrer Karte ist unvollständig: Schreiben Sie es als MM/JJ oder "
            "MM/JJJJ.",
        ),
    ]:
        page.get_by_label("Ablaufdatum (MM/JJ)").fill(expiry)
        use.click()
        expect(problem).to_have_text(said)
        expect(problem).to_be_focused()
    assert axe(page) == []
    assert Payment.objects.filter(booking=booking, payment_method_id__gt="").count() == 0

    page.get_by_label("Ablaufdatum (MM/JJ)").fill("12/2031")
    use.click()

    expect(page.locator("[data-card-form]")).to_have_count(0)
    method = Payment.objects.get(booking=booking).payment_method_id
    assert re.fullmatch(r"pm_\w+", method)
    page.context.close()
