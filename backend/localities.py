"""The official Swiss localities directory (swisstopo "Amtliches Ortschaftenverzeichnis").

Quartier geocodes addresses offline: a postcode and locality name resolve to the centroid of
that locality from `data/ch-localities.csv`. Street-level geocoding would need an online service;
the street is kept as text by the caller and the centroid is close enough for matching helpers
within a neighbourhood radius.

The file is loaded once, lazily, and cached for the life of the process.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from backend.exceptions import CoreError, ValidationFailed, raises
from backend.point import Point

_COLUMNS = (
    "Ortschaftsname",
    "PLZ",
    "Zusatzziffer",
    "Gemeindename",
    "BFS-Nr",
    "Kantonskürzel",
    "E",
    "N",
    "Sprache",
    "Validity",
)

_POSTAL_CODE = re.compile(r"[0-9]{4}")

# People type the name they know. Keyed by the directory's spelling; only the big cities, where
# German, French, Italian and English names differ. Accents and case are handled separately.
_EXONYMS: dict[str, tuple[str, ...]] = {
    "Basel": ("Bâle", "Basle", "Basilea"),
    "Bellinzona": ("Bellenz",),
    "Bern": ("Berne", "Berna"),
    "Biel/Bienne": ("Bienna",),
    "Chur": ("Coire", "Coira", "Cuira"),
    "Delémont": ("Delsberg",),
    "Fribourg": ("Freiburg", "Friburgo"),
    "Genève": ("Geneva", "Genf", "Ginevra"),
    "Lausanne": ("Losanna",),
    "Luzern": ("Lucerne", "Lucerna"),
    "Neuchâtel": ("Neuenburg",),
    "Schaffhausen": ("Schaffhouse", "Sciaffusa"),
    "Sion": ("Sitten",),
    "Solothurn": ("Soleure", "Soletta"),
    "St. Gallen": ("Sankt Gallen", "Saint-Gall", "San Gallo"),
    "Zürich": ("Zurich", "Zurigo"),
}

# "Altdorf UR", "Mauren FL": the directory appends a canton (or country) code to tell
# same-named places apart; people leave it off.
_TRAILING_REGION_CODE = re.compile(r"\s+[A-Z]{2}$")
# "Aesch (Neftenbach)", "Bürglen (UR)": a disambiguating parenthesis, also left off.
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")


@dataclass(frozen=True)
class Locality:
    """One row of the directory: a postcode locality, or the part of it in one municipality.

    A locality that spans several municipalities has one row (and centroid) per municipality.
    `canton` is empty for places that have a Swiss postcode but are not in Switzerland.
    """

    name: str
    postal_code: str
    suffix: str
    municipality: str
    canton: str
    language: str
    point: Point

    @property
    def is_in_switzerland(self) -> bool:
        return self.canton != ""


@dataclass(frozen=True)
class _Directory:
    all: tuple[Locality, ...]
    by_postal_code: dict[str, tuple[Locality, ...]]


def localities() -> list[Locality]:
    """Every row of the directory, in file order (a fresh list: the cache stays untouched)."""
    return list(_directory().all)


def by_postal_code(postal_code: str) -> list[Locality]:
    """The rows for one postcode, in file order; empty when the postcode is unknown."""
    return list(_directory().by_postal_code.get(postal_code, ()))


def geocode_address(*, postal_code: str, locality: str, street: str = "") -> Point:
    """The centroid of the locality at `postal_code` that `locality` names.

    `street` is accepted for the caller's convenience and ignored: there is no offline
    street-level data. Raises as `resolve_locality` does.
    """
    del street
    return resolve_locality(postal_code=postal_code, locality=locality).point


@raises(
    CoreError.INVALID_POSTAL_CODE,
    CoreError.UNKNOWN_POSTAL_CODE,
    CoreError.OUTSIDE_SWITZERLAND,
    CoreError.POSTAL_CODE_LOCALITY_MISMATCH,
)
def resolve_locality(*, postal_code: str, locality: str) -> Locality:
    """The directory row at `postal_code` that `locality` names, however it was typed.

    Raises ValidationFailed with code `invalid_postal_code`, `unknown_postal_code`,
    `outside_switzerland` (all on field `postal_code`) or `postal_code_locality_mismatch`
    (on field `locality`).
    """
    code = postal_code.strip()
    if not _POSTAL_CODE.fullmatch(code):
        message = _("%(typed)s is not a Swiss postal code: it has four digits, like 8001.") % {
            "typed": repr(postal_code)
        }
        raise ValidationFailed(
            message, code=CoreError.INVALID_POSTAL_CODE, fields={"postal_code": [message]}
        )
    rows = by_postal_code(code)
    if not rows:
        message = _("There is no Swiss locality with postal code %(code)s.") % {"code": code}
        raise ValidationFailed(
            message, code=CoreError.UNKNOWN_POSTAL_CODE, fields={"postal_code": [message]}
        )
    if not any(row.is_in_switzerland for row in rows):
        # Liechtenstein shares the Swiss postcode system; Quartier serves Switzerland only.
        names = _names_in_order(rows)
        message = _("%(code)s is %(names)s, which is not in Switzerland.") % {
            "code": code,
            "names": names,
        }
        raise ValidationFailed(
            message, code=CoreError.OUTSIDE_SWITZERLAND, fields={"postal_code": [message]}
        )
    match = _match_locality(rows, locality)
    if match is None:
        names = _names_in_order(rows)
        typed = " ".join(locality.split())
        where = {"typed": typed, "code": code, "names": names}
        message = (
            _("%(typed)s is not at %(code)s; %(code)s is %(names)s.") % where
            if typed
            else _("Enter the locality for %(code)s: %(names)s.") % where
        )
        raise ValidationFailed(
            message, code=CoreError.POSTAL_CODE_LOCALITY_MISMATCH, fields={"locality": [message]}
        )
    return match


def _normalize_place_name(value: str) -> str:
    """A comparison key for place names as people type them.

    Case-, accent- and punctuation-insensitive, whitespace collapsed: "  zurich" and "Zürich",
    "St Gallen" and "St. Gallen", "La Chaux de Fonds" and "La Chaux-de-Fonds" are equal.
    """
    decomposed = unicodedata.normalize("NFKD", value)
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = re.sub(r"[^\w]+", " ", without_accents.casefold())
    return " ".join(words.split())


def _match_locality(rows: Sequence[Locality], typed: str) -> Locality | None:
    key = _normalize_place_name(typed)
    if not key:
        return None
    by_name = [row for row in rows if key in _name_keys(row.name)]
    if by_name:
        return _prefer_namesake_municipality(by_name)
    # 8914 "Aeugst am Albis" is the municipality of the locality Aeugstertal: people know both.
    by_municipality = [row for row in rows if key in _name_keys(row.municipality)]
    if by_municipality:
        return _prefer_namesake_municipality(by_municipality)
    return None


def _prefer_namesake_municipality(rows: Sequence[Locality]) -> Locality:
    # A locality split over several municipalities has one centroid per part; the part in the
    # municipality of the same name is its centre as people think of it.
    for row in rows:
        if _name_keys(row.name) & _name_keys(row.municipality):
            return row
    return rows[0]


@cache
def _name_keys(name: str) -> frozenset[str]:
    """Every normalized way to write `name`: as listed, without its disambiguation, each half
    of a bilingual "Biel/Bienne", and the exonyms of big cities."""
    variants = {name, *_EXONYMS.get(name, ())}
    bare = _PARENTHESIS.sub("", _TRAILING_REGION_CODE.sub("", name)).strip()
    variants.add(bare)
    if "/" in bare:
        variants.update(part.strip() for part in bare.split("/"))
    return frozenset(key for key in map(_normalize_place_name, variants) if key)


def _names_in_order(rows: Iterable[Locality]) -> str:
    names = list(dict.fromkeys(row.name for row in rows))
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} or {names[-1]}"


@cache
def _directory() -> _Directory:
    rows = tuple(_read_directory(Path(settings.BASE_DIR) / "data" / "ch-localities.csv"))
    grouped: dict[str, list[Locality]] = {}
    for row in rows:
        grouped.setdefault(row.postal_code, []).append(row)
    return _Directory(
        all=rows,
        by_postal_code={code: tuple(group) for code, group in grouped.items()},
    )


def _read_directory(path: Path) -> Iterable[Locality]:
    # swisstopo ships UTF-8 with a byte-order mark, CRLF line ends and ";" separators.
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.DictReader(file, delimiter=";")
        if tuple(reader.fieldnames or ()) != _COLUMNS:
            raise ValueError(f"{path} does not have the directory's columns {_COLUMNS}")
        for record in reader:
            yield Locality(
                name=record["Ortschaftsname"],
                postal_code=record["PLZ"],
                suffix=record["Zusatzziffer"],
                municipality=record["Gemeindename"],
                canton=record["Kantonskürzel"],
                language=record["Sprache"],
                # E and N are WGS84 longitude and latitude in this edition of the directory.
                point=Point(latitude=float(record["N"]), longitude=float(record["E"])),
            )
