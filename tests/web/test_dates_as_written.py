"""Pages write moments and stretches of time as each language writes them: a timeline's moment
is a label ("7. Dezember 2026, 08:54: …", never the sentence's "7. Dezember 2026 um 08:54: …"),
and a visit's time in the console reads with its weekday ("Dienstag, 2. Februar 2027,
09:30–10:30"), not as a database writes it ("2027-02-02 09:30–10:30"). The manager's pages
write every date so too, never as figures ("03.07.2026 05:47")."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings

from bookings.models import BookingStatus
from helpers.document_services import document_open
from helpers.models import ApprovalStatus, HelperDocument
from tests.factories import ManagerFactory, make_booking, make_helper, vet
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

ZURICH = ZoneInfo("Europe/Zurich")
APPLIED_AT = datetime(2026, 12, 7, 8, 54, tzinfo=ZURICH)
VISIT_AT = datetime(2027, 2, 2, 9, 30, tzinfo=ZURICH)


@pytest.mark.parametrize(
    ("language", "first_step"),
    [
        ("de", "7. Dezember 2026, 08:54: "),
        ("fr", "7 décembre 2026, 08:54 : "),
        ("it", "7 dicembre 2026, 08:54: "),
        ("en", "7 December 2026, 08:54: "),
    ],
)
def test_the_applicants_history_labels_each_step_with_its_moment(client, language, first_step):
    with time_machine.travel(APPLIED_AT, tick=False):
        helper = vet(
            make_helper(approval=ApprovalStatus.APPLIED), to=ApprovalStatus.DOCUMENTS_SUBMITTED
        )
    _logged_in(client, helper.user, language)

    html = client.get("/helper/application").content.decode()

    history = html.split('id="application-history"', 1)[1].split("</ul>", 1)[0]
    steps = [
        re.sub(r"<[^>]+>", "", step).strip()
        for step in re.findall(r"<li>(.*?)</li>", history, re.S)
    ]
    assert steps
    assert all(step.startswith(first_step) for step in steps), steps


@pytest.mark.parametrize(
    ("language", "time"),
    [
        ("de", "Dienstag, 2. Februar 2027, 09:30–10:30"),
        ("fr", "mardi 2 février 2027, 09:30–10:30"),
        ("it", "martedì 2 febbraio 2027, 09:30–10:30"),
        ("en", "Tuesday 2 February 2027, 09:30–10:30"),
    ],
)
def test_the_console_names_a_visits_time_with_its_weekday(client, language, time):
    with time_machine.travel(datetime(2027, 2, 1, 12, 0, tzinfo=ZURICH), tick=False):
        booking = make_booking(BookingStatus.CONFIRMED, start=VISIT_AT)
        _logged_in(client, ManagerFactory.create(), language)

        html = client.get(f"/manage/requests/{booking.help_request.public_id}/").content.decode()

    shown = re.findall(r"<dd>([^<]*\d\d:\d\d[^<]*)</dd>", html)
    assert shown == [time]
    assert f"{time} ·" in html  # the step that confirmed it names the same time


# A date written as figures: "03.07.2026", "03.07.2026 05:47".
_FIGURES = re.compile(r"\b\d{2}\.\d{2}\.\d{4}\b")


@pytest.mark.parametrize(
    ("language", "uploaded", "opened"),
    [
        ("de", "7. Dezember 2026, 08:54", "7. Dezember 2026, 08:54: Marta"),
        ("fr", "7 décembre 2026, 08:54", "7 décembre 2026, 08:54 : Marta"),
        ("it", "7 dicembre 2026, 08:54", "7 dicembre 2026, 08:54: Marta"),
        ("en", "7 December 2026, 08:54", "7 December 2026, 08:54: Marta"),
    ],
)
def test_the_vetting_page_writes_its_moments_as_the_language_does(
    client, language, uploaded, opened
):
    with time_machine.travel(APPLIED_AT, tick=False):
        helper = vet(
            make_helper(approval=ApprovalStatus.APPLIED), to=ApprovalStatus.DOCUMENTS_SUBMITTED
        )
        manager = ManagerFactory.create(display_name="Marta")
        identity = HelperDocument.objects.get(helper=helper, kind="identity")
        document_open(document=identity, manager=manager, ip_address=None)
    _logged_in(client, manager, language)

    html = client.get(f"/manage/vetting/{helper.public_id}/").content.decode()

    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    details = [re.sub(r"<[^>]+>", "", value) for value in re.findall(r"<dd>(.*?)</dd>", html)]
    assert details.count(uploaded) == 2  # each document's upload
    assert opened in text  # the identity's access log
    assert _FIGURES.findall(text) == []


def test_the_check_sees_a_date_as_figures():
    assert _FIGURES.findall("Hochgeladen 03.07.2026 05:47; 7. Dezember 2026") == ["03.07.2026"]


def test_the_managers_pages_take_their_dates_from_the_written_forms():
    """The console's templates write a date through the written forms (`moment`,
    `moment_in_sentence`, `day_month_year`, `span`), never through Django's `date` filter, whose
    short formats are figures."""
    root = Path(settings.BASE_DIR) / "web" / "templates" / "web" / "manage"
    found = {
        path.name: re.findall(r"\|date:\S+", path.read_text(encoding="utf-8"))
        for path in sorted(root.glob("*.html"))
    }
    assert {name: filters for name, filters in found.items() if filters} == {}
