"""Help requests, with the windows the customer offered, their offers and their matching runs."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.admin import SpeaksFilter, ViewOnlyInline, ViewOnlyMixin, admin_link, position_text
from backend.formats import written
from bookings.admin.common import offer_summary
from bookings.admin.matching_runs import considered_table, matching_run_heading
from bookings.models import HelpRequest, Offer, TimeWindow
from bookings.selectors import helpers_considered_in

# How many matching runs a help request's page shows; the rest are in the matching runs list.
MATCHING_RUNS_SHOWN = 10


class TimeWindowInline(ViewOnlyInline):
    model = TimeWindow
    fields = ("starts_at", "ends_at")
    readonly_fields = fields
    verbose_name_plural = _("time windows the customer offered")


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
        return (
            super().get_queryset(request).select_related("helper__user", "help_request__category")
        )

    @admin.display(description=_("distance"))
    def distance(self, offer: Offer) -> str:
        return f"{offer.distance_m / 1000:.1f} km"

    @admin.display(description=_("why this helper"))
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
            _("Request"),
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
        (_("Where"), {"fields": ("street", "postal_code", "locality", "position")}),
        (
            _("Matching"),
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
            _(
                "Matching runs: whom each pass considered, and why each helper was or was not offered"
            ),
            {"fields": ("matching_runs",)},
        ),
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
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

    @admin.display(description=_("customer"), ordering="customer__email")
    def customer_email(self, help_request: HelpRequest) -> str:
        return help_request.customer.email

    @admin.display(description=_("assigned helper"), ordering="assigned_helper__user__display_name")
    def assigned_helper_name(self, help_request: HelpRequest) -> str:
        helper = help_request.assigned_helper
        return helper.user.display_name if helper is not None else "—"

    @admin.display(description=_("customer"))
    def customer_link(self, help_request: HelpRequest) -> str:
        return admin_link(help_request.customer)

    @admin.display(description=_("assigned helper"))
    def assigned_helper_link(self, help_request: HelpRequest) -> str:
        return admin_link(help_request.assigned_helper)

    @admin.display(description=_("position (lat, lon)"))
    def position(self, help_request: HelpRequest) -> str:
        return position_text(help_request.latitude, help_request.longitude)

    @admin.display(description=_("bookings"))
    def booking_links(self, help_request: HelpRequest) -> str:
        links = [
            admin_link(
                booking,
                f"{booking.get_status_display()} ({written.day_month_year(booking.created_at)})",
            )
            for booking in help_request.bookings.order_by("created_at")
        ]
        return format_html("<br>".join(["{}"] * len(links)), *links) if links else "—"

    @admin.display(description=_("newest first"))
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
            '{}<p><a href="{}?q={}">{}</a></p>',
            sections,
            url,
            help_request.public_id,
            gettext("All matching runs of this request"),
        )
