"""The match index's free time: when each indexed helper is free, over the bookable horizon.

`helpers.availability.AvailabilityIndex` computes free time from the calendars (weekly hours in
Swiss time, exceptions adding and removing time, visits held); asking it during a search means
loading every candidate's calendar into Python. Here the same free time is stored ahead as
`FreeTime` rows, merged stretches with their ends in UTC, so that matching asks the database
which of a batch of helpers has a stretch long enough in a requested window, in one indexed
query, and computes the exact slot only for the rows it gets back.

The rows cover the span `FreeTimeSpan` records: from the Swiss
midnight of the day they were built to `HORIZON_DAYS_BEYOND` days past the furthest a window
may start. `free_time_refresh` is the one function that writes a helper's rows; the domain
event handlers call it in the transaction of every change that moves them (weekly hours or
exceptions edited, a visit held or released), and `match_index_refresh` with the helper's index
rows. `match_index_rebuild` writes them all and moves the span on (`manage.py
match_index_rebuild`, nightly). A search whose windows reach past the span is answered from
the calendars instead, so a span not moved on costs time, never a wrong answer.

Why rows rather than a bitmap of quarter hours per helper and day: see README, "Availability
in the index".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any, Protocol

from django.db import DEFAULT_DB_ALIAS, connections

from backend.config import config
from bookings.matching.protocol import FreeFilter
from bookings.models import FreeTime, FreeTimeSpan
from helpers.availability import SWISS_TIME, AvailabilityIndex, FreeSlot, Interval
from helpers.models import HelperProfile

# A window starts at most `max_request_days_ahead` days ahead and lasts at most a day (see
# `bookings.services.help_requests`); one day more keeps a window that starts late on the last
# day inside the span until the next nightly rebuild.
HORIZON_DAYS_BEYOND = 2
WRITE_BATCH = 2000
TABLE = FreeTime._meta.db_table


def free_time_span(now: datetime) -> Interval:
    """The span free time is stored for when built at `now`: Swiss midnights, in UTC."""
    today = now.astimezone(SWISS_TIME).date()
    last = today + timedelta(days=config().max_request_days_ahead + HORIZON_DAYS_BEYOND)
    return (
        datetime.combine(today, time(0), tzinfo=SWISS_TIME).astimezone(UTC),
        datetime.combine(last, time(0), tzinfo=SWISS_TIME).astimezone(UTC),
    )


def stored_span(*, using: str = DEFAULT_DB_ALIAS) -> Interval | None:
    """The span the stored rows cover, or None while they were never built."""
    found = FreeTimeSpan.objects.using(using).filter(pk=1).values_list("starts_at", "ends_at")
    return found.first()


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)


def to_us(moment: datetime) -> int:
    """Microseconds since 1970-01-01 UTC, exactly."""
    return (moment - EPOCH) // MICROSECOND


def from_us(microseconds: int) -> datetime:
    return EPOCH + timedelta(microseconds=microseconds)


def free_time_rows(
    helper_ids: Sequence[int], span: Interval, *, using: str = DEFAULT_DB_ALIAS
) -> list[FreeTime]:
    """The rows the calendars call for, for these helpers, within `span`."""
    index = AvailabilityIndex(helper_ids, *span, using=using)
    return [
        FreeTime(helper_id=helper_id, starts_us=to_us(start), ends_us=to_us(end))
        for helper_id in helper_ids
        for start, end in index.free_intervals(helper_id, *span)
    ]


def free_time_refresh(*, helper_ids: Collection[int], using: str = DEFAULT_DB_ALIAS) -> int:
    """Bring these helpers' free time in line with their calendars; returns how many rows they
    now have. Call it in the transaction that changed the calendars or the visits."""
    ids = sorted(set(helper_ids))
    span = stored_span(using=using) if ids else None
    if span is None:
        return 0
    # As the index rows: refreshes of one helper queue on their profile row, so each reads the
    # visits the one before committed.
    list(
        HelperProfile.objects.using(using)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = free_time_rows(ids, span, using=using)
    FreeTime.objects.using(using).filter(helper_id__in=ids).delete()
    FreeTime.objects.using(using).bulk_create(rows, batch_size=WRITE_BATCH)
    return len(rows)


def free_time_differs(helper_ids: Sequence[int], *, using: str = DEFAULT_DB_ALIAS) -> list[int]:
    """Those of these helpers whose stored free time is not what their calendars call for
    (none while the rows were never built)."""
    span = stored_span(using=using)
    if span is None or not helper_ids:
        return []
    wanted: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for row in free_time_rows(helper_ids, span, using=using):
        wanted[row.helper_id].append((row.starts_us, row.ends_us))
    stored: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for helper_id, start, end in (
        FreeTime.objects.using(using)
        .filter(helper_id__in=list(helper_ids))
        .order_by("helper_id", "starts_us")
        .values_list("helper_id", "starts_us", "ends_us")
    ):
        stored[helper_id].append((start, end))
    return sorted(pk for pk in helper_ids if wanted.get(pk, []) != stored.get(pk, []))


def free_time_clear(span: Interval, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop every row and record the span the rows about to be written cover (the rebuild)."""
    FreeTime.objects.using(using).all().delete()
    FreeTimeSpan.objects.using(using).update_or_create(
        pk=1, defaults={"starts_at": span[0], "ends_at": span[1]}
    )


def free_time_write(helper_ids: Sequence[int], span: Interval, *, using: str) -> int:
    """Write the rows of helpers that have none yet (the rebuild, a chunk at a time): plain
    tuples in one prepared statement, as a model instance per row would cost more than
    computing it."""
    index = AvailabilityIndex(helper_ids, *span, using=using)
    rows = [
        (helper_id, to_us(start), to_us(end))
        for helper_id in helper_ids
        for start, end in index.free_intervals(helper_id, *span)
    ]
    with connections[using].cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {TABLE} (helper_id, starts_us, ends_us) VALUES (%s, %s, %s)", rows
        )
    return len(rows)


class Rider(Protocol):
    """A per-helper figure asked in the same statement as the free time (offers today): its
    statement selects (helper_id, value) rows for the helpers given."""

    def sql(self, helper_ids: Sequence[int]) -> tuple[str, list[Any]]: ...

    def take(self, helper_ids: Sequence[int], values: dict[int, int]) -> None: ...


class FreeSlots:
    """Which helpers have a free stretch of `minutes` (or the whole window, if shorter) in one
    of `windows`, and the earliest such slot: what `AvailabilityIndex.first_free_slot` answers,
    from the stored rows, in one statement per batch of helpers (with `rider`'s figures for the
    same helpers in that statement too)."""

    def __init__(
        self,
        windows: Sequence[Interval],
        minutes: int,
        *,
        rider: Rider | None = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        self.using = using
        self.rider = rider
        # (start, end, needed) of each window, in microseconds, earliest window first.
        self.windows = [
            (to_us(start), to_us(end), min(minutes * 60_000_000, to_us(end) - to_us(start)))
            for start, end in sorted(windows)
        ]
        # A stretch holds the slot in a window when its part inside the window is long enough:
        # it starts by the window's end less the slot, ends after its start plus the slot, and
        # is itself that long. The database keeps just those.
        self._fits = " OR ".join(
            "(starts_us <= %s AND ends_us >= %s AND ends_us - starts_us >= %s)"
            for _ in self.windows
        )
        self._fits_params = [
            value
            for start, end, needed in self.windows
            for value in (end - needed, start + needed, needed)
        ]

    def ring_filter(self) -> FreeFilter:
        """The same test, for a ring search to ask inside its own statement which of its rows'
        helpers are free (the exact slot is then asked here only for the few it may choose)."""
        return FreeFilter(
            tuple((end - needed, start + needed, needed) for start, end, needed in self.windows)
        )

    def __call__(self, helper_ids: Sequence[int]) -> dict[int, FreeSlot | None]:
        ids = list(helper_ids)
        stretches: dict[int, list[tuple[int, int]]] = defaultdict(list)
        if ids:
            # Kind 0: a stretch (start, end); kind 1: the rider's figure (value, 0).
            sql = (
                f"SELECT 0, helper_id, starts_us, ends_us FROM {TABLE} "
                f"WHERE helper_id IN ({', '.join(['%s'] * len(ids))}) AND ({self._fits})"
            )
            params = [*ids, *self._fits_params]
            if self.rider is not None:
                rider_sql, rider_params = self.rider.sql(ids)
                sql += f" UNION ALL SELECT 1, helper_id, value, 0 FROM ({rider_sql}) rider"
                params += rider_params
            figures: dict[int, int] = {}
            with connections[self.using].cursor() as cursor:
                cursor.execute(sql, params)
                for kind, helper_id, first, second in cursor.fetchall():
                    if kind:
                        figures[helper_id] = first
                    else:
                        stretches[helper_id].append((first, second))
            if self.rider is not None:
                self.rider.take(ids, figures)
        return {pk: self._first(sorted(stretches.get(pk, ()))) for pk in ids}

    def _first(self, stretches: list[tuple[int, int]]) -> FreeSlot | None:
        for window_start, window_end, needed in self.windows:
            for start, end in stretches:
                start, end = max(start, window_start), min(end, window_end)
                if end - start >= needed:
                    return FreeSlot(from_us(start), from_us(start + needed))
        return None


def covers(span: Interval | None, windows: Sequence[Interval]) -> bool:
    """Whether stored rows over `span` can answer for all of `windows`."""
    return span is not None and all(span[0] <= s and e <= span[1] for s, e in windows)
