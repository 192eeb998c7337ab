import pytest

from backend.exceptions import ValidationFailed
from backend.geo import Point
from backend.localities import by_postal_code
from backend.places import resolve_place


def test_an_address_is_stored_under_the_directory_spelling():
    place = resolve_place(street=" Bahnhofstrasse 1 ", postal_code="8001", locality="zurich")

    zurich = by_postal_code("8001")[0]
    assert (place.street, place.postal_code, place.locality) == (
        "Bahnhofstrasse 1",
        "8001",
        "Zürich",
    )
    assert place.point == zurich.point
    assert place.geojson == {
        "type": "Point",
        "coordinates": [zurich.point.longitude, zurich.point.latitude],
    }


def test_coordinates_alone_are_named_after_the_nearest_locality():
    bern_old_town = Point(46.9480, 7.4474)

    place = resolve_place(point=bern_old_town)

    assert place.point == bern_old_town
    assert place.locality == "Bern"
    assert place.postal_code.startswith("30")


def test_coordinates_win_but_a_typed_postcode_must_still_match_its_locality():
    with pytest.raises(ValidationFailed) as refused:
        resolve_place(postal_code="8001", locality="Genève", point=Point(47.3769, 8.5417))

    assert refused.value.code == "postal_code_locality_mismatch"
    assert list(refused.value.fields) == ["locality"]


@pytest.mark.parametrize(
    ("fields", "missing"),
    [
        ({"postal_code": "8001"}, "locality"),
        ({"locality": "Zürich"}, "postal_code"),
        ({}, "postal_code"),
    ],
)
def test_without_coordinates_postcode_and_locality_are_required(fields, missing):
    with pytest.raises(ValidationFailed) as refused:
        resolve_place(**fields)

    assert refused.value.code == "address_required"
    assert list(refused.value.fields) == [missing]


def test_a_place_outside_switzerland_is_refused_on_the_location_field():
    with pytest.raises(ValidationFailed) as refused:
        resolve_place(point=Point(45.4642, 9.19), field_prefix="home_")

    assert refused.value.code == "outside_switzerland"
    assert list(refused.value.fields) == ["home_location"]
