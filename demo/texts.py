"""The demo's texts and names, read once from `data/demo/*.toml`.

Descriptions, bios, work summaries, reviews, street and first names live in data files so that
they can be read, corrected and extended without touching the code that plays the scenarios.
Each table that people write in has all four of Quartier's languages (names and streets only
the ones people in the demo live in); a missing one stops the demo with the file and table named.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

LANGUAGES = ("de", "fr", "it", "en")
# The languages the places people live in are named and addressed in.
LOCAL_LANGUAGES = ("de", "fr", "it")

ByLanguage = Mapping[str, str]
ListsByLanguage = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class Names:
    first: ListsByLanguage
    last: ListsByLanguage
    mothers: ListsByLanguage  # the elderly parents relatives book for
    fathers: ListsByLanguage


@dataclass(frozen=True)
class Places:
    cities: tuple[tuple[str, int], ...]  # (locality name, weight)
    streets: ListsByLanguage
    area_codes: Mapping[str, str]  # canton → landline area code


@dataclass(frozen=True)
class RequestTexts:
    descriptions: Mapping[str, ListsByLanguage]  # by category slug
    generic_description: ByLanguage
    for_mother: ByLanguage  # prefixes with {name}
    for_father: ByLanguage
    withdraw_reason: ByLanguage
    new_times_reason: ByLanguage


@dataclass(frozen=True)
class HelperTexts:
    bio: ByLanguage  # with {skills}
    # The manager's notes on an application, read by the helper (and the manager).
    approved_note: ByLanguage
    suspended_note: ByLanguage
    conduct_test_note: ByLanguage
    information_note: ByLanguage
    rejected_note: ByLanguage
    # The helper's own notes on their hours.
    holiday_note: ByLanguage
    day_off_note: ByLanguage
    extra_time_note: ByLanguage


@dataclass(frozen=True)
class VisitTexts:
    work_summaries: ListsByLanguage  # with {category}
    leave_behind: Mapping[str, ByLanguage]  # by category slug
    customer_cancel_reasons: ListsByLanguage
    helper_cancel_reasons: ListsByLanguage
    dispute_reason: ByLanguage
    no_show_by_customer: ByLanguage
    no_show_by_helper: ByLanguage
    # The manager's decision on a dispute, read by customer and helper (and the manager).
    visit_stands_note: ByLanguage
    visit_void_note: ByLanguage


@dataclass(frozen=True)
class ReviewTexts:
    by_customer: Mapping[str, Mapping[int, tuple[str, ...]]]  # language → rating → texts
    by_helper: Mapping[str, Mapping[int, tuple[str, ...]]]


@dataclass(frozen=True)
class Texts:
    names: Names
    places: Places
    requests: RequestTexts
    helpers: HelperTexts
    visits: VisitTexts
    reviews: ReviewTexts


def data_dir() -> Path:
    return Path(settings.BASE_DIR) / "data" / "demo"


@cache
def texts() -> Texts:
    """Every demo text, read and checked on first use."""
    names = _File("names.toml")
    places = _File("places.toml")
    requests = _File("requests.toml")
    helpers = _File("helpers.toml")
    visits = _File("visits.toml")
    reviews = _File("reviews.toml")
    return Texts(
        names=Names(
            first=names.lists("first_names"),
            last=names.lists("last_names"),
            mothers=names.parents("mothers"),
            fathers=names.parents("fathers"),
        ),
        places=Places(
            cities=tuple((city["name"], int(city["weight"])) for city in places.data["cities"]),
            streets=places.lists("streets", LOCAL_LANGUAGES),
            area_codes=dict(places.table("area_codes")),
        ),
        requests=RequestTexts(
            descriptions={
                slug: requests.lists(f"descriptions.{slug}")
                for slug in requests.table("descriptions")
            },
            generic_description=requests.strings("generic_description"),
            for_mother={
                language: prefixes["mother"]
                for language, prefixes in requests.by_language("on_behalf_prefix").items()
            },
            for_father={
                language: prefixes["father"]
                for language, prefixes in requests.by_language("on_behalf_prefix").items()
            },
            withdraw_reason=requests.strings("withdraw_reasons"),
            new_times_reason=requests.strings("new_times_reasons"),
        ),
        helpers=HelperTexts(
            bio=helpers.strings("bios"),
            approved_note=helpers.strings("notes.approved"),
            suspended_note=helpers.strings("notes.suspended"),
            conduct_test_note=helpers.strings("notes.conduct_test"),
            information_note=helpers.strings("notes.needs_information"),
            rejected_note=helpers.strings("notes.rejected"),
            holiday_note=helpers.strings("notes.holiday"),
            day_off_note=helpers.strings("notes.day_off"),
            extra_time_note=helpers.strings("notes.extra_time"),
        ),
        visits=VisitTexts(
            work_summaries=visits.lists("work_summaries"),
            leave_behind={
                slug: visits.strings(f"leave_behind.{slug}")
                for slug in visits.table("leave_behind")
            },
            customer_cancel_reasons=visits.lists("cancel_reasons.customer"),
            helper_cancel_reasons=visits.lists("cancel_reasons.helper"),
            dispute_reason=visits.strings("dispute_reasons"),
            no_show_by_customer=visits.strings("no_show_notes.by_customer"),
            no_show_by_helper=visits.strings("no_show_notes.by_helper"),
            visit_stands_note=visits.strings("dispute_outcomes.visit_stands"),
            visit_void_note=visits.strings("dispute_outcomes.visit_void"),
        ),
        reviews=ReviewTexts(
            by_customer=reviews.by_rating("by_customer"),
            by_helper=reviews.by_rating("by_helper"),
        ),
    )


class _File:
    """One data file, with lookups that name the file and table when something is missing."""

    def __init__(self, name: str) -> None:
        self.path = data_dir() / name
        with self.path.open("rb") as file:
            self.data = tomllib.load(file)

    def table(self, dotted: str) -> dict[str, Any]:
        found: Any = self.data
        for key in dotted.split("."):
            if not isinstance(found, dict) or key not in found:
                raise ValueError(f"{self.path}: no table [{dotted}]")
            found = found[key]
        if not isinstance(found, dict):
            raise ValueError(f"{self.path}: [{dotted}] is not a table")
        return found

    def by_language(self, dotted: str, languages: tuple[str, ...] = LANGUAGES) -> dict[str, Any]:
        table = self.table(dotted)
        if set(table) != set(languages):
            raise ValueError(
                f"{self.path}: [{dotted}] has the languages {sorted(table)}, "
                f"not {sorted(languages)}"
            )
        return {language: table[language] for language in languages}

    def strings(self, dotted: str) -> dict[str, str]:
        return {language: str(text) for language, text in self.by_language(dotted).items()}

    def lists(
        self, dotted: str, languages: tuple[str, ...] = LANGUAGES
    ) -> dict[str, tuple[str, ...]]:
        found = self.by_language(dotted, languages)
        for language, values in found.items():
            if not values:
                raise ValueError(f"{self.path}: [{dotted}] {language} is empty")
        return {language: tuple(values) for language, values in found.items()}

    def parents(self, which: str) -> dict[str, tuple[str, ...]]:
        return {
            language: tuple(names[which])
            for language, names in self.by_language("parent_names", LOCAL_LANGUAGES).items()
        }

    def by_rating(self, dotted: str) -> dict[str, dict[int, tuple[str, ...]]]:
        return {
            language: {int(rating): tuple(texts) for rating, texts in ratings.items()}
            for language, ratings in self.by_language(dotted).items()
        }
