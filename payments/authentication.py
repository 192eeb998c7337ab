"""3-D Secure on the same PaymentIntent: when a hold (at confirmation, or the deferred one 2
days before the visit) asks for 3-D Secure, the PaymentIntent stays in `requires_action` and
its id and client secret are kept on the payment. The customer finishes the challenge on the
visit's page with Stripe.js (`confirmCardPayment`), then the page asks Quartier to follow the
intent: held → the payment is authorised and the visit goes ahead (both sides are told);
failed → the customer gives another card (a new attempt). The webhook
(`payment_intent.amount_capturable_updated`) does the same should the page not come back."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from backend.exceptions import CoreError, PermissionDenied, raises
from backend.models import User
from payments import stripe_gateway
from payments.errors import PaymentError
from payments.exceptions import PaymentProviderRefused
from payments.models import Payment, PaymentStatus
from payments.services import _apply_intent
from payments.steps import _lock


@raises(
    CoreError.NOT_ALLOWED_FOR_ROLE,
    PaymentError.PAYMENT_NOT_EXPECTED,
    stripe_gateway.PROVIDER_ERRORS,
)
def payment_authentication_finished(*, payment: Payment, actor: User) -> Payment:
    """The customer is back from the 3-D Secure challenge: the payment follows its intent."""
    with transaction.atomic():
        booking, payment = _lock(payment)
        if booking.help_request.customer_id != actor.pk:
            raise PermissionDenied(
                _("Only the customer pays for a visit."), code=CoreError.NOT_ALLOWED_FOR_ROLE
            )
        if payment.status != PaymentStatus.REQUIRES_PAYMENT_METHOD or not (
            payment.authentication_intent_id
        ):
            raise PaymentProviderRefused(
                _("No payment of this visit waits for your bank's confirmation."),
                code=PaymentError.PAYMENT_NOT_EXPECTED,
            )
        intent = stripe_gateway.payment_intent_retrieve(
            account_id=payment.stripe_account_id, intent_id=payment.authentication_intent_id
        )
        _apply_intent(payment, intent, reason="3-D Secure completed")
        if intent.status in ("requires_payment_method", "canceled"):
            # The challenge failed: another card is needed (a new attempt, a new intent).
            payment.authentication_intent_id = ""
            payment.authentication_client_secret = ""
            payment.save(
                update_fields=[
                    "authentication_intent_id",
                    "authentication_client_secret",
                    "updated_at",
                ]
            )
    return payment
