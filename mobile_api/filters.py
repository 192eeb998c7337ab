"""Query-string filters shared by the API's lists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django_filters.fields import IsoDateTimeField

from mobile_api.errors import ApiError


class BoundedIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time with its UTC offset, that can be compared in UTC.

    A time (or a date) without an offset is refused (`timezone_required`), as in a body
    (mobile_api.serializers.fields.AwareDateTimeField), rather than read as Swiss time. A date such as 0001-01-01 in Swiss time, or 9999-12-31T23:59:59-14:00, parses but falls
    outside the years 1 to 9999 once converted to UTC: the database adapter would overflow.
    """

    default_error_messages = {
        "datetime_out_of_range": _("Give a date and time between the years 1 and 9999 (in UTC)."),
        "timezone_required": _(
            "Give the date and time with its UTC offset, e.g. 2026-05-04T10:00:00+02:00."
        ),
    }

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, str) and value.strip():
            try:
                given = parse_datetime(value.strip())
            except ValueError:  # well-formed but impossible: the field's `invalid` below
                given = None
            if given is not None and given.tzinfo is None:
                raise forms.ValidationError(
                    self.error_messages["timezone_required"], code=ApiError.TIMEZONE_REQUIRED
                )
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            parsed.astimezone(UTC)
        except OverflowError as exc:
            raise forms.ValidationError(
                self.error_messages["datetime_out_of_range"], code=ApiError.DATETIME_OUT_OF_RANGE
            ) from exc
        return parsed


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """Every date-time filter of the API: ISO 8601, answered with 400 when out of range."""

    field_class = BoundedIsoDateTimeField


class UpdatedSinceFilter(DateTimeFilter):
    """`?updated_since=<date-time>`: what a phone polling a list has not seen yet, the items
    whose answer changed at or after the time (any of `fields`, e.g. an offer or the request it
    shows). Shared by the lists phones poll: offers, bookings and a booking's chat."""

    def __init__(self, *, fields: tuple[str, ...], label: str) -> None:
        super().__init__(label=label)
        self.changed_fields = fields

    def filter(self, qs: Any, value: Any) -> Any:
        if value in (None, ""):
            return qs
        changed = Q()
        for field in self.changed_fields:
            changed |= Q(**{f"{field}__gte": value})
        return qs.filter(changed)
