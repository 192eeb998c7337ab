"""The catalogue in the back office: the community manager edits what helpers help with."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from catalogue.models import ServiceCategory


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(TranslationAdmin):
    list_display = (
        "name_en",
        "slug",
        "name_de",
        "name_fr",
        "name_it",
        "typical_duration_minutes",
        "position",
        "is_active",
    )
    list_editable = ("typical_duration_minutes", "position", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name_en", "name_de", "name_fr", "name_it", "slug")
    ordering = ("position", "slug")
    prepopulated_fields = {"slug": ("name_en",)}
    # The translated fields (name, description) show once per language.
    fieldsets = (
        (None, {"fields": ("name", "slug", "description")}),
        (_("Offering"), {"fields": ("typical_duration_minutes", "position", "is_active")}),
    )
