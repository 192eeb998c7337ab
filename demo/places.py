"""Where the demo's people live: real Swiss localities, weighted towards the big cities.

Most people live in or around one of the cities of `data/demo/places.toml` (chosen by weight,
then the city itself or a suburb within 12 km), the rest anywhere in the directory. Addresses
are checked exactly as a user's would be (`resolve_place`), so every home is a valid one.
"""

from __future__ import annotations

import math
import random

from backend.exceptions import ApplicationError
from backend.geo import Point, bounding_box, is_in_switzerland
from backend.localities import Locality, localities
from backend.places import Place, resolve_place
from demo.texts import texts

SUBURB_RADIUS_M = 12_000
RURAL_SHARE = 0.18
SUBURB_SHARE = 0.45
# The first cities, where people who only speak English mostly live.
EXPAT_CITIES = 8
METRES_PER_DEGREE = 111_320.0


class Places:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.swiss = [row for row in localities() if row.is_in_switzerland]
        # (the city's rows, its suburbs, its weight)
        self.cities: list[tuple[list[Locality], list[Locality], int]] = []
        for name, weight in texts().places.cities:
            core = [row for row in self.swiss if row.name == name]
            if not core:
                continue
            min_lat, max_lat, min_lon, max_lon = bounding_box(core[0].point, SUBURB_RADIUS_M)
            suburbs = [
                row
                for row in self.swiss
                if row.name != name
                and min_lat <= row.point.latitude <= max_lat
                and min_lon <= row.point.longitude <= max_lon
            ]
            self.cities.append((core, suburbs, weight))
        self.big_city_rows = {row for core, _, _ in self.cities[:EXPAT_CITIES] for row in core}

    def draw_locality(self) -> Locality:
        if self.rng.random() < RURAL_SHARE or not self.cities:
            return self.rng.choice(self.swiss)
        core, suburbs, _ = self.rng.choices(self.cities, weights=[c[2] for c in self.cities])[0]
        if suburbs and self.rng.random() < SUBURB_SHARE:
            return self.rng.choice(suburbs)
        return self.rng.choice(core)

    def jitter(self, point: Point, max_m: float) -> Point:
        """A point up to `max_m` from `point`, spread evenly over the disc."""
        distance = max_m * math.sqrt(self.rng.random())
        bearing = self.rng.uniform(0, 2 * math.pi)
        north, east = distance * math.cos(bearing), distance * math.sin(bearing)
        return Point(
            point.latitude + north / METRES_PER_DEGREE,
            point.longitude + east / (METRES_PER_DEGREE * math.cos(math.radians(point.latitude))),
        )

    def street(self, language: str) -> str:
        streets = texts().places.streets
        number = self.rng.randint(1, 120)
        suffix = "a" if self.rng.random() < 0.08 else ""
        if language == "fr":
            return f"{number}{suffix} {self.rng.choice(streets['fr'])}"
        return f"{self.rng.choice(streets.get(language, streets['de']))} {number}{suffix}"

    def place_near(self, locality: Locality, language: str, max_m: float) -> Place | None:
        """A street address in `locality`, a little off its centroid, checked like user input."""
        for _ in range(8):
            point = self.jitter(locality.point, max_m)
            if not is_in_switzerland(point):
                continue
            try:
                return resolve_place(
                    street=self.street(language),
                    postal_code=locality.postal_code,
                    locality=locality.name,
                    point=point,
                )
            except ApplicationError:
                return None
        return None

    def local_language(self, locality: Locality) -> str:
        if locality.language in ("de", "fr", "it"):
            return locality.language
        if locality.language == "multiple":  # Biel/Bienne and other bilingual places
            return "de" if self.rng.random() < 0.6 else "fr"
        return "de"  # Romansh speakers all speak German too

    def area_code(self, locality: Locality) -> str:
        return texts().places.area_codes.get(locality.canton, "44")
