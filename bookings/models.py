"""Help requests, offers, bookings (visits), their event trail, and reviews."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from djgeojson.fields import PointField

from backend import clock
from backend.geo import SWISS_BOUNDING_BOX as SWISS
from backend.roles import ActorRole
from catalogue.models import ServiceCategory

__all__ = ["ActorRole"]  # re-exported: the bookings' tables and events speak of these roles


class HelpRequestStatus(models.TextChoices):
    OPEN = "open", "Open: looking for a helper"
    ASSIGNED = "assigned", "A helper accepted"
    UNMATCHED = "unmatched", "Nobody available"
    WITHDRAWN = "withdrawn", "Withdrawn by the customer"
    EXPIRED = "expired", "Every time window passed"
    CLOSED = "closed", "Closed"


class HelpRequest(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="help_requests"
    )
    category = models.ForeignKey(ServiceCategory, on_delete=models.PROTECT)
    description = models.TextField(max_length=2000)
    languages = models.JSONField(default=list)

    street = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=4, blank=True)
    locality = models.CharField(max_length=80, blank=True)
    # One point, kept in two shapes and written together only by `backend.places.Place`:
    # `location` is the GeoJSON the API reads and writes as it is; `latitude` and `longitude`
    # are plain columns because the database checks (in Switzerland), indexes and searches
    # them, which it cannot do inside a JSON value on SQLite. Matching reads only the columns.
    location = PointField()
    latitude = models.FloatField()
    longitude = models.FloatField()

    # When a relative books on someone's behalf: the person the helper will meet and call.
    on_behalf_name = models.CharField(max_length=80, blank=True)
    on_behalf_phone = models.CharField(max_length=20, blank=True)

    status = models.CharField(
        max_length=16, choices=HelpRequestStatus.choices, default=HelpRequestStatus.OPEN
    )
    status_reason = models.CharField(max_length=300, blank=True)
    search_radius_km = models.FloatField(default=5.0)
    matching_round = models.PositiveSmallIntegerField(default=0)
    rematch_count = models.PositiveSmallIntegerField(
        default=0,
        help_text="How often a change of place, times or languages made matching start over.",
    )
    assigned_helper = models.ForeignKey(
        "helpers.HelperProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = clock.UpdatedAtField()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(fields=("customer", "status")),
            models.Index(fields=("status",)),
        )
        constraints = (
            models.CheckConstraint(
                condition=models.Q(
                    latitude__gte=SWISS.min_latitude,
                    latitude__lte=SWISS.max_latitude,
                    longitude__gte=SWISS.min_longitude,
                    longitude__lte=SWISS.max_longitude,
                ),
                name="help_request_in_switzerland",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="assigned") | models.Q(assigned_helper__isnull=False),
                name="help_request_assigned_has_helper",
            ),
        )

    def __str__(self) -> str:
        return f"{self.category} for {self.customer.display_name} ({self.status})"


class TimeWindow(models.Model):
    help_request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="windows")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ("starts_at", "id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="time_window_start_before_end",
            ),
        )

    def __str__(self) -> str:
        return clock.span(self.starts_at, self.ends_at)


# The longest texts people write when they decline an offer, and when a visit is cancelled or
# a dispute decided (in characters once normalised; the services refuse longer ones).
DECLINE_NOTE_MAX_LENGTH = 300
CAUSE_MAX_LENGTH = 500


class OfferStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the helper"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"
    WITHDRAWN = "withdrawn", "Withdrawn"


class DeclineReason(models.TextChoices):
    NOT_AVAILABLE = "not_available", "Not available then"
    TOO_FAR = "too_far", "Too far away"
    NOT_MY_SKILL = "not_my_skill", "Not something I can do"
    OTHER = "other", "Other"


class WithdrawalCause(models.TextChoices):
    REQUEST_CHANGED = "request_changed", "The customer changed the request"
    REQUEST_WITHDRAWN = "request_withdrawn", "The customer withdrew the request"
    REQUEST_EXPIRED = "request_expired", "Every time window passed"
    TAKEN = "taken", "Another helper accepted"
    HELPER_SUSPENDED = "helper_suspended", "The helper was suspended"
    CANNOT_BE_PAID = "cannot_be_paid", "The helper's payout account cannot take payments"


class Offer(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    help_request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="offers")
    helper = models.ForeignKey(
        "helpers.HelperProfile", on_delete=models.PROTECT, related_name="offers"
    )
    status = models.CharField(
        max_length=16, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    round = models.PositiveSmallIntegerField()
    rank = models.PositiveSmallIntegerField()
    distance_m = models.PositiveIntegerField()
    score = models.FloatField()
    explanation = models.JSONField(default=dict)
    expires_at = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField(max_length=16, choices=DeclineReason.choices, blank=True)
    decline_note = models.CharField(max_length=DECLINE_NOTE_MAX_LENGTH, blank=True)
    withdrawal_cause = models.CharField(
        max_length=20,
        choices=WithdrawalCause.choices,
        blank=True,
        help_text="Why a withdrawn offer was withdrawn. One withdrawn because the customer "
        "changed the request does not count as an offer the helper received.",
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    # Written with every move (services.moves.offers_move, the one writer of an offer's
    # status); phones poll `?updated_since=`.
    updated_at = clock.UpdatedAtField()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(fields=("helper", "status")),
            models.Index(fields=("status", "expires_at")),
            models.Index(fields=("helper", "created_at")),
            models.Index(fields=("helper", "updated_at")),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("help_request", "helper"),
                condition=~models.Q(status="withdrawn"),
                name="offer_once_per_helper_and_request",
            ),
        )

    def __str__(self) -> str:
        return f"Offer to {self.helper} ({self.status})"


class BookingStatus(models.TextChoices):
    AWAITING_PROPOSAL = "awaiting_proposal", "Waiting for the helper to propose a time"
    PROPOSED = "proposed", "Times proposed, waiting for the customer"
    CONFIRMED = "confirmed", "Confirmed"
    ON_THE_WAY = "on_the_way", "Helper on the way"
    IN_PROGRESS = "in_progress", "Visit in progress"
    COMPLETED = "completed", "Done, waiting for the customer's sign-off"
    SIGNED_OFF = "signed_off", "Signed off"
    DISPUTED = "disputed", "Disputed"
    SETTLED = "settled", "Settled"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"


# Statuses in which the visit's time range is held: no other visit of the helper may overlap.
SLOT_HOLDING_STATUSES = (
    BookingStatus.CONFIRMED,
    BookingStatus.ON_THE_WAY,
    BookingStatus.IN_PROGRESS,
)
# Statuses in which a booking is still alive for its help request.
LIVE_STATUSES = (
    BookingStatus.AWAITING_PROPOSAL,
    BookingStatus.PROPOSED,
    BookingStatus.CONFIRMED,
    BookingStatus.ON_THE_WAY,
    BookingStatus.IN_PROGRESS,
    BookingStatus.COMPLETED,
    BookingStatus.DISPUTED,
)
FINAL_STATUSES = (BookingStatus.SETTLED, BookingStatus.CANCELLED, BookingStatus.NO_SHOW)
# The booking broke: the visit will not happen.
BROKEN_STATUSES = (BookingStatus.CANCELLED, BookingStatus.NO_SHOW)
REVIEWABLE_STATUSES = (BookingStatus.SIGNED_OFF, BookingStatus.SETTLED)
# From the confirmation on, the visit not broken: its time and place are agreed (calendars show
# it), and each side sees the other's phone and e-mail.
AGREED_STATUSES = (
    BookingStatus.CONFIRMED,
    BookingStatus.ON_THE_WAY,
    BookingStatus.IN_PROGRESS,
    BookingStatus.COMPLETED,
    BookingStatus.SIGNED_OFF,
    BookingStatus.DISPUTED,
    BookingStatus.SETTLED,
)


class DisputeOutcome(models.TextChoices):
    VISIT_STANDS = "visit_stands", "The visit stands (signed off)"
    VISIT_VOID = "visit_void", "The visit is void (cancelled)"


class Party(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    HELPER = "helper", "Helper"
    NOBODY = "nobody", "Nobody (e.g. weather, illness)"


class Booking(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    help_request = models.ForeignKey(HelpRequest, on_delete=models.PROTECT, related_name="bookings")
    offer = models.OneToOneField(Offer, on_delete=models.PROTECT, related_name="booking")
    helper = models.ForeignKey(
        "helpers.HelperProfile", on_delete=models.PROTECT, related_name="bookings"
    )
    status = models.CharField(
        max_length=20, choices=BookingStatus.choices, default=BookingStatus.AWAITING_PROPOSAL
    )
    # The confirmed visit slot (null until the customer confirms one).
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    price_minor = models.PositiveIntegerField(
        null=True, blank=True, help_text="Agreed price in minor units, set with the proposal."
    )
    currency = models.CharField(max_length=3, default="CHF")
    # Fixed when the customer confirms, beside the price: what the card is held for and
    # charged, and who bears Stripe's processing fee (`bookings.pricing.charge_for`).
    charge_minor = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="What the customer's card is held for: the price, grossed up by Stripe's fee "
        "when the customer bears it.",
    )
    stripe_fee_paid_by = models.CharField(max_length=8, choices=Party.choices, blank=True)

    eta_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    work_summary = models.TextField(max_length=2000, blank=True)
    leave_behind_note = models.TextField(
        max_length=4000, blank=True, help_text="How to do it yourself next time."
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signed_off_automatically = models.BooleanField(default=False)
    dispute_reason = models.TextField(max_length=2000, blank=True)

    closed_at = models.DateTimeField(null=True, blank=True)
    caused_by = models.CharField(
        max_length=16,
        choices=Party.choices,
        blank=True,
        help_text="For a cancellation or no-show: the party who caused it.",
    )
    cause = models.CharField(max_length=CAUSE_MAX_LENGTH, blank=True)
    is_late_cancellation = models.BooleanField(default=False)

    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = clock.UpdatedAtField()

    class Meta:
        ordering = ("-created_at", "-id")
        indexes = (
            models.Index(fields=("helper", "status")),
            models.Index(fields=("status", "checked_out_at")),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("help_request",),
                condition=models.Q(status__in=LIVE_STATUSES),
                name="booking_one_live_per_request",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_at__isnull=True, ends_at__isnull=True)
                | models.Q(starts_at__lt=models.F("ends_at")),
                name="booking_slot_start_before_end",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=SLOT_HOLDING_STATUSES)
                | models.Q(starts_at__isnull=False),
                name="booking_slot_set_when_held",
            ),
        )
        # PostgreSQL also has the exclusion constraint "booking_helper_no_overlap" (migration
        # 0003): no two slot-holding bookings of one helper may overlap in time.

    def __str__(self) -> str:
        return f"Booking {self.public_id} ({self.status})"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    CHOSEN = "chosen", "Chosen"
    SUPERSEDED = "superseded", "Superseded"


class SlotProposal(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="proposals")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    # Fixed when proposed: a later change of the helper's rate does not move it.
    price_minor = models.PositiveIntegerField(
        null=True, help_text="The visit's price at this time, in minor units, as proposed."
    )
    currency = models.CharField(max_length=3, default="CHF")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ("starts_at", "id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="slot_proposal_start_before_end",
            ),
        )

    def __str__(self) -> str:
        return f"{clock.span(self.starts_at, self.ends_at)} ({self.status})"


class BookingEvent(models.Model):
    """Append-only: one row for every status move. Never updated, never deleted."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, choices=BookingStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=BookingStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_role = models.CharField(max_length=16, choices=ActorRole.choices)
    reason = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status} by {self.actor_role}"


# The longest review text, in characters once normalised (`review_submit` refuses longer ones).
REVIEW_TEXT_MAX_LENGTH = 1000


class ReviewStatus(models.TextChoices):
    HIDDEN = "hidden", "Hidden until both sides reviewed or the window closed"
    PUBLISHED = "published", "Published"


class Review(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_written"
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews_received"
    )
    author_role = models.CharField(max_length=16, choices=ActorRole.choices)
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(max_length=REVIEW_TEXT_MAX_LENGTH, blank=True)
    # Double-blind: a review is shown to the other side (and counted in aggregates) once
    # both sides have reviewed or the review window has closed.
    status = models.CharField(
        max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.HIDDEN
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ("created_at", "id")
        constraints = (
            models.UniqueConstraint(fields=("booking", "author_role"), name="review_once_per_side"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
        )

    def __str__(self) -> str:
        return f"{self.rating}★ by {self.author_role} on {self.booking_id}"


# Stored in MatchEntry.static_score when it was not computed under the index's settings: above
# any score, so it never leaves a helper out.
UNKNOWN_STATIC_SCORE = 10.0


class MatchIndexState(models.Model):
    """One row: the ranking settings (`bookings.matching.scoring.Weights.static_key`) the match index's
    stored scores were computed under. Searches use them only while their own settings agree."""

    static_key = models.CharField(max_length=32)
    updated_at = clock.UpdatedAtField()

    def __str__(self) -> str:
        return f"match index scores under settings {self.static_key}"


class MatchEntry(models.Model):
    """The match index: one row per eligible helper and skill, with what ranking needs.

    Eligible means approved, accepting jobs, an active account and a home address. The rows
    are derived from the helper tables and written only by `bookings.matching.index`, called by
    the handler of every domain event that can change them (`bookings/handlers.py`), in the
    transaction of the change. Each category has its
    own spatial index beside this table: an R*Tree on SQLite (kept in step by triggers), a
    partial GiST over a generated geography column on PostgreSQL.
    """

    helper = models.ForeignKey(
        "helpers.HelperProfile", on_delete=models.CASCADE, related_name="match_entries"
    )
    category = models.ForeignKey(ServiceCategory, on_delete=models.CASCADE, related_name="+")
    latitude = models.FloatField()
    longitude = models.FloatField()
    service_radius_km = models.PositiveSmallIntegerField()
    languages_mask = models.PositiveSmallIntegerField(
        help_text="The helper's languages, one bit each in the order of backend.models.Language."
    )
    rating_sum = models.PositiveIntegerField()
    rating_count = models.PositiveIntegerField()
    completed_visits = models.PositiveIntegerField()
    cancellations_caused = models.PositiveIntegerField()
    no_shows_caused = models.PositiveIntegerField()
    offers_answered = models.PositiveIntegerField()
    offers_expired = models.PositiveIntegerField()
    response_seconds_total = models.PositiveBigIntegerField()
    approved_at = models.DateTimeField(null=True)
    static_score = models.FloatField(
        default=UNKNOWN_STATIC_SCORE,
        help_text=(
            "The rating and reliability part of the score under the settings MatchIndexState "
            f"names; {UNKNOWN_STATIC_SCORE:g} (above any score) until computed under them."
        ),
    )

    class Meta:
        verbose_name_plural = "match entries"
        constraints = (
            models.UniqueConstraint(fields=("helper", "category"), name="match_entry_unique"),
        )

    def __str__(self) -> str:
        return f"helper {self.helper_id} for category {self.category_id}"


class FreeTimeSpan(models.Model):
    """One row: the span the `FreeTime` rows cover. Without it (a database that had helpers
    before free time was stored, until its first `match_index_rebuild`) matching reads the
    calendars."""

    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    updated_at = clock.UpdatedAtField()

    def __str__(self) -> str:
        return f"free time from {self.starts_at:%Y-%m-%d} to {self.ends_at:%Y-%m-%d}"


class FreeTime(models.Model):
    """The match index's free time: one row per stretch a helper is free (weekly hours in Swiss
    time, exceptions added and removed, visits held subtracted), merged, within the span
    `FreeTimeSpan` records. Written only by `bookings.matching.free_time`, in the transaction
    of every change that moves it; matching filters on these rows in the database."""

    helper = models.ForeignKey(
        "helpers.HelperProfile", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Microseconds since 1970-01-01 UTC: exact, and the search's arithmetic on them is the same
    # plain integer SQL on every database.
    starts_us = models.BigIntegerField()
    ends_us = models.BigIntegerField()

    class Meta:
        verbose_name_plural = "free time"
        # By start: requests mostly ask for the coming days, and a helper's stretches that
        # start before a window's end are those between today and then (with an index by end,
        # every stretch up to the horizon's end would be read).
        indexes = (models.Index(fields=("helper", "starts_us"), name="free_time_helper_starts"),)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(starts_us__lt=models.F("ends_us")),
                name="free_time_start_before_end",
            ),
        )

    def __str__(self) -> str:
        epoch = datetime(1970, 1, 1, tzinfo=UTC)
        starts_at = epoch + timedelta(microseconds=self.starts_us)
        ends_at = epoch + timedelta(microseconds=self.ends_us)
        return (
            f"helper {self.helper_id} free {starts_at:%Y-%m-%d %H:%M}–{ends_at:%Y-%m-%d %H:%M} UTC"
        )


class MatchingRun(models.Model):
    """One pass of the matching for a request: who was considered, and why each was or was not
    offered. Kept for the community manager."""

    help_request = models.ForeignKey(
        HelpRequest, on_delete=models.CASCADE, related_name="matching_runs"
    )
    radius_km = models.FloatField()
    wanted = models.PositiveSmallIntegerField(help_text="How many offers were to be made.")
    offered = models.PositiveSmallIntegerField()
    considered = models.JSONField(
        default=list,
        help_text="Each helper looked at: distance, score, whether offered, and why or why not.",
    )
    examined_count = models.PositiveIntegerField(
        help_text="Helpers looked at in the match index, including those not listed."
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return f"Matching of request {self.help_request_id} within {self.radius_km:g} km"


SAFETY_REPORT_TEXT_MAX_LENGTH = 2000


class SafetyCategory(models.TextChoices):
    SAFETY = "safety", "Safety"
    HARASSMENT = "harassment", "Harassment"
    DAMAGE = "damage", "Damage"
    NO_SHOW = "no_show", "No-show"
    OTHER = "other", "Other"


class SafetyOutcome(models.TextChoices):
    WARNING = "warning", "Warning"
    SUSPENSION = "suspension", "Suspension"
    NO_ACTION = "no_action", "No action"


class SafetyReport(models.Model):
    """One side of a booking reports the other. Managers only read it; the reported person
    never does. Open until a manager decides it: the outcome is the reported user's record."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="safety_reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="safety_reports_filed"
    )
    reporter_role = models.CharField(max_length=16, choices=ActorRole.choices)
    reported = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="safety_reports_received"
    )
    category = models.CharField(max_length=16, choices=SafetyCategory.choices)
    text = models.TextField(max_length=SAFETY_REPORT_TEXT_MAX_LENGTH)
    # Blank while open.
    outcome = models.CharField(max_length=16, choices=SafetyOutcome.choices, blank=True)
    triage_note = models.TextField(max_length=1000, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="safety_reports_triaged",
    )
    triaged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("booking", "reporter"),
                condition=models.Q(outcome=""),
                name="safety_report_one_open_per_reporter",
            ),
        )

    def __str__(self) -> str:
        return f"{self.category} report on booking {self.booking_id}"


class HelperBlock(models.Model):
    """A customer's "do not offer my requests to this helper again"."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="helpers_blocked"
    )
    helper = models.ForeignKey(
        "helpers.HelperProfile", on_delete=models.CASCADE, related_name="blocked_by"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("customer", "helper"), name="helper_block_once"),
        )

    def __str__(self) -> str:
        return f"customer {self.customer_id} blocks helper {self.helper_id}"
