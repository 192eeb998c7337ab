"""A real worker process killed between Stripe's work and our commit, then the retry: one
PaymentIntent at Stripe, one payment row, held once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import BookingStatus
from payments import services, stripe_gateway
from payments.models import Payment, PaymentStatus
from tests.factories import UserFactory, make_booking
from tests.payments.money import card, clear_faults, connected_helper, fault

REPO = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
        f"{db['NAME']}"
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_after_stripe_held_the_card_leaves_one_paymentintent(stripe_emulator):
    helper = connected_helper()
    customer = UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer)
    services.payment_method_set(booking=booking, actor=customer, payment_method_id=card(helper))
    bookings.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    payment = Payment.objects.get(booking=booking)
    account = payment.stripe_account_id
    # Stripe places the hold, but its answer comes long after the worker is gone.
    fault("timeout", r"POST /v1/payment_intents$", seconds=60)
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "manage.py", "worker", "--no-reload", "--interval", "0.2"],
        cwd=REPO,
        start_new_session=True,
        env={
            **os.environ,
            "DJANGO_DEBUG": "true",
            "DATABASE_URL": _database_url(),
            "QUARTIER_STRIPE_API_BASE": stripe_emulator,
            "QUARTIER_STRIPE_TIMEOUT_SECONDS": "120",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not stripe_gateway.payment_intents_list(account_id=account):
            assert time.monotonic() < deadline, "the worker never asked Stripe for the hold"
            assert worker.poll() is None, "the worker ended by itself"
            time.sleep(0.2)
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        clear_faults()

    # Stripe holds the card; Quartier wrote nothing of it.
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert payment.payment_intent_id is None
    assert len(stripe_gateway.payment_intents_list(account_id=account)) == 1

    # The retry sends the same request with the same key: Stripe answers with the first hold.
    relay_pending()

    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AUTHORISED
    assert [intent.id for intent in stripe_gateway.payment_intents_list(account_id=account)] == [
        payment.payment_intent_id
    ]
    assert Payment.objects.filter(booking=booking).count() == 1
