"""The ledger names its accounts and entries in the manager's language, and in French and
Italian it names the customer without a gender: "Clientèle", "Clientela", never "Client"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from bookings.models import Booking
from payments.models import LedgerAccount, LedgerEntry, LedgerKind, Payment, PaymentStatus
from tests.admin_world import admin_url, manager_speaks
from tests.gettext_catalogue import messages, source_msgids
from tests.web.test_gender_neutral_address import receipt_gendered

pytestmark = pytest.mark.django_db


def ledger_msgids() -> set[str]:
    """The ledger's words: its accounts, its kinds of entry, an entry's name and fields, and the
    console's account of a visit's money (web/templates/web/partials/money.html)."""
    with translation.override("en"):
        labels = {str(label) for _value, label in [*LedgerAccount.choices, *LedgerKind.choices]}
        labels |= {str(LedgerEntry._meta.verbose_name), str(LedgerEntry._meta.verbose_name_plural)}
        labels |= {str(field.verbose_name) for field in LedgerEntry._meta.concrete_fields}
    money = Path(settings.BASE_DIR) / "web" / "templates" / "web" / "partials" / "money.html"
    return labels | source_msgids([money])


@pytest.mark.parametrize("language", ["fr", "it"])
def test_the_ledger_names_the_customer_without_a_gender(language):
    ids = ledger_msgids()
    assert {"Customer", "Held on the customer's card", "Helper's Stripe account"} <= ids
    found = {
        message.msgid: words
        for message in messages(language)
        if message.msgid in ids
        for text in message.msgstrs
        if (words := receipt_gendered(language, text))
    }
    assert found == {}


@pytest.mark.parametrize(
    ("language", "accounts"),
    [
        (
            "de",
            {
                "customer": "Kundin oder Kunde",
                "hold": "Auf der Karte der Kundin oder des Kunden reserviert",
            },
        ),
        (
            "fr",
            {"customer": "Clientèle", "hold": "Réservé sur la carte de la cliente ou du client"},
        ),
        (
            "it",
            {"customer": "Clientela", "hold": "Riservato sulla carta della cliente o del cliente"},
        ),
    ],
)
def test_the_ledgers_accounts_read_in_each_language(language, accounts):
    with translation.override(language):
        assert {
            value: str(label)
            for value, label in LedgerAccount.choices
            if value in (LedgerAccount.CUSTOMER, LedgerAccount.HOLD)
        } == accounts


def test_the_payment_page_books_the_customers_money_to_the_clientele_in_french(
    manager_client, admin_world
):
    booking: Booking = admin_world["booking"]
    payment = Payment.objects.create(
        booking=booking,
        status=PaymentStatus.AUTHORISED,
        currency="CHF",
        amount_minor=8000,
        authorised_minor=8000,
    )
    LedgerEntry.objects.create(
        booking=booking,
        payment=payment,
        kind=LedgerKind.AUTHORISED,
        debit=LedgerAccount.CUSTOMER,
        credit=LedgerAccount.HOLD,
        amount_minor=8000,
        currency="CHF",
        reference="pi_123",
    )
    manager_speaks("fr")

    response = manager_client.get(admin_url(Payment, "change", payment.pk))

    page = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<td class="field-debit">\s*<p>([^<]*)</p>', page) == ["Clientèle"]
    assert re.findall(r'<td class="field-credit">\s*<p>([^<]*)</p>', page) == [
        "Réservé sur la carte de la cliente ou du client"
    ]
    assert re.findall(r'<td class="field-kind">\s*<p>([^<]*)</p>', page) == ["Autorisé"]
