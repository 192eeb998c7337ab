"""A suspended (or offboarded) helper's coming visits are cancelled through the booking
services, as nobody's fault, and the requests are offered to other helpers."""

from __future__ import annotations

import pytest

from backend.exceptions import ApplicationError
from bookings.models import BookingEvent, BookingStatus, HelpRequestStatus, Party
from helpers import services
from helpers.models import ApprovalStatus
from tests.factories import ManagerFactory, make_booking, make_helper, next_slot_start

pytestmark = pytest.mark.django_db


def test_suspending_cancels_the_coming_visits_and_reopens_their_requests():
    # Given a helper with a confirmed visit in two days and a visit under way today
    helper = make_helper()
    coming = make_booking(BookingStatus.CONFIRMED, helper=helper, start=next_slot_start(days=2))
    under_way = make_booking(BookingStatus.ON_THE_WAY, helper=helper)
    manager = ManagerFactory.create()

    # When the manager suspends the helper
    services.helper_suspend(helper=helper, actor=manager, note="Complaints.")

    # Then the coming visit is cancelled by the manager as nobody's fault, its request open
    # again; the visit under way is left for the manager to settle
    coming.refresh_from_db()
    under_way.refresh_from_db()
    assert (coming.status, coming.caused_by, coming.is_late_cancellation) == (
        BookingStatus.CANCELLED,
        Party.NOBODY,
        False,
    )
    assert coming.help_request.status == HelpRequestStatus.OPEN
    last = BookingEvent.objects.filter(booking=coming).order_by("pk").last()
    assert (last.to_status, last.actor) == (BookingStatus.CANCELLED, manager)
    assert under_way.status == BookingStatus.ON_THE_WAY
    helper.refresh_from_db()
    assert helper.cancellations_caused == 0
    assert helper.approval_status == ApprovalStatus.SUSPENDED


def test_a_refused_suspension_cancels_nothing():
    helper = make_helper()
    coming = make_booking(BookingStatus.CONFIRMED, helper=helper, start=next_slot_start(days=2))

    with pytest.raises(ApplicationError) as refused:
        services.helper_suspend(helper=helper, actor=ManagerFactory.create(), note="")

    assert refused.value.code == "reason_required"
    coming.refresh_from_db()
    assert coming.status == BookingStatus.CONFIRMED
    assert BookingEvent.objects.filter(booking=coming, to_status="cancelled").count() == 0


def test_offboarding_cancels_the_coming_visits_too():
    helper = make_helper()
    visit = make_booking(BookingStatus.PROPOSED, helper=helper, start=next_slot_start(days=3))

    services.helper_offboard(helper=helper, actor=ManagerFactory.create(), note="Left.")

    visit.refresh_from_db()
    assert (visit.status, visit.caused_by) == (BookingStatus.CANCELLED, Party.NOBODY)
    assert visit.help_request.status == HelpRequestStatus.OPEN
