"""The e-mails write a visit's time as the reader's language writes it: a moment within a
sentence joined by its word ("am 2. Februar 2027 um 09:30", never "2. Februar 2027 09:30"), and
a visit's stretch of time as a label with its weekday ("Dienstag, 2. Februar 2027,
09:30–10:30")."""

from __future__ import annotations

import pytest

from bookings import services
from tests.bookings.services.test_customer_emails import START, accepted, propose, relayed
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("de", "Ihr Besuch vom 2. Februar 2027 um 09:30 ist abgesagt"),
        ("fr", "Votre visite du 2 février 2027 à 09:30 est annulée"),
        ("it", "La sua visita prevista in data 2 febbraio 2027 alle 09:30 è annullata"),
        ("en", "Your visit on 2 February 2027 at 09:30 is cancelled"),
    ],
)
def test_the_customer_reads_the_cancelled_visits_moment_joined_by_its_word(
    clock, language, subject
):
    customer = UserFactory.create(preferred_language=language)
    booking = accepted(customer)
    propose(booking, START)
    booking = services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    relayed()

    services.booking_cancel(booking=booking, actor=booking.helper.user, reason="Krank")
    sent = [m for m in relayed() if m.to == [customer.email]]

    assert [m.subject for m in sent] == [subject]


@pytest.mark.parametrize(
    ("language", "subject", "times"),
    [
        (
            "de",
            "Besuch bestätigt: Dienstag, 2. Februar 2027, 09:30–10:30",
            "- Dienstag, 2. Februar 2027, 09:30–10:30 · CHF 40.00",
        ),
        (
            "fr",
            "Visite confirmée : mardi 2 février 2027, 09:30–10:30",
            "- mardi 2 février 2027, 09:30–10:30 · CHF 40.00",
        ),
        (
            "it",
            "Visita confermata: martedì 2 febbraio 2027, 09:30–10:30",
            "- martedì 2 febbraio 2027, 09:30–10:30 · CHF 40.00",
        ),
        (
            "en",
            "Visit confirmed: Tuesday 2 February 2027, 09:30–10:30",
            "- Tuesday 2 February 2027, 09:30–10:30 · CHF 40.00",
        ),
    ],
)
def test_a_visits_time_is_written_with_its_weekday_in_each_language(
    clock, language, subject, times
):
    customer = UserFactory.create(preferred_language=language)
    booking = accepted(customer)
    helper = booking.helper.user
    helper.preferred_language = language
    helper.save(update_fields=["preferred_language"])

    propose(booking, START)
    proposed = [m.body for m in relayed() if m.to == [customer.email]]
    booking = services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    confirmed = [m.subject for m in relayed() if m.to == [helper.email]]

    assert len(proposed) == 1
    assert times in proposed[0].splitlines()
    assert confirmed == [subject]
