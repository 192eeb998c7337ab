"""The catalogue in the back office: the community manager edits what helpers help with."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from backend.admin import name_row_controls
from catalogue.models import ServiceCategory


class ServiceCategoryRowForm(forms.ModelForm):
    """A row of the list, whose editable columns are named by the column and the category."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name_row_controls(self, self.instance.name)


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

    def get_changelist_form(self, request: HttpRequest, **kwargs: Any) -> type[forms.ModelForm]:
        return super().get_changelist_form(request, **{"form": ServiceCategoryRowForm, **kwargs})
