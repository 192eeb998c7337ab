"""Dates and times as Switzerland writes them in each language: never the American month
first or the 12-hour clock in English, the dotted short date everywhere."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import dates, formats, translation

from backend.formats import month_names

AT = datetime(2026, 12, 6, 14, 30, tzinfo=ZoneInfo("Europe/Zurich"))


@pytest.mark.parametrize(
    ("language", "date", "date_time", "time", "short", "short_with_time"),
    [
        (
            "en",
            "6 December 2026",
            "6 December 2026 at 14:30",
            "14:30",
            "06.12.2026",
            "06.12.2026 14:30",
        ),
        (
            "de",
            "6. Dezember 2026",
            "6. Dezember 2026 um 14:30",
            "14:30",
            "06.12.2026",
            "06.12.2026 14:30",
        ),
        (
            "fr",
            "6 décembre 2026",
            "6 décembre 2026 à 14:30",
            "14:30",
            "06.12.2026",
            "06.12.2026 14:30",
        ),
        (
            "it",
            "6 dicembre 2026",
            "6 dicembre 2026 alle 14:30",
            "14:30",
            "06.12.2026",
            "06.12.2026 14:30",
        ),
    ],
)
def test_each_language_writes_dates_and_times_as_in_switzerland(
    language, date, date_time, time, short, short_with_time
):
    with translation.override(language):
        assert formats.date_format(AT, "DATE_FORMAT") == date
        assert formats.date_format(AT, "DATETIME_FORMAT") == date_time
        assert formats.time_format(AT, "TIME_FORMAT") == time
        assert formats.date_format(AT, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(AT, "SHORT_DATETIME_FORMAT") == short_with_time


def test_english_weeks_start_on_monday():
    with translation.override("en"):
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1


MONTH_NAMES = {
    "it": [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}


@pytest.mark.parametrize("language", ["it", "fr"])
@pytest.mark.parametrize("month", range(1, 13))
def test_italian_and_french_write_month_names_in_small_letters(language, month):
    day = datetime(2026, month, 6, 14, 30, tzinfo=ZoneInfo("Europe/Zurich"))
    name = MONTH_NAMES[language][month - 1]
    with translation.override(language):
        assert formats.date_format(day, "F") == name
        assert formats.date_format(day, "E") == name
        assert formats.date_format(day, "DATE_FORMAT") == f"6 {name} 2026"
        assert formats.date_format(day, "YEAR_MONTH_FORMAT") == f"{name} 2026"
        assert formats.date_format(day, "MONTH_DAY_FORMAT") == f"6 {name}"


def test_italian_dates_with_time_write_the_month_in_small_letters_and_no_weekday():
    # The weekday would be capitalised ("Domenica") inside a sentence: "Caricato in data …".
    with translation.override("it"):
        assert formats.date_format(AT, "DATETIME_FORMAT") == "6 dicembre 2026 alle 14:30"


def test_quartiers_month_names_are_djangos_msgids():
    with translation.override("en"):
        assert list(month_names.MONTHS) == [str(name) for name in dates.MONTHS.values()]
        assert [str(name) for name in month_names.MONTHS_ALT] == [
            str(name) for name in dates.MONTHS_ALT.values()
        ]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Hochgeladen am 7. Dezember 2026 um 08:54."),
        ("fr", "Téléversé le 7 décembre 2026 à 08:54."),
        ("it", "Caricato in data 7 dicembre 2026 alle 08:54."),
        ("en", "Uploaded on 7 December 2026 at 08:54."),
    ],
)
def test_a_moment_within_a_sentence_joins_its_day_and_time_with_its_word(language, expected):
    moment = datetime(2026, 12, 7, 8, 54, tzinfo=ZoneInfo("Europe/Zurich"))
    with translation.override(language):
        when = formats.date_format(moment, "DATETIME_FORMAT")
        assert translation.gettext("Uploaded on %(when)s.") % {"when": when} == expected
