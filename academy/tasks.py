"""The academy's background work, run by the django-tasks-db worker (`manage.py worker`):
once a day, certifications that ran out leave the match index and reminders go out 30 and 7
days before expiry. Each run queues the next; re-running is harmless (each expiry and each
reminder is handled once)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django_tasks import task
from django_tasks_db.models import DBTaskResult

from academy.services import certification_reminders_send, certifications_expire_due
from backend import clock

SWISS_TIME = ZoneInfo("Europe/Zurich")
# The daily run, Swiss time: before anybody books in the morning.
DAILY_AT = time(2, 15)


def next_daily_at(now: datetime) -> datetime:
    local = now.astimezone(SWISS_TIME)
    at = datetime.combine(local.date(), DAILY_AT, tzinfo=SWISS_TIME)
    if at <= local:
        at = datetime.combine(local.date() + timedelta(days=1), DAILY_AT, tzinfo=SWISS_TIME)
    return at


def schedule_daily_certifications() -> datetime:
    """Queue the next daily run unless one is queued; returns when it runs. `manage.py run`
    starts the chain (`manage.py academy_daily --schedule` does too); each run queues the
    next."""
    waiting = (
        DBTaskResult.objects.filter(task_path=f"{__name__}.certifications_daily", status="READY")
        .order_by("run_after")
        .first()
    )
    if waiting is not None and waiting.run_after is not None:
        return waiting.run_after
    at = next_daily_at(clock.now())
    certifications_daily.using(run_after=at).enqueue()
    return at


@task()
def certifications_daily() -> dict[str, int]:
    """Expire what ran out (refreshing the helpers' match index rows), send the reminders
    that are due, and queue tomorrow's run."""
    try:
        expired = certifications_expire_due()
        reminded = certification_reminders_send()
    finally:
        schedule_daily_certifications()
    return {"expired": expired, "reminded": reminded}
