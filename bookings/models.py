"""Help requests, offers, bookings (visits), their event trail, and reviews."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from djgeojson.fields import PointField

from backend import clock
from backend.formats import written
from backend.geo import SWISS_BOUNDING_BOX as SWISS
from backend.roles import ActorRole
from bookings.choices import (
    BookingStatus,
    DeclineReason,
    DisputeOutcome,
    HelpRequestStatus,
    OfferStatus,
    Party,
    ProposalStatus,
    ReviewStatus,
    SafetyCategory,
    SafetyOutcome,
    WithdrawalCause,
)
from bookings.match_index_models import (
    UNKNOWN_STATIC_SCORE,
    FreeTime,
    FreeTimeSpan,
    MatchEntry,
    MatchIndexState,
)
from catalogue.models import ServiceCategory

# Re-exported: the bookings' tables and events speak of these roles, Quartier imports the
# bookings' choices from here (those the tables use, and the outcome of a dispute), and the
# match index's tables are bookings' models too.
__all__ = [
    "UNKNOWN_STATIC_SCORE",
    "ActorRole",
    "DisputeOutcome",
    "FreeTime",
    "FreeTimeSpan",
    "MatchEntry",
    "MatchIndexState",
]


class HelpRequest(models.Model):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="help_requests",
        verbose_name=_("customer"),
    )
    category = models.ForeignKey(
        ServiceCategory, on_delete=models.PROTECT, verbose_name=_("category")
    )
    description = models.TextField(_("description"), max_length=2000)
    languages = models.JSONField(_("languages"), default=list)

    street = models.CharField(_("street"), max_length=120, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=4, blank=True)
    locality = models.CharField(_("locality"), max_length=80, blank=True)
    # One point, kept in two shapes and written together only by `backend.places.Place`:
    # `location` is the GeoJSON the API reads and writes as it is; `latitude` and `longitude`
    # are plain columns because the database checks (in Switzerland), indexes and searches
    # them, which it cannot do inside a JSON value on SQLite. Matching reads only the columns.
    location = PointField(_("location"))
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))

    # When a relative books on someone's behalf: the person the helper will meet and call.
    on_behalf_name = models.CharField(_("name of the person helped"), max_length=80, blank=True)
    on_behalf_phone = models.CharField(_("phone of the person helped"), max_length=20, blank=True)

    status = models.CharField(
        _("status"),
        max_length=16,
        choices=HelpRequestStatus.choices,
        default=HelpRequestStatus.OPEN,
    )
    status_reason = models.CharField(_("reason for the status"), max_length=300, blank=True)
    search_radius_km = models.FloatField(_("search radius (km)"), default=5.0)
    matching_round = models.PositiveSmallIntegerField(_("matching round"), default=0)
    rematch_count = models.PositiveSmallIntegerField(
        _("matching restarts"),
        default=0,
        help_text=_("How often a change of place, times or languages made matching start over."),
    )
    assigned_helper = models.ForeignKey(
        "helpers.HelperProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_requests",
        verbose_name=_("assigned helper"),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = clock.UpdatedAtField(_("updated at"))

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
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
        return gettext("%(category)s for %(customer)s (%(status)s)") % {
            "category": self.category,
            "customer": self.customer.display_name,
            "status": self.get_status_display(),
        }


class TimeWindow(models.Model):
    help_request = models.ForeignKey(
        HelpRequest,
        on_delete=models.CASCADE,
        related_name="windows",
        verbose_name=_("help request"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))

    class Meta:
        verbose_name = _("time window")
        verbose_name_plural = _("time windows")
        ordering = ("starts_at", "id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="time_window_start_before_end",
            ),
        )

    def __str__(self) -> str:
        return written.span(self.starts_at, self.ends_at)


# The longest texts people write when they decline an offer, and when a visit is cancelled or
# a dispute decided (in characters once normalised; the services refuse longer ones).
DECLINE_NOTE_MAX_LENGTH = 300
CAUSE_MAX_LENGTH = 500


class Offer(models.Model):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    help_request = models.ForeignKey(
        HelpRequest, on_delete=models.CASCADE, related_name="offers", verbose_name=_("help request")
    )
    helper = models.ForeignKey(
        "helpers.HelperProfile",
        on_delete=models.PROTECT,
        related_name="offers",
        verbose_name=_("helper"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.PENDING
    )
    round = models.PositiveSmallIntegerField(_("matching round"))
    rank = models.PositiveSmallIntegerField(_("rank"))
    distance_m = models.PositiveIntegerField(_("distance (m)"))
    score = models.FloatField(_("score"))
    explanation = models.JSONField(_("explanation"), default=dict)
    expires_at = models.DateTimeField(_("expires at"))
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=16, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.CharField(
        _("note on declining"), max_length=DECLINE_NOTE_MAX_LENGTH, blank=True
    )
    withdrawal_cause = models.CharField(
        _("reason for the withdrawal"),
        max_length=20,
        choices=WithdrawalCause.choices,
        blank=True,
        help_text=_(
            "Why a withdrawn offer was withdrawn. One withdrawn because the customer "
            "changed the request does not count as an offer the helper received."
        ),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    # Written with every move (services.moves.offers_move, the one writer of an offer's
    # status); phones poll `?updated_since=`.
    updated_at = clock.UpdatedAtField(_("updated at"))

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
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
        return gettext("Offer to %(helper)s (%(status)s)") % {
            "helper": self.helper,
            "status": self.get_status_display(),
        }


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


class Booking(models.Model):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    help_request = models.ForeignKey(
        HelpRequest,
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("help request"),
    )
    offer = models.OneToOneField(
        Offer, on_delete=models.PROTECT, related_name="booking", verbose_name=_("offer")
    )
    helper = models.ForeignKey(
        "helpers.HelperProfile",
        on_delete=models.PROTECT,
        related_name="bookings",
        verbose_name=_("helper"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=BookingStatus.choices,
        default=BookingStatus.AWAITING_PROPOSAL,
    )
    # The confirmed visit slot (null until the customer confirms one).
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    price_minor = models.PositiveIntegerField(
        _("price (Rappen)"),
        null=True,
        blank=True,
        help_text=_("Agreed price in minor units, set with the proposal."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="CHF")
    # Fixed when the customer confirms, beside the price: what the card is held for and
    # charged, and who bears Stripe's processing fee (`bookings.pricing.charge_for`).
    charge_minor = models.PositiveIntegerField(
        _("amount charged (Rappen)"),
        null=True,
        blank=True,
        help_text=_(
            "What the customer's card is held for: the price, grossed up by Stripe's fee "
            "when the customer bears it."
        ),
    )
    stripe_fee_paid_by = models.CharField(
        _("Stripe fee paid by"), max_length=8, choices=Party.choices, blank=True
    )

    eta_at = models.DateTimeField(_("expected arrival"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    work_summary = models.TextField(_("work summary"), max_length=2000, blank=True)
    leave_behind_note = models.TextField(
        _("note left behind"),
        max_length=4000,
        blank=True,
        help_text=_("How to do it yourself next time."),
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_off_automatically = models.BooleanField(_("signed off automatically"), default=False)
    dispute_reason = models.TextField(_("reason for the dispute"), max_length=2000, blank=True)

    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    caused_by = models.CharField(
        _("caused by"),
        max_length=16,
        choices=Party.choices,
        blank=True,
        help_text=_("For a cancellation or no-show: the party who caused it."),
    )
    cause = models.CharField(_("cause"), max_length=CAUSE_MAX_LENGTH, blank=True)
    is_late_cancellation = models.BooleanField(_("late cancellation"), default=False)

    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = clock.UpdatedAtField(_("updated at"))

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
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
        return gettext("Visit %(id)s (%(status)s)") % {
            "id": self.public_id,
            "status": self.get_status_display(),
        }


class SlotProposal(models.Model):
    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("visit")
    )
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    status = models.CharField(
        _("status"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED
    )
    # Fixed when proposed: a later change of the helper's rate does not move it.
    price_minor = models.PositiveIntegerField(
        _("price (Rappen)"),
        null=True,
        help_text=_("The visit's price at this time, in minor units, as proposed."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="CHF")
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("proposed time")
        verbose_name_plural = _("proposed times")
        ordering = ("starts_at", "id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")),
                name="slot_proposal_start_before_end",
            ),
        )

    def __str__(self) -> str:
        return f"{written.span(self.starts_at, self.ends_at)} ({self.get_status_display()})"


class BookingEvent(models.Model):
    """Append-only: one row for every status move. Never updated, never deleted."""

    booking = models.ForeignKey(
        Booking, on_delete=models.CASCADE, related_name="events", verbose_name=_("visit")
    )
    from_status = models.CharField(
        _("from status"), max_length=20, choices=BookingStatus.choices, blank=True
    )
    to_status = models.CharField(_("to status"), max_length=20, choices=BookingStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        verbose_name=_("by"),
    )
    actor_role = models.CharField(_("role"), max_length=16, choices=ActorRole.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("visit event")
        verbose_name_plural = _("visit events")
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        before = self.get_from_status_display() if self.from_status else "∅"
        return f"{before} → {self.get_to_status_display()} ({self.get_actor_role_display()})"


# The longest review text, in characters once normalised (`review_submit` refuses longer ones).
REVIEW_TEXT_MAX_LENGTH = 1000


class Review(models.Model):
    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("visit")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews_written",
        verbose_name=_("author"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="reviews_received",
        verbose_name=_("reviewed person"),
    )
    author_role = models.CharField(_("author's role"), max_length=16, choices=ActorRole.choices)
    rating = models.PositiveSmallIntegerField(_("rating"))
    text = models.TextField(_("text"), max_length=REVIEW_TEXT_MAX_LENGTH, blank=True)
    # Double-blind: a review is shown to the other side (and counted in aggregates) once
    # both sides have reviewed or the review window has closed.
    status = models.CharField(
        _("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.HIDDEN
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ("created_at", "id")
        constraints = (
            models.UniqueConstraint(fields=("booking", "author_role"), name="review_once_per_side"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"
            ),
        )

    def __str__(self) -> str:
        return gettext("%(rating)s★ (%(role)s) on visit %(booking)s") % {
            "rating": self.rating,
            "role": self.get_author_role_display(),
            "booking": self.booking_id,
        }


class MatchingRun(models.Model):
    """One pass of the matching for a request: who was considered, and why each was or was not
    offered. Kept for the community manager."""

    help_request = models.ForeignKey(
        HelpRequest,
        on_delete=models.CASCADE,
        related_name="matching_runs",
        verbose_name=_("help request"),
    )
    radius_km = models.FloatField(_("radius (km)"))
    wanted = models.PositiveSmallIntegerField(
        _("offers wanted"), help_text=_("How many offers were to be made.")
    )
    offered = models.PositiveSmallIntegerField(_("offers made"))
    considered = models.JSONField(
        _("helpers considered"),
        default=list,
        help_text=_("Each helper looked at: distance, score, whether offered, and why or why not."),
    )
    examined_count = models.PositiveIntegerField(
        _("helpers examined"),
        help_text=_("Helpers looked at in the match index, including those not listed."),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        ordering = ("-created_at", "-id")

    def __str__(self) -> str:
        return gettext("Matching of request %(request)s within %(radius)s km") % {
            "request": self.help_request_id,
            "radius": f"{self.radius_km:g}",
        }


SAFETY_REPORT_TEXT_MAX_LENGTH = 2000


class SafetyReport(models.Model):
    """One side of a booking reports the other. Managers only read it; the reported person
    never does. Open until a manager decides it: the outcome is the reported user's record."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, related_name="safety_reports", verbose_name=_("visit")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="safety_reports_filed",
        verbose_name=_("reported by"),
    )
    reporter_role = models.CharField(
        _("role of the person reporting"), max_length=16, choices=ActorRole.choices
    )
    reported = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="safety_reports_received",
        verbose_name=_("person reported"),
    )
    category = models.CharField(_("category"), max_length=16, choices=SafetyCategory.choices)
    text = models.TextField(_("text"), max_length=SAFETY_REPORT_TEXT_MAX_LENGTH)
    # Blank while open.
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=SafetyOutcome.choices, blank=True
    )
    triage_note = models.TextField(_("decision note"), max_length=1000, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="safety_reports_triaged",
        verbose_name=_("decided by"),
    )
    triaged_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("safety report")
        verbose_name_plural = _("safety reports")
        ordering = ("-created_at", "-id")
        constraints = (
            models.UniqueConstraint(
                fields=("booking", "reporter"),
                condition=models.Q(outcome=""),
                name="safety_report_one_open_per_reporter",
            ),
        )

    def __str__(self) -> str:
        return gettext("%(category)s report on visit %(booking)s") % {
            "category": self.get_category_display(),
            "booking": self.booking_id,
        }


class HelperBlock(models.Model):
    """A customer's "do not offer my requests to this helper again"."""

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="helpers_blocked",
        verbose_name=_("customer"),
    )
    helper = models.ForeignKey(
        "helpers.HelperProfile",
        on_delete=models.CASCADE,
        related_name="blocked_by",
        verbose_name=_("helper"),
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("blocked helper")
        verbose_name_plural = _("blocked helpers")
        constraints = (
            models.UniqueConstraint(fields=("customer", "helper"), name="helper_block_once"),
        )

    def __str__(self) -> str:
        return gettext("customer %(customer)s blocks helper %(helper)s") % {
            "customer": self.customer_id,
            "helper": self.helper_id,
        }
