"""A helper who moves a confirmed visit has to say why, and is told the customer reads it: the
customer's page and e-mail now say that the confirmed time is off and give the helper's words.
They said only "Camille proposes these times", as for a first proposal, so a relative who had
told a parent the time learnt neither that it had fallen through nor why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from backend.models import User
from bookings import customer_emails, services
from bookings.models import BookingStatus
from tests.factories import make_booking
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

REASON = "Mon vélo est en panne, je ne serai pas là à l’heure."


def _moved():
    booking = make_booking(BookingStatus.CONFIRMED)
    User.objects.filter(pk=booking.helper.user.pk).update(display_name="Camille Bovet")
    later = booking.starts_at + timedelta(hours=1)
    booking = services.booking_propose(
        booking=booking,
        actor=booking.helper.user,
        slots=[services.SlotInput(later, later + timedelta(hours=1))],
        reason=REASON,
    )
    assert booking.status == BookingStatus.PROPOSED
    return booking


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            "Camille cannot come at the time you confirmed and proposes other times. "
            f"Camille writes: “{REASON}” Choose one, or say that none suits you.",
        ),
        (
            "fr",
            "Camille ne peut pas venir à l’horaire confirmé et propose d’autres horaires. "
            f"Camille écrit : « {REASON} » Choisissez-en un, ou dites qu’aucun ne vous convient.",
        ),
    ],
)
def test_the_request_page_says_the_confirmed_time_is_off_and_why(client, language, expected):
    booking = _moved()
    _logged_in(client, booking.help_request.customer, language)

    response = client.get(f"/requests/{booking.help_request.public_id}/")

    assert response.context["status_words"] == expected


def test_a_first_proposal_is_said_as_before(client):
    booking = make_booking(BookingStatus.PROPOSED)
    User.objects.filter(pk=booking.helper.user.pk).update(display_name="Camille Bovet")
    _logged_in(client, booking.help_request.customer)

    response = client.get(f"/requests/{booking.help_request.public_id}/")

    assert response.context["status_words"] == (
        "Camille proposes these times. Choose one, or say that none suits you."
    )


def test_the_e_mail_gives_the_helpers_words():
    booking = _moved()
    User.objects.filter(pk=booking.help_request.customer.pk).update(preferred_language="en")
    proposal_ids = list(booking.proposals.filter(status="proposed").values_list("pk", flat=True))

    customer_emails.send_times_proposed(booking.pk, proposal_ids)

    (sent,) = mail.outbox
    assert sent.subject == "Camille cannot come at the time you confirmed"
    assert f"Camille writes: “{REASON}”" in sent.body.split("\n\n")
