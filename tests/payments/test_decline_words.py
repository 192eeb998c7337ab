"""A refused card is said in the customer's language, by Stripe's codes: the card form, the
request page and the API say what happened and what to do, never the provider's English, and
the API names the reason (`decline_reason`, documented). A refused card changes nothing: no
hold, the visit as it was. Through the real SDK against the emulator's test cards."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.utils import translation

from bookings.models import Booking
from payments.declines import CardDeclineReason, decline_reason, decline_words
from payments.models import LedgerEntry, Payment, PaymentStatus, StripeRequest
from tests.api.api_assertions import API, assert_error, openapi_schema, token_client
from tests.payments.money import DECLINED_CARD, card, held_booking, payment_of
from tests.realtime.helpers import api_token
from tests.web.refusals import refused_page
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db

INSUFFICIENT_FUNDS = "4000000000009995"
LOST_CARD = "4000000000009987"
EXPIRED_CARD = "4000000000000069"
INCORRECT_CVC = "4000000000000127"
PROCESSING_ERROR = "4000000000000119"
METHOD = ("post", "/api/v1/bookings/{booking_id}/payment/method")

# What the customer reads, per card and language.
WORDS = {
    (INSUFFICIENT_FUNDS, "de"): "Ihre Bank hat die Karte abgelehnt: Der Betrag ist im Moment "
    "nicht darauf verfügbar. Bitte verwenden Sie eine andere Karte, oder geben Sie diese erneut "
    "ein, sobald Ihre Bank es zulässt.",
    (INSUFFICIENT_FUNDS, "fr"): "Votre banque a refusé la carte : le montant n’y est pas "
    "disponible pour le moment. Veuillez utiliser une autre carte, ou saisir à nouveau celle-ci "
    "dès que votre banque le permet.",
    (LOST_CARD, "de"): "Ihre Bank hat die Karte ohne Angabe eines Grundes abgelehnt. Bitte "
    "verwenden Sie eine andere Karte, oder wenden Sie sich an Ihre Bank.",
    (LOST_CARD, "fr"): "Votre banque a refusé la carte sans en donner la raison. Veuillez "
    "utiliser une autre carte, ou contacter votre banque.",
    (EXPIRED_CARD, "de"): "Ihre Bank hat die Karte abgelehnt, weil sie abgelaufen ist. Bitte "
    "verwenden Sie eine andere Karte.",
    (EXPIRED_CARD, "fr"): "Votre banque a refusé la carte, car elle a expiré. Veuillez utiliser "
    "une autre carte.",
    (INCORRECT_CVC, "de"): "Der Sicherheitscode passte nicht zur Karte. Bitte geben Sie die "
    "Karte erneut ein und prüfen Sie die drei Ziffern auf ihrer Rückseite.",
    (INCORRECT_CVC, "fr"): "Le code de sécurité ne correspondait pas à la carte. Veuillez saisir "
    "à nouveau la carte et vérifier les trois chiffres au dos.",
    (PROCESSING_ERROR, "de"): "Die Karte konnte gerade nicht verarbeitet werden, und es wurde "
    "nichts belastet. Bitte versuchen Sie es in ein paar Minuten noch einmal.",
    (PROCESSING_ERROR, "fr"): "La carte n’a pas pu être traitée à l’instant, et rien n’a été "
    "débité. Veuillez réessayer dans quelques minutes.",
}
REASONS = {
    INSUFFICIENT_FUNDS: "insufficient_funds",
    LOST_CARD: "declined",
    EXPIRED_CARD: "expired_card",
    INCORRECT_CVC: "incorrect_cvc",
    PROCESSING_ERROR: "processing_error",
}
CASES = [pytest.param(number, language, id=f"{number}-{language}") for number, language in WORDS]
# Stripe's own English, which the customer never reads.
STRIPE_ENGLISH = ("Your card", "insufficient funds", "security code is incorrect", "processing")


@pytest.mark.parametrize(
    ("code", "decline_code", "reason"),
    [
        ("card_declined", "insufficient_funds", "insufficient_funds"),
        ("card_declined", "card_velocity_exceeded", "limit_exceeded"),
        ("card_declined", "lost_card", "declined"),
        ("card_declined", "stolen_card", "declined"),
        ("card_declined", "fraudulent", "declined"),
        ("card_declined", "do_not_honor", "declined"),
        ("card_declined", "generic_decline", "declined"),
        ("card_declined", None, "declined"),
        ("card_declined", "a_code_stripe_adds_later", "declined"),
        ("card_declined", "authentication_required", "authentication_required"),
        ("expired_card", None, "expired_card"),
        ("expired_card", "expired_card", "expired_card"),
        ("incorrect_cvc", None, "incorrect_cvc"),
        ("incorrect_number", None, "incorrect_number"),
        ("invalid_expiry_year", None, "incorrect_expiry"),
        ("processing_error", None, "processing_error"),
        ("authentication_required", None, "authentication_required"),
        ("card_declined", "currency_not_supported", "card_not_supported"),
        ("a_code_stripe_adds_later", None, "unknown"),
        (None, None, "unknown"),
    ],
)
def test_stripes_codes_fold_into_quartiers_reasons(code, decline_code, reason):
    assert decline_reason(code, decline_code) == reason


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_every_reason_has_its_own_words_in_each_language(language):
    with translation.override("en"):
        english = {reason: decline_words(reason) for reason in CardDeclineReason}
    with translation.override(language):
        words = {reason: decline_words(reason) for reason in CardDeclineReason}
        unknown = decline_words("a_reason_quartier_never_had")

    assert len(set(words.values())) == len(CardDeclineReason)
    assert all(words[reason] != english[reason] for reason in CardDeclineReason), words
    assert unknown == words[CardDeclineReason.UNKNOWN]


def _refused_once() -> tuple[Booking, Payment]:
    """A confirmed visit whose hold the bank refused: the card page asks for another card."""
    booking = held_booking(number=DECLINED_CARD)
    payment = payment_of(booking)
    assert (payment.status, payment.decline_reason) == (
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        "declined",
    )
    return booking, payment


def _state(booking: Booking) -> tuple[Any, ...]:
    booking.refresh_from_db()
    payment = payment_of(booking)
    return (
        booking.status,
        booking.updated_at,
        payment.status,
        payment.authorised_minor,
        payment.payment_intent_id,
        payment.payment_method_id,
        LedgerEntry.objects.filter(payment=payment).count(),
    )


@pytest.mark.parametrize(("number", "language"), CASES)
def test_the_api_says_why_the_card_was_refused_in_the_customers_language(number, language):
    # Given a visit whose first card the bank refused
    booking, payment = _refused_once()
    before = _state(booking)

    # When the customer gives one of Stripe's declining test cards through the API
    answer = token_client(api_token(booking.help_request.customer)).post(
        f"{API}/bookings/{booking.public_id}/payment/method",
        {"payment_method": card(booking.helper, number)},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    # Then the card's error says why in the customer's words, the reason beside the code
    body = assert_error(answer, 402, "card_declined", set(), documented_in=METHOD)
    assert body["message"] == WORDS[number, language]
    assert body["decline_reason"] == REASONS[number]
    assert not any(english in body["message"] for english in STRIPE_ENGLISH)
    # And nothing is held, the visit is as it was; the refusal is recorded for the page
    assert _state(booking) == before
    after = payment_of(booking)
    assert (after.attempt, after.failure_code, after.decline_reason) == (
        payment.attempt + 1,
        "card_declined",
        REASONS[number],
    )


@pytest.mark.parametrize(("number", "language"), CASES)
def test_the_card_form_and_the_page_say_why_the_card_was_refused(client, number, language):
    # Given a visit whose first card the bank refused, its customer on the page
    booking, payment = _refused_once()
    _logged_in(client, booking.help_request.customer, language)
    before = _state(booking)

    # When the customer gives one of Stripe's declining test cards in the card form
    url = f"/requests/{booking.help_request.public_id}/card"
    response = client.post(url, {"card-payment_method": card(booking.helper, number)})

    # Then the form says why next to the card, in the customer's words, and nothing changed
    page = refused_page(client, response, f"/requests/{booking.help_request.public_id}/")
    errors = _errors_of(page, "id_card-payment_method")
    assert [html.unescape(error) for error in errors] == [WORDS[number, language]]
    assert _state(booking) == before
    # And the request page says the same when it is opened again
    page = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    paragraph = page.split('id="card-not-held">')[1].split("</p>")[0]
    assert html.unescape(" ".join(paragraph.split())).startswith(WORDS[number, language] + " ")


@pytest.mark.parametrize("language", ["de", "fr"])
def test_a_hold_the_worker_placed_on_a_refused_card_is_said_on_the_page(client, language):
    # Given a visit whose hold the worker tried on a card without the funds
    booking = held_booking(number=INSUFFICIENT_FUNDS)
    payment = payment_of(booking)
    assert (payment.status, payment.failure_code, payment.decline_reason) == (
        PaymentStatus.REQUIRES_PAYMENT_METHOD,
        "card_declined",
        "insufficient_funds",
    )
    assert not LedgerEntry.objects.filter(payment=payment).exists()

    # When the customer opens the visit, then the page says why in their words
    _logged_in(client, booking.help_request.customer, language)
    page = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    paragraph = page.split('id="card-not-held">')[1].split("</p>")[0]
    assert html.unescape(" ".join(paragraph.split())).startswith(
        WORDS[INSUFFICIENT_FUNDS, language] + " "
    )


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_apis_payment_says_why_the_last_card_was_refused_until_another_is_held(language):
    # Given a visit whose hold the worker tried on an expired card
    booking = held_booking(number=EXPIRED_CARD)
    as_customer = token_client(api_token(booking.help_request.customer))
    url = f"{API}/bookings/{booking.public_id}/payment"

    # When the customer's app reads the payment, then it says why, in the customer's words
    shown = as_customer.get(url, HTTP_ACCEPT_LANGUAGE=language).json()
    assert (shown["status"], shown["failure_code"], shown["decline_reason"]) == (
        "requires_payment_method",
        "card_declined",
        "expired_card",
    )
    assert shown["decline_message"] == WORDS[EXPIRED_CARD, language]

    # But the helper's app reads that the card was declined, not what the bank answered
    as_helper = token_client(api_token(booking.helper.user))
    seen = as_helper.get(url, HTTP_ACCEPT_LANGUAGE=language).json()
    assert (seen["failure_code"], seen["decline_reason"], seen["decline_message"]) == (
        "card_declined",
        "",
        None,
    )

    # And once another card is held, nothing is said any more
    held = as_customer.post(
        f"{url}/method", {"payment_method": card(booking.helper)}, format="json"
    )
    assert held.status_code == 200, held.content
    shown = as_customer.get(url, HTTP_ACCEPT_LANGUAGE=language).json()
    assert (shown["status"], shown["decline_reason"], shown["decline_message"]) == (
        "authorised",
        "",
        None,
    )


PROVIDER_REFUSED = {
    "de": "Der Zahlungsdienst hat diese Anfrage abgelehnt, daher wurde nichts geändert. Bitte "
    "versuchen Sie es später noch einmal; falls es wieder vorkommt, kontaktieren Sie uns bitte.",
    "fr": "Le service de paiement a refusé cette demande : rien n’a donc été modifié. Veuillez "
    "réessayer plus tard ; si cela se reproduit, veuillez nous contacter.",
}


@pytest.mark.parametrize("language", ["de", "fr"])
def test_a_request_the_provider_refuses_is_said_without_its_english(language):
    # Given a visit whose first card the bank refused
    booking, _payment = _refused_once()
    before, requests_before = _state(booking), StripeRequest.objects.count()

    # When the customer gives a card the payment service does not know (it answers 404)
    answer = token_client(api_token(booking.help_request.customer)).post(
        f"{API}/bookings/{booking.public_id}/payment/method",
        {"payment_method": "pm_unknown_to_stripe"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    # Then it is the documented refusal, wholly in the customer's language, and nothing changed
    body = assert_error(answer, 409, "payment_provider_refused", set(), documented_in=METHOD)
    assert body["message"] == PROVIDER_REFUSED[language]
    assert "Not Found" not in body["message"]
    assert _state(booking) == before
    assert StripeRequest.objects.count() == requests_before


def test_the_schema_documents_the_decline_reasons():
    schemas = openapi_schema()["components"]["schemas"]
    error = schemas["Error"]
    assert error["properties"]["decline_reason"]["allOf"] == [
        {"$ref": "#/components/schemas/CardDeclineReasonEnum"}
    ]
    assert set(schemas["CardDeclineReasonEnum"]["enum"]) == {r.value for r in CardDeclineReason}
    assert "decline_reason" not in error["required"]
