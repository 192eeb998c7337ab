"""Bookings (visits) with their proposed times, history and reviews, and the append-only trail."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from backend.admin import ViewOnlyInline, ViewOnlyMixin, admin_link
from bookings.admin.common import pretty_json, price_text
from bookings.models import Booking, BookingEvent, Review, SlotProposal


class SlotProposalInline(ViewOnlyInline):
    model = SlotProposal
    fields = ("starts_at", "ends_at", "status", "created_at")
    readonly_fields = fields
    verbose_name_plural = _("times the helper proposed")


class BookingEventInline(ViewOnlyInline):
    model = BookingEvent
    fields = ("created_at", "from_status", "to_status", "actor", "actor_role", "reason")
    readonly_fields = fields
    ordering = ("created_at", "id")
    verbose_name_plural = _("history (every status move)")

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
            _("Who and what"),
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
        (_("Slot and price"), {"fields": ("starts_at", "ends_at", "price")}),
        (
            _("Visit"),
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
            _("Sign-off, disputes and cancellation"),
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
        (_("Dates"), {"fields": ("created_at", "updated_at")}),
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

    @admin.display(description=_("customer"), ordering="help_request__customer__email")
    def customer_email(self, booking: Booking) -> str:
        return booking.help_request.customer.email

    @admin.display(description=_("helper"), ordering="helper__user__display_name")
    def helper_name(self, booking: Booking) -> str:
        return booking.helper.user.display_name

    @admin.display(description=_("category"), ordering="help_request__category__position")
    def category(self, booking: Booking) -> str:
        return booking.help_request.category.name

    @admin.display(description=_("locality"), ordering="help_request__locality")
    def locality(self, booking: Booking) -> str:
        help_request = booking.help_request
        return f"{help_request.postal_code} {help_request.locality}".strip() or "—"

    @admin.display(description=_("price"), ordering="price_minor")
    def price(self, booking: Booking) -> str:
        return price_text(booking.price_minor, booking.currency)

    @admin.display(description=_("help request"))
    def help_request_link(self, booking: Booking) -> str:
        return admin_link(booking.help_request, booking.help_request.public_id)

    @admin.display(description=_("customer"))
    def customer_link(self, booking: Booking) -> str:
        return admin_link(booking.help_request.customer)

    @admin.display(description=_("helper"))
    def helper_link(self, booking: Booking) -> str:
        return admin_link(booking.helper, booking.helper.user.display_name)

    @admin.display(description=_("offer"))
    def offer_link(self, booking: Booking) -> str:
        return admin_link(booking.offer, booking.offer.public_id)


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

    @admin.display(description=_("booking"), ordering="booking__public_id")
    def booking_link(self, event: BookingEvent) -> str:
        return admin_link(event.booking, event.booking.public_id)

    @admin.display(description=_("actor"), ordering="actor__email")
    def actor_email(self, event: BookingEvent) -> str:
        return event.actor.email if event.actor is not None else "—"

    @admin.display(description=_("actor"))
    def actor_link(self, event: BookingEvent) -> str:
        return admin_link(event.actor)

    @admin.display(description=_("data"))
    def data_pretty(self, event: BookingEvent) -> str:
        return pretty_json(event.data)
