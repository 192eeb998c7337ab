"""The demo's courses speak of the customer as the catalogue does: "la cliente ou le client",
"la clientèle", "la clientela", never only "le client" or "il cliente" (a helper reads them in
French or Italian before her first offer)."""

from __future__ import annotations

import re

from demo.academy import COURSES
from tests.web.test_gender_neutral_address import french_people_as_men

ITALIAN_CUSTOMER_AS_A_MAN = re.compile(
    r"\b(?:[Ii]l|[Dd]el|[Aa]l|[Dd]al|[Nn]el|[Ii]|[Dd]ei|[Aa]i)\s+client[ei]\b"
)


def _texts(value: object, language: str) -> list[str]:
    """Every text of `language` in a course's nested title, lessons and questions."""
    if isinstance(value, dict):
        return (
            [value[language]]
            if language in value
            else [text for inner in value.values() for text in _texts(inner, language)]
        )
    if isinstance(value, tuple | list):
        return [text for inner in value for text in _texts(inner, language)]
    return []


def test_the_courses_speak_of_the_customer_without_a_gender():
    french = [text for course in COURSES.values() for text in _texts(course, "fr")]
    italian = [
        re.sub(r"\b(?:la|della)\s+cliente\s+o\s+(?:il|del)\s+cliente\b", "", text)
        for course in COURSES.values()
        for text in _texts(course, "it")
    ]

    assert "Protection des données chez la clientèle" in french
    assert {text: found for text in french if (found := french_people_as_men(text))} == {}
    assert [text for text in italian if ITALIAN_CUSTOMER_AS_A_MAN.search(text)] == []
