"""The match index on PostgreSQL: a partial GiST per category, searched by KNN.

The table has a generated `geography` column (migration 0007); each category has a partial GiST
over it and the stored static score (`btree_gist`). A search walks it by KNN (`ORDER BY geog <->
point`) in batches that double, in a form whose plan does not depend on prepared statements;
when the caller knows how far it must look, the next ring is one range query instead.

PostGIS measures `<->` on a sphere of the mean radius. A WGS84 geodesic is between
`sphere_to_geodesic_bounds` times it (about 0.9996 and 1.0031 in Switzerland), so a helper
beyond spherical distance s is beyond s · lower on the ellipsoid.
"""

from __future__ import annotations

import struct
import weakref
from typing import Any

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import Cursor as ServerBindingCursor

from backend.geo import (
    SPHERE_TO_GEODESIC_LOWER,
    SPHERE_TO_GEODESIC_UPPER,
    Point,
    haversine_m,
    sphere_to_geodesic_bounds,
)
from bookings.matching.protocol import (
    BOUND_SLACK,
    ROW_COLUMNS,
    SCORED_RING_MIN_STEP_M,
    TABLE,
    FreeFilter,
    IndexRow,
    PlaceRow,
    Reach,
    Ring,
    RingSearch,
    ScoreBound,
    SpatialIndex,
    new_row,
)
from bookings.matching.scoring import ScoreDialect

SCORE_DIALECT = ScoreDialect(
    real_type="DOUBLE PRECISION",
    approved_epoch="CAST(EXTRACT(EPOCH FROM approved_at) AS BIGINT)",
    named_parameters=False,
)

# What a search reads after the row's id: with the ranking figures, or places only.
SELECT_FIGURES = ", ".join(ROW_COLUMNS[1:]) + ", " + SCORE_DIALECT.approved_epoch
SELECT_PLACES = ", ".join(ROW_COLUMNS[1:6])

# The sphere's bounds anywhere on Earth: what a search uses unless it passes its own, tighter
# ones for its center and radius.
GLOBAL_SPHERE = (SPHERE_TO_GEODESIC_LOWER, SPHERE_TO_GEODESIC_UPPER)
# `haversine_m` against PostGIS's `<->` (both a sphere of the mean radius): far closer than this.
SPHERE_SLACK = 1e-5


def gist_name(category_id: int) -> str:
    return f"match_geog_{int(category_id)}"


# The center is one parameter, a geography (as hex EWKB) that PostgreSQL reads once when the
# statement is bound. Built in SQL from its coordinates instead, a prepared statement's generic
# plan would build it again for every row its filters look at.
_POINT = "CAST(%s AS geography)"


def center_ewkb(center: Point) -> str:
    """`center` as hex EWKB: a little-endian point with SRID 4326, exactly its two doubles."""
    return struct.pack("<BIidd", 1, 0x20000001, 4326, center.longitude, center.latitude).hex()


# The service-radius prefilter: spherical, with more room than the sphere can be off by (its
# parameters: the center, and 1000 times the upper bound of geodesic over spherical).
_REACH_SQL = f" AND geog <-> {_POINT} <= service_radius_km * CAST(%s AS DOUBLE PRECISION)"


def knn_batch(want: int) -> int:
    """How many rows the first KNN batch asks for when `want` are wanted: a few more, because
    the sphere's order can differ from the ellipsoid's by 0.3 % and the nearest rows are final
    only inside the last one's distance (so few searches need a second batch: bench/NOTES.md)."""
    return want + max(2, want // 10)


def knn_sql(
    category_id: int,
    center: Point,
    *,
    reach_m: float,
    limit: int,
    language_mask: int = 0,
    beyond_m: float = 0.0,
    reach_filter: bool = False,
    figures: bool = True,
    sphere: tuple[float, float] = GLOBAL_SPHERE,
    free: FreeFilter | None = None,
) -> tuple[str, list[Any]]:
    """The KNN query on the category's partial GiST, with its parameters: the `limit` nearest
    rows within `reach_m` (spherical) whose spherical distance is at least `beyond_m`; with
    `reach_filter`, only rows whose service radius, times `sphere`'s upper bound, reaches.

    The form is plan-stable: the `&&` box has a constant size, so the planner chooses the
    index's KNN ordering whether the statement is prepared or not (a radius taken from a column
    makes it misjudge the row count and sort instead, many times slower: bench/NOTES.md). The
    category is a literal so the partial index applies.
    """
    language_sql = " AND (languages_mask & %s) <> 0" if language_mask else ""
    beyond_sql = f" AND geog <-> {_POINT} >= %s" if beyond_m > 0 else ""
    reach_sql = _REACH_SQL if reach_filter else ""
    columns, params = _columns(figures, free)
    sql = (
        f"SELECT id, {columns} FROM {TABLE} "
        f"WHERE category_id = {int(category_id)} AND geog && _ST_Expand({_POINT}, %s)"
        f"{language_sql}{beyond_sql}{reach_sql} ORDER BY geog <-> {_POINT} LIMIT %s"
    )
    point = center_ewkb(center)
    params += [point, reach_m]
    if language_mask:
        params.append(language_mask)
    if beyond_m > 0:
        params += [point, beyond_m]
    if reach_filter:
        params += [point, 1000.0 * sphere[1]]
    params += [point, limit]
    return sql, params


def _columns(figures: bool, free: FreeFilter | None) -> tuple[str, list[Any]]:
    """What a search selects after the row's id (with `free`, whether the row's helper is free
    as a last column) and the parameters of that part, which come first."""
    columns = SELECT_FIGURES if figures else SELECT_PLACES
    if free is None:
        return columns, []
    free_sql, free_params = free.positional_sql(f"{TABLE}.helper_id")
    return f"{columns}, {free_sql}", free_params


def range_sql(
    category_id: int,
    center: Point,
    *,
    beyond_m: float,
    within_m: float,
    language_mask: int = 0,
    reach_filter: bool = False,
    figures: bool = True,
    bound: ScoreBound | None = None,
    floor: float | None = None,
    sphere: tuple[float, float] = GLOBAL_SPHERE,
    free: FreeFilter | None = None,
) -> tuple[str, list[Any]]:
    """Every row of the category whose spherical distance lies in [beyond_m, within_m]: the
    next ring when the caller knows how far it must look. A bitmap scan of the same partial
    GiST, by a box of literal size. With a `bound` and a `floor`, only the rows whose best
    possible score reaches the floor (their geodesic distance is at least `sphere`'s lower
    bound times `<->`)."""
    language_sql = " AND (languages_mask & %s) <> 0" if language_mask else ""
    bound_sql = ""
    if bound is not None and floor is not None:
        bound_sql = (
            f" AND {bound.static_sql} + CAST(%s AS DOUBLE PRECISION) "
            f"- CAST(%s AS DOUBLE PRECISION) * (geog <-> {_POINT}) >= CAST(%s AS DOUBLE PRECISION)"
        )
        if bound.indexed:  # the GiST's second column: rows with too low a score never fetched
            bound_sql += " AND static_score >= CAST(%s AS DOUBLE PRECISION)"
    columns, params = _columns(figures, free)
    sql = (
        f"SELECT id, {columns} FROM {TABLE} "
        f"WHERE category_id = {int(category_id)} AND geog && _ST_Expand({_POINT}, %s)"
        f"{language_sql} AND geog <-> {_POINT} BETWEEN %s AND %s"
        f"{_REACH_SQL if reach_filter else ''}{bound_sql}"
    )
    point = center_ewkb(center)
    params += [point, within_m + 1.0]
    if language_mask:
        params.append(language_mask)
    params += [point, beyond_m, within_m]
    if reach_filter:
        params += [point, 1000.0 * sphere[1]]
    if bound is not None and floor is not None:
        params += list(bound.params)
        params += [
            bound.distance_weight,
            bound.distance_weight * sphere[0] / bound.search_radius_m,
            point,
            floor - BOUND_SLACK,
        ]
        if bound.indexed:
            params.append(bound.least_static(floor, beyond_m * sphere[0]))
    return sql, params


def _rows(
    row_type: type, fetched: list[Any], free: FreeFilter | None
) -> tuple[list[Any], frozenset[int] | None]:
    """The fetched rows as `row_type`s, and with `free` the helpers among them who are free (the
    last column, which the rows leave out)."""
    if free is None:
        return [new_row(row_type, row) for row in fetched], None
    free_ids = frozenset(row[1] for row in fetched if row[-1])
    return [new_row(row_type, row[:-1]) for row in fetched], free_ids


class SeenRows:
    """The rows a search has yielded: later batches may repeat a few at their edge. The ids are
    collected only once a second batch comes (most searches need only the first)."""

    __slots__ = ("first", "ids")

    def __init__(self) -> None:
        self.first: list[Any] | None = None
        self.ids: set[int] = set()

    def fresh(self, rows: list[Any]) -> list[Any]:
        """`rows` (`IndexRow`s or `PlaceRow`s) less those yielded before."""
        if self.first is None:
            self.first = rows
            return rows
        if not self.ids:
            self.ids.update(row.entry_id for row in self.first)
        rows = [row for row in rows if row.entry_id not in self.ids]
        self.ids.update(row.entry_id for row in rows)
        return rows


def knn_beyond(center: Point, rows: list[Any]) -> float:
    """Where the next KNN batch continues: the last row's `<->`, a little short (the next batch
    may repeat a row at the edge, dropped as seen, never skip one)."""
    last = rows[-1]
    return haversine_m(center, Point(last.latitude, last.longitude)) * (1 - SPHERE_SLACK)


class PostgresIndex(SpatialIndex):
    vendor = "postgresql"
    score_dialect = SCORE_DIALECT
    stored_score_column = "static_score"
    # Each ring's box reads again the high scorers nearer in, so wider steps pay (bench/NOTES.md).
    scored_ring_growth = 2.0
    # Each statement's round trip and planning cost more than its rows: asking inside the ring
    # statements took a quarter off find_candidates' p95 at 100,000 helpers.
    free_in_ring = True

    def __init__(self, alias: str, database: str) -> None:
        super().__init__(alias, database)
        # One cursor per psycopg connection, kept while the connection lives: making and closing
        # one costs more than a short search's own Python.
        self._cursors: weakref.WeakKeyDictionary[Any, ServerBindingCursor[Any]] = (
            weakref.WeakKeyDictionary()
        )

    # --- the GiSTs -----------------------------------------------------------------------

    def _create(self, category_id: int) -> None:
        with connections[self.alias].cursor() as cursor:
            if not self._gist_exists(cursor, category_id):
                # Rows written earlier in this transaction leave deferred foreign-key checks
                # pending, and PostgreSQL builds no index over a table with pending checks.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute(
                    f"CREATE INDEX {gist_name(category_id)} ON {TABLE} "
                    f"USING gist (geog, static_score) WHERE category_id = {int(category_id)}"
                )
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def _drop(self, category_id: int) -> None:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(f'DROP INDEX IF EXISTS "{gist_name(category_id)}"')

    def _drop_all(self) -> None:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexname LIKE %s",
                [TABLE, "match\\_geog\\_%"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')

    def exists(self, category_id: int) -> bool:
        with connections[self.alias].cursor() as cursor:
            return self._gist_exists(cursor, category_id)

    def stale_helpers(self, category_id: int) -> list[int]:
        """None: a GiST indexes the table's own rows, so it cannot differ from them."""
        return []

    def clear_table(self) -> None:
        # A fresh, empty table (a rebuild's dropped indexes locked it already): the rows and
        # indexes built next hold no dead copies of the old rows.
        with connections[self.alias].cursor() as cursor:
            # Pending deferred foreign-key checks of rows written earlier in this transaction
            # would refuse the TRUNCATE: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {TABLE}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    @staticmethod
    def _gist_exists(cursor: Any, category_id: int) -> bool:
        cursor.execute(
            "SELECT 1 FROM pg_indexes WHERE tablename = %s AND indexname = %s",
            [TABLE, gist_name(category_id)],
        )
        return cursor.fetchone() is not None

    # --- the searches --------------------------------------------------------------------

    def cursor(self) -> ServerBindingCursor[Any]:
        """A psycopg cursor on Django's connection (same transaction) that binds parameters on
        the server and reads binary results, which spares formatting every float as text both
        ways.

        psycopg prepares a statement it has run DATABASE_PREPARE_THRESHOLD times on the
        connection (Django's own queries never are): PostGIS then plans it once, not on every
        search. The search's form is plan-stable however it is sent (see `knn_sql`).
        """
        connection: BaseDatabaseWrapper = connections[self.alias]
        connection.ensure_connection()
        raw = connection.connection
        cursor = self._cursors.get(raw)
        if cursor is None:
            cursor = self._cursors[raw] = ServerBindingCursor(raw)
        return cursor

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
        """KNN on the category's partial GiST, nearest first, in batches that double; or, when
        the caller sends how far it needs covered (a `Reach`), every row up to there at once,
        leaving out those the score bound rules out."""
        self.ensure(category_id)
        cursor = self.cursor()
        row_type = IndexRow if figures else PlaceRow
        sphere = sphere_to_geodesic_bounds(center, max_m)
        lower = sphere[0]
        reach = max_m * sphere[1] + 1.0
        limit = knn_batch(want)
        beyond = 0.0  # every row nearer than this (spherical) has been yielded
        seen = SeenRows()
        asked: int | Reach | None = None
        while True:
            if isinstance(asked, Reach):
                target = self._reach_target(asked, beyond * lower, max_m=max_m, bound=bound)
                within = min(reach, target / lower)
                sql, params = range_sql(
                    category_id,
                    center,
                    beyond_m=beyond,
                    within_m=within,
                    language_mask=language_mask,
                    reach_filter=reach_filter,
                    figures=figures,
                    bound=bound,
                    floor=asked.floor,
                    sphere=sphere,
                    free=free,
                )
                cursor.execute(sql, params, binary=True)
                rows, free_ids = _rows(row_type, cursor.fetchall(), free)
                covered, beyond, complete = target, within, target >= max_m
            else:
                sql, params = knn_sql(
                    category_id,
                    center,
                    reach_m=reach,
                    limit=limit,
                    language_mask=language_mask,
                    beyond_m=beyond,
                    reach_filter=reach_filter,
                    figures=figures,
                    sphere=sphere,
                    free=free,
                )
                cursor.execute(sql, params, binary=True)
                rows, free_ids = _rows(row_type, cursor.fetchall(), free)
                complete = len(rows) < limit
                if complete:
                    covered = max_m
                else:
                    beyond = knn_beyond(center, rows)
                    covered = min(max_m, beyond * lower)
                limit *= 2
            asked = yield Ring(seen.fresh(rows), covered, free_ids)
            if complete or covered >= max_m:
                return

    def _reach_target(
        self, asked: Reach, reached_m: float, *, max_m: float, bound: ScoreBound | None
    ) -> float:
        """How far the next ring covers when the caller asked to cover `asked.radius_m`: under
        an indexed score floor, at most one growth step beyond what is covered."""
        target = min(max_m, asked.radius_m)
        if bound is not None and bound.indexed and asked.floor is not None:
            step = max(reached_m * self.scored_ring_growth, reached_m + SCORED_RING_MIN_STEP_M)
            target = min(target, step)
        return target
