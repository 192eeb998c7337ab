"""Reviews, called directly: double-blind, counted only once published, one per side, within
the window, and checked like every other text."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.exceptions import ValidationFailed
from bookings import selectors, services
from bookings.exceptions import AlreadyReviewed, ReviewWindowClosed
from bookings.models import (
    ActorRole,
    BookingStatus,
    Review,
)
from tests.bookings.services.state import (
    T0,
    customer_rating,
    helper_rating,
    snapshot,
)
from tests.factories import (
    ManagerFactory,
    make_booking,
)


@pytest.mark.django_db
def test_reviews_are_double_blind_and_counted_only_when_published(clock):
    # Given a signed-off visit
    booking = make_booking(BookingStatus.SIGNED_OFF)
    customer, helper_user = booking.help_request.customer, booking.helper.user
    manager = ManagerFactory()

    # When the helper reviews the customer
    helper_review = services.review_submit(
        booking=booking, actor=helper_user, rating=4, text="Kind"
    )

    # Then only the helper (and the manager) can see it, and nothing is counted yet
    assert helper_review.published_at is None
    assert list(selectors.reviews_visible_to(customer, booking)) == []
    assert list(selectors.reviews_visible_to(helper_user, booking)) == [helper_review]
    assert list(selectors.reviews_visible_to(manager, booking)) == [helper_review]
    assert (helper_rating(booking), customer_rating(booking)) == ((0, 0), (0, 0))

    # When the customer reviews the helper too
    clock.shift(timedelta(hours=2))
    customer_review = services.review_submit(booking=booking, actor=customer, rating=5)

    # Then both are published at that moment and counted once each
    assert list(
        selectors.reviews_visible_to(customer, booking).values_list(
            "author_role", "rating", "published_at"
        )
    ) == [
        (ActorRole.HELPER, 4, T0 + timedelta(hours=2)),
        (ActorRole.CUSTOMER, 5, T0 + timedelta(hours=2)),
    ]
    assert customer_review.published_at == T0 + timedelta(hours=2)
    assert (helper_rating(booking), customer_rating(booking)) == ((1, 5), (1, 4))


@pytest.mark.django_db
@pytest.mark.parametrize("rating", [0, 6])
def test_a_rating_outside_one_to_five_is_refused(rating, clock):
    # Given a signed-off visit
    booking = make_booking(BookingStatus.SIGNED_OFF)
    before = snapshot(booking)

    # When the customer rates it out of range
    with pytest.raises(ValidationFailed) as refused:
        services.review_submit(booking=booking, actor=booking.help_request.customer, rating=rating)

    # Then it is refused and no review exists
    assert (refused.value.code, refused.value.status, list(refused.value.fields)) == (
        "invalid_rating",
        400,
        ["rating"],
    )
    assert snapshot(booking) == before
    assert Review.objects.count() == 0


@pytest.mark.django_db
def test_reviewing_twice_is_refused(clock):
    # Given a visit the customer already reviewed
    booking = make_booking(BookingStatus.SIGNED_OFF)
    customer = booking.help_request.customer
    first = services.review_submit(booking=booking, actor=customer, rating=2)
    before = snapshot(booking)

    # When they review it again
    with pytest.raises(AlreadyReviewed) as refused:
        services.review_submit(booking=booking, actor=customer, rating=5)

    # Then the first review stands alone
    assert (refused.value.code, refused.value.status) == ("already_reviewed", 409)
    assert snapshot(booking) == before
    assert list(Review.objects.values_list("pk", "rating")) == [(first.pk, 2)]


@pytest.mark.django_db
def test_reviews_close_seven_days_after_the_sign_off(clock):
    # Given a visit signed off at T0
    booking = make_booking(BookingStatus.SIGNED_OFF)
    assert booking.signed_off_at == T0
    before = snapshot(booking)

    # When the customer reviews it seven days and a second later
    clock.move_to(T0 + timedelta(days=7, seconds=1))
    with pytest.raises(ReviewWindowClosed) as refused:
        services.review_submit(booking=booking, actor=booking.help_request.customer, rating=5)

    # Then the window is closed and nothing was written
    assert (refused.value.code, refused.value.status) == ("review_window_closed", 409)
    assert snapshot(booking) == before


@pytest.mark.django_db
def test_a_review_text_too_long_is_refused_as_any_text_is(clock):
    # Given a signed-off visit
    booking = make_booking(BookingStatus.SIGNED_OFF)
    before = snapshot(booking)

    # When the customer writes one character more than a review holds
    with pytest.raises(ValidationFailed) as refused:
        services.review_submit(
            booking=booking, actor=booking.help_request.customer, rating=5, text="a" * 1001
        )

    # Then it is refused with the code every other text uses, and nothing was written
    assert (refused.value.code, refused.value.status, list(refused.value.fields)) == (
        "max_length",
        400,
        ["text"],
    )
    assert snapshot(booking) == before

    # And a review of exactly the length allowed is kept whole
    review = services.review_submit(
        booking=booking, actor=booking.help_request.customer, rating=5, text="a" * 1000
    )
    assert Review.objects.get(pk=review.pk).text == "a" * 1000
