import pytest

from bookings.models import BookingEvent, BookingStatus
from tests.factories import make_booking

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", list(BookingStatus.values))
def test_make_booking_reaches_every_status(status):
    booking = make_booking(status)
    booking.refresh_from_db()
    assert booking.status == status
    assert BookingEvent.objects.filter(booking=booking).last().to_status == status
