"""Where something happens: an address or phone coordinates, resolved and checked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from backend.exceptions import CoreError, ValidationFailed, raises
from backend.geo import Point, nearest_locality, point_to_geojson, require_in_switzerland
from backend.localities import resolve_locality
from backend.texts import visible_text

# As long as a street may be stored (bookings.HelpRequest.street, backend.User.home_street).
STREET_MAX_LENGTH = 120


@dataclass(frozen=True)
class Place:
    street: str
    postal_code: str
    locality: str
    point: Point

    @property
    def geojson(self) -> dict:
        return point_to_geojson(self.point)

    def fields(self, *, prefix: str = "") -> dict[str, Any]:
        """This place as a model's address fields (`street`, `postal_code`, `locality`,
        `location`, `latitude`, `longitude`, each after `prefix`).

        The one writer of a stored position: the GeoJSON `location` and the `latitude` and
        `longitude` beside it always come from the same point, here.
        """
        values = {
            "street": self.street,
            "postal_code": self.postal_code,
            "locality": self.locality,
            "location": self.geojson,
            "latitude": self.point.latitude,
            "longitude": self.point.longitude,
        }
        return {f"{prefix}{name}": value for name, value in values.items()}

    @staticmethod
    def absent(*, prefix: str = "") -> dict[str, Any]:
        """No place, as a model's address fields (see `fields`): empty texts, no position."""
        values = {
            "street": "",
            "postal_code": "",
            "locality": "",
            "location": None,
            "latitude": None,
            "longitude": None,
        }
        return {f"{prefix}{name}": value for name, value in values.items()}

    def apply_to(self, obj: Any, *, prefix: str = "") -> list[str]:
        """Write this place onto a model's address fields (see `fields`); returns their
        names, for `save(update_fields=...)`."""
        values = self.fields(prefix=prefix)
        for name, value in values.items():
            setattr(obj, name, value)
        return list(values)


@raises(CoreError.ADDRESS_REQUIRED, resolve_locality, require_in_switzerland, visible_text)
def resolve_place(
    *,
    street: str = "",
    postal_code: str = "",
    locality: str = "",
    point: Point | None = None,
    field_prefix: str = "",
) -> Place:
    """Coordinates win when given (a phone knows where it is); otherwise the postcode and
    locality are geocoded offline. Either way the place must be in Switzerland. The street is
    a text the helper reads (the visit's page, the e-mail, the calendar): it passes through
    `visible_text`, as every other text one person writes for another does."""
    street = visible_text(
        street, field=f"{field_prefix}street", required=False, max_length=STREET_MAX_LENGTH
    )
    postal_code, locality = postal_code.strip(), locality.strip()
    if point is not None:
        require_in_switzerland(point, field=f"{field_prefix}location")
        if postal_code or locality:
            # Typed address and coordinates must agree on the postcode and locality.
            official = resolve_locality(postal_code=postal_code, locality=locality)
            return Place(street, official.postal_code, official.name, point)
        nearest = nearest_locality(point)
        return Place(street, nearest.postal_code, nearest.name, point)
    if not postal_code or not locality:
        missing = "postal_code" if not postal_code else "locality"
        raise ValidationFailed.for_field(
            f"{field_prefix}{missing}",
            _("Give the postcode and locality, or the coordinates."),
            code=CoreError.ADDRESS_REQUIRED,
        )
    # Stored under the directory's own spelling: "zurich" becomes "Zürich".
    official = resolve_locality(postal_code=postal_code, locality=locality)
    return Place(street, official.postal_code, official.name, official.point)
