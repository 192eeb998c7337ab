"""Points, distances and "is this in Switzerland?", all offline.

Distances are WGS84 geodesics computed by geopy (Karney's algorithm), exact to well under a
millimetre. Anything cheaper (planar or spherical formulas) is only used to pick candidates,
never to decide.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from django.utils.translation import gettext as _
from geographiclib.geodesic import Geodesic

from backend.exceptions import CoreError, ValidationFailed, raises
from backend.localities import Locality, localities
from backend.point import Point

__all__ = ["SWISS_BOUNDING_BOX", "Point"]

BORDER_REFERENCE_PLACES = (
    Path(__file__).resolve().parent.parent / "data" / "border-reference-places.csv"
)

# WGS84 ellipsoid.
_SEMI_MAJOR_AXIS_M = 6_378_137.0
_FLATTENING = 1 / 298.257223563
_ECCENTRICITY_SQUARED = _FLATTENING * (2 - _FLATTENING)
# The smallest radii of curvature anywhere on the ellipsoid, both at the equator: meridional
# M = a(1 - e²) and prime vertical N = a. Dividing by them overestimates degree spans.
_MIN_MERIDIONAL_RADIUS_M = _SEMI_MAJOR_AXIS_M * (1 - _ECCENTRICITY_SQUARED)
_MIN_PRIME_VERTICAL_RADIUS_M = _SEMI_MAJOR_AXIS_M
# Relative margin on top of the exact bounds: covers float rounding, costs ~1% more rows.
_BOUNDING_BOX_MARGIN = 0.01

# IUGG mean radius, for the spherical (haversine) candidate search only.
_MEAN_EARTH_RADIUS_M = 6_371_008.8
# Candidates within this relative band of the best estimate get the exact geodesic. The
# haversine on the mean sphere is within 0.6% of the WGS84 geodesic everywhere, Lambert's
# formula within 0.001% up to 175° apart and 0.07% up to the antipode (measured against
# geopy); the bands are wide enough that the true nearest is always among the candidates.
_NEAR_CANDIDATE_TOLERANCE = 0.02
_FAR_CANDIDATE_TOLERANCE = 0.003
_CANDIDATE_SLACK_M = 1.0


class BoundingBox(NamedTuple):
    min_latitude: float
    max_latitude: float
    min_longitude: float
    max_longitude: float

    def contains(self, point: Point) -> bool:
        return (
            self.min_latitude <= point.latitude <= self.max_latitude
            and self.min_longitude <= point.longitude <= self.max_longitude
        )


# Switzerland's extent, with a little room: Chiasso is at 45.82 N, Oberbargen at 47.81 N,
# Chancy at 5.96 E and Val Müstair at 10.49 E. The one copy: the database's checks on stored
# positions use it too.
SWISS_BOUNDING_BOX = BoundingBox(45.80, 47.85, 5.94, 10.50)
# The directory gives each locality's centroid, not its village: in big alpine localities the
# two are far apart (Zermatt village is 5.6 km from its centroid, Zernez 5.4 km; every other
# Swiss town of 1,000 people is within 3.8 km). 7 km leaves room for smaller villages there.
_MAX_DISTANCE_FROM_SWISS_LOCALITY_M = 7_000.0


def point_to_geojson(point: Point) -> dict[str, Any]:
    """A GeoJSON Point: longitude first, as RFC 7946 orders it."""
    return {"type": "Point", "coordinates": [point.longitude, point.latitude]}


@raises(CoreError.INVALID_GEOJSON)
def point_from_geojson(value: dict[str, Any]) -> Point:
    """The Point a GeoJSON Point object describes; an altitude, if given, is dropped.

    Raises ValidationFailed(code=CoreError.INVALID_GEOJSON) for anything else: other geometry types,
    missing or non-numeric coordinates, coordinates off the globe.
    """
    if not isinstance(value, dict) or value.get("type") != "Point":
        raise _invalid_geojson(_('Expected a GeoJSON object with "type": "Point".'))
    coordinates = value.get("coordinates")
    if not isinstance(coordinates, list | tuple) or len(coordinates) not in (2, 3):
        raise _invalid_geojson(_('Expected "coordinates": [longitude, latitude].'))
    if not all(_is_finite_number(number) for number in coordinates):
        raise _invalid_geojson(_("Coordinates must be finite numbers."))
    longitude, latitude = float(coordinates[0]), float(coordinates[1])
    if not (-180.0 <= longitude <= 180.0 and -90.0 <= latitude <= 90.0):
        raise _invalid_geojson(_("Coordinates are [longitude, latitude], within ±180 and ±90."))
    return Point(latitude=latitude, longitude=longitude)


_WGS84 = Geodesic.WGS84


def geodesic_m(a: Point, b: Point) -> float:
    """The WGS84 geodesic distance in metres: Karney's algorithm, which geopy's `geodesic`
    runs, asked for the distance alone (half the time: no azimuths, no geopy objects)."""
    found = _WGS84.Inverse(a.latitude, a.longitude, b.latitude, b.longitude, Geodesic.DISTANCE)
    return float(found["s12"])


# The local tangent-plane distance below (WGS84 radii of curvature at the mid-latitude) is
# within 1.5e-6 of the geodesic up to 30 km and 6e-6 up to 60 km (measured against geopy over
# Switzerland). Decisions closer than this relative margin are settled by geopy instead.
LOCAL_DISTANCE_TOLERANCE = 2e-5
# Beyond this the local formula is not trusted at all: geopy answers.
_LOCAL_DISTANCE_MAX_M = 100_000.0


def local_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The WGS84 distance in metres, to within LOCAL_DISTANCE_TOLERANCE for nearby points.

    A closed formula, far cheaper than geopy's iterative geodesic: meant for ranking many
    candidates, with `geodesic_m` settling any comparison closer than the tolerance. Points
    farther apart than 100 km get the exact geodesic.
    """
    mid = math.radians((lat1 + lat2) / 2)
    sine = math.sin(mid)
    w = 1 - _ECCENTRICITY_SQUARED * sine * sine
    prime_vertical = _SEMI_MAJOR_AXIS_M / math.sqrt(w)
    meridional = prime_vertical * (1 - _ECCENTRICITY_SQUARED) / w
    distance = math.hypot(
        math.radians(lon2 - lon1) * prime_vertical * math.cos(mid),
        math.radians(lat2 - lat1) * meridional,
    )
    if distance > _LOCAL_DISTANCE_MAX_M or abs(lon2 - lon1) > 180.0:
        return geodesic_m(Point(lat1, lon1), Point(lat2, lon2))
    return distance


# Within this many degrees of latitude of its center, `distances_from` fits the local formula's
# radii with quadratics (beyond, it calls `local_distance_m`).
_FITTED_LATITUDE_SPAN = 1.0


def distances_from(center: Point) -> Callable[[float, float], float]:
    """`local_distance_m` from `center`, as a function of a point's latitude and longitude,
    cheaper per point: for the many rows of one search.

    The formula's metres per degree of longitude and of latitude at the mid-latitude are
    quadratics in the latitude difference, equal to the formula's at the center and at
    `_FITTED_LATITUDE_SPAN` degrees north and south: within 10⁻⁷ of it in between (a test
    measures it), far inside `LOCAL_DISTANCE_TOLERANCE`. That spares the sine, cosine, square
    root and divisions of the formula for each point.
    """
    lat0, lon0 = center.latitude, center.longitude
    if abs(lat0) > 80.0:  # the fit would reach over a pole
        return lambda latitude, longitude: local_distance_m(lat0, lon0, latitude, longitude)
    span = _FITTED_LATITUDE_SPAN
    # Metres per degree along the parallel and the meridian, at the mid-latitude of the center
    # and a point `offset` degrees north of it.
    south = metres_per_degree(lat0 - span / 2)
    middle = metres_per_degree(lat0)
    north = metres_per_degree(lat0 + span / 2)
    # f(x) = f0 + f1·x + f2·x² through (−span, south), (0, middle), (span, north).
    east0, north0 = middle[1], middle[0]
    east1 = (north[1] - south[1]) / (2 * span)
    north1 = (north[0] - south[0]) / (2 * span)
    east2 = (north[1] + south[1] - 2 * middle[1]) / (2 * span * span)
    north2 = (north[0] + south[0] - 2 * middle[0]) / (2 * span * span)
    sqrt = math.sqrt

    def distance_m(latitude: float, longitude: float) -> float:
        d_lat = latitude - lat0
        d_lon = longitude - lon0
        if -span <= d_lat <= span and -180.0 <= d_lon <= 180.0:
            east = d_lon * (east0 + d_lat * (east1 + d_lat * east2))
            northing = d_lat * (north0 + d_lat * (north1 + d_lat * north2))
            distance = sqrt(east * east + northing * northing)
            if distance <= _LOCAL_DISTANCE_MAX_M:
                return distance
        return local_distance_m(lat0, lon0, latitude, longitude)

    return distance_m


def metres_per_degree(latitude: float) -> tuple[float, float]:
    """Metres per degree of latitude and of longitude at `latitude` (WGS84)."""
    meridional, prime_vertical = _radii_of_curvature(latitude)
    return (
        math.radians(1) * meridional,
        math.radians(1) * prime_vertical * math.cos(math.radians(latitude)),
    )


def bounding_box(center: Point, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) containing every point within `radius_m` geodesic
    metres of `center`: a cheap database prefilter before the exact distance check.

    Along any path, a metre moves latitude by at most 1/M_min radians and longitude by at most
    1/(N_min·cos φ) radians, φ being the latitude nearest a pole the path can reach; dividing
    by the smallest radii of curvature makes the box a guaranteed superset. Near a pole, or
    across the antimeridian, the box widens to all longitudes rather than wrap.
    """
    if radius_m < 0 or not math.isfinite(radius_m):
        raise ValueError(f"radius_m must be a finite distance, not {radius_m!r}")
    reach_m = radius_m * (1 + _BOUNDING_BOX_MARGIN)
    latitude_span = math.degrees(reach_m / _MIN_MERIDIONAL_RADIUS_M)
    min_lat = max(-90.0, center.latitude - latitude_span)
    max_lat = min(90.0, center.latitude + latitude_span)
    poleward = max(abs(min_lat), abs(max_lat))
    parallel_radius_m = _MIN_PRIME_VERTICAL_RADIUS_M * math.cos(math.radians(poleward))
    if parallel_radius_m <= 0:
        return (min_lat, max_lat, -180.0, 180.0)
    longitude_span = math.degrees(reach_m / parallel_radius_m)
    min_lon = center.longitude - longitude_span
    max_lon = center.longitude + longitude_span
    if longitude_span >= 180.0 or min_lon < -180.0 or max_lon > 180.0:
        return (min_lat, max_lat, -180.0, 180.0)
    return (min_lat, max_lat, min_lon, max_lon)


def is_in_switzerland(point: Point) -> bool:
    """Whether `point` is (as far as can be told offline) in Switzerland.

    No border polygon ships with Quartier, so the localities directory stands in for one: a
    point is Swiss when it lies in Switzerland's bounding box, within 7 km of a Swiss locality
    centroid, and nearer to the nearest Swiss reference (centroid or a Swiss border reference place)
    than to any foreign one (the directory's Liechtenstein rows and the foreign border reference places).

    Limits, honestly: along the border the answer follows the midline between Swiss and foreign
    centres, not the border itself, so it can be wrong by a few hundred metres in towns and by
    kilometres in the mountains, worst where a foreign village too small to be listed faces a
    Swiss one. High ground more than 7 km from any centroid is refused. Good enough to keep
    requests and meeting points in Swiss neighbourhoods; not an answer for customs or tax.
    """
    if not SWISS_BOUNDING_BOX.contains(point):
        return False
    swiss = _swiss_index().nearest(point, within_m=_MAX_DISTANCE_FROM_SWISS_LOCALITY_M)
    if swiss is None:
        return False
    foreign = _foreign_index().nearest(point, within_m=swiss.distance_m)
    return foreign is None or foreign.distance_m > swiss.distance_m


@raises(CoreError.OUTSIDE_SWITZERLAND)
def require_in_switzerland(point: Point, *, field: str) -> None:
    """Raises ValidationFailed(code=CoreError.OUTSIDE_SWITZERLAND) on `field` unless the point is Swiss."""
    if not is_in_switzerland(point):
        message = _("This place is outside Switzerland; Quartier works within Switzerland only.")
        raise ValidationFailed(
            message, code=CoreError.OUTSIDE_SWITZERLAND, fields={field: [message]}
        )


def nearest_locality(point: Point) -> Locality:
    """The directory row whose centroid is nearest (geodesically) to `point`.

    Liechtenstein rows count too: check `Locality.is_in_switzerland` where that matters.
    """
    nearest = _directory_index().nearest(point)
    if nearest is None:
        raise LookupError("the localities directory is empty")
    return nearest.item


def _invalid_geojson(message: str) -> ValidationFailed:
    return ValidationFailed(message, code=CoreError.INVALID_GEOJSON)


def _is_finite_number(value: object) -> bool:
    # bool is an int subclass; true and false are not coordinates.
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def haversine_m(a: Point, b: Point) -> float:
    """The great-circle distance on a sphere of the mean Earth radius: what PostGIS's `<->`
    measures between geographies (to within 10⁻⁸), off the geodesic by up to 0.6 %."""
    phi_a, phi_b = math.radians(a.latitude), math.radians(b.latitude)
    half_chord = (
        math.sin((phi_b - phi_a) / 2) ** 2
        + math.cos(phi_a)
        * math.cos(phi_b)
        * math.sin(math.radians(b.longitude - a.longitude) / 2) ** 2
    )
    return 2 * _MEAN_EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(half_chord)))


# Everywhere on the ellipsoid a geodesic is within these fractions of the haversine: the least
# radius of curvature (the meridian's at the equator) and the greatest (at a pole) over the
# mean radius, 0.99442 and 1.00449, with room.
SPHERE_TO_GEODESIC_LOWER = 0.994
SPHERE_TO_GEODESIC_UPPER = 1.006
# Up to this distance the ratio is bounded by the radii of curvature near the center alone.
_LOCAL_SPHERE_RATIO_MAX_M = 50_000.0
# Room for the local approximation behind those bounds (measured: under 10⁻⁵ at 50 km).
_LOCAL_SPHERE_RATIO_SLACK = 1e-4


def sphere_to_geodesic_bounds(center: Point, within_m: float) -> tuple[float, float]:
    """(lower, upper) such that a point within `within_m` geodesic metres of `center` is at
    between lower and upper times its `haversine_m` distance.

    Over a short distance the geodesic follows the ellipsoid's radii of curvature between the
    two points, the meridian's M and the prime vertical's N, where the sphere has its mean
    radius R: the ratio lies between M/R and N/R at the latitudes the path can reach. Both radii
    grow away from the equator. In Switzerland this gives about 0.9996 and 1.0031 instead of
    the global 0.994 and 1.006.
    """
    if within_m > _LOCAL_SPHERE_RATIO_MAX_M:
        return SPHERE_TO_GEODESIC_LOWER, SPHERE_TO_GEODESIC_UPPER
    span = math.degrees(within_m * (1 + _BOUNDING_BOX_MARGIN) / _MIN_MERIDIONAL_RADIUS_M)
    south, north = center.latitude - span, center.latitude + span
    nearest_equator = 0.0 if south <= 0.0 <= north else min(abs(south), abs(north))
    nearest_pole = min(90.0, max(abs(south), abs(north)))
    lower = _radii_of_curvature(nearest_equator)[0] / _MEAN_EARTH_RADIUS_M
    upper = _radii_of_curvature(nearest_pole)[1] / _MEAN_EARTH_RADIUS_M
    return lower * (1 - _LOCAL_SPHERE_RATIO_SLACK), upper * (1 + _LOCAL_SPHERE_RATIO_SLACK)


def _radii_of_curvature(latitude: float) -> tuple[float, float]:
    """(meridional M, prime vertical N) in metres at `latitude` (WGS84)."""
    sine = math.sin(math.radians(latitude))
    w = 1 - _ECCENTRICITY_SQUARED * sine * sine
    prime_vertical = _SEMI_MAJOR_AXIS_M / math.sqrt(w)
    return prime_vertical * (1 - _ECCENTRICITY_SQUARED) / w, prime_vertical


def _lambert_m(a: Point, b: Point) -> float:
    """Lambert's formula: the great circle between reduced latitudes, corrected for flattening.

    As cheap as a haversine and far closer to the geodesic over long distances.
    """
    beta_a = math.atan((1 - _FLATTENING) * math.tan(math.radians(a.latitude)))
    beta_b = math.atan((1 - _FLATTENING) * math.tan(math.radians(b.latitude)))
    half_chord = (
        math.sin((beta_b - beta_a) / 2) ** 2
        + math.cos(beta_a)
        * math.cos(beta_b)
        * math.sin(math.radians(b.longitude - a.longitude) / 2) ** 2
    )
    sigma = 2 * math.asin(min(1.0, math.sqrt(half_chord)))
    sin_half, cos_half = math.sin(sigma / 2), math.cos(sigma / 2)
    if sin_half == 0:
        return 0.0
    mean, half_difference = (beta_a + beta_b) / 2, (beta_b - beta_a) / 2
    # Exactly antipodal points make this term 0/0; its limit there is 0.
    x = (
        (sigma - math.sin(sigma))
        * math.sin(mean) ** 2
        * math.cos(half_difference) ** 2
        / cos_half**2
        if cos_half > 1e-9
        else 0.0
    )
    y = (
        (sigma + math.sin(sigma))
        * math.cos(mean) ** 2
        * math.sin(half_difference) ** 2
        / sin_half**2
    )
    return _SEMI_MAJOR_AXIS_M * (sigma - _FLATTENING / 2 * (x + y))


T = TypeVar("T")


@dataclass(frozen=True)
class _Nearest(Generic[T]):
    item: T
    distance_m: float


class _GridIndex(Generic[T]):
    """Nearest-neighbour search over a few thousand points, without a spatial library.

    Points are bucketed in square cells of `_CELL_DEGREES`. A query scans rings of cells
    outwards, ranks what it finds by the cheap haversine, stops once no unscanned cell can hold
    anything nearer, and settles the few near-ties with the exact geodesic.
    """

    _CELL_DEGREES = 0.05  # ~5.6 km by ~3.8 km in Switzerland: one or two localities a cell
    # Queries farther than this outside the indexed area score every point instead: rare, and
    # it keeps the ring arithmetic free of antimeridian cases.
    _FAR_DEGREES = 5.0

    def __init__(self, entries: Iterable[tuple[Point, T]]) -> None:
        self._entries = list(entries)
        self._cells: dict[tuple[int, int], list[tuple[Point, T]]] = {}
        for point, item in self._entries:
            self._cells.setdefault(self._cell_of(point), []).append((point, item))
        if self._entries:
            rows = [row for row, _ in self._cells]
            columns = [column for _, column in self._cells]
            self._row_range = (min(rows), max(rows))
            self._column_range = (min(columns), max(columns))
            self._max_abs_latitude = max(abs(point.latitude) for point, _ in self._entries)

    def nearest(self, point: Point, *, within_m: float = math.inf) -> _Nearest[T] | None:
        """The entry geodesically nearest to `point`, or None if none is within `within_m`."""
        if not self._entries:
            return None
        if self._is_far(point):
            scored, tolerance = self._score_far(point), _FAR_CANDIDATE_TOLERANCE
        else:
            scored, tolerance = self._score_near(point, within_m), _NEAR_CANDIDATE_TOLERANCE
        if not scored:
            return None
        best_estimate = min(distance for distance, _, _ in scored)
        limit = min(best_estimate, within_m) * (1 + tolerance) + _CANDIDATE_SLACK_M
        exact = [
            _Nearest(item=item, distance_m=geodesic_m(point, candidate))
            for estimate, candidate, item in scored
            if estimate <= limit
        ]
        if not exact:
            return None
        winner = min(exact, key=lambda nearest: nearest.distance_m)
        return winner if winner.distance_m <= within_m else None

    def _cell_of(self, point: Point) -> tuple[int, int]:
        return (
            math.floor(point.latitude / self._CELL_DEGREES),
            math.floor(point.longitude / self._CELL_DEGREES),
        )

    def _is_far(self, point: Point) -> bool:
        row, column = self._cell_of(point)
        far_cells = self._FAR_DEGREES / self._CELL_DEGREES
        return (
            row < self._row_range[0] - far_cells
            or row > self._row_range[1] + far_cells
            or column < self._column_range[0] - far_cells
            or column > self._column_range[1] + far_cells
        )

    def _score_far(self, point: Point) -> list[tuple[float, Point, T]]:
        return [
            (_lambert_m(point, candidate), candidate, item) for candidate, item in self._entries
        ]

    def _score_near(self, point: Point, within_m: float) -> list[tuple[float, Point, T]]:
        query_row, query_column = self._cell_of(point)
        (first_row, last_row), (first_column, last_column) = self._row_range, self._column_range
        # Rings nearer than the indexed area are empty; rings past its far corner add nothing.
        first_ring = max(
            first_row - query_row,
            query_row - last_row,
            first_column - query_column,
            query_column - last_column,
            0,
        )
        last_ring = max(
            abs(query_row - first_row),
            abs(query_row - last_row),
            abs(query_column - first_column),
            abs(query_column - last_column),
        )
        cos_poleward = math.cos(math.radians(max(abs(point.latitude), self._max_abs_latitude)))
        scored: list[tuple[float, Point, T]] = []
        best = math.inf
        for ring in range(first_ring, last_ring + 1):
            for cell in self._ring_cells(query_row, query_column, ring):
                for candidate, item in self._cells.get(cell, ()):
                    estimate = haversine_m(point, candidate)
                    best = min(best, estimate)
                    scored.append((estimate, candidate, item))
            # Anything in an unscanned cell is at least `ring` whole cells away in latitude or
            # in longitude; on the sphere that is at least this far.
            span = math.radians(ring * self._CELL_DEGREES)
            unscanned_m = _MEAN_EARTH_RADIUS_M * min(
                span, 2 * math.asin(min(1.0, cos_poleward * math.sin(span / 2)))
            )
            limit_m = min(best, within_m) * (1 + _NEAR_CANDIDATE_TOLERANCE) + _CANDIDATE_SLACK_M
            if unscanned_m > limit_m:
                break
        return scored

    def _ring_cells(self, row: int, column: int, ring: int) -> Iterable[tuple[int, int]]:
        if ring == 0:
            yield (row, column)
            return
        (first_row, last_row), (first_column, last_column) = self._row_range, self._column_range
        columns = range(max(column - ring, first_column), min(column + ring, last_column) + 1)
        for edge_row in (row - ring, row + ring):
            if first_row <= edge_row <= last_row:
                for edge_column in columns:
                    yield (edge_row, edge_column)
        rows = range(max(row - ring + 1, first_row), min(row + ring - 1, last_row) + 1)
        for edge_column in (column - ring, column + ring):
            if first_column <= edge_column <= last_column:
                for edge_row in rows:
                    yield (edge_row, edge_column)


@cache
def _directory_index() -> _GridIndex[Locality]:
    return _GridIndex((locality.point, locality) for locality in localities())


@cache
def _swiss_index() -> _GridIndex[str]:
    listed = [
        (locality.point, f"{locality.postal_code} {locality.name}")
        for locality in localities()
        if locality.is_in_switzerland
    ]
    return _GridIndex([*listed, *_reference_places(swiss=True)])


@cache
def _foreign_index() -> _GridIndex[str]:
    listed = [
        (locality.point, f"{locality.postal_code} {locality.name}")
        for locality in localities()
        if not locality.is_in_switzerland
    ]
    return _GridIndex([*listed, *_reference_places(swiss=False)])


# Where the centroids alone mislead near the border, reference places settle it: the rows of
# data/border-reference-places.csv (side CH or foreign, region code, name as GeoNames spells
# it, latitude, longitude). Generated from GeoNames cities1000
# (towns of 1,000 people or more, CC BY 4.0) by repeating until nothing changed: every
# foreign town whose centre the rule still took for Swiss joined the foreign places, every
# Swiss town it took for foreign joined the Swiss ones. Büsingen (DE) and Campione d'Italia
# (IT) are enclaves the directory leaves out, Konstanz and Vaduz's neighbours face Swiss
# towns across a street or a river: all are here or in the directory's Liechtenstein rows.
@cache
def _border_reference_places() -> list[tuple[bool, Point, str]]:
    with BORDER_REFERENCE_PLACES.open(encoding="utf-8", newline="") as rows:
        return [
            (
                row["side"] == "CH",
                Point(latitude=float(row["latitude"]), longitude=float(row["longitude"])),
                f"{row['name']} ({row['region']})",
            )
            for row in csv.DictReader(rows)
        ]


def _reference_places(*, swiss: bool) -> list[tuple[Point, str]]:
    return [(point, name) for side, point, name in _border_reference_places() if side == swiss]
