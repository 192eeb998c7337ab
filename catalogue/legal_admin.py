"""The back office's view of legal documents, their versions and acceptances: read-only (a
published version never changes; acceptances are records). Registered from
`CatalogueConfig.ready()`."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from catalogue.models import LegalAcceptance, LegalDocument, LegalDocumentVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class LegalDocumentAdmin(ReadOnlyAdmin):
    list_display = ("slug", "kind", "category")
    list_filter = ("kind",)


class LegalDocumentVersionAdmin(ReadOnlyAdmin):
    list_display = ("document", "number", "title_en", "published_at", "published_by")
    list_filter = ("document__kind",)
    list_select_related = ("document", "published_by")
    fields = (
        "document",
        "number",
        "published_at",
        "published_by",
        "title_de",
        "text_de",
        "title_fr",
        "text_fr",
        "title_it",
        "text_it",
        "title_en",
        "text_en",
    )
    readonly_fields = fields


class LegalAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ("accepted_at", "user", "version", "language", "on_behalf_name", "ip_address")
    list_filter = ("version__document__kind", "language")
    list_select_related = ("user", "version__document")
    search_fields = ("user__email", "on_behalf_name", "text_sha256")
    date_hierarchy = "accepted_at"
    fields = (
        "user",
        "version",
        "language",
        "text_sha256",
        "accepted_at",
        "ip_address",
        "user_agent",
        "on_behalf_name",
    )
    readonly_fields = fields


def register(site: admin.AdminSite) -> None:
    site.register(LegalDocument, LegalDocumentAdmin)
    site.register(LegalDocumentVersion, LegalDocumentVersionAdmin)
    site.register(LegalAcceptance, LegalAcceptanceAdmin)
