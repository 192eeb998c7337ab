"""`python -m bench.web`: the server time of each main page of the web app, for customers,
helpers and the community manager.

It prints figures and never passes or fails. On a fresh database (a temporary SQLite file, or
the scratch PostgreSQL database of `bench.loop` on the server of `--database-url`) it migrates,
seeds `--helpers` helpers on the synthetic Switzerland of `bench.loop` and rebuilds the match
index, then gives one customer a request in each state a page shows differently (looking for a
helper, times proposed, visit confirmed, signed off) and one paid visit: the bench starts the
local Stripe emulator (`stripe_emulator`) and takes the payment through the payments services
as the payments tests do (the helper's payout account onboarded, a card, the hold, the visit,
the sign-off, the capture and its receipt). It then requests every main page through
Django's test client (the whole middleware stack, the session, the templates; no network),
`--rounds` times each in rotating order, beside a bare template render measured in the same
rounds: read the ratios to that reference, the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.loop import FAST_PASSWORD_HASHERS, _database, percentile

REFERENCE = "bare template render"
WARMUP_ROUNDS = 3


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--helpers", type=int, default=100_000, help="helpers to seed")
    parser.add_argument("--rounds", type=int, default=100, help="timed requests per page")
    parser.add_argument("--seed", type=int, default=7, help="random seed of the synthetic data")
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server (postgres://...) to create the scratch database on; "
        "default: a temporary SQLite file",
    )
    return parser.parse_args(argv)


def _customer_with_requests() -> tuple[Any, Any, dict[str, str]]:
    """A customer in Zurich with one request in each state the request's page shows
    differently, all made through the services; the helper of the confirmed visit; the pages
    about them (customer's, helper's and manager's)."""
    from backend.models import User
    from backend.places import resolve_place
    from bookings import services
    from bookings.models import HelpRequest, Offer, OfferStatus
    from catalogue.models import ServiceCategory

    customer = User.objects.create_user(
        "bench.customer@example.ch", "bench-password", display_name="Bench Customer"
    )
    home = resolve_place(street="Bahnhofplatz 1", postal_code="8001", locality="Zürich")
    customer.languages = ["de", "en"]
    home.apply_to(customer, prefix="home_")
    customer.save()
    category = ServiceCategory.objects.filter(is_active=True).order_by("position").first()
    assert category is not None
    start = (time_now() + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)

    def post(day: int) -> HelpRequest:
        begins = start + timedelta(days=day)
        return services.help_request_create(
            customer=customer,
            category=category,
            description="The Wi-Fi drops every evening.",
            address=services.AddressInput(
                street=home.street, postal_code=home.postal_code, locality=home.locality
            ),
            windows=[(begins, begins + timedelta(hours=4))],
        )

    def accepted(help_request: HelpRequest) -> Any:
        offer = Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING).first()
        assert offer is not None, "no helper was offered the bench request"
        booking = services.offer_accept(offer=offer, actor=offer.helper.user)
        window = help_request.windows.get()
        return services.booking_propose(
            booking=booking,
            actor=offer.helper.user,
            slots=[services.SlotInput(window.starts_at, window.starts_at + timedelta(hours=1))],
        )

    pages = {}
    waiting = post(0)
    pages["request: looking for a helper"] = f"/requests/{waiting.public_id}/"
    proposed = accepted(post(1))
    pages["request: times proposed"] = f"/requests/{proposed.help_request.public_id}/"
    confirmed = accepted(post(2))
    services.booking_confirm(
        booking=confirmed, actor=customer, proposal=confirmed.proposals.get(status="proposed")
    )
    pages["request: visit confirmed"] = f"/requests/{confirmed.help_request.public_id}/"
    helper = confirmed.helper
    pages["helper: visit"] = f"/helper/visits/{confirmed.public_id}/"
    pages["manager: a helper"] = f"/manage/helpers/{helper.public_id}/"
    pages["manager: a request"] = f"/manage/requests/{waiting.public_id}/"
    return customer, helper.user, pages


@contextmanager
def _stripe_emulator() -> Iterator[str]:
    """The local Stripe emulator on a free port, its state in a temporary folder: its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    with tempfile.TemporaryDirectory(prefix="bench-stripe-") as state:
        log = Path(state) / "log.txt"
        with log.open("w") as output:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [
                    sys.executable,
                    "-m",
                    "stripe_emulator",
                    "--port",
                    str(port),
                    "--state-dir",
                    state,
                ],
                cwd=Path(__file__).resolve().parents[1],
                stdout=output,
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
                            raise RuntimeError(
                                "the Stripe emulator did not start: " + log.read_text()
                            ) from None
                        time.sleep(0.1)
                yield f"http://127.0.0.1:{port}"
            finally:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _paid_visit(customer: Any) -> Any:
    """A visit of `customer` paid through the payments services at the Stripe emulator and
    signed off, so that its payment is captured and its receipt issued: the booking."""
    from backend import clock
    from catalogue.models import ServiceCategory

    # The Stripe SDK logs each request at INFO: not the bench's output.
    logging.getLogger("stripe").setLevel(logging.WARNING)
    category = ServiceCategory.objects.filter(is_active=True).order_by("position").first()
    assert category is not None
    # Tomorrow morning, Swiss time, whenever the bench runs: inside the synthetic helpers'
    # hours (an evening run would ask for a time nobody works).
    swiss = time_now().astimezone(ZoneInfo("Europe/Zurich"))
    posted = (swiss + timedelta(days=1)).replace(hour=8, minute=30, second=0, microsecond=0)
    start = posted + timedelta(minutes=90)
    with clock.at(posted):
        return _paid_visit_from(customer, category, start)


def _paid_visit_from(customer: Any, category: Any, start: Any) -> Any:
    from backend import clock
    from backend.relay import relay_pending
    from bookings import services
    from bookings.models import Booking, Offer, OfferStatus
    from payments import payouts, stripe_gateway
    from payments import services as payments
    from payments.models import Receipt

    help_request = services.help_request_create(
        customer=customer,
        category=category,
        description="The printer no longer prints from the laptop.",
        address=services.AddressInput(
            street=customer.home_street,
            postal_code=customer.home_postal_code,
            locality=customer.home_locality,
        ),
        windows=[(start, start + timedelta(hours=3))],
    )
    offer = Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING).first()
    assert offer is not None, "no helper was offered the paid bench request"
    helper = offer.helper.user
    # The helper's payout account, onboarded at the emulator's page as a helper does.
    account, link = payouts.payout_account_onboard(
        actor=helper, return_url="http://testserver/done", refresh_url="http://testserver/again"
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(f"{link}&state=payouts_enabled", timeout=5)  # noqa: S310 - the emulator
    except urllib.error.HTTPError as redirect:  # the emulator sends the helper back: 302
        if redirect.code != 302:
            raise RuntimeError(f"the emulator's onboarding answered {redirect.code}") from None
    payouts.payout_account_sync(stripe_account_id=str(account.stripe_account_id))
    booking = services.offer_accept(offer=offer, actor=helper)
    booking = services.booking_propose(
        booking=booking,
        actor=helper,
        slots=[services.SlotInput(start, start + timedelta(hours=1))],
    )
    # The customer's card, on the helper's account, as Stripe.js would create it.
    method = stripe_gateway.client().v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2031, "cvc": "123"},
        },
        {"stripe_account": str(account.stripe_account_id)},
    )
    payments.payment_method_set(booking=booking, actor=customer, payment_method_id=str(method.id))
    services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    relay_pending()  # the worker places the hold
    booking = Booking.objects.get(pk=booking.pk)
    with clock.at(start + timedelta(minutes=45)):
        booking = services.booking_start_journey(booking=booking, actor=helper, eta_minutes=10)
        booking = services.booking_check_in(booking=booking, actor=helper)
        booking = services.booking_check_out(
            booking=booking,
            actor=helper,
            work_summary="Installed the printer driver again and printed a test page.",
            leave_behind_note="",
        )
        services.booking_sign_off(booking=booking, actor=customer)
    relay_pending()  # the worker captures the payment and issues the receipt
    assert Receipt.objects.filter(booking=booking).exists(), "the bench visit has no receipt"
    return booking


def time_now() -> Any:
    from backend import clock

    return clock.now()


def _run(args: argparse.Namespace, vendor: str) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.template import Context, Template
    from django.test import Client
    from tqdm import tqdm

    from bench.synthetic_switzerland import SwissMixture, seed_helpers
    from bookings.matching.index import match_index_rebuild

    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(args.seed)
    with tqdm(total=args.helpers, desc="seeding helpers", unit="helper") as bar:
        counts = seed_helpers(
            count=args.helpers, mixture=SwissMixture(rng), rng=rng, on_batch=bar.update
        )
    with tqdm(total=counts.approved_accepting, desc="match index", unit="helper") as bar:
        match_index_rebuild(progress=bar.update)
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    customer, helper_user, request_pages = _customer_with_requests()
    paid = _paid_visit(customer)
    request_pages["receipt"] = f"/receipts/{paid.public_id}/"
    request_pages["receipt (PDF)"] = f"/receipts/{paid.public_id}/pdf"
    from backend.models import User

    manager_user = User.objects.create_user(
        "bench.manager@example.ch", "bench-password", display_name="Bench Manager", is_staff=True
    )

    visitor, member = Client(HTTP_ACCEPT_LANGUAGE="de"), Client(HTTP_ACCEPT_LANGUAGE="de")
    member.force_login(customer)
    helper, manager = Client(HTTP_ACCEPT_LANGUAGE="de"), Client(HTTP_ACCEPT_LANGUAGE="de")
    helper.force_login(helper_user)
    manager.force_login(manager_user)
    by_role = {"helper": helper, "manager": manager}
    bare = Template("{% load i18n %}<p>{% translate 'Log in' %} {{ name }}</p>")

    def get(client: Client, path: str) -> Callable[[], None]:
        def run() -> None:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return run

    def render_bare() -> None:
        bare.render(Context({"name": "Anna"}))

    pages: dict[str, Callable[[], None]] = {
        REFERENCE: render_bare,
        "home": get(visitor, "/"),
        "sign-up": get(visitor, "/sign-up"),
        "log-in": get(visitor, "/log-in"),
        "profile": get(member, "/profile"),
        "new request": get(member, "/requests/new"),
        "my requests": get(member, "/requests/"),
        **{
            name: get(by_role.get(name.split(":")[0], member), path)
            for name, path in request_pages.items()
        },
        "helper: offers": get(helper, "/helper/"),
        "helper: visits": get(helper, "/helper/visits/"),
        "helper: hours": get(helper, "/helper/hours"),
        "helper: profile": get(helper, "/helper/profile"),
        "helper: earnings": get(helper, "/helper/earnings"),
        "manager: dashboard": get(manager, "/manage/"),
        "manager: helpers": get(manager, "/manage/helpers/"),
        "manager: requests": get(manager, "/manage/requests/"),
        "manager: bookings": get(manager, "/manage/bookings/"),
        "manager: disputes": get(manager, "/manage/disputes/"),
        "manager: safety reports": get(manager, "/manage/reports/"),
        "manager: map": get(manager, "/manage/map/"),
        "manager: map helpers (GeoJSON)": get(manager, "/manage/map/helpers.geojson"),
        "manager: map requests (GeoJSON)": get(manager, "/manage/map/requests.geojson"),
        "manager: conduct test": get(manager, "/manage/conduct-test/"),
    }
    names = list(pages)
    timings: dict[str, list[float]] = {name: [] for name in names}
    for round_number in tqdm(range(WARMUP_ROUNDS + args.rounds), desc="timing pages", unit="round"):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter_ns()
            pages[name]()
            elapsed = (time.perf_counter_ns() - started) / 1e6
            if round_number >= WARMUP_ROUNDS:
                timings[name].append(elapsed)
        if round_number == WARMUP_ROUNDS - 1:
            gc.collect()

    reference_p95 = percentile(timings[REFERENCE], 0.95)
    print()
    print(f"bench.web on {vendor}, {args.helpers} helpers, {args.rounds} requests per page")
    print(f"{'page':<36}{'p50 ms':>10}{'p95 ms':>10}{'p95 / reference':>18}")
    summary = {}
    for name in names:
        p50, p95 = percentile(timings[name], 0.5), percentile(timings[name], 0.95)
        ratio = p95 / reference_p95 if reference_p95 else float("nan")
        print(f"{name:<36}{p50:>10.2f}{p95:>10.2f}{ratio:>18.0f}")
        summary[name] = {"p50_ms": round(p50, 2), "p95_ms": round(p95, 2)}
    slowest = max((name for name in names if name != REFERENCE), key=lambda n: summary[n]["p95_ms"])
    print(
        json.dumps(
            {
                "database": vendor,
                "helpers": args.helpers,
                "slowest_page": slowest,
                "slowest_p95_ms": summary[slowest]["p95_ms"],
                "reference_p95_ms": round(reference_p95, 3),
            }
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    # Whitenoise finds the static files in the apps here (no collectstatic): nothing to warn of.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    os.environ["DJANGO_SETTINGS_MODULE"] = "backend.settings"
    os.environ.setdefault("DJANGO_DEBUG", "true")
    with _database(args.database_url) as target:
        import django

        django.setup()
        from django.conf import settings
        from django.test import override_settings

        with _stripe_emulator() as stripe_url:
            stripe = settings.QUARTIER.with_values(
                stripe_api_base=stripe_url, stripe_secret_key="", stripe_timeout_seconds=5.0
            )
            # DEBUG off: no query log kept per query, as in production.
            with override_settings(
                DEBUG=False, PASSWORD_HASHERS=FAST_PASSWORD_HASHERS, QUARTIER=stripe
            ):
                _run(args, target.vendor)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
