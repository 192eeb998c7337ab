"""Deleting the demo: its people and everything hanging off them, real accounts untouched."""

from __future__ import annotations

import functools

from django.db import transaction
from django.db.models import Q
from django_tasks_db.models import DBTaskResult

from academy.models import Course, TrainingEvent
from bookings.models import Booking, HelpRequest, Review, SafetyReport
from catalogue.models import LegalAcceptance
from demo.academy import COURSES as DEMO_COURSES
from demo.people import demo_users
from helpers.documents import remove_file
from helpers.models import DocumentAccess, HelperDocument, HelperProfile
from payments.models import (
    LedgerEntry,
    Payment,
    PaymentEvent,
    PayoutAccount,
    Receipt,
    StripeRequest,
    Tip,
)


def delete_demo_data() -> int:
    """Delete the demo people and everything hanging off them. Returns how many people."""
    users = demo_users()
    helpers = HelperProfile.objects.filter(user__in=users)
    request_ids = list(
        HelpRequest.objects.filter(
            Q(customer__in=users) | Q(offers__helper__in=helpers) | Q(assigned_helper__in=helpers)
        )
        .distinct()
        .values_list("pk", flat=True)
    )
    booking_ids = list(
        Booking.objects.filter(
            Q(help_request_id__in=request_ids) | Q(helper__in=helpers)
        ).values_list("pk", flat=True)
    )
    Review.objects.filter(booking_id__in=booking_ids).delete()
    SafetyReport.objects.filter(
        Q(booking_id__in=booking_ids) | Q(reporter__in=users) | Q(reported__in=users)
    ).delete()
    # The demo's money (the emulator's test money, never real) goes with its bookings.
    payments = Payment.objects.filter(booking_id__in=booking_ids)
    LedgerEntry.objects.filter(payment__in=payments).delete()
    Receipt.objects.filter(payment__in=payments).delete()
    Tip.objects.filter(payment__in=payments).delete()
    PaymentEvent.objects.filter(payment__in=payments).delete()
    StripeRequest.objects.filter(
        Q(payment__in=payments) | Q(payout_account__helper__in=helpers)
    ).delete()
    payments.delete()
    PayoutAccount.objects.filter(helper__in=helpers).delete()
    Booking.objects.filter(pk__in=booking_ids).delete()
    HelpRequest.objects.filter(pk__in=request_ids).delete()
    _delete_queued_tasks(set(request_ids), set(booking_ids))
    # The applicants' documents: the access log first (it keeps managers), the files once the
    # rows are gone for good.
    documents = HelperDocument.objects.filter(helper__in=helpers)
    files = list(documents.filter(deleted_at__isnull=True).values_list("storage_name", flat=True))
    DocumentAccess.objects.filter(document__in=documents).delete()
    # Their acceptances of terms and waivers (records of demo people only).
    LegalAcceptance.objects.filter(user__in=users).delete()
    # The events the demo's manager announced (the courses stay, as the conduct test does;
    # the certifications, attempts and registrations go with the helpers).
    TrainingEvent.objects.filter(created_by__in=users).delete()
    count = users.count()
    users.delete()
    # The demo's courses go too: kept, they would gate the next build's new helpers before
    # they could pass them (their certifications and attempts went with the helpers).
    Course.objects.filter(slug__in=DEMO_COURSES).delete()
    for storage_name in files:
        transaction.on_commit(functools.partial(remove_file, storage_name))
    return count


def _delete_queued_tasks(request_ids: set[int], booking_ids: set[int]) -> None:
    """Tasks still queued for deleted rows would otherwise act on whatever reuses the ids."""
    targets = {
        "bookings.tasks.dispatch_offers": request_ids,
        "bookings.tasks.expire_offers": request_ids,
        "bookings.tasks.auto_sign_off": booking_ids,
        "bookings.tasks.close_review_window": booking_ids,
    }
    stale = [
        task.pk
        for task in DBTaskResult.objects.ready().filter(task_path__in=list(targets))
        if (task.args_kwargs.get("args") or [None])[0] in targets[task.task_path]
    ]
    DBTaskResult.objects.filter(pk__in=stale).delete()
