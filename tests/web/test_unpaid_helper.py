"""A paid visit is never confirmed with a helper whose payout account cannot take charges: the
customer's page and the API refuse it with the reason and change nothing, and the helper reads
on their start page and their earnings what to finish before paid requests come."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from backend.models import OutboxEvent
from bookings.models import Booking, BookingEvent, BookingStatus, ProposalStatus
from helpers.services import helper_profile_update, helper_takes_payments_set
from payments.models import Payment
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import UserFactory, make_booking, make_helper
from tests.web.test_pages import _logged_in
from web.templatetags.quartier import format_chf

pytestmark = pytest.mark.django_db

CONFIRM_PATH = "/api/v1/bookings/{booking_id}/confirm"


def _proposed_then_unpaid() -> Booking:
    """Times proposed by a helper at CHF 40 an hour, whose payout account stopped taking
    charges since (payments records it on the helper so)."""
    booking = make_booking(BookingStatus.PROPOSED, customer=UserFactory.create())
    helper_takes_payments_set(helper_id=booking.helper_id, takes_payments=False)
    return booking


def _unchanged(booking: Booking, events_before: int, outbox_before: int) -> None:
    booking.refresh_from_db()
    assert (booking.status, booking.starts_at, booking.price_minor) == (
        BookingStatus.PROPOSED,
        None,
        None,
    )
    assert booking.proposals.get().status == ProposalStatus.PROPOSED
    assert BookingEvent.objects.filter(booking=booking).count() == events_before
    assert not Payment.objects.filter(booking=booking).exists()
    assert OutboxEvent.objects.count() == outbox_before


def test_the_customers_page_says_why_the_visit_cannot_be_confirmed_and_changes_nothing(client):
    booking = _proposed_then_unpaid()
    page_url = f"/requests/{booking.help_request.public_id}/"
    _logged_in(client, booking.help_request.customer, "it")
    events_before = BookingEvent.objects.filter(booking=booking).count()
    outbox_before = OutboxEvent.objects.count()

    response = client.post(
        f"{page_url}confirm", {"proposal": str(booking.proposals.get().public_id)}
    )

    assert response.status_code == 302
    assert response["Location"] == page_url
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == [
        "L’aiutante non può ancora ricevere pagamenti, quindi la visita non può essere "
        "confermata per ora."
    ]
    _unchanged(booking, events_before, outbox_before)


CANNOT_BE_PAID_WORDS = {
    "de": "Diese Helferin oder dieser Helfer kann noch keine Zahlungen empfangen, darum können "
    "Sie vorerst keine Zeit bestätigen. Quartier bittet sie oder ihn auf der eigenen "
    "Helferseite, die Einrichtung des Auszahlungskontos abzuschliessen. Sobald das erledigt "
    "ist, können Sie hier bestätigen.",
    "fr": "Cette personne aidante ne peut pas encore recevoir de paiements : vous ne pouvez "
    "donc pas confirmer d’horaire pour l’instant. Quartier lui demande, sur sa page de personne aidante, "
    "de terminer la connexion de son compte de versement. Dès que c’est fait, vous pourrez confirmer ici.",
    "it": "L’aiutante non può ancora ricevere pagamenti, quindi per ora non può confermare un "
    "orario. Quartier chiede all’aiutante, sulla propria pagina, di completare il collegamento "
    "del conto di versamento. Appena fatto, potrà confermare qui.",
    "en": "This helper cannot receive payments yet, so you cannot confirm a time for now. "
    "Quartier asks them, on their helper page, to finish connecting their payout account. Once "
    "that is done, you can confirm here.",
}


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_the_customers_page_offers_no_confirmation_the_helper_could_not_be_paid_for(
    client, language
):
    # Given times proposed by a helper who charges, once able to take payments, once not
    unpaid = _proposed_then_unpaid()
    paid = make_booking(BookingStatus.PROPOSED, customer=UserFactory.create())
    events_before = BookingEvent.objects.filter(booking=unpaid).count()
    outbox_before = OutboxEvent.objects.count()

    pages = {}
    for booking in (unpaid, paid):
        _logged_in(client, booking.help_request.customer, language)
        request_id = booking.help_request.public_id
        html = client.get(f"/requests/{request_id}/").content.decode()
        pages[booking.pk] = (
            html.count(f'action="/requests/{request_id}/confirm"'),
            html.count(f'name="proposal" value="{booking.proposals.get().public_id}"'),
            html.count(CANNOT_BE_PAID_WORDS[language]),
            # The helper's hourly rate and the proposed hour's price
            html.count(format_chf(4000, language)),
        )

    # Then the unpaid helper's time is shown with its price, the page says why it cannot be
    # confirmed and offers no button that could only be refused; the other has its button
    assert pages[unpaid.pk] == (0, 0, 1, 2)
    assert pages[paid.pk] == (1, 1, 0, 2)
    _unchanged(unpaid, events_before, outbox_before)


def test_the_api_refuses_the_confirmation_with_its_code_in_the_readers_language():
    booking = _proposed_then_unpaid()
    events_before = BookingEvent.objects.filter(booking=booking).count()
    outbox_before = OutboxEvent.objects.count()

    response = client_for(booking.help_request.customer).post(
        f"{API}/bookings/{booking.public_id}/confirm",
        {"proposal": str(booking.proposals.get().public_id)},
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    body = assert_error(
        response, 409, "helper_cannot_be_paid", set(), documented_in=("post", CONFIRM_PATH)
    )
    assert body["message"] == (
        "La personne aidante ne peut pas encore recevoir de paiements : la visite ne peut donc pas être "
        "confirmée pour l’instant."
    )
    _unchanged(booking, events_before, outbox_before)


def test_the_helper_reads_on_the_start_page_and_the_earnings_to_finish_the_payout_account(
    client,
):
    helper = make_helper(takes_payments=False)
    _logged_in(client, helper.user, "de")
    told = (
        '<a href="/helper/payouts">Schliessen Sie die Einrichtung Ihres Auszahlungskontos ab: '
        "Bezahlte Anfragen erhalten Sie erst, wenn Kundinnen und Kunden Sie bezahlen können</a>"
    )

    for page in ("/helper/", "/helper/earnings"):
        html = client.get(page).content.decode()
        assert html.count('id="offer-blockers"') == 1, page
        assert told in html.split('id="offer-blockers"')[1].split("</ul>")[0], page


def test_a_helper_who_can_be_paid_or_works_for_free_reads_nothing_of_it(client):
    paid = make_helper()
    free = make_helper(takes_payments=False)
    helper_profile_update(helper=free, hourly_rate_minor=0)

    for helper in (paid, free):
        _logged_in(client, helper.user, "de")
        html = client.get("/helper/earnings").content.decode()
        assert 'id="offer-blockers"' not in html
