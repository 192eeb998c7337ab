"""How the API writes a moment: one shape for every date-time it answers with.

RFC 3339 (OpenAPI's `date-time`) in Swiss time with its UTC offset, always to the microsecond:
2026-12-03T18:45:00.000000+01:00 (`backend.clock.iso`). DRF's ISO 8601 drops the fraction when
it is zero, so a time stored to the minute (a visit's start, a seeded row) and one stamped live
would come out in two shapes; its `DATETIME_FORMAT` cannot say it either, as Python 3.11's
`strftime` writes the offset without its colon (+0100), which RFC 3339 does not allow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from rest_framework import serializers

from backend import clock


class ApiDateTimeField(serializers.DateTimeField):
    """A date-time written as `backend.clock.iso` writes it, and read as DRF reads it."""

    def to_representation(self, value: datetime) -> Any:
        # DRF also passes on None and strings unchanged (None for an empty value).
        if not isinstance(value, datetime):
            return super().to_representation(value)
        return clock.iso(value)


class ApiModelSerializer(serializers.ModelSerializer):
    """A model serializer whose date-time fields write `ApiDateTimeField`'s shape."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: ApiDateTimeField,
    }
