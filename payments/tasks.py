"""The payments app's background work, run by the worker. Each task re-reads the state and does
nothing when its work is no longer due."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django_tasks import task
from django_tasks_db.models import DBTaskResult

from backend import clock
from payments import emails
from payments.idempotency import idempotent_requests_expire
from payments.models import Payment, PaymentStatus
from payments.pay_after import PAY_AFTER_REMIND_DAYS, PAY_AFTER_REMINDERS
from payments.reconciliation import reconcile_and_record
from payments.services import payment_authorise

SWISS_TIME = ZoneInfo("Europe/Zurich")
# The daily reconciliation runs at this Swiss time, when hardly anybody pays.
RECONCILE_AT = time(3, 30)


@task()
def place_hold(payment_id: int) -> str:
    """Hold the card for a visit that was too far out when it was confirmed."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return "gone"
    outcome = payment_authorise(payment=payment)
    return outcome.payment.status


@task()
def remind_pay_after(payment_id: int, reminder: int) -> str:
    """Remind the customer of a visit still unpaid (TWINT), then queue the next reminder, up to
    PAY_AFTER_REMINDERS; a paid payment needs none."""
    payment = (
        Payment.objects.select_related("booking__help_request__customer", "booking__helper__user")
        .filter(pk=payment_id)
        .first()
    )
    if payment is None or payment.status != PaymentStatus.DUE:
        return "paid" if payment is not None else "gone"
    emails.send_payment_due(payment, reminder=reminder)
    if reminder < PAY_AFTER_REMINDERS:
        remind_pay_after.using(
            run_after=clock.now() + timedelta(days=PAY_AFTER_REMIND_DAYS)
        ).enqueue(payment_id, reminder + 1)
    return f"reminded {reminder}"


def next_reconcile_at(now: datetime) -> datetime:
    """The next RECONCILE_AT in Swiss time after `now`."""
    local = now.astimezone(SWISS_TIME)
    at = datetime.combine(local.date(), RECONCILE_AT, tzinfo=SWISS_TIME)
    if at <= local:
        at = datetime.combine(local.date() + timedelta(days=1), RECONCILE_AT, tzinfo=SWISS_TIME)
    return at


def schedule_daily_reconcile() -> datetime:
    """Queue the next daily reconciliation, unless one is queued already; returns when it runs.
    `manage.py payments_reconcile --schedule-daily` starts the chain (`manage.py run` does);
    each run queues the next."""
    waiting = (
        DBTaskResult.objects.filter(task_path=f"{__name__}.reconcile_daily", status="READY")
        .order_by("run_after")
        .first()
    )
    if waiting is not None:
        return waiting.run_after
    at = next_reconcile_at(clock.now())
    reconcile_daily.using(run_after=at).enqueue()
    return at


@task()
def reconcile_daily() -> int:
    """Compare the ledger with Stripe, keep the outcome, and queue tomorrow's run. Returns how
    many mismatches it found (each is in the run's record and the worker's log)."""
    try:
        run = reconcile_and_record()
    finally:
        schedule_daily_reconcile()
    return run.mismatch_count


# The kept answers of Idempotency-Keys are swept this often.
KEY_EXPIRY_EVERY = timedelta(hours=1)


def schedule_key_expiry() -> datetime:
    """Queue the next sweep of expired Idempotency-Keys, unless one is queued already; returns
    when it runs. Started with the daily reconciliation (`payments_reconcile --schedule-daily`);
    each sweep queues the next."""
    waiting = (
        DBTaskResult.objects.filter(task_path=f"{__name__}.idempotency_keys_expire", status="READY")
        .order_by("run_after")
        .first()
    )
    if waiting is not None:
        return waiting.run_after
    at = clock.now() + KEY_EXPIRY_EVERY
    idempotency_keys_expire.using(run_after=at).enqueue()
    return at


@task()
def idempotency_keys_expire() -> int:
    """Remove the Idempotency-Keys older than 24 hours and queue the next sweep; returns how
    many were removed."""
    try:
        return idempotent_requests_expire()
    finally:
        schedule_key_expiry()
