"""The payments app's background work, run by the worker. Each task re-reads the state and does
nothing when its work is no longer due."""

from __future__ import annotations

from django_tasks import task

from payments.models import Payment
from payments.services import payment_authorise


@task()
def place_hold(payment_id: int) -> str:
    """Hold the card for a visit that was too far out when it was confirmed."""
    payment = Payment.objects.filter(pk=payment_id).first()
    if payment is None:
        return "gone"
    outcome = payment_authorise(payment=payment)
    return outcome.payment.status
