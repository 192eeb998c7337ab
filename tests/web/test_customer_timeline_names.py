"""The customer's timeline names the helper by first name, as the rest of the request's page
does ("Lena hat Ihre Anfrage angenommen", not "Die Helferin oder der Helfer …"), and says who
cancelled the visit: the customer themselves, the helper by name, or the community manager."""

from __future__ import annotations

import re

import pytest

from bookings import services
from bookings.models import Booking, BookingStatus
from tests.factories import ManagerFactory, make_booking, make_helper
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _lena(status: str) -> Booking:
    helper = make_helper(display_name="Lena Brunner")
    return make_booking(status, helper=helper)


def _timeline(client, booking: Booking, language: str) -> list[str]:
    _logged_in(client, booking.help_request.customer, language)
    html = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()
    timeline = html[html.index('<ol class="timeline">') :].split("</ol>")[0]
    lines = [re.sub(r"<[^>]+>", "", line) for line in re.findall(r"<li>(.*?)</li>", timeline, re.S)]
    return [re.split(r"\s?: ", line, maxsplit=1)[1] for line in lines]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        (
            "de",
            [
                "Lena hat Ihre Anfrage angenommen",
                "Lena hat Zeiten vorgeschlagen",
                "Der Besuch wurde bestätigt",
                "Lena ist losgefahren",
                "Lena ist angekommen",
                "Lena hat die Arbeit beendet",
            ],
        ),
        (
            "fr",
            [
                "Lena a accepté votre demande",
                "Lena a proposé des horaires",
                "La visite a été confirmée",
                "Lena a pris la route",
                "Lena est sur place",
                "Lena a terminé le travail",
            ],
        ),
        (
            "it",
            [
                "Lena ha accettato la sua richiesta",
                "Lena ha proposto degli orari",
                "La visita è stata confermata",
                "Lena ha iniziato il viaggio verso la visita",
                "Lena ha raggiunto il luogo della visita",
                "Lena ha finito il lavoro",
            ],
        ),
        (
            "en",
            [
                "Lena accepted your request",
                "Lena proposed times",
                "The visit was confirmed",
                "Lena set off",
                "Lena arrived",
                "Lena finished the work",
            ],
        ),
    ],
)
def test_the_customers_timeline_names_the_helper(client, language, said):
    booking = _lena(BookingStatus.COMPLETED)

    assert _timeline(client, booking, language) == said


def test_other_times_the_helper_proposed_are_theirs_by_name(client):
    booking = _lena(BookingStatus.PROPOSED)
    services.booking_request_new_times(
        booking=booking, actor=booking.help_request.customer, reason="None suits me"
    )
    booking.refresh_from_db()
    first = booking.proposals.order_by("pk").first()
    services.booking_propose(
        booking=booking,
        actor=booking.helper.user,
        slots=[services.SlotInput(first.starts_at, first.ends_at)],
    )

    assert _timeline(client, booking, "de")[-2:] == [
        "Sie haben um andere Zeiten gebeten",
        "Lena hat andere Zeiten vorgeschlagen",
    ]


def _by_customer(booking: Booking) -> None:
    services.booking_cancel(booking=booking, actor=booking.help_request.customer, reason="Gone")


def _by_helper(booking: Booking) -> None:
    services.booking_cancel(booking=booking, actor=booking.helper.user, reason="Ill")


def _by_manager(booking: Booking) -> None:
    services.booking_cancel(
        booking=booking, actor=ManagerFactory.create(), reason="Storm", caused_by="nobody"
    )


@pytest.mark.parametrize(
    ("cancel", "language", "said"),
    [
        (_by_customer, "de", "Sie haben den Besuch abgesagt"),
        (_by_customer, "fr", "Vous avez annulé la visite"),
        (_by_customer, "it", "Ha annullato la visita"),
        (_by_customer, "en", "You cancelled the visit"),
        (_by_helper, "de", "Lena hat den Besuch abgesagt"),
        (_by_helper, "fr", "Lena a annulé la visite"),
        (_by_helper, "it", "Lena ha annullato la visita"),
        (_by_helper, "en", "Lena cancelled the visit"),
        (_by_manager, "de", "Das Community-Management hat den Besuch abgesagt"),
        (_by_manager, "fr", "La gestion de la communauté a annulé la visite"),
        (_by_manager, "it", "La gestione della comunità ha annullato la visita"),
        (_by_manager, "en", "The community manager cancelled the visit"),
    ],
)
def test_the_customers_timeline_says_who_cancelled(client, cancel, language, said):
    booking = _lena(BookingStatus.CONFIRMED)
    cancel(booking)

    assert _timeline(client, booking, language)[-1] == said
