"""Each step of a visit's timeline says what happened, to each reader: the customer, the helper
and the community manager. A status alone does not always tell it: back to waiting for times
after some were proposed is the customer asking for other times (not the helper accepting
again), times proposed after earlier ones are other times, and a sign-off Quartier made by
itself says so."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import translation

from backend.roles import ActorRole
from bookings import services
from bookings.models import BookingEvent, BookingStatus
from bookings.step_words import CUSTOMER_READS, HELPER_READS, MANAGER_READS, timeline_labels
from tests.factories import ManagerFactory, make_booking, make_helper
from tests.web.test_pages import _logged_in
from web.visit_story import step_words

pytestmark = pytest.mark.django_db

_B = BookingStatus
# Each kind of step (from, to, who took it) in the order a visit can live them, and its words
# for the customer, the helper and the manager.
STEPS = [
    (
        "",
        _B.AWAITING_PROPOSAL,
        ActorRole.HELPER,
        (
            "The helper accepted your request",
            "You accepted the offer",
            "The helper accepted the offer",
        ),
    ),
    (
        _B.AWAITING_PROPOSAL,
        _B.PROPOSED,
        ActorRole.HELPER,
        ("The helper proposed times", "You proposed times", "The helper proposed times"),
    ),
    (
        _B.PROPOSED,
        _B.AWAITING_PROPOSAL,
        ActorRole.CUSTOMER,
        (
            "You asked for other times",
            "The customer asked for other times",
            "The customer asked for other times",
        ),
    ),
    (
        _B.AWAITING_PROPOSAL,
        _B.PROPOSED,
        ActorRole.HELPER,
        (
            "The helper proposed other times",
            "You proposed other times",
            "The helper proposed other times",
        ),
    ),
    (
        _B.PROPOSED,
        _B.CONFIRMED,
        ActorRole.CUSTOMER,
        (
            "The visit was confirmed",
            "The customer confirmed a time",
            "The customer confirmed a time",
        ),
    ),
    (
        _B.CONFIRMED,
        _B.AWAITING_PROPOSAL,
        ActorRole.CUSTOMER,
        (
            "You asked for other times",
            "The customer asked for other times",
            "The customer asked for other times",
        ),
    ),
    (
        _B.AWAITING_PROPOSAL,
        _B.PROPOSED,
        ActorRole.HELPER,
        (
            "The helper proposed other times",
            "You proposed other times",
            "The helper proposed other times",
        ),
    ),
    (
        _B.PROPOSED,
        _B.CONFIRMED,
        ActorRole.CUSTOMER,
        (
            "The visit was confirmed",
            "The customer confirmed a time",
            "The customer confirmed a time",
        ),
    ),
    # The helper moves the confirmed visit to other times.
    (
        _B.CONFIRMED,
        _B.PROPOSED,
        ActorRole.HELPER,
        (
            "The helper proposed other times",
            "You proposed other times",
            "The helper proposed other times",
        ),
    ),
    (
        _B.PROPOSED,
        _B.CONFIRMED,
        ActorRole.CUSTOMER,
        (
            "The visit was confirmed",
            "The customer confirmed a time",
            "The customer confirmed a time",
        ),
    ),
    (
        _B.CONFIRMED,
        _B.ON_THE_WAY,
        ActorRole.HELPER,
        ("The helper set off", "You set off", "The helper set off"),
    ),
    (
        _B.ON_THE_WAY,
        _B.IN_PROGRESS,
        ActorRole.HELPER,
        ("The helper arrived", "You arrived", "The helper arrived"),
    ),
    (
        _B.IN_PROGRESS,
        _B.COMPLETED,
        ActorRole.HELPER,
        ("The helper finished the work", "You finished the work", "The helper finished the work"),
    ),
    (
        _B.COMPLETED,
        _B.SIGNED_OFF,
        ActorRole.SYSTEM,
        ("The visit was signed off automatically",) * 3,
    ),
    (_B.SIGNED_OFF, _B.SETTLED, ActorRole.SYSTEM, ("The visit was settled",) * 3),
]
# The steps of other visits: signed off by the customer, disputed, cancelled, no-show.
OTHER_STEPS = [
    (_B.COMPLETED, _B.SIGNED_OFF, ActorRole.CUSTOMER, ("The visit was signed off",) * 3),
    (_B.DISPUTED, _B.SIGNED_OFF, ActorRole.MANAGER, ("The visit was signed off",) * 3),
    (_B.COMPLETED, _B.DISPUTED, ActorRole.CUSTOMER, ("A problem was reported",) * 3),
    (
        _B.CONFIRMED,
        _B.CANCELLED,
        ActorRole.HELPER,
        ("The visit was cancelled", "You cancelled the visit", "The visit was cancelled"),
    ),
    (
        _B.CONFIRMED,
        _B.CANCELLED,
        ActorRole.CUSTOMER,
        ("You cancelled the visit", "The customer cancelled the visit", "The visit was cancelled"),
    ),
    (
        _B.CONFIRMED,
        _B.CANCELLED,
        ActorRole.MANAGER,
        (
            "The community manager cancelled the visit",
            "The community manager cancelled the visit",
            "The visit was cancelled",
        ),
    ),
    (_B.CONFIRMED, _B.NO_SHOW, ActorRole.CUSTOMER, ("The visit did not take place",) * 3),
]
READERS = (CUSTOMER_READS, HELPER_READS, MANAGER_READS)


def _event(origin: str, to: str, role: str, reason: str = "") -> BookingEvent:
    return BookingEvent(from_status=origin, to_status=to, actor_role=role, reason=reason)


@pytest.mark.parametrize("reader", READERS)
def test_each_step_of_a_visit_is_said_as_it_happened(reader):
    index = READERS.index(reader)
    events = [_event(origin, to, role) for origin, to, role, _words in STEPS]

    with translation.override("en"):
        labels = [label for label, _event in timeline_labels(events, reader)]

    assert labels == [words[index] for *_step, words in STEPS]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(("origin", "to", "role", "words"), OTHER_STEPS)
def test_each_way_a_visit_ends_is_said_as_it_happened(reader, origin, to, role, words):
    events = [_event("", _B.AWAITING_PROPOSAL, ActorRole.HELPER), _event(origin, to, role)]

    with translation.override("en"):
        labels = [label for label, _event in timeline_labels(events, reader)]

    assert labels[-1] == words[READERS.index(reader)]


@pytest.mark.parametrize(
    ("language", "asked", "other_times"),
    [
        (
            "de",
            "Sie haben um andere Zeiten gebeten",
            "Lena hat andere Zeiten vorgeschlagen",
        ),
        ("fr", "Vous avez demandé d’autres horaires", "Lena a proposé d’autres horaires"),
        ("it", "Ha chiesto altri orari", "Lena ha proposto altri orari"),
        ("en", "You asked for other times", "Lena proposed other times"),
    ],
)
def test_the_customers_page_says_they_asked_for_other_times_and_got_them(
    client, language, asked, other_times
):
    booking = make_booking(BookingStatus.PROPOSED, helper=make_helper(display_name="Lena Brunner"))
    customer = booking.help_request.customer
    services.booking_request_new_times(booking=booking, actor=customer, reason="None suits me")
    booking.refresh_from_db()
    first = booking.proposals.order_by("pk").first()
    services.booking_propose(
        booking=booking,
        actor=booking.helper.user,
        slots=[services.SlotInput(first.starts_at, first.ends_at)],
    )
    _logged_in(client, customer, language)

    html = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()

    timeline = html[html.index('<ol class="timeline">') :].split("</ol>")[0]
    said = [
        re.split(r"\s?: ", re.sub(r"<[^>]+>", "", line), maxsplit=1)[1]
        for line in re.findall(r"<li>(.*?)</li>", timeline, re.S)
    ]
    with translation.override(language):
        accepted = translation.gettext("%(name)s accepted your request") % {"name": "Lena"}
        proposed = translation.gettext("%(name)s proposed times") % {"name": "Lena"}
    assert said == [accepted, proposed, asked, other_times]


def test_the_helpers_page_says_the_customer_asked_for_other_times(client):
    booking = make_booking(BookingStatus.CONFIRMED)
    services.booking_request_new_times(
        booking=booking, actor=booking.help_request.customer, reason="Stuck at work"
    )
    _logged_in(client, booking.helper.user, "en")

    html = client.get(f"/helper/visits/{booking.public_id}/").content.decode()

    timeline = html[html.index('<ol class="timeline">') :].split("</ol>")[0]
    last = re.findall(r"<li>(.*?)</li>", timeline, re.S)[-1]
    assert re.sub(r"<[^>]+>", "", last).split(": ", 1)[1] == "The customer asked for other times"


@pytest.mark.parametrize(
    ("event", "said"),
    [
        (
            _event(_B.COMPLETED, _B.SIGNED_OFF, ActorRole.SYSTEM, "signed off automatically"),
            "The visit was signed off automatically (by Quartier)",
        ),
        (
            _event(_B.SIGNED_OFF, _B.SETTLED, ActorRole.SYSTEM, "payment captured"),
            "The visit was settled (by Quartier)",
        ),
        (
            _event(_B.SIGNED_OFF, _B.SETTLED, ActorRole.SYSTEM, "nothing to pay"),
            "The visit was settled (by Quartier · nothing to pay)",
        ),
    ],
)
def test_quartiers_own_steps_say_once_that_they_were_automatic(event, said):
    with translation.override("en"):
        what, _step = timeline_labels([event], MANAGER_READS)[0]
        assert step_words(what, event, {}) == said


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("de", "Der Besuch wurde automatisch abgenommen (durch Quartier)"),
        ("fr", "La visite a été validée automatiquement (par Quartier)"),
        ("it", "La visita è stata approvata automaticamente (da parte di Quartier)"),
        ("en", "The visit was signed off automatically (by Quartier)"),
    ],
)
def test_the_managers_console_tells_an_automatic_sign_off_once(client, language, said):
    booking = make_booking(BookingStatus.COMPLETED)
    assert booking.checked_out_at is not None
    with time_machine.travel(booking.checked_out_at + timedelta(hours=49), tick=False):
        assert services.booking_auto_sign_off(booking=booking) is not None
    _logged_in(client, ManagerFactory.create(), language)

    request_page = client.get(f"/manage/requests/{booking.help_request.public_id}/")

    timeline = request_page.content.decode().split('id="timeline-heading-1"', 1)[1]
    items = re.findall(r"<li>(.*?)</li>", timeline.split("</ol>")[0], re.S)
    last = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", items[-1])).strip()
    assert re.split(r"\s?: ", last, maxsplit=1)[1] == said
