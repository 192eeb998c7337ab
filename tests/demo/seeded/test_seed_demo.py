"""`manage.py seed_demo`: a believable demo community, built through the services (the demo
these tests read is built once for them all: `seeded_demo`)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from backend.geo import Point, is_in_switzerland
from backend.models import User
from bookings.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
    Offer,
    Review,
    SlotProposal,
)
from helpers.models import AvailabilityException, HelperProfile, WeeklyAvailability
from tests.demo.seeded.conftest import SEEDED

pytestmark = pytest.mark.django_db


def seed(**options: object) -> str:
    stdout = io.StringIO()
    call_command("seed_demo", **{**SEEDED, **options}, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


def snapshot() -> dict[str, object]:
    """Every count the demo data is made of, statuses included."""
    return {
        "users": User.objects.count(),
        "helpers": sorted(HelperProfile.objects.values_list("approval_status", flat=True)),
        "weekly_availability": WeeklyAvailability.objects.count(),
        "availability_exceptions": AvailabilityException.objects.count(),
        "help_requests": sorted(HelpRequest.objects.values_list("status", flat=True)),
        "offers": sorted(Offer.objects.values_list("status", flat=True)),
        "bookings": sorted(Booking.objects.values_list("status", flat=True)),
        "booking_events": BookingEvent.objects.count(),
        "slot_proposals": SlotProposal.objects.count(),
        "reviews": Review.objects.count(),
    }


def test_seed_demo_builds_a_community_with_every_status(seeded_demo):
    output = seeded_demo.output

    manager = User.objects.get(email="manager@quartier.test")
    assert manager.is_staff
    assert manager.is_superuser
    assert manager.check_password("quartier-demo")
    assert User.objects.filter(email__endswith="@example.ch").count() == 80
    assert HelperProfile.objects.count() == 40
    assert "manager@quartier.test" in output
    assert "quartier-demo" in output
    # Every status, except settled: only the payments app settles.
    assert set(Booking.objects.values_list("status", flat=True)) == set(BookingStatus.values) - {
        BookingStatus.SETTLED
    }
    assert set(HelpRequest.objects.values_list("status", flat=True)) == set(
        HelpRequestStatus.values
    )
    # Every status was reached by a recorded move.
    bookings = list(Booking.objects.prefetch_related("events"))
    last_events = {booking.pk: list(booking.events.all())[-1].to_status for booking in bookings}
    assert last_events == {booking.pk: booking.status for booking in bookings}
    # Everyone lives in Switzerland.
    homes = list(User.objects.values_list("email", "home_latitude", "home_longitude"))
    assert len(homes) == 81
    outside = [
        email
        for email, latitude, longitude in homes
        if latitude is None or not is_in_switzerland(Point(latitude, longitude))
    ]
    assert outside == []


def test_seed_demo_run_twice_changes_nothing():
    before = snapshot()

    output = seed()

    assert output.startswith("Demo data already present")
    assert snapshot() == before


def test_seed_demo_reset_replaces_the_demo_data():
    old_manager = User.objects.get(email="manager@quartier.test")

    output = seed(reset=True, helpers=12, customers=15, requests=25)

    assert output.startswith("Deleted 81 demo people")
    new_manager = User.objects.get(email="manager@quartier.test")
    assert new_manager.pk != old_manager.pk
    assert User.objects.count() == 1 + 12 + 15
    assert HelperProfile.objects.count() == 12
    assert not Booking.objects.exclude(help_request__customer__email__endswith="@example.ch")


def test_the_reset_takes_the_demos_receipts_and_tips_with_it():
    from payments.models import LedgerEntry, Receipt, Tip
    from tests.factories import paid_on_paper

    booking = Booking.objects.filter(
        status__in=(BookingStatus.SIGNED_OFF, BookingStatus.SETTLED), price_minor__gt=0
    ).first()
    assert booking is not None
    receipt = paid_on_paper(booking)
    Tip.objects.create(
        booking=booking,
        payment=receipt.payment,
        amount_minor=500,
        currency="CHF",
        payment_intent_id="pi_demo_tip",
        charge_id="ch_demo_tip",
    )

    seed(reset=True, helpers=0, customers=0, requests=0)

    assert (Receipt.objects.count(), Tip.objects.count(), LedgerEntry.objects.count()) == (0, 0, 0)
