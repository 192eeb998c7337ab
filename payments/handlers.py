"""How payments follows the bookings it charges for (subscribed in PaymentsConfig.ready()).

Bookings emits its moves and never imports payments. In the confirming transaction the
booking gets its payment row (the price agreed then); after commit, from the relay, the hold is
placed, the price captured on sign-off, the hold released or the fee captured when the booking
ends. Each after-commit handler is idempotent: it acts only on the payment's current state, and
its Stripe calls carry keys made of the payment's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from backend import clock
from backend.events import DomainEvent, of_type
from bookings.events import BookingCancelled, BookingConfirmed, BookingNoShow, BookingSignedOff
from bookings.models import Booking, BookingStatus
from helpers.services import helper_takes_payments_set
from payments import emails, pay_after, services, tasks
from payments import events as payment_events
from payments.declines import CARD_ON_OLD_ACCOUNT
from payments.models import CHARGEABLE_STATUSES, Payment, PaymentStatus
from payments.selectors import payment_lost_ahead


def open_payments(events: Sequence[DomainEvent]) -> None:
    """In the transaction: each newly confirmed booking's payment, for the price confirmed."""
    ids = [event.booking_id for event in of_type(events, BookingConfirmed)]
    for booking in Booking.objects.filter(pk__in=ids).order_by("pk"):
        services.payment_open_for_booking(booking=booking)


def place_hold(event: DomainEvent, *, sequence: int) -> None:
    assert isinstance(event, BookingConfirmed)  # noqa: S101 - subscribed to this class only
    payment = Payment.objects.filter(booking_id=event.booking_id).first()
    if payment is not None:
        services.payment_authorise(payment=payment)


def capture_on_sign_off(event: DomainEvent, *, sequence: int) -> None:
    assert isinstance(event, BookingSignedOff)  # noqa: S101 - subscribed to this class only
    payment = Payment.objects.filter(booking_id=event.booking_id).first()
    if payment is None:
        services.booking_settle_unpaid(booking=Booking.objects.get(pk=event.booking_id))
        return
    services.payment_capture(payment=payment)


def release_or_charge_fee(event: DomainEvent, *, sequence: int) -> None:
    assert isinstance(event, BookingCancelled | BookingNoShow)  # noqa: S101
    payment = Payment.objects.filter(booking_id=event.booking_id).first()
    if payment is not None:
        services.payment_on_booking_ended(payment=payment)


def schedule_deferred_holds(events: Sequence[DomainEvent]) -> None:
    """In the transaction: the task that holds the card closer to the visit."""
    for event in of_type(events, payment_events.PaymentHoldDeferred):
        tasks.place_hold.using(run_after=datetime.fromisoformat(event.hold_at)).enqueue(
            event.payment_id
        )


def schedule_pay_after_reminder(events: Sequence[DomainEvent]) -> None:
    """In the transaction: the first reminder of a payment that fell due (TWINT), should it
    still be unpaid then."""
    for event in of_type(events, payment_events.PaymentDue):
        tasks.remind_pay_after.using(
            run_after=clock.now() + timedelta(days=pay_after.PAY_AFTER_REMIND_DAYS)
        ).enqueue(event.payment_id, 1)


def tell_payment_due(event: DomainEvent, *, sequence: int) -> None:
    """After commit: the customer is asked to pay the visit (TWINT) on the payment page."""
    assert isinstance(event, payment_events.PaymentDue)  # noqa: S101 - subscribed to this only
    payment = (
        Payment.objects.select_related("booking__help_request__customer", "booking__helper__user")
        .filter(pk=event.payment_id)
        .first()
    )
    if payment is not None and payment.status == PaymentStatus.DUE:
        emails.send_payment_due(payment, reminder=0)


def follow_payout_account(events: Sequence[DomainEvent]) -> None:
    """In the transaction: whether the helper can take charges, which decides whether they get
    paid offers (the helper's change event brings the match index in step)."""
    for event in of_type(events, payment_events.PayoutAccountChanged):
        helper_takes_payments_set(
            helper_id=event.helper_id, takes_payments=event.to_status in CHARGEABLE_STATUSES
        )


def tell_hold_failed(event: DomainEvent, *, sequence: int) -> None:
    """After commit: a hold failed on a confirmed visit, or a card given before confirming is
    asked for again (the helper reconnected a new payout account); both sides are told by
    e-mail, unless the customer has fixed it meanwhile."""
    assert isinstance(event, payment_events.PaymentAuthorisationFailed)  # noqa: S101
    payment = (
        Payment.objects.select_related("booking__help_request__customer", "booking__helper__user")
        .filter(pk=event.payment_id)
        .first()
    )
    if payment is None or payment.status != PaymentStatus.REQUIRES_PAYMENT_METHOD:
        return
    if payment.booking.status == BookingStatus.PROPOSED:
        if payment.failure_code == CARD_ON_OLD_ACCOUNT and not payment.payment_method_id:
            emails.send_card_needed_again_before_confirming(payment)
        return
    if payment.booking.status != BookingStatus.CONFIRMED:
        return
    if payment.failure_code == CARD_ON_OLD_ACCOUNT:
        emails.send_card_needed_again(payment)
    else:
        emails.send_hold_failed(payment)


def tell_payment_lost(event: DomainEvent, *, sequence: int) -> None:
    """After commit: a payment released because the helper's payout account was disconnected
    (nothing could be charged); both sides are told."""
    assert isinstance(event, payment_events.PaymentReleased)  # noqa: S101
    if not event.data.get("account_lost"):
        return
    payment = (
        Payment.objects.select_related("booking__help_request__customer", "booking__helper__user")
        .filter(pk=event.payment_id, status=PaymentStatus.RELEASED)
        .first()
    )
    if payment is not None:
        emails.send_payment_lost(payment)


def tell_hold_recovered(event: DomainEvent, *, sequence: int) -> None:
    """After commit: a hold that had failed is placed after all (another card, or 3-D Secure
    finished); both sides are told the visit goes ahead."""
    assert isinstance(event, payment_events.PaymentAuthorised)  # noqa: S101
    if not event.data.get("recovered"):
        return
    payment = (
        Payment.objects.select_related("booking__help_request__customer", "booking__helper__user")
        .filter(pk=event.payment_id, status=PaymentStatus.AUTHORISED)
        .first()
    )
    if payment is not None:
        emails.send_hold_recovered(payment)


def tell_payment_lost_ahead(event: DomainEvent, *, sequence: int) -> None:
    """After commit: the helper's payout account was disconnected while this visit, still to
    come, is paid on it; both sides are told, unless that no longer holds."""
    assert isinstance(event, payment_events.PaymentAccountLost)  # noqa: S101
    payment = (
        Payment.objects.select_related(
            "booking__help_request__customer", "booking__helper__user", "payout_account"
        )
        .filter(pk=event.payment_id)
        .first()
    )
    if payment is not None and payment_lost_ahead(payment.booking, payment):
        emails.send_payment_lost_ahead(payment)
