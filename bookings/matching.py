"""Which helpers may be offered a help request, and in which order.

`find_candidates` is the entry point for offers, `match_request` the same with the record of who
was considered and why. Both walk the match index (`bookings.match_index`) outwards from the
customer, nearest rings first, and stop as soon as no helper farther out could score higher
than the ones already found: the composite score (distance, Bayesian rating, reliability) is
exact without scanning every helper in the radius.

Eligible: approved, accepting jobs, active account, skilled in the category (these four are
what puts a helper in the index), their own service radius covers the customer, sharing a
language, free in a requested window, not the customer themselves and not excluded.

Fairness: among helpers whose scores lie within `FAIRNESS_MARGIN` of the best one left, the
one with the fewest offers today is asked first; newly approved helpers get a small bonus.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Count

from backend.config import config
from backend.geo import LOCAL_DISTANCE_TOLERANCE, Point, distances_from, geodesic_m
from bookings import match_index
from bookings.models import HelpRequest, Offer, WithdrawalCause
from bookings.scoring import Weights
from helpers.availability import SWISS_TIME, AvailabilityIndex, FreeSlot
from helpers.models import HelperProfile

# How many helpers a manager's record of a matching run lists (nearest and offered first).
CONSIDERED_LISTED = 50
_AVAILABILITY_BATCH = 24
# Float rounding in sums of scores: far below any difference that means something.
_SCORE_SLACK = 1e-9


@dataclass(frozen=True)
class Candidate:
    helper_id: int
    distance_m: float
    score: float
    explanation: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Considered:
    """A helper the matching looked at, and what became of them."""

    helper_id: int
    distance_m: int
    score: float | None
    offered: bool
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            "helper_id": self.helper_id,
            "distance_m": self.distance_m,
            "score": None if self.score is None else round(self.score, 4),
            "offered": self.offered,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class MatchResult:
    candidates: list[Candidate]
    considered: list[Considered]
    examined: int


def bayesian_rating(rating_sum: int, rating_count: int) -> float:
    """The average rating pulled towards a prior, so that one 5★ review is not a top helper."""
    return Weights.current().bayesian_rating(rating_sum, rating_count)


def reliability(
    *,
    completed: int,
    cancellations_caused: int,
    no_shows_caused: int,
    offers_answered: int = 0,
    offers_expired: int = 0,
    response_seconds_total: int = 0,
) -> float:
    """How dependable the helper is, from 0 to 1; a newcomer starts at 1.0.

    Four fifths are commitments kept: one kept visit as a prior, only cancellations and
    no-shows the helper caused count against it, and a no-show weighs double. One fifth is
    responsiveness: an offer answered at once counts fully, one answered at its deadline half,
    one left to expire not at all (with one prompt answer as a prior).
    """
    return Weights.current().reliability(
        completed,
        cancellations_caused,
        no_shows_caused,
        offers_answered,
        offers_expired,
        response_seconds_total,
    )


def score(*, distance_m: float, search_radius_m: float, rating: float, reliable: float) -> float:
    return Weights.current().score(distance_m, search_radius_m, rating, reliable)


def _format_km(distance_m: float) -> str:
    return f"{distance_m / 1000:.1f} km"


@dataclass
class Scored:
    """A helper within reach and sharing a language, with their score."""

    row: match_index.IndexRow
    distance_m: float
    rating: float
    reliable: float
    score: float
    new_helper: bool
    ranking: float  # score plus the new helper's bonus
    slot: FreeSlot | None = None


Availability = Callable[[Sequence[int]], dict[int, FreeSlot | None]]
OffersToday = Callable[[Sequence[int]], dict[int, int]]


@dataclass
class Ranking:
    """The outcome of `rank`: the chosen helpers, best first, and everyone looked at."""

    chosen: list[Scored]
    offers_today: dict[int, int]
    passed_over: dict[int, str]  # helper id → why not chosen, when ruled out before ranking
    # Every helper looked at: the index row, the distance, and the ranking score if scored.
    looked_at: list[tuple[match_index.IndexRow, float, float | None]]
    examined: int

    def reason(self, helper_id: int) -> str:
        """Why a helper looked at was or was not chosen."""
        if any(s.row.helper_id == helper_id for s in self.chosen):
            return "offered"
        return self.passed_over.get(helper_id, "ranked below the helpers offered")


def rank(
    *,
    category_id: int,
    center: Point,
    radius_km: float,
    limit: int,
    languages: Collection[str] | None = None,
    exclude_helper_ids: Collection[int] = (),
    availability: Availability | None = None,
    offers_today: OffersToday | None = None,
    now: datetime | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> Ranking:
    """The best `limit` helpers by composite score, walking the index nearest first.

    Stops once the last chosen helper's score (less the fairness margin) beats what any helper
    farther out could reach. `availability` (helper ids → first free slot or None) is asked in
    batches, best scores first, so only helpers who could be chosen are looked up.
    """
    weights = Weights.current()
    search_radius_m = radius_km * 1000.0
    now = now or datetime.now(UTC)
    margin = config().fairness_margin if offers_today is not None else 0.0
    bonus = config().fairness_new_helper_bonus
    new_since = (now - timedelta(days=config().fairness_new_helper_days)).timestamp()
    new_visits = config().fairness_new_helper_visits
    language_mask = match_index.languages_mask(languages) if languages is not None else 0
    excluded = set(exclude_helper_ids)
    # The best any helper could add to closeness: a perfect rating and reliability, the bonus.
    best_static = weights.rating_weight + weights.reliability_weight + bonus
    distance_of = distances_from(center)
    tolerance = LOCAL_DISTANCE_TOLERANCE

    looked_at: list[tuple[match_index.IndexRow, float, float | None]] = []
    passed_over: dict[int, str] = {}
    # Scored but not yet checked for availability: a heap, best ranking first.
    unchecked: list[tuple[float, float, int, Scored]] = []
    free: list[Scored] = []  # available, best first
    examined = 0

    def kth_ranking() -> float | None:
        return free[limit - 1].ranking if len(free) >= limit else None

    def check_availability() -> None:
        while unchecked:
            kth = kth_ranking()
            if kth is not None and -unchecked[0][0] < kth - margin:
                return
            batch = [
                heapq.heappop(unchecked)[3] for _ in range(min(_AVAILABILITY_BATCH, len(unchecked)))
            ]
            slots = availability([s.row.helper_id for s in batch]) if availability else {}
            for scored in batch:
                slot = slots.get(scored.row.helper_id) if availability else None
                if availability is not None and slot is None:
                    passed_over[scored.row.helper_id] = "not free in any of the requested windows"
                    continue
                scored.slot = slot
                free.append(scored)
            free.sort(key=lambda s: (-s.ranking, s.distance_m, s.row.helper_id))

    # Helpers who cannot score enough are left out in the database: by their stored score, in
    # the spatial index itself, when it was computed under these settings; else by computing it.
    vendor = connections[using].vendor
    indexed = match_index.stored_scores_usable(weights, using=using)
    static_sql, static_params = weights.static_sql(
        vendor,
        bonus=bonus,
        new_since=now - timedelta(days=config().fairness_new_helper_days),
        new_visits=new_visits,
        stored=match_index.STORED_SCORE_COLUMN[vendor] if indexed else None,
    )
    bound = match_index.ScoreBound(
        static_sql, static_params, weights.distance_weight, search_radius_m, indexed, bonus
    )
    search = match_index.rings(
        category_id, center, search_radius_m, max(limit * 3, 16), 0, using, bound=bound
    )
    ring = next(search)
    while True:
        kth = kth_ranking()
        # Helpers who could not reach the current last chosen one are scored, never queued.
        floor = -math.inf if kth is None else kth - margin
        for row in ring.rows:
            distance = distance_of(row.latitude, row.longitude)
            if distance > search_radius_m * (1 + tolerance):
                continue  # outside this search: a later, wider one may reach them
            if distance > search_radius_m * (1 - tolerance):
                settled = match_index.settle_within(center, row, distance, search_radius_m)
                if settled is None:
                    continue
                distance = settled
            examined += 1
            helper_id = row.helper_id
            if helper_id in excluded:
                looked_at.append((row, distance, None))
                passed_over[helper_id] = "already asked for this request"
                continue
            if language_mask and not row.languages_mask & language_mask:
                looked_at.append((row, distance, None))
                passed_over[helper_id] = "speaks none of the customer's languages"
                continue
            reach = row.service_radius_km * 1000.0
            if distance > reach * (1 - tolerance):
                settled = match_index.settle_within(center, row, distance, reach)
                if settled is None:
                    looked_at.append((row, distance, None))
                    passed_over[helper_id] = (
                        f"their service radius of {row.service_radius_km} km does not reach "
                        f"{_format_km(distance)}"
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
            value = weights.score(distance, search_radius_m, rating, reliable)
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
            scored = Scored(
                row=row,
                distance_m=distance,
                rating=rating,
                reliable=reliable,
                score=value,
                new_helper=is_new,
                ranking=ranking,
            )
            heapq.heappush(unchecked, (-ranking, distance, helper_id, scored))
        check_availability()
        kth = kth_ranking()
        ceiling = (
            weights.distance_weight * max(0.0, 1.0 - ring.covered_m / search_radius_m) + best_static
        )
        if kth is not None and kth - margin - _SCORE_SLACK > ceiling:
            break
        if ring.covered_m >= search_radius_m:
            break
        try:
            if kth is None:
                ring = search.send(limit - len(free))
            else:
                # The distance from which nobody could beat the last chosen one: cover it all,
                # leaving out (in the database) whoever could not reach the last chosen one.
                needed = 1.0 - (kth - margin - _SCORE_SLACK - best_static) / weights.distance_weight
                ring = search.send(
                    match_index.Reach(
                        search_radius_m * min(1.0, needed) + 1.0, kth - margin - _SCORE_SLACK
                    )
                )
        except StopIteration:
            break

    _settle_close_scores(center, free, limit=limit, search_radius_m=search_radius_m)
    chosen, counts = _choose(free, limit=limit, margin=margin, offers_today=offers_today)
    return Ranking(
        chosen=chosen,
        offers_today=counts,
        passed_over=passed_over,
        looked_at=looked_at,
        examined=examined,
    )


def _settle_close_scores(
    center: Point, free: list[Scored], *, limit: int, search_radius_m: float
) -> None:
    """Where two neighbours in the order (up to the last one chosen) score closer than the fast
    distance's error could move them, rescore both with geopy's distance and sort again."""
    weight = config().score_weight_distance
    unsure: set[int] = set()
    for index in range(min(limit, len(free) - 1)):
        a, b = free[index], free[index + 1]
        error = weight * LOCAL_DISTANCE_TOLERANCE * max(a.distance_m, b.distance_m)
        if a.ranking - b.ranking <= 2 * error / search_radius_m + _SCORE_SLACK:
            unsure.update((index, index + 1))
    for index in unsure:
        scored = free[index]
        exact = geodesic_m(center, Point(scored.row.latitude, scored.row.longitude))
        value = score(
            distance_m=exact,
            search_radius_m=search_radius_m,
            rating=scored.rating,
            reliable=scored.reliable,
        )
        free[index] = replace(
            scored, distance_m=exact, score=value, ranking=value + scored.ranking - scored.score
        )
    if unsure:
        free.sort(key=lambda s: (-s.ranking, s.distance_m, s.row.helper_id))


def _choose(
    free: list[Scored], *, limit: int, margin: float, offers_today: OffersToday | None
) -> tuple[list[Scored], dict[int, int]]:
    """Best first; within `margin` of the best one left, the fewest offers today first."""
    if offers_today is None or margin <= 0 or not free:
        return free[:limit], {}
    floor = free[min(limit, len(free)) - 1].ranking - margin
    band = [s for s in free if s.ranking >= floor]
    counts = offers_today([s.row.helper_id for s in band])
    remaining = list(band)
    chosen: list[Scored] = []
    while remaining and len(chosen) < limit:
        top = remaining[0].ranking
        group = [s for s in remaining if s.ranking >= top - margin]
        pick = min(
            group,
            key=lambda s: (
                counts.get(s.row.helper_id, 0),
                -s.ranking,
                s.distance_m,
                s.row.helper_id,
            ),
        )
        chosen.append(pick)
        remaining.remove(pick)
    return chosen, counts


def offers_today_counter(now: datetime, *, help_request_id: int | None = None) -> OffersToday:
    """Counts of offers each helper received since midnight, Swiss time, for other requests
    than `help_request_id` (matching one request again must not count against its helpers)."""
    midnight = now.astimezone(SWISS_TIME).replace(hour=0, minute=0, second=0, microsecond=0)

    def count(helper_ids: Sequence[int]) -> dict[int, int]:
        # An offer withdrawn because the customer changed the request does not count.
        offers = Offer.objects.filter(
            helper_id__in=list(helper_ids), created_at__gte=midnight
        ).exclude(withdrawal_cause=WithdrawalCause.REQUEST_CHANGED)
        if help_request_id is not None:
            offers = offers.exclude(help_request_id=help_request_id)
        return dict(
            offers.order_by()
            .values("helper_id")
            .annotate(n=Count("id"))
            .values_list("helper_id", "n")
        )

    return count


def _explain(
    scored: Scored,
    *,
    help_request: HelpRequest,
    radius_km: float,
    shared: list[str],
    offers_today: int | None,
    chosen_over: int,
) -> dict[str, Any]:
    row = scored.row
    average = round(row.rating_sum / row.rating_count, 2) if row.rating_count else None
    rating_text = f"{average}★ from {row.rating_count} reviews" if average else "new helper"
    slot = scored.slot
    summary = (
        f"{_format_km(scored.distance_m)}, {rating_text}, skilled in "
        f"{help_request.category.name}, speaks {', '.join(shared)}"
    )
    if slot is not None:
        summary += f", free {slot.starts_at.astimezone(SWISS_TIME):%a %d.%m. %H:%M}"
    explanation: dict[str, Any] = {
        "summary": summary,
        "distance_m": round(scored.distance_m),
        "search_radius_km": radius_km,
        "service_radius_km": row.service_radius_km,
        "rating_average": average,
        "rating_count": row.rating_count,
        "bayesian_rating": round(scored.rating, 3),
        "reliability": round(scored.reliable, 3),
        "category": help_request.category.slug,
        "shared_languages": shared,
        "free_from": slot.starts_at.isoformat() if slot else None,
        "free_until": slot.ends_at.isoformat() if slot else None,
        "score": round(scored.ranking, 4),
    }
    if scored.new_helper:
        explanation["new_helper_bonus"] = config().fairness_new_helper_bonus
    if chosen_over:
        explanation["offers_today"] = offers_today
        explanation["chosen_over_busier"] = chosen_over
    return explanation


def match_request(
    *,
    help_request: HelpRequest,
    radius_km: float,
    exclude_helper_ids: Collection[int] = (),
    limit: int,
    now: datetime,
) -> MatchResult:
    """The best `limit` eligible helpers for the request within `radius_km`, best first, with
    everyone the search looked at and why they were or were not chosen."""
    windows = [
        (max(window.starts_at, now), window.ends_at)
        for window in help_request.windows.all()
        if window.ends_at > now
    ]
    if not windows:
        return MatchResult([], [], 0)
    span = (min(start for start, _ in windows), max(end for _, end in windows))
    minutes = help_request.category.typical_duration_minutes

    def availability(helper_ids: Sequence[int]) -> dict[int, FreeSlot | None]:
        index = AvailabilityIndex(helper_ids, *span)
        return {pk: index.first_free_slot(pk, windows, minutes) for pk in helper_ids}

    customer_ids = set(
        HelperProfile.objects.filter(user_id=help_request.customer_id).values_list("pk", flat=True)
    )
    excluded = set(exclude_helper_ids) | customer_ids
    fair = config().fairness_margin > 0
    center = Point(help_request.latitude, help_request.longitude)
    ranking = rank(
        category_id=help_request.category_id,
        center=center,
        radius_km=radius_km,
        limit=limit,
        languages=help_request.languages,
        exclude_helper_ids=excluded,
        availability=availability,
        offers_today=offers_today_counter(now, help_request_id=help_request.pk) if fair else None,
        now=now,
    )
    # The few chosen get geopy's own distance, so what is stored and shown is the geodesic.
    exact = []
    for scored in ranking.chosen:
        geodesic = match_index.geodesic_of(
            center, match_index.Nearby(scored.row, scored.distance_m)
        ).distance_m
        value = score(
            distance_m=geodesic,
            search_radius_m=radius_km * 1000.0,
            rating=scored.rating,
            reliable=scored.reliable,
        )
        exact.append(
            replace(
                scored,
                distance_m=geodesic,
                score=value,
                ranking=value + (scored.ranking - scored.score),
            )
        )
    request_languages = set(help_request.languages)
    ranked = {row.helper_id: value for row, _, value in ranking.looked_at if value is not None}
    candidates = []
    for position, scored in enumerate(exact):
        helper_id = scored.row.helper_id
        count = ranking.offers_today.get(helper_id, 0)
        earlier = {s.row.helper_id for s in exact[:position]}
        # Better-scored helpers this one was asked before, because they had more offers today.
        chosen_over = [
            other_id
            for other_id, other_count in ranking.offers_today.items()
            if other_count > count
            and other_id not in earlier
            and ranked.get(other_id, float("-inf")) > ranked[helper_id]
        ]
        shared = sorted(
            code
            for code in request_languages
            if match_index.languages_mask([code]) & scored.row.languages_mask
        )
        candidates.append(
            Candidate(
                helper_id=helper_id,
                distance_m=scored.distance_m,
                score=scored.ranking,
                explanation=_explain(
                    scored,
                    help_request=help_request,
                    radius_km=radius_km,
                    shared=shared,
                    offers_today=count,
                    chosen_over=len(chosen_over),
                ),
            )
        )
    chosen_ids = {c.helper_id for c in candidates}
    # The offered helpers are listed with the geodesic figures their offers carry.
    final = {c.helper_id: (c.distance_m, c.score) for c in candidates}
    considered = [
        Considered(
            helper_id=row.helper_id,
            distance_m=round(final[row.helper_id][0] if row.helper_id in final else distance),
            score=(final[row.helper_id][1] if row.helper_id in final else value),
            offered=row.helper_id in chosen_ids,
            reason=ranking.reason(row.helper_id),
        )
        for row, distance, value in ranking.looked_at
        if row.helper_id not in customer_ids
    ]
    considered.sort(key=lambda c: (not c.offered, c.distance_m, c.helper_id))
    return MatchResult(candidates, considered, ranking.examined)


def find_candidates(
    *,
    help_request: HelpRequest,
    radius_km: float,
    exclude_helper_ids: Collection[int] = (),
    limit: int,
    now: datetime,
) -> list[Candidate]:
    """The best `limit` eligible helpers for the request within `radius_km`, best first."""
    return match_request(
        help_request=help_request,
        radius_km=radius_km,
        exclude_helper_ids=exclude_helper_ids,
        limit=limit,
        now=now,
    ).candidates
