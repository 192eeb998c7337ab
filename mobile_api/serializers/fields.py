"""Input pieces shared by several operations: places, categories, languages, windows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.exceptions import CoreError, ValidationFailed, raises
from backend.geo import Point, point_from_geojson
from backend.models import LANGUAGE_CODES
from backend.texts import NULL_CHARACTERS, refuse_null_characters
from bookings.services import AddressInput
from catalogue.errors import CatalogueError
from catalogue.models import ServiceCategory
from mobile_api.errors import ApiError
from mobile_api.serializers.moments import ApiDateTimeField


@raises(CoreError.INVALID_GEOJSON)
class GeoJSONPointField(serializers.JSONField):
    """A GeoJSON Point in WGS84: {"type": "Point", "coordinates": [longitude, latitude]}."""

    def to_internal_value(self, data: Any) -> Point:  # type: ignore[override]
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            raise serializers.ValidationError(
                _("Expected a GeoJSON Point object."), code=CoreError.INVALID_GEOJSON
            )
        try:
            return point_from_geojson(value)
        except ValidationFailed as exc:
            raise serializers.ValidationError(exc.message, code=exc.code) from exc


extend_schema_field(
    {
        "type": "object",
        "properties": {
            "type": {"type": "string", "enum": ["Point"]},
            "coordinates": {
                "type": "array",
                "items": {"type": "number"},
                "minItems": 2,
                "maxItems": 2,
                "description": "[longitude, latitude] in WGS84 degrees",
            },
        },
        "required": ["type", "coordinates"],
    }
)(GeoJSONPointField)


class AddressInputSerializer(serializers.Serializer):
    street = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=4, required=False, allow_blank=True, default="")
    locality = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    location = GeoJSONPointField(required=False, allow_null=True, default=None)

    def to_address(self) -> AddressInput:
        data = self.validated_data
        return AddressInput(
            street=data["street"],
            postal_code=data["postal_code"],
            locality=data["locality"],
            point=data["location"],
        )


def address_from(data: dict[str, Any]) -> AddressInput:
    return AddressInput(
        street=data.get("street", ""),
        postal_code=data.get("postal_code", ""),
        locality=data.get("locality", ""),
        point=data.get("location"),
    )


@raises(CatalogueError.UNKNOWN_CATEGORY, ApiError.VALIDATION_INVALID)
class CategoryField(serializers.SlugRelatedField[ServiceCategory]):
    """A service category by its slug; an unknown or retired one is `unknown_category`, and a
    value that is no text (an object, a list) is refused as a text field refuses it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="slug", queryset=ServiceCategory.objects.all(), **kwargs)

    def to_internal_value(self, data: Any) -> ServiceCategory:
        slug = serializers.CharField().to_internal_value(data)
        category = ServiceCategory.objects.filter(slug=slug, is_active=True).first()
        if category is None:
            raise serializers.ValidationError(
                _("Unknown category %(slug)s.") % {"slug": repr(slug[:40])},
                code=CatalogueError.UNKNOWN_CATEGORY,
            )
        return category


class LanguagesField(serializers.ListField):
    """Language codes (de, fr, it, en); the services check them (`invalid_language`)."""

    child = serializers.CharField(max_length=2)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", len(LANGUAGE_CODES))
        super().__init__(**kwargs)


class AwareDateTimeField(ApiDateTimeField):
    """An RFC 3339 date-time with its offset (`Z` or `+01:00`).

    A time without one is refused (`timezone_required`) rather than read as Swiss time: a phone
    in another zone, or a client that dropped the offset, would otherwise book the wrong hour,
    and a local time that does not exist or happens twice (the clock change) cannot be told
    apart. So DRF's `make_aware` can never come back.
    """

    default_error_messages = {
        NULL_CHARACTERS.code: NULL_CHARACTERS.message,
        "timezone_required": _(
            "Give the date and time with its UTC offset, e.g. 2026-05-04T10:00:00+02:00."
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.error_messages.pop("make_aware", None)

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, str):
            try:
                refuse_null_characters(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages, code=exc.code) from exc
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:  # well-formed but impossible (minute 61): DRF's `invalid` below
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                raise serializers.ValidationError(
                    self.error_messages["timezone_required"], code=ApiError.TIMEZONE_REQUIRED
                )
        return super().to_internal_value(value)


class WindowSerializer(serializers.Serializer):
    starts_at = AwareDateTimeField()
    ends_at = AwareDateTimeField()


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$",
        "example": "09:00:00",
        "description": "A local time of day, HH:MM[:SS] (no offset: Swiss time).",
    }
)
class LocalTimeField(serializers.TimeField):
    """A time of day without an offset. OpenAPI's `time` format (RFC 3339) requires one, so
    the schema gives the shape as a pattern instead."""
