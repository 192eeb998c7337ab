"""Offers: who was asked, in which round and rank, why, and how they answered."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backend.admin import ViewOnlyMixin, admin_link
from bookings.admin.common import offer_summary, pretty_json
from bookings.models import Offer


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

    @admin.display(description=_("helper"), ordering="helper__user__display_name")
    def helper_name(self, offer: Offer) -> str:
        return offer.helper.user.display_name

    @admin.display(description=_("help request"))
    def help_request_link(self, offer: Offer) -> str:
        return admin_link(offer.help_request, offer.help_request.public_id)

    @admin.display(description=_("helper"))
    def helper_link(self, offer: Offer) -> str:
        return admin_link(offer.helper, offer.helper.user.display_name)

    @admin.display(description=_("category"), ordering="help_request__category__position")
    def category(self, offer: Offer) -> str:
        return offer.help_request.category.name

    @admin.display(description=_("distance"), ordering="distance_m")
    def distance(self, offer: Offer) -> str:
        return f"{offer.distance_m / 1000:.1f} km"

    @admin.display(description=_("why this helper"))
    def summary(self, offer: Offer) -> str:
        return offer_summary(offer)

    @admin.display(description=_("explanation"))
    def explanation_pretty(self, offer: Offer) -> str:
        return pretty_json(offer.explanation)
