"""Offers: the helper's view (no exact address) and the manager's (who, in which order, why)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookings.models import (
    DeclineReason,
    HelpRequest,
    Offer,
)
from bookings.offer_summary import (
    HELPER_DISTANCE_STEP_M,
    distance_for_helper,
    helper_explanation,
    offer_summary,
)
from bookings.selectors import request_description_for
from catalogue.models import ServiceCategory
from mobile_api.serializers.bookings import DESCRIPTION_HELP
from mobile_api.serializers.moments import ApiDateTimeField, ApiModelSerializer
from mobile_api.serializers.requests import WindowOutSerializer


class OfferRequestSerializer(ApiModelSerializer):
    """What a helper sees before winning: no street, no exact point, no phone numbers."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    category = serializers.SlugRelatedField[ServiceCategory](slug_field="slug", read_only=True)
    windows = WindowOutSerializer(many=True, read_only=True)
    for_someone_else = serializers.SerializerMethodField()
    description = serializers.SerializerMethodField(help_text=DESCRIPTION_HELP)

    class Meta:
        model = HelpRequest
        fields = (
            "id",
            "category",
            "description",
            "languages",
            "postal_code",
            "locality",
            "windows",
            "for_someone_else",
        )
        read_only_fields = fields

    def get_for_someone_else(self, help_request: HelpRequest) -> bool:
        return bool(help_request.on_behalf_name)

    def get_description(self, help_request: HelpRequest) -> str:
        return self.context["description"]


_EXPLANATION_FIGURES = (
    "`search_radius_km`: how far the "
    "search reached; `service_radius_km`: how far the helper travels. `rating_average` (null "
    "for a new helper) and `rating_count`: published reviews; `bayesian_rating`: the average "
    "pulled towards the prior; `reliability`: 0 to 1, commitments kept and offers answered. "
    "`category`: the skill's slug; `shared_languages`: the request's languages the helper "
    "speaks; `free_from`, `free_until`: the first free slot in the requested windows. "
)
_EXPLANATION_FAIRNESS = (
    "When fairness applied: `offers_today` (offers the helper had today "
    "for other requests) and `chosen_over_busier` (how many better-scored helpers with more "
    "offers today this helper was asked before); for a newly approved helper, "
    "`new_helper_bonus` (added to the score)."
)
_EXPLANATION_SUMMARY = (
    "Why this helper was offered the request, as the matching saw it then. `summary`: the "
    "figures below in one line, in the answer's language (Accept-Language, else the user's "
    "preferred language), languages named in words. "
)
# The helper has not seen the customer's address: two accounts at two places must not narrow
# a home down from exact distances (nor from the score, which is the distance in another form).
HELPER_DISTANCE_HELP = (
    f"How far the request is, in metres, rounded to the nearest {HELPER_DISTANCE_STEP_M} m: "
    "the helper does not know the customer's address, and exact distances measured from two "
    "places would point to it."
)
HELPER_EXPLANATION_HELP = (
    _EXPLANATION_SUMMARY
    + f"`distance_m`: the distance, rounded to the nearest {HELPER_DISTANCE_STEP_M} m; "
    + _EXPLANATION_FIGURES
    + _EXPLANATION_FAIRNESS
)
OFFER_EXPLANATION_HELP = (
    _EXPLANATION_SUMMARY
    + "`distance_m`: geodesic distance in metres, exact; "
    + _EXPLANATION_FIGURES
    + "`score`: the ranking score. "
    + _EXPLANATION_FAIRNESS
)


def _explanation(offer: Offer) -> dict[str, Any]:
    """The stored figures, with their summary written in the reader's language."""
    figures = offer.explanation if isinstance(offer.explanation, dict) else {}
    kept = {name: value for name, value in figures.items() if name != "summary"}
    return {"summary": offer_summary(offer), **kept}


def _helper_explanation(offer: Offer) -> dict[str, Any]:
    """The explanation as the helper offered the request reads it (`helper_explanation`)."""
    return helper_explanation(_explanation(offer))


# Empty until the helper declines (and when they decline without a reason).
DECLINE_REASON = serializers.ChoiceField(
    choices=DeclineReason.choices, allow_blank=True, read_only=True
)


class OfferSerializer(ApiModelSerializer):
    """The helper's view of an offer made to them."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    request = serializers.SerializerMethodField()
    distance_m = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()
    decline_reason = DECLINE_REASON
    booking = serializers.SerializerMethodField()
    updated_at = serializers.SerializerMethodField()

    class Meta:
        model = Offer
        fields = (
            "id",
            "status",
            "request",
            "distance_m",
            "explanation",
            "expires_at",
            "responded_at",
            "decline_reason",
            "created_at",
            "booking",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(OfferRequestSerializer)
    def get_request(self, offer: Offer) -> dict[str, Any]:
        """The job, its description as the asking helper reads it: on the visit once won."""
        booking = getattr(offer, "booking", None)
        reader = self.context["request"].user
        context = {
            **self.context,
            "description": request_description_for(offer.help_request, reader, booking),
        }
        return OfferRequestSerializer(offer.help_request, context=context).data

    @extend_schema_field(serializers.IntegerField(help_text=HELPER_DISTANCE_HELP))
    def get_distance_m(self, offer: Offer) -> int:
        return distance_for_helper(offer.distance_m)

    @extend_schema_field(serializers.DictField(help_text=HELPER_EXPLANATION_HELP))
    def get_explanation(self, offer: Offer) -> dict[str, Any]:
        return _helper_explanation(offer)

    @extend_schema_field(
        ApiDateTimeField(
            help_text="When this answer last changed (the offer, or the request it shows): "
            "the cursor for `?updated_since=`."
        )
    )
    def get_updated_at(self, offer: Offer) -> str:
        changed = max(offer.updated_at, offer.help_request.updated_at)
        return ApiDateTimeField().to_representation(changed)

    @extend_schema_field(
        serializers.UUIDField(allow_null=True, help_text="The booking, once the offer is taken.")
    )
    def get_booking(self, offer: Offer) -> str | None:
        booking = getattr(offer, "booking", None)
        return str(booking.public_id) if booking is not None else None


class ManagerOfferSerializer(ApiModelSerializer):
    """The manager's view: who was offered a request, and why."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    helper = serializers.UUIDField(source="helper.public_id", read_only=True)
    helper_name = serializers.CharField(source="helper.user.display_name", read_only=True)
    explanation = serializers.SerializerMethodField()
    decline_reason = DECLINE_REASON

    class Meta:
        model = Offer
        fields = (
            "id",
            "helper",
            "helper_name",
            "status",
            "round",
            "rank",
            "distance_m",
            "score",
            "explanation",
            "expires_at",
            "responded_at",
            "decline_reason",
            "decline_note",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.DictField(help_text=OFFER_EXPLANATION_HELP))
    def get_explanation(self, offer: Offer) -> dict[str, Any]:
        return _explanation(offer)
