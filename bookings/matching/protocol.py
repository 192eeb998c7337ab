"""What a search of the match index returns, and the ring protocol both database backends speak.

A ring search yields `Ring`s: batches of index rows, nearer ones first, each with a distance
within which every matching row has now been seen. Between rings the caller sends how many
helpers it still lacks (an int) or how far it needs covered next (a `Reach`, whose floor applies
the search's `ScoreBound`). `SpatialIndex` is what each backend module (`sqlite`, `postgres`)
implements: the per-category spatial indexes beside the table and the ring search over them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Generator, Iterable
from typing import Any, ClassVar, NamedTuple

from backend.geo import Point
from backend.models import LANGUAGE_CODES
from bookings.matching.scoring import ScoreDialect
from bookings.models import FreeTime, MatchEntry

TABLE = MatchEntry._meta.db_table

# The columns every search returns, in this order (see `IndexRow`).
ROW_COLUMNS = (
    "id",
    "helper_id",
    "latitude",
    "longitude",
    "service_radius_km",
    "languages_mask",
    "rating_sum",
    "rating_count",
    "completed_visits",
    "cancellations_caused",
    "no_shows_caused",
    "offers_answered",
    "offers_expired",
    "response_seconds_total",
)


class IndexRow(NamedTuple):
    entry_id: int
    helper_id: int
    latitude: float
    longitude: float
    service_radius_km: int
    languages_mask: int
    # The ranking figures: left at these defaults when a row is made from a `PlaceRow`.
    rating_sum: int = 0
    rating_count: int = 0
    completed_visits: int = 0
    cancellations_caused: int = 0
    no_shows_caused: int = 0
    offers_answered: int = 0
    offers_expired: int = 0
    response_seconds_total: int = 0
    approved_epoch: int | None = None


class PlaceRow(NamedTuple):
    """Where and whom only: the first six fields of an `IndexRow`, what a search for places
    (`figures=False`) returns."""

    entry_id: int
    helper_id: int
    latitude: float
    longitude: float
    service_radius_km: int
    languages_mask: int


# What a place-only row lacks of an IndexRow: the ranking figures' defaults.
NO_FIGURES = tuple(
    IndexRow._field_defaults[name] for name in IndexRow._fields[len(PlaceRow._fields) :]
)
# Rows become named tuples by tuple.__new__ straight, `new_row(IndexRow, values)`: a
# NamedTuple's own constructor would cost a search as much again as its own Python
# (bench/NOTES.md).
new_row = tuple.__new__


def languages_mask(codes: Iterable[str]) -> int:
    """One bit per language, in the order of `backend.models.Language`; unknown codes count 0."""
    mask = 0
    for code in codes:
        if code in LANGUAGE_CODES:
            mask |= 1 << LANGUAGE_CODES.index(code)
    return mask


class Ring(NamedTuple):
    """New index rows (`IndexRow`s, or `PlaceRow`s from a search for places), and the distance
    within which every matching row has now been seen; with a `FreeFilter`, the helpers among
    the rows who are free (None: not asked)."""

    rows: list[Any]
    covered_m: float
    free: frozenset[int] | None = None


FREE_TIME_TABLE = FreeTime._meta.db_table


class FreeFilter(NamedTuple):
    """Which rows' helpers are free, asked inside the ring statement itself: a stored free-time
    stretch (`FreeTime`) holds a slot in one of the windows. Each window is (the latest start, the
    earliest end, the length) a stretch needs, in microseconds (see `free_time.FreeSlots`)."""

    windows: tuple[tuple[int, int, int], ...]

    def named_sql(self, helper_column: str) -> tuple[str, dict[str, int]]:
        """`EXISTS (…)` for the row whose helper id is `helper_column`, with parameters named
        `:free_…` (SQLite's ring statements)."""
        names = [
            (f"free_start_{i}", f"free_end_{i}", f"free_length_{i}")
            for i in range(len(self.windows))
        ]
        sql = self._sql(helper_column, [tuple(f":{name}" for name in three) for three in names])
        params = {
            name: value
            for three, window in zip(names, self.windows, strict=True)
            for name, value in zip(three, window, strict=True)
        }
        return sql, params

    def positional_sql(self, helper_column: str) -> tuple[str, list[int]]:
        """The same with `%s` parameters, in order (PostgreSQL's)."""
        sql = self._sql(helper_column, [("%s", "%s", "%s")] * len(self.windows))
        return sql, [value for window in self.windows for value in window]

    def _sql(self, helper_column: str, marks: list[tuple[str, ...]]) -> str:
        tests = " OR ".join(
            f"(f.starts_us <= {start} AND f.ends_us >= {end} AND f.ends_us - f.starts_us >= {length})"
            for start, end, length in marks
        )
        return (
            f"EXISTS (SELECT 1 FROM {FREE_TIME_TABLE} f WHERE f.helper_id = {helper_column} "
            f"AND ({tests}))"
        )


# Float rounding between the database's arithmetic and Python's: a bound is loosened by this.
BOUND_SLACK = 1e-7


class ScoreBound(NamedTuple):
    """What lets a ring search leave out, inside the database, rows that cannot reach a score.

    A row's best possible score is its static part, `static_sql` (an SQL expression over the
    index's columns, with its `params`), plus `distance_weight` · (1 − d / `search_radius_m`),
    d being the least its distance from the center could be.

    With `indexed`, `static_sql` reads the stored score (`SpatialIndex.stored_score_column`) plus
    at most `bonus`, and the spatial index itself skips rows whose stored score is too low: the
    search then widens in steps, each with the floor its inner edge allows.
    """

    static_sql: str
    params: list[Any] | dict[str, Any]
    distance_weight: float
    search_radius_m: float
    indexed: bool = False
    bonus: float = 0.0

    def least_static(self, floor: float, inner_m: float) -> float:
        """The stored score below which no row beyond `inner_m` can reach `floor`."""
        closeness = max(0.0, 1.0 - inner_m / self.search_radius_m)
        return floor - self.bonus - self.distance_weight * closeness - BOUND_SLACK


class Reach(NamedTuple):
    """Sent between rings: cover everything up to `radius_m`; with the search's score bound,
    only the rows whose best possible score is at least `floor`."""

    radius_m: float
    floor: float | None = None


# A ring search takes, between rings, how many more helpers the caller still lacks (int) or
# how far it needs covered next (Reach).
RingSearch = Generator[Ring, int | Reach | None, None]

# An indexed bound widens the search by at least this much a ring (and by the backend's
# `scored_ring_growth` factor).
SCORED_RING_MIN_STEP_M = 300.0


class SpatialIndex(ABC):
    """One database's spatial indexes (one per category, beside the match index table), the
    ring search over them, and what this process remembers about them.

    There is one object per database alias (`search.spatial_index`); it outlives connections
    and is shared by threads, so it holds no connection, only the alias to look one up by.
    """

    vendor: ClassVar[str]
    score_dialect: ClassVar[ScoreDialect]
    # Where the spatial index holds the stored static score, for `ScoreBound.indexed`.
    stored_score_column: ClassVar[str]
    # How much farther each ring of an indexed score bound reaches (see bench/NOTES.md).
    scored_ring_growth: ClassVar[float]
    # Whether matching asks its ring statements which helpers are free (a `FreeFilter`), or
    # asks the free time itself in batches of the best scored (see bench/NOTES.md).
    free_in_ring: ClassVar[bool]

    def __init__(self, alias: str, database: str) -> None:
        self.alias = alias
        self.database = database  # the database NAME this object was made for
        self._ready: set[int] = set()  # categories whose spatial index is known to exist

    def ensure(self, category_id: int) -> None:
        """Create the category's spatial index (filled from the table) if it does not exist."""
        category_id = int(category_id)
        if category_id in self._ready:
            return
        self._create(category_id)
        self._ready.add(category_id)

    def recreate(self, category_id: int) -> None:
        """Build the category's spatial index again from the table."""
        self._drop(int(category_id))
        self._ready.discard(int(category_id))
        self.ensure(category_id)

    def drop_all(self) -> None:
        """Drop every category's spatial index (a rebuild creates them again at its end)."""
        self._drop_all()
        self._ready.clear()

    def forget(self) -> None:
        """Forget what this process remembers that a rollback can undo (which indexes exist)."""
        self._ready.clear()

    def clear_table(self) -> None:
        """Delete every row of the match index table, inside the caller's transaction."""
        MatchEntry.objects.using(self.alias).all().delete()

    @abstractmethod
    def exists(self, category_id: int) -> bool:
        """Whether the category's spatial index exists in the database."""

    @abstractmethod
    def stale_helpers(self, category_id: int) -> list[int]:
        """Helpers whose rows the category's spatial index holds otherwise than the table."""

    @abstractmethod
    def rings(
        self,
        category_id: int,
        center: Point,
        *,
        max_m: float,
        want: int,
        language_mask: int = 0,
        reach_filter: bool = False,
        figures: bool = True,
        bound: ScoreBound | None = None,
        free: FreeFilter | None = None,
    ) -> RingSearch:
        """The category's index rows around `center`, nearer rings first (see `search.rings`)."""

    @abstractmethod
    def _create(self, category_id: int) -> None: ...

    @abstractmethod
    def _drop(self, category_id: int) -> None: ...

    @abstractmethod
    def _drop_all(self) -> None: ...
