"""Searching the match index, on whichever database an alias names.

`spatial_index(using)` is the database's `SpatialIndex` (`sqlite.SqliteIndex` or
`postgres.PostgresIndex`): one object per alias for the life of the process, which also holds
what the process remembers between searches (which spatial indexes exist, SQLite's density
grids and math support, PostgreSQL's search cursors). `rings` is the ring search on it.

Both backends return candidates by fast formulas; callers finish exactly in Python: WGS84
distances by the local formula, with geopy (`settle_within`) only where a decision is closer
than the formula's tolerance.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections

from backend.geo import LOCAL_DISTANCE_TOLERANCE, Point, geodesic_m
from bookings.matching.postgres import PostgresIndex
from bookings.matching.protocol import (
    FreeFilter,
    IndexRow,
    PlaceRow,
    RingSearch,
    ScoreBound,
    SpatialIndex,
)
from bookings.matching.sqlite import SqliteIndex

_BACKENDS: dict[str, type[SpatialIndex]] = {
    SqliteIndex.vendor: SqliteIndex,
    PostgresIndex.vendor: PostgresIndex,
}
_by_alias: dict[str, SpatialIndex] = {}


def spatial_index(using: str = DEFAULT_DB_ALIAS) -> SpatialIndex:
    """The spatial index object of the database `using` names (made anew when the alias names
    another database than before, as when the test runner swaps in its test database)."""
    connection = connections[using]
    index = _by_alias.get(using)
    if index is None or index.database != connection.settings_dict["NAME"]:
        index = _BACKENDS[connection.vendor](using, connection.settings_dict["NAME"])
        _by_alias[using] = index
    return index


def forget_process_caches() -> None:
    """Forget which spatial indexes exist and the density grids, on every database (both are
    found again on demand; a test's rollback can undo them)."""
    for index in _by_alias.values():
        index.forget()


def rings(
    category_id: int,
    center: Point,
    *,
    max_m: float,
    want: int,
    language_mask: int = 0,
    using: str = DEFAULT_DB_ALIAS,
    reach_filter: bool = False,
    figures: bool = True,
    bound: ScoreBound | None = None,
    free: FreeFilter | None = None,
) -> RingSearch:
    """The database's ring search: rows of the category's index, nearest rings first.

    Rows are `IndexRow`s with the ranking figures, or `PlaceRow`s when `figures` is false. With
    `reach_filter` the database already drops most rows whose own service radius (or `max_m`)
    cannot reach the center, by a cheap distance with room to spare; the caller still decides
    exactly. Without it every row comes back, so the caller can say why it was not chosen. With
    a `bound`, a `Reach` sent between rings may carry a floor: rows that cannot score that much
    are not returned. `want` is how many helpers the caller expects to need. With `free`, each
    ring also says which of its rows' helpers are free in the request's windows, read in the
    same statement.
    """
    return spatial_index(using).rings(
        category_id,
        center,
        max_m=max_m,
        want=want,
        language_mask=language_mask,
        reach_filter=reach_filter,
        figures=figures,
        bound=bound,
        free=free,
    )


def settle_within(
    center: Point, row: IndexRow | PlaceRow, *, distance_m: float, limit_m: float
) -> float | None:
    """The row's distance if it lies within `limit_m`, else None. `distance_m` is the local
    formula's; geopy decides when the two are closer than its tolerance."""
    if abs(distance_m - limit_m) <= LOCAL_DISTANCE_TOLERANCE * limit_m + 1e-6:
        distance_m = geodesic_m(center, Point(row.latitude, row.longitude))
    return distance_m if distance_m <= limit_m else None
