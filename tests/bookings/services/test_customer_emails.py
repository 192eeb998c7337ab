"""The customer's e-mails, read from the outbox after the relay ran: one for each moment they
must act on or must know (times proposed, other times, the confirmed visit cancelled by the
helper or the platform, nobody found, the work done), to the account that booked, in its
language, with the link to the request's page; none for what the customer did themselves."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction

from backend.config import config
from backend.models import EventDelivery, OutboxEvent
from backend.relay import relay_pending
from bookings import services
from bookings.models import Booking, BookingStatus, HelpRequest, HelpRequestStatus
from helpers.models import HelperProfile
from tests.bookings.services.state import T0
from tests.factories import (
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    pending_offer,
    post_request,
)

pytestmark = pytest.mark.django_db

START = T0 + timedelta(minutes=30)  # 09:30 in Zurich, inside the request's 09:30-12:30


def link(help_request: HelpRequest) -> str:
    return f"http://127.0.0.1:8000/requests/{help_request.public_id}/"


def relayed() -> list[mail.EmailMessage]:
    """The e-mails the relay sends for what happened since the last call."""
    mail.outbox.clear()
    relay_pending()
    return list(mail.outbox)


def sophie() -> HelperProfile:
    return make_helper(
        display_name="Sophie Keller", preferred_language="de", languages=("de", "fr", "it", "en")
    )


def accepted(customer, *, on_behalf_name: str = "") -> Booking:
    helper = sophie()
    help_request = post_request(
        customer,
        start=START,
        hours=3,
        on_behalf_name=on_behalf_name,
        on_behalf_phone="+41791234567" if on_behalf_name else "",
    )
    offer = pending_offer(help_request, helper)
    booking = services.offer_accept(offer=offer, actor=helper.user)
    relayed()
    return booking


def propose(booking: Booking, *starts, reason: str = "") -> Booking:
    slots = [services.SlotInput(s, s + timedelta(hours=1)) for s in starts]
    return services.booking_propose(
        booking=booking, actor=booking.helper.user, slots=slots, reason=reason
    )


def confirmed(customer) -> Booking:
    booking = accepted(customer)
    propose(booking, START)
    booking = services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    relayed()
    return booking


# --- (1) and (2): times proposed ---------------------------------------------------------------


def test_the_first_times_ask_the_customer_to_choose_once_in_their_language(clock):
    customer = UserFactory.create(preferred_language="fr", display_name="Marie Dubois")
    booking = accepted(customer)

    propose(booking, START, START + timedelta(hours=1))
    sent = relayed()

    assert [(m.to, m.subject) for m in sent] == [
        ([customer.email], "Sophie peut vous aider : veuillez choisir un horaire")
    ]
    assert sent[0].extra_headers["Content-Language"] == "fr"
    body = sent[0].body
    assert body.startswith("Bonjour Marie Dubois,\n\n")
    assert (
        "Sophie a accepté votre demande (Internet & Wi-Fi) et propose ces horaires :\n"
        "- mardi 2 février 2027, 09:30–10:30 · CHF " in body
    )
    assert "- mardi 2 février 2027, 10:30–11:30 · CHF " in body
    assert f"La page de la demande : {link(booking.help_request)}" in body
    assert "Keller" not in body  # the page shows the first name only
    assert "Vous avez fait cette demande" not in body  # booked for themselves
    # The relay runs again: the moment was told once.
    assert relayed() == []


def test_a_relatives_booking_names_the_person_helped_to_the_account_holder(clock):
    son = UserFactory.create(preferred_language="de", display_name="Marco Rossi")
    booking = accepted(son, on_behalf_name="Anna Rossi")

    propose(booking, START)
    sent = relayed()

    assert [(m.to, m.subject) for m in sent] == [
        ([son.email], "Sophie kann Ihnen helfen: Bitte wählen Sie eine Zeit")
    ]
    assert "Sie haben diese Anfrage für Anna Rossi gestellt." in sent[0].body
    assert link(booking.help_request) in sent[0].body


def test_other_times_after_the_customer_asked_are_told_but_not_the_asking(clock):
    customer = UserFactory.create(preferred_language="en")
    booking = accepted(customer)
    propose(booking, START)
    relayed()

    services.booking_request_new_times(booking=booking, actor=customer, reason="Later, please")
    assert [m for m in relayed() if m.to == [customer.email]] == []  # the customer's own change

    propose(booking, START + timedelta(hours=2))
    sent = relayed()
    assert [(m.to, m.subject) for m in sent] == [
        ([customer.email], "Sophie proposes other times for your visit")
    ]
    assert "Sophie proposes other times for the visit (Internet & Wi-Fi):\n- " in sent[0].body


def test_the_helper_moving_a_confirmed_visit_says_so(clock):
    customer = UserFactory.create(preferred_language="it")
    booking = confirmed(customer)

    propose(booking, START + timedelta(hours=1), reason="Il treno è in ritardo")
    sent = relayed()

    assert [(m.to, m.subject) for m in sent] == [
        ([customer.email], "Sophie non può venire all’orario confermato")
    ]
    assert "e propone altri orari:\n- martedì 2 febbraio 2027, 10:30–11:30" in sent[0].body
    # The reason the helper had to give is written for the customer, as the page shows it.
    assert "Sophie scrive: «Il treno è in ritardo»" in sent[0].body


def test_confirming_sends_the_customer_nothing_and_times_chosen_before_the_relay_none(clock):
    customer = UserFactory.create()
    booking = accepted(customer)
    propose(booking, START)
    # The customer chose before the relay ran: the moment to choose has passed.
    services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )

    assert [m for m in relayed() if m.to == [customer.email]] == []


# --- (3): the confirmed visit cancelled --------------------------------------------------------


def test_the_helper_cancelling_tells_that_another_helper_is_looked_for(clock):
    customer = UserFactory.create(preferred_language="de")
    booking = confirmed(customer)

    services.booking_cancel(booking=booking, actor=booking.helper.user, reason="Krank")
    sent = relayed()

    assert [(m.to, m.subject) for m in sent if m.to == [customer.email]] == [
        ([customer.email], "Ihr Besuch vom 2. Februar 2027 um 09:30 ist abgesagt")
    ]
    body = next(m.body for m in sent if m.to == [customer.email])
    assert "Sophie hat den Besuch vom 2. Februar 2027 um 09:30 (Internet & WLAN) abgesagt." in body
    assert "Wir suchen zu den Zeiten, die Sie angegeben haben" in body
    assert "Für diesen Besuch wird nichts belastet" in body
    assert "Krank" not in body
    assert link(booking.help_request) in body


def test_a_cancellation_with_no_time_left_says_the_request_is_closed(clock):
    customer = UserFactory.create(preferred_language="en")
    booking = confirmed(customer)
    clock.move_to(T0 + timedelta(hours=4))  # every time window has passed

    services.booking_cancel(booking=booking, actor=booking.helper.user, reason="Ill")
    body = next(m.body for m in relayed() if m.to == [customer.email])

    assert "None of the times you gave is left, so the request is closed." in body
    assert "looking for another helper" not in body


def test_the_platform_cancelling_says_we_had_to(clock):
    customer = UserFactory.create(preferred_language="en")
    booking = confirmed(customer)

    services.booking_cancel(
        booking=booking, actor=ManagerFactory.create(), reason="Helper away", caused_by="nobody"
    )
    sent = [m for m in relayed() if m.to == [customer.email]]

    assert [m.subject for m in sent] == [f"Your visit on {_when(booking)} is cancelled"]
    assert f"We had to cancel the visit of Sophie on {_when(booking)} (Internet & Wi-Fi)." in (
        sent[0].body
    )


def _when(booking: Booking) -> str:
    return "2 February 2027 at 09:30"


@pytest.mark.parametrize("by", ["customer", "manager for the customer"])
def test_a_cancellation_the_customer_caused_sends_them_nothing(clock, by):
    customer = UserFactory.create()
    booking = confirmed(customer)

    if by == "customer":
        services.booking_cancel(booking=booking, actor=customer, reason="Not needed")
    else:
        services.booking_cancel(
            booking=booking, actor=ManagerFactory.create(), reason="Called", caused_by="customer"
        )

    assert [m for m in relayed() if m.to == [customer.email]] == []


# --- (4): nobody found -------------------------------------------------------------------------


def test_nobody_found_after_the_helpers_said_no_is_told_and_not_at_posting(clock):
    customer = UserFactory.create(preferred_language="fr")
    helper = sophie()
    help_request = post_request(customer, start=START, hours=3)
    assert relayed() == []
    services.offer_decline(offer=pending_offer(help_request, helper), actor=helper.user)
    services.offers_dispatch(help_request=help_request)  # the worker's task
    help_request.refresh_from_db()
    assert help_request.status == HelpRequestStatus.UNMATCHED

    sent = relayed()

    assert [(m.to, m.subject) for m in sent] == [
        ([customer.email], "Personne n’est libre aux horaires indiqués")
    ]
    assert "Aucune personne aidante dans un rayon de 25 km ne peut venir" in sent[0].body
    assert link(help_request) in sent[0].body


def test_nobody_free_when_posting_or_changing_is_said_on_the_page_only(clock):
    customer = UserFactory.create()
    help_request = post_request(customer, start=START, hours=3)  # no helper at all
    assert help_request.status == HelpRequestStatus.UNMATCHED
    services.help_request_update(
        help_request=help_request,
        windows=[(START + timedelta(hours=1), START + timedelta(hours=4))],
    )

    assert relayed() == []


def test_every_time_passing_while_looking_ends_the_request_with_one_e_mail(clock):
    customer = UserFactory.create(preferred_language="en")
    sophie()
    help_request = post_request(customer, start=START, hours=3)
    relayed()
    clock.move_to(T0 + timedelta(hours=4))

    with transaction.atomic():
        services.help_request_expire(help_request=help_request, expected="open")
    sent = relayed()

    assert [(m.to, m.subject) for m in sent] == [
        ([customer.email], "Nobody could come for your request")
    ]
    assert "has passed without a helper. The request has ended" in sent[0].body


# --- (5): the work done ------------------------------------------------------------------------


def test_the_work_done_asks_for_the_sign_off_and_names_the_automatic_one(clock):
    customer = UserFactory.create(preferred_language="en")
    booking = make_booking(BookingStatus.IN_PROGRESS, customer=customer, helper=sophie())
    relayed()

    booking = services.booking_check_out(
        booking=booking, actor=booking.helper.user, work_summary="New router."
    )
    sent = [m for m in relayed() if m.to == [customer.email]]

    assert [m.subject for m in sent] == ["Sophie is done: please sign off the visit"]
    assert config().auto_sign_off_hours == 48
    assert (
        "If you do neither, the visit is signed off automatically on 4 February 2027 at 09:00."
        in sent[0].body
    )
    services.booking_sign_off(booking=booking, actor=customer)
    assert [m for m in relayed() if m.to == [customer.email]] == []


# --- At least once -----------------------------------------------------------------------------


def test_a_crash_before_the_acknowledgement_sends_again_and_then_never(clock):
    customer = UserFactory.create(preferred_language="en")
    booking = accepted(customer)
    propose(booking, START)
    mail.outbox.clear()

    create = EventDelivery.objects.create

    def dies_after_mailing(**fields):
        if fields["handler"].endswith("mail_customers"):
            raise RuntimeError("killed")
        return create(**fields)

    # The process dies between sending and storing the acknowledgement.
    with mock.patch.object(EventDelivery.objects, "create", side_effect=dies_after_mailing):
        relay_pending()
    assert [m.to for m in mail.outbox] == [[customer.email]]
    waiting = OutboxEvent.objects.filter(relayed_at__isnull=True, event_type="ProposalsMade")
    assert waiting.get().attempts == 1

    relay_pending()
    relay_pending()

    assert [m.to for m in mail.outbox] == [[customer.email], [customer.email]]
    assert not OutboxEvent.objects.filter(relayed_at__isnull=True).exists()
