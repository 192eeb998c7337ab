"""The catalogue: what Quartier's helpers help with."""

from __future__ import annotations

from catalogue.models import ServiceCategory
from mobile_api.serializers.moments import ApiModelSerializer


class CategorySerializer(ApiModelSerializer):
    """A category with its name and description in the reader's language (Accept-Language or
    the user's language; English where a text has no translation)."""

    class Meta:
        model = ServiceCategory
        fields = (
            "slug",
            "name",
            "description",
            "typical_duration_minutes",
        )
        read_only_fields = fields
