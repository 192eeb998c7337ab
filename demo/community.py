"""The demo community as it is being built: its people, its clock, and who is busy when.

One `Community` per build. The scenarios read and extend it; it also answers the questions a
scenario asks before it acts ("which helpers would matching consider here?", "is this helper
free then?"), from what the build itself has written, so that no scenario plans a visit the
services would refuse.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from backend.config import QuartierConfig
from backend.geo import Point, geodesic_m
from backend.localities import Locality
from backend.models import User
from bookings import services
from bookings.models import HelpRequest, HelpRequestStatus, Offer, OfferStatus
from catalogue.models import ServiceCategory
from demo.history import QUARTER, History, ceil_quarter
from demo.places import Places
from helpers.availability import SWISS_TIME
from helpers.models import HelperProfile
from helpers.services import WeeklyInterval

Interval = tuple[datetime, datetime]


@dataclass
class Person:
    user: User
    point: Point
    locality: Locality
    language: str  # the main one, for texts
    languages: frozenset[str]


@dataclass
class Helper:
    person: Person
    profile: HelperProfile
    skills: frozenset[int]
    radius_km: int
    weekly: list[WeeklyInterval]
    # (min_lat, max_lat, min_lon, max_lon) around home holding everything within reach.
    reach: tuple[float, float, float, float]

    @property
    def user(self) -> User:
        return self.person.user


@dataclass
class Community:
    rng: random.Random
    history: History
    places: Places
    config: QuartierConfig
    categories: list[ServiceCategory]
    password_hash: str  # one for everybody: hashing hundreds of passwords would take minutes
    manager: User
    customers: list[Person] = field(default_factory=list)
    helpers: list[Helper] = field(default_factory=list)
    # Approved and accepting jobs: the helpers matching can offer requests to.
    active_helpers: list[Helper] = field(default_factory=list)
    helpers_by_pk: dict[int, Helper] = field(default_factory=dict)
    # Visit slots each helper holds or held, so history never double-books anyone.
    busy: dict[int, list[Interval]] = field(default_factory=dict)
    # Their holidays, so nobody plans a visit then.
    away: dict[int, list[Interval]] = field(default_factory=dict)
    emails_given: int = 0
    _eligible_cache: dict[int, list[tuple[float, Helper]]] = field(default_factory=dict)

    # --- who matching would consider -----------------------------------------------------------

    def eligible(self, point: Point, languages: frozenset[str]) -> list[tuple[float, Helper]]:
        """Helpers that matching would consider for a request at `point`, nearest first
        (ignoring their hours): approved, accepting, within both radii, sharing a language."""
        max_m = float(self.config.match_max_radius_km) * 1000.0
        found: list[tuple[float, Helper]] = []
        for helper in self.active_helpers:
            min_lat, max_lat, min_lon, max_lon = helper.reach
            if not (min_lat <= point.latitude <= max_lat and min_lon <= point.longitude <= max_lon):
                continue
            if not languages & helper.person.languages:
                continue
            distance = geodesic_m(point, helper.person.point)
            if distance <= min(max_m, helper.radius_km * 1000.0):
                found.append((distance, helper))
        found.sort(key=lambda item: (item[0], item[1].profile.pk))
        return found

    def eligible_for(self, customer: Person) -> list[tuple[float, Helper]]:
        key = customer.user.pk
        if key not in self._eligible_cache:
            self._eligible_cache[key] = self.eligible(customer.point, customer.languages)
        return self._eligible_cache[key]

    def open_requests(self, customer: Person) -> int:
        return HelpRequest.objects.filter(
            customer=customer.user,
            status__in=(HelpRequestStatus.OPEN, HelpRequestStatus.UNMATCHED),
        ).count()

    def shuffled_customers(self) -> list[Person]:
        order = list(self.customers)
        self.rng.shuffle(order)
        return order

    def pending_offers(self, help_request: HelpRequest) -> list[Offer]:
        return list(
            Offer.objects.filter(help_request=help_request, status=OfferStatus.PENDING).order_by(
                "rank", "pk"
            )
        )

    def helper_of(self, offer: Offer) -> Helper:
        return self.helpers_by_pk[offer.helper_id]

    def dispatch(self, help_request: HelpRequest) -> None:
        """What the worker does after a decline or a broken booking: offer it to others."""
        help_request.refresh_from_db(fields=["status"])
        if help_request.status == HelpRequestStatus.OPEN:
            services.offers_dispatch(help_request=help_request)

    # --- helpers' time --------------------------------------------------------------------------

    def occurrences(self, helper: Helper, start: datetime, end: datetime) -> list[Interval]:
        """The helper's weekly hours as concrete intervals between start and end."""
        found = []
        first = start.astimezone(SWISS_TIME).date()
        last = end.astimezone(SWISS_TIME).date()
        for offset in range((last - first).days + 1):
            day = first + timedelta(days=offset)
            for interval in helper.weekly:
                if interval.weekday != day.weekday():
                    continue
                begins = datetime.combine(day, interval.start_time, tzinfo=SWISS_TIME)
                ends = datetime.combine(day, interval.end_time, tzinfo=SWISS_TIME)
                if ends > start and begins < end:
                    found.append((begins, ends))
        return found

    def is_busy(self, helper: Helper, start: datetime, end: datetime) -> bool:
        """Whether the helper has a visit then, or is on holiday."""
        taken = (*self.busy.get(helper.profile.pk, ()), *self.away.get(helper.profile.pk, ()))
        return any(s < end and start < e for s, e in taken)

    def hold(self, helper: Helper, start: datetime, end: datetime) -> None:
        self.busy.setdefault(helper.profile.pk, []).append((start, end))

    def release(self, helper: Helper, start: datetime, end: datetime) -> None:
        self.busy[helper.profile.pk].remove((start, end))


def slots_in(
    windows: Sequence[Interval], minutes: int, low: datetime, high: datetime
) -> list[datetime]:
    """Every quarter-hour start between low and high for a visit of `minutes` in the windows."""
    length = timedelta(minutes=minutes)
    starts = []
    for window_start, window_end in windows:
        moment = ceil_quarter(max(window_start, low))
        while moment + length <= window_end and moment <= high:
            starts.append(moment)
            moment += QUARTER
    return starts
