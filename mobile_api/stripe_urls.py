"""Stripe's webhook, outside the versioned API: Stripe signs its requests instead of logging in,
and it follows Stripe's event format, not Quartier's (/stripe/webhook)."""

from django.urls import path

from mobile_api.views.payments import StripeWebhookView

urlpatterns = [
    path("webhook", StripeWebhookView.as_view(), name="stripe-webhook"),
]
