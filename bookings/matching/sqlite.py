"""The match index on SQLite: an R*Tree per category, searched in growing rings.

Each category's R*Tree (a virtual table SQLite ships with) holds the exact float64 coordinates
and the stored static score as its dimensions and the ranking figures as auxiliary columns.
Triggers on the table keep it in step, so even a bulk delete cannot leave it stale. A search is
a ring that starts at a radius guessed from the local density and grows until enough helpers
are inside it; each ring after the first skips, in SQLite's own loop, what the one before held.
"""

from __future__ import annotations

import math
import sqlite3
import time
from typing import Any, NamedTuple

from django.db import DatabaseError, connections

from backend.geo import Point, bounding_box, metres_per_degree
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
    real_type="REAL", approved_epoch="approved_epoch", named_parameters=True
)

# What a search reads of the R*Tree after its id: with the ranking figures, or places only.
SELECT_FIGURES = ", ".join(ROW_COLUMNS[1:]) + ", " + SCORE_DIALECT.approved_epoch
SELECT_PLACES = ", ".join(ROW_COLUMNS[1:6])


def rtree_name(category_id: int) -> str:
    return f"match_rtree_{int(category_id)}"


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


def _trigger_sql(category_id: int) -> list[str]:
    """The triggers that keep the category's R*Tree in step with the table."""
    tree = rtree_name(category_id)
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


# Density grid for the first ring's radius: rows per 0.02° cell, per category.
_DENSITY_CELL_DEG = 0.02
_CELLS_PER_DEG = round(1 / _DENSITY_CELL_DEG)
# How far (in cells) the first ring's estimate looks for enough helpers: about 30 km.
_DENSITY_MAX_REACH = 15
# The grid only sizes the first ring: a stale one costs at most another ring, never a wrong
# answer, and counting it is slow at a national scale (bench/NOTES.md), so once an hour is enough.
DENSITY_TTL_S = 3600.0

Grid = dict[tuple[int, int], int]

# The circle tests of a ring: a planar distance at the center's latitude, within 1 % of the
# geodesic up to 50 km here, so with 3 % to spare it never drops a helper who can reach.
_PLANAR_SLACK = 1.03
_PLANAR_SQ = (
    "((latitude - :lat) * :north_m) * ((latitude - :lat) * :north_m) "
    "+ ((longitude - :lon) * :east_m) * ((longitude - :lon) * :east_m)"
)
# The same, on the R*Tree's own coordinates (32-bit, within half a metre; :reach has a metre
# more), so rows outside the circle are dropped before their other columns are read.
_COARSE_SQ = _PLANAR_SQ.replace("latitude", "min_lat").replace("longitude", "min_lon")


class SqliteIndex(SpatialIndex):
    vendor = "sqlite"
    score_dialect = SCORE_DIALECT
    # An R*Tree rounds its bounds outwards to 32-bit floats, so its max is never below the score.
    stored_score_column = "max_score"
    # An R*Tree ring skips what the last one held, so narrow steps pay (bench/NOTES.md).
    scored_ring_growth = 1.5
    # An R*Tree ring returns more rows than the batches would ask about, and its statements
    # are cheap: asking inside them saved nothing at 100,000 helpers and cost 8 % at 1,000,000.
    free_in_ring = False

    def __init__(self, alias: str, database: str) -> None:
        super().__init__(alias, database)
        self._density: dict[int, tuple[float, Grid]] = {}  # category → (counted at, grid)
        self._has_math: bool | None = None

    # --- the R*Trees ----------------------------------------------------------------------

    def _create(self, category_id: int) -> None:
        tree = rtree_name(category_id)
        with connections[self.alias].cursor() as cursor:
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
            for statement in _trigger_sql(category_id):
                cursor.execute(statement)

    def _drop(self, category_id: int) -> None:
        # Dropping the R*Tree also clears rows the table no longer has, which a helper's
        # refresh cannot reach.
        with connections[self.alias].cursor() as cursor:
            cursor.execute(f'DROP TABLE IF EXISTS "{rtree_name(category_id)}"')

    def _drop_all(self) -> None:
        with connections[self.alias].cursor() as cursor:
            cursor.execute(
                "SELECT type, name FROM sqlite_master WHERE name LIKE 'match_rtree_%' AND "
                "(type = 'trigger' OR sql LIKE 'CREATE VIRTUAL TABLE%') ORDER BY type = 'table'"
            )
            for kind, name in cursor.fetchall():
                cursor.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')

    def exists(self, category_id: int) -> bool:
        with connections[self.alias].cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [rtree_name(category_id)])
            return cursor.fetchone() is not None

    def stale_helpers(self, category_id: int) -> list[int]:
        """Helpers with a row in the table or the R*Tree but not the same row in both."""
        with connections[self.alias].cursor() as cursor:
            cursor.execute(
                f"SELECT t.helper_id, r.helper_id FROM {TABLE} t "
                f"FULL OUTER JOIN {rtree_name(category_id)} r "
                "ON r.id = t.id AND r.latitude = t.latitude AND r.longitude = t.longitude "
                "AND r.service_radius_km = t.service_radius_km "
                "AND r.languages_mask = t.languages_mask AND r.rating_sum = t.rating_sum "
                "AND r.rating_count = t.rating_count "
                "AND r.min_score <= t.static_score AND r.max_score >= t.static_score "
                f"WHERE (t.category_id = {int(category_id)} OR t.id IS NULL) "
                "AND (t.id IS NULL OR r.id IS NULL)"
            )
            return [table_helper or tree_helper for table_helper, tree_helper in cursor.fetchall()]

    # --- what this process remembers -----------------------------------------------------

    def forget(self) -> None:
        super().forget()
        self._density.clear()

    def forget_density(self) -> None:
        """Count the density grids again at the next search, as once an hour anyway."""
        self._density.clear()

    def has_math(self) -> bool:
        """Whether this SQLite was built with its math functions (sqrt), as most builds are."""
        if self._has_math is None:
            try:
                with connections[self.alias].cursor() as cursor:
                    cursor.execute("SELECT sqrt(4.0)")
                self._has_math = True
            except DatabaseError:  # an SQLite built without SQLITE_ENABLE_MATH_FUNCTIONS
                self._has_math = False
        return self._has_math

    def density_grid(self, category_id: int) -> Grid:
        """The category's rows per grid cell, counted at most `DENSITY_TTL_S` ago."""
        cached = self._density.get(category_id)
        if cached is not None and time.monotonic() - cached[0] < DENSITY_TTL_S:
            return cached[1]
        with connections[self.alias].cursor() as cursor:
            cursor.execute(
                f"SELECT CAST((latitude + 90) * {_CELLS_PER_DEG} AS INTEGER), "
                f"CAST((longitude + 180) * {_CELLS_PER_DEG} AS INTEGER), "
                f"COUNT(*) FROM {TABLE} WHERE category_id = %s GROUP BY 1, 2",
                [category_id],
            )
            grid = {(row, column): count for row, column, count in cursor.fetchall()}
        self._density[category_id] = (time.monotonic(), grid)
        return grid

    def first_radius_m(self, category_id: int, center: Point, *, want: int, max_m: float) -> float:
        """The first ring's radius: about where `want` helpers are, by the density grid."""
        grid = self.density_grid(category_id)
        row = int((center.latitude + 90) * _CELLS_PER_DEG)
        column = int((center.longitude + 180) * _CELLS_PER_DEG)
        cell_km2 = (_DENSITY_CELL_DEG * 111.32) ** 2 * math.cos(math.radians(center.latitude))
        # The smallest square of cells around the customer's that holds `want` helpers: the
        # customer's own neighbourhood in a town, a wider square in the countryside. Nobody
        # within about 30 km: cover everything at once.
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

    # --- the ring search -----------------------------------------------------------------

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
        """Growing boxes on the category's R*Tree until the whole search radius is covered.

        Each box after the first skips (in SQLite's own loop) the rows wholly inside the one
        before, or with `reach_filter` the rows inside the one before's circle (which its box
        holds). Between rings the caller may send how many helpers it still lacks (an int), or
        how far it needs covered next (a `Reach`, whose floor applies the score bound). With
        `free`, each row's statement also asks whether its helper is free (a last column).
        """
        self.ensure(category_id)
        tree = rtree_name(category_id)
        free_sql, free_params = free.named_sql(f"{tree}.helper_id") if free else ("", {})
        statements = _ring_statements(
            tree,
            language_mask=language_mask,
            reach_filter=reach_filter,
            figures=figures,
            bound=bound,
            has_math=bound is not None and self.has_math(),
            free_sql=free_sql,
        )
        params = _search_params(center, max_m=max_m, language_mask=language_mask, bound=bound)
        params.update(free_params)
        # Only some of the rows reach a given customer: aim for more when the filter drops the
        # rest.
        aim = int(want * 1.2) if reach_filter else want
        radius = self.first_radius_m(category_id, center, want=aim, max_m=max_m)
        row_type = IndexRow if figures else PlaceRow
        seen: set[int] = set()
        previous: _Box | None = None
        floor: float | None = None
        cursor = _raw_cursor(self.alias)
        try:
            while True:
                box = _ring_box(
                    center, radius, max_m=max_m, reach_filter=reach_filter, params=params
                )
                if previous is None:
                    cursor.execute(statements.first, params)
                else:
                    params.update(previous.as_inner())
                    cursor.execute(
                        statements.bounded if floor is not None else statements.ring, params
                    )
                fetched = cursor.fetchall()
                free_ids: frozenset[int] | None = None
                if free is not None:
                    # The last column says whether the row's helper is free (0 or 1).
                    free_ids = frozenset(row[1] for row in fetched if row[-1])
                    fetched = [row[:-1] for row in fetched]
                rows: list[Any] = [new_row(row_type, row) for row in fetched]
                fresh = [row for row in rows if row.entry_id not in seen]
                seen.update(row.entry_id for row in fresh)
                previous = box
                asked = yield Ring(fresh, radius, free_ids)
                if radius >= max_m:
                    return
                if isinstance(asked, Reach):
                    floor = asked.floor if bound is not None else None
                    radius = self._reached_radius(
                        radius, asked, max_m=max_m, bound=bound, params=params
                    )
                    continue
                floor = None
                radius = _grown_radius(radius, asked, want=want, inside=len(seen), max_m=max_m)
        finally:
            cursor.close()

    def _reached_radius(
        self,
        radius: float,
        asked: Reach,
        *,
        max_m: float,
        bound: ScoreBound | None,
        params: dict[str, Any],
    ) -> float:
        """The next ring's radius when the caller asked how far to cover; sets the bound's
        parameters for the floor it sent."""
        target = asked.radius_m
        if bound is not None and asked.floor is not None:
            params.update(
                b_floor=asked.floor - BOUND_SLACK,
                b_inner_m=radius,
                b_least=bound.least_static(asked.floor, radius),
            )
            if bound.indexed:
                step = max(radius * self.scored_ring_growth, radius + SCORED_RING_MIN_STEP_M)
                target = min(target, step)
        return min(max_m, max(radius * 1.25, target))


class _Statements(NamedTuple):
    first: str  # the first ring
    ring: str  # every later ring: the new rows only
    bounded: str  # a later ring under a score floor


def _ring_statements(
    tree: str,
    *,
    language_mask: int,
    reach_filter: bool,
    figures: bool,
    bound: ScoreBound | None,
    has_math: bool,
    free_sql: str = "",
) -> _Statements:
    """The ring search's statements, with named parameters: their text stays the same from
    search to search, so sqlite3's statement cache compiles each once."""
    language_sql = " AND (languages_mask & :languages) != 0" if language_mask else ""
    box_sql = "max_lat >= :south AND min_lat <= :north AND max_lon >= :west AND min_lon <= :east"
    inner_sql = (
        "min_lat >= :inner_south AND max_lat <= :inner_north "
        "AND min_lon >= :inner_west AND max_lon <= :inner_east"
    )
    reach_sql = ""
    if reach_filter:
        # Only rows within the ring's own circle (:reach follows it), not the box's corners: a
        # ring then skips what the circle before it held.
        reach_sql = (
            f" AND {_COARSE_SQ} <= :reach * :reach AND {_COARSE_SQ} "
            f"<= (service_radius_km * {1000.0 * _PLANAR_SLACK}) "
            f"* (service_radius_km * {1000.0 * _PLANAR_SLACK})"
        )
        inner_sql = f"{_COARSE_SQ} <= :inner_reach * :inner_reach"
    # The tests on the R*Tree's own columns first: SQLite checks them in this order.
    columns = SELECT_FIGURES if figures else SELECT_PLACES
    if free_sql:
        columns += f", {free_sql}"
    select = f"SELECT id, {columns} FROM {tree} WHERE {box_sql}"
    ring_sql = f"{select} AND NOT ({inner_sql}){reach_sql}{language_sql}"
    bounded_sql = ring_sql
    if bound is not None:
        # The row's own least distance where SQLite has sqrt, else the ring's inner edge.
        nearest_sql = f"sqrt({_PLANAR_SQ}) / {_PLANAR_SLACK}" if has_math else ":b_inner_m"
        bounded_sql += (
            f" AND {bound.static_sql} + :b_weight - :b_weight_per_m * {nearest_sql} >= :b_floor"
        )
        if bound.indexed:  # a constraint on the R*Tree's own dimension: whole branches skipped
            bounded_sql += " AND max_score >= :b_least"
    return _Statements(f"{select}{reach_sql}{language_sql}", ring_sql, bounded_sql)


def _search_params(
    center: Point, *, max_m: float, language_mask: int, bound: ScoreBound | None
) -> dict[str, Any]:
    """The parameters every ring of a search shares (each ring adds its box)."""
    metres_north, metres_east = metres_per_degree(center.latitude)
    params: dict[str, Any] = {
        "languages": language_mask,
        "lat": center.latitude,
        "lon": center.longitude,
        "north_m": metres_north,
        "east_m": metres_east,
        "reach": max_m * _PLANAR_SLACK + 1.0,
    }
    if bound is not None:
        params.update(bound.params)
        params.update(
            b_weight=bound.distance_weight,
            b_weight_per_m=bound.distance_weight / bound.search_radius_m,
        )
    return params


class _Box(NamedTuple):
    """A ring's box, and the radius of the circle its reach filter kept."""

    south: float
    north: float
    west: float
    east: float
    reach: float

    def as_inner(self) -> dict[str, float]:
        """The parameters by which the next ring leaves out what this one held."""
        return {
            "inner_south": self.south,
            "inner_north": self.north,
            "inner_west": self.west,
            "inner_east": self.east,
            "inner_reach": self.reach,
        }


def _ring_box(
    center: Point, radius: float, *, max_m: float, reach_filter: bool, params: dict[str, Any]
) -> _Box:
    """The box of the ring of `radius`, written into `params` (and with `reach_filter` the
    circle it keeps, which the box then holds: the next ring leaves that whole circle out)."""
    south, north, west, east = bounding_box(center, radius)
    if reach_filter:
        params["reach"] = reach = min(max_m, radius) * _PLANAR_SLACK + 1.0
        # 3 % wider than the ring, the circle reaches past a box sized for its geodesic radius.
        half_lat = reach / params["north_m"] * (1 + 1e-9)
        half_lon = reach / params["east_m"] * (1 + 1e-9)
        south = min(south, center.latitude - half_lat)
        north = max(north, center.latitude + half_lat)
        west = min(west, center.longitude - half_lon)
        east = max(east, center.longitude + half_lon)
    params.update(south=south, north=north, west=west, east=east)
    return _Box(south, north, west, east, params["reach"])


def _grown_radius(
    radius: float, asked: int | None, *, want: int, inside: int, max_m: float
) -> float:
    """The next ring's radius when the caller asked for more helpers: grown by what the density
    seen so far suggests."""
    lacking = asked if isinstance(asked, int) and asked > 0 else want
    inside = max(1, inside)
    factor = math.sqrt((inside + lacking) * 1.3 / inside)
    return min(max_m, radius * min(4.0, max(1.5, factor)))


def _raw_cursor(alias: str) -> sqlite3.Cursor:
    """sqlite3's own cursor on Django's connection (the same transaction), which takes named
    parameters and returns plain tuples."""
    connection = connections[alias]
    connection.ensure_connection()
    cursor: sqlite3.Cursor = connection.connection.cursor()
    return cursor
