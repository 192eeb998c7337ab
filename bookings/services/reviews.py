"""Reviews: double-blind ratings of each side by the other after the visit."""

from __future__ import annotations

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend import clock
from backend.config import config
from backend.exceptions import ValidationFailed, raises
from backend.models import User
from backend.outbox import emit
from backend.roles import ActorRole
from backend.texts import visible_text
from bookings.errors import BookingError
from bookings.events import ReviewSubmitted
from bookings.exceptions import AlreadyReviewed, IllegalTransition, ReviewWindowClosed
from bookings.models import REVIEW_TEXT_MAX_LENGTH, REVIEWABLE_STATUSES, Booking, Review
from bookings.services.locks import lock_booking
from bookings.services.moves import reviews_publish
from bookings.services.visits import require_role


@transaction.atomic
@raises(
    require_role,
    BookingError.NOT_REVIEWABLE,
    BookingError.REVIEW_WINDOW_CLOSED,
    BookingError.ALREADY_REVIEWED,
    BookingError.INVALID_RATING,
    visible_text,
)
def review_submit(*, booking: Booking, actor: User, rating: int, text: str = "") -> Review:
    """Rate the other side 1–5 within REVIEW_WINDOW_DAYS of the sign-off.

    Double-blind: the review stays hidden until both sides have reviewed or the window closes.
    """
    booking = lock_booking(booking)
    role = require_role(booking, actor, ActorRole.CUSTOMER, ActorRole.HELPER)
    signed_off_at = booking.signed_off_at
    if booking.status not in REVIEWABLE_STATUSES or signed_off_at is None:
        raise IllegalTransition(
            _("Reviews open once the visit is signed off."), code=BookingError.NOT_REVIEWABLE
        )
    now = clock.now()
    if now > signed_off_at + timedelta(days=config().review_window_days):
        raise ReviewWindowClosed(_("The review window has closed."))
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationFailed.for_field(
            "rating", _("Rate from 1 to 5."), code=BookingError.INVALID_RATING
        )
    text = visible_text(
        text, field="text", required=False, multiline=True, max_length=REVIEW_TEXT_MAX_LENGTH
    )
    subject_id = (
        booking.helper.user_id if role == ActorRole.CUSTOMER else booking.help_request.customer_id
    )
    try:
        with transaction.atomic():
            review = Review.objects.create(
                booking=booking,
                author=actor,
                subject_id=subject_id,
                author_role=role,
                rating=rating,
                text=text,
            )
    except IntegrityError as exc:
        raise AlreadyReviewed(_("You have already reviewed this visit.")) from exc
    emit(
        ReviewSubmitted(review_id=review.pk, booking_id=booking.pk, author_role=role, rating=rating)
    )
    reviews = Review.objects.filter(booking=booking)
    if reviews.count() == 2:
        reviews_publish(reviews=reviews, now=now)
        review.refresh_from_db()
    return review


@transaction.atomic
def reviews_close_window(*, booking: Booking) -> int:
    """When the review window closes, publish whatever reviews were written. Safe to repeat."""
    booking = lock_booking(booking)
    if booking.signed_off_at is None:
        return 0
    now = clock.now()
    if now < booking.signed_off_at + timedelta(days=config().review_window_days):
        return 0
    return reviews_publish(reviews=Review.objects.filter(booking=booking), now=now)
