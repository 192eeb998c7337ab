"""The worker reconciles the ledger with Stripe every day at 03:30 Swiss time and keeps the
outcome; each run queues the next."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from payments.models import ReconciliationRun
from payments.tasks import next_reconcile_at, reconcile_daily, schedule_daily_reconcile
from tests.payments.money import held_booking

pytestmark = pytest.mark.django_db

ZURICH_TIME = ZoneInfo("Europe/Zurich")
TASK = "payments.tasks.reconcile_daily"


def test_the_next_run_is_at_half_past_three_swiss_time():
    assert next_reconcile_at(datetime(2026, 12, 3, 2, 0, tzinfo=ZURICH_TIME)) == datetime(
        2026, 12, 3, 3, 30, tzinfo=ZURICH_TIME
    )
    assert next_reconcile_at(datetime(2026, 12, 3, 3, 30, tzinfo=ZURICH_TIME)) == datetime(
        2026, 12, 4, 3, 30, tzinfo=ZURICH_TIME
    )


def test_scheduling_queues_one_run_however_often_it_is_asked():
    with time_machine.travel(datetime(2026, 12, 3, 12, 0, tzinfo=ZURICH_TIME), tick=False):
        call_command("payments_reconcile", schedule_daily=True, verbosity=0)
        call_command("payments_reconcile", schedule_daily=True, verbosity=0)
    (queued,) = DBTaskResult.objects.filter(task_path=TASK)
    assert queued.run_after == datetime(2026, 12, 4, 3, 30, tzinfo=ZURICH_TIME)
    assert not ReconciliationRun.objects.exists()


def test_a_daily_run_keeps_its_outcome_and_queues_the_next():
    held_booking()
    with time_machine.travel(datetime(2026, 12, 4, 3, 30, tzinfo=ZURICH_TIME), tick=True):
        assert reconcile_daily.call() == 0
    run = ReconciliationRun.objects.get()
    assert (run.mismatch_count, run.mismatches) == (0, [])
    (queued,) = DBTaskResult.objects.filter(task_path=TASK, status="READY")
    assert queued.run_after == datetime(2026, 12, 5, 3, 30, tzinfo=ZURICH_TIME)
    assert schedule_daily_reconcile() == queued.run_after
