"""Which helpers may be offered a help request, and in which order.

`find_candidates` is the one entry point: callers never look inside. Its internals
(a bounding-box prefilter on the helper's home coordinates, then exact WGS84 geodesic
distances) can be replaced by a national-scale index without touching any caller.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from backend.geo import Point, bounding_box, geodesic_m_within
from bookings.models import HelpRequest
from helpers.availability import SWISS_TIME, AvailabilityIndex
from helpers.models import ApprovalStatus, HelperProfile

MAX_SERVICE_RADIUS_KM = 50


@dataclass(frozen=True)
class Candidate:
    helper_id: int
    distance_m: float
    score: float
    explanation: dict[str, Any] = field(default_factory=dict)


def bayesian_rating(rating_sum: int, rating_count: int) -> float:
    """The average rating pulled towards a prior, so that one 5★ review is not a top helper."""
    config: dict[str, Any] = settings.QUARTIER
    prior_mean, prior_weight = config["RATING_PRIOR_MEAN"], config["RATING_PRIOR_WEIGHT"]
    return (prior_weight * prior_mean + rating_sum) / (prior_weight + rating_count)


def reliability(*, completed: int, cancellations_caused: int, no_shows_caused: int) -> float:
    """Share of commitments kept, with one kept visit as a prior so newcomers start at 1.0.

    Only cancellations and no-shows the helper caused count; a no-show weighs double.
    """
    kept = completed + 1
    broken = cancellations_caused + 2 * no_shows_caused
    return kept / (kept + broken)


def score(*, distance_m: float, search_radius_m: float, rating: float, reliable: float) -> float:
    config: dict[str, Any] = settings.QUARTIER
    closeness = max(0.0, 1.0 - distance_m / search_radius_m) if search_radius_m else 0.0
    return (
        config["SCORE_WEIGHT_DISTANCE"] * closeness
        + config["SCORE_WEIGHT_RATING"] * (rating - 1.0) / 4.0
        + config["SCORE_WEIGHT_RELIABILITY"] * reliable
    )


def _format_km(distance_m: float) -> str:
    return f"{distance_m / 1000:.1f} km"


def candidate_rows(
    *, help_request: HelpRequest, radius_km: float, exclude_helper_ids: Collection[int] = ()
) -> QuerySet[HelperProfile, tuple[Any, ...]]:
    """The database prefilter: eligible helpers whose home lies in the search's bounding box.

    One row per helper: (pk, home latitude, home longitude, languages, service radius,
    rating sum, rating count, completed visits, cancellations caused, no-shows caused).
    """
    center = Point(help_request.latitude, help_request.longitude)
    min_lat, max_lat, min_lon, max_lon = bounding_box(center, radius_km * 1000.0)
    return (
        HelperProfile.objects.filter(
            approval_status=ApprovalStatus.APPROVED,
            is_accepting_jobs=True,
            user__is_active=True,
            skill_rows__category_id=help_request.category_id,
            user__home_latitude__gte=min_lat,
            user__home_latitude__lte=max_lat,
            user__home_longitude__gte=min_lon,
            user__home_longitude__lte=max_lon,
        )
        .exclude(user_id=help_request.customer_id)
        .exclude(pk__in=list(exclude_helper_ids))
        .values_list(
            "pk",
            "user__home_latitude",
            "user__home_longitude",
            "user__languages",
            "service_radius_km",
            "rating_sum",
            "rating_count",
            "completed_visits",
            "cancellations_caused",
            "no_shows_caused",
        )
    )


def find_candidates(
    *,
    help_request: HelpRequest,
    radius_km: float,
    exclude_helper_ids: Collection[int] = (),
    limit: int,
    now: datetime,
) -> list[Candidate]:
    """The best `limit` eligible helpers for the request within `radius_km`, best first.

    Eligible: approved, accepting jobs, active account, skilled in the category, their own
    service radius covers the customer, sharing a language, free in a requested window, not
    the customer themselves and not in `exclude_helper_ids`.
    """
    center = Point(help_request.latitude, help_request.longitude)
    search_radius_m = radius_km * 1000.0
    rows = candidate_rows(
        help_request=help_request, radius_km=radius_km, exclude_helper_ids=exclude_helper_ids
    )
    request_languages = set(help_request.languages)
    in_reach: list[tuple[float, tuple[Any, ...], list[str]]] = []
    for row in rows:
        _, lat, lon, languages, service_radius_km = row[:5]
        if lat is None or lon is None:  # the bounding-box filter already excludes these
            continue
        shared = sorted(request_languages.intersection(languages or ()))
        if not shared:
            continue
        distance_m = geodesic_m_within(
            center, Point(lat, lon), min(search_radius_m, service_radius_km * 1000.0)
        )
        if distance_m is None:
            continue
        in_reach.append((distance_m, row, shared))
    if not in_reach:
        return []

    windows = [
        (window.starts_at, window.ends_at)
        for window in help_request.windows.all()
        if window.ends_at > now
    ]
    windows = [(max(start, now), end) for start, end in windows]
    if not windows:
        return []
    availability = AvailabilityIndex(
        [row[0] for _, row, _ in in_reach],
        min(start for start, _ in windows),
        max(end for _, end in windows),
    )
    minutes = help_request.category.typical_duration_minutes
    candidates: list[Candidate] = []
    for distance_m, row, shared in in_reach:
        (helper_id, _, _, _, _, rating_sum, rating_count, completed, cancelled, no_shows) = row
        slot = availability.first_free_slot(helper_id, windows, minutes)
        if slot is None:
            continue
        rating = bayesian_rating(rating_sum, rating_count)
        reliable = reliability(
            completed=completed, cancellations_caused=cancelled, no_shows_caused=no_shows
        )
        value = score(
            distance_m=distance_m,
            search_radius_m=search_radius_m,
            rating=rating,
            reliable=reliable,
        )
        average = round(rating_sum / rating_count, 2) if rating_count else None
        rating_text = f"{average}★ from {rating_count} reviews" if average else "new helper"
        summary = (
            f"{_format_km(distance_m)}, {rating_text}, skilled in "
            f"{help_request.category.name}, speaks {', '.join(shared)}, free "
            f"{slot.starts_at.astimezone(SWISS_TIME):%a %d.%m. %H:%M}"
        )
        candidates.append(
            Candidate(
                helper_id=helper_id,
                distance_m=distance_m,
                score=value,
                explanation={
                    "summary": summary,
                    "distance_m": round(distance_m),
                    "search_radius_km": radius_km,
                    "service_radius_km": row[4],
                    "rating_average": average,
                    "rating_count": rating_count,
                    "bayesian_rating": round(rating, 3),
                    "reliability": round(reliable, 3),
                    "category": help_request.category.slug,
                    "shared_languages": shared,
                    "free_from": slot.starts_at.isoformat(),
                    "free_until": slot.ends_at.isoformat(),
                    "score": round(value, 4),
                },
            )
        )
    candidates.sort(key=lambda c: (-c.score, c.distance_m, c.helper_id))
    return candidates[:limit]
