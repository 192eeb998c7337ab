"""Italian puts no article before a date: "il 8 dicembre" and "del 11 marzo" are wrong (l'8,
dell'11), and a translation cannot know the day it will be given. So a date stands after "in
data", after "il giorno", or on its own (a colon, brackets), and a label is no article ending a
sentence that a date completes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import formats, translation
from django.utils.translation import gettext as _

from tests.gettext_catalogue import messages

# The articles and articulated prepositions that would have to change before a day number.
ARTICLES = r"il|lo|l'|l’|del|dello|dell'|dell’|dal|dallo|dall'|dall’|al|allo|all'|all’|nel|nello|nell'|nell’|sul|sullo|sull'|sull’"
# The placeholders that hold a day: named by what they are (the catalogue's own names).
DAY_WORDS = {"date", "day", "when", "until", "since", "start", "starts", "end", "ends", "on"}
_ARTICLE_BEFORE_PLACEHOLDER = re.compile(rf"(?<![\w'’])({ARTICLES})\s*%\((\w+)\)\w", re.IGNORECASE)
_ARTICLE_AT_END = re.compile(rf"(?<![\w'’])({ARTICLES})$", re.IGNORECASE)


def articles_before_days(text: str) -> list[str]:
    """The places in one Italian text where an article stands right before a day."""
    found = [
        match.group(0)
        for match in _ARTICLE_BEFORE_PLACEHOLDER.finditer(text)
        if DAY_WORDS & set(match.group(2).lower().split("_"))
    ]
    end = _ARTICLE_AT_END.search(text.strip())
    return [*found, end.group(0)] if end else found


def test_the_check_sees_an_article_before_a_day():
    assert articles_before_days("Caricato il %(when)s.") == ["il %(when)s"]
    assert articles_before_days("Versione %(number)s del %(when)s") == ["del %(when)s"]
    assert articles_before_days("Fino al %(until)s, poi") == ["al %(until)s"]
    assert articles_before_days("La sospensione termina il %(end_day)s") == ["il %(end_day)s"]
    assert articles_before_days("Richiesto il") == ["il"]
    assert articles_before_days("Caricato in data %(when)s.") == []
    assert articles_before_days("Fino al giorno %(until)s.") == []
    # Not a day: a count, an hour, a year, a name.
    assert articles_before_days("tra %(days)d giorni, dalle %(time)s") == []
    assert articles_before_days("per il %(name)s") == []


def test_no_italian_translation_puts_an_article_before_a_day():
    wrong = {
        message.msgid: places
        for message in messages("it")
        for text in message.msgstrs
        if (places := articles_before_days(text))
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("msgid", "expected"),
    [
        ("Uploaded on %(when)s.", "Caricato in data 8 dicembre 2026."),
        ("Valid until %(until)s.", "Valida fino al giorno 8 dicembre 2026."),
        ("Version %(number)s of %(when)s", "Versione 2 (8 dicembre 2026)"),
    ],
)
def test_the_eighth_of_a_month_reads_right_in_italian(msgid, expected):
    the_eighth = date(2026, 12, 8)
    with translation.override("it"):
        day = formats.date_format(the_eighth, "DATE_FORMAT")
        text = _(msgid) % {"when": day, "until": day, "number": 2}
    assert text == expected
