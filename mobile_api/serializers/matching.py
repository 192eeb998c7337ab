"""The manager's view of a matching pass."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.matching.explain import CONSIDERED_LISTED
from bookings.models import (
    MatchingRun,
)
from helpers.models import HelperProfile
from mobile_api.serializers.moments import ApiModelSerializer


class ConsideredHelperSerializer(serializers.Serializer):
    """One helper a matching pass looked at, and what became of them."""

    helper = serializers.UUIDField(
        allow_null=True, help_text="The helper's id; null when the helper no longer exists."
    )
    helper_name = serializers.CharField(
        allow_null=True, help_text="The helper's display name; null when they no longer exist."
    )
    distance_m = serializers.IntegerField(help_text="Distance from the request, in metres.")
    score = serializers.FloatField(
        allow_null=True,
        help_text="The ranking score; null when the helper was ruled out before being scored.",
    )
    offered = serializers.BooleanField(help_text="Whether this pass made the helper an offer.")
    reason = serializers.CharField(
        help_text="`offered`, or why not, e.g. `speaks none of the customer's languages`."
    )


class MatchingRunSerializer(ApiModelSerializer):
    """One matching pass of a help request: how far it searched, and whom it considered."""

    # The context's `helpers` are the considered helpers by primary key, loaded once for every
    # run on the page (`bookings.selectors.helpers_considered_in`), never one query per row.

    search_radius_km = serializers.FloatField(source="radius_km", read_only=True)
    offers_wanted = serializers.IntegerField(source="wanted", read_only=True)
    offers_made = serializers.IntegerField(source="offered", read_only=True)
    helpers_examined = serializers.IntegerField(
        source="examined_count",
        read_only=True,
        help_text="Helpers looked at in the match index, including those not listed.",
    )
    considered = serializers.SerializerMethodField(
        help_text=(
            f"The helpers looked at (at most {CONSIDERED_LISTED}), the offered ones first, "
            "then by distance."
        )
    )

    class Meta:
        model = MatchingRun
        fields = (
            "created_at",
            "search_radius_km",
            "offers_wanted",
            "offers_made",
            "helpers_examined",
            "considered",
        )
        read_only_fields = fields

    @extend_schema_field(ConsideredHelperSerializer(many=True))
    def get_considered(self, run: MatchingRun) -> list[dict[str, Any]]:
        helpers: dict[int, HelperProfile] = self.context["helpers"]
        rows = []
        for entry in run.considered:
            helper = helpers.get(entry["helper_id"])
            rows.append(
                {
                    "helper": helper.public_id if helper is not None else None,
                    "helper_name": helper.user.display_name if helper is not None else None,
                    "distance_m": entry["distance_m"],
                    "score": entry["score"],
                    "offered": entry["offered"],
                    "reason": entry["reason"],
                }
            )
        return ConsideredHelperSerializer(rows, many=True).data  # type: ignore[return-value]
