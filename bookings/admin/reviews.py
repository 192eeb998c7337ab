"""Reviews, published or still hidden until both sides wrote or the window closed."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.admin import ViewOnlyMixin, admin_link
from bookings.models import Review


class PublishedFilter(admin.SimpleListFilter):
    title = _("published")
    parameter_name = "published"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", gettext("Published")), ("no", gettext("Not yet published"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(published_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(published_at__isnull=True)
        return queryset


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

    @admin.display(description=_("booking"), ordering="booking__public_id")
    def booking_link(self, review: Review) -> str:
        return admin_link(review.booking, review.booking.public_id)

    @admin.display(description=_("author"), ordering="author__email")
    def author_email(self, review: Review) -> str:
        return review.author.email

    @admin.display(description=_("about"), ordering="subject__email")
    def subject_email(self, review: Review) -> str:
        return review.subject.email

    @admin.display(description=_("author"))
    def author_link(self, review: Review) -> str:
        return admin_link(review.author)

    @admin.display(description=_("about"))
    def subject_link(self, review: Review) -> str:
        return admin_link(review.subject)

    @admin.display(description=_("rating"), ordering="rating")
    def stars(self, review: Review) -> str:
        return "★" * review.rating + "☆" * (5 - review.rating)

    @admin.display(description=_("published"), boolean=True, ordering="published_at")
    def is_published(self, review: Review) -> bool:
        return review.published_at is not None
