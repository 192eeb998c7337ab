"""Background work, run by the django-tasks-db worker (`manage.py worker`).

The tasks are scheduled by the handlers of the domain events (`bookings/handlers.py`), in the
transaction of the change that asked for them. Every task re-reads the state and does nothing
when its work is no longer due, so running one twice, late, or after the sweep is harmless.
"""

from __future__ import annotations

from django_tasks import task

from bookings.models import Booking, HelpRequest
from bookings.services import (
    booking_auto_sign_off,
    offers_dispatch,
    offers_expire_due,
    reviews_close_window,
    sweep_due_work,
)


@task()
def dispatch_offers(help_request_id: int) -> int:
    """Offer a request to the next helpers (after a decline, a cancellation or a suspension)."""
    help_request = HelpRequest.objects.filter(pk=help_request_id).first()
    if help_request is None:
        return 0
    return len(offers_dispatch(help_request=help_request))


@task()
def expire_offers(help_request_id: int) -> int:
    """Expire the offers whose time is up and widen the search if nobody is left."""
    help_request = HelpRequest.objects.filter(pk=help_request_id).first()
    if help_request is None:
        return 0
    return offers_expire_due(help_request=help_request)


@task()
def auto_sign_off(booking_id: int) -> bool:
    """Sign off a visit the customer neither signed off nor disputed in time."""
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None:
        return False
    return booking_auto_sign_off(booking=booking) is not None


@task()
def close_review_window(booking_id: int) -> int:
    """Publish the reviews written for a visit once its review window has closed."""
    booking = Booking.objects.filter(pk=booking_id).first()
    if booking is None:
        return 0
    return reviews_close_window(booking=booking)


@task()
def sweep() -> dict[str, int]:
    """Catch up on every time-based step that is due (see `services.sweep_due_work`)."""
    return sweep_due_work()
