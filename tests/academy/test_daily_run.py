"""The academy's daily run: queued once whatever how often it is asked for, and the command
that does the work at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from academy.models import Certification
from bookings.matching.index import match_index_refresh
from bookings.models import MatchEntry
from tests.academy.builders import publish_course
from tests.factories import make_helper

pytestmark = pytest.mark.django_db

SWISS = ZoneInfo("Europe/Zurich")


def test_scheduling_twice_queues_one_run_at_quarter_past_two_swiss_time():
    with time_machine.travel(datetime(2027, 7, 1, 14, 0, tzinfo=SWISS), tick=False):
        call_command("academy_daily", schedule=True, stdout=StringIO())
        call_command("academy_daily", schedule=True, stdout=StringIO())

    assert list(
        DBTaskResult.objects.filter(task_path="academy.tasks.certifications_daily").values_list(
            "status", "run_after"
        )
    ) == [("READY", datetime(2027, 7, 2, 2, 15, tzinfo=SWISS))]


def test_the_command_expires_what_ran_out_and_the_helper_leaves_the_category():
    with time_machine.travel(datetime(2027, 7, 1, 14, 0, tzinfo=SWISS), tick=False) as clock:
        # Given a helper certified for the smart-home course, valid one month
        course = publish_course(required_for=("smart-home",), validity_months=1)
        helper = make_helper(skills=("smart-home",))
        now = datetime(2027, 7, 1, 14, 0, tzinfo=SWISS)
        Certification.objects.create(
            helper=helper,
            course=course,
            source="quiz",
            earned_at=now,
            expires_at=now + timedelta(days=30),
        )
        # Written straight to the table, so the index is brought in step as a service would
        match_index_refresh(helper_ids=[helper.pk])
        assert MatchEntry.objects.filter(helper=helper).count() == 1

        # When a month passes and the command runs (twice)
        clock.move_to(now + timedelta(days=30, minutes=1))
        out = StringIO()
        call_command("academy_daily", stdout=out)
        call_command("academy_daily", stdout=StringIO())

    # Then it expired once and the helper has no smart-home row any more
    assert "1 expired" in out.getvalue()
    assert Certification.objects.get().expiry_processed_at is not None
    assert MatchEntry.objects.filter(helper=helper).count() == 0
