"""The back office for categories, help requests, offers, bookings and reviews.

Only categories are edited here. Everything with a status moves through the services (the
booking's one transition function, the request's conditional moves), so the admin shows those
rows read-only: the manager sees the whole story without being able to bend it.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from backend.admin import SpeaksFilter, admin_link, position_text
from backend.money import Money
from bookings.models import (
    Booking,
    BookingEvent,
    HelpRequest,
    MatchingRun,
    Offer,
    Review,
    SlotProposal,
    TimeWindow,
)
from bookings.selectors import helpers_considered_in
from helpers.models import HelperProfile

# How many matching runs a help request's page shows; the rest are in the matching runs list.
MATCHING_RUNS_SHOWN = 10


def pretty_json(value: Any) -> str:
    return format_html(
        "<pre>{}</pre>", json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)
    )


def price_text(amount_minor: int | None, currency: str) -> str:
    if amount_minor is None:
        return "—"
    try:
        return Money(amount_minor, currency).format()
    except ValueError:
        return f"{currency} {amount_minor} (minor units)"


def offer_summary(offer: Offer) -> str:
    summary = offer.explanation.get("summary") if isinstance(offer.explanation, dict) else None
    return str(summary) if summary else "—"


def offers_made_text(run: MatchingRun) -> str:
    return f"{run.offered} of {run.wanted}"


def considered_table(run: MatchingRun, helpers: dict[int, HelperProfile]) -> str:
    """The helpers a matching run considered, as a table: who, how far, score, and why.

    `helpers` are the helpers named by the run, by primary key (`helpers_considered_in`).
    """
    if not run.considered:
        return format_html("<p>{}</p>", "No helper was considered.")
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                considered_helper_link(helpers.get(entry["helper_id"]), entry["helper_id"]),
                f"{entry['distance_m'] / 1000:.1f} km",
                "—" if entry["score"] is None else f"{entry['score']:.4f}",
                "yes" if entry["offered"] else "no",
                entry["reason"],
            )
            for entry in run.considered
        ),
    )
    return format_html(
        "<table><thead><tr><th>helper</th><th>distance</th><th>score</th><th>offered</th>"
        "<th>why</th></tr></thead><tbody>{}</tbody></table>",
        rows,
    )


def considered_helper_link(helper: HelperProfile | None, helper_id: int) -> str:
    if helper is None:
        return f"helper #{helper_id} (no longer exists)"
    return admin_link(helper, helper.user.display_name)


def matching_run_heading(run: MatchingRun) -> str:
    return (
        f"{run.created_at:%Y-%m-%d %H:%M:%S} · within {run.radius_km:g} km · "
        f"{offers_made_text(run)} offers made · {run.examined_count} helpers examined"
    )


class ViewOnlyMixin:
    """Rows that only services write: the back office may look, never add, change or delete."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ViewOnlyInline(ViewOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class PublishedFilter(admin.SimpleListFilter):
    title = "published"
    parameter_name = "published"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Published"), ("no", "Not yet published")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(published_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(published_at__isnull=True)
        return queryset


# --- Categories ---------------------------------------------------------------------------------


# --- Help requests ------------------------------------------------------------------------------


class TimeWindowInline(ViewOnlyInline):
    model = TimeWindow
    fields = ("starts_at", "ends_at")
    readonly_fields = fields
    verbose_name_plural = "time windows the customer offered"


class OfferInline(ViewOnlyInline):
    model = Offer
    fields = (
        "helper",
        "status",
        "round",
        "rank",
        "distance",
        "score",
        "summary",
        "expires_at",
        "responded_at",
        "decline_reason",
    )
    readonly_fields = fields
    ordering = ("round", "rank")
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Offer]:
        return super().get_queryset(request).select_related("helper__user")

    @admin.display(description="distance")
    def distance(self, offer: Offer) -> str:
        return f"{offer.distance_m / 1000:.1f} km"

    @admin.display(description="why this helper")
    def summary(self, offer: Offer) -> str:
        return offer_summary(offer)


class HelpRequestSpeaksFilter(SpeaksFilter):
    languages_path = "languages"


@admin.register(HelpRequest)
class HelpRequestAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "public_id",
        "customer_email",
        "category",
        "status",
        "postal_code",
        "locality",
        "assigned_helper_name",
        "matching_round",
        "search_radius_km",
        "created_at",
    )
    list_display_links = ("public_id", "customer_email")
    list_select_related = ("customer", "category", "assigned_helper__user")
    list_filter = ("status", "category", HelpRequestSpeaksFilter, "matching_round", "created_at")
    search_fields = (
        "public_id",
        "customer__email",
        "customer__display_name",
        "customer__phone",
        "postal_code",
        "locality",
        "on_behalf_name",
        "on_behalf_phone",
    )
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = (TimeWindowInline, OfferInline)
    fieldsets = (
        (
            "Request",
            {
                "fields": (
                    "public_id",
                    "customer_link",
                    "category",
                    "description",
                    "languages",
                    "on_behalf_name",
                    "on_behalf_phone",
                )
            },
        ),
        ("Where", {"fields": ("street", "postal_code", "locality", "position")}),
        (
            "Matching",
            {
                "fields": (
                    "status",
                    "status_reason",
                    "assigned_helper_link",
                    "matching_round",
                    "search_radius_km",
                    "booking_links",
                )
            },
        ),
        (
            "Matching runs: whom each pass considered, and why each helper was or was not offered",
            {"fields": ("matching_runs",)},
        ),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "public_id",
        "customer_link",
        "category",
        "description",
        "languages",
        "on_behalf_name",
        "on_behalf_phone",
        "street",
        "postal_code",
        "locality",
        "position",
        "status",
        "status_reason",
        "assigned_helper_link",
        "matching_round",
        "search_radius_km",
        "booking_links",
        "matching_runs",
        "created_at",
        "updated_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[HelpRequest]:
        return (
            super().get_queryset(request).select_related("customer", "category", "assigned_helper")
        )

    @admin.display(description="customer", ordering="customer__email")
    def customer_email(self, help_request: HelpRequest) -> str:
        return help_request.customer.email

    @admin.display(description="assigned helper", ordering="assigned_helper__user__display_name")
    def assigned_helper_name(self, help_request: HelpRequest) -> str:
        helper = help_request.assigned_helper
        return helper.user.display_name if helper is not None else "—"

    @admin.display(description="customer")
    def customer_link(self, help_request: HelpRequest) -> str:
        return admin_link(help_request.customer)

    @admin.display(description="assigned helper")
    def assigned_helper_link(self, help_request: HelpRequest) -> str:
        return admin_link(help_request.assigned_helper)

    @admin.display(description="position (lat, lon)")
    def position(self, help_request: HelpRequest) -> str:
        return position_text(help_request.latitude, help_request.longitude)

    @admin.display(description="bookings")
    def booking_links(self, help_request: HelpRequest) -> str:
        links = [
            admin_link(booking, f"{booking.get_status_display()} ({booking.created_at:%Y-%m-%d})")
            for booking in help_request.bookings.order_by("created_at")
        ]
        return format_html("<br>".join(["{}"] * len(links)), *links) if links else "—"

    @admin.display(description="newest first")
    def matching_runs(self, help_request: HelpRequest) -> str:
        runs = list(
            help_request.matching_runs.order_by("-created_at", "-id")[: MATCHING_RUNS_SHOWN + 1]
        )
        if not runs:
            return "—"
        shown = runs[:MATCHING_RUNS_SHOWN]
        helpers = helpers_considered_in(shown)  # one query for every run shown
        sections = format_html_join(
            "",
            "<h4>{}</h4>{}",
            ((matching_run_heading(run), considered_table(run, helpers)) for run in shown),
        )
        if len(runs) <= MATCHING_RUNS_SHOWN:
            return sections
        url = reverse("admin:bookings_matchingrun_changelist")
        return format_html(
            '{}<p><a href="{}?q={}">All matching runs of this request</a></p>',
            sections,
            url,
            help_request.public_id,
        )


# --- Offers -------------------------------------------------------------------------------------


@admin.register(Offer)
class OfferAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "public_id",
        "helper_name",
        "help_request_link",
        "category",
        "status",
        "round",
        "rank",
        "distance",
        "score",
        "summary",
        "expires_at",
        "created_at",
    )
    list_select_related = ("helper__user", "help_request__category")
    list_filter = (
        "status",
        "round",
        "decline_reason",
        "help_request__category",
        "created_at",
    )
    search_fields = (
        "public_id",
        "help_request__public_id",
        "helper__user__email",
        "helper__user__display_name",
        "help_request__customer__email",
        "help_request__locality",
        "help_request__postal_code",
    )
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "public_id",
        "help_request_link",
        "helper_link",
        "status",
        "round",
        "rank",
        "distance",
        "score",
        "summary",
        "explanation_pretty",
        "expires_at",
        "responded_at",
        "decline_reason",
        "decline_note",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description="helper", ordering="helper__user__display_name")
    def helper_name(self, offer: Offer) -> str:
        return offer.helper.user.display_name

    @admin.display(description="help request")
    def help_request_link(self, offer: Offer) -> str:
        return admin_link(offer.help_request, offer.help_request.public_id)

    @admin.display(description="helper")
    def helper_link(self, offer: Offer) -> str:
        return admin_link(offer.helper, offer.helper.user.display_name)

    @admin.display(description="category", ordering="help_request__category__position")
    def category(self, offer: Offer) -> str:
        return offer.help_request.category.name

    @admin.display(description="distance", ordering="distance_m")
    def distance(self, offer: Offer) -> str:
        return f"{offer.distance_m / 1000:.1f} km"

    @admin.display(description="why this helper")
    def summary(self, offer: Offer) -> str:
        return offer_summary(offer)

    @admin.display(description="explanation")
    def explanation_pretty(self, offer: Offer) -> str:
        return pretty_json(offer.explanation)


# --- Matching runs ------------------------------------------------------------------------------


class MatchingOutcomeFilter(admin.SimpleListFilter):
    title = "outcome"
    parameter_name = "outcome"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("none", "No offer made"),
            ("fewer", "Fewer offers than wanted"),
            ("all", "Every offer wanted made"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "none":
            return queryset.filter(offered=0)
        if self.value() == "fewer":
            return queryset.filter(offered__gt=0, offered__lt=F("wanted"))
        if self.value() == "all":
            return queryset.filter(offered__gte=F("wanted"))
        return queryset


@admin.register(MatchingRun)
class MatchingRunAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Written by the matching for every pass: the manager reads them, nothing else."""

    list_display = (
        "created_at",
        "help_request_link",
        "category",
        "search_radius",
        "offers_made",
        "examined_count",
    )
    list_select_related = ("help_request__category",)
    list_filter = (
        MatchingOutcomeFilter,
        "radius_km",
        "help_request__category",
        "help_request__status",
        "created_at",
    )
    search_fields = ("help_request__public_id",)
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "help_request_link",
        "created_at",
        "search_radius",
        "offers_made",
        "examined_count",
        "considered_helpers",
    )
    readonly_fields = fields

    @admin.display(description="help request")
    def help_request_link(self, run: MatchingRun) -> str:
        return admin_link(run.help_request, run.help_request.public_id)

    @admin.display(description="category", ordering="help_request__category__position")
    def category(self, run: MatchingRun) -> str:
        return run.help_request.category.name

    @admin.display(description="search radius", ordering="radius_km")
    def search_radius(self, run: MatchingRun) -> str:
        return f"{run.radius_km:g} km"

    @admin.display(description="offers made (of wanted)", ordering="offered")
    def offers_made(self, run: MatchingRun) -> str:
        return offers_made_text(run)

    @admin.display(description="considered helpers")
    def considered_helpers(self, run: MatchingRun) -> str:
        return considered_table(run, helpers_considered_in([run]))


# --- Bookings -----------------------------------------------------------------------------------


class SlotProposalInline(ViewOnlyInline):
    model = SlotProposal
    fields = ("starts_at", "ends_at", "status", "created_at")
    readonly_fields = fields
    verbose_name_plural = "times the helper proposed"


class BookingEventInline(ViewOnlyInline):
    model = BookingEvent
    fields = ("created_at", "from_status", "to_status", "actor", "actor_role", "reason")
    readonly_fields = fields
    ordering = ("created_at", "id")
    verbose_name_plural = "history (every status move)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[BookingEvent]:
        return super().get_queryset(request).select_related("actor")


class ReviewInline(ViewOnlyInline):
    model = Review
    fields = ("author_role", "author", "subject", "rating", "text", "published_at", "created_at")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[Review]:
        return super().get_queryset(request).select_related("author", "subject")


@admin.register(Booking)
class BookingAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "public_id",
        "status",
        "customer_email",
        "helper_name",
        "category",
        "locality",
        "starts_at",
        "price",
        "caused_by",
        "created_at",
    )
    list_select_related = ("help_request__customer", "help_request__category", "helper__user")
    list_filter = (
        "status",
        "caused_by",
        "is_late_cancellation",
        "signed_off_automatically",
        "help_request__category",
        "starts_at",
        "created_at",
    )
    search_fields = (
        "public_id",
        "help_request__public_id",
        "helper__user__email",
        "helper__user__display_name",
        "helper__user__phone",
        "help_request__customer__email",
        "help_request__customer__display_name",
        "help_request__customer__phone",
        "help_request__postal_code",
        "help_request__locality",
    )
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = (SlotProposalInline, BookingEventInline, ReviewInline)
    fieldsets = (
        (
            "Who and what",
            {
                "fields": (
                    "public_id",
                    "help_request_link",
                    "customer_link",
                    "helper_link",
                    "offer_link",
                    "status",
                )
            },
        ),
        ("Slot and price", {"fields": ("starts_at", "ends_at", "price")}),
        (
            "Visit",
            {
                "fields": (
                    "eta_at",
                    "checked_in_at",
                    "checked_out_at",
                    "work_summary",
                    "leave_behind_note",
                )
            },
        ),
        (
            "Sign-off, disputes and cancellation",
            {
                "fields": (
                    "signed_off_at",
                    "signed_off_automatically",
                    "dispute_reason",
                    "closed_at",
                    "caused_by",
                    "cause",
                    "is_late_cancellation",
                )
            },
        ),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )
    readonly_fields = (
        "public_id",
        "help_request_link",
        "customer_link",
        "helper_link",
        "offer_link",
        "status",
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
        "closed_at",
        "caused_by",
        "cause",
        "is_late_cancellation",
        "created_at",
        "updated_at",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Booking]:
        return (
            super()
            .get_queryset(request)
            .select_related("help_request__customer", "help_request__category", "helper__user")
        )

    @admin.display(description="customer", ordering="help_request__customer__email")
    def customer_email(self, booking: Booking) -> str:
        return booking.help_request.customer.email

    @admin.display(description="helper", ordering="helper__user__display_name")
    def helper_name(self, booking: Booking) -> str:
        return booking.helper.user.display_name

    @admin.display(description="category", ordering="help_request__category__position")
    def category(self, booking: Booking) -> str:
        return booking.help_request.category.name

    @admin.display(description="locality", ordering="help_request__locality")
    def locality(self, booking: Booking) -> str:
        help_request = booking.help_request
        return f"{help_request.postal_code} {help_request.locality}".strip() or "—"

    @admin.display(description="price", ordering="price_minor")
    def price(self, booking: Booking) -> str:
        return price_text(booking.price_minor, booking.currency)

    @admin.display(description="help request")
    def help_request_link(self, booking: Booking) -> str:
        return admin_link(booking.help_request, booking.help_request.public_id)

    @admin.display(description="customer")
    def customer_link(self, booking: Booking) -> str:
        return admin_link(booking.help_request.customer)

    @admin.display(description="helper")
    def helper_link(self, booking: Booking) -> str:
        return admin_link(booking.helper, booking.helper.user.display_name)

    @admin.display(description="offer")
    def offer_link(self, booking: Booking) -> str:
        return admin_link(booking.offer, booking.offer.public_id)


# --- The audit trail and reviews ----------------------------------------------------------------


@admin.register(BookingEvent)
class BookingEventAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Append-only: the admin may read the trail, never add to it, edit it or prune it."""

    list_display = (
        "created_at",
        "booking_link",
        "from_status",
        "to_status",
        "actor_email",
        "actor_role",
        "reason",
    )
    list_select_related = ("booking", "actor")
    list_filter = ("to_status", "actor_role", "from_status", "created_at")
    search_fields = ("booking__public_id", "actor__email", "actor__display_name", "reason")
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "booking_link",
        "from_status",
        "to_status",
        "actor_link",
        "actor_role",
        "reason",
        "data_pretty",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description="booking", ordering="booking__public_id")
    def booking_link(self, event: BookingEvent) -> str:
        return admin_link(event.booking, event.booking.public_id)

    @admin.display(description="actor", ordering="actor__email")
    def actor_email(self, event: BookingEvent) -> str:
        return event.actor.email if event.actor is not None else "—"

    @admin.display(description="actor")
    def actor_link(self, event: BookingEvent) -> str:
        return admin_link(event.actor)

    @admin.display(description="data")
    def data_pretty(self, event: BookingEvent) -> str:
        return pretty_json(event.data)


@admin.register(Review)
class ReviewAdmin(ViewOnlyMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "booking_link",
        "author_role",
        "author_email",
        "subject_email",
        "stars",
        "is_published",
        "published_at",
    )
    list_select_related = ("booking", "author", "subject")
    list_filter = ("rating", "author_role", PublishedFilter, "created_at")
    search_fields = (
        "booking__public_id",
        "author__email",
        "author__display_name",
        "subject__email",
        "subject__display_name",
        "text",
    )
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "booking_link",
        "author_role",
        "author_link",
        "subject_link",
        "stars",
        "text",
        "is_published",
        "published_at",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description="booking", ordering="booking__public_id")
    def booking_link(self, review: Review) -> str:
        return admin_link(review.booking, review.booking.public_id)

    @admin.display(description="author", ordering="author__email")
    def author_email(self, review: Review) -> str:
        return review.author.email

    @admin.display(description="about", ordering="subject__email")
    def subject_email(self, review: Review) -> str:
        return review.subject.email

    @admin.display(description="author")
    def author_link(self, review: Review) -> str:
        return admin_link(review.author)

    @admin.display(description="about")
    def subject_link(self, review: Review) -> str:
        return admin_link(review.subject)

    @admin.display(description="rating", ordering="rating")
    def stars(self, review: Review) -> str:
        return "★" * review.rating + "☆" * (5 - review.rating)

    @admin.display(description="published", boolean=True, ordering="published_at")
    def is_published(self, review: Review) -> bool:
        return review.published_at is not None
