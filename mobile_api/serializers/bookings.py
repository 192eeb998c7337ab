"""Bookings (visits), their proposals, audit trail and reviews."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.models import User
from bookings.models import (
    ActorRole,
    Booking,
    BookingEvent,
    BookingStatus,
    HelpRequest,
    Party,
    Review,
    SlotProposal,
)
from bookings.pricing import charge_for
from bookings.selectors import (
    contact_visible_to,
    customer_name_for,
    next_statuses_for,
    request_description_for,
    role_in_booking,
)
from bookings.step_words import step_note
from catalogue.models import ServiceCategory
from mobile_api.serializers.fields import GeoJSONPointField
from mobile_api.serializers.helpers import PublicHelperSerializer
from mobile_api.serializers.moments import ApiModelSerializer
from mobile_api.serializers.requests import WindowOutSerializer
from payments.models import PayWith
from payments.payment_methods import methods_the_helper_takes


class MoneySerializer(serializers.Serializer):
    amount_minor = serializers.IntegerField(help_text="Integer amount in minor units (Rappen).")
    currency = serializers.CharField()


FEE_PAID_BY_HELP = (
    "Who bears Stripe's processing fee: `customer` (the charge is grossed up so that the "
    "helper receives exactly the price) or `helper` (the charge is the price). Quartier takes "
    "nothing."
)


class ProposalSerializer(ApiModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    price = serializers.SerializerMethodField()
    charge = serializers.SerializerMethodField(
        help_text="What the customer's card will be held for, and charged, for this time."
    )
    stripe_fee_paid_by = serializers.SerializerMethodField(help_text=FEE_PAID_BY_HELP)

    class Meta:
        model = SlotProposal
        fields = ("id", "starts_at", "ends_at", "status", "price", "charge", "stripe_fee_paid_by")
        read_only_fields = fields

    @extend_schema_field(MoneySerializer)
    def get_price(self, proposal: SlotProposal) -> dict[str, Any]:
        # Fixed when proposed: the customer confirms at this price.
        return {"amount_minor": proposal.price_minor, "currency": proposal.currency}

    @extend_schema_field(MoneySerializer)
    def get_charge(self, proposal: SlotProposal) -> dict[str, Any]:
        charge = charge_for(proposal.price_minor)
        return {"amount_minor": charge.charge_minor, "currency": proposal.currency}

    @extend_schema_field(serializers.ChoiceField(choices=("customer", "helper")))
    def get_stripe_fee_paid_by(self, proposal: SlotProposal) -> str:
        return charge_for(proposal.price_minor).stripe_fee_paid_by


# What becomes of the exact address and phones once the helper no longer needs them.
HIDDEN_FROM_HELPER = (
    " Null to the visit's helper once the visit is signed off (or settled), cancelled or "
    "missed (no-show): they keep the postal code and locality. The customer and the "
    "manager always get it."
)


# The request's description, as the customer wrote it but for the helper's eyes.
DESCRIPTION_HELP = (
    "The problem, in the customer's words. To the visit's helper, phone numbers and e-mail "
    "addresses in it are masked (`•••`) before they win the request and once the visit is "
    "signed off (or settled), cancelled or missed; the customer and the manager get it as "
    "written."
)


class BookingRequestSerializer(ApiModelSerializer):
    """The request behind a booking, with the exact address and phones while its helper needs
    them: from winning it until the customer signs the visit off."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    category = serializers.SlugRelatedField[ServiceCategory](slug_field="slug", read_only=True)
    windows = WindowOutSerializer(many=True, read_only=True)
    street = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The street and number (empty when the customer gave none)." + HIDDEN_FROM_HELPER,
    )
    location = GeoJSONPointField(
        read_only=True, allow_null=True, help_text="The exact place." + HIDDEN_FROM_HELPER
    )
    on_behalf_name = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The name of the person the helper meets, when a relative booked for them "
        "(empty otherwise)." + HIDDEN_FROM_HELPER,
    )
    on_behalf_phone = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text="The phone of the person the helper meets, when a relative booked for them "
        "(empty otherwise)." + HIDDEN_FROM_HELPER,
    )
    description = serializers.SerializerMethodField(help_text=DESCRIPTION_HELP)
    customer_name = serializers.SerializerMethodField(
        help_text="The customer's first name to the visit's helper, as the visit's page shows "
        "it; the whole name to the customer and the manager."
    )
    customer_phone = serializers.CharField(
        source="customer.phone",
        read_only=True,
        allow_null=True,
        help_text="The customer's phone (empty when they gave none)." + HIDDEN_FROM_HELPER,
    )

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

    def get_customer_name(self, instance: HelpRequest) -> str:
        return self.context["customer_name"]

    def get_description(self, instance: HelpRequest) -> str:
        return self.context["description"]

    def to_representation(self, instance: HelpRequest) -> dict[str, Any]:
        data = super().to_representation(instance)
        if self.context.get("hide_contact"):
            # The helper no longer needs them: they keep what the job was, not where or whom.
            data.update(
                street=None,
                location=None,
                on_behalf_name=None,
                on_behalf_phone=None,
                customer_phone=None,
            )
        return data


# What the customer learns of the helper's payout account before choosing a time.
PAYMENT_METHODS_HELP = (
    "How the customer can pay this helper through Quartier, to say before they choose a time: "
    "`card` and, in Swiss francs, `twint` (paid after the visit), while the helper's payout "
    "account takes payments; empty while it cannot, when a time with a price cannot be "
    "confirmed (`409 helper_cannot_be_paid`) and only a time priced 0 can. Either is given with "
    "`POST /api/v1/bookings/{id}/payment/method` (a card's PaymentMethod, or `twint`). Null to "
    "the helper and the manager."
)


class BookingSerializer(ApiModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    request = serializers.SerializerMethodField()
    helper = PublicHelperSerializer(read_only=True)
    proposals = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    charge = serializers.SerializerMethodField(
        help_text="What the customer's card is held for and charged (fixed on confirmation)."
    )
    stripe_fee_paid_by = serializers.ChoiceField(
        choices=[(party.value, party.label) for party in (Party.CUSTOMER, Party.HELPER)],
        allow_blank=True,
        read_only=True,
        help_text=FEE_PAID_BY_HELP + " Empty until confirmed.",
    )
    my_role = serializers.SerializerMethodField()
    next_statuses = serializers.SerializerMethodField()
    caused_by = serializers.ChoiceField(
        choices=Party.choices,
        allow_blank=True,
        read_only=True,
        help_text="For a cancellation or no-show: the party who caused it (empty otherwise).",
    )
    payment_methods = serializers.SerializerMethodField(help_text=PAYMENT_METHODS_HELP)

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
            "charge",
            "stripe_fee_paid_by",
            "payment_methods",
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
        """The exact address and phones, to the helper only while they need them; the
        customer's name as the reader sees it."""
        user = self._user()
        context = {
            **self.context,
            "hide_contact": not contact_visible_to(booking, user),
            "customer_name": customer_name_for(booking, user),
            "description": request_description_for(booking.help_request, user, booking),
        }
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

    @extend_schema_field(MoneySerializer(allow_null=True))
    def get_charge(self, booking: Booking) -> dict[str, Any] | None:
        if booking.charge_minor is None:
            return None
        return {"amount_minor": booking.charge_minor, "currency": booking.currency}

    @extend_schema_field(serializers.ChoiceField(choices=ActorRole.choices))
    def get_my_role(self, booking: Booking) -> str:
        return role_in_booking(booking, self._user()) or ActorRole.MANAGER

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_next_statuses(self, booking: Booking) -> list[str]:
        """Where the asking party may move the booking next (drives the app's buttons)."""
        return next_statuses_for(booking, self._user())

    @extend_schema_field(
        serializers.ListField(
            child=serializers.ChoiceField(choices=PayWith.choices), allow_null=True
        )
    )
    def get_payment_methods(self, booking: Booking) -> list[str] | None:
        if role_in_booking(booking, self._user()) != ActorRole.CUSTOMER:
            return None
        return methods_the_helper_takes(booking)


class BookingEventSerializer(ApiModelSerializer):
    """One step of the visit's history, told to its reader."""

    # The context's `summaries` (`steps_told_to`, by the event's primary key) are each step's
    # words: whether times were proposed before is known from the whole trail, not the page.
    actor = serializers.SerializerMethodField()
    from_status = serializers.ChoiceField(
        choices=BookingStatus.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty for the first event: the booking did not exist before.",
    )

    summary = serializers.SerializerMethodField(
        help_text="What happened at this step, in the reader's language (`Accept-Language`, "
        "else the account's) and told from the reader's side, as the visit's page tells it: "
        'the customer reads the helper\'s first name ("Anna proposed times"), the helper reads '
        '"You proposed times", the manager "The helper proposed times". Show this line.'
    )
    note = serializers.SerializerMethodField(
        help_text="Why the step was taken, to show below `summary`: a person's reason as they "
        "wrote it (a cancellation, a dispute, other times); Quartier's own note in the reader's "
        'language ("nothing to pay"); empty where `summary` says it already.'
    )
    reason = serializers.CharField(
        read_only=True,
        help_text="The trail's raw note: a person's reason as they wrote it, or Quartier's own "
        'note in English for its automatic steps ("offer accepted", "time confirmed"). Kept '
        "as it was for older apps; show `summary` and `note` instead.",
    )

    class Meta:
        model = BookingEvent
        fields = (
            "from_status",
            "to_status",
            "actor",
            "actor_role",
            "summary",
            "note",
            "reason",
            "data",
            "created_at",
        )
        read_only_fields = fields

    def get_summary(self, event: BookingEvent) -> str:
        return self.context["summaries"][event.pk]

    def get_note(self, event: BookingEvent) -> str:
        return step_note(event)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event: BookingEvent) -> str | None:
        return event.actor.display_name if event.actor is not None else None


# The customer's name in a review, by the rule of the booking's `customer_name`.
REVIEW_NAME_HELP = (
    " The customer is named by their first name to the visit's helper, as in the booking's "
    "`customer_name`; by the whole name to the customer and the manager."
)


def review_context(booking: Booking, reader: User) -> dict[str, Any]:
    """What a ReviewSerializer needs to name the visit's customer to `reader`."""
    return {
        "customer_id": booking.help_request.customer_id,
        "customer_name": customer_name_for(booking, reader),
    }


class ReviewSerializer(ApiModelSerializer):
    """One review of a visit. Its context comes from `review_context`."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    author = serializers.SerializerMethodField(help_text="Who wrote the review." + REVIEW_NAME_HELP)
    subject = serializers.SerializerMethodField(
        help_text="Who the review is about." + REVIEW_NAME_HELP
    )
    subject_role = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = (
            "id",
            "author",
            "author_role",
            "subject",
            "subject_role",
            "rating",
            "text",
            "published_at",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(
            choices=ActorRole.choices,
            help_text="The side the review is about (customer or helper): the other side from "
            "its author.",
        )
    )
    def get_subject_role(self, review: Review) -> str:
        return ActorRole.CUSTOMER if review.author_role == ActorRole.HELPER else ActorRole.HELPER

    def _name(self, person: User) -> str:
        if person.pk == self.context["customer_id"]:
            return self.context["customer_name"]
        return person.display_name

    def get_author(self, review: Review) -> str:
        return self._name(review.author)

    def get_subject(self, review: Review) -> str:
        return self._name(review.subject)
