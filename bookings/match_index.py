"""The match index: eligible helpers per skill, and the spatial search over them.

One `MatchEntry` row per eligible helper and skill (approved, accepting jobs, active account,
home address set). `match_index_refresh` is the one function that writes it; every service that
changes a helper's eligibility or ranking figures calls it in the same transaction.

Each category has its own spatial index beside the table, because a per-skill index stays as
fast at a million helpers as at ten thousand (see the research notes in the README):

- SQLite: an R*Tree virtual table per category, which SQLite ships with, holding the exact
  float64 coordinates and the ranking figures as auxiliary columns. Triggers on the table keep
  it in step, so even a bulk delete cannot leave it stale. Searched by a ring that starts at a
  radius guessed from the local density and grows until enough helpers are inside it.
- PostgreSQL: a generated `geography` column and a partial GiST index per category, searched by
  KNN (`ORDER BY geog <-> point`) in a form whose plan does not depend on prepared statements.

Both yield rings: batches of index rows plus a distance within which every row has now been
seen. `nearest` (and the composite ranking in `bookings.matching`) finish exactly in Python:
WGS84 distances by the local formula, with geopy only where a decision is closer than its
tolerance.
"""

from __future__ import annotations

import bisect
import itertools
import math
import struct
import time
import weakref
from collections.abc import Callable, Collection, Generator, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q
from psycopg import Cursor as ServerBindingCursor

from backend.geo import (
    LOCAL_DISTANCE_TOLERANCE,
    SPHERE_TO_GEODESIC_LOWER,
    SPHERE_TO_GEODESIC_UPPER,
    Point,
    bounding_box,
    distances_from,
    geodesic_m,
    haversine_m,
    metres_per_degree,
    sphere_to_geodesic_bounds,
)
from backend.models import LANGUAGE_CODES
from bookings.models import UNKNOWN_STATIC_SCORE, MatchEntry, MatchIndexState
from bookings.scoring import APPROVED_EPOCH_SQL, Weights
from catalogue.models import ServiceCategory
from helpers.models import HelperProfile, HelperSkill
from helpers.selectors import HELPER_MATCHING_FIELDS, eligible_helpers

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

# PostGIS measures `<->` on a sphere of the mean radius; a WGS84 geodesic is between
# `sphere_to_geodesic_bounds` times it (about 0.9996 and 1.0031 in Switzerland), so a helper
# beyond spherical distance s is beyond s · lower on the ellipsoid.
_GLOBAL_SPHERE = (SPHERE_TO_GEODESIC_LOWER, SPHERE_TO_GEODESIC_UPPER)
# `haversine_m` against PostGIS's `<->` (both a sphere of the mean radius): far closer than this.
_SPHERE_SLACK = 1e-5


class IndexRow(NamedTuple):
    entry_id: int
    helper_id: int
    latitude: float
    longitude: float
    service_radius_km: int
    languages_mask: int
    # The ranking figures: left at these defaults when a search asks for places only.
    rating_sum: int = 0
    rating_count: int = 0
    completed_visits: int = 0
    cancellations_caused: int = 0
    no_shows_caused: int = 0
    offers_answered: int = 0
    offers_expired: int = 0
    response_seconds_total: int = 0
    approved_epoch: int | None = None


# What a place-only row lacks of an IndexRow: the ranking figures' defaults.
_NO_FIGURES = tuple(IndexRow._field_defaults[name] for name in IndexRow._fields[6:])
# Rows become IndexRows by tuple.__new__ straight: NamedTuple's own constructor costs about a
# microsecond a row, a search's own Python time again.
_new_tuple = tuple.__new__


def languages_mask(codes: Iterable[str]) -> int:
    """One bit per language, in the order of `backend.models.Language`; unknown codes count 0."""
    mask = 0
    for code in codes:
        if code in LANGUAGE_CODES:
            mask |= 1 << LANGUAGE_CODES.index(code)
    return mask


# --- keeping the index in step --------------------------------------------------------------


def _entries_for(
    helper_filter: Q, *, scoring: Weights | None, using: str = DEFAULT_DB_ALIAS
) -> list[MatchEntry]:
    """The index rows the helper tables call for, for the helpers `helper_filter` selects, with
    their static score under `scoring` (or the unknown score, above any, without)."""
    rows = list(
        eligible_helpers().using(using).filter(helper_filter).values_list(*HELPER_MATCHING_FIELDS)
    )
    skills: dict[int, list[int]] = {}
    if rows:
        for helper_id, category_id in (
            HelperSkill.objects.using(using)
            .filter(helper_id__in=[row[0] for row in rows])
            .order_by("helper_id", "category_id")
            .values_list("helper_id", "category_id")
        ):
            skills.setdefault(helper_id, []).append(category_id)
    entries = []
    for (
        helper_id,
        latitude,
        longitude,
        radius_km,
        languages,
        rating_sum,
        rating_count,
        completed,
        cancellations,
        no_shows,
        accepted,
        declined,
        expired,
        response_seconds,
        approved_at,
    ) in rows:
        mask = languages_mask(languages or ())
        static = (
            scoring.static_score(
                rating_sum=rating_sum,
                rating_count=rating_count,
                completed=completed,
                cancellations_caused=cancellations,
                no_shows_caused=no_shows,
                offers_answered=accepted + declined,
                offers_expired=expired,
                response_seconds_total=response_seconds,
            )
            if scoring is not None
            else UNKNOWN_STATIC_SCORE
        )
        for category_id in skills.get(helper_id, ()):
            entries.append(
                MatchEntry(
                    helper_id=helper_id,
                    category_id=category_id,
                    latitude=latitude,
                    longitude=longitude,
                    service_radius_km=radius_km,
                    languages_mask=mask,
                    rating_sum=rating_sum,
                    rating_count=rating_count,
                    completed_visits=completed,
                    cancellations_caused=cancellations,
                    no_shows_caused=no_shows,
                    offers_answered=accepted + declined,
                    offers_expired=expired,
                    response_seconds_total=response_seconds,
                    approved_at=approved_at,
                    static_score=static,
                )
            )
    return entries


def _index_scoring(*, using: str = DEFAULT_DB_ALIAS) -> Weights | None:
    """The settings to store static scores under: this process's, if the index's stored scores
    are computed under them (or the index has no settings yet, which makes them its own); else
    None, and rows get the unknown score until a rebuild."""
    weights = Weights.current()
    key = weights.static_key()
    state, _ = MatchIndexState.objects.using(using).get_or_create(
        pk=1, defaults={"static_key": key}
    )
    return weights if state.static_key == key else None


def stored_scores_usable(weights: Weights, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the index's stored static scores were computed under these settings."""
    return (
        MatchIndexState.objects.using(using).filter(pk=1, static_key=weights.static_key()).exists()
    )


@transaction.atomic
def match_index_refresh(*, helper_ids: Collection[int]) -> int:
    """Bring the index rows of these helpers in line with the helper tables; returns how many
    rows they now have. Call it in the transaction that changed them."""
    ids = sorted(set(helper_ids))
    if not ids:
        return 0
    # Refreshes of one helper queue on their row, so each reads what the one before committed
    # and two cannot both delete and then insert the same rows.
    list(
        HelperProfile.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    entries = _entries_for(Q(pk__in=ids), scoring=_index_scoring())
    for category_id in {entry.category_id for entry in entries}:
        ensure_spatial_index(category_id)
    MatchEntry.objects.filter(helper_id__in=ids).delete()
    MatchEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)


def match_index_rebuild(
    *,
    chunk_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """Rebuild the whole index from the helper tables; returns the number of rows.

    The spatial indexes are dropped first and built once at the end from the filled table,
    which is several times faster than keeping them up to date row by row. Runs in one
    transaction: searches see the old index until it commits. The static scores are computed
    under this process's ranking settings, which become the index's.
    """
    scoring = Weights.current()
    with transaction.atomic(using=using):
        MatchIndexState.objects.using(using).update_or_create(
            pk=1, defaults={"static_key": scoring.static_key()}
        )
        _drop_spatial_indexes(connections[using])
        if connections[using].vendor == "postgresql":
            # A fresh, empty table (the dropped indexes locked it already): the rows and
            # indexes built next hold no dead copies of the old rows.
            with connections[using].cursor() as cursor:
                # Pending deferred foreign-key checks of rows written earlier in this
                # transaction would refuse the TRUNCATE: run them now.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(f"TRUNCATE {TABLE}")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            MatchEntry.objects.using(using).all().delete()
        helper_ids = list(
            eligible_helpers().using(using).order_by("pk").values_list("pk", flat=True)
        )
        total = 0
        for start in range(0, len(helper_ids), chunk_size):
            chunk = helper_ids[start : start + chunk_size]
            entries = _entries_for(Q(pk__in=chunk), scoring=scoring, using=using)
            MatchEntry.objects.using(using).bulk_create(entries, batch_size=1000)
            total += len(entries)
            if progress is not None:
                progress(len(chunk))
        for category_id in ServiceCategory.objects.using(using).values_list("pk", flat=True):
            ensure_spatial_index(category_id, using=using)
    return total


@dataclass(frozen=True)
class IndexProblem:
    helper_id: int
    category_id: int
    # "missing", "stale", "extra", "spatial_missing", "spatial_stale", "other_settings"
    problem: str


_COMPARED_FIELDS = tuple(
    name for name in (f.attname for f in MatchEntry._meta.concrete_fields) if name != "id"
)


def match_index_check(
    *, chunk_size: int = 5000, progress: Callable[[int], None] | None = None
) -> list[IndexProblem]:
    """Compare the index with what the helper tables call for; an empty list means in step.

    Looks at every helper that has index rows or should have them, and on SQLite also that
    each category's R*Tree holds exactly the table's rows with the same coordinates. When the
    stored scores were computed under other ranking settings, that is one problem
    ("other_settings", helper and category 0) and the rows are compared without them.
    """
    problems: list[IndexProblem] = []
    state = MatchIndexState.objects.filter(pk=1).first()
    weights = Weights.current()
    scoring: Weights | None = weights
    compared = _COMPARED_FIELDS
    if state is not None and state.static_key != weights.static_key():
        problems.append(IndexProblem(0, 0, "other_settings"))
        scoring = None
        compared = tuple(name for name in _COMPARED_FIELDS if name != "static_score")
    helper_ids = sorted(
        set(eligible_helpers().values_list("pk", flat=True))
        | set(MatchEntry.objects.values_list("helper_id", flat=True).distinct())
    )
    for start in range(0, len(helper_ids), chunk_size):
        chunk = helper_ids[start : start + chunk_size]
        wanted = {
            (entry.helper_id, entry.category_id): tuple(getattr(entry, name) for name in compared)
            for entry in _entries_for(Q(pk__in=chunk), scoring=scoring)
        }
        actual = {
            (row[0], row[1]): row
            for row in MatchEntry.objects.filter(helper_id__in=chunk).values_list(*compared)
        }
        for key, values in wanted.items():
            if key not in actual:
                problems.append(IndexProblem(key[0], key[1], "missing"))
            elif actual[key] != values:
                problems.append(IndexProblem(key[0], key[1], "stale"))
        problems.extend(
            IndexProblem(key[0], key[1], "extra") for key in actual if key not in wanted
        )
        if progress is not None:
            progress(len(chunk))
    problems.extend(_spatial_problems())
    return problems


# --- the spatial indexes, per backend --------------------------------------------------------


def _is_postgres(conn: BaseDatabaseWrapper | None = None) -> bool:
    return (conn or connections[DEFAULT_DB_ALIAS]).vendor == "postgresql"


def _rtree(category_id: int) -> str:
    return f"match_rtree_{int(category_id)}"


def _gist(category_id: int) -> str:
    return f"match_geog_{int(category_id)}"


# The R*Tree's dimensions (each a min and a max) from the table's columns: where, and the static
# score, so that a search can leave out whole branches of helpers who cannot score enough.
_RTREE_DIMENSIONS = (
    "id",
    "latitude",
    "latitude",
    "longitude",
    "longitude",
    "static_score",
    "static_score",
)

_RTREE_AUX = ", ".join(f"+{column}" for column in (*ROW_COLUMNS[1:], "approved_epoch"))
_ROW_VALUES = (
    ", ".join(f"{{row}}.{column}" for column in (*ROW_COLUMNS[1:],))
    + ", CAST(strftime('%s', {row}.approved_at) AS INTEGER)"
)


def _sqlite_trigger_sql(category_id: int) -> list[str]:
    tree = _rtree(category_id)
    insert = (
        f"INSERT INTO {tree} VALUES ({{row}}.id, {{row}}.latitude, {{row}}.latitude, "
        f"{{row}}.longitude, {{row}}.longitude, {{row}}.static_score, {{row}}.static_score, "
        f"{_ROW_VALUES})"
    )
    return [
        f"CREATE TRIGGER IF NOT EXISTS {tree}_insert AFTER INSERT ON {TABLE} "
        f"WHEN NEW.category_id = {int(category_id)} BEGIN "
        f"{insert.format(row='NEW')}; END",
        f"CREATE TRIGGER IF NOT EXISTS {tree}_delete AFTER DELETE ON {TABLE} "
        f"WHEN OLD.category_id = {int(category_id)} BEGIN "
        f"DELETE FROM {tree} WHERE id = OLD.id; END",
        f"CREATE TRIGGER IF NOT EXISTS {tree}_update AFTER UPDATE ON {TABLE} "
        f"WHEN OLD.category_id = {int(category_id)} OR NEW.category_id = {int(category_id)} "
        f"BEGIN DELETE FROM {tree} WHERE id = OLD.id; "
        f"INSERT INTO {tree} SELECT {', '.join(f'v.{c}' for c in _RTREE_DIMENSIONS)}, "
        f"{_ROW_VALUES.format(row='v')} FROM {TABLE} v "
        f"WHERE v.id = NEW.id AND v.category_id = {int(category_id)}; END",
    ]


_ready: set[tuple[str, int]] = set()


def _ready_key(conn: BaseDatabaseWrapper, category_id: int) -> tuple[str, int]:
    return (f"{conn.alias}:{conn.settings_dict['NAME']}", int(category_id))


def ensure_spatial_index(
    category_id: int, conn: BaseDatabaseWrapper | None = None, *, using: str = DEFAULT_DB_ALIAS
) -> None:
    """Create the category's spatial index (filled from the table) if it does not exist yet."""
    conn = conn or connections[using]
    key = _ready_key(conn, category_id)
    if key in _ready:
        return
    with conn.cursor() as cursor:
        if _is_postgres(conn):
            cursor.execute(
                "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexname = %s",
                [TABLE, _gist(category_id)],
            )
            if cursor.fetchone() is None:
                # Rows written earlier in this transaction leave deferred foreign-key checks
                # pending, and PostgreSQL builds no index over a table with pending checks.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(
                    f"CREATE INDEX {_gist(category_id)} ON {TABLE} "
                    f"USING gist (geog, static_score) WHERE category_id = {int(category_id)}"
                )
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            tree = _rtree(category_id)
            cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [tree])
            if cursor.fetchone() is None:
                cursor.execute(
                    f"CREATE VIRTUAL TABLE {tree} USING rtree(id, min_lat, max_lat, "
                    f"min_lon, max_lon, min_score, max_score, {_RTREE_AUX})"
                )
                cursor.execute(
                    f"INSERT INTO {tree} SELECT {', '.join(_RTREE_DIMENSIONS)}, "
                    f"{_ROW_VALUES.format(row=TABLE)} FROM {TABLE} "
                    f"WHERE category_id = {int(category_id)}"
                )
            for statement in _sqlite_trigger_sql(category_id):
                cursor.execute(statement)
    _ready.add(key)


def _drop_spatial_indexes(conn: BaseDatabaseWrapper | None = None) -> None:
    conn = conn or connections[DEFAULT_DB_ALIAS]
    with conn.cursor() as cursor:
        if _is_postgres(conn):
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
                [TABLE, "match\\_geog\\_%"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        else:
            cursor.execute(
                "SELECT type, name FROM sqlite_master WHERE name LIKE 'match_rtree_%' AND "
                "(type = 'trigger' OR sql LIKE 'CREATE VIRTUAL TABLE%') ORDER BY type = 'table'"
            )
            for kind, name in cursor.fetchall():
                cursor.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
    prefix = f"{conn.alias}:{conn.settings_dict['NAME']}"
    for key in [key for key in _ready if key[0] == prefix]:
        _ready.discard(key)


def spatial_index_recreate(category_id: int) -> None:
    """Build the category's spatial index again from the table.

    On SQLite the R*Tree is dropped first, which also clears rows the table no longer has (a
    helper refresh cannot reach those).
    """
    conn = connections[DEFAULT_DB_ALIAS]
    with conn.cursor() as cursor:
        if _is_postgres(conn):
            cursor.execute(f'DROP INDEX IF EXISTS "{_gist(category_id)}"')
        else:
            cursor.execute(f'DROP TABLE IF EXISTS "{_rtree(category_id)}"')
    _ready.discard(_ready_key(conn, category_id))
    ensure_spatial_index(category_id)


def has_rows(category_id: int) -> bool:
    return MatchEntry.objects.filter(category_id=category_id).exists()


def _spatial_problems() -> list[IndexProblem]:
    problems = []
    categories = list(ServiceCategory.objects.values_list("pk", flat=True))
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        for category_id in categories:
            if _is_postgres():
                cursor.execute(
                    "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexname = %s",
                    [TABLE, _gist(category_id)],
                )
                if cursor.fetchone() is None and has_rows(category_id):
                    problems.append(IndexProblem(0, category_id, "spatial_missing"))
                continue
            tree = _rtree(category_id)
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [tree])
            if cursor.fetchone() is None:
                # A category nobody has taken yet gets its index with its first helper.
                if has_rows(category_id):
                    problems.append(IndexProblem(0, category_id, "spatial_missing"))
                continue
            cursor.execute(
                f"SELECT t.helper_id, r.helper_id FROM {TABLE} t FULL OUTER JOIN {tree} r "
                "ON r.id = t.id AND r.latitude = t.latitude AND r.longitude = t.longitude "
                "AND r.service_radius_km = t.service_radius_km "
                "AND r.languages_mask = t.languages_mask AND r.rating_sum = t.rating_sum "
                "AND r.rating_count = t.rating_count "
                "AND r.min_score <= t.static_score AND r.max_score >= t.static_score "
                f"WHERE (t.category_id = {int(category_id)} OR t.id IS NULL) "
                "AND (t.id IS NULL OR r.id IS NULL)"
            )
            problems.extend(
                IndexProblem(table_helper or tree_helper, category_id, "spatial_stale")
                for table_helper, tree_helper in cursor.fetchall()
            )
    return problems


# --- searching ------------------------------------------------------------------------------


class Ring(NamedTuple):
    """New index rows, and the distance within which every matching row has now been seen.

    The rows are `IndexRow`s; a search for places only (`figures=False`) yields the bare
    tuples of its first six fields instead: the caller makes `IndexRow`s of the few it keeps.
    """

    rows: list[Any]
    covered_m: float


class ScoreBound(NamedTuple):
    """What lets a ring search leave out, inside the database, rows that cannot reach a score.

    A row's best possible score is its static part, `static_sql` (an SQL expression over the
    index's columns, with its `params`), plus `distance_weight` · (1 − d / `search_radius_m`),
    d being the least its distance from the center could be.

    With `indexed`, `static_sql` reads the stored score (`STORED_SCORE_COLUMN`) plus at most
    `bonus`, and the spatial index itself skips rows whose stored score is too low: the search
    then widens in steps, each with the floor its inner edge allows.
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
        return floor - self.bonus - self.distance_weight * closeness - _BOUND_SLACK


# Where each backend's spatial index holds the stored static score (an R*Tree rounds its
# bounds outwards to 32-bit floats, so its max is never below the score).
STORED_SCORE_COLUMN = {"sqlite": "max_score", "postgresql": "static_score"}
# An indexed bound widens the search by this factor (and at least this much) a ring. Each
# PostgreSQL ring reads again the high scorers nearer in (its box holds them), so wider steps
# pay there: at a million helpers the ranking's p95 was 21 ms at 1.5, 18.7 ms at 2 and 22 ms at
# 3; an R*Tree ring skips what the last one held, and 1.5 is best (10.3, 11.1, 13.2 ms).
_SCORED_RING_GROWTH = {"sqlite": 1.5, "postgresql": 2.0}
_SCORED_RING_MIN_STEP_M = 300.0


class Reach(NamedTuple):
    """Sent between rings: cover everything up to `radius_m`; with the search's score bound,
    only the rows whose best possible score is at least `floor`."""

    radius_m: float
    floor: float | None = None


# A ring search takes, between rings, how many more helpers the caller still lacks (int) or
# how far it needs covered next (Reach).
RingSearch = Generator[Ring, int | Reach | None, None]

# Float rounding between the database's arithmetic and Python's: a bound is loosened by this.
_BOUND_SLACK = 1e-7

_SQLITE_SELECT = ", ".join(ROW_COLUMNS[1:]) + ", " + APPROVED_EPOCH_SQL["sqlite"]
_PG_SELECT = ", ".join(ROW_COLUMNS[1:]) + ", " + APPROVED_EPOCH_SQL["postgresql"]
# Where and whom only: what a search by distance needs.
_PLACE_SELECT = ", ".join(ROW_COLUMNS[1:6])

# Density grid for the SQLite ring's first radius: rows per 0.02° cell, per category.
_DENSITY_CELL_DEG = 0.02
_CELLS_PER_DEG = round(1 / _DENSITY_CELL_DEG)
# How far (in cells) the first ring's estimate looks for enough helpers: about 30 km.
_DENSITY_MAX_REACH = 15
# The grid only sizes the first ring: a stale one costs at most another ring, never a wrong
# answer. Counting it takes ~0.1 s a category at a million helpers, so once an hour is enough.
_DENSITY_TTL_S = 3600.0
_density: dict[tuple[str, int], tuple[float, dict[tuple[int, int], int]]] = {}


def forget_process_caches() -> None:
    """Forget which spatial indexes exist and the density grids (both are rebuilt on demand)."""
    _ready.clear()
    _density.clear()


def _density_grid(category_id: int, using: str) -> dict[tuple[int, int], int]:
    key = _ready_key(connections[using], category_id)
    cached = _density.get(key)
    if cached is not None and time.monotonic() - cached[0] < _DENSITY_TTL_S:
        return cached[1]
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT CAST((latitude + 90) * {_CELLS_PER_DEG} AS INTEGER), "
            f"CAST((longitude + 180) * {_CELLS_PER_DEG} AS INTEGER), "
            f"COUNT(*) FROM {TABLE} WHERE category_id = %s GROUP BY 1, 2",
            [category_id],
        )
        grid = {(row, column): count for row, column, count in cursor.fetchall()}
    _density[key] = (time.monotonic(), grid)
    return grid


def _first_radius_m(category_id: int, center: Point, want: int, max_m: float, using: str) -> float:
    grid = _density_grid(category_id, using)
    row = int((center.latitude + 90) * _CELLS_PER_DEG)
    column = int((center.longitude + 180) * _CELLS_PER_DEG)
    cell_km2 = (_DENSITY_CELL_DEG * 111.32) ** 2 * math.cos(math.radians(center.latitude))
    # The smallest square of cells around the customer's that holds `want` helpers: the
    # customer's own neighbourhood in a town, a wider square in the countryside. Nobody within
    # about 30 km: cover everything at once.
    count, cells = 0, 1
    for reach in range(_DENSITY_MAX_REACH + 1):
        if reach == 0:
            count = grid.get((row, column), 0)
        else:  # add the square's new border
            for i in range(-reach, reach + 1):
                count += grid.get((row + i, column - reach), 0)
                count += grid.get((row + i, column + reach), 0)
            for j in range(-reach + 1, reach):
                count += grid.get((row - reach, column + j), 0)
                count += grid.get((row + reach, column + j), 0)
        cells = (2 * reach + 1) ** 2
        if count >= want:
            break
    if count == 0:
        return max_m
    per_m2 = count / (cells * cell_km2 * 1e6)
    radius = 1.2 * math.sqrt(want / (math.pi * per_m2))
    return min(max_m, max(200.0, radius))


_sqlite_math: dict[str, bool] = {}


def _sqlite_has_math(using: str) -> bool:
    """Whether this SQLite was built with its math functions (sqrt), as most builds are."""
    conn = connections[using]
    key = f"{conn.alias}:{conn.settings_dict['NAME']}"
    if key not in _sqlite_math:
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT sqrt(4.0)")
            _sqlite_math[key] = True
        except DatabaseError:  # an SQLite built without SQLITE_ENABLE_MATH_FUNCTIONS
            _sqlite_math[key] = False
    return _sqlite_math[key]


def _holding_circle(
    box: tuple[float, float, float, float],
    center: Point,
    reach_m: float,
    metres_north: float,
    metres_east: float,
) -> tuple[float, float, float, float]:
    """`box` widened where it must be to hold the planar circle of `reach_m` around `center`
    (3 % wider than the ring, it reaches past a box sized for the ring's geodesic radius)."""
    half_lat = reach_m / metres_north * (1 + 1e-9)
    half_lon = reach_m / metres_east * (1 + 1e-9)
    return (
        min(box[0], center.latitude - half_lat),
        max(box[1], center.latitude + half_lat),
        min(box[2], center.longitude - half_lon),
        max(box[3], center.longitude + half_lon),
    )


def sqlite_rings(
    category_id: int,
    center: Point,
    max_m: float,
    want: int,
    language_mask: int = 0,
    using: str = DEFAULT_DB_ALIAS,
    reach_filter: bool = False,
    figures: bool = True,
    bound: ScoreBound | None = None,
) -> RingSearch:
    """Growing boxes on the category's R*Tree until the whole search radius is covered.

    Each box after the first skips (in SQLite's own loop) the rows wholly inside the one before,
    or with `reach_filter` the rows inside the one before's circle (which its box holds).
    Between rings the caller may send how many helpers it still lacks (an int), or how far it
    needs covered next (a `Reach`, whose floor applies the score bound).
    """
    ensure_spatial_index(category_id, using=using)
    tree = _rtree(category_id)
    # sqlite3's own cursor on Django's connection, with named parameters: the statement text
    # stays the same from query to query, so sqlite3's statement cache compiles it once.
    language_sql = " AND (languages_mask & :languages) != 0" if language_mask else ""
    box_sql = "max_lat >= :south AND min_lat <= :north AND max_lon >= :west AND min_lon <= :east"
    inner_sql = (
        "min_lat >= :inner_south AND max_lat <= :inner_north "
        "AND min_lon >= :inner_west AND max_lon <= :inner_east"
    )
    reach_sql = ""
    # A planar distance at the center's latitude: within 1 % of the geodesic up to 50 km here,
    # so with 3 % to spare it never drops a helper who can reach the customer.
    metres_north, metres_east = metres_per_degree(center.latitude)
    params: dict[str, Any] = {
        "languages": language_mask,
        "lat": center.latitude,
        "lon": center.longitude,
        "north_m": metres_north,
        "east_m": metres_east,
        "reach": max_m * 1.03 + 1.0,
    }
    planar_sq = (
        "((latitude - :lat) * :north_m) * ((latitude - :lat) * :north_m) "
        "+ ((longitude - :lon) * :east_m) * ((longitude - :lon) * :east_m)"
    )
    if reach_filter:
        # Only rows within the ring's own circle (:reach follows it), not the box's corners: a
        # ring then skips what the circle before it held. The circle tests read the R*Tree's
        # own coordinates (32-bit, within half a metre; :reach has a metre more), so rows
        # outside it are dropped before their other columns are read.
        coarse_sq = planar_sq.replace("latitude", "min_lat").replace("longitude", "min_lon")
        reach_sql = (
            f" AND {coarse_sq} <= :reach * :reach AND {coarse_sq} "
            "<= (service_radius_km * 1030.0) * (service_radius_km * 1030.0)"
        )
        inner_sql = f"{coarse_sq} <= :inner_reach * :inner_reach"
    columns = _SQLITE_SELECT if figures else _PLACE_SELECT
    # The tests on the R*Tree's own columns first: SQLite checks them in this order.
    select = f"SELECT id, {columns} FROM {tree} WHERE {box_sql}"
    first_sql = f"{select}{reach_sql}{language_sql}"
    ring_sql = f"{select} AND NOT ({inner_sql}){reach_sql}{language_sql}"
    bound_sql = ring_sql
    if bound is not None:
        # The row's own least distance where SQLite has sqrt, else the ring's inner edge.
        nearest_sql = f"sqrt({planar_sq}) / 1.03" if _sqlite_has_math(using) else ":b_inner_m"
        bound_sql += (
            f" AND {bound.static_sql} + :b_weight - :b_weight_per_m * {nearest_sql} >= :b_floor"
        )
        if bound.indexed:  # a constraint on the R*Tree's own dimension: whole branches skipped
            bound_sql += " AND max_score >= :b_least"
        params.update(bound.params)
        params.update(
            b_weight=bound.distance_weight,
            b_weight_per_m=bound.distance_weight / bound.search_radius_m,
        )
    # Only some of the rows reach a given customer: aim for more when the filter drops the rest.
    radius = _first_radius_m(
        category_id, center, int(want * 1.2) if reach_filter else want, max_m, using
    )
    seen: set[int] = set()
    previous: tuple[float, float, float, float] | None = None
    previous_reach = 0.0
    floor: float | None = None
    conn = connections[using]
    conn.ensure_connection()
    cursor = conn.connection.cursor()
    try:
        while True:
            box = bounding_box(center, radius)
            if reach_filter:
                params["reach"] = min(max_m, radius) * 1.03 + 1.0
                # The next ring leaves out this ring's whole circle, so the box must hold it.
                box = _holding_circle(box, center, params["reach"], metres_north, metres_east)
            params.update(south=box[0], north=box[1], west=box[2], east=box[3])
            if previous is None:
                cursor.execute(first_sql, params)
            else:
                params.update(
                    inner_south=previous[0],
                    inner_north=previous[1],
                    inner_west=previous[2],
                    inner_east=previous[3],
                    inner_reach=previous_reach,
                )
                cursor.execute(bound_sql if floor is not None else ring_sql, params)
            fresh = [row for row in cursor.fetchall() if row[0] not in seen]
            seen.update(row[0] for row in fresh)
            if figures:
                fresh = [_new_tuple(IndexRow, row) for row in fresh]
            previous, previous_reach = box, params["reach"]
            asked = yield Ring(fresh, radius)
            if radius >= max_m:
                return
            if isinstance(asked, Reach):
                floor = asked.floor if bound is not None else None
                target = asked.radius_m
                if bound is not None and floor is not None:
                    params.update(
                        b_floor=floor - _BOUND_SLACK,
                        b_inner_m=radius,
                        b_least=bound.least_static(floor, radius),
                    )
                    if bound.indexed:
                        step = max(
                            radius * _SCORED_RING_GROWTH["sqlite"],
                            radius + _SCORED_RING_MIN_STEP_M,
                        )
                        target = min(target, step)
                radius = min(max_m, max(radius * 1.25, target))
                continue
            floor = None
            # Grow by what the density so far suggests.
            lacking = asked if isinstance(asked, int) and asked > 0 else want
            inside = max(1, len(seen))
            factor = math.sqrt((inside + lacking) * 1.3 / inside)
            radius = min(max_m, radius * min(4.0, max(1.5, factor)))
    finally:
        cursor.close()


# The center is one parameter, a geography (as hex EWKB) that PostgreSQL reads once when the
# statement is bound. Built in SQL from its coordinates instead, a prepared statement's generic
# plan would build it again for every row its filters look at.
_PG_POINT = "CAST(%s AS geography)"


def _pg_center(center: Point) -> str:
    """`center` as hex EWKB: a little-endian point with SRID 4326, exactly its two doubles."""
    return struct.pack("<BIidd", 1, 0x20000001, 4326, center.longitude, center.latitude).hex()


# The service-radius prefilter: spherical, with more room than the sphere can be off by (its
# parameters: the center, and 1000 times the upper bound of geodesic over spherical).
_PG_REACH = f" AND geog <-> {_PG_POINT} <= service_radius_km * CAST(%s AS DOUBLE PRECISION)"


def knn_batch(want: int) -> int:
    """How many rows the first KNN batch asks for when `want` are wanted: a few more, because
    the sphere's order can differ from the ellipsoid's by 0.3 % and the nearest rows are final
    only inside the last one's distance. At 100k helpers one search in 400 needs a second."""
    return want + max(2, want // 10)


def postgres_knn_sql(
    category_id: int,
    center: Point,
    reach_m: float,
    limit: int,
    language_mask: int = 0,
    beyond_m: float = 0.0,
    reach_filter: bool = False,
    figures: bool = True,
    sphere: tuple[float, float] = _GLOBAL_SPHERE,
) -> tuple[str, list[Any]]:
    """The KNN query on the category's partial GiST, with its parameters: the `limit` nearest
    rows within `reach_m` (spherical) whose spherical distance is at least `beyond_m`; with
    `reach_filter`, only rows whose service radius, times `sphere`'s upper bound, reaches.

    The form is plan-stable: the `&&` box has a constant size, so the planner chooses the
    index's KNN ordering whether the statement is prepared or not (a radius taken from a column
    makes it misjudge the row count and sort instead, ~30× slower). The category is a literal
    so the partial index applies.
    """
    point = _PG_POINT
    language_sql = " AND (languages_mask & %s) <> 0" if language_mask else ""
    beyond_sql = f" AND geog <-> {point} >= %s" if beyond_m > 0 else ""
    reach_sql = _PG_REACH if reach_filter else ""
    sql = (
        f"SELECT id, {_PG_SELECT if figures else _PLACE_SELECT} FROM {TABLE} "
        f"WHERE category_id = {int(category_id)} AND geog && _ST_Expand({point}, %s)"
        f"{language_sql}{beyond_sql}{reach_sql} ORDER BY geog <-> {point} LIMIT %s"
    )
    point_value = _pg_center(center)
    params: list[Any] = [point_value, reach_m]
    if language_mask:
        params.append(language_mask)
    if beyond_m > 0:
        params += [point_value, beyond_m]
    if reach_filter:
        params += [point_value, 1000.0 * sphere[1]]
    params += [point_value, limit]
    return sql, params


def postgres_range_sql(
    category_id: int,
    center: Point,
    beyond_m: float,
    within_m: float,
    language_mask: int = 0,
    reach_filter: bool = False,
    figures: bool = True,
    bound: ScoreBound | None = None,
    floor: float | None = None,
    sphere: tuple[float, float] = _GLOBAL_SPHERE,
) -> tuple[str, list[Any]]:
    """Every row of the category whose spherical distance lies in [beyond_m, within_m]: the
    next ring when the caller knows how far it must look. A bitmap scan of the same partial
    GiST, by a box of literal size. With a `bound` and a `floor`, only the rows whose best
    possible score reaches the floor (their geodesic distance is at least `sphere`'s lower
    bound times `<->`)."""
    point = _PG_POINT
    language_sql = " AND (languages_mask & %s) <> 0" if language_mask else ""
    bound_sql = ""
    if bound is not None and floor is not None:
        bound_sql = (
            f" AND {bound.static_sql} + CAST(%s AS DOUBLE PRECISION) "
            f"- CAST(%s AS DOUBLE PRECISION) * (geog <-> {point}) >= CAST(%s AS DOUBLE PRECISION)"
        )
        if bound.indexed:  # the GiST's second column: rows with too low a score never fetched
            bound_sql += " AND static_score >= CAST(%s AS DOUBLE PRECISION)"
    sql = (
        f"SELECT id, {_PG_SELECT if figures else _PLACE_SELECT} FROM {TABLE} "
        f"WHERE category_id = {int(category_id)} AND geog && _ST_Expand({point}, %s)"
        f"{language_sql} AND geog <-> {point} BETWEEN %s AND %s{_PG_REACH if reach_filter else ''}"
        f"{bound_sql}"
    )
    point_value = _pg_center(center)
    params: list[Any] = [point_value, within_m + 1.0]
    if language_mask:
        params.append(language_mask)
    params += [point_value, beyond_m, within_m]
    if reach_filter:
        params += [point_value, 1000.0 * sphere[1]]
    if bound_sql and bound is not None and floor is not None:
        params += list(bound.params)
        params += [
            bound.distance_weight,
            bound.distance_weight * sphere[0] / bound.search_radius_m,
            point_value,
            floor - _BOUND_SLACK,
        ]
        if bound.indexed:
            params.append(bound.least_static(floor, beyond_m * sphere[0]))
    return sql, params


# One cursor per psycopg connection for the ring searches, kept while the connection lives:
# making and closing one costs more than a short search's own Python.
_search_cursors: weakref.WeakKeyDictionary[Any, ServerBindingCursor[Any]] = (
    weakref.WeakKeyDictionary()
)


def _search_cursor(conn: BaseDatabaseWrapper) -> ServerBindingCursor[Any]:
    """A psycopg cursor on Django's connection (same transaction) that binds parameters on the
    server and reads binary results, which spares formatting every float as text both ways.

    psycopg prepares a statement it has run DATABASE_PREPARE_THRESHOLD times on the connection
    (Django's own queries never are): PostGIS then plans it once, not on every search. The
    search's form is plan-stable however it is sent (see postgres_knn_sql and its tests).
    """
    conn.ensure_connection()
    raw = conn.connection
    cursor = _search_cursors.get(raw)
    if cursor is None:
        cursor = _search_cursors[raw] = ServerBindingCursor(raw)
    return cursor


class _Seen:
    """The rows a search has yielded: later batches may repeat a few at their edge. The ids are
    collected only once a second batch comes (most searches need only the first)."""

    __slots__ = ("first", "ids")

    def __init__(self) -> None:
        self.first: list[Any] | None = None
        self.ids: set[int] = set()

    def fresh(self, rows: list[Any]) -> list[Any]:
        """`rows` less those yielded before (a row's first field is its entry id)."""
        if self.first is None:
            self.first = rows
            return rows
        if not self.ids:
            self.ids.update(row[0] for row in self.first)
        rows = [row for row in rows if row[0] not in self.ids]
        self.ids.update(row[0] for row in rows)
        return rows


def _knn_beyond(center: Point, rows: list[Any]) -> float:
    """Where the next KNN batch continues: the last row's `<->`, a little short (the next batch
    may repeat a row at the edge, dropped as seen, never skip one)."""
    last = rows[-1]
    return haversine_m(center, Point(last[2], last[3])) * (1 - _SPHERE_SLACK)


def postgres_rings(
    category_id: int,
    center: Point,
    max_m: float,
    want: int,
    language_mask: int = 0,
    using: str = DEFAULT_DB_ALIAS,
    reach_filter: bool = False,
    figures: bool = True,
    bound: ScoreBound | None = None,
) -> RingSearch:
    """KNN on the category's partial GiST, nearest first, in batches that double; or, when the
    caller sends how far it needs covered (a `Reach`), every row up to there at once, leaving
    out those the score bound rules out."""
    conn = connections[using]
    ensure_spatial_index(category_id, conn)
    limit = knn_batch(want)
    seen = _Seen()
    sphere = sphere_to_geodesic_bounds(center, max_m)
    lower = sphere[0]
    reach = max_m * sphere[1] + 1.0
    beyond = 0.0  # every row nearer than this (spherical) has been yielded
    asked: int | Reach | None = None
    cursor = _search_cursor(conn)
    while True:
        if isinstance(asked, Reach):
            target = min(max_m, asked.radius_m)
            if bound is not None and bound.indexed and asked.floor is not None:
                reached = beyond * lower
                step = max(
                    reached * _SCORED_RING_GROWTH["postgresql"], reached + _SCORED_RING_MIN_STEP_M
                )
                target = min(target, step)
            within = min(reach, target / lower)
            sql, params = postgres_range_sql(
                category_id,
                center,
                beyond,
                within,
                language_mask,
                reach_filter,
                figures,
                bound,
                asked.floor,
                sphere,
            )
            cursor.execute(sql, params, binary=True)
            rows = cursor.fetchall()
            covered, beyond, complete = target, within, target >= max_m
        else:
            sql, params = postgres_knn_sql(
                category_id,
                center,
                reach,
                limit,
                language_mask,
                beyond,
                reach_filter,
                figures,
                sphere,
            )
            cursor.execute(sql, params, binary=True)
            rows = cursor.fetchall()
            complete = len(rows) < limit
            if complete:
                covered = max_m
            else:
                beyond = _knn_beyond(center, rows)
                covered = min(max_m, beyond * lower)
            limit *= 2
        fresh = seen.fresh(rows)
        if figures:
            fresh = [_new_tuple(IndexRow, row) for row in fresh]
        asked = yield Ring(fresh, covered)
        if complete or covered >= max_m:
            return


def rings(
    category_id: int,
    center: Point,
    max_m: float,
    want: int,
    language_mask: int = 0,
    using: str = DEFAULT_DB_ALIAS,
    *,
    reach_filter: bool = False,
    figures: bool = True,
    bound: ScoreBound | None = None,
) -> RingSearch:
    """The backend's ring search: rows of the category's index, nearest rings first.

    Rows carry the ranking figures unless `figures` is false. With `reach_filter` the database
    already drops most rows whose own service radius (or `max_m`) cannot reach the center, by a
    cheap distance with room to spare; the caller still decides exactly. Without it every row
    comes back, so the caller can say why it was not chosen. With a `bound`, a `Reach` sent
    between rings may carry a floor: rows that cannot score that much are not returned.
    """
    search = postgres_rings if connections[using].vendor == "postgresql" else sqlite_rings
    return search(
        category_id, center, max_m, want, language_mask, using, reach_filter, figures, bound
    )


class Nearby(NamedTuple):
    row: IndexRow
    distance_m: float


def geodesic_of(center: Point, item: Nearby) -> Nearby:
    return Nearby(item.row, geodesic_m(center, Point(item.row.latitude, item.row.longitude)))


def settle_within(center: Point, row: IndexRow, distance_m: float, limit_m: float) -> float | None:
    """The row's distance if it lies within `limit_m`, else None. `distance_m` is the local
    formula's; geopy decides when the two are closer than its tolerance."""
    if abs(distance_m - limit_m) <= LOCAL_DISTANCE_TOLERANCE * limit_m + 1e-6:
        distance_m = geodesic_m(center, Point(row.latitude, row.longitude))
    return distance_m if distance_m <= limit_m else None


def nearest(
    *,
    category_id: int,
    center: Point,
    radius_m: float,
    limit: int,
    language_mask: int = 0,
    exclude_helper_ids: Collection[int] = (),
    using: str = DEFAULT_DB_ALIAS,
) -> list[Nearby]:
    """The `limit` nearest indexed helpers for the category whose own service radius covers
    `center`, within `radius_m`, nearest first (ties by helper id). Exact: the same set and
    order as a geopy brute force over every row."""
    conn = connections[using]
    within = _WithinReach(center, radius_m, set(exclude_helper_ids))
    if conn.vendor == "postgresql":
        found = _postgres_nearest(conn, category_id, center, radius_m, limit, language_mask, within)
    else:
        found = _rings_nearest(category_id, center, radius_m, limit, language_mask, using, within)
    head = found[: limit + 1]
    # Where two neighbours are closer than the local formula's tolerance, both get geopy's
    # distance and the order is settled again.
    tolerance = LOCAL_DISTANCE_TOLERANCE
    close = [
        index
        for index, (item, after) in enumerate(itertools.pairwise(head))
        if after[0] - item[0] <= tolerance * after[0]
    ]
    if close:
        for index in set(close) | {index + 1 for index in close}:
            _, helper_id, row = head[index]
            head[index] = (geodesic_m(center, Point(row[2], row[3])), helper_id, row)
        head.sort()
    return [
        _new_tuple(Nearby, (_new_tuple(IndexRow, row + _NO_FIGURES), distance))
        for distance, _, row in head[:limit]
    ]


# (distance, helper id, the bare row: entry id, helper id, latitude, longitude, radius, …)
_Found = tuple[float, int, tuple[Any, ...]]


class _WithinReach:
    """`nearest`'s exact test: of a search's bare rows, those within both the search's radius and
    their own service radius, each with its distance (the local formula's; geopy's where the two
    are closer than its tolerance)."""

    __slots__ = ("center", "radius_m", "excluded", "distance_of", "sure_m", "sure_per_km")

    def __init__(self, center: Point, radius_m: float, excluded: set[int]) -> None:
        self.center, self.radius_m, self.excluded = center, radius_m, excluded
        self.distance_of = distances_from(center)
        self.sure_m = radius_m * (1 - LOCAL_DISTANCE_TOLERANCE)
        self.sure_per_km = 1000.0 * (1 - LOCAL_DISTANCE_TOLERANCE)

    def __call__(self, rows: list[Any]) -> list[_Found]:
        if self.excluded:
            rows = [row for row in rows if row[1] not in self.excluded]
        distance_of, sure_m, sure_per_km = self.distance_of, self.sure_m, self.sure_per_km
        found = [(distance_of(row[2], row[3]), row[1], row) for row in rows]
        kept = [item for item in found if item[0] <= sure_m and item[0] <= item[2][4] * sure_per_km]
        if len(kept) == len(found):
            return kept
        # Some are at or beyond their own reach or the search's: settle each of those.
        kept = []
        for item in found:
            distance, _, row = item
            reach = min(self.radius_m, row[4] * 1000.0)
            if distance > reach * (1 - LOCAL_DISTANCE_TOLERANCE):
                settled = settle_within(self.center, IndexRow(*row), distance, reach)
                if settled is None:
                    continue
                item = (settled, row[1], row)
            kept.append(item)
        return kept


def _inside(found: list[_Found], covered_m: float) -> int:
    """How many of the sorted `found` are final, every row nearer than `covered_m` having been
    seen: those inside it, less the local formula's tolerance."""
    return bisect.bisect_left(found, (covered_m / (1 + LOCAL_DISTANCE_TOLERANCE),))


def _postgres_nearest(
    conn: BaseDatabaseWrapper,
    category_id: int,
    center: Point,
    radius_m: float,
    limit: int,
    language_mask: int,
    within: _WithinReach,
) -> list[_Found]:
    """`nearest` on PostgreSQL: KNN batches that double, as `postgres_rings` sends them but
    without its ring protocol, whose own Python is a good part of a search this short."""
    ensure_spatial_index(category_id, conn)
    sphere = sphere_to_geodesic_bounds(center, radius_m)
    reach = radius_m * sphere[1] + 1.0
    cursor = _search_cursor(conn)
    batch, beyond = knn_batch(limit), 0.0
    seen = _Seen()
    found: list[_Found] = []
    while True:
        sql, params = postgres_knn_sql(
            category_id, center, reach, batch, language_mask, beyond, True, False, sphere
        )
        cursor.execute(sql, params, binary=True)
        rows = cursor.fetchall()
        found += within(seen.fresh(rows))
        found.sort()
        if len(rows) < batch:  # every row within reach
            return found
        beyond = _knn_beyond(center, rows)
        covered = beyond * sphere[0]
        if covered >= radius_m or _inside(found, covered) >= limit:
            return found
        batch *= 2


def _rings_nearest(
    category_id: int,
    center: Point,
    radius_m: float,
    limit: int,
    language_mask: int,
    using: str,
    within: _WithinReach,
) -> list[_Found]:
    """`nearest` by the backend's ring search, each ring asked for the helpers still lacking."""
    search = rings(
        category_id, center, radius_m, limit, language_mask, using, reach_filter=True, figures=False
    )
    found: list[_Found] = []
    ring = next(search)
    while True:
        found += within(ring.rows)
        found.sort()
        inside = _inside(found, ring.covered_m)
        if inside >= limit or ring.covered_m >= radius_m:
            break
        try:
            ring = search.send(limit - inside)
        except StopIteration:
            break
    search.close()
    return found
