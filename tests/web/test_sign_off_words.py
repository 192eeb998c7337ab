"""Signing off a finished visit reads as an act of its own, never as confirming a proposed time:
in English the customer signs off, in German nimmt ab, in French valide, in Italian approva."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from django.utils.translation import gettext

from backend.models import User
from bookings.models import BookingStatus
from bookings.step_words import TIMELINE
from tests.factories import make_booking
from web.words import STATUS_WORDS, booking_words, helper_visit_words

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "de", "fr", "it")
# The word each language uses for confirming a proposed time.
CONFIRM = {"en": "confirm", "de": "bestätig", "fr": "confirm", "it": "conferm"}
# The words for signing a visit off.
SIGN_OFF = {
    "en": r"sign(s|ed)? (it |the visit )?off|sign-off",
    "de": r"abnehm|abnimm|abgenommen|abzunehmen|abnahme|nehmen (sie )?den besuch ab",
    "fr": r"valid",
    "it": r"approv",
}
SIGN_OFF_BUTTON = {
    "en": "Yes, sign off the visit",
    "de": "Ja, Besuch abnehmen",
    "fr": "Oui, valider la visite",
    "it": "Sì, approva la visita",
}
SIGNED_OFF_MESSAGE = {
    "en": "Thank you! The visit is signed off.",
    "de": "Danke! Der Besuch ist abgenommen.",
    "fr": "Merci ! La visite est validée.",
    "it": "Grazie! La visita è approvata.",
}
# What the pages, e-mails and the API's errors say about the sign-off alone.
SIGN_OFF_TEXTS = (
    "You sign off the visit and say how it went.",
    "Done: please sign off the visit.",
    "Done, waiting for sign-off",
    "Signed off",
    "The visit was signed off",
    "The visit is signed off. Thank you!",
    "The visit stands: it is signed off",
    "Waiting for the customer to sign off the visit.",
    "Thank you! The customer is asked to sign off the visit.",
    "%(name)s says the work is done. Please sign off the visit, or tell us what went wrong.",
    "Reviews open once the visit is signed off.",
    "A tip can be given once the visit is signed off.",
    "Extra time or material can be asked for during a visit held on a card, until the customer "
    "signs it off.",
)
# Texts that speak of confirming a time too, and of the sign-off later.
TEXTS_WITH_A_SIGN_OFF = (
    "Each helper sets an hourly rate, which you see before you confirm a time. You pay the "
    "helper for the time of the visit, and only after you have signed off the visit.",
    "Nothing is charged now: the amount is only held on your card, and charged when you sign "
    "off the visit, if it went as agreed. If the visit is cancelled in time, the hold is "
    "released at once.",
    "If you agree, this amount is held on the card the visit is held on, and charged with the "
    "visit once you sign it off. If you decline, the agreed price stands.",
    "Hello %(name)s,\n\n%(amount)s is now held on the card for the visit on %(when)s. The visit "
    "goes ahead as agreed; the amount is charged once the visit is signed off.\n\nQuartier",
)


def _signs_off(language: str, text: str) -> bool:
    return re.search(SIGN_OFF[language], text.lower()) is not None


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_customer_signs_off_a_finished_visit_in_words_of_its_own(client, language):
    booking = make_booking(BookingStatus.COMPLETED)
    customer = booking.help_request.customer
    User.objects.filter(pk=customer.pk).update(preferred_language=language)
    client.force_login(customer)
    url = f"/requests/{booking.help_request.public_id}/"

    page = client.get(url).content.decode()
    start = page.index('aria-labelledby="sign-off-heading"')
    sign_off = page[start : page.index("</section>", start)]
    assert f'<button type="submit" class="button button-primary">{SIGN_OFF_BUTTON[language]}' in (
        sign_off
    )
    assert CONFIRM[language] not in sign_off.lower()
    with translation.override(language):
        said = [
            booking_words(booking),
            helper_visit_words(booking),
            str(STATUS_WORDS[BookingStatus.COMPLETED]),
        ]
    assert [_signs_off(language, text) for text in said] == [True, True, True]
    assert [CONFIRM[language] in text.lower() for text in said] == [False, False, False]

    signed_off = client.post(url + "sign-off", follow=True).content.decode()
    assert SIGNED_OFF_MESSAGE[language] in signed_off
    booking.refresh_from_db()
    assert booking.status == BookingStatus.SIGNED_OFF
    with translation.override(language):
        said = [
            helper_visit_words(booking),
            str(STATUS_WORDS[BookingStatus.SIGNED_OFF]),
            str(TIMELINE[BookingStatus.SIGNED_OFF]),
        ]
        confirmed = str(STATUS_WORDS[BookingStatus.CONFIRMED])
    assert [_signs_off(language, text) for text in said] == [True, True, True]
    assert confirmed not in said


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_about_the_sign_off_says_sign_off_never_confirm(language):
    with translation.override(language):
        alone = {text: gettext(text) for text in SIGN_OFF_TEXTS}
        among = {text: gettext(text) for text in TEXTS_WITH_A_SIGN_OFF}
    assert {text for text, said in alone.items() if not _signs_off(language, said)} == set()
    assert {text for text, said in alone.items() if CONFIRM[language] in said.lower()} == set()
    assert {text for text, said in among.items() if not _signs_off(language, said)} == set()
