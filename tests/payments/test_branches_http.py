"""Every branch of the money loop ends in real settlement through the HTTP API: the card (or
TWINT) is given, the visit confirmed, run, ended and settled by the parties' own requests; only
the relay (and the automatic sign-off's task) run beside them, as in production. Each branch
ends with the payment's and the booking's states, the receipt's figures where money was taken,
books that balance with Quartier's share 0, and a reconciliation that finds nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import time_machine
from django.utils import timezone

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus
from payments.reconciliation import reconcile
from tests.api.api_assertions import API, client_for
from tests.factories import ManagerFactory, UserFactory, make_booking
from tests.payments.money import assert_books_balance, card, connected_helper, payment_of

pytestmark = pytest.mark.django_db

BRANCHES = {
    # branch: (booking's end, payment's end)
    "signed_off": ("settled", "captured"),
    "signed_off_automatically": ("settled", "captured"),
    "cancelled_early": ("cancelled", "released"),
    "cancelled_late": ("cancelled", "captured"),
    "customer_no_show": ("no_show", "captured"),
    "helper_no_show": ("no_show", "released"),
    "disputed_and_refunded_partly": ("settled", "captured"),
    "refunded_fully": ("settled", "refunded"),
    "tipped": ("settled", "captured"),
    "paid_with_twint": ("settled", "captured"),
}


def _post(client, path: str, body: dict | None = None, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    answer = client.post(f"{API}{path}", body or {}, format="json", headers=headers)
    assert answer.status_code in (200, 201), (path, answer.content)
    relay_pending()
    relay_pending()
    return answer.json()


@pytest.mark.parametrize("branch", list(BRANCHES))
def test_the_branch_ends_in_settlement_through_http(branch):
    helper = connected_helper()
    customer = UserFactory.create(preferred_language="en")
    ahead = timedelta(days=3) if branch == "cancelled_early" else timedelta(minutes=30)
    start = (timezone.now() + ahead).replace(second=0, microsecond=0)
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer, start=start)
    path = f"/bookings/{booking.public_id}"
    as_customer, as_helper = client_for(customer), client_for(helper.user)
    method = "twint" if branch == "paid_with_twint" else card(helper)
    _post(as_customer, f"{path}/payment/method", {"payment_method": method}, key="method")
    proposal = booking.proposals.get(status="proposed")
    _post(as_customer, f"{path}/confirm", {"proposal": str(proposal.public_id)})
    held = as_customer.get(f"{API}{path}/payment").json()
    assert held["status"] == ("requires_payment_method" if method == "twint" else "authorised")

    if branch == "cancelled_early":
        _post(as_customer, f"{path}/cancel", {"reason": "Fixed it myself"})
    elif branch == "cancelled_late":
        _post(as_customer, f"{path}/cancel", {"reason": "Away after all"})
    elif branch in ("customer_no_show", "helper_no_show"):
        reporter = as_helper if branch == "customer_no_show" else as_customer
        with time_machine.travel(start + timedelta(minutes=45), tick=False):
            _post(reporter, f"{path}/no-show", {"note": "Nobody came"})
    else:
        _post(as_helper, f"{path}/on-my-way", {"eta_minutes": 10})
        _post(as_helper, f"{path}/check-in")
        _post(as_helper, f"{path}/check-out", {"work_summary": "Set up the router."})
        if branch == "signed_off_automatically":
            done = Booking.objects.get(pk=booking.pk)
            assert done.checked_out_at is not None
            with time_machine.travel(done.checked_out_at + timedelta(hours=49), tick=False):
                bookings.booking_auto_sign_off(booking=done)
                relay_pending()
        elif branch == "disputed_and_refunded_partly":
            manager = ManagerFactory.create()
            _post(as_customer, f"{path}/dispute", {"reason": "The Wi-Fi still drops."})
            _post(
                client_for(manager),
                f"{path}/resolve-dispute",
                {"outcome": "visit_stands", "note": "Looked at the photos.", "caused_by": "helper"},
            )
            _post(
                client_for(manager),
                f"{path}/payment/refunds",
                {"amount_minor": 700, "reason": "Part was not done"},
                key="refund",
            )
        else:
            _post(as_customer, f"{path}/sign-off")
        if branch == "paid_with_twint":
            due = _post(
                as_customer, f"{path}/payment/pay", {"return_url": "https://app.test/p"}, key="p1"
            )
            back = requests.post(
                due["redirect_url"], data={"action": "authorize"}, allow_redirects=False, timeout=5
            )
            assert back.status_code == 303
            _post(
                as_customer, f"{path}/payment/pay", {"return_url": "https://app.test/p"}, key="p2"
            )
        elif branch == "refunded_fully":
            captured = as_customer.get(f"{API}{path}/payment").json()["captured_minor"]
            _post(
                as_helper,
                f"{path}/payment/refunds",
                {"amount_minor": captured, "reason": "Goodwill"},
                key="refund",
            )
        elif branch == "tipped":
            _post(as_customer, f"{path}/tip", {"amount_minor": 500}, key="tip")

    booking = Booking.objects.get(pk=booking.pk)
    shown = as_customer.get(f"{API}{path}/payment").json()
    assert (booking.status, shown["status"]) == BRANCHES[branch]
    assert shown["quartier_fee_minor"] == 0
    balances = assert_books_balance(booking)
    if shown["captured_minor"]:
        receipt = as_customer.get(f"{API}{path}/receipt").json()
        assert receipt["quartier_fee_minor"] == 0
        assert receipt["customer_paid_minor"] == -balances["customer"]
        assert receipt["helper_receives_minor"] == balances["helper"]
        assert receipt["stripe_fees_minor"] == balances["stripe"]
        if branch == "tipped":
            assert receipt["tip_minor"] == 500
        if branch == "disputed_and_refunded_partly":
            assert receipt["refunded_minor"] == 700
    else:
        assert balances["customer"] == 0
    assert payment_of(booking).captured_minor == shown["captured_minor"]
    assert reconcile() == []
