"""The catalogue in the back office: the community manager edits what helpers help with."""

from django.contrib import admin

from catalogue.models import ServiceCategory


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = (
        "name",
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
    search_fields = ("name", "name_de", "name_fr", "name_it", "slug")
    ordering = ("position", "slug")
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "description")}),
        ("Translations", {"fields": ("name_de", "name_fr", "name_it")}),
        ("Offering", {"fields": ("typical_duration_minutes", "position", "is_active")}),
    )
