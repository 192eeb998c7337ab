"""The community manager's figures over time and place: requests per day and how many found a
helper, and where helpers and requests are, by locality.

Reads only, for the manager only (anyone else gets nothing). Days are Swiss calendar days
(Europe/Zurich). No customer's address or exact position leaves here: requests and helpers are
counted per locality and placed at the locality's centroid from the official directory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.db.models.functions import TruncDate

from backend import clock
from backend.exceptions import ValidationFailed
from backend.localities import resolve_locality
from backend.models import User
from backend.point import Point
from bookings.models import Booking, HelpRequest
from catalogue.models import ServiceCategory
from helpers.models import ApprovalStatus, HelperProfile

SWISS_TIME = ZoneInfo("Europe/Zurich")
# The periods the console offers, in days.
PERIODS = (7, 30, 90)
# Where the directory does not know a locality, its places are rounded to this many decimals
# of a degree (about 1 km), so an exact position never shows.
_ROUNDING = 2


@dataclass(frozen=True)
class Day:
    day: date
    requests: int
    matched: int

    @property
    def match_rate(self) -> float | None:
        """The share of the day's requests that a helper accepted, from 0 to 1 (None: none)."""
        return self.matched / self.requests if self.requests else None

    @property
    def match_percent(self) -> int | None:
        rate = self.match_rate
        return None if rate is None else round(rate * 100)


@dataclass(frozen=True)
class Place:
    postal_code: str
    locality: str
    point: Point


@dataclass(frozen=True)
class HelpersAt:
    place: Place
    helpers: int


@dataclass(frozen=True)
class RequestsAt:
    place: Place
    matched: int
    unmatched: int


def period_start(days: int, *, today: date | None = None) -> datetime:
    """Midnight in Zürich at the start of the last `days` Swiss days (today included)."""
    today = today or clock.now().astimezone(SWISS_TIME).date()
    return datetime.combine(today - timedelta(days=days - 1), time(0), tzinfo=SWISS_TIME)


def _matched() -> Exists:
    """A request counts as matched once a helper accepted it (a booking was made)."""
    return Exists(Booking.objects.filter(help_request=OuterRef("pk")))


def requests_per_day(user: User, *, days: int, today: date | None = None) -> list[Day]:
    """Each Swiss day of the period, oldest first, with the requests posted that day and how
    many of them a helper accepted; days without requests are there with zeros. One query."""
    if not user.is_staff:
        return []
    start = period_start(days, today=today)
    rows = (
        HelpRequest.objects.filter(created_at__gte=start)
        .annotate(day=TruncDate("created_at", tzinfo=SWISS_TIME), was_matched=_matched())
        .values("day")
        .annotate(requests=Count("id"), matched=Count("id", filter=Q(was_matched=True)))
        .order_by("day")
    )
    counted = {row["day"]: (row["requests"], row["matched"]) for row in rows}
    first = start.date()
    return [
        Day(first + timedelta(days=n), *counted.get(first + timedelta(days=n), (0, 0)))
        for n in range(days)
    ]


def _place(postal_code: str, locality: str, latitude: float, longitude: float) -> Place:
    try:
        point = resolve_locality(postal_code=postal_code, locality=locality).point
    except ValidationFailed:
        point = Point(round(latitude, _ROUNDING), round(longitude, _ROUNDING))
    return Place(postal_code, locality, point)


# The helpers' counts per locality change slowly and take a pass over every approved helper:
# the console's map reads them at most HELPER_COUNTS_SECONDS old.
HELPER_COUNTS_SECONDS = 60
# The map's table lists the localities with the most helpers; the map itself shows them all.
MAP_TABLE_ROWS = 50


def _counts_key(what: str, category: ServiceCategory | None, limit: int | None = None) -> str:
    return f"console:{what}:{category.pk if category is not None else 'all'}:{limit or 'all'}"


def helpers_by_locality(
    user: User, *, category: ServiceCategory | None = None, limit: int | None = None
) -> list[HelpersAt]:
    """Approved helpers (with the skill, when given) counted by the locality of their home,
    most helpers first (the first `limit` localities, when given). One query, its answer kept
    for HELPER_COUNTS_SECONDS."""
    if not user.is_staff:
        return []
    key = _counts_key("helpers-by-locality", category, limit)
    found: list[HelpersAt] | None = cache.get(key)
    if found is None:
        found = _count_helpers_by_locality(category)[:limit]
        cache.set(key, found, HELPER_COUNTS_SECONDS)
    return found


def helpers_geojson(user: User, *, category: ServiceCategory | None = None) -> bytes:
    """`helpers_by_locality` as an encoded GeoJSON FeatureCollection, kept as it is sent (a
    country's localities are thousands of features: they are not built again on each read)."""
    if not user.is_staff:
        return json.dumps(as_geojson([])).encode()
    key = _counts_key("helpers-geojson", category)
    body: bytes | None = cache.get(key)
    if body is None:
        body = json.dumps(as_geojson(helpers_by_locality(user, category=category))).encode()
        cache.set(key, body, HELPER_COUNTS_SECONDS)
    return body


def _count_helpers_by_locality(category: ServiceCategory | None) -> list[HelpersAt]:
    helpers = HelperProfile.objects.filter(
        approval_status=ApprovalStatus.APPROVED, user__home_latitude__isnull=False
    )
    if category is not None:
        helpers = helpers.filter(skills=category)  # a skill once per helper: no repeats
    rows = (
        helpers.values("user__home_postal_code", "user__home_locality")
        .annotate(
            helpers=Count("id"),
            latitude=Min("user__home_latitude"),
            longitude=Min("user__home_longitude"),
        )
        .order_by("-helpers", "user__home_postal_code", "user__home_locality")
    )
    return [
        HelpersAt(
            _place(
                row["user__home_postal_code"],
                row["user__home_locality"],
                row["latitude"],
                row["longitude"],
            ),
            row["helpers"],
        )
        for row in rows
    ]


def requests_by_locality(user: User, *, days: int, today: date | None = None) -> list[RequestsAt]:
    """The requests posted in the period counted by locality, matched (a helper accepted) and
    not, most unmatched first. One query."""
    if not user.is_staff:
        return []
    rows = (
        HelpRequest.objects.filter(created_at__gte=period_start(days, today=today))
        .annotate(was_matched=_matched())
        .values("postal_code", "locality")
        .annotate(
            matched=Count("id", filter=Q(was_matched=True)),
            unmatched=Count("id", filter=Q(was_matched=False)),
            latitude=Min("latitude"),
            longitude=Min("longitude"),
        )
        .order_by("-unmatched", "-matched", "postal_code", "locality")
    )
    return [
        RequestsAt(
            _place(row["postal_code"], row["locality"], row["latitude"], row["longitude"]),
            row["matched"],
            row["unmatched"],
        )
        for row in rows
    ]


def as_geojson(places: Iterable[HelpersAt | RequestsAt]) -> dict:
    """A GeoJSON FeatureCollection (RFC 7946: longitude first) of counted places."""
    features = []
    for counted in places:
        place = counted.place
        properties: dict[str, str | int] = {
            "postal_code": place.postal_code,
            "locality": place.locality,
        }
        if isinstance(counted, HelpersAt):
            properties["helpers"] = counted.helpers
        else:
            properties["matched"] = counted.matched
            properties["unmatched"] = counted.unmatched
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [place.point.longitude, place.point.latitude],
                },
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}
