"""Days as each of the four languages writes them, in Swiss time: the helper's offers and
visits, the chat and the customer's day picker."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.utils import formats, timezone, translation

from backend.formats.written import day as day_words
from backend.formats.written import day_month as day_month_words
from tests.factories import UserFactory, make_helper, pending_offer, post_request
from tests.web.test_pages import _logged_in
from web.forms import day_choices

# 23:30 on Friday in UTC is already Saturday in Zurich (winter time, UTC+1)
LATE_FRIDAY_UTC = datetime(2026, 12, 11, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "day", "with_year", "day_month", "friday"),
    [
        (
            "de",
            "Samstag, 12. Dezember",
            "Samstag, 12. Dezember 2026",
            "12. Dezember",
            "Freitag, 11. Dezember",
        ),
        (
            "fr",
            "samedi 12 décembre",
            "samedi 12 décembre 2026",
            "12 décembre",
            "vendredi 11 décembre",
        ),
        (
            "it",
            "sabato 12 dicembre",
            "sabato 12 dicembre 2026",
            "12 dicembre",
            "venerdì 11 dicembre",
        ),
        (
            "en",
            "Saturday 12 December",
            "Saturday 12 December 2026",
            "12 December",
            "Friday 11 December",
        ),
    ],
)
def test_a_day_is_written_as_its_language_writes_it_in_swiss_time(
    language, day, with_year, day_month, friday
):
    with translation.override(language):
        assert day_words(LATE_FRIDAY_UTC) == day
        assert day_words(LATE_FRIDAY_UTC, year=True) == with_year
        assert day_month_words(LATE_FRIDAY_UTC) == day_month
        # A date has no time of day to move
        assert day_words(date(2026, 12, 11)) == friday


def test_the_customers_day_picker_writes_the_days_in_german_with_their_weekday():
    with translation.override("de"):
        choices = day_choices(date(2026, 12, 6))
    assert choices[:2] == [
        ("2026-12-07", "Montag, 7. Dezember"),
        ("2026-12-08", "Dienstag, 8. Dezember"),
    ]


@pytest.mark.django_db
def test_the_helpers_offer_shows_the_requests_times_as_german_writes_them(client):
    helper = make_helper()
    help_request = post_request(UserFactory.create())
    pending_offer(help_request, helper)
    _logged_in(client, helper.user, "de")
    html = client.get("/helper/").content.decode()
    assert '<html lang="de">' in html
    window = help_request.windows.get()
    with translation.override("de"):
        written = day_words(window.starts_at)
        old_way = formats.date_format(timezone.localtime(window.starts_at), "l j F")
    assert ", " in written
    assert ". " in written
    assert f"<li>{written}, " in html
    assert f"<li>{old_way}, " not in html


@pytest.mark.django_db
def test_the_customers_request_page_writes_its_times_as_french_writes_them(client):
    customer = UserFactory.create()
    help_request = post_request(customer)
    _logged_in(client, customer, "fr")
    html = client.get(f"/requests/{help_request.public_id}/").content.decode()
    window = help_request.windows.get()
    with translation.override("fr"):
        written = day_words(window.starts_at, year=True)
    assert written == written.lower()
    assert f"<li>{written}, " in html


@pytest.mark.parametrize(
    "msgid",
    [
        "Confirm %(day)s at %(time)s",
        "The visit is confirmed for %(date)s at %(time)s.",
        "Visit on %(date)s at %(time)s",
        "Asked on %(date)s",
    ],
)
def test_italian_visit_dates_take_no_article_that_would_need_eliding(msgid):
    # "il 8 dicembre" and "il 11 dicembre" are wrong Italian (l'8, l'11): the customer's
    # buttons and status words name the day without an article
    with translation.override("it"):
        eighth = formats.date_format(date(2026, 12, 8), "DATE_FORMAT")
        said = translation.gettext(msgid) % {"day": eighth, "date": eighth, "time": "18:30"}
    assert "8 dicembre 2026" in said
    assert " il 8" not in said
    assert " per il " not in said
