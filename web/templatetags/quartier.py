"""Template filters of the web app: amounts in Swiss francs and days as each language writes
them."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django import template
from django.forms import BoundField
from django.utils import dateformat, timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timesince import timeuntil

from backend import clock, languages
from backend.file_sizes import file_size_words
from backend.formats import written
from backend.money import format_chf
from bookings.models import Booking, Offer
from bookings.step_words import SYSTEM_REASONS
from catalogue.models import ServiceCategory
from web import words
from web.categories import icon_of
from web.words import STATUS_WORDS, offer_words

register = template.Library()
__all__ = ["format_chf", "register"]


@register.filter
def chf(amount_minor: int | None) -> str:
    if amount_minor is None:
        return ""
    return format_chf(int(amount_minor), translation.get_language() or "en")


@register.filter
def initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper()


@register.filter
def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else ""


@register.filter
def category_name(category: ServiceCategory) -> str:
    """The name in the active language (English where it has none)."""
    return category.name


@register.filter
def category_description(category: ServiceCategory) -> str:
    """The description in the active language (English where it has none)."""
    return category.description


@register.filter
def category_icon(category: ServiceCategory) -> str:
    return icon_of(category)


@register.filter
def status_words(status: str) -> str:
    return str(STATUS_WORDS.get(status, status))


@register.filter
def helper_list_words(booking: Booking) -> str:
    """A visit's state in the helper's list of visits: who cancelled, who did not show up."""
    return words.helper_list_words(booking)


@register.filter
def offer_reasons(offer: Offer) -> str:
    return " · ".join(offer_words(offer))


@register.filter
def approval_words(status: str) -> str:
    return str(words.APPROVAL_WORDS.get(status, status))


@register.filter
def appeal_words(status: str) -> str:
    return str(words.APPEAL_WORDS.get(status, status))


@register.filter
def safety_category_words(category: str) -> str:
    return str(words.SAFETY_CATEGORY_WORDS.get(category, category))


@register.filter
def safety_outcome_words(outcome: str) -> str:
    return str(words.SAFETY_OUTCOME_WORDS.get(outcome, outcome))


@register.filter
def offer_status_words(status: str) -> str:
    return str(words.OFFER_STATUS_WORDS.get(status, status))


@register.filter
def event_reason(reason: str) -> str:
    """A step's reason: Quartier's own in the reader's words (or none), a person's as written."""
    return str(SYSTEM_REASONS.get(reason, reason))


@register.filter
def language_names(codes: Iterable[str]) -> str:
    """Language codes (de, fr, …) as the reader's words for them: "German, French"."""
    return languages.language_names(codes)


@register.filter
def document_kind_words(kind: str) -> str:
    return str(words.DOCUMENT_KIND_WORDS.get(kind, kind))


@register.filter
def weekday_date(value: date | datetime | None) -> str:
    """ "Freitag, 11. Dezember", "vendredi 11 décembre": the weekday and the date."""
    return "" if value is None else written.day(value)


@register.filter
def weekday_date_year(value: date | datetime | None) -> str:
    return "" if value is None else written.day(value, year=True)


def _time_element(value: datetime | None, words: str) -> SafeString | str:
    if value is None:
        return ""
    return format_html(
        '<time datetime="{}">{}</time>', dateformat.format(timezone.localtime(value), "c"), words
    )


@register.filter
def moment(value: datetime | None) -> SafeString | str:
    """ "6 décembre 2026, 17:02" (Swiss time) in a <time> element carrying the exact moment; a
    sentence that places it translates its own punctuation (French: "… 17:02 : …")."""
    return _time_element(value, written.moment(value) if value else "")


@register.filter
def moment_in_sentence(value: datetime | None) -> SafeString | str:
    """ "6 décembre 2026 à 17:02": a moment within a sentence ("Publiée le …"), in a <time>
    element."""
    return _time_element(value, written.moment_in_sentence(value) if value else "")


@register.filter
def day_month_year(value: date | datetime | None) -> str:
    """ "6. Dezember 2026", "6 décembre 2026": a date without its weekday."""
    return "" if value is None else written.day_month_year(value)


@register.filter
def span(starts: datetime | None, ends: datetime | None) -> str:
    """ "Samstag, 12. Dezember 2026, 14:00–16:00": a visit's, a window's or a training's time."""
    if starts is None or ends is None:
        return ""
    return written.span(starts, ends)


@register.filter
def span_without_year(starts: datetime | None, ends: datetime | None) -> str:
    """ "Samstag, 12. Dezember, 14:00–16:00": a time in the helper's lists of the weeks ahead."""
    if starts is None or ends is None:
        return ""
    return written.span(starts, ends, year=False)


@register.filter
def time_left(deadline: datetime) -> str:
    """ "5 minutes" with 4 min 41 s to go: the time to a deadline, its minutes rounded up, as
    the countdown beside it reads (Django's timeuntil rounds them down: "4 minutes")."""
    minutes = max(math.ceil((deadline - clock.now()).total_seconds() / 60), 0)
    return timeuntil(deadline, deadline - timedelta(minutes=minutes))


@register.filter
def day_month(value: date | datetime | None) -> str:
    """ "11. Dezember", "11 décembre": the day and the month."""
    return "" if value is None else written.day_month(value)


@register.filter
def file_size(size_bytes: int) -> str:
    """ "1,2 MB", "1,2 Mo": a file's size as the language writes it (not Django's "1,2 Mio")."""
    return file_size_words(size_bytes)


@register.filter
def with_errors(fields: list[BoundField]) -> list[BoundField]:
    """The fields of a form sent back that have a problem, in the form's order."""
    return [field for field in fields if field.errors]
