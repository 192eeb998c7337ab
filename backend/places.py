"""Where something happens: an address or phone coordinates, resolved and checked."""

from __future__ import annotations

from dataclasses import dataclass

from backend.exceptions import ValidationFailed
from backend.geo import Point, nearest_locality, point_to_geojson, require_in_switzerland
from backend.localities import geocode_address


@dataclass(frozen=True)
class Place:
    street: str
    postal_code: str
    locality: str
    point: Point

    @property
    def geojson(self) -> dict:
        return point_to_geojson(self.point)


def resolve_place(
    *,
    street: str = "",
    postal_code: str = "",
    locality: str = "",
    point: Point | None = None,
    field_prefix: str = "",
) -> Place:
    """Coordinates win when given (a phone knows where it is); otherwise the postcode and
    locality are geocoded offline. Either way the place must be in Switzerland."""
    street, postal_code, locality = street.strip(), postal_code.strip(), locality.strip()
    if point is not None:
        require_in_switzerland(point, field=f"{field_prefix}location")
        if postal_code or locality:
            # Typed address and coordinates must agree on the postcode and locality.
            geocode_address(postal_code=postal_code, locality=locality, street=street)
            return Place(street, postal_code, locality, point)
        nearest = nearest_locality(point)
        return Place(street, nearest.postal_code, nearest.name, point)
    if not postal_code or not locality:
        missing = "postal_code" if not postal_code else "locality"
        raise ValidationFailed.for_field(
            f"{field_prefix}{missing}",
            "Give the postcode and locality, or the coordinates.",
            code="address_required",
        )
    geocoded = geocode_address(postal_code=postal_code, locality=locality, street=street)
    return Place(street, postal_code, locality, geocoded)
