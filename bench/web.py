"""`python -m bench.web`: the server time of each main page of the web app, for customers,
helpers and the community manager.

It prints figures and never passes or fails. On a fresh database (a temporary SQLite file, or
the scratch PostgreSQL database of `bench.loop` on the server of `--database-url`) it migrates,
seeds `--helpers` helpers on the synthetic Switzerland of `bench.loop` and rebuilds the match
index, then gives one customer a request in each state a page shows differently (looking for a
helper, times proposed, visit confirmed, signed off). It then requests every main page through
Django's test client (the whole middleware stack, the session, the templates; no network),
`--rounds` times each in rotating order, beside a bare template render measured in the same
rounds: read the ratios to that reference, the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

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
        from django.test import override_settings

        # DEBUG off: no query log kept per query, as in production.
        with override_settings(DEBUG=False, PASSWORD_HASHERS=FAST_PASSWORD_HASHERS):
            _run(args, target.vendor)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
