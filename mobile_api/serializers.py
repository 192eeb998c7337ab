"""Output shapes shared by several endpoints, and small input pieces.

Every field is listed explicitly; nothing here writes to the database.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.exceptions import ValidationFailed
from backend.geo import Point, point_from_geojson
from backend.models import LANGUAGE_CODES, User
from bookings.matching.explain import CONSIDERED_LISTED
from bookings.models import (
    ActorRole,
    Booking,
    BookingEvent,
    BookingStatus,
    HelpRequest,
    MatchingRun,
    Offer,
    Review,
    SlotProposal,
)
from bookings.selectors import contact_visible_to, role_in_booking
from bookings.services import AddressInput
from bookings.transitions import BOOKING_TRANSITIONS
from catalogue.models import ServiceCategory
from helpers.models import HelperProfile

# --- Input pieces -----------------------------------------------------------------------------


class GeoJSONPointField(serializers.JSONField):
    """A GeoJSON Point in WGS84: {"type": "Point", "coordinates": [longitude, latitude]}."""

    def to_internal_value(self, data: Any) -> Point:  # type: ignore[override]
        value = super().to_internal_value(data)
        if not isinstance(value, dict):
            raise serializers.ValidationError(
                "Expected a GeoJSON Point object.", code="invalid_geojson"
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


class CategoryField(serializers.SlugRelatedField[ServiceCategory]):
    """A service category by its slug; an unknown or retired one is `unknown_category`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(slug_field="slug", queryset=ServiceCategory.objects.all(), **kwargs)

    def to_internal_value(self, data: Any) -> ServiceCategory:
        category = ServiceCategory.objects.filter(slug=str(data), is_active=True).first()
        if category is None:
            raise serializers.ValidationError(
                f"Unknown category {str(data)[:40]!r}.", code="unknown_category"
            )
        return category


class LanguagesField(serializers.ListField):
    """Language codes (de, fr, it, en); the services check them (`invalid_language`)."""

    child = serializers.CharField(max_length=2)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", len(LANGUAGE_CODES))
        super().__init__(**kwargs)


class WindowSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


# --- Output -----------------------------------------------------------------------------------


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


class MoneySerializer(serializers.Serializer):
    amount_minor = serializers.IntegerField(help_text="Integer amount in minor units (Rappen).")
    currency = serializers.CharField()


class UserSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    is_helper = serializers.SerializerMethodField()
    is_manager = serializers.BooleanField(source="is_staff", read_only=True)

    class Meta:
        model = User
        fields = (
            "id",
            "email",
            "display_name",
            "phone",
            "languages",
            "preferred_language",
            "home_street",
            "home_postal_code",
            "home_locality",
            "home_location",
            "is_helper",
            "is_manager",
            "date_joined",
        )
        read_only_fields = fields

    def get_is_helper(self, user: User) -> bool:
        return user.is_helper


class PublicHelperSerializer(serializers.ModelSerializer):
    """What a customer sees of the helper who took their request."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    display_name = serializers.CharField(source="user.display_name")
    phone = serializers.CharField(source="user.phone")
    languages = serializers.JSONField(source="user.languages")
    rating_average = serializers.FloatField(allow_null=True)

    class Meta:
        model = HelperProfile
        fields = (
            "id",
            "display_name",
            "phone",
            "languages",
            "bio",
            "rating_average",
            "rating_count",
            "completed_visits",
        )
        read_only_fields = fields


class HelperProfileSerializer(serializers.ModelSerializer):
    """The helper's own profile (and the manager's view of it)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    display_name = serializers.CharField(source="user.display_name")
    email = serializers.EmailField(source="user.email")
    skills = serializers.SlugRelatedField[ServiceCategory](
        slug_field="slug", many=True, read_only=True
    )
    rating_average = serializers.FloatField(allow_null=True)
    average_response_seconds = serializers.IntegerField(allow_null=True)

    class Meta:
        model = HelperProfile
        fields = (
            "id",
            "display_name",
            "email",
            "bio",
            "service_radius_km",
            "hourly_rate_minor",
            "currency",
            "skills",
            "approval_status",
            "approval_changed_at",
            "approval_note",
            "is_accepting_jobs",
            "rating_average",
            "rating_count",
            "completed_visits",
            "cancellations_caused",
            "late_cancellations_caused",
            "no_shows_caused",
            "offers_received",
            "offers_accepted",
            "offers_declined",
            "offers_expired",
            "average_response_seconds",
            "created_at",
        )
        read_only_fields = fields


class WindowOutSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(read_only=True)
    ends_at = serializers.DateTimeField(read_only=True)


class HelpRequestSerializer(serializers.ModelSerializer):
    """The customer's view of their request: everything, including the exact address."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    category = serializers.SlugRelatedField[ServiceCategory](slug_field="slug", read_only=True)
    windows = WindowOutSerializer(many=True, read_only=True)
    pending_offers = serializers.SerializerMethodField()
    booking = serializers.SerializerMethodField()

    class Meta:
        model = HelpRequest
        fields = (
            "id",
            "category",
            "description",
            "languages",
            "street",
            "postal_code",
            "locality",
            "location",
            "on_behalf_name",
            "on_behalf_phone",
            "windows",
            "status",
            "status_reason",
            "search_radius_km",
            "matching_round",
            "pending_offers",
            "booking",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_pending_offers(self, help_request: HelpRequest) -> int:
        return sum(1 for offer in help_request.offers.all() if offer.status == "pending")

    @extend_schema_field(OpenApiTypes.UUID)
    def get_booking(self, help_request: HelpRequest) -> str | None:
        broken = (BookingStatus.CANCELLED, BookingStatus.NO_SHOW)
        live = [b for b in help_request.bookings.all() if b.status not in broken]
        return str(live[-1].public_id) if live else None


class OfferRequestSerializer(serializers.ModelSerializer):
    """What a helper sees before winning: no street, no exact point, no phone numbers."""

    category = serializers.SlugRelatedField[ServiceCategory](slug_field="slug", read_only=True)
    windows = WindowOutSerializer(many=True, read_only=True)
    for_someone_else = serializers.SerializerMethodField()

    class Meta:
        model = HelpRequest
        fields = (
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


OFFER_EXPLANATION_HELP = (
    "Why this helper was offered the request, as the matching saw it then. `summary`: one "
    "readable line. `distance_m`: geodesic distance in metres; `search_radius_km`: how far the "
    "search reached; `service_radius_km`: how far the helper travels. `rating_average` (null "
    "for a new helper) and `rating_count`: published reviews; `bayesian_rating`: the average "
    "pulled towards the prior; `reliability`: 0 to 1, commitments kept and offers answered. "
    "`category`: the skill's slug; `shared_languages`: the request's languages the helper "
    "speaks; `free_from`, `free_until`: the first free slot in the requested windows. `score`: "
    "the ranking score. When fairness applied: `offers_today` (offers the helper had today "
    "for other requests) and `chosen_over_busier` (how many better-scored helpers with more "
    "offers today this helper was asked before); for a newly approved helper, "
    "`new_helper_bonus` (added to the score)."
)


class OfferSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    request = OfferRequestSerializer(source="help_request", read_only=True)
    explanation = serializers.DictField(read_only=True, help_text=OFFER_EXPLANATION_HELP)
    booking = serializers.SerializerMethodField()

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
        )
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.UUID)
    def get_booking(self, offer: Offer) -> str | None:
        booking = getattr(offer, "booking", None)
        return str(booking.public_id) if booking is not None else None


class ManagerOfferSerializer(serializers.ModelSerializer):
    """The manager's view: who was offered a request, and why."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    helper = serializers.UUIDField(source="helper.public_id", read_only=True)
    helper_name = serializers.CharField(source="helper.user.display_name", read_only=True)
    explanation = serializers.DictField(read_only=True, help_text=OFFER_EXPLANATION_HELP)

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


class MatchingRunSerializer(serializers.ModelSerializer):
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


class ProposalSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    price = serializers.SerializerMethodField()

    class Meta:
        model = SlotProposal
        fields = ("id", "starts_at", "ends_at", "status", "price")
        read_only_fields = fields

    @extend_schema_field(MoneySerializer)
    def get_price(self, proposal: SlotProposal) -> dict[str, Any]:
        # Fixed when proposed: the customer confirms at this price.
        return {"amount_minor": proposal.price_minor, "currency": proposal.currency}


class BookingRequestSerializer(serializers.ModelSerializer):
    """The request behind a booking, with the exact address: its helper has won it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    category = serializers.SlugRelatedField[ServiceCategory](slug_field="slug", read_only=True)
    windows = WindowOutSerializer(many=True, read_only=True)
    customer_name = serializers.CharField(source="customer.display_name", read_only=True)
    customer_phone = serializers.CharField(source="customer.phone", read_only=True)

    class Meta:
        model = HelpRequest
        fields = (
            "id",
            "category",
            "description",
            "languages",
            "street",
            "postal_code",
            "locality",
            "location",
            "on_behalf_name",
            "on_behalf_phone",
            "customer_name",
            "customer_phone",
            "windows",
        )
        read_only_fields = fields

    def to_representation(self, instance: HelpRequest) -> dict[str, Any]:
        data = super().to_representation(instance)
        if self.context.get("hide_contact"):
            # The helper no longer comes: they keep what the job was, not where or whom.
            data.update(street="", location=None, on_behalf_phone="", customer_phone="")
        return data


class BookingSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    request = serializers.SerializerMethodField()
    helper = PublicHelperSerializer(read_only=True)
    proposals = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    my_role = serializers.SerializerMethodField()
    next_statuses = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = (
            "id",
            "status",
            "my_role",
            "next_statuses",
            "request",
            "helper",
            "proposals",
            "starts_at",
            "ends_at",
            "price",
            "eta_at",
            "checked_in_at",
            "checked_out_at",
            "work_summary",
            "leave_behind_note",
            "signed_off_at",
            "signed_off_automatically",
            "dispute_reason",
            "caused_by",
            "cause",
            "is_late_cancellation",
            "closed_at",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def _user(self) -> User:
        return self.context["request"].user

    @extend_schema_field(BookingRequestSerializer)
    def get_request(self, booking: Booking) -> dict[str, Any]:
        """The exact address and phones, except to a helper whose visit will not happen."""
        context = {**self.context, "hide_contact": not contact_visible_to(booking, self._user())}
        return BookingRequestSerializer(booking.help_request, context=context).data

    @extend_schema_field(ProposalSerializer(many=True))
    def get_proposals(self, booking: Booking) -> list[dict[str, Any]]:
        proposals = getattr(booking, "current_proposals", None)
        if proposals is None:
            proposals = list(booking.proposals.exclude(status="superseded"))
        return ProposalSerializer(proposals, many=True).data  # type: ignore[return-value]

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_price(self, booking: Booking) -> dict[str, Any] | None:
        if booking.price_minor is None:
            return None
        return {"amount_minor": booking.price_minor, "currency": booking.currency}

    @extend_schema_field(serializers.ChoiceField(choices=ActorRole.choices))
    def get_my_role(self, booking: Booking) -> str:
        return role_in_booking(booking, self._user()) or ActorRole.MANAGER

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_next_statuses(self, booking: Booking) -> list[str]:
        """Where the asking party may move the booking next (drives the app's buttons)."""
        role = role_in_booking(booking, self._user())
        return sorted(
            to
            for (origin, to), roles in BOOKING_TRANSITIONS.items()
            if origin == booking.status and role in roles
        )


class BookingEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = BookingEvent
        fields = ("from_status", "to_status", "actor", "actor_role", "reason", "data", "created_at")
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event: BookingEvent) -> str | None:
        return event.actor.display_name if event.actor is not None else None


class ReviewSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.display_name", read_only=True)

    class Meta:
        model = Review
        fields = ("author", "author_role", "rating", "text", "published_at", "created_at")
        read_only_fields = fields
