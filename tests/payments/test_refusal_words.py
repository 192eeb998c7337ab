"""Why a card is not held, in the customer's words: when the helper's payout account could not
take card payments, the card page and the API say so (nothing charged, what to do), never that
the bank declined the card; a card the bank declines is still said to be declined."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from backend.relay import relay_pending
from bookings.models import Booking, BookingStatus
from helpers.models import HelperProfile
from payments import payouts
from payments.models import Payment, PaymentStatus, PayoutAccount, StripeRequest
from payments.tasks import place_hold
from tests.api.api_assertions import API, assert_error, token_client
from tests.factories import make_booking
from tests.payments.money import (
    DECLINED_CARD,
    card,
    connected_helper,
    days_ahead,
    held_booking,
    payment_of,
    set_account_state,
)
from tests.realtime.helpers import api_token
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

NOT_HELD_FOR_THE_ACCOUNT = {
    "de": "Als Ihre Karte reserviert werden sollte, konnte das Auszahlungskonto der helfenden "
    "Person keine Kartenzahlungen annehmen; es wurde daher nichts belastet, und die helfende "
    "Person wurde informiert. Das Konto nimmt jetzt wieder Kartenzahlungen an: Bitte geben Sie "
    "Ihre Karte erneut ein, damit der Besuch stattfinden kann.",
    "fr": "Au moment de réserver le montant sur votre carte, le compte de versement de la personne aidante ne "
    "pouvait pas recevoir de paiements par carte : rien n’a donc été débité, et nous en avons "
    "informé la personne aidante. Son compte accepte de nouveau les paiements par carte : veuillez saisir à "
    "nouveau votre carte pour que la visite puisse avoir lieu.",
    "it": "Quando l’importo doveva essere bloccato sulla sua carta, il conto di versamento di chi "
    "aiuta non poteva ricevere pagamenti con carta, quindi non è stato addebitato nulla; abbiamo "
    "avvisato chi aiuta. Ora il conto accetta di nuovo i pagamenti con carta: inserisca di nuovo "
    "la sua carta perché la visita possa avere luogo.",
    "en": "When your card was to be held, the helper's payout account could not take card "
    "payments, so nothing has been charged; the helper has been told. Their account takes card "
    "payments again now: please enter your card again so that the visit can go ahead.",
}
CANNOT_TAKE_CARDS = {
    "de": "Die helfende Person kann im Moment keine Kartenzahlungen annehmen, daher wurde nichts "
    "belastet. Bitte versuchen Sie es später noch einmal oder vereinbaren Sie mit der helfenden "
    "Person eine andere Zahlungsart.",
    "fr": "La personne aidante ne peut pas recevoir de paiements par carte pour le moment : rien n’a donc été "
    "débité. Veuillez réessayer plus tard, ou convenir avec la personne aidante d’un autre moyen de paiement.",
    "it": "Chi aiuta non può ricevere pagamenti con carta al momento, quindi non è stato "
    "addebitato nulla. Riprovi più tardi o concordi con chi aiuta un altro modo di pagare.",
    "en": "The helper cannot take card payments at the moment, so nothing has been charged. "
    "Please try again later, or agree with the helper on another way to pay.",
}


def _account_state(helper: HelperProfile, state: str) -> None:
    set_account_state(helper, state)
    payouts.payout_account_sync(
        stripe_account_id=str(PayoutAccount.objects.get(helper=helper).stripe_account_id)
    )
    relay_pending()


def _not_held_words(client: Client, booking: Booking) -> str:
    page = client.get(f"/requests/{booking.help_request.public_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    paragraph = text.split('id="card-not-held">')[1].split("</p>")[0]
    return html.unescape(" ".join(paragraph.split()))


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_a_hold_refused_for_the_helpers_account_is_not_said_to_be_a_declined_card(client, language):
    # Given a visit eight days out, its card given, whose hold falls due while the helper's
    # account takes no charges (more details asked), and which takes them again since
    start = days_ahead(8)
    helper = connected_helper()
    booking = held_booking(helper=helper, start=start)
    payment = payment_of(booking)
    _account_state(helper, "pending_verification")
    with time_machine.travel(start - timedelta(days=2), tick=False):
        assert place_hold.call(payment.pk) == PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert payment_of(booking).failure_code == "helper_cannot_take_payments"
    _account_state(helper, "payouts_enabled")

    # When the customer opens the visit
    _logged_in(client, booking.help_request.customer, language)
    with time_machine.travel(start - timedelta(days=2), tick=False):
        words = _not_held_words(client, booking)

    # Then the page says why, and that nothing was charged, not that the bank declined it
    assert words == NOT_HELD_FOR_THE_ACCOUNT[language]


def test_a_card_the_bank_declined_is_still_said_to_be_declined(client):
    booking = held_booking(number=DECLINED_CARD)
    assert payment_of(booking).failure_code == "card_declined"
    _logged_in(client, booking.help_request.customer, "en")

    assert _not_held_words(client, booking) == (
        "Your bank declined the card without giving a reason. Please use another card, or "
        "contact your bank. The visit goes ahead only once a card is held. Please enter a card "
        "(another one, or the same one again once your bank allows it)."
    )


def _proposed_while_the_account_takes_no_charges() -> Booking:
    helper = connected_helper()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper)
    _account_state(helper, "pending_verification")
    return booking


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_the_card_form_says_the_helper_cannot_take_cards_now_and_changes_nothing(client, language):
    booking = _proposed_while_the_account_takes_no_charges()
    customer = booking.help_request.customer
    _logged_in(client, customer, language)
    requests_before = StripeRequest.objects.count()

    response = client.post(
        f"/requests/{booking.help_request.public_id}/card",
        {"card-payment_method": "pm_card_visa"},
        follow=True,
    )

    # The card's form is no longer on the page (the helper cannot be paid now): the reason is
    # said above it
    assert response.redirect_chain == [(f"/requests/{booking.help_request.public_id}/", 302)]
    text = response.content.decode()
    assert 'id="card"' not in text
    flash = text.split('<p class="message message-error">')[1].split("</p>")[0]
    assert html.unescape(flash) == CANNOT_TAKE_CARDS[language]
    assert not Payment.objects.filter(booking=booking).exists()
    assert StripeRequest.objects.count() == requests_before


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_the_api_says_the_helper_cannot_take_cards_now_and_changes_nothing(language):
    booking = _proposed_while_the_account_takes_no_charges()
    customer = booking.help_request.customer

    answer = token_client(api_token(customer)).post(
        f"{API}/bookings/{booking.public_id}/payment/method",
        {"payment_method": "pm_anything"},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    body = assert_error(answer, 409, "helper_cannot_take_payments")
    assert body["message"] == CANNOT_TAKE_CARDS[language]
    assert not Payment.objects.filter(booking=booking).exists()


def test_a_declined_card_given_in_the_api_is_still_said_to_be_declined():
    booking = held_booking(number=DECLINED_CARD)
    customer = booking.help_request.customer
    attempt = payment_of(booking).attempt

    answer = token_client(api_token(customer)).post(
        f"{API}/bookings/{booking.public_id}/payment/method",
        {"payment_method": card(booking.helper, DECLINED_CARD)},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = assert_error(answer, 402, "card_declined")
    assert body["message"] == (
        "Your bank declined the card without giving a reason. Please use another card, or "
        "contact your bank."
    )
    assert body["decline_reason"] == "declined"
    payment = payment_of(booking)
    assert (payment.status, payment.attempt) == (PaymentStatus.REQUIRES_PAYMENT_METHOD, attempt + 1)
