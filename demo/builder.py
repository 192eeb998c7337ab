"""Building the demo community: people first, then every scenario, then the sweep.

Each status is played at least once (given enough requests), the rest drawn by how common it
is; scenarios that did not come out as planned are tried again a few times. At the end
`sweep_due_work()` runs at the real now, which signs off old visits automatically and expires
what has run out, as the worker would have; a status the sweep left missing is played again.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from django.contrib.auth.hashers import make_password

from backend.config import config
from backend.exceptions import ApplicationError
from bookings import services
from bookings.models import Booking, HelpRequest
from catalogue.models import ServiceCategory
from demo.academy import seed_demo_academy
from demo.community import Community
from demo.conduct_test import publish_demo_conduct_test
from demo.history import CutShort, History
from demo.paid import (
    coming_payments,
    connect_payout_accounts,
    hold_coming_visits,
    play_paid_visits,
)
from demo.people import DEMO_PASSWORD, create_customers, create_helpers, create_manager
from demo.places import Places
from demo.safety import file_demo_reports
from demo.scenarios import ENDS_IN, SCENARIOS, WEIGHTS
from demo.waivers import publish_waivers

# How often a scenario that never came out as planned is tried again.
RETRIES = 6


class Bar(Protocol):
    """A progress bar (tqdm's interface), or one that shows nothing."""

    total: float

    def update(self, n: float = 1) -> bool | None: ...

    def close(self) -> None: ...


Progress = Callable[[str, int], Bar]


class _Silent:
    total: float = 0

    def update(self, n: float = 1) -> None:
        return None

    def close(self) -> None:
        return None


def silent(_stage: str, total: int) -> Bar:
    bar = _Silent()
    bar.total = total
    return bar


@dataclass
class Tally:
    attempted: Counter[str] = field(default_factory=Counter)
    reached: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)


@dataclass
class Outcome:
    community: Community
    tally: Tally
    swept: Counter[str]
    # The paid stories (settled, held) and whether each came out; empty when not played.
    paid: dict[str, bool] = field(default_factory=dict)


def start(*, seed: int) -> Community:
    """A new community with its manager, nobody else yet."""
    rng = random.Random(seed)
    history = History(rng)
    password_hash = make_password(DEMO_PASSWORD)
    return Community(
        rng=rng,
        history=history,
        places=Places(rng),
        config=config(),
        categories=list(ServiceCategory.objects.filter(is_active=True).order_by("pk")),
        password_hash=password_hash,
        manager=create_manager(history=history, password_hash=password_hash),
    )


def play(community: Community, tally: Tally, name: str) -> bool:
    """Try one scenario; True when it reached its planned end."""
    tally.attempted[name] += 1
    try:
        reached = SCENARIOS[name].play(community)
    except CutShort:
        reached = False
    except ApplicationError as error:
        # A refused step (double-booked, too early...): the scenario stops where it is.
        tally.refused[error.code] += 1
        reached = False
    if reached:
        tally.reached[name] += 1
    return reached


def build(
    *,
    seed: int,
    helpers: int,
    customers: int,
    requests: int,
    progress: Progress = silent,
    paid: bool = False,
) -> Outcome:
    """The whole demo community. Call it inside a transaction: a failure leaves nothing.

    With `paid` (the Stripe emulator answering), two visits paid by card are played last: one
    settled with its receipt, one confirmed with the card held (see `demo.paid`)."""
    community = start(seed=seed)
    publish_waivers(community.history, community.manager)
    publish_demo_conduct_test(community.history, community.manager)
    bar = progress("customers", customers)
    create_customers(community, customers, bar.update)
    bar.close()
    bar = progress("helpers", helpers)
    create_helpers(community, helpers, bar.update)
    bar.close()

    tally = Tally()
    required = list(SCENARIOS)[:requests]
    plan = list(required)
    rng = community.rng
    plan += rng.choices(
        list(WEIGHTS), weights=list(WEIGHTS.values()), k=max(0, requests - len(plan))
    )
    rng.shuffle(plan)
    bar = progress("requests", len(plan))

    def again(name: str) -> None:
        bar.total += 1
        play(community, tally, name)
        bar.update(1)

    for name in plan:
        play(community, tally, name)
        bar.update(1)
    # Retry the scenarios that never came out as planned.
    for name in required:
        for _ in range(RETRIES):
            if tally.reached[name]:
                break
            again(name)
    # What the worker would have done meanwhile: sign off old visits, expire the rest.
    swept = Counter(services.sweep_due_work())
    # Every status shows at least once in the end, whatever the sweep made of things.
    for _ in range(RETRIES if requests >= len(SCENARIOS) else 0):
        missing = missing_statuses(community)
        if not missing:
            break
        for name in missing:
            again(name)
        swept.update(services.sweep_due_work())
    bar.close()
    # The history over, the helpers it counted as able to take charges connect a payout account
    # at the emulator, or are left not ready without one.
    bar = progress("payout accounts", len(community.helpers))
    connect_payout_accounts(community, paid=paid, tick=bar.update)
    bar.close()
    if paid:
        # Its visits still to come with a price are held on the customers' cards.
        waiting = coming_payments(community)
        bar = progress("card holds", len(waiting))
        hold_coming_visits(waiting, tick=bar.update)
        bar.close()
    paid_visits = play_paid_visits(community) if paid and requests else {}
    file_demo_reports(community)
    seed_demo_academy(community)
    return Outcome(community, tally, swept, paid_visits)


def missing_statuses(community: Community) -> list[str]:
    """The scenarios to play again for the booking and request statuses not shown yet."""
    customers = [person.user.pk for person in community.customers]
    requests = HelpRequest.objects.filter(customer_id__in=customers)
    shown = set(requests.values_list("status", flat=True)) | {
        f"booking:{status}"
        for status in Booking.objects.filter(help_request__in=requests).values_list(
            "status", flat=True
        )
    }
    return sorted({name for status, name in ENDS_IN.items() if status not in shown})
