"""Receipts, tips and earnings statements over the HTTP API, against the emulator: the JSON
receipt is the customer's and the helper's only, a tip is taken once even when two requests
race, and the statement's months add up exactly from the ledger."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking
from payments.models import LedgerEntry, LedgerKind, StripeRequest, Tip
from payments.refunds import payment_refund
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import UserFactory, make_helper
from tests.payments.money import (
    assert_books_balance,
    completed,
    connected_helper,
    held_booking,
    payment_of,
)

ZURICH = ZoneInfo("Europe/Zurich")


def settled_booking(**given) -> Booking:
    booking = completed(held_booking(**given))
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    return Booking.objects.get(pk=booking.pk)


@pytest.mark.django_db
def test_the_receipt_over_the_api_in_the_readers_language():
    booking = settled_booking()
    payment = payment_of(booking)
    url = f"{API}/bookings/{booking.public_id}/receipt"
    for user in (booking.help_request.customer, booking.helper.user):
        answer = client_for(user).get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert answer.status_code == 200, answer.content
        body = answer.json()
        assert body["merchant"] == booking.helper.user.display_name
        assert body["category"] == booking.help_request.category.name_in("fr")
        assert body["charged_minor"] == payment.captured_minor
        assert body["stripe_fee_minor"] == payment.stripe_fee_minor
        assert body["quartier_fee_minor"] == 0
        assert body["customer_paid_minor"] == (
            body["helper_receives_minor"] + body["stripe_fees_minor"]
        )
    for stranger in (UserFactory.create(), UserFactory.create(is_staff=True)):
        assert_error(client_for(stranger).get(url), 404, "not_found", set())


@pytest.mark.django_db
def test_a_tip_over_the_api_shows_on_the_receipt_and_a_second_is_refused():
    booking = settled_booking()
    customer = client_for(booking.help_request.customer)
    url = f"{API}/bookings/{booking.public_id}/tip"
    answer = customer.post(url, {"amount_minor": 700}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["amount_minor"] == 700
    assert_error(
        customer.post(url, {"amount_minor": 300}, format="json"), 409, "already_tipped", set()
    )
    receipt = customer.get(f"{API}/bookings/{booking.public_id}/receipt").json()
    assert receipt["tip_minor"] == 700
    assert receipt["customer_paid_minor"] == receipt["charged_minor"] + 700
    assert_books_balance(booking)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("de", "Ein Trinkgeld ist möglich, sobald der Besuch abgenommen ist."),
        ("fr", "Un pourboire est possible une fois la visite validée."),
        ("it", "Una mancia è possibile non appena la visita è approvata."),
        ("en", "A tip can be given once the visit is signed off."),
    ],
)
def test_a_tip_on_a_confirmed_visit_is_refused_saying_it_waits_for_the_sign_off(language, words):
    # Given a visit confirmed and held, not yet done
    booking = held_booking()
    before = (Tip.objects.count(), LedgerEntry.objects.count(), StripeRequest.objects.count())

    # When its customer tips
    response = client_for(booking.help_request.customer).post(
        f"{API}/bookings/{booking.public_id}/tip",
        {"amount_minor": 500},
        format="json",
        HTTP_ACCEPT_LANGUAGE=language,
    )

    # Then the refusal says a tip waits for the sign-off (not for the confirmation it has)
    body = assert_error(response, 409, "tip_before_sign_off", set())
    assert body["message"] == words
    assert (Tip.objects.count(), LedgerEntry.objects.count(), StripeRequest.objects.count()) == (
        before
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tips_at_once_take_one():
    booking = settled_booking()
    start = threading.Barrier(2)
    answers: list[int] = []

    def tip(amount: int) -> None:
        try:
            start.wait()
            client = client_for(booking.help_request.customer)
            answer = client.post(
                f"{API}/bookings/{booking.public_id}/tip", {"amount_minor": amount}, format="json"
            )
            answers.append(answer.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=tip, args=(amount,)) for amount in (400, 600)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [201, 409]
    assert Tip.objects.filter(booking=booking).count() == 1
    assert LedgerEntry.objects.filter(booking=booking, kind=LedgerKind.TIPPED).count() == 1
    assert StripeRequest.objects.filter(action="tip").count() == 1
    assert_books_balance(booking)


@pytest.mark.django_db
def test_the_statements_months_add_up_exactly_from_the_ledger():
    helper = connected_helper()
    customer = UserFactory.create()
    visits = {}
    for month in (3, 3, 7):
        with time_machine.travel(datetime(2026, month, 10, 9, 0, tzinfo=ZURICH), tick=False):
            booking = settled_booking(helper=helper, customer=customer)
            visits.setdefault(month, []).append(booking)
    with time_machine.travel(datetime(2026, 7, 11, 9, 0, tzinfo=ZURICH), tick=False):
        first = visits[7][0]
        client_for(customer).post(
            f"{API}/bookings/{first.public_id}/tip", {"amount_minor": 500}, format="json"
        )
        payment_refund(
            payment=payment_of(first), actor=helper.user, amount_minor=1000, reason="Late"
        )
    # And a visit in another year, which this statement leaves out
    with time_machine.travel(datetime(2025, 12, 20, 9, 0, tzinfo=ZURICH), tick=False):
        settled_booking(helper=helper, customer=customer)

    answer = client_for(helper.user).get(f"{API}/helper/earnings", {"year": 2026})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    months = {line["month"]: line for line in body["months"]}

    def fees(month: int) -> int:
        return sum(payment_of(b).stripe_fee_minor for b in visits[month])

    tip_fee = Tip.objects.get().stripe_fee_minor
    assert months[3] == {
        "month": 3,
        "gross_minor": 8000,
        "stripe_fees_minor": fees(3),
        "refunds_minor": 0,
        "tips_minor": 0,
        "net_minor": 8000 - fees(3),
    }
    assert months[7] == {
        "month": 7,
        "gross_minor": 4000,
        "stripe_fees_minor": fees(7) + tip_fee,
        "refunds_minor": 1000,
        "tips_minor": 500,
        "net_minor": 4000 - fees(7) - tip_fee - 1000 + 500,
    }
    assert all(months[m]["gross_minor"] == 0 for m in range(1, 13) if m not in (3, 7))
    assert body["total"]["net_minor"] == months[3]["net_minor"] + months[7]["net_minor"]
    assert body["total"]["gross_minor"] == 12000
    # The ledger's helper balance over those visits is the net, exactly
    helper_balance = 0
    for entry in LedgerEntry.objects.filter(booking__in=visits[3] + visits[7]):
        helper_balance += entry.amount_minor * (
            (entry.credit == "helper") - (entry.debit == "helper")
        )
    assert body["total"]["net_minor"] == helper_balance
    assert_error(
        client_for(helper.user).get(f"{API}/helper/earnings", {"year": "1066"}),
        400,
        "invalid_year",
        {"year"},
    )
    assert_error(
        client_for(customer).get(f"{API}/helper/earnings"), 403, "not_allowed_for_role", set()
    )


# "²" passes str.isdigit() but not int(); "٢٠٢٤" and "２０２４" pass both; 5000 digits are more
# than int() reads from a string.
NOT_A_YEAR = ["²", "٢٠٢٤", "２０２４", "-2024", "2" * 5000]


@pytest.mark.django_db
@pytest.mark.parametrize("year", NOT_A_YEAR)
def test_a_year_not_written_in_the_digits_0_to_9_is_refused_as_a_bad_year(year):
    helper = make_helper()

    response = client_for(helper.user).get(f"{API}/helper/earnings", {"year": year})

    assert_error(response, 400, "invalid_year", {"year"})
