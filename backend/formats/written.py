"""Days, moments and stretches of time as each language writes them, in Swiss time: the one
place pages, e-mails and the console take them from.

- `moment`: a moment standing alone, as a label ("6. Dezember 2026, 14:30", "6 décembre 2026,
  14:30"): timelines, lists of what happened.
- `moment_in_sentence`: a moment within a sentence, joined by its word ("6. Dezember 2026 um
  14:30", "6 décembre 2026 à 14:30", "6 dicembre 2026 alle 14:30", "6 December 2026 at 14:30":
  the language's `DATETIME_FORMAT`), for "am …", "le …", "in data …", "on …".
- `span`: a stretch of time with its weekday ("Samstag, 12. Dezember 2026, 14:00–16:00",
  "samedi 12 décembre 2026, 14:00–16:00"); one running past midnight names both days.
- `day`, `day_month`, `day_month_year`: a date with its weekday, a date without its year, a
  date without its weekday ("6. Dezember 2026", "6 décembre 2026").

The times are written as the language's `TIME_FORMAT` (14:30 in all four)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import formats, timezone, translation

# A day with its weekday: "Freitag, 11. Dezember", "vendredi 11 décembre", "venerdì
# 11 dicembre", "Friday 11 December" (Django's formats of the four languages have no such format
# of their own). French and Italian write weekdays and months in small letters within a text;
# the names (Django's, and the hours form's weekday headings) are capitalised as they stand alone.
_DAY_FORMATS = {"de": "l, j. F", "fr": "l j F", "it": "l j F", "en": "l j F"}
_DAY_MONTH_FORMATS = {"de": "j. F", "fr": "j F", "it": "j F", "en": "j F"}
_SMALL_NAMES = frozenset({"fr", "it"})


def _local(value: date | datetime) -> date | datetime:
    return timezone.localtime(value) if isinstance(value, datetime) else value


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def _written(value: date | datetime, patterns: dict[str, str], suffix: str = "") -> str:
    language = _language()
    pattern = patterns.get(language, patterns["en"]) + suffix
    text = formats.date_format(_local(value), pattern)
    return text.lower() if language in _SMALL_NAMES else text


def day(value: date | datetime, *, year: bool = False) -> str:
    """The weekday and the date: "Samstag, 12. Dezember", with `year` "… Dezember 2026"."""
    return _written(value, _DAY_FORMATS, " Y" if year else "")


def day_month(value: date | datetime) -> str:
    """The day and the month: "12. Dezember", "12 décembre"."""
    return _written(value, _DAY_MONTH_FORMATS)


def day_month_year(value: date | datetime) -> str:
    """The day, the month and the year: "12. Dezember 2026", "12 décembre 2026"."""
    return formats.date_format(_local(value), "DATE_FORMAT")


def time(value: datetime) -> str:
    """The time of day: "14:30"."""
    return formats.time_format(timezone.localtime(value), "TIME_FORMAT")


def moment(value: datetime) -> str:
    """A moment as a label: "6. Dezember 2026, 14:30", "6 December 2026, 14:30"."""
    local = timezone.localtime(value)
    return f"{formats.date_format(local, 'DATE_FORMAT')}, {time(local)}"


def moment_in_sentence(value: datetime) -> str:
    """A moment within a sentence: "6. Dezember 2026 um 14:30", "6 December 2026 at 14:30"."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def span(starts: datetime, ends: datetime, *, year: bool = True) -> str:
    """A stretch of time: "Samstag, 12. Dezember 2026, 14:00–16:00" (without `year`: "Samstag,
    12. Dezember, 14:00–16:00"); one that ends on another day names both: "Samstag,
    12. Dezember 2026, 22:00 – Sonntag, 13. Dezember 2026, 02:00"."""
    first, last = timezone.localtime(starts), timezone.localtime(ends)
    if first.date() == last.date():
        return f"{day(first, year=year)}, {time(first)}–{time(last)}"
    return f"{day(first, year=year)}, {time(first)} – {day(last, year=year)}, {time(last)}"
