"""A refused step says why in the reader's words, never in the code's statuses ("it is
signed_off"): the clients branch on the stable `code`, people read the `message`."""

from __future__ import annotations

import pytest

from bookings.models import BookingStatus, Offer, OfferStatus
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import UserFactory, make_booking, make_helper, pending_offer, post_request

pytestmark = pytest.mark.django_db

STATUS_WORDS = [status.value for status in BookingStatus] + [s.value for s in OfferStatus]

SIGN_OFF_REFUSED = {
    "en": "Booking: this step is not possible at this stage. Refresh to see where things stand.",
    "de": (
        "Besuch: Dieser Schritt ist in diesem Stand nicht möglich. Aktualisieren Sie die "
        "Ansicht, um den aktuellen Stand zu sehen."
    ),
    "fr": (
        "Visite : cette étape n’est pas possible à ce stade. Actualisez pour voir où en sont "
        "les choses."
    ),
    "it": (
        "Visita: questo passo non è possibile a questo punto. Aggiorni la vista per vedere a "
        "che punto si è."
    ),
}


@pytest.mark.parametrize("language", ["en", "de", "fr", "it"])
def test_signing_off_a_visit_not_done_is_refused_in_words_and_changes_nothing(language):
    booking = make_booking(BookingStatus.CONFIRMED)
    customer = client_for(booking.help_request.customer)
    events = booking.events.count()

    response = customer.post(
        f"{API}/bookings/{booking.public_id}/sign-off", {}, HTTP_ACCEPT_LANGUAGE=language
    )

    body = assert_error(response, 409, "illegal_transition", set())
    assert body["message"] == SIGN_OFF_REFUSED[language]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.events.count() == events


def test_answering_an_offer_twice_says_it_waits_no_more_without_its_status():
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory.create()), helper)
    client = client_for(helper.user)
    client.post(f"{API}/offers/{offer.public_id}/decline", {"reason": ""}, format="json")

    again = client.post(
        f"{API}/offers/{offer.public_id}/accept", {}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )

    body = assert_error(again, 409, "offer_not_pending")
    assert body["message"] == "Cette offre n’attend plus de réponse."
    assert not any(word in body["message"] for word in STATUS_WORDS)
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.DECLINED
