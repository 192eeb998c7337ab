"""The one clock every service reads: `clock.now()`.

Normally it is the wall clock (`django.utils.timezone.now`). A caller that must act at another
moment, such as the demo builder writing a history of past visits, sets the time explicitly
with `clock.at(moment)`, which holds for the current thread and task only (a context variable).
Nothing patches the standard library.

Model timestamps follow the same clock: `created_at` fields default to `clock.now`, and
`UpdatedAtField` stamps every save with it (as `auto_now` would with the wall clock).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta
from typing import Any

from django.db import models
from django.utils import timezone

_moment: ContextVar[datetime | None] = ContextVar("quartier_clock_moment", default=None)


def now() -> datetime:
    """The current time: the moment set with `at()`, else the wall clock (aware, UTC)."""
    moment = _moment.get()
    return moment if moment is not None else timezone.now()


def iso(moment: datetime) -> str:
    """`moment` as RFC 3339 in Swiss time with its offset, always to the microsecond
    (2026-12-03T18:45:00.000000+01:00): the one shape of every moment the API answers with,
    its serializers' (`mobile_api.serializers.moments`) and its live frames' alike."""
    return timezone.localtime(moment).isoformat(timespec="microseconds")


@contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Run the block as if it were `moment` (an aware datetime), for this context only."""
    if timezone.is_naive(moment):
        raise ValueError("clock.at() needs an aware datetime")
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)


def advance(delta: timedelta) -> None:
    """Move a clock set with `at()` forward (the demo builder walks through a history)."""
    moment = _moment.get()
    if moment is None:
        raise RuntimeError("clock.advance() only moves a clock set with clock.at()")
    _moment.set(moment + delta)


class UpdatedAtField(models.DateTimeField):
    """Stamped with `clock.now()` on every save, like `auto_now` but on Quartier's clock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", now)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance: models.Model, add: bool) -> datetime:
        value = now()
        setattr(model_instance, self.attname, value)
        return value
