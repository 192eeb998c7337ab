"""Dates and times as Switzerland writes them in each language: never the American month
first or the 12-hour clock in English, the dotted short date everywhere."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import dates, formats, translation

from backend.formats import month_names, written

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


SATURDAY_AFTERNOON = (
    datetime(2026, 12, 12, 14, 0, tzinfo=ZoneInfo("Europe/Zurich")),
    datetime(2026, 12, 12, 16, 0, tzinfo=ZoneInfo("Europe/Zurich")),
)
# 22:00 on Saturday to 02:00 on Sunday, Swiss time, given in UTC
ACROSS_MIDNIGHT = (
    datetime(2026, 12, 12, 21, 0, tzinfo=ZoneInfo("UTC")),
    datetime(2026, 12, 13, 1, 0, tzinfo=ZoneInfo("UTC")),
)


@pytest.mark.parametrize(
    ("language", "label", "in_sentence", "span", "span_without_year", "across_midnight"),
    [
        (
            "de",
            "6. Dezember 2026, 14:30",
            "6. Dezember 2026 um 14:30",
            "Samstag, 12. Dezember 2026, 14:00–16:00",
            "Samstag, 12. Dezember, 14:00–16:00",
            "Samstag, 12. Dezember 2026, 22:00 – Sonntag, 13. Dezember 2026, 02:00",
        ),
        (
            "fr",
            "6 décembre 2026, 14:30",
            "6 décembre 2026 à 14:30",
            "samedi 12 décembre 2026, 14:00–16:00",
            "samedi 12 décembre, 14:00–16:00",
            "samedi 12 décembre 2026, 22:00 – dimanche 13 décembre 2026, 02:00",
        ),
        (
            "it",
            "6 dicembre 2026, 14:30",
            "6 dicembre 2026 alle 14:30",
            "sabato 12 dicembre 2026, 14:00–16:00",
            "sabato 12 dicembre, 14:00–16:00",
            "sabato 12 dicembre 2026, 22:00 – domenica 13 dicembre 2026, 02:00",
        ),
        (
            "en",
            "6 December 2026, 14:30",
            "6 December 2026 at 14:30",
            "Saturday 12 December 2026, 14:00–16:00",
            "Saturday 12 December, 14:00–16:00",
            "Saturday 12 December 2026, 22:00 – Sunday 13 December 2026, 02:00",
        ),
    ],
)
def test_moments_and_spans_are_written_as_each_language_writes_them(
    language, label, in_sentence, span, span_without_year, across_midnight
):
    with translation.override(language):
        assert written.moment(AT) == label
        assert written.moment_in_sentence(AT) == in_sentence
        assert written.span(*SATURDAY_AFTERNOON) == span
        assert written.span(*SATURDAY_AFTERNOON, year=False) == span_without_year
        assert written.span(*ACROSS_MIDNIGHT) == across_midnight
