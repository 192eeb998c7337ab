"""The helper's e-mails, read from the outbox after the relay ran: one for each move of their
visit they must act on or must know (the customer confirmed a time, cancelled the confirmed
visit, asked for other times; the visit signed off), to the helper's account, in its language,
with the link to the visit's page; none for what the helper did themselves. And the customer's
e-mail when the helper withdraws the times they were asked to choose from."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from django.test import override_settings

from backend.config import config
from bookings import services
from bookings.models import Booking, BookingStatus
from helpers import services as helper_services
from tests.bookings.services.test_customer_emails import (
    START,
    accepted,
    confirmed,
    propose,
    relayed,
    sophie,
)
from tests.factories import (
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    pending_offer,
)

pytestmark = pytest.mark.django_db


def visit_link(booking: Booking) -> str:
    return f"http://127.0.0.1:8000/helper/visits/{booking.public_id}/"


def to_helper(booking: Booking, sent):
    return [m for m in sent if m.to == [booking.helper.user.email]]


def marie():
    return UserFactory.create(preferred_language="fr", display_name="Marie Dubois")


# --- The customer confirmed --------------------------------------------------------------------


def test_the_confirmed_visit_tells_the_helper_when_where_the_price_and_how_to_reach(clock):
    customer = marie()
    booking = accepted(customer)
    propose(booking, START)
    relayed()

    booking = services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    sent = relayed()

    assert [(m.to, m.subject) for m in sent] == [
        ([booking.helper.user.email], "Besuch bestätigt: Dienstag, 2. Februar 2027, 09:30–10:30")
    ]
    assert sent[0].extra_headers["Content-Language"] == "de"
    body = sent[0].body
    assert body.startswith("Hallo Sophie Keller,\n\n")
    assert "Marie hat den Besuch (Internet & WLAN) bestätigt." in body
    assert "Wann: Dienstag, 2. Februar 2027, 09:30–10:30" in body
    assert "Wo: Bahnhofstrasse 1, 8001 Zürich" in body
    assert "Vereinbarter Preis: CHF 40.00" in body
    assert "Um Marie zu erreichen, schreiben Sie in den Nachrichten" in body
    assert f"Die Seite des Besuchs: {visit_link(booking)}" in body
    assert "Dubois" not in body  # the visit's page shows the first name only
    assert relayed() == []  # told once


def test_a_visit_cancelled_before_the_relay_ran_is_not_told_as_confirmed(clock):
    customer = marie()
    booking = accepted(customer)
    propose(booking, START)
    booking = services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    services.booking_cancel(booking=booking, actor=customer, reason="Plus besoin")

    subjects = [m.subject for m in to_helper(booking, relayed())]

    assert subjects == ["Besuch abgesagt: Dienstag, 2. Februar 2027, 09:30–10:30"]


# --- The customer cancelled --------------------------------------------------------------------


def test_a_late_cancellation_by_the_customer_names_the_fee_the_helper_gets(clock):
    customer = marie()
    booking = confirmed(customer)
    booking.helper.user.preferred_language = "en"
    booking.helper.user.save(update_fields=["preferred_language"])

    services.booking_cancel(booking=booking, actor=customer, reason="Plus besoin")
    sent = to_helper(booking, relayed())

    assert [m.subject for m in sent] == ["Visit cancelled: Tuesday 2 February 2027, 09:30–10:30"]
    body = sent[0].body
    assert (
        "Marie cancelled the visit (Internet & Wi-Fi, Tuesday 2 February 2027, 09:30–10:30)."
        in body
    )
    assert "The time is free again in your calendar." in body
    # True for a hold and for TWINT alike: a fee paid with TWINT comes only once it is paid.
    assert (
        "The cancellation came less than 24 hours before the visit, so the customer owes you "
        "a cancellation fee of CHF 20.00 (50% of the agreed price). It goes to your Stripe "
        "account once it is paid: at once if the visit was held on their card, otherwise when "
        "they pay it with TWINT." in body
    )
    assert visit_link(booking) in body
    assert "Plus besoin" not in body


def test_a_cancellation_in_time_names_no_fee(clock):
    customer = marie()
    booking = confirmed(customer)
    booking.helper.user.preferred_language = "en"
    booking.helper.user.save(update_fields=["preferred_language"])

    with override_settings(QUARTIER=replace(config(), late_cancellation_hours=0)):
        services.booking_cancel(booking=booking, actor=customer, reason="Plus besoin")
    sent = to_helper(booking, relayed())

    assert [m.subject for m in sent] == ["Visit cancelled: Tuesday 2 February 2027, 09:30–10:30"]
    assert "fee" not in sent[0].body


@pytest.mark.parametrize("by", ["helper", "manager, nobody's fault"])
def test_a_cancellation_the_customer_did_not_cause_sends_the_helper_nothing(clock, by):
    booking = confirmed(marie())

    if by == "helper":
        services.booking_cancel(booking=booking, actor=booking.helper.user, reason="Krank")
    else:
        services.booking_cancel(
            booking=booking, actor=ManagerFactory.create(), reason="Away", caused_by="nobody"
        )

    assert to_helper(booking, relayed()) == []


def test_a_manager_cancelling_for_the_customer_tells_the_helper(clock):
    booking = confirmed(marie())

    services.booking_cancel(
        booking=booking, actor=ManagerFactory.create(), reason="Called", caused_by="customer"
    )

    assert [m.subject for m in to_helper(booking, relayed())] == [
        "Besuch abgesagt: Dienstag, 2. Februar 2027, 09:30–10:30"
    ]


# --- The customer asked for other times --------------------------------------------------------


def test_other_times_asked_for_tell_the_helper_to_propose_again_once(clock):
    customer = marie()
    booking = accepted(customer)
    propose(booking, START)
    relayed()

    services.booking_request_new_times(booking=booking, actor=customer, reason="Plus tard")
    sent = to_helper(booking, relayed())

    assert [m.subject for m in sent] == ["Marie bittet um andere Zeiten"]
    assert "Marie bittet Sie um andere Zeiten für den Besuch (Internet & WLAN)." in sent[0].body
    assert visit_link(booking) in sent[0].body
    assert relayed() == []
    # The helper proposing again is their own move: the customer hears of it, they do not.
    propose(booking, START + timedelta(hours=1))
    assert to_helper(booking, relayed()) == []


def test_times_proposed_before_the_relay_ran_end_the_moment_to_ask(clock):
    customer = marie()
    booking = accepted(customer)
    propose(booking, START)
    relayed()
    services.booking_request_new_times(booking=booking, actor=customer, reason="Plus tard")
    propose(booking, START + timedelta(hours=1))

    assert to_helper(booking, relayed()) == []


# --- Signed off --------------------------------------------------------------------------------


def _done(customer) -> Booking:
    booking = make_booking(BookingStatus.IN_PROGRESS, customer=customer, helper=sophie())
    booking = services.booking_check_out(
        booking=booking, actor=booking.helper.user, work_summary="New router."
    )
    relayed()
    return booking


def test_the_customers_sign_off_tells_the_helper_when_the_payment_comes(clock):
    customer = marie()
    booking = _done(customer)

    services.booking_sign_off(booking=booking, actor=customer)
    sent = to_helper(booking, relayed())

    assert [m.subject for m in sent] == ["Besuch abgenommen"]
    body = sent[0].body
    assert (
        "Marie hat den Besuch (Internet & WLAN, Dienstag, 2. Februar 2027, 09:30–10:30) abgenommen."
        in body
    )
    # Said for a hold and for TWINT alike: this e-mail does not know how the customer pays.
    assert (
        "Der vereinbarte Preis von CHF 40.00 geht auf Ihr Stripe-Konto, sobald die Zahlung der "
        "Kundin oder des Kunden erfolgt: sofort, wenn er auf der Karte reserviert war, sonst "
        "sobald mit TWINT bezahlt ist. Quartier behält nichts davon" in body
    )
    assert "unterwegs" not in body
    assert visit_link(booking) in body
    assert relayed() == []


def test_the_automatic_sign_off_says_so(clock):
    booking = _done(marie())
    booking.helper.user.preferred_language = "it"
    booking.helper.user.save(update_fields=["preferred_language"])
    clock.move_to(booking.checked_out_at + timedelta(hours=49))

    services.booking_auto_sign_off(booking=booking)
    sent = to_helper(booking, relayed())

    assert [m.subject for m in sent] == ["Visita approvata"]
    assert "è stata approvata automaticamente: Marie non ha risposto in tempo." in sent[0].body


# --- The customer's side: the times withdrawn --------------------------------------------------


def test_the_helper_withdrawing_proposed_times_tells_the_customer_once(clock):
    customer = marie()
    booking = accepted(customer)
    propose(booking, START)
    relayed()

    services.booking_cancel(booking=booking, actor=booking.helper.user, reason="Empêchée")
    sent = [m for m in relayed() if m.to == [customer.email]]

    assert [m.subject for m in sent] == ["Sophie ne peut plus venir"]
    body = sent[0].body
    assert (
        "Sophie ne peut plus venir pour votre demande (Internet & Wi-Fi) : les horaires "
        "proposés par Sophie sont retirés." in body
    )
    assert "Nous cherchons une autre personne aidante" in body
    assert "Empêchée" not in body
    assert relayed() == []
    assert to_helper(booking, sent) == []  # the helper's own move


def test_withdrawing_before_proposing_any_time_sends_the_customer_nothing(clock):
    customer = marie()
    booking = accepted(customer)

    services.booking_cancel(booking=booking, actor=booking.helper.user, reason="Empêchée")

    assert [m for m in relayed() if m.to == [customer.email]] == []


def test_a_helper_suspended_after_proposing_times_is_told_to_the_customer_once(clock):
    customer = marie()
    booking = accepted(customer)
    propose(booking, START)
    relayed()

    helper_services.helper_suspend(
        helper=booking.helper, actor=ManagerFactory.create(), note="Late twice."
    )
    sent = [m for m in relayed() if m.to == [customer.email]]

    assert [m.subject for m in sent] == ["Sophie ne peut plus venir"]
    assert "Late twice" not in sent[0].body
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_no_withdrawal_e_mail_once_another_helper_proposed_times(clock):
    customer = marie()
    booking = accepted(customer)
    propose(booking, START)
    relayed()
    services.booking_cancel(booking=booking, actor=booking.helper.user, reason="Empêchée")
    # Before the relay ran, another helper took the request and proposed times.
    other = make_helper(display_name="Luca Bernasconi", languages=("de", "fr", "it", "en"))
    services.offers_dispatch(help_request=booking.help_request)
    offer = pending_offer(booking.help_request, other)
    second = services.offer_accept(offer=offer, actor=other.user)
    propose(second, START + timedelta(hours=1))

    sent = [m for m in relayed() if m.to == [customer.email]]

    assert [m.subject for m in sent] == ["Luca peut vous aider : veuillez choisir un horaire"]
