"""Points, distances and "is this in Switzerland?", all offline.

Distances are WGS84 geodesics computed by geopy (Karney's algorithm), exact to well under a
millimetre. Anything cheaper (planar or spherical formulas) is only used to pick candidates,
never to decide.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from geopy.distance import geodesic

from backend.exceptions import ValidationFailed

if TYPE_CHECKING:
    from backend.localities import Locality

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

# Switzerland's extent, with a little room: Chiasso is at 45.82 N, Oberbargen at 47.81 N,
# Chancy at 5.96 E and Val Müstair at 10.49 E.
_SWISS_MIN_LATITUDE = 45.80
_SWISS_MAX_LATITUDE = 47.85
_SWISS_MIN_LONGITUDE = 5.94
_SWISS_MAX_LONGITUDE = 10.50
# The directory gives each locality's centroid, not its village: in big alpine localities the
# two are far apart (Zermatt village is 5.6 km from its centroid, Zernez 5.4 km; every other
# Swiss town of 1,000 people is within 3.8 km). 7 km leaves room for smaller villages there.
_MAX_DISTANCE_FROM_SWISS_LOCALITY_M = 7_000.0


@dataclass(frozen=True)
class Point:
    """A position in WGS84 degrees."""

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.latitude) and -90.0 <= self.latitude <= 90.0):
            raise ValueError(f"latitude {self.latitude!r} is not within -90..90")
        if not (math.isfinite(self.longitude) and -180.0 <= self.longitude <= 180.0):
            raise ValueError(f"longitude {self.longitude!r} is not within -180..180")


def point_to_geojson(point: Point) -> dict[str, Any]:
    """A GeoJSON Point: longitude first, as RFC 7946 orders it."""
    return {"type": "Point", "coordinates": [point.longitude, point.latitude]}


def point_from_geojson(value: dict[str, Any]) -> Point:
    """The Point a GeoJSON Point object describes; an altitude, if given, is dropped.

    Raises ValidationFailed(code="invalid_geojson") for anything else: other geometry types,
    missing or non-numeric coordinates, coordinates off the globe.
    """
    if not isinstance(value, dict) or value.get("type") != "Point":
        raise _invalid_geojson('Expected a GeoJSON object with "type": "Point".')
    coordinates = value.get("coordinates")
    if not isinstance(coordinates, list | tuple) or len(coordinates) not in (2, 3):
        raise _invalid_geojson('Expected "coordinates": [longitude, latitude].')
    if not all(_is_finite_number(number) for number in coordinates):
        raise _invalid_geojson("Coordinates must be finite numbers.")
    longitude, latitude = float(coordinates[0]), float(coordinates[1])
    if not (-180.0 <= longitude <= 180.0 and -90.0 <= latitude <= 90.0):
        raise _invalid_geojson("Coordinates are [longitude, latitude], within ±180 and ±90.")
    return Point(latitude=latitude, longitude=longitude)


def geodesic_m(a: Point, b: Point) -> float:
    """The WGS84 geodesic distance in metres."""
    return float(geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).meters)


# The local tangent-plane distance below (WGS84 radii of curvature at the mid-latitude) is
# within 1.5e-6 of the geodesic up to 30 km and 6e-6 up to 60 km (measured against geopy over
# Switzerland). Decisions closer than this relative margin are settled by geopy instead.
LOCAL_DISTANCE_TOLERANCE = 2e-5
# Beyond this the local formula is not trusted at all: geopy answers.
_LOCAL_DISTANCE_MAX_M = 100_000.0


def local_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The WGS84 distance in metres, to within LOCAL_DISTANCE_TOLERANCE for nearby points.

    About a microsecond a call instead of geopy's ~0.2 ms: meant for ranking many candidates,
    with `geodesic_m` settling any comparison closer than the tolerance. Points farther apart
    than 100 km get the exact geodesic.
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
    about three times faster: for the many rows of one search.

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
    centroid, and nearer to the nearest Swiss reference (centroid or `_SWISS_REFERENCE_PLACES`)
    than to any foreign one (the directory's Liechtenstein rows and `_FOREIGN_REFERENCE_PLACES`).

    Limits, honestly: along the border the answer follows the midline between Swiss and foreign
    centres, not the border itself, so it can be wrong by a few hundred metres in towns and by
    kilometres in the mountains, worst where a foreign village too small to be listed faces a
    Swiss one. High ground more than 7 km from any centroid is refused. Good enough to keep
    requests and meeting points in Swiss neighbourhoods; not an answer for customs or tax.
    """
    if not (
        _SWISS_MIN_LATITUDE <= point.latitude <= _SWISS_MAX_LATITUDE
        and _SWISS_MIN_LONGITUDE <= point.longitude <= _SWISS_MAX_LONGITUDE
    ):
        return False
    swiss = _swiss_index().nearest(point, within_m=_MAX_DISTANCE_FROM_SWISS_LOCALITY_M)
    if swiss is None:
        return False
    foreign = _foreign_index().nearest(point, within_m=swiss.distance_m)
    return foreign is None or foreign.distance_m > swiss.distance_m


def require_in_switzerland(point: Point, *, field: str) -> None:
    """Raises ValidationFailed(code="outside_switzerland") on `field` unless the point is Swiss."""
    if not is_in_switzerland(point):
        message = "This place is outside Switzerland; Quartier works within Switzerland only."
        raise ValidationFailed(message, code="outside_switzerland", fields={field: [message]})


def nearest_locality(point: Point) -> Locality:
    """The directory row whose centroid is nearest (geodesically) to `point`.

    Liechtenstein rows count too: check `Locality.is_in_switzerland` where that matters.
    """
    nearest = _directory_index().nearest(point)
    if nearest is None:
        raise LookupError("the localities directory is empty")
    return nearest.item


def _invalid_geojson(message: str) -> ValidationFailed:
    return ValidationFailed(message, code="invalid_geojson")


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
    from backend.localities import localities  # geo is imported by localities

    return _GridIndex((locality.point, locality) for locality in localities())


@cache
def _swiss_index() -> _GridIndex[str]:
    from backend.localities import localities

    listed = [
        (locality.point, f"{locality.postal_code} {locality.name}")
        for locality in localities()
        if locality.is_in_switzerland
    ]
    return _GridIndex([*listed, *_reference_places(_SWISS_REFERENCE_PLACES)])


@cache
def _foreign_index() -> _GridIndex[str]:
    from backend.localities import localities

    listed = [
        (locality.point, f"{locality.postal_code} {locality.name}")
        for locality in localities()
        if not locality.is_in_switzerland
    ]
    return _GridIndex([*listed, *_reference_places(_FOREIGN_REFERENCE_PLACES)])


def _reference_places(
    places: Iterable[tuple[str, str, float, float]],
) -> list[tuple[Point, str]]:
    return [
        (Point(latitude=latitude, longitude=longitude), f"{name} ({region})")
        for region, name, latitude, longitude in places
    ]


# Where the centroids alone mislead near the border, reference places (region code, name as
# GeoNames spells it, latitude, longitude) settle it. Generated from GeoNames cities1000
# (towns of 1,000 people or more, CC BY 4.0) by repeating until nothing changed: every
# foreign town whose centre the rule still took for Swiss joined the foreign places, every
# Swiss town it took for foreign joined the Swiss ones. Büsingen (DE) and Campione d'Italia
# (IT) are enclaves the directory leaves out, Konstanz and Vaduz's neighbours face Swiss
# towns across a street or a river: all are here or in the directory's Liechtenstein rows.
_SWISS_REFERENCE_PLACES: tuple[tuple[str, str, float, float], ...] = (
    ("GE", "Thonex", 46.18815, 6.19904),
    ("SG", "Sankt Margrethen", 47.45253, 9.63741),
    ("TG", "Diessenhofen", 47.68908, 8.74958),
)
_FOREIGN_REFERENCE_PLACES: tuple[tuple[str, str, float, float], ...] = (
    ("AT", "Altach", 47.35, 9.65),
    ("AT", "Fussach", 47.47933, 9.66278),
    ("AT", "Gaissau", 47.46667, 9.6),
    ("AT", "Gotzis", 47.33306, 9.63306),
    ("AT", "Hard", 47.48306, 9.68306),
    ("AT", "Hochst", 47.45934, 9.6405),
    ("AT", "Hohenems", 47.36667, 9.68306),
    ("AT", "Klaus", 47.30913, 9.64678),
    ("AT", "Koblach", 47.33306, 9.6),
    ("AT", "Lustenau", 47.42642, 9.65851),
    ("AT", "Mader", 47.35, 9.61667),
    ("AT", "Meiningen", 47.29891, 9.57862),
    ("AT", "Weiler", 47.29972, 9.65),
    ("DE", "Albbruck", 47.59077, 8.12954),
    ("DE", "Allensbach", 47.71536, 9.07145),
    ("DE", "Bad Sackingen", 47.55371, 7.94612),
    ("DE", "Binzen", 47.63333, 7.61667),
    ("DE", "Blumberg", 47.84058, 8.53329),
    ("DE", "Busingen", 47.69638, 8.68759),
    ("DE", "Dettighofen", 47.61667, 8.48333),
    ("DE", "Dogern", 47.60952, 8.16713),
    ("DE", "Eggingen", 47.7, 8.4),
    ("DE", "Eimeldingen", 47.63333, 7.6),
    ("DE", "Gaienhofen", 47.68333, 8.98333),
    ("DE", "Gailingen", 47.69711, 8.75567),
    ("DE", "Gottmadingen", 47.73511, 8.77687),
    ("DE", "Grenzach-Wyhlen", 47.55, 7.68333),
    ("DE", "Hilzingen", 47.76667, 8.78333),
    ("DE", "Hohentengen am Hochrhein", 47.57005, 8.4325),
    ("DE", "Inzlingen", 47.58851, 7.69094),
    ("DE", "Jestetten", 47.65, 8.56667),
    ("DE", "Konstanz", 47.66033, 9.17582),
    ("DE", "Lauchringen", 47.62699, 8.31442),
    ("DE", "Laufenburg", 47.56512, 8.06045),
    ("DE", "Loerrach", 47.61497, 7.66457),
    ("DE", "Lottstetten", 47.63333, 8.56667),
    ("DE", "Murg", 47.55492, 8.02182),
    ("DE", "Ohningen", 47.66186, 8.88674),
    ("DE", "Reichenau", 47.68885, 9.06355),
    ("DE", "Rheinfelden (Baden)", 47.56013, 7.78715),
    ("DE", "Rielasingen-Worblingen", 47.73465, 8.84013),
    ("DE", "Schworstadt", 47.59314, 7.8784),
    ("DE", "Singen", 47.75935, 8.8403),
    ("DE", "Stuhlingen", 47.7458, 8.44813),
    ("DE", "Tengen", 47.82128, 8.66117),
    ("DE", "Waldshut-Tiengen", 47.62323, 8.21717),
    ("DE", "Wehr", 47.62983, 7.90423),
    ("DE", "Weil am Rhein", 47.59331, 7.62082),
    ("DE", "Weilheim", 47.66667, 8.23333),
    ("DE", "Wutoschingen", 47.66667, 8.36667),
    ("FR", "Annemasse", 46.19439, 6.23775),
    ("FR", "Archamps", 46.13651, 6.13287),
    ("FR", "Arthaz-Pont-Notre-Dame", 46.15941, 6.26598),
    ("FR", "Ballaison", 46.29943, 6.33191),
    ("FR", "Beaucourt", 47.4899, 6.92407),
    ("FR", "Beaumont", 46.10156, 6.11732),
    ("FR", "Blamont", 47.38513, 6.848),
    ("FR", "Blotzheim", 47.60205, 7.4963),
    ("FR", "Cessy", 46.31662, 6.06915),
    ("FR", "Challex", 46.18458, 5.97639),
    ("FR", "Chatel", 46.26658, 6.84229),
    ("FR", "Chens-sur-Leman", 46.32906, 6.26267),
    ("FR", "Chevry", 46.27855, 6.04008),
    ("FR", "Collonges-sous-Saleve", 46.1416, 6.15372),
    ("FR", "Cranves-Sales", 46.18746, 6.29108),
    ("FR", "Damprichard", 47.24413, 6.88121),
    ("FR", "Delle", 47.51048, 6.99963),
    ("FR", "Divonne-les-Bains", 46.35938, 6.13574),
    ("FR", "Douvaine", 46.30544, 6.30375),
    ("FR", "Etrembieres", 46.17865, 6.21774),
    ("FR", "Feigeres", 46.11305, 6.08041),
    ("FR", "Ferney-Voltaire", 46.25858, 6.11063),
    ("FR", "Ferrette", 47.49196, 7.31937),
    ("FR", "Gaillard", 46.1853, 6.20693),
    ("FR", "Gex", 46.33333, 6.06667),
    ("FR", "Grandvillars", 47.53921, 6.96424),
    ("FR", "Hagenthal-le-Bas", 47.52497, 7.47783),
    ("FR", "Hegenheim", 47.56251, 7.52684),
    ("FR", "Herimoncourt", 47.44284, 6.88242),
    ("FR", "Hesingue", 47.57621, 7.52244),
    ("FR", "Huningue", 47.60477, 7.57782),
    ("FR", "Joncherey", 47.52616, 7.00158),
    ("FR", "Jougne", 46.76291, 6.38838),
    ("FR", "Le Russey", 47.16055, 6.72912),
    ("FR", "Les Fourgs", 46.83455, 6.39953),
    ("FR", "Les Rousses", 46.48412, 6.0633),
    ("FR", "Leymen", 47.49522, 7.48426),
    ("FR", "Loisin", 46.29227, 6.3101),
    ("FR", "Lucinges", 46.19136, 6.31731),
    ("FR", "Messery", 46.35034, 6.2959),
    ("FR", "Monnetier-Mornex", 46.1603, 6.20667),
    ("FR", "Montlebon", 47.03778, 6.61111),
    ("FR", "Morteau", 47.05784, 6.60716),
    ("FR", "Neydens", 46.12162, 6.10436),
    ("FR", "Ornex", 46.2727, 6.09982),
    ("FR", "Pfetterhouse", 47.50061, 7.16535),
    ("FR", "Saint-Cergues", 46.23349, 6.31954),
    ("FR", "Saint-Genis-Pouilly", 46.24356, 6.02119),
    ("FR", "Saint-Jean-de-Gonville", 46.21298, 5.95047),
    ("FR", "Saint-Julien-en-Genevois", 46.14434, 6.08256),
    ("FR", "Saint-Louis", 47.58836, 7.56247),
    ("FR", "Sauverny", 46.31514, 6.11827),
    ("FR", "Segny", 46.29601, 6.07536),
    ("FR", "Sergy", 46.25257, 6.00058),
    ("FR", "Thoiry", 46.23762, 5.98111),
    ("FR", "Valleiry", 46.11117, 5.97267),
    ("FR", "Veigy-Foncenex", 46.27044, 6.25419),
    ("FR", "Vetraz-Monthoux", 46.1743, 6.25852),
    ("FR", "Village-Neuf", 47.59016, 7.57019),
    ("FR", "Ville-la-Grand", 46.203, 6.2501),
    ("FR", "Villers-le-Lac", 47.06319, 6.66699),
    ("FR", "Viry", 46.11717, 6.03717),
    ("IT", "Agra", 46.03668, 8.76833),
    ("IT", "Albiolo", 45.80558, 8.93924),
    ("IT", "Arcisate", 45.85578, 8.86823),
    ("IT", "Argegno", 45.94218, 9.12635),
    ("IT", "Baraggia", 45.85516, 8.90885),
    ("IT", "Bedero", 45.97776, 8.71852),
    ("IT", "Besano", 45.88949, 8.89068),
    ("IT", "Bianzone", 46.18665, 10.10934),
    ("IT", "Bisuschio", 45.87148, 8.86843),
    ("IT", "Bizzarone", 45.83428, 8.94274),
    ("IT", "Blessagno", 45.95908, 9.09754),
    ("IT", "Blevio", 45.84218, 9.10514),
    ("IT", "Brenno Useria", 45.86148, 8.87801),
    ("IT", "Brezzo di Bedero", 45.97838, 8.71743),
    ("IT", "Brienno", 45.91175, 9.13142),
    ("IT", "Brissago-Valtravaglia", 45.94921, 8.7459),
    ("IT", "Brunate", 45.82096, 9.09869),
    ("IT", "Brusimpiano", 45.94468, 8.88953),
    ("IT", "Cadegliano-Viconago", 45.95948, 8.84343),
    ("IT", "Cagno", 45.81108, 8.91733),
    ("IT", "Camnago-Boscone", 45.80472, 8.97934),
    ("IT", "Campione", 45.96818, 8.97181),
    ("IT", "Cantello", 45.82248, 8.89593),
    ("IT", "Carate Urio", 45.87178, 9.12214),
    ("IT", "Casasco Intelvi", 45.94368, 9.07574),
    ("IT", "Castiglione d'Intelvi", 45.95751, 9.08987),
    ("IT", "Cavallasca", 45.80958, 9.03284),
    ("IT", "Cavargna", 46.09068, 9.11205),
    ("IT", "Cerano d'Intelvi", 45.94447, 9.08767),
    ("IT", "Cernobbio", 45.84307, 9.07194),
    ("IT", "Clivio", 45.86278, 8.93083),
    ("IT", "Como", 45.80079, 9.08065),
    ("IT", "Corrido", 46.04758, 9.13554),
    ("IT", "Cremenaga", 45.98938, 8.80333),
    ("IT", "Cuasso al Monte", 45.91478, 8.87923),
    ("IT", "Cuasso al Piano", 45.89454, 8.87951),
    ("IT", "Cugliate-Fabiasco", 45.94568, 8.81863),
    ("IT", "Cunardo", 45.93428, 8.80773),
    ("IT", "Curiglia", 46.06065, 8.80484),
    ("IT", "Cursolo", 46.09858, 8.56822),
    ("IT", "Cusino", 46.07489, 9.15264),
    ("IT", "Dizzasco-Biazzeno", 45.94378, 9.09974),
    ("IT", "Dumenza", 46.02088, 8.78674),
    ("IT", "Faloppio", 45.80968, 8.96434),
    ("IT", "Ferrera di Varese", 45.93278, 8.78913),
    ("IT", "Gaggino", 45.80787, 8.96427),
    ("IT", "Germignaga", 45.99128, 8.72403),
    ("IT", "Gironico al Piano", 45.80138, 9.00314),
    ("IT", "Grantola", 45.94918, 8.77433),
    ("IT", "Laglio", 45.88056, 9.13697),
    ("IT", "Laino", 45.98448, 9.07544),
    ("IT", "Lanzo d'Intelvi", 45.97943, 9.02166),
    ("IT", "Lavena Ponte Tresa", 45.9671, 8.85725),
    ("IT", "Lovero", 46.2314, 10.22856),
    ("IT", "Luino", 46.00185, 8.74512),
    ("IT", "Marchirolo", 45.94788, 8.83343),
    ("IT", "Marzio", 45.93818, 8.85813),
    ("IT", "Maslianico", 45.84301, 9.04836),
    ("IT", "Mesenzana", 45.95158, 8.76453),
    ("IT", "Moltrasio", 45.85998, 9.09844),
    ("IT", "Montegrino Valtravaglia", 45.97398, 8.76743),
    ("IT", "Occagno", 45.92901, 9.0987),
    ("IT", "Osteno", 46.00668, 9.08385),
    ("IT", "Osteno-Claino", 46.00367, 9.08741),
    ("IT", "Pare", 45.81088, 9.00874),
    ("IT", "Pellio Intelvi", 45.97988, 9.05864),
    ("IT", "Pino sulla Sponda del Lago Maggiore", 46.10078, 8.73873),
    ("IT", "Porlezza", 46.03714, 9.12921),
    ("IT", "Porto Ceresio", 45.91285, 8.89684),
    ("IT", "Ramponio Verna", 45.99698, 9.06633),
    ("IT", "Re", 46.13148, 8.54569),
    ("IT", "Rodero", 45.82398, 8.91523),
    ("IT", "Ronago", 45.83228, 8.98364),
    ("IT", "Saltrio", 45.87347, 8.92436),
    ("IT", "San Bartolomeo Val Cavargna", 46.08349, 9.14913),
    ("IT", "San Fedele Intelvi", 45.96768, 9.08074),
    ("IT", "San Fedele Superiore", 45.96667, 9.06667),
    ("IT", "San Fermo della Battaglia", 45.80868, 9.04744),
    ("IT", "San Mamete", 46.02505, 9.05364),
    ("IT", "San Nazzaro Val Cavargna", 46.08939, 9.12743),
    ("IT", "Schignano", 45.92978, 9.10214),
    ("IT", "Sernio", 46.2242, 10.20526),
    ("IT", "Tirano", 46.21482, 10.16335),
    ("IT", "Torno", 45.85593, 9.11707),
    ("IT", "Tronzano Lago Maggiore", 46.08871, 8.7331),
    ("IT", "Tubre", 46.64403, 10.46328),
    ("IT", "Uggiate Trevano", 45.82338, 8.95964),
    ("IT", "Val Rezzo", 46.07268, 9.11183),
    ("IT", "Valmorea", 45.81518, 8.93064),
    ("IT", "Veddasca", 46.07058, 8.79873),
    ("IT", "Vervio", 46.25285, 10.24056),
    ("IT", "Viggiu", 45.87096, 8.90861),
    ("IT", "Villa", 46.2039, 10.13385),
    ("IT", "Villa", 46.33059, 9.48426),
    ("IT", "Villa di Chiavenna", 46.33069, 9.48114),
    ("IT", "Villette", 46.13188, 8.53422),
    ("LI", "Triesen", 47.10752, 9.52815),
)
