"""A simulated day of help requests, to see what fairness does to who gets offers.

Customers live around one or two cities (drawn from the same synthetic Switzerland as the
helpers, keeping the draws near those cities), each asks for a random category. Each request is
matched by `bookings.matching.ranking.rank` as `offers_dispatch` would: three offers, 5 km first
and 5 km more up to 25 km while nobody is found. Offers are counted in memory, and `rank` reads
today's counts from there.

The same requests run twice: fairness on (FAIRNESS_MARGIN, FAIRNESS_BAND_LIMIT and
FAIRNESS_NEW_HELPER_BONUS at their defaults, offers today passed in) and off (no offers today, no
newcomer bonus); then once more for each other margin of `CURVE_MARGINS` and each other band
limit of `BAND_LIMITS`, the trade-off curves: how evenly offers spread, how far they go, how
long a ranking takes, and the largest lead of a helper looked at and passed over (never above
the margin: the bound `ranking.fair_choice` keeps).

Who is "equally qualified": for each request, the helpers whose ranking (score plus any
newcomer bonus) lies within FAIRNESS_MARGIN of the third best: everyone within the margin,
whether a bounded band weighs them or not. The walk that finds them does not depend on offer
counts, so it is the same whatever happened earlier in the day; it is taken from one more run,
unbounded (FAIRNESS_BAND_LIMIT 0) at the widest margin, which looks at everyone within any
narrower margin too, and the pool (every helper equally qualified for at least one request) is
the same for every run at one margin. Every offer of any run goes to a helper in the pool.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from django.test import override_settings
from tqdm import tqdm

from backend.config import QuartierConfig, config
from backend.geo import Point, local_distance_m
from backend.localities import localities
from bench.synthetic_switzerland import SwissMixture
from bookings.matching.ranking import Ranking, rank

CITIES = ("Zürich", "Lausanne")
CITY_RADIUS_M = 15_000.0
FAIR_MARGIN = QuartierConfig.fairness_margin
FAIR_NEW_HELPER_BONUS = QuartierConfig.fairness_new_helper_bonus
CURVE_MARGINS = (0.025, 0.05, 0.0625, 0.075, 0.1)
FAIR_BAND_LIMIT = QuartierConfig.fairness_band_limit
# The band limits of the trade-off curve (0: unbounded, everyone within the margin).
BAND_LIMITS = (8, 16, 24, 48, 0)


@dataclass(frozen=True)
class DayRequest:
    category_id: int
    center: Point


def city_centre(name: str) -> Point:
    rows = [
        row
        for row in localities()
        if row.is_in_switzerland and row.name == name and row.municipality == name
    ]
    if not rows:
        raise LookupError(f"{name} is not in the localities directory")
    return Point(
        sum(row.point.latitude for row in rows) / len(rows),
        sum(row.point.longitude for row in rows) / len(rows),
    )


def day_requests(
    *, count: int, category_ids: Sequence[int], rng: random.Random
) -> list[DayRequest]:
    """`count` requests from customers within `CITY_RADIUS_M` of one of `CITIES`."""
    centres = [city_centre(name) for name in CITIES]
    mixture = SwissMixture(rng)
    requests: list[DayRequest] = []
    while len(requests) < count:
        point = mixture.draw().point
        if any(
            local_distance_m(point.latitude, point.longitude, c.latitude, c.longitude)
            <= CITY_RADIUS_M
            for c in centres
        ):
            requests.append(DayRequest(rng.choice(list(category_ids)), point))
    return requests


def _quartier() -> QuartierConfig:
    return config()  # read afresh: `fairness` overrides it


@contextmanager
def fairness(
    on: bool, margin: float = FAIR_MARGIN, band_limit: int = FAIR_BAND_LIMIT
) -> Iterator[None]:
    changed = config().with_values(
        fairness_margin=margin if on else 0.0,
        fairness_band_limit=band_limit,
        fairness_new_helper_bonus=FAIR_NEW_HELPER_BONUS if on else 0.0,
    )
    with override_settings(QUARTIER=changed):
        yield


@dataclass
class Day:
    offers: Counter[int] = field(default_factory=Counter)
    distances_m: list[float] = field(default_factory=list)
    unmatched: int = 0
    rank_ms: list[float] = field(default_factory=list)
    # The rankings of everyone looked at, per request (the pool's run only).
    looked_at: list[list[tuple[int, float]]] = field(default_factory=list)
    # The largest score by which a helper looked at and not asked lay above one asked.
    largest_lead: float = -math.inf


def simulate_day(
    requests: Sequence[DayRequest],
    *,
    fair: bool,
    now: datetime,
    using: str,
    margin: float = FAIR_MARGIN,
    band_limit: int = FAIR_BAND_LIMIT,
    record: bool = False,
) -> Day:
    """The day's requests ranked one after the other; with `record`, everyone each looked at
    is kept (for `pool`)."""
    config = _quartier()
    wanted = int(config.offer_batch_size)
    first_km = float(config.match_initial_radius_km)
    step_km = float(config.match_radius_step_km)
    max_km = float(config.match_max_radius_km)
    day = Day()

    def offers_today(helper_ids: Sequence[int]) -> dict[int, int]:
        return {helper_id: day.offers[helper_id] for helper_id in helper_ids}

    label = f"fairness on, margin {margin:g}, band {band_limit}" if fair else "fairness off"
    with fairness(fair, margin, band_limit):
        for request in tqdm(requests, desc=f"a day of requests, {label}", unit="request"):
            radius = first_km
            while True:
                started = time.perf_counter()
                ranking = rank(
                    category_id=request.category_id,
                    center=request.center,
                    radius_km=radius,
                    limit=wanted,
                    offers_today=offers_today if fair else None,
                    now=now,
                    using=using,
                )
                day.rank_ms.append((time.perf_counter() - started) * 1000)
                if ranking.chosen or radius >= max_km:
                    break
                radius = min(radius + step_km, max_km)
            if not ranking.chosen:
                day.unmatched += 1
            for scored in ranking.chosen:
                day.offers[scored.row.helper_id] += 1
                day.distances_m.append(scored.distance_m)
            day.largest_lead = max(day.largest_lead, _largest_lead(ranking))
            if record:
                day.looked_at.append(
                    [
                        (row.helper_id, value)
                        for row, _, value in ranking.looked_at
                        if value is not None
                    ]
                )
    return day


def pool(day: Day, *, margin: float, wanted: int) -> set[int]:
    """The helpers within `margin` of the `wanted`-th best of at least one request, of a day
    run with `record`, unbounded, at a margin at least as wide."""
    helpers: set[int] = set()
    for ranked in day.looked_at:
        if ranked:
            rankings = sorted((value for _, value in ranked), reverse=True)
            floor = rankings[min(wanted, len(rankings)) - 1] - margin
            helpers.update(helper_id for helper_id, value in ranked if value >= floor)
    return helpers


def _largest_lead(ranking: Ranking) -> float:
    """How far the best helper looked at and not asked scored above the lowest asked."""
    if not ranking.chosen:
        return -math.inf
    asked = {scored.row.helper_id for scored in ranking.chosen}
    left_out = [
        value
        for row, _, value in ranking.looked_at
        if value is not None and row.helper_id not in asked
    ]
    lowest = min(scored.ranking for scored in ranking.chosen)
    return max(left_out, default=-math.inf) - lowest


def most_even(total: int, helpers: int) -> list[int]:
    """`total` offers spread over `helpers` as evenly as whole offers allow."""
    share, rest = divmod(total, helpers)
    return [share + 1] * rest + [share] * (helpers - rest)


def gini(values: Sequence[int]) -> float:
    """0 when everyone has the same, towards 1 when one has everything."""
    ordered = sorted(values)
    total = sum(ordered)
    if not ordered or total == 0:
        return 0.0
    n = len(ordered)
    weighted = sum(index * value for index, value in enumerate(ordered, start=1))
    return 2 * weighted / (n * total) - (n + 1) / n


@dataclass(frozen=True)
class DayFigures:
    offers: int
    unmatched: int
    gini_floor: float  # the Gini of the most even spread of this many offers over the pool
    helpers_offered: int
    gini: float
    top_decile_share: float
    median_km: float
    max_per_helper: int
    newcomers_offered: int
    rank_p50_ms: float
    rank_p95_ms: float
    outside_pool: int
    largest_lead: float


def figures(day: Day, pool: set[int], newcomers: set[int]) -> DayFigures:
    from bench.loop import percentile

    counts = [day.offers.get(helper_id, 0) for helper_id in pool]
    total = sum(day.offers.values())
    top = sorted(counts, reverse=True)[: max(1, math.ceil(0.1 * len(counts)))]
    return DayFigures(
        offers=total,
        unmatched=day.unmatched,
        gini_floor=gini(most_even(total, len(counts))) if counts else 0.0,
        helpers_offered=len(day.offers),
        gini=gini(counts),
        top_decile_share=sum(top) / total if total else 0.0,
        median_km=statistics.median(day.distances_m) / 1000 if day.distances_m else math.nan,
        max_per_helper=max(day.offers.values(), default=0),
        newcomers_offered=sum(1 for helper_id in newcomers if day.offers.get(helper_id)),
        rank_p50_ms=percentile(day.rank_ms, 0.5),
        rank_p95_ms=percentile(day.rank_ms, 0.95),
        outside_pool=sum(n for helper_id, n in day.offers.items() if helper_id not in pool),
        largest_lead=day.largest_lead,
    )


@dataclass(frozen=True)
class CurvePoint:
    """Fairness on at one margin, measured over the pool that margin makes."""

    margin: float
    pool: int
    figures: DayFigures


@dataclass(frozen=True)
class BandPoint:
    """Fairness on at the default margin with one band limit, over that margin's pool."""

    band_limit: int
    figures: DayFigures


@dataclass(frozen=True)
class FairnessOutcome:
    on: DayFigures
    off: DayFigures
    pool: int  # helpers equally qualified for at least one request
    newcomers_in_pool: int
    curve: list[CurvePoint]  # by margin, FAIR_MARGIN's the same run as `on`
    band_curve: list[BandPoint]  # by band limit, FAIR_BAND_LIMIT's the same run as `on`


def fairness_report(
    requests: Sequence[DayRequest], *, now: datetime, using: str, newcomer_ids: set[int]
) -> FairnessOutcome:
    """Both runs over the same requests, measured over the same pool. `newcomer_ids`: the
    helpers the data made newcomers."""
    margins = sorted({*CURVE_MARGINS, FAIR_MARGIN})
    wanted = int(_quartier().offer_batch_size)
    seen = simulate_day(
        requests, fair=True, now=now, using=using, margin=margins[-1], band_limit=0, record=True
    )
    on = simulate_day(requests, fair=True, now=now, using=using)
    off = simulate_day(requests, fair=False, now=now, using=using)
    fair_pool = pool(seen, margin=FAIR_MARGIN, wanted=wanted)
    newcomers = fair_pool & newcomer_ids
    on_figures = figures(on, fair_pool, newcomers)
    curve = []
    for margin in margins:
        if margin == FAIR_MARGIN:
            curve.append(CurvePoint(margin, len(fair_pool), on_figures))
            continue
        day = simulate_day(requests, fair=True, now=now, using=using, margin=margin)
        helpers = pool(seen, margin=margin, wanted=wanted)
        curve.append(
            CurvePoint(margin, len(helpers), figures(day, helpers, helpers & newcomer_ids))
        )
    band_curve = []
    for band_limit in BAND_LIMITS:
        if band_limit == FAIR_BAND_LIMIT:
            band_curve.append(BandPoint(band_limit, on_figures))
            continue
        day = simulate_day(requests, fair=True, now=now, using=using, band_limit=band_limit)
        band_curve.append(BandPoint(band_limit, figures(day, fair_pool, newcomers)))
    return FairnessOutcome(
        on=on_figures,
        off=figures(off, fair_pool, newcomers),
        pool=len(fair_pool),
        newcomers_in_pool=len(newcomers),
        curve=curve,
        band_curve=band_curve,
    )
