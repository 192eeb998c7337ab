import ast
from pathlib import Path

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


# --- One writer of a stored position ---------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]
DOMAIN_PACKAGES = ("backend", "catalogue", "helpers", "bookings", "payments", "demo")
# The GeoJSON copy of a stored point: written only with the latitude and longitude beside it.
POSITION_FIELDS = {"location", "home_location", "home_latitude", "home_longitude"}
THE_WRITER = "backend/places.py"


def _position_writes(source: str) -> list[tuple[int, str]]:
    """(line, field) of every write of a position field: a keyword, a dict key, an attribute
    assigned, or `setattr` with the field's name."""
    writes: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg in POSITION_FIELDS:
            writes.append((node.value.lineno, node.arg))
        elif isinstance(node, ast.Dict):
            writes += [
                (key.lineno, str(key.value))
                for key in node.keys
                if isinstance(key, ast.Constant) and key.value in POSITION_FIELDS
            ]
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Attribute) and part.attr in POSITION_FIELDS:
                        writes.append((part.lineno, part.attr))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in POSITION_FIELDS
        ):
            writes.append((node.lineno, str(node.args[1].value)))
    return writes


def test_a_stored_position_is_written_only_by_place():
    # The GeoJSON and the latitude and longitude columns are one point in two shapes (see the
    # models): they stay equal because nothing but `Place.fields` writes them.
    elsewhere = [
        f"{path.relative_to(REPO)}:{line} {field}"
        for package in DOMAIN_PACKAGES
        for path in sorted((REPO / package).rglob("*.py"))
        if "migrations" not in path.parts and str(path.relative_to(REPO)) != THE_WRITER
        for line, field in _position_writes(path.read_text(encoding="utf-8"))
    ]
    assert elsewhere == []


def test_the_position_scan_sees_every_way_of_writing():
    source = (
        "user.home_latitude, user.home_longitude = 1.0, 2.0\n"
        "User(home_location={})\n"
        "values = {'location': None}\n"
        "setattr(request, 'location', None)\n"
        "request.latitude = 3.0\n"
    )
    assert sorted(_position_writes(source)) == [
        (1, "home_latitude"),
        (1, "home_longitude"),
        (2, "home_location"),
        (3, "location"),
        (4, "location"),
    ]


def test_a_place_writes_one_point_in_both_shapes():
    place = resolve_place(point=Point(46.9480, 7.4474))

    fields = place.fields(prefix="home_")

    assert fields["home_location"] == {"type": "Point", "coordinates": [7.4474, 46.9480]}
    assert (fields["home_latitude"], fields["home_longitude"]) == (46.9480, 7.4474)
    assert set(fields) == {
        "home_street",
        "home_postal_code",
        "home_locality",
        "home_location",
        "home_latitude",
        "home_longitude",
    }
