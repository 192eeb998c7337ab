"""The booking's history over the API tells each step as the visit's page tells it, in the
reader's language and from their side (`summary`), with why it was taken (`note`); the trail's
raw note stays in `reason` as before."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bookings import services
from bookings.models import Booking, BookingStatus
from helpers.services import helper_profile_update
from payments.services import booking_settle_unpaid
from tests.api.api_assertions import API, client_for, results, token_client
from tests.factories import ManagerFactory, UserFactory, make_booking, make_helper
from tests.realtime.helpers import api_token

pytestmark = pytest.mark.django_db

# A visit the helper Luca accepted, proposed times for, the customer confirmed and cancelled.
RAW_REASONS = ["offer accepted", "times proposed", "time confirmed", "Not needed"]
CUSTOMER_READS = {
    "en": [
        "Luca accepted your request",
        "Luca proposed times",
        "The visit was confirmed",
        "You cancelled the visit",
    ],
    "de": [
        "Luca hat Ihre Anfrage angenommen",
        "Luca hat Zeiten vorgeschlagen",
        "Der Besuch wurde bestätigt",
        "Sie haben den Besuch abgesagt",
    ],
    "fr": [
        "Luca a accepté votre demande",
        "Luca a proposé des horaires",
        "La visite a été confirmée",
        "Vous avez annulé la visite",
    ],
    "it": [
        "Luca ha accettato la sua richiesta",
        "Luca ha proposto degli orari",
        "La visita è stata confermata",
        "Ha annullato la visita",
    ],
}
HELPER_READS = {
    "en": [
        "You accepted the offer",
        "You proposed times",
        "The customer confirmed a time",
        "The customer cancelled the visit",
    ],
    "de": [
        "Sie haben das Angebot angenommen",
        "Sie haben Zeiten vorgeschlagen",
        "Die Kundin oder der Kunde hat eine Zeit bestätigt",
        "Die Kundin oder der Kunde hat den Besuch abgesagt",
    ],
    "fr": [
        "Vous avez accepté l’offre",
        "Vous avez proposé des heures",
        "La cliente ou le client a confirmé une heure",
        "La cliente ou le client a annulé la visite",
    ],
    "it": [
        "Ha accettato l’offerta",
        "Ha proposto degli orari",
        "La cliente o il cliente ha confermato un orario",
        "La cliente o il cliente ha annullato la visita",
    ],
}
MANAGER_READS_IN_ENGLISH = [
    "The helper accepted the offer",
    "The helper proposed times",
    "The customer confirmed a time",
    "The visit was cancelled",
]
LANGUAGES = ("en", "de", "fr", "it")


def _cancelled_visit() -> Booking:
    helper = make_helper(display_name="Luca Rossi")
    return make_booking(BookingStatus.CANCELLED, helper=helper)


def _history(booking: Booking, user, **headers) -> list[dict]:
    response = client_for(user).get(f"{API}/bookings/{booking.public_id}/events", **headers)
    assert response.status_code == 200, response.content
    return results(response)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_customer_reads_each_step_in_the_language_asked_for(language):
    # Given a visit Luca accepted and proposed times for, and the customer confirmed and cancelled
    booking = _cancelled_visit()

    # When its customer reads its history in a language
    rows = _history(booking, booking.help_request.customer, HTTP_ACCEPT_LANGUAGE=language)

    # Then each step is told as the request page tells it, Luca by first name, in that language
    assert [row["summary"] for row in rows] == CUSTOMER_READS[language]
    # And only the customer's own reason is a note: Quartier's notes say what the step says
    assert [row["note"] for row in rows] == ["", "", "", "Not needed"]
    # And the raw notes stay as they were
    assert [row["reason"] for row in rows] == RAW_REASONS


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_helper_reads_the_steps_from_their_side_in_their_account_language(language):
    # Given the same visit, and a helper whose account speaks a language
    booking = _cancelled_visit()
    helper_user = booking.helper.user
    helper_user.preferred_language = language
    helper_user.save(update_fields=["preferred_language"])

    # When the helper reads its history with their token, without asking for a language
    response = token_client(api_token(helper_user)).get(
        f"{API}/bookings/{booking.public_id}/events"
    )
    assert response.status_code == 200, response.content
    rows = results(response)

    # Then the steps are told to them in their account's language
    assert [row["summary"] for row in rows] == HELPER_READS[language]
    assert [row["note"] for row in rows] == ["", "", "", "Not needed"]


def test_the_manager_reads_the_steps_as_the_back_office_tells_them():
    booking = _cancelled_visit()

    rows = _history(booking, ManagerFactory.create(), HTTP_ACCEPT_LANGUAGE="en")

    assert [row["summary"] for row in rows] == MANAGER_READS_IN_ENGLISH
    assert [row["reason"] for row in rows] == RAW_REASONS


def test_a_step_on_a_later_page_knows_the_times_proposed_on_an_earlier_one():
    # Given a visit whose helper proposed times, was asked for others and proposed again
    helper = make_helper(display_name="Luca Rossi")
    booking = make_booking(BookingStatus.PROPOSED, helper=helper)
    customer = booking.help_request.customer
    booking = services.booking_request_new_times(
        booking=booking, actor=customer, reason="Mornings suit me better."
    )
    start = booking.proposals.order_by("starts_at").first().starts_at + timedelta(hours=1)
    services.booking_propose(
        booking=booking,
        actor=helper.user,
        slots=[services.SlotInput(start, start + timedelta(hours=1))],
    )

    # When the customer reads the history one step a page
    pages = [
        results(
            client_for(customer).get(
                f"{API}/bookings/{booking.public_id}/events",
                {"page": page, "page_size": 1},
                HTTP_ACCEPT_LANGUAGE="de",
            )
        )
        for page in (1, 2, 3, 4)
    ]

    # Then the last page says other times were proposed, as the request page does
    assert [rows[0]["summary"] for rows in pages] == [
        "Luca hat Ihre Anfrage angenommen",
        "Luca hat Zeiten vorgeschlagen",
        "Sie haben um andere Zeiten gebeten",
        "Luca hat andere Zeiten vorgeschlagen",
    ]
    assert pages[2][0]["note"] == "Mornings suit me better."


@pytest.mark.parametrize(
    ("language", "note"),
    [
        ("en", "nothing to pay"),
        ("de", "nichts zu bezahlen"),
        ("fr", "rien à payer"),
        ("it", "niente da pagare"),
    ],
)
def test_quartiers_own_note_is_in_the_readers_language(language, note):
    # Given a neighbourly favour (no price) signed off by its customer and settled at once
    helper = make_helper(display_name="Luca Rossi")
    helper_profile_update(helper=helper, hourly_rate_minor=0)
    booking = make_booking(BookingStatus.COMPLETED, helper=helper)
    customer = booking.help_request.customer
    booking = services.booking_sign_off(booking=booking, actor=customer)
    booking_settle_unpaid(booking=booking)  # as the handler of the sign-off does

    # When the customer reads its history
    rows = _history(booking, customer, HTTP_ACCEPT_LANGUAGE=language)

    # Then the settling step's note is Quartier's, in their language; the raw note is English
    assert rows[-1]["to_status"] == BookingStatus.SETTLED
    assert (rows[-1]["note"], rows[-1]["reason"]) == (note, "nothing to pay")


def test_nobody_else_reads_the_history():
    booking = _cancelled_visit()

    response = client_for(UserFactory.create()).get(f"{API}/bookings/{booking.public_id}/events")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
