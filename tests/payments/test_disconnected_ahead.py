"""Visits still to come whose card was held (or given for a hold still to be placed) on a
helper's payout account that is then disconnected: both sides are told at once, by e-mail in
their own language and on the visit's pages (web and `payout_warning` in the API), not only at
sign-off. A card held there cannot be charged on an account the helper connects since, so that
warning stays; a card only given there is asked for again should the helper connect one before
the hold, and its warning says so. The manager's payments page lists the visits settled unpaid
this way."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from backend.formats import written
from backend.models import User
from backend.money import format_chf
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from helpers.models import HelperProfile
from payments import emails, payouts
from payments.models import LedgerEntry, Payment, PaymentStatus, StripeRequest, WebhookEvent
from tests.api.api_assertions import API, token_client
from tests.factories import ManagerFactory, UserFactory
from tests.payments.money import (
    completed,
    connected_helper,
    days_ahead,
    held_booking,
    payment_of,
    set_account_state,
)
from tests.payments.test_disconnected_account import _deauthorize, _deliver
from tests.realtime.helpers import api_token
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

HELPER_WARNING = {
    "de": "Ihr Auszahlungskonto wurde von Quartier getrennt, und die Karte der Kundin oder des "
    "Kunden für diesen Besuch wurde darauf angegeben: Dieser Besuch wird nicht über Quartier "
    "bezahlt, auch wenn Sie wieder ein Auszahlungskonto verbinden.",
    "fr": "Votre compte de versement a été déconnecté de Quartier, et la carte donnée pour cette "
    "visite l’a été sur ce compte : cette visite ne sera pas payée par Quartier, même si vous "
    "connectez à nouveau un compte de versement.",
    "it": "Il suo conto di versamento è stato scollegato da Quartier e la carta data per questa "
    "visita è stata registrata su quel conto: questa visita non sarà pagata tramite Quartier, "
    "anche se collega di nuovo un conto di versamento.",
    "en": "Your payout account was disconnected from Quartier, and the customer's card for this "
    "visit was given on it: this visit will not be paid through Quartier, even if you connect a "
    "payout account again.",
}
CUSTOMER_WARNING = {
    "de": "Das Auszahlungskonto der helfenden Person wurde von Quartier getrennt, und Ihre Karte "
    "für diesen Besuch wurde darauf angegeben: Ihre Karte wird für diesen Besuch nicht belastet.",
    "fr": "Le compte de versement de la personne aidante a été déconnecté de Quartier, et votre carte pour "
    "cette visite a été donnée sur ce compte : votre carte ne sera pas débitée pour cette visite.",
    "it": "Il conto di versamento di chi aiuta è stato scollegato da Quartier e la sua carta per "
    "questa visita è stata registrata su quel conto: la sua carta non sarà addebitata per questa "
    "visita.",
    "en": "The helper's payout account was disconnected from Quartier, and your card for this "
    "visit was given on it: your card will not be charged for this visit.",
}

# A card only given for a hold still to be placed: asked for again if the helper connects an account
HELPER_WARNING_CARD_GIVEN = {
    "de": "Ihr Auszahlungskonto wurde von Quartier getrennt, und die Karte der Kundin oder des Kunden für diesen Besuch wurde darauf angegeben: Dort kann sie nicht belastet werden. Wenn Sie wieder ein Auszahlungskonto verbinden, wird die Kundin oder der Kunde vor dem Besuch erneut nach der Karte gefragt; sonst wird dieser Besuch nicht über Quartier bezahlt.",
    "fr": "Votre compte de versement a été déconnecté de Quartier, et la carte donnée pour cette visite l’a été sur ce compte : elle ne peut donc pas y être débitée. Si vous connectez à nouveau un compte de versement, la carte est redemandée avant la visite ; sinon, cette visite ne sera pas payée par Quartier.",
    "it": "Il suo conto di versamento è stato scollegato da Quartier e la carta data per questa visita è stata registrata su quel conto: lì non può essere addebitata. Se collega di nuovo un conto di versamento, la carta viene richiesta di nuovo prima della visita; altrimenti questa visita non sarà pagata tramite Quartier.",
    "en": "Your payout account was disconnected from Quartier, and the customer's card for this visit was given on it, so it cannot be charged there. If you connect a payout account again, the customer is asked for their card again before the visit; otherwise this visit will not be paid through Quartier.",
}
# The same, as the customer reads it
CUSTOMER_WARNING_CARD_GIVEN = {
    "de": "Das Auszahlungskonto der helfenden Person wurde von Quartier getrennt, und Ihre Karte für diesen Besuch wurde darauf angegeben: Dort wird sie nicht belastet. Verbindet die helfende Person vor dem Besuch wieder ein Auszahlungskonto, werden Sie erneut nach Ihrer Karte gefragt.",
    "fr": "Le compte de versement de la personne aidante a été déconnecté de Quartier, et votre carte pour cette visite a été donnée sur ce compte : elle n’y sera donc pas débitée. Si la personne aidante connecte à nouveau un compte de versement avant la visite, votre carte vous sera redemandée.",
    "it": "Il conto di versamento di chi aiuta è stato scollegato da Quartier e la sua carta per questa visita è stata registrata su quel conto: lì non sarà addebitata. Se chi aiuta collega di nuovo un conto di versamento prima della visita, le verrà richiesta di nuovo la carta.",
    "en": "The helper's payout account was disconnected from Quartier, and your card for this visit was given on it, so it will not be charged there. Should the helper connect a payout account again before the visit, you are asked for your card again.",
}


def _relay_all() -> None:
    while relay_pending():
        pass


def _state() -> dict[str, Any]:
    """Everything a warning must leave as it was: bookings, payments, ledger, Stripe calls."""
    return {
        "bookings": sorted(Booking.objects.values_list("pk", "status")),
        "payments": sorted(
            Payment.objects.values_list(
                "pk",
                "status",
                "authorised_minor",
                "captured_minor",
                "failure_code",
                "attempt",
                "payment_method_id",
                "payment_intent_id",
                "intent_account_id",
            )
        ),
        "ledger": sorted(LedgerEntry.objects.values_list("pk", "kind", "amount_minor")),
        "stripe_requests": sorted(StripeRequest.objects.values_list("idempotency_key", flat=True)),
    }


def _when(booking: Booking, language: str) -> str:
    with translation.override(language), timezone.override("Europe/Zurich"):
        return emails._visit_time(booking)


def _anna_with_visits() -> tuple[HelperProfile, dict[str, Booking]]:
    """Anna (German) with a visit done and settled, one tomorrow whose card is held (a French
    customer) and one eight days out whose hold is deferred (an Italian customer); Bruno
    (another helper) with a visit held."""
    anna = connected_helper(display_name="Anna Meier", preferred_language="de")
    settled = completed(held_booking(helper=anna))
    bookings.booking_sign_off(booking=settled, actor=settled.help_request.customer)
    _relay_all()
    held = held_booking(
        helper=anna,
        customer=UserFactory.create(display_name="Rosa Keller", preferred_language="fr"),
        start=days_ahead(1),
    )
    deferred = held_booking(
        helper=anna,
        customer=UserFactory.create(display_name="Lia Conti", preferred_language="it"),
        start=days_ahead(8),
    )
    other = held_booking(helper=connected_helper(display_name="Bruno Frei"))
    assert [payment_of(b).status for b in (held, deferred, settled, other)] == [
        PaymentStatus.AUTHORISED,
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        PaymentStatus.CAPTURED,
        PaymentStatus.AUTHORISED,
    ]
    assert payment_of(deferred).payment_method_id.startswith("pm_")
    mail.outbox.clear()
    return anna, {"held": held, "deferred": deferred, "settled": settled, "other": other}


def test_disconnecting_tells_both_sides_of_each_visit_to_come_at_once_and_changes_nothing(
    client,
):
    anna, visits = _anna_with_visits()
    before = _state()

    _deliver(client, _deauthorize(anna))
    _relay_all()

    held, deferred = visits["held"], visits["deferred"]
    rosa, lia = held.help_request.customer, deferred.help_request.customer
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (rosa.email, f"Votre carte ne sera pas débitée pour la visite du {_when(held, 'fr')}"),
            (
                lia.email,
                f"La sua carta non sarà addebitata per la visita in data {_when(deferred, 'it')}",
            ),
            (
                anna.user.email,
                f"Der Besuch am {_when(held, 'de')} wird nicht über Quartier bezahlt",
            ),
            (
                anna.user.email,
                f"Die Karte für den Besuch am {_when(deferred, 'de')} kann nicht belastet werden",
            ),
        ]
    )
    to_rosa = next(m for m in mail.outbox if m.to == [rosa.email])
    assert to_rosa.body.startswith("Bonjour Rosa Keller,\n\nLe compte de versement de Anna Meier")
    assert "elle ne sera donc pas débitée pour cette visite" in to_rosa.body
    to_anna = next(m for m in mail.outbox if m.to == [anna.user.email] and "Rosa" in m.body)
    assert to_anna.body == (
        "Hallo Anna Meier,\n\nIhr Auszahlungskonto wurde von Quartier getrennt. Die Karte von "
        f"Rosa Keller für den Besuch am {_when(held, 'de')} wurde auf diesem Konto angegeben, "
        "daher wird dieser Besuch nicht über Quartier bezahlt, auch wenn Sie wieder ein "
        "Auszahlungskonto verbinden.\n\nQuartier"
    )
    # The deferred hold's card was only given: both read it is asked for again should Anna
    # connect an account before the visit, else the visit is not paid through Quartier
    to_lia = next(m for m in mail.outbox if m.to == [lia.email])
    assert "Se Anna Meier collega di nuovo un conto di versamento prima della visita" in (
        to_lia.body
    )
    to_anna_deferred = next(m for m in mail.outbox if m.to == [anna.user.email] and "Lia" in m.body)
    assert to_anna_deferred.body == (
        "Hallo Anna Meier,\n\nIhr Auszahlungskonto wurde von Quartier getrennt. Die Karte von "
        f"Lia Conti für den Besuch am {_when(deferred, 'de')} wurde auf diesem Konto angegeben, "
        "daher kann sie dort nicht belastet werden. Wenn Sie wieder ein Auszahlungskonto "
        "verbinden, wird Lia Conti vor dem Besuch erneut nach der Karte gefragt; sonst wird "
        "dieser Besuch nicht über Quartier bezahlt.\n\nQuartier"
    )
    # Nothing else moved: no payment, booking, ledger entry or call to Stripe
    assert _state() == before
    assert WebhookEvent.objects.get(event_type="account.application.deauthorized").outcome == (
        "applied"
    )

    # The same event again, or the same disconnection asked again, tells nobody twice
    mail.outbox.clear()
    event = WebhookEvent.objects.get(event_type="account.application.deauthorized").payload
    _deliver(client, event)
    payouts.payout_account_disconnect(stripe_account_id=str(anna.payout_account.stripe_account_id))
    _relay_all()
    assert mail.outbox == []
    assert _state() == before


def test_a_visit_fixed_before_the_e_mail_goes_out_is_not_told(client):
    # Given Anna's held visit, cancelled in the same moment her account is disconnected
    anna = connected_helper(preferred_language="en")
    booking = held_booking(helper=anna, customer=UserFactory.create(preferred_language="en"))
    mail.outbox.clear()
    _deliver(client, _deauthorize(anna))
    bookings.booking_cancel(booking=booking, actor=booking.help_request.customer, reason="Away")

    _relay_all()

    # Then the cancellation's e-mails go out (nothing charged, to both), not the warning
    when = _when(booking, "en")
    about_payment = sorted(
        (m.to[0], m.subject) for m in mail.outbox if not m.subject.startswith("Visit cancelled")
    )
    assert about_payment == sorted(
        [
            (
                booking.help_request.customer.email,
                f"The visit on {when} cannot be paid through Quartier",
            ),
            (anna.user.email, f"The visit on {when} cannot be paid through Quartier"),
        ]
    )


def _api_warning(user: User, booking: Booking) -> Any:
    answer = token_client(api_token(user)).get(f"{API}/bookings/{booking.public_id}/payment")
    assert answer.status_code == 200, answer.content
    return answer.json()["payout_warning"]


def _page_warning(client: Client, user: User, language: str, path: str) -> str | None:
    _logged_in(client, user, language)
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    if 'id="payment-lost-ahead"' not in text:
        return None
    return html.unescape(text.split('id="payment-lost-ahead">')[1].split("</p>")[0])


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_both_read_it_on_the_visits_pages_and_in_the_api_in_their_language(client, language):
    anna, visits = _anna_with_visits()
    held, deferred, other = visits["held"], visits["deferred"], visits["other"]
    customer = held.help_request.customer
    helper_page = f"/helper/visits/{held.public_id}/"
    customer_page = f"/requests/{held.help_request.public_id}/"
    # Before: no warning
    assert _page_warning(client, anna.user, language, helper_page) is None
    assert _page_warning(client, customer, language, customer_page) is None
    assert _api_warning(anna.user, held) is None

    _deliver(client, _deauthorize(anna))
    _relay_all()

    assert _page_warning(client, anna.user, language, helper_page) == HELPER_WARNING[language]
    assert _page_warning(client, customer, language, customer_page) == (CUSTOMER_WARNING[language])
    assert _api_warning(User.objects.get(pk=anna.user_id), held) == HELPER_WARNING[language]
    assert _api_warning(User.objects.get(pk=customer.pk), held) == CUSTOMER_WARNING[language]
    # The deferred hold's visit, whose card was only given, with what happens should Anna
    # connect an account again; the manager's API reads no warning; Bruno's visit has none
    lia = deferred.help_request.customer
    assert (
        _api_warning(User.objects.get(pk=anna.user_id), deferred)
        == HELPER_WARNING_CARD_GIVEN[language]
    )
    assert (
        _page_warning(client, anna.user, language, f"/helper/visits/{deferred.public_id}/")
        == HELPER_WARNING_CARD_GIVEN[language]
    )
    # (the page first: logging in there sets Lia's language)
    assert (
        _page_warning(client, lia, language, f"/requests/{deferred.help_request.public_id}/")
        == CUSTOMER_WARNING_CARD_GIVEN[language]
    )
    assert (
        _api_warning(User.objects.get(pk=lia.pk), deferred) == CUSTOMER_WARNING_CARD_GIVEN[language]
    )
    assert _api_warning(ManagerFactory.create(), held) is None
    assert _api_warning(other.help_request.customer, other) is None
    assert (
        _page_warning(client, other.helper.user, language, f"/helper/visits/{other.public_id}/")
        is None
    )


def test_the_warning_stays_once_anna_connects_a_new_account(client):
    # Given Anna's held visit, her account disconnected, then a new one connected that takes
    # charges
    anna, visits = _anna_with_visits()
    held = visits["held"]
    _deliver(client, _deauthorize(anna))
    _relay_all()
    account, _url = payouts.payout_account_onboard(
        actor=anna.user, return_url="http://testserver/done", refresh_url="http://testserver/a"
    )
    set_account_state(anna, "payouts_enabled")
    payouts.payout_account_sync(stripe_account_id=str(account.stripe_account_id))
    _relay_all()
    account.refresh_from_db()
    assert account.can_take_payments

    # Then the card held on the old account still cannot be charged, and both still read so
    assert payment_of(held).account_lost is True
    assert _api_warning(User.objects.get(pk=anna.user_id), held) == HELPER_WARNING["de"]
    assert (
        _page_warning(
            client, held.help_request.customer, "en", f"/requests/{held.help_request.public_id}/"
        )
        == (CUSTOMER_WARNING["en"])
    )


def test_the_manager_finds_the_visits_settled_unpaid_on_the_payments_page(client):
    # Given Anna's held visit, her account disconnected, then the visit done and signed off
    anna, visits = _anna_with_visits()
    held = visits["held"]
    _deliver(client, _deauthorize(anna))
    _relay_all()
    assert held.starts_at is not None
    with time_machine.travel(held.starts_at - timedelta(minutes=10), tick=False):
        held = completed(Booking.objects.get(pk=held.pk))
        bookings.booking_sign_off(booking=held, actor=held.help_request.customer)
        _relay_all()
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.SIGNED_OFF
    assert payment_of(held).failure_code == "payout_account_disconnected"

    _logged_in(client, ManagerFactory.create(), "de")
    page = client.get("/manage/payments/")

    assert page.status_code == 200
    text = page.content.decode()
    table = text.split('id="settled-unpaid"')[1].split("</table>")[0]
    rows = [row.split("</tr>")[0] for row in table.split("<tr>")[2:]]
    with translation.override("de"), timezone.override("Europe/Zurich"):
        day = written.day_month_year(held.starts_at)
    cells = [cell.split("</td>")[0].strip() for row in rows for cell in row.split("<td>")[1:]]
    request_url = f"/manage/requests/{held.help_request.public_id}/"
    amount = format_chf(payment_of(held).amount_minor, "de")
    assert cells == [
        "Anna Meier",
        f'<a href="{request_url}">Internet &amp; WLAN</a>',
        day,
        amount,
    ], cells
    assert "Unbezahlt abgeschlossene Besuche (Auszahlungskonto getrennt)" in text
    # The settled visit, and Bruno's held one, are not listed; nobody else sees the page
    _logged_in(client, anna.user, "de")
    assert client.get("/manage/payments/").status_code == 404
