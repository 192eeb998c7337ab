"""Walking through time: the demo's history is written at past moments on the services' clock.

Every step of a scenario runs inside `History.at(moment)`, which sets `backend.clock` for that
block: the services, the model timestamps and the tasks they schedule all read that moment, so
a visit checked in eleven days ago carries that time everywhere, as if it had happened then.
Nothing patches the standard library's time, and no step may run after the real now.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta

from backend import clock
from helpers.availability import SWISS_TIME

MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
QUARTER = timedelta(minutes=15)

# People act between 07:00 and 22:00 (Swiss time) when the step's range allows it.
AWAKE_TRIES = 6


class CutShort(Exception):
    """A scenario's next step cannot happen before now; it stops where it is."""


def is_awake(moment: datetime) -> bool:
    return 7 <= moment.astimezone(SWISS_TIME).hour < 22


def ceil_quarter(moment: datetime) -> datetime:
    """The next quarter hour from `moment` (itself when it is one)."""
    base = moment.replace(second=0, microsecond=0)
    extra = (-base.minute) % 15
    if extra == 0 and base < moment:
        extra = 15
    return base + timedelta(minutes=extra)


def local_midnight(moment: datetime) -> datetime:
    """The start of `moment`'s day in Switzerland."""
    local = moment.astimezone(SWISS_TIME)
    return datetime.combine(local.date(), time(0, 0), tzinfo=SWISS_TIME)


class History:
    """The demo's present (the time the build started, to the minute) and its past."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.now = clock.now().replace(second=0, microsecond=0)
        # The last moment a step may take: services refuse what lies in their future.
        self.latest = self.now - MINUTE

    @contextmanager
    def at(self, moment: datetime) -> Iterator[None]:
        """Run the services as if it were `moment` (never later than now)."""
        if moment > self.now:
            raise CutShort(f"{moment} is in the future")
        # In UTC, as the wall clock gives it: a service that takes the date of its `now` must
        # see the same day whichever time zone a scenario computed the moment in.
        with clock.at(moment.astimezone(UTC)):
            yield

    def between(self, low: datetime, high: datetime) -> datetime:
        """A random moment in [low, high], never after now, preferably while people are
        awake; CutShort if there is none."""
        high = min(high, self.latest)
        if high < low:
            raise CutShort("no time left for this step")
        seconds = int((high - low).total_seconds())
        for _ in range(AWAKE_TRIES):
            moment = low + timedelta(seconds=self.rng.randint(0, seconds))
            if is_awake(moment):
                break
        return moment

    def span(self, low: timedelta, high: timedelta) -> timedelta:
        """A random duration in [low, high], to the second."""
        return timedelta(
            seconds=self.rng.randint(int(low.total_seconds()), int(high.total_seconds()))
        )
