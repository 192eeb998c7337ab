"""The composite ranking: the best helpers for a place, walking the match index outwards.

`rank` walks the index nearest rings first (`search.rings`) and stops as soon as no helper
farther out could score higher than the ones already found: the composite score (distance,
Bayesian rating, reliability: `scoring.Weights`) is exact without scanning every helper in the
radius. On the way the database leaves out anyone whose best possible score cannot beat the
last helper chosen. The steps, in the order `rank` takes them:

1. `_score_bound`: what lets the database leave helpers out (stored scores or computed ones);
2. `_Walk.take`: each ring's rows scored, or ruled out with the reason why;
3. `_Walk.check_availability`: whether the scored helpers are free, asked in batches in the
   order the band is chosen (best first, then nearest first), only as far as it needs;
4. `_Walk.next_ask`: stop, or how far (and above which score) the next ring must look;
5. `_settle_close_scores`: near ties settled again with geopy's distance;
6. `_choose`: fairness (`fairness.fair_choice`), within the margin below the `limit`-th best
   helper.

The fairness band (`_band`) is the best `limit` and, among the rest within the margin, the
nearest `fairness_band_limit` (0: all of them). With a limit, the walk stops as soon as nobody
farther out could beat the `limit`-th best and that many of the rest within the margin have
been found free nearer than anyone not yet seen: at national scale the helpers within the margin
grow with the density, the band does not (bench/NOTES.md).
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS

from backend import clock
from backend.config import config
from backend.geo import LOCAL_DISTANCE_TOLERANCE, Point, distances_from, geodesic_m
from bookings.matching.fairness import fair_choice
from bookings.matching.index import stored_scores_usable
from bookings.matching.protocol import (
    SCORED_RING_MIN_STEP_M,
    FreeFilter,
    IndexRow,
    Reach,
    ScoreBound,
    languages_mask,
)
from bookings.matching.scoring import Weights
from bookings.matching.search import rings, settle_within, spatial_index
from helpers.availability import FreeSlot

_AVAILABILITY_BATCH = 24
# Why a helper the customer blocked is not offered their request (the manager reads it).
BLOCKED_BY_CUSTOMER = "blocked by the customer"
# Why a helper asked was not chosen (the manager reads it).
NOT_FREE = "not free in any of the requested windows"
# Why a helper looked at was chosen, or was not when nothing ruled them out (the manager reads
# it).
OFFERED = "offered"
RANKED_BELOW = "ranked below the helpers offered"
# Float rounding in sums of scores: far below any difference that means something.
_SCORE_SLACK = 1e-9


def format_km(distance_m: float) -> str:
    return f"{distance_m / 1000:.1f} km"


@dataclass
class Scored:
    """A helper within reach and sharing a language, with their score."""

    row: IndexRow
    distance_m: float
    rating: float
    reliable: float
    score: float
    new_helper: bool
    ranking: float  # score plus the new helper's bonus
    slot: FreeSlot | None = None


def _best_first(scored: Scored) -> tuple[float, float, int]:
    return (-scored.ranking, scored.distance_m, scored.row.helper_id)


Availability = Callable[[Sequence[int]], dict[int, FreeSlot | None]]
OffersToday = Callable[[Sequence[int]], dict[int, int]]


@dataclass
class Ranking:
    """The outcome of `rank`: the chosen helpers, best first, and everyone looked at."""

    chosen: list[Scored]
    offers_today: dict[int, int]
    passed_over: dict[int, str]  # helper id → why not chosen, when ruled out before ranking
    # Every helper looked at: the index row, the distance, and the ranking score if scored.
    looked_at: list[tuple[IndexRow, float, float | None]]
    examined: int
    offered_ids: frozenset[int] = field(init=False)

    def __post_init__(self) -> None:
        self.offered_ids = frozenset(s.row.helper_id for s in self.chosen)

    def reason(self, helper_id: int) -> str:
        """Why a helper looked at was or was not chosen."""
        if helper_id in self.offered_ids:
            return OFFERED
        return self.passed_over.get(helper_id, RANKED_BELOW)


class _Newcomers(NamedTuple):
    """The fair start: `bonus` for helpers approved since `since` with fewer than `visits`
    completed visits."""

    bonus: float
    since: datetime
    visits: int


def rank(
    *,
    category_id: int,
    center: Point,
    radius_km: float,
    limit: int,
    languages: Collection[str] | None = None,
    exclude_helper_ids: Collection[int] = (),
    blocked_helper_ids: Collection[int] = (),
    availability: Availability | None = None,
    offers_today: OffersToday | None = None,
    now: datetime | None = None,
    scores_usable: bool | None = None,
    free_filter: FreeFilter | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> Ranking:
    """The best `limit` helpers by composite score, walking the index nearest first.

    Stops once the last chosen helper's score (less the fairness margin) beats what any helper
    farther out could reach, or once it beats it without the margin and the nearest
    `fairness_band_limit` of the equally good are known (`_Walk.next_ask`). `availability`
    (helper ids → first free slot or None) is asked in batches for those who could be in the
    band (`_Walk.check_availability`). `scores_usable`: whether the stored scores suit this
    process's settings, if the caller read it (None: read it here). `free_filter`: the free
    time's test, where the rings ask it (`SpatialIndex.free_in_ring`)."""
    settings = config()
    weights = Weights.current()
    now = now or clock.now()
    search_radius_m = radius_km * 1000.0
    newcomers = _Newcomers(
        bonus=settings.fairness_new_helper_bonus,
        since=now - timedelta(days=settings.fairness_new_helper_days),
        visits=settings.fairness_new_helper_visits,
    )
    free = free_filter if spatial_index(using).free_in_ring else None  # else asked per batch
    walk = _Walk(
        center=center,
        search_radius_m=search_radius_m,
        limit=limit,
        weights=weights,
        newcomers=newcomers,
        margin=settings.fairness_margin if offers_today is not None else 0.0,
        band_limit=settings.fairness_band_limit,
        language_mask=languages_mask(languages) if languages is not None else 0,
        excluded=set(exclude_helper_ids),
        blocked=set(blocked_helper_ids),
        availability=availability,
        asked_per_batch=availability is not None and free is None,
    )
    # Languages are checked in `_Walk.take`, so that the record can say why one was passed over.
    search = rings(
        category_id,
        center,
        max_m=search_radius_m,
        want=max(limit * 3, 16),
        using=using,
        bound=_score_bound(
            weights, newcomers, search_radius_m, scores_usable=scores_usable, using=using
        ),
        free=free,
    )
    ring = next(search)
    while True:
        walk.take(ring.rows, ring.free)
        walk.check_availability()
        ask = walk.next_ask(ring.covered_m)
        if ask is None:
            break
        try:
            ring = search.send(ask)
        except StopIteration:
            break
    chosen, counts = walk.choose(offers_today)
    return Ranking(
        chosen=chosen,
        offers_today=counts,
        passed_over=walk.passed_over,
        looked_at=walk.looked_at,
        examined=walk.examined,
    )


def _score_bound(
    weights: Weights,
    newcomers: _Newcomers,
    search_radius_m: float,
    *,
    scores_usable: bool | None,
    using: str,
) -> ScoreBound:
    """Helpers who cannot score enough are left out in the database: by their stored score, in
    the spatial index itself, when it was computed under these settings; else by computing it."""
    spatial = spatial_index(using)
    indexed = stored_scores_usable(weights, using=using) if scores_usable is None else scores_usable
    static_sql, static_params = weights.static_sql(
        spatial.score_dialect,
        bonus=newcomers.bonus,
        new_since=newcomers.since,
        new_visits=newcomers.visits,
        stored=spatial.stored_score_column if indexed else None,
    )
    return ScoreBound(
        static_sql,
        static_params,
        distance_weight=weights.distance_weight,
        search_radius_m=search_radius_m,
        indexed=indexed,
        bonus=newcomers.bonus,
    )


class _Walk:
    """One ranking's state as it walks the rings outwards: who was looked at, who is scored and
    waiting for the availability check (a heap, best ranking first), who is free."""

    def __init__(
        self,
        *,
        center: Point,
        search_radius_m: float,
        limit: int,
        weights: Weights,
        newcomers: _Newcomers,
        margin: float,
        band_limit: int,
        language_mask: int,
        excluded: set[int],
        blocked: set[int],
        availability: Availability | None,
        asked_per_batch: bool = False,
    ) -> None:
        self.center, self.search_radius_m, self.limit = center, search_radius_m, limit
        self.asked_per_batch = asked_per_batch
        self.weights, self.newcomers, self.margin = weights, newcomers, margin
        self.band_limit = band_limit
        self.language_mask, self.excluded, self.availability = language_mask, excluded, availability
        self.blocked = blocked
        # The best any helper could add to closeness: a perfect rating and reliability, the bonus.
        self.best_static = weights.rating_weight + weights.reliability_weight + newcomers.bonus
        self.distance_of = distances_from(center)
        # How far geopy's distance may move a score (`_settle_close_scores`): who lies that
        # close to a line the band is drawn at is asked as if on the right side of it.
        self.settle_slack = 3.0 * weights.distance_weight * LOCAL_DISTANCE_TOLERANCE + _SCORE_SLACK
        self.looked_at: list[tuple[IndexRow, float, float | None]] = []
        self.passed_over: dict[int, str] = {}
        self.unchecked: list[tuple[float, float, int, Scored]] = []
        self.free: list[Scored] = []  # available, best first
        self.examined = 0
        # Whether each helper is free, when the rings said so (with a free filter); and the
        # free ones whose exact slot is still to be asked.
        self.known_free: dict[int, bool] = {}
        self.slot_pending: set[int] = set()

    def kth_ranking(self) -> float | None:
        """The last chosen helper's ranking so far, once there are enough."""
        return self.free[self.limit - 1].ranking if len(self.free) >= self.limit else None

    def take(self, rows: list[IndexRow], free: frozenset[int] | None = None) -> None:
        """Score a ring's rows. Those outside the search radius are skipped (a wider search
        may reach them); those excluded, speaking none of the languages or out of their own
        reach are recorded with the reason; the rest are scored, and queued for the
        availability check unless they cannot reach the current last chosen one. `free`: the
        helpers among the rows who are free, when the ring's statement said."""
        if free is not None:
            self.known_free.update((row.helper_id, row.helper_id in free) for row in rows)
        kth = self.kth_ranking()
        floor = -math.inf if kth is None else kth - self.margin
        center, radius_m, weights = self.center, self.search_radius_m, self.weights
        distance_of, tolerance, language_mask = (
            self.distance_of,
            LOCAL_DISTANCE_TOLERANCE,
            self.language_mask,
        )
        bonus, new_visits = self.newcomers.bonus, self.newcomers.visits
        new_since = self.newcomers.since.timestamp()
        excluded, looked_at, unchecked = self.excluded, self.looked_at, self.unchecked
        examined = 0
        for row in rows:
            distance = distance_of(row.latitude, row.longitude)
            if distance > radius_m * (1 + tolerance):
                continue
            if distance > radius_m * (1 - tolerance):
                settled = settle_within(center, row, distance_m=distance, limit_m=radius_m)
                if settled is None:
                    continue
                distance = settled
            examined += 1
            helper_id = row.helper_id
            if helper_id in excluded:
                self._pass_over(row, distance, "already asked for this request")
                continue
            if helper_id in self.blocked:
                self._pass_over(row, distance, BLOCKED_BY_CUSTOMER)
                continue
            if language_mask and not row.languages_mask & language_mask:
                self._pass_over(row, distance, "speaks none of the customer's languages")
                continue
            reach = row.service_radius_km * 1000.0
            if distance > reach * (1 - tolerance):
                settled = settle_within(center, row, distance_m=distance, limit_m=reach)
                if settled is None:
                    self._pass_over(
                        row,
                        distance,
                        f"their service radius of {row.service_radius_km} km does not reach "
                        f"{format_km(distance)}",
                    )
                    continue
                distance = settled
            rating = weights.bayesian_rating(row.rating_sum, row.rating_count)
            reliable = weights.reliability(
                row.completed_visits,
                row.cancellations_caused,
                row.no_shows_caused,
                row.offers_answered,
                row.offers_expired,
                row.response_seconds_total,
            )
            value = weights.score(distance, radius_m, rating, reliable)
            is_new = (
                bonus > 0
                and row.approved_epoch is not None
                and row.approved_epoch >= new_since
                and row.completed_visits < new_visits
            )
            ranking = value + bonus if is_new else value
            looked_at.append((row, distance, ranking))
            if ranking < floor:
                continue
            scored = Scored(row, distance, rating, reliable, value, is_new, ranking)
            heapq.heappush(unchecked, (-ranking, distance, helper_id, scored))
        self.examined += examined

    def _pass_over(self, row: IndexRow, distance_m: float, reason: str) -> None:
        self.looked_at.append((row, distance_m, None))
        self.passed_over[row.helper_id] = reason

    def check_availability(self) -> None:
        """Ask whether the scored helpers who could be chosen are free, a batch at a time.

        Where the rings said who is free, all of those within the margin of the last chosen
        one, best first. Where each batch costs a statement (`asked_per_batch`), only as many
        as the band needs, in the order it is chosen (`_next_to_ask`): nobody is recorded as
        not free who was not asked."""
        if self.asked_per_batch:
            while batch := self._next_to_ask():
                self._ask(batch)
            return
        while self.unchecked:
            kth = self.kth_ranking()
            if kth is not None and -self.unchecked[0][0] < kth - self.margin:
                return
            count = min(_AVAILABILITY_BATCH, len(self.unchecked))
            self._ask([heapq.heappop(self.unchecked)[3] for _ in range(count)])

    def _ask(self, batch: list[Scored]) -> None:
        availability, known = self.availability, self.known_free
        unknown = [s.row.helper_id for s in batch if s.row.helper_id not in known]
        slots = availability(unknown) if availability and unknown else {}
        for scored in batch:
            helper_id = scored.row.helper_id
            if helper_id in known:
                # The ring said: free (the exact slot is asked if they may be chosen), or not.
                slot = None
                if known[helper_id]:
                    self.slot_pending.add(helper_id)
                else:
                    self.passed_over[helper_id] = NOT_FREE
                    continue
            else:
                slot = slots.get(helper_id) if availability else None
            if availability is not None and slot is None and helper_id not in known:
                self.passed_over[scored.row.helper_id] = NOT_FREE
                continue
            scored.slot = slot
            self.free.append(scored)
        self.free.sort(key=_best_first)

    def _next_to_ask(self) -> list[Scored]:
        """The next batch to ask, taken off the queue: first, best first, whoever could be
        among the best `limit`; then, nearest first, whoever within the margin of the last of
        them could be among the band's nearest `band_limit` (all of them with 0). None once
        the band's nearest are known free and nearer than anyone not asked (by more than the
        fast distance's error), or nobody within the margin is left."""
        unchecked, kth = self.unchecked, self.kth_ranking()
        if not unchecked:
            return []
        line = -math.inf if kth is None else kth - self.settle_slack
        if -unchecked[0][0] >= line:
            batch: list[Scored] = []
            while unchecked and len(batch) < _AVAILABILITY_BATCH and -unchecked[0][0] >= line:
                batch.append(heapq.heappop(unchecked)[3])
            return batch
        if kth is None or self.margin <= 0:
            return []
        floor = kth - self.margin - self.settle_slack
        within = sorted((s for _, _, _, s in unchecked if s.ranking >= floor), key=_nearest_first)
        if not within:
            return []
        if self.band_limit > 0:
            nearest_unasked = within[0].distance_m * (1.0 - 2.0 * LOCAL_DISTANCE_TOLERANCE)
            surely_in = kth - self.margin + self.settle_slack
            found = sum(
                1
                for s in self.free[self.limit :]
                if s.ranking >= surely_in and s.distance_m < nearest_unasked
            )
            if found >= self.band_limit:
                return []
        batch = within[:_AVAILABILITY_BATCH]
        asked = {s.row.helper_id for s in batch}
        self.unchecked = [entry for entry in unchecked if entry[2] not in asked]
        heapq.heapify(self.unchecked)
        return batch

    def fill_slots(self, *, fair: bool) -> None:
        """The exact slots of the helpers who may be chosen (the band `_choose` picks from),
        among those the rings found free: one statement, which with fairness on also counts
        their offers today. Nobody it finds without a slot is chosen. (With a free filter, each
        ring's statement said which of its helpers are free, and `availability` is asked only
        here, once, for the slots.)"""
        while self.slot_pending and self.availability is not None:
            band = _band(
                self.free,
                limit=self.limit,
                margin=self.margin if fair else 0.0,
                band_limit=self.band_limit,
            )
            pending = [s.row.helper_id for s in band if s.row.helper_id in self.slot_pending]
            if not pending:
                return
            slots = self.availability(pending)
            self.slot_pending.difference_update(pending)
            taken = set()
            for scored in band:
                helper_id = scored.row.helper_id
                if helper_id in slots:
                    scored.slot = slots[helper_id]
                    if scored.slot is None:  # not free after all: the data moved since
                        taken.add(helper_id)
                        self.passed_over[helper_id] = NOT_FREE
            if not taken:
                return
            self.free = [s for s in self.free if s.row.helper_id not in taken]

    def choose(self, offers_today: OffersToday | None) -> tuple[list[Scored], dict[int, int]]:
        """Once the walk stopped: near ties settled with geopy's distance, the exact slots of
        those who may be chosen, and the choice (`_choose`) with the offers today it read."""
        _settle_close_scores(
            self.center,
            self.free,
            limit=self.limit,
            weights=self.weights,
            search_radius_m=self.search_radius_m,
        )
        self.fill_slots(fair=offers_today is not None)
        return _choose(
            self.free,
            limit=self.limit,
            margin=self.margin,
            band_limit=self.band_limit,
            offers_today=offers_today,
        )

    def next_ask(self, covered_m: float) -> int | Reach | None:
        """What to send the ring search after a ring that covered `covered_m`: None to stop
        (nobody farther out could come within the margin of the last chosen one; or nobody
        could beat them and the bounded band is full; or the whole radius is covered); else
        how many helpers are still lacking, or how far to look and above which score."""
        kth = self.kth_ranking()
        closeness = max(0.0, 1.0 - covered_m / self.search_radius_m)
        ceiling = self.weights.distance_weight * closeness + self.best_static
        if kth is not None and kth - self.margin - _SCORE_SLACK > ceiling:
            return None
        settled = kth is not None and kth - _SCORE_SLACK > ceiling
        if settled and self.band_limit > 0 and self._band_full(covered_m):
            return None
        if covered_m >= self.search_radius_m:
            return None
        if kth is None:
            return self.limit - len(self.free)
        # The distance from which nobody could beat the last chosen one: cover it all, leaving
        # out (in the database) whoever could not reach the last chosen one.
        floor = kth - self.margin - _SCORE_SLACK
        target = self._radius_for(floor)
        if self.band_limit > 0 and self.margin > 0:
            # A bounded band may be full long before that: out to where nobody could beat the
            # last chosen one at once, and from there doubling the distance covered.
            step = max(2.0 * covered_m, covered_m + SCORED_RING_MIN_STEP_M)
            target = min(target, max(self._radius_for(kth - _SCORE_SLACK), step))
        return Reach(target, floor)

    def _radius_for(self, floor: float) -> float:
        """Just beyond the distance from which nobody could reach `floor`."""
        needed = 1.0 - (floor - self.best_static) / self.weights.distance_weight
        return self.search_radius_m * min(1.0, needed) + 1.0

    def _band_full(self, covered_m: float) -> bool:
        """Whether `band_limit` helpers beyond the best `limit`, within the margin of the last
        of them, are known free and nearer than anyone not yet seen (with room for the fast
        distance's error): then they are the nearest of the band, whoever lies farther out."""
        kth = self.kth_ranking()
        if kth is None:
            return False
        floor = kth - self.margin
        within = covered_m * (1.0 - 2.0 * LOCAL_DISTANCE_TOLERANCE)
        found = 0
        for scored in self.free[self.limit :]:
            if scored.ranking < floor:
                break  # best first: nobody after them is within the margin
            if scored.distance_m <= within:
                found += 1
                if found >= self.band_limit:
                    return True
        return False


def _settle_close_scores(
    center: Point, free: list[Scored], *, limit: int, weights: Weights, search_radius_m: float
) -> None:
    """Where two neighbours in the order (up to the last one chosen) score closer than the fast
    distance's error could move them, rescore both with geopy's distance and sort again."""
    unsure: set[int] = set()
    for index in range(min(limit, len(free) - 1)):
        a, b = free[index], free[index + 1]
        error = weights.distance_weight * LOCAL_DISTANCE_TOLERANCE * max(a.distance_m, b.distance_m)
        if a.ranking - b.ranking <= 2 * error / search_radius_m + _SCORE_SLACK:
            unsure.update((index, index + 1))
    for index in unsure:
        scored = free[index]
        exact = geodesic_m(center, Point(scored.row.latitude, scored.row.longitude))
        value = weights.score(exact, search_radius_m, scored.rating, scored.reliable)
        free[index] = replace(
            scored, distance_m=exact, score=value, ranking=value + scored.ranking - scored.score
        )
    if unsure:
        free.sort(key=_best_first)


def _choose(
    free: list[Scored],
    *,
    limit: int,
    margin: float,
    band_limit: int,
    offers_today: OffersToday | None,
) -> tuple[list[Scored], dict[int, int]]:
    """The helpers to ask: the best `limit` with fairness off; with it on, `fair_choice` among
    the band (`_band`), fewest offers today first."""
    if offers_today is None or margin <= 0 or not free:
        return free[:limit], {}
    band = _band(free, limit=limit, margin=margin, band_limit=band_limit)
    counts = offers_today([s.row.helper_id for s in band])
    return fair_choice(band, counts, limit=limit, margin=margin), counts


def _band(free: list[Scored], *, limit: int, margin: float, band_limit: int) -> list[Scored]:
    """Those `_choose` picks from (`free` is best first, and so is the band): the best `limit`,
    and with a fairness `margin` the rest within it of the last of them, or with a `band_limit`
    the nearest that many of the rest (ties by helper id).

    `fair_choice`'s bound still holds for the whole of `free`: whoever the band leaves out
    scores at most as much as the last of the best `limit`, and everyone in the band at least
    that less the margin."""
    if margin <= 0 or not free:
        return free[:limit]
    floor = free[min(limit, len(free)) - 1].ranking - margin
    rest = [s for s in free[limit:] if s.ranking >= floor]
    if 0 < band_limit < len(rest):
        nearest = heapq.nsmallest(band_limit, rest, key=_nearest_first)
        kept = {s.row.helper_id for s in nearest}
        rest = [s for s in rest if s.row.helper_id in kept]
    return free[:limit] + rest


def _nearest_first(scored: Scored) -> tuple[float, int]:
    return (scored.distance_m, scored.row.helper_id)
