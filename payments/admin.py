"""The back office's view of the money: payout accounts, payments with their moves and ledger
entries, webhook events. All read-only; the manager's refund goes through the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from backend.exceptions import ApplicationError
from backend.models import User
from payments.models import (
    ExtraCharge,
    LedgerEntry,
    Payment,
    PaymentEvent,
    PayoutAccount,
    Receipt,
    ReconciliationRun,
    Tip,
    WebhookEvent,
)
from payments.refunds import payment_refund

REFUND_TEMPLATE = "admin/payments/refund.html"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the services only: shown, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PayoutAccount)
class PayoutAccountAdmin(ReadOnlyAdmin):
    list_display = ("helper", "stripe_account_id", "status", "updated_at")
    list_filter = ("status",)
    search_fields = ("stripe_account_id", "helper__user__email")


class PaymentEventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "from_status", "to_status", "actor_role", "reason", "data")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LedgerEntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "debit", "credit", "amount_minor", "currency", "reference")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RefundForm(forms.Form):
    amount_minor = forms.IntegerField(min_value=1, label=_("Amount (minor units, e.g. Rappen)"))
    reason = forms.CharField(max_length=300, label=_("Reason"))


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "public_id",
        "booking",
        "status",
        "pay_with",
        "amount_minor",
        "due_minor",
        "captured_minor",
        "refunded_minor",
        "stripe_fee_minor",
        "currency",
        "updated_at",
    )
    # Status "Due" with "pay with TWINT": visits the customers have not paid yet, oldest last
    # changed first when sorted by "updated at".
    list_filter = ("status", "pay_with", "is_cancellation_fee")
    search_fields = ("public_id", "payment_intent_id")
    inlines = (PaymentEventInline, LedgerEntryInline)
    readonly_fields = (
        "public_id",
        "booking",
        "payout_account",
        "status",
        "currency",
        "amount_minor",
        "pay_with",
        "due_minor",
        "payment_method_id",
        "payment_intent_id",
        "intent_account_id",
        "attempt",
        "authorised_minor",
        "captured_minor",
        "refunded_minor",
        "stripe_fee_minor",
        "is_cancellation_fee",
        "failure_code",
        "failure_message",
        "authentication_intent_id",
        "created_at",
        "updated_at",
        "refund_link",
    )

    def get_urls(self) -> list:
        return [
            path(
                "<int:payment_id>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="payments_payment_refund",
            ),
            *super().get_urls(),
        ]

    def refund_view(self, request: HttpRequest, payment_id: int) -> HttpResponse:
        payment = get_object_or_404(Payment, pk=payment_id)
        form = RefundForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            assert isinstance(request.user, User)  # noqa: S101 - admin_view: staff only
            try:
                payment_refund(
                    payment=payment,
                    actor=request.user,
                    amount_minor=form.cleaned_data["amount_minor"],
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(request, gettext("Refunded."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:payments_payment_change", args=[payment.pk])
                )
        payment_url = reverse("admin:payments_payment_change", args=[payment.pk])
        context = {
            **self.admin_site.each_context(request),
            # The back office's shared confirmation page (admin/confirmation.html)
            "opts": self.model._meta,
            "title": gettext("Refund payment %(payment)s") % {"payment": payment.public_id},
            "submit": gettext("Refund"),
            "changelist_url": reverse("admin:payments_payment_changelist"),
            "cancel_url": payment_url,
            "payment_url": payment_url,
            "payment": payment,
            "form": form,
        }
        return TemplateResponse(request, REFUND_TEMPLATE, context)

    @admin.display(description=pgettext_lazy("heading", "Refund"))
    def refund_link(self, payment: Payment) -> str:
        if payment.status != "captured":
            return "—"
        url = reverse("admin:payments_payment_refund", args=[payment.pk])
        return format_html('<a href="{}">{}</a>', url, gettext("Refund part or all"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Payment]:
        return super().get_queryset(request).select_related("booking", "payout_account")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "booking", "kind", "debit", "credit", "amount_minor", "currency")
    list_filter = ("kind",)


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "event_type", "stripe_event_id", "account", "outcome")
    list_filter = ("event_type",)
    search_fields = ("stripe_event_id",)
    readonly_fields = (
        "stripe_event_id",
        "event_type",
        "account",
        "payload",
        "received_at",
        "processed_at",
        "outcome",
    )


@admin.register(ReconciliationRun)
class ReconciliationRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "finished_at", "mismatch_count")
    readonly_fields = ("started_at", "finished_at", "mismatch_count", "mismatches")


@admin.register(Receipt)
class ReceiptAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "booking", "issued_at")
    search_fields = ("booking__public_id",)
    ordering = ("-year", "-sequence")


@admin.register(Tip)
class TipAdmin(ReadOnlyAdmin):
    list_display = ("booking", "amount_minor", "currency", "stripe_fee_minor", "created_at")
    search_fields = ("payment_intent_id", "booking__public_id")


@admin.register(ExtraCharge)
class ExtraChargeAdmin(ReadOnlyAdmin):
    """Extra time or material asked for on visits: read-only (the parties answer in the app)."""

    list_display = ("booking", "status", "minutes", "material_minor", "amount_minor", "created_at")
    list_filter = ("status",)
    search_fields = ("payment_intent_id", "booking__public_id")
