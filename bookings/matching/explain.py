"""Matching a help request: whom to offer it, and the record of who was considered and why.

`match_request` is the one entry point (offers_dispatch calls it). It ranks the helpers around
the request (`ranking.rank`) with the request's languages, windows and exclusions, gives the
chosen ones geopy's exact distance, and explains each choice: an explanation per offered
helper (`Candidate`), and for the community manager everyone looked at (`Considered`).

Eligible: approved, accepting jobs, active account, skilled in the category, able to be paid
(a payout account that takes charges, or working for free) (these are what puts a helper in
the index), their own service radius covers the customer, sharing a
language, free in a requested window, not the customer themselves and not excluded.

Fairness: among helpers whose scores lie within `FAIRNESS_MARGIN` of each other, those with the
fewest offers today are asked (`ranking.fair_choice`), weighing besides the best the nearest
`FAIRNESS_BAND_LIMIT` of the equally good; newly approved helpers get a small bonus.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import DateTimeField, IntegerField, QuerySet, Value
from django.db.models.functions import Cast

from academy.selectors import required_courses, uncertified_helpers_near
from backend import clock
from backend.config import config
from backend.geo import Point, bounding_box, geodesic_m
from backend.prepared import Prepared
from bookings.matching.free_time import FreeSlots, covers
from bookings.matching.protocol import FreeFilter, languages_mask
from bookings.matching.ranking import (
    OFFERED,
    RANKED_BELOW,
    Availability,
    OffersToday,
    Ranking,
    Scored,
    rank,
)
from bookings.matching.scoring import Weights
from bookings.models import (
    FreeTimeSpan,
    HelperBlock,
    HelpRequest,
    MatchIndexState,
    Offer,
    TimeWindow,
    WithdrawalCause,
)
from helpers.availability import SWISS_TIME, AvailabilityIndex, FreeSlot, Interval
from helpers.models import HelperProfile
from helpers.selectors import unpaid_helpers_near

OFFER_TABLE = Offer._meta.db_table

# How many helpers a manager's record of a matching run lists (nearest and offered first).
CONSIDERED_LISTED = 50

CANNOT_BE_PAID = (
    "left out: charges for the work, and their payout account cannot take payments yet "
    "(no paid offers until it can, unless they work for free)"
)

# Followed by the titles of the courses whose certification the helper lacks.
NOT_CERTIFIED = "left out: lacks the certification required for this category: "

Window = tuple[datetime, datetime]


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
    # Read once, before the search, in one statement.
    context = pass_context(help_request, now)
    windows = context.windows
    if not windows:
        return MatchResult([], [], 0)
    customer_ids, blocked = context.customer_ids, context.blocked
    fair = config().fairness_margin > 0
    offers_today = OffersTodayCounter(now, help_request_id=help_request.pk) if fair else None
    center = Point(help_request.latitude, help_request.longitude)
    availability, free_filter = _availability(
        windows,
        help_request.category.typical_duration_minutes,
        span=context.span,
        offers_today=offers_today,
    )
    ranking = rank(
        category_id=help_request.category_id,
        center=center,
        radius_km=radius_km,
        limit=limit,
        languages=help_request.languages,
        exclude_helper_ids=set(exclude_helper_ids) | customer_ids,
        blocked_helper_ids=blocked,
        availability=availability,
        offers_today=offers_today,
        now=now,
        scores_usable=context.scores_usable,
        free_filter=free_filter,
    )
    chosen = _with_geodesics(center, ranking.chosen, search_radius_m=radius_km * 1000.0)
    candidates = _candidates(chosen, ranking, help_request=help_request, radius_km=radius_km)
    considered = _considered(ranking, candidates, customer_ids=customer_ids)
    considered += _cannot_be_paid(
        help_request,
        center,
        radius_km=radius_km,
        left_out=customer_ids | set(exclude_helper_ids) | blocked,
    )
    considered += _not_certified(
        help_request,
        center,
        radius_km=radius_km,
        left_out=customer_ids | set(exclude_helper_ids) | blocked,
        needed=context.required_courses,
    )
    return MatchResult(candidates, considered, ranking.examined)


def _cannot_be_paid(
    help_request: HelpRequest, center: Point, *, radius_km: float, left_out: set[int]
) -> list[Considered]:
    """The helpers in reach, skilled and otherwise ready, whom the index leaves out because
    they charge and their payout account cannot take payments: listed with that reason."""
    radius_m = radius_km * 1000.0
    found = []
    for helper_id, latitude, longitude, reach_km in unpaid_helpers_near(
        category_id=help_request.category_id,
        box=bounding_box(center, radius_m),
        limit=CONSIDERED_LISTED,
    ):
        if latitude is None or longitude is None:
            continue
        distance = geodesic_m(center, Point(latitude, longitude))
        if helper_id in left_out or distance > min(radius_m, reach_km * 1000.0):
            continue
        found.append(
            Considered(
                helper_id=helper_id,
                distance_m=round(distance),
                score=None,
                offered=False,
                reason=CANNOT_BE_PAID,
            )
        )
    return found


def _not_certified(
    help_request: HelpRequest,
    center: Point,
    *,
    radius_km: float,
    left_out: set[int],
    needed: frozenset[int],
) -> list[Considered]:
    """The helpers in reach, skilled and otherwise ready, whom the index leaves out of this
    category because they lack a certification it requires: listed naming what they miss. A
    fixed number of queries (none past one when the category requires nothing)."""
    radius_m = radius_km * 1000.0
    found = []
    if not needed:
        return []
    for helper in uncertified_helpers_near(
        category_id=help_request.category_id,
        box=bounding_box(center, radius_m),
        limit=CONSIDERED_LISTED,
        needed=needed,
    ):
        if helper.latitude is None or helper.longitude is None:
            continue
        distance = geodesic_m(center, Point(helper.latitude, helper.longitude))
        if helper.helper_id in left_out or distance > min(
            radius_m, helper.service_radius_km * 1000.0
        ):
            continue
        found.append(
            Considered(
                helper_id=helper.helper_id,
                distance_m=round(distance),
                score=None,
                offered=False,
                reason=NOT_CERTIFIED + "; ".join(helper.missing),
            )
        )
    return found


@dataclass(frozen=True)
class PassContext:
    """What a matching pass reads before the search, in one statement (`PASS_CONTEXT`)."""

    windows: list[Window]  # the request's windows that have not ended, from now on
    customer_ids: set[int]  # the customer's own helper profile
    blocked: set[int]  # the helpers the customer asked never to be offered their requests
    span: Interval | None  # the stored free time's span (None: never built)
    # Whether the index's stored scores suit this process's settings (None: ask the index).
    scores_usable: bool | None
    required_courses: frozenset[int]  # the certifications the category requires


_SPAN, _SCORES_USABLE, _WINDOW, _OWN_PROFILE, _BLOCKED, _REQUIRED = range(6)


def _pass_context_query(
    help_request_id: int, customer_id: int, category_id: int, static_key: str
) -> QuerySet[Any, tuple[int, int, datetime | None, datetime | None]]:
    """Each of the reads a tagged row (kind, id, start, end) of one statement."""
    # Typed, as PostgreSQL takes a bare NULL of a DISTINCT branch for text.
    no_time = Cast(Value(None), output_field=DateTimeField())

    def tagged(kind: int) -> Value:  # the row's kind
        return Value(kind, output_field=IntegerField())

    span = FreeTimeSpan.objects.filter(pk=1).values_list(
        tagged(_SPAN), "pk", "starts_at", "ends_at"
    )
    usable = MatchIndexState.objects.filter(pk=1, static_key=static_key).values_list(
        tagged(_SCORES_USABLE), "pk", no_time, no_time
    )
    windows = TimeWindow.objects.filter(help_request_id=help_request_id).values_list(
        tagged(_WINDOW), "pk", "starts_at", "ends_at"
    )
    own = HelperProfile.objects.filter(user_id=customer_id).values_list(
        tagged(_OWN_PROFILE), "pk", no_time, no_time
    )
    blocked = HelperBlock.objects.filter(customer_id=customer_id).values_list(
        tagged(_BLOCKED), "helper_id", no_time, no_time
    )
    required = required_courses(category_id).values_list(tagged(_REQUIRED), "pk", no_time, no_time)
    parts = [part.order_by() for part in (span, usable, windows, own, blocked, required)]
    return parts[0].union(*parts[1:], all=True)


PASS_CONTEXT = Prepared(
    _pass_context_query, help_request_id=int, customer_id=int, category_id=int, static_key=str
)


def pass_context(help_request: HelpRequest, now: datetime) -> PassContext:
    """The request's open windows, the customer's own helper profile and blocked helpers, the
    stored free time's span, whether the stored scores are usable, the category's required
    courses: one prepared statement."""
    windows: list[Window] = []
    customer_ids: set[int] = set()
    blocked: set[int] = set()
    required: set[int] = set()
    span: Interval | None = None
    usable = False
    for kind, pk, starts_at, ends_at in PASS_CONTEXT.rows(
        help_request_id=help_request.pk,
        customer_id=help_request.customer_id,
        category_id=help_request.category_id,
        static_key=Weights.current().static_key(),
    ):
        if kind == _WINDOW:
            if ends_at > now:
                windows.append((max(starts_at, now), ends_at))
        elif kind == _SPAN:
            span = (starts_at, ends_at)
        elif kind == _SCORES_USABLE:
            usable = True
        elif kind == _OWN_PROFILE:
            customer_ids.add(pk)
        elif kind == _BLOCKED:
            blocked.add(pk)
        else:
            required.add(pk)
    windows.sort()
    return PassContext(
        windows=windows,
        customer_ids=customer_ids,
        blocked=blocked,
        span=span,
        scores_usable=None if span is None else usable,
        required_courses=frozenset(required),
    )


def _availability(
    windows: list[Window],
    minutes: int,
    *,
    span: Interval | None,
    offers_today: OffersTodayCounter | None = None,
) -> tuple[Availability, FreeFilter | None]:
    """Helper ids → each one's first free slot of `minutes` in the windows, or None: from the
    stored free time when its `span` covers the windows (with the offers today counted in the
    same statement), and then with the test the ring statements ask themselves; else from the
    calendars."""
    if covers(span, windows):
        slots = FreeSlots(windows, minutes, rider=offers_today)
        return slots, slots.ring_filter()
    span = (min(start for start, _ in windows), max(end for _, end in windows))

    def availability(helper_ids: Sequence[int]) -> dict[int, FreeSlot | None]:
        index = AvailabilityIndex(helper_ids, *span)
        return {pk: index.first_free_slot(pk, windows, minutes) for pk in helper_ids}

    return availability, None


class OffersTodayCounter:
    """Counts of offers each helper received since midnight, Swiss time, for other requests
    than `help_request_id` (matching one request again must not count against its helpers).

    Matching asks it alongside the free time (`FreeSlots`' rider: the same statement per batch
    of helpers), so fairness costs no statement of its own; helpers it was not asked about
    alongside are counted on their own."""

    def __init__(self, now: datetime, *, help_request_id: int | None = None) -> None:
        midnight = now.astimezone(SWISS_TIME).replace(hour=0, minute=0, second=0, microsecond=0)
        # An offer withdrawn because the customer changed the request does not count. One plain
        # statement on the (helper, created_at) index, as the ORM would write it, without
        # building it anew for every ranking.
        other_requests = "" if help_request_id is None else " AND help_request_id <> %s"
        self._tail = (
            f"AND created_at >= %s AND withdrawal_cause <> %s{other_requests} GROUP BY helper_id"
        )
        self._params: list[Any] = [
            connection.ops.adapt_datetimefield_value(midnight),
            WithdrawalCause.REQUEST_CHANGED,
        ]
        if help_request_id is not None:
            self._params.append(help_request_id)
        self._known: dict[int, int] = {}
        self._asked: set[int] = set()

    def sql(self, helper_ids: Sequence[int]) -> tuple[str, list[Any]]:
        """The statement selecting (helper_id, value) for those of `helper_ids` with offers."""
        return (
            f"SELECT helper_id, COUNT(*) AS value FROM {OFFER_TABLE} "
            f"WHERE helper_id IN ({', '.join(['%s'] * len(helper_ids))}) {self._tail}",
            [*helper_ids, *self._params],
        )

    def take(self, helper_ids: Sequence[int], values: dict[int, int]) -> None:
        self._asked.update(helper_ids)
        self._known.update(values)

    def __call__(self, helper_ids: Sequence[int]) -> dict[int, int]:
        missing = sorted({pk for pk in helper_ids if pk not in self._asked})
        if missing:
            sql, params = self.sql(missing)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                self.take(missing, dict(cursor.fetchall()))
        return {pk: self._known[pk] for pk in helper_ids if pk in self._known}


def offers_today_counter(now: datetime, *, help_request_id: int | None = None) -> OffersToday:
    """Counts of offers each helper received since midnight, Swiss time, for other requests
    than `help_request_id`."""
    return OffersTodayCounter(now, help_request_id=help_request_id)


def _with_geodesics(center: Point, chosen: list[Scored], *, search_radius_m: float) -> list[Scored]:
    """The few chosen with geopy's own distance and the score it gives, so that what is stored
    and shown is the geodesic."""
    weights = Weights.current()
    exact = []
    for scored in chosen:
        geodesic = geodesic_m(center, Point(scored.row.latitude, scored.row.longitude))
        value = weights.score(geodesic, search_radius_m, scored.rating, scored.reliable)
        exact.append(
            replace(
                scored,
                distance_m=geodesic,
                score=value,
                ranking=value + (scored.ranking - scored.score),
            )
        )
    return exact


def _candidates(
    chosen: list[Scored], ranking: Ranking, *, help_request: HelpRequest, radius_km: float
) -> list[Candidate]:
    """The offers to make, best first, each with its explanation."""
    request_languages = set(help_request.languages)
    ranked = {row.helper_id: value for row, _, value in ranking.looked_at if value is not None}
    candidates = []
    for position, scored in enumerate(chosen):
        helper_id = scored.row.helper_id
        count = ranking.offers_today.get(helper_id, 0)
        earlier = {s.row.helper_id for s in chosen[:position]}
        # Better-scored helpers this one was asked before, because they had more offers today.
        chosen_over = [
            other_id
            for other_id, other_count in ranking.offers_today.items()
            if other_count > count
            and other_id not in earlier
            and ranked.get(other_id, float("-inf")) > ranked[helper_id]
        ]
        shared = sorted(
            code for code in request_languages if languages_mask([code]) & scored.row.languages_mask
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
    return candidates


def _considered(
    ranking: Ranking, candidates: list[Candidate], *, customer_ids: set[int]
) -> list[Considered]:
    """Everyone looked at (the customer's own helper profile aside), offered ones first, then by
    distance. The offered helpers are listed with the geodesic figures their offers carry."""
    final = {c.helper_id: (c.distance_m, c.score) for c in candidates}
    offered, passed_over = ranking.offered_ids, ranking.passed_over
    considered = []
    for row, distance, value in ranking.looked_at:
        helper_id = row.helper_id
        if helper_id in customer_ids:
            continue
        if helper_id in final:
            distance, value = final[helper_id]
        considered.append(
            Considered(
                helper_id=helper_id,
                distance_m=round(distance),
                score=value,
                offered=helper_id in final,
                reason=OFFERED
                if helper_id in offered
                else passed_over.get(helper_id, RANKED_BELOW),
            )
        )
    considered.sort(key=_listed_first)
    return considered


def _listed_first(considered: Considered) -> tuple[bool, int, int]:
    """The record's order: offered helpers first, then the nearest."""
    return (not considered.offered, considered.distance_m, considered.helper_id)


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
    slot = scored.slot
    # Figures and codes only: bookings.offer_summary words them in the reader's language.
    explanation: dict[str, Any] = {
        "distance_m": round(scored.distance_m),
        "search_radius_km": radius_km,
        "service_radius_km": row.service_radius_km,
        "rating_average": average,
        "rating_count": row.rating_count,
        "bayesian_rating": round(scored.rating, 3),
        "reliability": round(scored.reliable, 3),
        "category": help_request.category.slug,
        "shared_languages": shared,
        "free_from": clock.iso(slot.starts_at) if slot else None,
        "free_until": clock.iso(slot.ends_at) if slot else None,
        "score": round(scored.ranking, 4),
    }
    if scored.new_helper:
        explanation["new_helper_bonus"] = config().fairness_new_helper_bonus
    if chosen_over:
        explanation["offers_today"] = offers_today
        explanation["chosen_over_busier"] = chosen_over
    return explanation
