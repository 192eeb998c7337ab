"""`python -m bench.settlement`: a simulated month of paid visits, settled against the Stripe
emulator, through the services.

It prints figures and never passes or fails. On a fresh database (a temporary SQLite file, or
the scratch PostgreSQL database of `bench.loop` on the server of `--database-url`) it migrates,
starts the Stripe emulator (`python -m stripe_emulator`, on 127.0.0.1, its state in a temporary
folder), connects `--helpers` helpers' payout accounts through the emulator's onboarding page,
then plays `--bookings` visits with random branches (seeded): signed off, signed off
automatically, cancelled early and late, no-shows of either side, disputes, refunds in part and
in full, a declined card then another, tips, TWINT paid after sign-off (once after a failed
try) and a TWINT late cancellation's fee. Each visit is played at its own time in the month
(time-machine), every state change through the booking and payment services, the hold and the
capture by the after-commit handlers the relay runs, as in production.

It times, in our code: confirm → hold (the confirming service plus the relay that places the
hold) and sign-off → capture (the sign-off service plus the relay that captures and settles);
and, in the same run, the emulator's bare round trip (one PaymentIntent retrieve through the
SDK per visit). At the end it runs the reconciliation. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.loop import FAST_PASSWORD_HASHERS, _database, percentile

BRANCHES = (
    "signed_off",
    "signed_off_automatically",
    "cancelled_early",
    "cancelled_late_by_customer",
    "cancelled_by_helper",
    "customer_no_show",
    "helper_no_show",
    "disputed_stands_refunded_partly",
    "disputed_void",
    "refunded_fully",
    "declined_then_another_card",
    "tipped",
    "paid_with_twint",
    "twint_failed_then_paid",
    "twint_cancelled_late",
)
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000341"
MONTH = timedelta(days=30)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.settlement",
        description="Settle a simulated month of paid visits against the Stripe emulator.",
    )
    parser.add_argument("--bookings", type=int, default=2_000, help="visits to play")
    parser.add_argument("--helpers", type=int, default=3, help="helpers sharing the visits")
    parser.add_argument("--seed", type=int, default=20261204, help="random seed of the branches")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server (postgres://...) to create the scratch database on; "
        "default: a temporary SQLite file",
    )
    args = parser.parse_args(argv)
    if args.bookings < 1 or not 1 <= args.helpers <= 3:
        parser.error("--bookings must be at least 1, --helpers 1 to 3 (one offer batch)")
    return args


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _emulator() -> Iterator[str]:
    """The Stripe emulator in its own process, on 127.0.0.1, its state in a temporary folder."""
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix="quartier-stripe-") as state:
        log = (Path(state) / "log.txt").open("w")
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "stripe_emulator",
                "--port",
                str(port),
                "--state-dir",
                state,
                "--quiet",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError("the Stripe emulator did not start") from None
                    time.sleep(0.1)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()


def _connected_helper(number: int) -> Any:
    import requests

    from payments import payouts
    from tests.factories import make_helper

    helper = make_helper(takes_payments=False, email=f"helper{number}@bench.quartier.test")
    account, url = payouts.payout_account_onboard(
        actor=helper.user,
        return_url="http://bench.quartier.test/done",
        refresh_url="http://bench.quartier.test/again",
    )
    requests.get(url, allow_redirects=False, timeout=10).raise_for_status()
    payouts.payout_account_sync(stripe_account_id=str(account.stripe_account_id))
    return helper


def _card(helper: Any, number: str) -> str:
    from payments import stripe_gateway
    from payments.models import PayoutAccount

    account = PayoutAccount.objects.get(helper=helper)
    method = stripe_gateway.client().v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2031, "cvc": "123"},
        },
        {"stripe_account": str(account.stripe_account_id)},
    )
    return str(method.id)


class _Clock:
    """Durations in our code, in milliseconds (perf_counter is not moved by time-machine)."""

    def __init__(self) -> None:
        self.hold_ms: list[float] = []
        self.capture_ms: list[float] = []
        self.roundtrip_ms: list[float] = []

    @contextmanager
    def timing(self, into: list[float]) -> Iterator[None]:
        started = time.perf_counter()
        yield
        into.append((time.perf_counter() - started) * 1000)


def _confirmed(helper: Any, start: datetime, method: str, clock: _Clock) -> Any:
    from backend.relay import relay_pending
    from bookings import services as bookings
    from bookings.models import Booking, BookingStatus
    from payments import services
    from tests.factories import UserFactory, make_booking

    customer = UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, helper=helper, customer=customer, start=start)
    services.payment_method_set(
        booking=booking,
        actor=customer,
        payment_method_id=services.TWINT if method == services.TWINT else _card(helper, method),
    )
    with clock.timing(clock.hold_ms):
        bookings.booking_confirm(
            booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
        )
        relay_pending()
    return Booking.objects.get(pk=booking.pk)


def _completed(booking: Any) -> Any:
    from bookings import services as bookings

    helper = booking.helper.user
    booking = bookings.booking_start_journey(booking=booking, actor=helper, eta_minutes=10)
    booking = bookings.booking_check_in(booking=booking, actor=helper)
    return bookings.booking_check_out(
        booking=booking, actor=helper, work_summary="Set up the router.", leave_behind_note=""
    )


def _pay_with_twint(booking: Any, *, fail_first: bool) -> None:
    import requests

    from payments import pay_after
    from payments.models import Payment

    for action in ("fail", "authorize") if fail_first else ("authorize",):
        payment = Payment.objects.get(booking=booking)
        _payment, url = pay_after.payment_pay_after_start(
            payment=payment,
            actor=booking.help_request.customer,
            return_url="https://bench.quartier.test/paid",
        )
        requests.post(url, data={"action": action}, allow_redirects=False, timeout=10)
        pay_after.payment_pay_after_refresh(payment=payment)


def _play(
    branch: str, helper: Any, start: datetime, manager: Any, rng: random.Random, clock: _Clock
) -> Any:
    import time_machine

    from backend.relay import relay_pending
    from bookings import services as bookings
    from bookings.models import DisputeOutcome
    from payments import refunds, services, tips
    from payments.models import Payment

    if branch == "cancelled_early":
        with time_machine.travel(start - timedelta(days=3), tick=False):
            booking = _confirmed(helper, start, GOOD_CARD, clock)
            bookings.booking_cancel(
                booking=booking, actor=booking.help_request.customer, reason="Fixed it myself"
            )
            relay_pending()
        return booking
    with time_machine.travel(start - timedelta(minutes=20), tick=False):
        method = GOOD_CARD
        if branch == "declined_then_another_card":
            method = DECLINED_CARD
        elif "twint" in branch:
            method = services.TWINT
        booking = _confirmed(helper, start, method, clock)
        customer = booking.help_request.customer
        if branch == "declined_then_another_card":
            services.payment_method_set(
                booking=booking, actor=customer, payment_method_id=_card(helper, GOOD_CARD)
            )
        if branch in ("cancelled_late_by_customer", "twint_cancelled_late"):
            bookings.booking_cancel(booking=booking, actor=customer, reason="Away after all")
        elif branch == "cancelled_by_helper":
            bookings.booking_cancel(booking=booking, actor=helper.user, reason="I am ill")
        elif branch in ("customer_no_show", "helper_no_show"):
            reporter = helper.user if branch == "customer_no_show" else customer
            with time_machine.travel(start + timedelta(minutes=45), tick=False):
                bookings.booking_report_no_show(booking=booking, actor=reporter)
        else:
            booking = _completed(booking)
            if branch == "signed_off_automatically":
                assert booking.checked_out_at is not None  # noqa: S101 - checked out just now
                later = booking.checked_out_at + timedelta(hours=49)
                with time_machine.travel(later, tick=False), clock.timing(clock.capture_ms):
                    bookings.booking_auto_sign_off(booking=booking)
                    relay_pending()
            elif branch.startswith("disputed"):
                booking = bookings.booking_dispute(
                    booking=booking, actor=customer, reason="The Wi-Fi still drops."
                )
                stands = branch == "disputed_stands_refunded_partly"
                bookings.booking_resolve_dispute(
                    booking=booking,
                    actor=manager,
                    outcome=DisputeOutcome.VISIT_STANDS if stands else DisputeOutcome.VISIT_VOID,
                    note="Decided after a call with both.",
                    caused_by=None if stands else "helper",
                )
            else:
                with clock.timing(clock.capture_ms):
                    bookings.booking_sign_off(booking=booking, actor=customer)
                    relay_pending()
        relay_pending()
        relay_pending()  # what the handlers emitted (a TWINT payment fell due)
        if "twint" in branch:
            _pay_with_twint(booking, fail_first=branch == "twint_failed_then_paid")
        payment = Payment.objects.select_related("payout_account").get(booking=booking)
        if branch == "disputed_stands_refunded_partly":
            refunds.payment_refund(
                payment=payment,
                actor=manager,
                amount_minor=rng.randint(1, payment.captured_minor - 1),
                reason="Part of the work was not done",
            )
        elif branch == "tipped":
            tips.tip_give(payment=payment, actor=customer, amount_minor=rng.randint(100, 2000))
        elif branch == "refunded_fully":
            refunds.payment_refund(
                payment=payment,
                actor=helper.user,
                amount_minor=payment.captured_minor,
                reason="Goodwill",
            )
    _bare_roundtrip(payment, clock)
    return booking


def _bare_roundtrip(payment: Any, clock: _Clock) -> None:
    """The emulator's own round trip: one SDK retrieve of the visit's PaymentIntent."""
    from payments import stripe_gateway

    if payment.payment_intent_id is None:
        return
    client = stripe_gateway.client()
    with clock.timing(clock.roundtrip_ms):
        client.v1.payment_intents.retrieve(
            payment.payment_intent_id, options={"stripe_account": payment.stripe_account_id}
        )


def _run(args: argparse.Namespace, emulator: str) -> dict[str, Any]:
    from django.conf import settings
    from django.core.management import call_command
    from django.db.models import Sum
    from django.test import override_settings
    from django.utils import timezone
    from tqdm import tqdm

    from bookings.models import Booking, BookingStatus
    from payments.models import LedgerEntry, Payment
    from payments.reconciliation import reconcile
    from tests.factories import ManagerFactory

    call_command("migrate", verbosity=0, interactive=False)
    quartier = settings.QUARTIER.with_values(
        stripe_api_base=emulator, stripe_secret_key="", stripe_timeout_seconds=10.0
    )
    with override_settings(QUARTIER=quartier):
        rng = random.Random(args.seed)  # noqa: S311 - a reproducible simulation
        helpers = [_connected_helper(number) for number in range(args.helpers)]
        manager = ManagerFactory.create()
        first = (timezone.now() + timedelta(days=4)).replace(minute=0, second=0, microsecond=0)
        # Each helper's visits follow one another through the month.
        rounds = -(-args.bookings // args.helpers)
        spacing = max(MONTH / rounds, timedelta(minutes=75))
        clock = _Clock()
        branches: Counter[str] = Counter()
        started = time.perf_counter()
        for number in tqdm(range(args.bookings), desc="visits", unit="visit"):
            branch = (
                BRANCHES[number % len(BRANCHES)] if number < len(BRANCHES) else rng.choice(BRANCHES)
            )
            start = first + spacing * (number // args.helpers)
            _play(branch, helpers[number % args.helpers], start, manager, rng, clock)
            branches[branch] += 1
        elapsed = time.perf_counter() - started
        settled = Booking.objects.filter(status=BookingStatus.SETTLED).count()
        ended = Payment.objects.exclude(
            status__in=("requires_payment_method", "authorised", "due")
        ).count()
        print("reconciling with the emulator …", flush=True)
        mismatches = reconcile()
    for mismatch in mismatches[:20]:
        print(f"  {mismatch}")
    quartier_in = LedgerEntry.objects.filter(credit="quartier").aggregate(total=Sum("amount_minor"))
    quartier_out = LedgerEntry.objects.filter(debit="quartier").aggregate(total=Sum("amount_minor"))
    revenue = (quartier_in["total"] or 0) - (quartier_out["total"] or 0)
    moved = LedgerEntry.objects.aggregate(total=Sum("amount_minor"))["total"] or 0
    print(f"branches: {dict(sorted(branches.items()))}")
    print(
        f"{args.bookings} visits in {elapsed:.1f} s; {settled} settled, {ended} payments ended; "
        f"throughput {settled / elapsed:.2f} settled bookings/s "
        f"({args.bookings / elapsed:.2f} visits/s)"
    )
    print(f"ledger: {LedgerEntry.objects.count()} entries moving {moved} minor units")
    print(
        "confirm → hold, ms:     "
        f"p50 {percentile(clock.hold_ms, 0.5):.1f}  p95 {percentile(clock.hold_ms, 0.95):.1f}"
    )
    print(
        "sign-off → capture, ms: "
        f"p50 {percentile(clock.capture_ms, 0.5):.1f}  "
        f"p95 {percentile(clock.capture_ms, 0.95):.1f}"
    )
    print(
        "emulator round trip, ms (bare SDK retrieve): "
        f"p50 {percentile(clock.roundtrip_ms, 0.5):.1f}  "
        f"p95 {percentile(clock.roundtrip_ms, 0.95):.1f}"
    )
    print(f"reconciliation: {len(mismatches)} mismatches; Quartier's revenue {revenue}")
    return {
        "bookings": args.bookings,
        "platform_revenue_minor": revenue,
        "mismatches": len(mismatches),
        "capture_p95_ms": round(percentile(clock.capture_ms, 0.95), 1),
        "stripe_roundtrip_p95_ms": round(percentile(clock.roundtrip_ms, 0.95), 1),
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    # The SDK logs each request at INFO; the figures are what this prints.
    logging.getLogger("stripe").setLevel(logging.WARNING)
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    os.environ.setdefault("DJANGO_DEBUG", "true")
    with _database(args.database_url), _emulator() as emulator:
        import django

        django.setup()
        from django.test import override_settings

        with override_settings(
            DEBUG=False,
            PASSWORD_HASHERS=FAST_PASSWORD_HASHERS,
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ):
            result = _run(args, emulator)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
