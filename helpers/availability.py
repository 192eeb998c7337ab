"""When helpers are free: weekly hours, minus and plus exceptions, minus visits they hold.

Weekly hours are Swiss local time (Europe/Zurich); everything else is aware datetimes.
All helpers asked about are loaded in three queries, never one per helper.

The visits helpers hold are the bookings app's to know: it registers where to read them
(`register_busy_source`, in its `AppConfig.ready()`), so this module never imports upwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS

from helpers.models import AvailabilityException, ExceptionKind, WeeklyAvailability

SWISS_TIME = ZoneInfo("Europe/Zurich")
# Weekly hours ending at 23:59 (or later) run until midnight, so nights can be bridged.
END_OF_DAY = time(23, 59)

Interval = tuple[datetime, datetime]
# (helper ids, span start, span end, database alias) → (helper id, start, end) of time they are
# not free.
BusySource = Callable[
    [Sequence[int], datetime, datetime, str], Iterable[tuple[int, datetime, datetime]]
]

_busy_sources: list[BusySource] = []


def register_busy_source(source: BusySource) -> None:
    """Count the intervals `source` yields as time the helpers are not free."""
    if source not in _busy_sources:
        _busy_sources.append(source)


@dataclass(frozen=True)
class FreeSlot:
    starts_at: datetime
    ends_at: datetime


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[Interval], holes: Iterable[Interval]) -> list[Interval]:
    result = intervals
    for hole_start, hole_end in holes:
        next_result: list[Interval] = []
        for start, end in result:
            if hole_end <= start or hole_start >= end:
                next_result.append((start, end))
                continue
            if start < hole_start:
                next_result.append((start, hole_start))
            if hole_end < end:
                next_result.append((hole_end, end))
        result = next_result
    return result


def _local_days(start: datetime, end: datetime) -> list[date]:
    first = start.astimezone(SWISS_TIME).date()
    last = end.astimezone(SWISS_TIME).date()
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


@lru_cache(maxsize=1 << 16)
def swiss_instant(day: date, wall: time) -> datetime:
    """The first moment Swiss clocks read `wall` (or later) on `day`, in UTC.

    Weekly hours run from the moment the clock first reads their start to the moment it first
    reads their end. In the hour the clocks repeat in autumn that is the first reading; in the
    hour they skip in spring (02:00 straight to 03:00) it is the skip itself.
    """
    local = datetime.combine(day, wall, tzinfo=SWISS_TIME)
    instant = local.astimezone(UTC)
    if instant.astimezone(SWISS_TIME).time() == wall:
        return instant
    # A wall time the clocks skip: read with the offset before the skip, it lands as far past
    # the skip as `wall` lies past the skipped hour's start.
    return instant - (
        datetime.combine(day, wall) - datetime.combine(day, wall.replace(minute=0, second=0))
    )


class AvailabilityIndex:
    """Free time of a set of helpers over a span, loaded once."""

    def __init__(
        self,
        helper_ids: Sequence[int],
        span_start: datetime,
        span_end: datetime,
        *,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        self.span_start, self.span_end = span_start, span_end
        # helper id → weekday → (start, end) of that day's weekly hours.
        self._weekly: dict[int, dict[int, list[tuple[time, time]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for helper_id, weekday, start_time, end_time in (
            WeeklyAvailability.objects.using(using)
            .filter(helper_id__in=helper_ids)
            .order_by()
            .values_list("helper_id", "weekday", "start_time", "end_time")
        ):
            self._weekly[helper_id][weekday].append((start_time, end_time))
        self._extra: dict[int, list[Interval]] = defaultdict(list)
        self._blocked: dict[int, list[Interval]] = defaultdict(list)
        for helper_id, kind, starts_at, ends_at in (
            AvailabilityException.objects.using(using)
            .filter(helper_id__in=helper_ids, starts_at__lt=span_end, ends_at__gt=span_start)
            .order_by()
            .values_list("helper_id", "kind", "starts_at", "ends_at")
        ):
            target = self._extra if kind == ExceptionKind.AVAILABLE else self._blocked
            target[helper_id].append((starts_at, ends_at))
        for source in _busy_sources:
            for helper_id, starts_at, ends_at in source(helper_ids, span_start, span_end, using):
                self._blocked[helper_id].append((starts_at, ends_at))

    def free_intervals(self, helper_id: int, start: datetime, end: datetime) -> list[Interval]:
        """The helper's free time inside [start, end), merged and sorted."""
        offered: list[Interval] = []
        weekly = self._weekly.get(helper_id, {})
        for day in _local_days(start, end) if weekly else ():
            for start_time, end_time in weekly.get(day.weekday(), ()):
                # Compare and subtract in UTC: on the nights the clocks change, Swiss wall-clock
                # arithmetic would count an hour that does not exist (or miss one that does).
                offered.append(
                    (
                        swiss_instant(day, start_time),
                        swiss_instant(day + timedelta(days=1), time(0))
                        if end_time >= END_OF_DAY
                        else swiss_instant(day, end_time),
                    )
                )
        offered.extend(self._extra.get(helper_id, ()))
        # Hours the clocks skip in spring leave nothing (02:00–02:30 on that night): dropped.
        clipped = [
            (max(s, start), min(e, end))
            for s, e in _merge(offered)
            if s < end and e > start and s < e
        ]
        return _subtract(clipped, self._blocked.get(helper_id, ()))

    def first_free_slot(
        self, helper_id: int, windows: Sequence[Interval], minutes: int
    ) -> FreeSlot | None:
        """The earliest free stretch of `minutes` (or the whole window, if shorter)."""
        for window_start, window_end in sorted(windows):
            needed = min(timedelta(minutes=minutes), window_end - window_start)
            for start, end in self.free_intervals(helper_id, window_start, window_end):
                if end - start >= needed:
                    return FreeSlot(start, start + needed)
        return None

    def is_free(self, helper_id: int, start: datetime, end: datetime) -> bool:
        return any(s <= start and end <= e for s, e in self.free_intervals(helper_id, start, end))
