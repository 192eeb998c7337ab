"""Dates and times as Switzerland writes them in each language: never the American month
first or the 12-hour clock in English, the dotted short date everywhere."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, translation

AT = datetime(2026, 12, 6, 14, 30, tzinfo=ZoneInfo("Europe/Zurich"))


@pytest.mark.parametrize(
    ("language", "date", "time", "short", "short_with_time"),
    [
        ("en", "6 December 2026", "14:30", "06.12.2026", "06.12.2026 14:30"),
        ("de", "6. Dezember 2026", "14:30", "06.12.2026", "06.12.2026 14:30"),
        ("fr", "6 décembre 2026", "14:30", "06.12.2026", "06.12.2026 14:30"),
        ("it", "6 Dicembre 2026", "14:30", "06.12.2026", "06.12.2026 14:30"),
    ],
)
def test_each_language_writes_dates_and_times_as_in_switzerland(
    language, date, time, short, short_with_time
):
    with translation.override(language):
        assert formats.date_format(AT, "DATE_FORMAT") == date
        assert formats.time_format(AT, "TIME_FORMAT") == time
        assert formats.date_format(AT, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(AT, "SHORT_DATETIME_FORMAT") == short_with_time


def test_english_weeks_start_on_monday():
    with translation.override("en"):
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
