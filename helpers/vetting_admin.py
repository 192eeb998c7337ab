"""The back office's read-only view of applicants' documents and who opened them.

Nothing here shows or serves a file: managers open documents through the API's document
viewer, which logs the access. Registered from `HelpersConfig.ready()`.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from helpers.models import DocumentAccess, HelperDocument


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class DocumentAccessInline(admin.TabularInline):
    model = DocumentAccess
    fields = ("manager", "accessed_at", "ip_address")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class HelperDocumentAdmin(ReadOnlyAdmin):
    list_display = ("helper", "kind", "content_type", "size_bytes", "uploaded_at", "deleted_at")
    list_filter = ("kind", "content_type", "deletion_cause")
    search_fields = ("helper__user__email", "helper__user__display_name")
    list_select_related = ("helper__user",)
    fields = (
        "public_id",
        "helper",
        "kind",
        "content_type",
        "size_bytes",
        "original_name",
        "issued_on",
        "sha256",
        "uploaded_at",
        "delete_after",
        "deleted_at",
        "deletion_cause",
    )
    readonly_fields = fields
    inlines = (DocumentAccessInline,)


class DocumentAccessAdmin(ReadOnlyAdmin):
    list_display = ("accessed_at", "manager", "document", "ip_address")
    list_select_related = ("manager", "document__helper__user")
    search_fields = ("manager__email", "document__helper__user__email")
    date_hierarchy = "accessed_at"


def register(site: admin.AdminSite) -> None:
    site.register(HelperDocument, HelperDocumentAdmin)
    site.register(DocumentAccess, DocumentAccessAdmin)
