"""Extra time or material above the hold (one per visit).

The helper records it while the visit is in progress or once it is done (checked out, not yet
signed off): extra minutes, priced like the visit (the helper's hourly rate, started quarter
hours), plus material. The customer consents in the app or declines. Consent places a new
authorisation for exactly the extra charge: a second manual-capture PaymentIntent on the card
the visit is held on, as a direct charge on the helper's account with no application fee (the
emulator, like localstripe, has no incremental authorisation, and a second hold leaves the
first one untouched whatever happens to the extra). On sign-off both are captured, each never
more than it holds; an extra not consented to by then lapses, and a refusal, a declined card
or a 3-D Secure demand leave the agreed price as it was. A cancelled visit releases it.

`extra_charge_move` is the only writer of `ExtraCharge.status`; each move is also appended to
the payment's events (the payment's own status does not change). Stripe calls carry keys made
of the extra's row (`quartier:<payment>:extra-<action>:<extra>`), recorded before the call.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from backend.exceptions import Conflict, CoreError, PermissionDenied, ValidationFailed, raises
from backend.models import User
from backend.money import prorate
from backend.roles import ActorRole
from backend.texts import visible_text
from bookings.models import Booking, BookingStatus
from bookings.pricing import charge_for
from payments import stripe_gateway
from payments.errors import PaymentError
from payments.exceptions import PaymentDeclined
from payments.models import (
    ExtraCharge,
    ExtraStatus,
    LedgerAccount,
    LedgerKind,
    Payment,
    PaymentEvent,
    PaymentStatus,
    PayWith,
)
from payments.selectors import EXTRA_OPEN
from payments.steps import _answered, _book, _lock, _record_request, _stripe_fee
from payments.transitions import EXTRA_MACHINE

_C, _H, _HOLD, _S = (
    LedgerAccount.CUSTOMER,
    LedgerAccount.HELPER,
    LedgerAccount.HOLD,
    LedgerAccount.STRIPE,
)
_E = ExtraStatus
MAX_EXTRA_MINUTES = 8 * 60
MAX_MATERIAL_MINOR = 100_000
EXTRA_NOTE_MAX_LENGTH = ExtraCharge._meta.get_field("note").max_length


def extra_charge_move(
    *, extra: ExtraCharge, to: str, reason: str, changes: dict[str, Any] | None = None
) -> ExtraCharge:
    """The only writer of `ExtraCharge.status` (the caller holds the booking's and payment's
    locks): refuses a move not in EXTRA_MACHINE, saves the changed fields and appends the move
    to the payment's events."""
    from_status = extra.status
    EXTRA_MACHINE.check(extra, from_status=from_status, to_status=to, role=ActorRole.SYSTEM)
    extra.status = to
    fields = ["status", "updated_at"]
    for name, value in (changes or {}).items():
        setattr(extra, name, value)
        fields.append(name)
    extra.save(update_fields=fields)
    payment = extra.payment
    PaymentEvent.objects.create(
        payment=payment,
        from_status=payment.status,
        to_status=payment.status,
        actor_role=ActorRole.SYSTEM,
        reason=f"extra {from_status} → {to}: {reason}"[:300],
        data={
            "extra": str(extra.public_id),
            "amount_minor": extra.amount_minor,
            "payment_intent": extra.payment_intent_id,
        },
    )
    return extra


@raises(CoreError.NOT_ALLOWED_FOR_ROLE)
def require_extra_asker(booking: Booking, actor: User) -> None:
    """Only the visit's helper asks for an extra (asked by the API before what was sent)."""
    if booking.helper.user_id != actor.pk:
        raise PermissionDenied(
            _("Only the visit's helper can ask for extra time or material."),
            code=CoreError.NOT_ALLOWED_FOR_ROLE,
        )


@raises(CoreError.NOT_ALLOWED_FOR_ROLE)
def require_extra_answerer(booking: Booking, actor: User) -> None:
    """Only the visit's customer consents to an extra or declines it."""
    if booking.help_request.customer_id != actor.pk:
        raise PermissionDenied(
            _("Only the customer can agree to extra time or material."),
            code=CoreError.NOT_ALLOWED_FOR_ROLE,
        )


def _extra_price(booking: Booking, minutes: int, material_minor: int) -> int:
    quarters = -(-minutes // 15)
    return prorate(booking.helper.hourly_rate_minor, quarters * 15) + material_minor


@raises(
    CoreError.NOT_ALLOWED_FOR_ROLE,
    PaymentError.EXTRA_NOT_ALLOWED,
    PaymentError.EXTRA_EMPTY,
    visible_text,
)
def extra_record(
    *, payment: Payment, actor: User, minutes: int, material_minor: int, note: str = ""
) -> ExtraCharge:
    """The helper asks for `minutes` of extra time (priced at the hourly rate in started
    quarter hours) and `material_minor` of material, on a visit held on a card, in progress
    or done and not signed off yet, once per visit. The note is the customer's to read: a
    visible text of at most EXTRA_NOTE_MAX_LENGTH characters."""
    with transaction.atomic():
        booking, payment = _lock(payment)
        require_extra_asker(booking, actor)
        note = visible_text(note, field="note", required=False, max_length=EXTRA_NOTE_MAX_LENGTH)
        if (
            booking.status not in EXTRA_OPEN
            or payment.status != PaymentStatus.AUTHORISED
            or payment.pay_with != PayWith.CARD
        ):
            raise Conflict(
                _(
                    "Extra time or material can be asked for during a visit held on a card, "
                    "until the customer signs it off."
                ),
                code=PaymentError.EXTRA_NOT_ALLOWED,
            )
        if ExtraCharge.objects.filter(booking=booking).exists():
            raise Conflict(
                _("Extra time or material has already been asked for on this visit."),
                code=PaymentError.EXTRA_NOT_ALLOWED,
            )
        if not 0 <= minutes <= MAX_EXTRA_MINUTES or not 0 <= material_minor <= MAX_MATERIAL_MINOR:
            raise ValidationFailed.for_field(
                "minutes" if not 0 <= minutes <= MAX_EXTRA_MINUTES else "material_minor",
                _("This is more than one visit can add."),
                code=PaymentError.EXTRA_EMPTY,
            )
        price = _extra_price(booking, minutes, material_minor)
        if price <= 0:
            raise ValidationFailed.for_field(
                "minutes",
                _("Give the extra minutes or the cost of the material."),
                code=PaymentError.EXTRA_EMPTY,
            )
        extra = ExtraCharge.objects.create(
            booking=booking,
            payment=payment,
            minutes=minutes,
            material_minor=material_minor,
            note=note,
            price_minor=price,
            amount_minor=charge_for(price).charge_minor,
            currency=payment.currency,
        )
        PaymentEvent.objects.create(
            payment=payment,
            from_status=payment.status,
            to_status=payment.status,
            actor_role=ActorRole.HELPER,
            reason="extra asked",
            data={"extra": str(extra.public_id), "amount_minor": extra.amount_minor},
        )
    return extra


@raises(
    CoreError.NOT_ALLOWED_FOR_ROLE,
    PaymentError.EXTRA_NOT_PENDING,
    stripe_gateway.STRIPE_ERRORS,
)
def extra_answer(*, extra: ExtraCharge, actor: User, consent: bool) -> ExtraCharge:
    """The customer consents to the extra (a new hold for exactly its charge, on the visit's
    card) or declines it (the agreed price stands). A declined card or a 3-D Secure demand
    declines the extra too, then answers 402: nothing more is held."""
    refused: PaymentDeclined | None = None
    with transaction.atomic():
        booking, payment = _lock(extra.payment)
        extra = ExtraCharge.objects.select_for_update().get(pk=extra.pk)
        extra.payment = payment
        require_extra_answerer(booking, actor)
        if (
            extra.status != _E.ASKED
            or booking.status not in EXTRA_OPEN
            or payment.status != PaymentStatus.AUTHORISED
        ):
            raise Conflict(
                _("There is no extra time or material waiting for your answer."),
                code=PaymentError.EXTRA_NOT_PENDING,
            )
        if not consent:
            return extra_charge_move(extra=extra, to=_E.DECLINED, reason="declined by the customer")
        refused = _hold_extra(booking, payment, extra)
    if refused is not None:
        raise refused
    return extra


def _hold_extra(booking: Booking, payment: Payment, extra: ExtraCharge) -> PaymentDeclined | None:
    """The new authorisation for the consented extra, on the visit's card (both rows locked).
    A declined card or a 3-D Secure demand declines the extra and is returned to be raised
    after the commit; Stripe being down raises, and everything rolls back."""
    refused: PaymentDeclined | None = None
    key = f"quartier:{payment.public_id}:extra-authorise:{extra.public_id}"
    _record_request(key, "extra_authorise", payment=payment)
    try:
        intent = stripe_gateway.payment_intent_create(
            account_id=payment.stripe_account_id,
            amount=extra.amount_minor,
            currency=extra.currency,
            payment_method=payment.payment_method_id,
            idempotency_key=key,
            metadata={"extra": str(extra.public_id), "booking": str(booking.public_id)},
        )
    except PaymentDeclined as exc:
        refused = exc
        extra_charge_move(
            extra=extra,
            to=_E.DECLINED,
            reason="card declined",
            changes={"failure_code": exc.code, "decline_reason": exc.decline_reason},
        )
    else:
        _answered(key, intent.id)
        if intent.application_fee_amount:
            raise AssertionError("a Quartier PaymentIntent carries an application fee")
        if intent.status != "requires_capture":
            # 3-D Secure asked for: nothing is held; the unfinished intent is cancelled.
            _cancel(payment, extra, intent.id, action="extra-abandon")
            refused = PaymentDeclined(
                _("Your bank asks you to confirm this payment; the agreed price stands."),
                code=PaymentError.AUTHENTICATION_REQUIRED,
            )
            extra_charge_move(
                extra=extra,
                to=_E.DECLINED,
                reason="authentication required",
                changes={
                    "failure_code": PaymentError.AUTHENTICATION_REQUIRED.value,
                    "decline_reason": refused.decline_reason,
                },
            )
        else:
            extra_charge_move(
                extra=extra,
                to=_E.AUTHORISED,
                reason="consented by the customer",
                changes={
                    "payment_intent_id": intent.id,
                    "authorised_minor": intent.amount_capturable,
                },
            )
            _book(payment, LedgerKind.AUTHORISED, _C, _HOLD, intent.amount_capturable, intent.id)
    return refused


def _cancel(payment: Payment, extra: ExtraCharge, intent_id: str, *, action: str) -> None:
    key = f"quartier:{payment.public_id}:{action}:{extra.public_id}"
    _record_request(key, action.replace("-", "_"), payment=payment)
    intent = stripe_gateway.payment_intent_cancel(
        account_id=payment.stripe_account_id, intent_id=intent_id, idempotency_key=key
    )
    _answered(key, intent.id)


def extra_release_lost(*, booking: Booking, payment: Payment) -> None:
    """The visit's payment can no longer be taken: its account removed Quartier's access at
    Stripe (the caller holds both locks). An agreed extra's hold lapses there as well and is
    released in the books without a call to Stripe; one still asked lapses."""
    extra = ExtraCharge.objects.select_for_update().filter(booking=booking).first()
    if extra is None:
        return
    extra.payment = payment
    if extra.status == _E.ASKED:
        extra_charge_move(extra=extra, to=_E.DECLINED, reason="payout account disconnected")
    elif extra.status == _E.AUTHORISED:
        extra_charge_move(extra=extra, to=_E.RELEASED, reason="payout account disconnected")
        _book(
            payment,
            LedgerKind.RELEASED,
            _HOLD,
            _C,
            extra.authorised_minor,
            str(extra.payment_intent_id),
        )


def extra_settle(*, booking: Booking, payment: Payment) -> None:
    """With the visit's payment settled (the caller holds both locks): capture a consented
    extra once the visit is signed off, release it when the visit ended otherwise, and let an
    extra nobody answered lapse."""
    extra = ExtraCharge.objects.select_for_update().filter(booking=booking).first()
    if extra is None:
        return
    extra.payment = payment
    signed_off = booking.status in (BookingStatus.SIGNED_OFF, BookingStatus.SETTLED)
    if extra.status == _E.ASKED and booking.status not in EXTRA_OPEN:
        extra_charge_move(extra=extra, to=_E.DECLINED, reason=f"not agreed by {booking.status}")
    elif extra.status == _E.AUTHORISED and signed_off and payment.status == PaymentStatus.CAPTURED:
        key = f"quartier:{payment.public_id}:extra-capture:{extra.public_id}"
        _record_request(key, "extra_capture", payment=payment)
        intent = stripe_gateway.payment_intent_capture(
            account_id=payment.stripe_account_id,
            intent_id=str(extra.payment_intent_id),
            amount=extra.authorised_minor,
            idempotency_key=key,
        )
        _answered(key, intent.id)
        captured = intent.amount_received
        if captured > extra.authorised_minor:
            raise AssertionError("Stripe captured more than the extra's hold")
        fee, charge_id, txn_id = _stripe_fee(payment, intent)
        extra_charge_move(
            extra=extra,
            to=_E.CAPTURED,
            reason="visit signed off",
            changes={"captured_minor": captured, "stripe_fee_minor": fee},
        )
        _book(payment, LedgerKind.CAPTURED, _HOLD, _H, captured, charge_id)
        _book(payment, LedgerKind.RELEASED, _HOLD, _C, extra.authorised_minor - captured, intent.id)
        _book(payment, LedgerKind.STRIPE_FEE, _H, _S, fee, txn_id)
    elif extra.status == _E.AUTHORISED and booking.status in (
        BookingStatus.CANCELLED,
        BookingStatus.NO_SHOW,
    ):
        _cancel(payment, extra, str(extra.payment_intent_id), action="extra-release")
        extra_charge_move(extra=extra, to=_E.RELEASED, reason=f"booking {booking.status}")
        _book(
            payment,
            LedgerKind.RELEASED,
            _HOLD,
            _C,
            extra.authorised_minor,
            str(extra.payment_intent_id),
        )
