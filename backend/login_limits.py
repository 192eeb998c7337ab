"""Limits on failed log-ins, for the API's token endpoint and the back office alike.

Two counters per account, both checked before the password is:

- one per account and client address: after QUARTIER_LOGIN_FAILURES_PER_CLIENT failures
  within CLIENT_WINDOW that client is locked out of the account, for FIRST_LOCK the first
  time and four times longer at each repetition, up to LONGEST_LOCK;
- one per account from everywhere: after QUARTIER_LOGIN_FAILURES_PER_ACCOUNT failures within
  ACCOUNT_WINDOW the account is locked for ACCOUNT_LOCK, for every client except those that
  logged in to it within KNOWN_CLIENT_FOR. Spread over many addresses, a guesser gets those
  few tries per quarter hour; the account's owner, on a network they used before, is not
  locked out by it, however long the guessing goes on.

While locked, an attempt is refused without looking at the password (so the answer tells
nothing about it) and is not counted, so hammering a lock does not lengthen it. Unknown
addresses are counted like known ones: the answers do not tell which accounts exist.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils.translation import ngettext

from backend import clock
from backend.config import config
from backend.exceptions import CoreError, TooManyRequests
from backend.models import LoginFailureCounter

CLIENT_WINDOW = timedelta(minutes=15)
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)
ACCOUNT_WINDOW = timedelta(hours=1)
ACCOUNT_LOCK = timedelta(minutes=15)
KNOWN_CLIENT_FOR = timedelta(days=30)
# A counter nobody touched for this long has nothing left to lock: it is deleted.
FORGET_AFTER = timedelta(days=1)
ANYWHERE = ""


class TooManyAttempts(TooManyRequests):
    code = CoreError.TOO_MANY_ATTEMPTS

    def __init__(self, retry_after: timedelta) -> None:
        self.retry_after = max(1, math.ceil(retry_after.total_seconds()))
        minutes = max(1, math.ceil(self.retry_after / 60))
        super().__init__(
            ngettext(
                "Too many failed log-ins. Try again in %(minutes)d minute.",
                "Too many failed log-ins. Try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )


def _normalised(email: str) -> str:
    return email.strip().lower()[:254]


def _lock_left(counter: LoginFailureCounter | None, now: datetime) -> timedelta | None:
    if counter is None or counter.locked_until is None or counter.locked_until <= now:
        return None
    return counter.locked_until - now


def login_limit_check(*, email: str, client: str) -> None:
    """Raise TooManyAttempts (with the seconds to wait) while this log-in is locked."""
    email, now = _normalised(email), clock.now()
    counters = {
        counter.client: counter
        for counter in LoginFailureCounter.objects.filter(
            email=email, client__in=(client, ANYWHERE)
        )
    }
    own = counters.get(client)
    known = (
        own is not None
        and own.succeeded_at is not None
        and own.succeeded_at > now - KNOWN_CLIENT_FOR
    )
    locks = [_lock_left(own, now), None if known else _lock_left(counters.get(ANYWHERE), now)]
    waits = [left for left in locks if left is not None]
    if waits:
        raise TooManyAttempts(max(waits))


def _count(
    *, email: str, client: str, now: datetime, limit: int, window: timedelta, lock: timedelta
) -> None:
    counter, _created = LoginFailureCounter.objects.select_for_update().get_or_create(
        email=email, client=client, defaults={"window_started_at": now, "updated_at": now}
    )
    if counter.locked_until is not None and counter.locked_until > now:
        return  # refused before the password was checked: not counted
    if counter.window_started_at <= now - window or counter.locked_until is not None:
        # A new window: the last one ran out, or ended in a lock that has now passed.
        counter.failures = 0
        counter.window_started_at = now
        counter.locked_until = None
    counter.failures += 1
    if counter.failures >= limit:
        counter.locked_until = now + lock
        counter.locks += 1
    counter.updated_at = now
    counter.save()


@transaction.atomic
def login_failure_record(*, email: str, client: str) -> None:
    """A wrong password (or an unknown address): count it against the client and the account."""
    email, now = _normalised(email), clock.now()
    settings = config()
    own = LoginFailureCounter.objects.filter(email=email, client=client).first()
    repeated = own.locks if own is not None and own.updated_at > now - FORGET_AFTER else 0
    _count(
        email=email,
        client=client,
        now=now,
        limit=settings.login_failures_per_client,
        window=CLIENT_WINDOW,
        lock=min(FIRST_LOCK * 4**repeated, LONGEST_LOCK),
    )
    _count(
        email=email,
        client=ANYWHERE,
        now=now,
        limit=settings.login_failures_per_account,
        window=ACCOUNT_WINDOW,
        lock=ACCOUNT_LOCK,
    )
    # Counters long idle have nothing left to lock; a known client is remembered longer.
    LoginFailureCounter.objects.filter(
        Q(succeeded_at__isnull=True) | Q(succeeded_at__lt=now - KNOWN_CLIENT_FOR),
        updated_at__lt=now - FORGET_AFTER,
    ).delete()


@transaction.atomic
def login_success_record(*, email: str, client: str) -> None:
    """The right password from this client: its own counter starts afresh, and the client is
    known to the account (the account-wide lock spares it)."""
    email, now = _normalised(email), clock.now()
    LoginFailureCounter.objects.update_or_create(
        email=email,
        client=client,
        defaults={
            "failures": 0,
            "window_started_at": now,
            "locked_until": None,
            "locks": 0,
            "succeeded_at": now,
            "updated_at": now,
        },
    )
