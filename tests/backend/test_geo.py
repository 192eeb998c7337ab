"""The offline geo layer: the localities directory, geocoding, distances and the Swiss test.

None of this touches the database: the directory is a CSV file read once per process.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.utils import translation
from geopy.distance import geodesic

from backend.exceptions import ValidationFailed
from backend.geo import (
    Point,
    bounding_box,
    distances_from,
    geodesic_m,
    haversine_m,
    is_in_switzerland,
    local_distance_m,
    nearest_locality,
    point_from_geojson,
    point_to_geojson,
    require_in_switzerland,
    sphere_to_geodesic_bounds,
)
from backend.localities import Locality, by_postal_code, geocode_address, localities

# Directory centroids, copied from data/ch-localities.csv.
ZURICH_8001 = Point(latitude=47.37293396898069, longitude=8.541367614572195)
BERN_3011 = Point(latitude=46.947238948478, longitude=7.4479578342201815)
GENEVE_1201 = Point(latitude=46.20979403790571, longitude=6.1438013950207715)
LUGANO_6900 = Point(latitude=46.01335621849359, longitude=8.954126980048542)


# --- the directory -------------------------------------------------------------------------


def test_directory_is_read_with_its_byte_order_mark_and_crlf_line_ends() -> None:
    rows = localities()

    assert len(rows) == 5762
    assert rows[0] == Locality(
        name="Aeugst am Albis",
        postal_code="8914",
        suffix="00",
        municipality="Aeugst am Albis",
        canton="ZH",
        language="de",
        point=Point(latitude=47.26870659169308, longitude=8.487911353880977),
    )
    assert {row.language for row in rows} == {"de", "fr", "it", "rm", "multiple"}


def test_the_rows_without_a_canton_are_exactly_liechtenstein() -> None:
    # Liechtenstein uses Swiss postcodes 9485-9498. Büsingen (8238) and Campione d'Italia
    # (6911) are not in this edition of the directory at all.
    foreign = [row for row in localities() if not row.is_in_switzerland]

    assert len(foreign) == 20
    assert {row.postal_code for row in foreign} == {
        "9485", "9486", "9487", "9488", "9490", "9491", "9492", "9493", "9494", "9495",
        "9496", "9497", "9498",
    }  # fmt: skip
    assert by_postal_code("8238") == []
    assert by_postal_code("6911") == []


def test_by_postal_code_lists_the_rows_in_file_order() -> None:
    rows = by_postal_code("8914")

    assert [(row.name, row.suffix) for row in rows] == [
        ("Aeugst am Albis", "00"),
        ("Aeugstertal", "02"),
    ]
    assert by_postal_code("0000") == []


def test_callers_cannot_change_the_cached_directory() -> None:
    localities().clear()
    by_postal_code("8001").clear()

    assert len(localities()) == 5762
    assert len(by_postal_code("8001")) == 1


# --- geocoding -----------------------------------------------------------------------------


def test_bern_3011_geocodes_to_its_directory_centroid() -> None:
    point = geocode_address(postal_code="3011", locality="Bern", street="Bundesplatz 3")

    assert point == BERN_3011


@pytest.mark.parametrize("typed", ["Zürich", "zurich", "  ZÜRICH  ", "Zurigo"])
def test_zurich_is_found_however_it_is_typed(typed: str) -> None:
    assert geocode_address(postal_code="8001", locality=typed) == ZURICH_8001


@pytest.mark.parametrize("typed", ["Genève", "Geneve", "geneva", "Genf", "Ginevra"])
def test_geneva_is_found_by_its_names_in_other_languages(typed: str) -> None:
    assert geocode_address(postal_code="1201", locality=typed) == GENEVE_1201


def test_bern_is_found_by_its_french_name() -> None:
    assert geocode_address(postal_code="3011", locality="Berne") == BERN_3011


def test_a_postcode_locality_is_found_by_each_of_its_names() -> None:
    aeugst = Point(latitude=47.26870659169308, longitude=8.487911353880977)
    aeugstertal = Point(latitude=47.282707711525426, longitude=8.493639300888871)

    assert geocode_address(postal_code="8914", locality="Aeugst am Albis") == aeugst
    assert geocode_address(postal_code="8914", locality="aeugstertal") == aeugstertal


def test_the_municipality_name_is_accepted_for_a_locality_named_otherwise() -> None:
    # 3154 is the locality "Rüschegg Heubach", partly in the municipality Rüschegg.
    point = geocode_address(postal_code="3154", locality="Rüschegg")

    assert point == Point(latitude=46.77139923533632, longitude=7.418581655482389)


def test_a_canton_suffix_or_bilingual_half_can_be_left_off() -> None:
    altdorf_in_altdorf = Point(latitude=46.88762068793474, longitude=8.641248018241466)
    biel = Point(latitude=47.141983870507914, longitude=7.24572514929138)

    # "Altdorf UR" spans three municipalities; the part in Altdorf itself is its centre.
    assert geocode_address(postal_code="6460", locality="Altdorf") == altdorf_in_altdorf
    assert geocode_address(postal_code="2502", locality="Bienne") == biel
    assert geocode_address(postal_code="2502", locality="biel") == biel


def test_a_locality_split_over_municipalities_resolves_to_its_namesake_part() -> None:
    # 6900 Paradiso has a row in Lugano and one in Paradiso.
    point = geocode_address(postal_code="6900", locality="Paradiso")

    assert point == Point(latitude=45.988804883454364, longitude=8.946957481191161)
    assert geocode_address(postal_code="6900", locality="Lugano") == LUGANO_6900


def test_a_locality_that_is_not_at_the_postcode_is_refused_naming_the_right_one() -> None:
    with pytest.raises(ValidationFailed) as caught:
        geocode_address(postal_code="8001", locality="Bern")

    message = "Bern is not at 8001; 8001 is Zürich."
    assert caught.value.code == "postal_code_locality_mismatch"
    assert caught.value.message == message
    assert caught.value.fields == {"locality": [message]}


def test_a_mismatch_at_a_postcode_with_several_localities_lists_them_all() -> None:
    with pytest.raises(ValidationFailed) as caught:
        geocode_address(postal_code="8914", locality="Zürich")

    message = "Zürich is not at 8914; 8914 is Aeugst am Albis or Aeugstertal."
    assert caught.value.code == "postal_code_locality_mismatch"
    assert caught.value.fields == {"locality": [message]}


def test_a_blank_locality_is_refused_with_the_localities_to_choose_from() -> None:
    with pytest.raises(ValidationFailed) as caught:
        geocode_address(postal_code="8001", locality="   ")

    message = "Enter the locality for 8001: Zürich."
    assert caught.value.code == "postal_code_locality_mismatch"
    assert caught.value.fields == {"locality": [message]}


@pytest.mark.parametrize("postal_code", ["99999", "80a1", "800", "", "CH-8001", "٨٠٠١"])
def test_a_postal_code_that_is_not_four_digits_is_invalid(postal_code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        geocode_address(postal_code=postal_code, locality="Zürich")

    assert caught.value.code == "invalid_postal_code"
    assert list(caught.value.fields) == ["postal_code"]
    assert len(caught.value.fields["postal_code"]) == 1


@pytest.mark.parametrize("postal_code", ["0000", "8000", "9999"])
def test_a_four_digit_postal_code_not_in_the_directory_is_unknown(postal_code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        geocode_address(postal_code=postal_code, locality="Zürich")

    message = f"There is no Swiss locality with postal code {postal_code}."
    assert caught.value.code == "unknown_postal_code"
    assert caught.value.fields == {"postal_code": [message]}


def test_surrounding_spaces_around_the_postal_code_are_ignored() -> None:
    assert geocode_address(postal_code=" 8001 ", locality="Zürich") == ZURICH_8001


def test_a_liechtenstein_postcode_is_outside_switzerland() -> None:
    with pytest.raises(ValidationFailed) as caught:
        geocode_address(postal_code="9490", locality="Vaduz")

    message = "9490 is Vaduz, which is not in Switzerland."
    assert caught.value.code == "outside_switzerland"
    assert caught.value.fields == {"postal_code": [message]}


def test_italian_names_a_locality_starting_with_a_vowel_without_a_clashing_preposition() -> None:
    # "corrisponde a Eschen" would call for "ad Eschen"; "il NPA di" reads well before any name.
    with translation.override("it"), pytest.raises(ValidationFailed) as caught:
        geocode_address(postal_code="9492", locality="Eschen")

    message = "9492 è il NPA di Eschen, che non si trova in Svizzera."
    assert caught.value.code == "outside_switzerland"
    assert caught.value.fields == {"postal_code": [message]}


# --- GeoJSON -------------------------------------------------------------------------------


def test_geojson_puts_longitude_first_and_round_trips() -> None:
    geojson = point_to_geojson(ZURICH_8001)

    assert geojson == {"type": "Point", "coordinates": [8.541367614572195, 47.37293396898069]}
    assert point_from_geojson(geojson) == ZURICH_8001


def test_geojson_altitude_is_dropped_and_integers_are_accepted() -> None:
    point = point_from_geojson({"type": "Point", "coordinates": [8, 47, 408.5]})

    assert point == Point(latitude=47.0, longitude=8.0)


@pytest.mark.parametrize(
    "value",
    [
        {},
        "POINT (8.54 47.37)",
        None,
        {"type": "Polygon", "coordinates": [8.54, 47.37]},
        {"type": "Point"},
        {"type": "Point", "coordinates": [8.54]},
        {"type": "Point", "coordinates": [8.54, 47.37, 400, 1]},
        {"type": "Point", "coordinates": "8.54,47.37"},
        {"type": "Point", "coordinates": ["8.54", 47.37]},
        {"type": "Point", "coordinates": [True, 47.37]},
        {"type": "Point", "coordinates": [8.54, float("nan")]},
        {"type": "Point", "coordinates": [8.54, float("inf")]},
        {"type": "Point", "coordinates": [181.0, 47.37]},
        {"type": "Point", "coordinates": [8.54, 91.0]},
    ],
)
def test_malformed_geojson_is_refused(value: Any) -> None:
    with pytest.raises(ValidationFailed) as caught:
        point_from_geojson(value)

    assert caught.value.code == "invalid_geojson"


def test_a_point_off_the_globe_cannot_be_made() -> None:
    with pytest.raises(ValueError, match="latitude"):
        Point(latitude=91.0, longitude=8.0)
    with pytest.raises(ValueError, match="longitude"):
        Point(latitude=47.0, longitude=float("nan"))


# --- distances -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (ZURICH_8001, BERN_3011),
        (GENEVE_1201, LUGANO_6900),
        (Point(latitude=47.5596, longitude=7.5886), Point(latitude=46.8499, longitude=9.5329)),
        (ZURICH_8001, ZURICH_8001),
    ],
)
def test_geodesic_m_is_geopys_wgs84_geodesic(a: Point, b: Point) -> None:
    expected = geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).meters

    assert geodesic_m(a, b) == pytest.approx(expected, abs=1e-6)
    assert geodesic_m(b, a) == pytest.approx(expected, abs=1e-6)


def test_zurich_to_bern_is_the_geopy_distance_between_their_centroids() -> None:
    assert geodesic_m(ZURICH_8001, BERN_3011) == pytest.approx(95_466.527145, abs=1e-6)


@pytest.mark.parametrize("radius_m", [1_000.0, 10_000.0, 25_000.0, 50_000.0])
@pytest.mark.parametrize("latitude", [45.82, 46.2, 46.8, 47.4, 47.8])
def test_bounding_box_contains_every_point_at_the_radius(latitude: float, radius_m: float) -> None:
    center = Point(latitude=latitude, longitude=8.2)
    min_lat, max_lat, min_lon, max_lon = bounding_box(center, radius_m)

    for bearing in range(0, 360, 45):
        edge = geodesic(meters=radius_m).destination((center.latitude, center.longitude), bearing)
        assert min_lat <= edge.latitude <= max_lat, bearing
        assert min_lon <= edge.longitude <= max_lon, bearing

    # Conservative, not sloppy: at most 3% wider than the circle's own extent.
    north = geodesic(meters=radius_m).destination((latitude, 8.2), 0).latitude
    east = geodesic(meters=radius_m).destination((latitude, 8.2), 90).longitude
    assert max_lat - latitude <= 1.03 * (north - latitude)
    assert max_lon - 8.2 <= 1.03 * (east - 8.2)
    assert latitude - min_lat == pytest.approx(max_lat - latitude)
    assert 8.2 - min_lon == pytest.approx(max_lon - 8.2)


def test_a_bounding_box_that_would_cross_the_antimeridian_spans_all_longitudes() -> None:
    box = bounding_box(Point(latitude=0.0, longitude=179.9), 50_000.0)

    assert box[2:] == (-180.0, 180.0)


def test_a_negative_radius_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="radius_m"):
        bounding_box(ZURICH_8001, -1.0)


# --- in Switzerland? -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        pytest.param(47.3769, 8.5417, id="Zürich, Bellevue"),
        pytest.param(46.9480, 7.4474, id="Bern, Zytglogge"),
        pytest.param(46.0050, 8.9520, id="Lugano, Piazza della Riforma"),
        pytest.param(46.2040, 6.1450, id="Geneva, Place du Molard"),
        pytest.param(46.70087, 10.09461, id="Zernez village, 5.4 km from its centroid"),
        pytest.param(46.0207, 7.7491, id="Zermatt village, 5.5 km from its centroid"),
        pytest.param(46.6296, 10.4477, id="Müstair, by the Italian border"),
        pytest.param(45.83203, 9.03119, id="Chiasso"),
        pytest.param(47.5583, 7.5880, id="Basel, Marktplatz"),
        pytest.param(47.65, 9.18333, id="Kreuzlingen"),
        pytest.param(47.68908, 8.74958, id="Diessenhofen, across the Rhine from Gailingen DE"),
        pytest.param(47.45253, 9.63741, id="St. Margrethen, across the Rhine from Höchst AT"),
    ],
)
def test_places_in_switzerland(latitude: float, longitude: float) -> None:
    point = Point(latitude=latitude, longitude=longitude)

    assert is_in_switzerland(point) is True
    require_in_switzerland(point, field="location")


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        pytest.param(45.4642, 9.1900, id="Milan"),
        pytest.param(48.1374, 11.5755, id="Munich"),
        pytest.param(45.7640, 4.8357, id="Lyon"),
        pytest.param(47.66, 9.18, id="Konstanz old town"),
        pytest.param(47.69638, 8.68759, id="Büsingen am Hochrhein (DE enclave)"),
        pytest.param(45.96818, 8.97181, id="Campione d'Italia (IT enclave)"),
        pytest.param(47.14151, 9.52154, id="Vaduz (Liechtenstein)"),
        pytest.param(47.1650, 9.5100, id="Schaan (Liechtenstein)"),
        pytest.param(45.8081, 9.0852, id="Como"),
        pytest.param(46.1934, 6.2342, id="Annemasse"),
        pytest.param(47.5948, 7.6208, id="Weil am Rhein"),
        pytest.param(0.0, 0.0, id="null island"),
    ],
)
def test_places_outside_switzerland(latitude: float, longitude: float) -> None:
    point = Point(latitude=latitude, longitude=longitude)

    assert is_in_switzerland(point) is False
    with pytest.raises(ValidationFailed) as caught:
        require_in_switzerland(point, field="location")
    assert caught.value.code == "outside_switzerland"
    assert caught.value.fields == {
        "location": ["This place is outside Switzerland; Quartier works within Switzerland only."]
    }


def test_high_ground_far_from_any_locality_is_not_taken_for_switzerland() -> None:
    # The Finsteraarhorn summit is Swiss, but 8 km from the nearest locality centroid
    # (Fieschertal): the documented price of deciding without a border polygon.
    assert is_in_switzerland(Point(latitude=46.5372, longitude=8.1261)) is False


# --- nearest locality ----------------------------------------------------------------------


def test_the_nearest_locality_to_a_centroid_is_that_locality() -> None:
    nearest = nearest_locality(BERN_3011)

    assert (nearest.postal_code, nearest.name, nearest.municipality) == ("3011", "Bern", "Bern")


def test_the_nearest_locality_to_vaduz_is_vaduz_in_liechtenstein() -> None:
    nearest = nearest_locality(Point(latitude=47.14151, longitude=9.52154))

    assert (nearest.postal_code, nearest.name, nearest.canton) == ("9490", "Vaduz", "")
    assert nearest.is_in_switzerland is False


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        pytest.param(46.8, 8.2, id="inside"),
        pytest.param(44.0, 3.0, id="south-west, near"),
        pytest.param(0.0, 0.0, id="far"),
        pytest.param(-46.9, -171.8, id="near the antipode"),
    ],
)
def test_nearest_locality_agrees_with_a_scan_of_the_whole_directory(
    latitude: float, longitude: float
) -> None:
    point = Point(latitude=latitude, longitude=longitude)
    scanned = min(localities(), key=lambda row: geodesic_m(point, row.point))

    nearest = nearest_locality(point)

    assert geodesic_m(point, nearest.point) == pytest.approx(
        geodesic_m(point, scanned.point), abs=1e-9
    )


def test_distances_from_a_center_equal_the_local_formula_near_and_far() -> None:
    rng = random.Random(11)
    worst = 0.0
    for _ in range(400):
        center = Point(rng.uniform(45.5, 48.0), rng.uniform(5.5, 10.8))
        distance_m = distances_from(center)
        for _ in range(10):
            # Up to about 100 km away: the quadratics' whole span.
            point = Point(
                center.latitude + rng.uniform(-0.95, 0.95),
                center.longitude + rng.uniform(-1.3, 1.3),
            )
            local = local_distance_m(
                center.latitude, center.longitude, point.latitude, point.longitude
            )
            worst = max(worst, abs(distance_m(point.latitude, point.longitude) - local) / local)
    assert worst < 1e-7

    # Beyond the span, over 100 km, near a pole and across the antimeridian: the formula itself.
    zurich = Point(47.3769, 8.5417)
    assert distances_from(zurich)(49.5, 8.5417) == geodesic_m(zurich, Point(49.5, 8.5417))
    assert distances_from(zurich)(47.3769, 10.5) == geodesic_m(zurich, Point(47.3769, 10.5))
    polar = Point(89.5, 0.0)
    assert distances_from(polar)(89.6, 120.0) == local_distance_m(89.5, 0.0, 89.6, 120.0)
    east = Point(0.0, 179.99)
    assert distances_from(east)(0.0, -179.99) == geodesic_m(east, Point(0.0, -179.99))


@pytest.mark.parametrize("region", ["switzerland", "the globe"])
def test_the_local_sphere_bounds_hold_every_geodesic_within_the_distance(region: str) -> None:
    rng = random.Random(5)
    for _ in range(3000):
        if region == "switzerland":
            center = Point(rng.uniform(45.8, 47.8), rng.uniform(5.9, 10.5))
        else:
            center = Point(rng.uniform(-84.0, 84.0), rng.uniform(-179.0, 179.0))
        within_m = rng.choice((2_000.0, 25_000.0, 50_000.0))
        moved = geodesic(meters=rng.uniform(1.0, within_m)).destination(
            (center.latitude, center.longitude), bearing=rng.uniform(0.0, 360.0)
        )
        point = Point(moved.latitude, moved.longitude)
        lower, upper = sphere_to_geodesic_bounds(center, within_m)
        assert lower <= geodesic_m(center, point) / haversine_m(center, point) <= upper

    # Far tighter than the bounds for the whole globe, which apply beyond 50 km
    lower, upper = sphere_to_geodesic_bounds(Point(46.8, 8.2), 25_000.0)
    assert 0.9995 < lower < 0.9997
    assert 1.0029 < upper < 1.0032
    assert sphere_to_geodesic_bounds(Point(46.8, 8.2), 60_000.0) == (0.994, 1.006)


def test_the_geodesic_is_geopys_within_a_micrometre_across_switzerland() -> None:
    """`geodesic_m` asks Karney's algorithm on the WGS84 ellipsoid for the distance alone, as
    geopy's `geodesic` does in kilometres: over random pairs of Swiss points they agree to far
    below a micrometre (the last bits of the floats differ by the unit)."""
    rng = random.Random(11)
    for _ in range(500):
        a = Point(rng.uniform(45.8, 47.8), rng.uniform(5.9, 10.5))
        b = Point(rng.uniform(45.8, 47.8), rng.uniform(5.9, 10.5))
        expected = geodesic((a.latitude, a.longitude), (b.latitude, b.longitude)).meters
        assert geodesic_m(a, b) == pytest.approx(expected, abs=1e-6, rel=0)
    assert geodesic_m(a, a) == 0.0
