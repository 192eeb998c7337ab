"""The catalogue: what Quartier's helpers help with."""

from __future__ import annotations

from rest_framework import serializers

from catalogue.models import ServiceCategory


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ServiceCategory
        fields = (
            "slug",
            "name",
            "name_de",
            "name_fr",
            "name_it",
            "description",
            "typical_duration_minutes",
        )
        read_only_fields = fields
