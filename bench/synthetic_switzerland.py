"""A synthetic Switzerland of helpers and customers, for benchmarks only.

People live around real localities of the official directory: 88 % in 22 city clusters, picked
in proportion to the agglomeration's size and spread around its centre with a Gaussian that is
wider for bigger cities, and 12 % anywhere in the countryside (every Swiss locality equally
likely). A home is the chosen locality's centroid moved by about a kilometre, so homes stay in
Swiss neighbourhoods without a border check per helper.

Helpers are written with `bulk_create` straight into the tables, not through the services:
20,000 helpers take seconds instead of an hour. Import this module only after
`django.setup()`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import time
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.db import transaction

from backend.geo import Point, point_to_geojson
from backend.localities import Locality, localities
from backend.models import LANGUAGE_CODES, User
from catalogue.models import ServiceCategory
from helpers.models import ApprovalStatus, HelperProfile, HelperSkill, WeeklyAvailability

# (name in the directory, agglomeration population in thousands): the weight of each cluster.
CITY_CLUSTERS: tuple[tuple[str, int], ...] = (
    ("Zürich", 1400),
    ("Genève", 600),
    ("Basel", 550),
    ("Bern", 420),
    ("Lausanne", 420),
    ("Luzern", 230),
    ("St. Gallen", 170),
    ("Lugano", 150),
    ("Winterthur", 140),
    ("Zug", 130),
    ("Baden", 110),
    ("Biel/Bienne", 105),
    ("Fribourg", 100),
    ("Thun", 95),
    ("Aarau", 90),
    ("Neuchâtel", 85),
    ("Solothurn", 80),
    ("Sion", 75),
    ("Schaffhausen", 70),
    ("Chur", 60),
    ("Olten", 55),
    ("Locarno", 55),
)
RURAL_SHARE = 0.12
HOME_JITTER_M = 1_000.0
# Homes are kept inside Switzerland's bounding box (and so inside the database's check).
_MIN_LATITUDE, _MAX_LATITUDE = 45.82, 47.80
_MIN_LONGITUDE, _MAX_LONGITUDE = 5.96, 10.49
_METRES_PER_DEGREE_LATITUDE = 111_320.0

APPROVED_SHARE = 0.70
APPLIED_SHARE = 0.18  # the rest is suspended
ACCEPTING_JOBS_SHARE = 0.90
MEDIAN_RADIUS_KM = 10.0
RADIUS_SIGMA = 0.5  # of the lognormal: half the helpers between about 7 and 14 km
MIN_RADIUS_KM, MAX_RADIUS_KM = 2, 25

# What people speak where the directory says a locality speaks this.
_SPOKEN: dict[str, tuple[str, ...]] = {
    "de": ("de",),
    "fr": ("fr",),
    "it": ("it",),
    "rm": ("de",),  # Romansh speakers speak German too; Quartier has no Romansh.
    "multiple": ("de", "fr"),  # Biel/Bienne, Fribourg/Freiburg and their neighbours
}
_NATIONAL = ("de", "fr", "it")
_DAY_PARTS: tuple[tuple[time, time], ...] = (
    (time(8, 0), time(12, 0)),
    (time(13, 0), time(18, 0)),
    (time(18, 0), time(22, 0)),
)
BENCH_PASSWORD = "quartier-bench-only"  # noqa: S105 - nobody logs in to a benchmark database


@dataclass(frozen=True)
class Home:
    locality: Locality
    point: Point


@dataclass(frozen=True)
class _Cluster:
    members: tuple[Locality, ...]
    cumulative_weights: tuple[float, ...]


def _offset(point: Point, *, north_m: float, east_m: float) -> Point:
    latitude = point.latitude + north_m / _METRES_PER_DEGREE_LATITUDE
    longitude = point.longitude + east_m / (
        _METRES_PER_DEGREE_LATITUDE * math.cos(math.radians(point.latitude))
    )
    return Point(
        min(_MAX_LATITUDE, max(_MIN_LATITUDE, latitude)),
        min(_MAX_LONGITUDE, max(_MIN_LONGITUDE, longitude)),
    )


def _planar_distance_m(a: Point, b: Point) -> float:
    north = (b.latitude - a.latitude) * _METRES_PER_DEGREE_LATITUDE
    east = (
        (b.longitude - a.longitude)
        * _METRES_PER_DEGREE_LATITUDE
        * math.cos(math.radians(a.latitude))
    )
    return math.hypot(north, east)


class SwissMixture:
    """Draws homes from the city clusters plus the rural spread, reproducibly for one `rng`."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        swiss = [row for row in localities() if row.is_in_switzerland]
        self._rural = swiss
        clusters: list[_Cluster] = []
        for name, population in CITY_CLUSTERS:
            centre_rows = [row for row in swiss if row.name == name and row.municipality == name]
            if not centre_rows:
                raise LookupError(f"{name} is not in the localities directory")
            centre = Point(
                sum(row.point.latitude for row in centre_rows) / len(centre_rows),
                sum(row.point.longitude for row in centre_rows) / len(centre_rows),
            )
            # Bigger agglomerations sprawl further: Zürich 8 km, Locarno 3 km.
            sigma_m = 2_000.0 + 6_000.0 * math.sqrt(population / 1400)
            weighted = [
                (row, math.exp(-0.5 * (distance / sigma_m) ** 2))
                for row in swiss
                if (distance := _planar_distance_m(centre, row.point)) <= 3 * sigma_m
            ]
            clusters.append(
                _Cluster(
                    members=tuple(row for row, _ in weighted),
                    cumulative_weights=tuple(accumulate(weight for _, weight in weighted)),
                )
            )
        self._clusters = clusters
        self._cluster_cumulative_weights = tuple(
            accumulate(population for _, population in CITY_CLUSTERS)
        )

    def draw(self) -> Home:
        rng = self._rng
        if rng.random() < RURAL_SHARE:
            locality = rng.choice(self._rural)
        else:
            cluster = rng.choices(
                self._clusters, cum_weights=self._cluster_cumulative_weights, k=1
            )[0]
            locality = rng.choices(cluster.members, cum_weights=cluster.cumulative_weights, k=1)[0]
        point = _offset(
            locality.point,
            north_m=rng.gauss(0.0, HOME_JITTER_M),
            east_m=rng.gauss(0.0, HOME_JITTER_M),
        )
        return Home(locality=locality, point=point)


def _in_code_order(codes: set[str]) -> list[str]:
    return [code for code in LANGUAGE_CODES if code in codes]


def helper_languages(locality: Locality, rng: random.Random) -> list[str]:
    """The locality's language, English for half the helpers, another national one for some."""
    spoken = set(_SPOKEN.get(locality.language, ("de",)))
    if rng.random() < 0.5:
        spoken.add("en")
    if rng.random() < 0.2:
        spoken.add(rng.choice([code for code in _NATIONAL if code not in spoken] or ["en"]))
    return _in_code_order(spoken)


def request_languages(locality: Locality, rng: random.Random) -> list[str]:
    """The locality's language; a fifth of the customers also accept English."""
    spoken = set(_SPOKEN.get(locality.language, ("de",)))
    if rng.random() < 0.2:
        spoken.add("en")
    return _in_code_order(spoken)


def _user(*, email: str, name: str, home: Home, languages: list[str], password: str) -> User:
    return User(
        email=email,
        display_name=name,
        languages=languages,
        preferred_language=languages[0],
        home_postal_code=home.locality.postal_code,
        home_locality=home.locality.name,
        home_location=point_to_geojson(home.point),
        home_latitude=home.point.latitude,
        home_longitude=home.point.longitude,
        password=password,
    )


def _profile(user: User, rng: random.Random) -> HelperProfile:
    draw = rng.random()
    if draw < APPROVED_SHARE:
        approval = ApprovalStatus.APPROVED
    elif draw < APPROVED_SHARE + APPLIED_SHARE:
        approval = ApprovalStatus.APPLIED
    else:
        approval = ApprovalStatus.SUSPENDED
    radius = round(rng.lognormvariate(math.log(MEDIAN_RADIUS_KM), RADIUS_SIGMA))
    reviews = 0 if rng.random() < 0.3 else min(200, int(rng.lognormvariate(math.log(8), 1.0)))
    rating_sum = min(5 * reviews, max(reviews, round(reviews * rng.uniform(3.4, 5.0))))
    return HelperProfile(
        user=user,
        service_radius_km=min(MAX_RADIUS_KM, max(MIN_RADIUS_KM, radius)),
        approval_status=approval,
        is_accepting_jobs=rng.random() < ACCEPTING_JOBS_SHARE,
        rating_count=reviews,
        rating_sum=rating_sum,
        completed_visits=reviews + rng.randint(0, 3),
        cancellations_caused=rng.randint(1, 3) if rng.random() < 0.15 else 0,
        no_shows_caused=1 if rng.random() < 0.03 else 0,
        # Their payout accounts take charges, so they get paid offers.
        takes_payments=True,
    )


def _weekly(helper: HelperProfile, rng: random.Random) -> list[WeeklyAvailability]:
    rows = []
    for weekday in sorted(rng.sample(range(7), rng.randint(3, 7))):
        for start, end in sorted(rng.sample(_DAY_PARTS, rng.randint(1, 2))):
            rows.append(
                WeeklyAvailability(
                    helper_id=helper.pk, weekday=weekday, start_time=start, end_time=end
                )
            )
    return rows


@dataclass(frozen=True)
class SeedCounts:
    helpers: int
    approved_accepting: int
    skills: int
    weekly_rows: int


def seed_helpers(
    *,
    count: int,
    mixture: SwissMixture,
    rng: random.Random,
    batch_size: int = 2_000,
    on_batch: Callable[[int], None] = lambda done: None,
) -> SeedCounts:
    """Write `count` helpers (user, profile, skills, weekly hours), `batch_size` per transaction.

    Needs the service categories of the data migration. `on_batch` gets the number of helpers
    written by each batch (for a progress bar).
    """
    categories = list(ServiceCategory.objects.filter(is_active=True).order_by("position", "pk"))
    password = make_password(BENCH_PASSWORD)
    approved_accepting = skills = weekly_rows = 0
    for first in range(0, count, batch_size):
        size = min(batch_size, count - first)
        homes = [mixture.draw() for _ in range(size)]
        users = [
            _user(
                email=f"helper{first + offset}@bench.quartier.test",
                name=f"Helper {first + offset}",
                home=home,
                languages=helper_languages(home.locality, rng),
                password=password,
            )
            for offset, home in enumerate(homes)
        ]
        with transaction.atomic():
            User.objects.bulk_create(users)
            profiles = HelperProfile.objects.bulk_create([_profile(user, rng) for user in users])
            skill_rows = [
                HelperSkill(helper_id=profile.pk, category_id=category.pk)
                for profile in profiles
                for category in rng.sample(categories, rng.randint(1, 4))
            ]
            HelperSkill.objects.bulk_create(skill_rows)
            weekly = [row for profile in profiles for row in _weekly(profile, rng)]
            WeeklyAvailability.objects.bulk_create(weekly)
        approved_accepting += sum(
            profile.approval_status == ApprovalStatus.APPROVED and profile.is_accepting_jobs
            for profile in profiles
        )
        skills += len(skill_rows)
        weekly_rows += len(weekly)
        on_batch(size)
    return SeedCounts(count, approved_accepting, skills, weekly_rows)


def create_customers(homes: Sequence[Home], *, languages: Sequence[list[str]]) -> list[User]:
    """One customer (not a helper) per home, living there."""
    password = make_password(BENCH_PASSWORD)
    users = [
        _user(
            email=f"customer{index}@bench.quartier.test",
            name=f"Customer {index}",
            home=home,
            languages=spoken,
            password=password,
        )
        for index, (home, spoken) in enumerate(zip(homes, languages, strict=True))
    ]
    return User.objects.bulk_create(users)
