"""What the demo holds, as the lines `seed_demo` prints: counts by status and the log-ins."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, QuerySet

from backend.models import User
from bookings.models import (
    Booking,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
    Offer,
    OfferStatus,
    Review,
)
from demo.paid import paid_bookings
from demo.people import DEMO_PASSWORD, MANAGER_EMAIL, SEED_MARKER, demo_users, showcase_helper
from helpers.models import ApprovalStatus, AvailabilityException, HelperProfile
from payments.models import Payment, PaymentStatus, Receipt
from web.showcase import DemoLogIn

Row = tuple[str, str | int]


def _by_status(
    queryset: QuerySet[HelpRequest] | QuerySet[Booking] | QuerySet[Offer] | QuerySet[Payment],
    values: Sequence[str],
) -> list[Row]:
    found = dict(
        queryset.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return [(f"  {value}", found.get(value, 0)) for value in values]


def _people_rows() -> list[Row]:
    users = demo_users()
    helpers = HelperProfile.objects.filter(user__in=users)
    approval = dict(
        helpers.order_by()
        .values("approval_status")
        .annotate(n=Count("pk"))
        .values_list("approval_status", "n")
    )
    return [
        ("people", ""),
        ("  community managers", users.filter(is_staff=True).count()),
        ("  customers", users.filter(is_staff=False, helper_profile__isnull=True).count()),
        *((f"  helpers {status}", approval.get(status, 0)) for status in ApprovalStatus.values),
        (
            "  availability exceptions",
            AvailabilityException.objects.filter(helper__in=helpers).count(),
        ),
    ]


def _by_payment_status(payments: QuerySet[Payment]) -> list[Row]:
    """Only the payments that went through Stripe (a hold placed at least)."""
    shown = [status for status in PaymentStatus.values if status != "requires_payment_method"]
    return _by_status(payments, shown)


def _activity_rows() -> list[Row]:
    requests = HelpRequest.objects.filter(customer__in=demo_users())
    bookings = Booking.objects.filter(help_request__in=requests)
    offers = Offer.objects.filter(help_request__in=requests)
    reviews = Review.objects.filter(booking__in=bookings)
    return [
        ("help requests", requests.count()),
        *_by_status(requests, HelpRequestStatus.values),
        ("  on behalf of a relative", requests.exclude(on_behalf_name="").count()),
        ("bookings", bookings.count()),
        *_by_status(bookings, BookingStatus.values),
        ("  signed off automatically", bookings.filter(signed_off_automatically=True).count()),
        ("  late cancellations", bookings.filter(is_late_cancellation=True).count()),
        ("offers", offers.count()),
        *_by_status(offers, OfferStatus.values),
        ("payments by card", Payment.objects.filter(booking__in=bookings).count()),
        *_by_payment_status(Payment.objects.filter(booking__in=bookings)),
        ("  receipts", Receipt.objects.filter(payment__booking__in=bookings).count()),
        ("reviews", reviews.count()),
        ("  published", reviews.filter(published_at__isnull=False).count()),
        ("  hidden (other side not yet)", reviews.filter(published_at__isnull=True).count()),
    ]


def demo_log_ins() -> list[DemoLogIn]:
    """The log-ins worth trying, for the web app's home page; none without demo data."""
    if not User.objects.filter(email=MANAGER_EMAIL, display_name=SEED_MARKER).exists():
        return []
    customer, helper = _showcase_people()
    log_ins = []
    if customer is not None:
        log_ins.append(DemoLogIn("customer", customer.email, DEMO_PASSWORD))
    if helper is not None:
        log_ins.append(DemoLogIn("helper", helper.user.email, DEMO_PASSWORD))
    log_ins.append(DemoLogIn("manager", MANAGER_EMAIL, DEMO_PASSWORD))
    return log_ins


def _showcase_people() -> tuple[User | None, HelperProfile | None]:
    """The customer and the helper with the most visits: the ones worth trying."""
    users = demo_users()
    customer = (
        users.filter(is_staff=False, helper_profile__isnull=True)
        .annotate(n=Count("help_requests__bookings"))
        .order_by("-n", "pk")
        .first()
    )
    return customer, showcase_helper()


def _log_ins() -> list[str]:
    """The manager, and the customer and helper with the most visits: the ones worth trying."""
    customer, helper = _showcase_people()
    lines = [
        f"Demo log-ins (password for all of them: {DEMO_PASSWORD})",
        f"  community manager  {MANAGER_EMAIL}  (back office: /admin/)",
    ]
    if customer is not None:
        lines.append(f"  customer           {customer.email}")
    if helper is not None:
        lines.append(f"  helper             {helper.user.email}")
    applicant = (
        HelperProfile.objects.filter(
            user__in=demo_users(), approval_status=ApprovalStatus.DOCUMENTS_CHECKED
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    settled, held = paid_bookings()
    if settled is not None:
        lines.append(
            f"  paid visit         {settled.help_request.customer.email} (customer: the visit's "
            f"receipt at /receipts/{settled.public_id}/), {settled.helper.user.email} "
            "(helper: /helper/earnings)"
        )
    if held is not None:
        lines.append(
            f"  card held          {held.help_request.customer.email} (customer), "
            f"{held.helper.user.email} (helper)"
        )
    if applicant is not None:
        lines.append(
            f"  applicant          {applicant.user.email}  (code-of-conduct test: /helper/conduct-test)"
        )
    return lines


def summary_lines() -> list[str]:
    rows = _people_rows() + _activity_rows()
    width = max(len(label) for label, _ in rows) + 2
    lines = [f"{label.ljust(width)}{str(value).rjust(6)}" for label, value in rows]
    return [*lines, "", *_log_ins()]
