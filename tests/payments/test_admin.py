"""The back office shows the money read-only; the manager's refund goes through the service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backend.relay import relay_pending
from bookings import services as bookings
from payments import extras
from payments.models import ExtraCharge, LedgerEntry, Payment
from tests.factories import ManagerFactory
from tests.payments.money import assert_books_balance, completed, held_booking

pytestmark = pytest.mark.django_db


def test_the_manager_refunds_from_the_back_office(client):
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    payment = Payment.objects.get(booking=booking)
    # A manager who reads English: the back office speaks the account's language
    manager = ManagerFactory.create(is_superuser=True, preferred_language="en")
    client.force_login(manager)

    page = client.get(reverse("admin:payments_payment_change", args=[payment.pk]))
    assert page.status_code == 200
    assert b"Refund part or all" in page.content

    too_much = client.post(
        reverse("admin:payments_payment_refund", args=[payment.pk]),
        {"amount_minor": payment.captured_minor + 1, "reason": "Too much"},
    )
    assert too_much.status_code == 200
    assert Payment.objects.get(pk=payment.pk).refunded_minor == 0

    done = client.post(
        reverse("admin:payments_payment_refund", args=[payment.pk]),
        {"amount_minor": 300, "reason": "Came late"},
    )
    assert done.status_code == 302
    assert Payment.objects.get(pk=payment.pk).refunded_minor == 300
    assert LedgerEntry.objects.filter(payment=payment, kind="refunded").count() == 1
    assert_books_balance(booking)


def test_payments_cannot_be_changed_or_deleted_in_the_back_office(client):
    manager = ManagerFactory.create(is_superuser=True)
    client.force_login(manager)

    assert client.get(reverse("admin:payments_payment_add")).status_code == 403
    assert client.get(reverse("admin:payments_ledgerentry_add")).status_code == 403
    assert client.get(reverse("admin:payments_webhookevent_changelist")).status_code == 200
    assert client.get(reverse("admin:payments_tip_add")).status_code == 403
    assert client.get(reverse("admin:payments_receipt_add")).status_code == 403
    assert client.get(reverse("admin:payments_tip_changelist")).status_code == 200
    assert client.get(reverse("admin:payments_receipt_changelist")).status_code == 200


def test_extra_time_is_shown_read_only_in_the_back_office(client):
    booking = held_booking()
    helper = booking.helper.user
    booking = bookings.booking_start_journey(booking=booking, actor=helper, eta_minutes=10)
    booking = bookings.booking_check_in(booking=booking, actor=helper)
    extra = extras.extra_record(
        payment=Payment.objects.get(booking=booking), actor=helper, minutes=20, material_minor=0
    )
    client.force_login(ManagerFactory.create(is_superuser=True))
    listed = client.get(reverse("admin:payments_extracharge_changelist"))
    assert listed.status_code == 200
    assert str(booking) in listed.content.decode()
    shown = client.get(reverse("admin:payments_extracharge_change", args=[extra.pk]))
    assert shown.status_code == 200
    assert client.get(reverse("admin:payments_extracharge_add")).status_code == 403
    deleted = client.post(reverse("admin:payments_extracharge_delete", args=[extra.pk]))
    assert deleted.status_code == 403
    assert ExtraCharge.objects.get().status == "asked"


# The refund page in each language: its title, the way back through the payment, the form's
# labels, the button and "Cancel" (back to the payment), as the other confirmation pages read.
REFUND_WORDS = {
    "de": [
        "Zahlung {id} erstatten",
        "Rückerstattung",
        "Betrag (kleinste Einheit, z. B. Rappen)",
        "Begründung",
        'value="Zurückerstatten"',
        "Abbrechen",
    ],
    "fr": [
        "Rembourser le paiement {id}",
        "Remboursement",
        "Montant (plus petite unité, p. ex. centimes)",
        "Motif",
        'value="Rembourser"',
        "Annuler",
    ],
    "it": [
        "Rimborso del pagamento {id}",
        "Rimborso",
        "Importo (unità minima, p. es. centesimi)",
        "Motivo",
        'value="Rimborsa"',
        "Annulla",
    ],
    "en": [
        "Refund payment {id}",
        "Refund",
        "Amount (minor units, e.g. Rappen)",
        "Reason",
        'value="Refund"',
        "Cancel",
    ],
}


@pytest.mark.parametrize("language", list(REFUND_WORDS))
def test_the_refund_page_reads_as_the_other_confirmation_pages(client, language):
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    payment = Payment.objects.get(booking=booking)
    client.force_login(ManagerFactory.create(is_superuser=True, preferred_language=language))

    page = client.get(reverse("admin:payments_payment_refund", args=[payment.pk]))

    html = page.content.decode()
    title, crumb, amount, reason, submit, cancel = REFUND_WORDS[language]
    assert f"<h1>{title.format(id=payment.public_id)}</h1>" in html
    change = reverse("admin:payments_payment_change", args=[payment.pk])
    assert f'&rsaquo; <a href="{reverse("admin:payments_payment_changelist")}">' in html
    assert f'&rsaquo; <a href="{change}">{payment.public_id}</a> &rsaquo; {crumb}\n' in html
    assert f'<label for="id_amount_minor">{amount}' in html
    assert f'<label for="id_reason">{reason}' in html
    assert f'<input type="submit" {submit} class="default">' in html
    assert f'<a href="{change}" class="button cancel-link">{cancel}</a>' in html
    assert 'class="submit-row"' in html
    assert 'class="module aligned"' in html
