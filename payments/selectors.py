"""Reads of the payments app, scoped to who asks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from django.db.models import Sum
from django.utils.translation import gettext as _

from backend import clock
from backend.config import config
from backend.exceptions import Conflict, CoreError, NotFound, raises
from backend.models import User
from bookings.models import Booking, BookingStatus, Party
from bookings.pricing import charge_for
from bookings.selectors import booking_for, bookings_visible_to
from payments.declines import (
    ACCOUNT_LOST,
    CardDeclineReason,
    decline_words,
    failure_words,
)
from payments.errors import PaymentError
from payments.models import (
    ExtraCharge,
    LedgerAccount,
    LedgerEntry,
    LedgerKind,
    Payment,
    PaymentStatus,
    PayoutAccount,
    PayoutAccountStatus,
    PayWith,
    Receipt,
    Tip,
)


@raises(PaymentError.NO_PAYMENT_YET, booking_for)
def payment_for(user: User, booking_id: UUID) -> Payment:
    """The payment of a booking the user may see (customer, helper, manager); 404 for other
    people's bookings, 409 `no_payment_yet` while the visit has none (no card given yet)."""
    booking = booking_for(user, booking_id)
    payment = Payment.objects.select_related("payout_account", "booking").filter(booking=booking)
    found = payment.first()
    if found is None:
        raise Conflict(_("This visit has no payment yet."), code=PaymentError.NO_PAYMENT_YET)
    return found


@raises(CoreError.NOT_FOUND)
def booking_of_party(user: User, booking_id: UUID) -> Booking:
    """The booking, for its customer or its helper only: receipts and tips are theirs (anyone
    else, the manager too, gets 404, as for a booking that does not exist)."""
    booking = (
        Booking.objects.select_related(
            "help_request__category", "help_request__customer", "helper__user"
        )
        .filter(public_id=booking_id)
        .first()
    )
    if booking is None or user.pk not in (booking.help_request.customer_id, booking.helper.user_id):
        raise NotFound(_("No such booking."))
    return booking


@raises(PaymentError.NO_PAYMENT_YET, booking_of_party)
def party_payment(user: User, booking_id: UUID) -> Payment:
    """The payment of a booking of the user's own (as its customer or helper)."""
    booking = booking_of_party(user, booking_id)
    found = Payment.objects.select_related("payout_account", "booking").filter(booking=booking)
    payment = found.first()
    if payment is None:
        raise Conflict(_("This visit has no payment yet."), code=PaymentError.NO_PAYMENT_YET)
    return payment


# While the helper may ask for extra time or material, and the customer answer.
EXTRA_OPEN = (BookingStatus.IN_PROGRESS, BookingStatus.COMPLETED)
# When a visit may have some.
EXTRA_SHOWN = (
    *EXTRA_OPEN,
    BookingStatus.SIGNED_OFF,
    BookingStatus.DISPUTED,
    BookingStatus.SETTLED,
    BookingStatus.CANCELLED,
    BookingStatus.NO_SHOW,
)


@raises(PaymentError.NO_EXTRA, party_payment)
def party_extra(user: User, booking_id: UUID) -> ExtraCharge:
    """The extra time or material asked for on a booking of the user's own."""
    payment = party_payment(user, booking_id)
    extra = ExtraCharge.objects.filter(booking_id=payment.booking_id).first()
    if extra is None:
        raise Conflict(
            _("No extra time or material was asked for on this visit."),
            code=PaymentError.NO_EXTRA,
        )
    extra.payment = payment
    return extra


def extra_of(booking: Booking) -> ExtraCharge | None:
    """The extra time or material asked for on the visit (none before the helper arrived, so
    nothing is asked of the database then)."""
    if booking.status not in EXTRA_SHOWN:
        return None
    try:
        return booking.extra_charge  # read with the booking when it was select_related
    except ExtraCharge.DoesNotExist:
        return None


def extra_askable(booking: Booking, payment: Payment | None) -> bool:
    """Whether the helper may ask for extra time or material now: during the visit or once it
    is done, before sign-off, when it is held on a card (its `payment`, `visit_payment`) and
    nothing extra was asked yet (`extra_of`: no query when read with the booking)."""
    return (
        booking.status in EXTRA_OPEN
        and payment is not None
        and payment.status == PaymentStatus.AUTHORISED
        and payment.pay_with == PayWith.CARD
        and extra_of(booking) is None
    )


# Before the visit ends, while nothing is held, the customer may still choose TWINT.
TWINT_CHOOSABLE = (
    BookingStatus.PROPOSED,
    BookingStatus.CONFIRMED,
    BookingStatus.ON_THE_WAY,
    BookingStatus.IN_PROGRESS,
)


def twint_choosable(booking: Booking, payment: Payment | None) -> bool:
    """Whether the customer may still choose to pay with TWINT after the visit: before it ends,
    nothing chosen or held yet on its `payment` (`visit_payment`), and its helper's account
    takes payments. Without such an account there is nothing to pay through Quartier, and the
    choice would be refused (`payment_method_set`). No query when the caller read the helper's
    account with the booking."""
    if booking.status not in TWINT_CHOOSABLE:
        return False
    if payment is not None and (
        payment.pay_with == PayWith.TWINT or payment.status != PaymentStatus.REQUIRES_PAYMENT_METHOD
    ):
        return False
    try:
        account = booking.helper.payout_account
    except PayoutAccount.DoesNotExist:
        return False
    return account.can_take_payments and bool(account.stripe_account_id)


def visit_payment(booking: Booking) -> Payment | None:
    """The visit's payment, with its receipt and the payout account it is paid to, in one
    query: what the customer's pages pass on to `payment_state`, `card_step` and
    `twint_choosable`, which read nothing more of it."""
    return (
        Payment.objects.filter(booking_id=booking.pk)
        .select_related("receipt", "payout_account")
        .first()
    )


def payout_account_of(user: User) -> PayoutAccount | None:
    return PayoutAccount.objects.filter(helper__user=user).first()


def payout_account_disconnected(helper_id: int) -> bool:
    """Whether the helper's payout account removed Quartier's access at Stripe: they are told to
    reconnect one (rather than to finish connecting it) to get paid requests again."""
    return PayoutAccount.objects.filter(
        helper_id=helper_id, status=PayoutAccountStatus.DISCONNECTED
    ).exists()


# A visit agreed and not yet done: its payment is still to be taken, its card may be held.
_AHEAD = (BookingStatus.CONFIRMED, BookingStatus.ON_THE_WAY, BookingStatus.IN_PROGRESS)
# And one whose card may wait for its hold: given before confirming, or confirmed, not held.
_CARD_WAITS = (BookingStatus.PROPOSED, *_AHEAD)


def payment_lost_ahead(booking: Booking, payment: Payment | None) -> bool:
    """Whether a visit still to come (or under way) will not be paid, from its `payment`
    (`visit_payment`; no query): the card was held on a payout account that removed Quartier's
    access, or given there for a hold still to be placed while that account is disconnected.
    A card's PaymentMethod lives on the helper's connected account it was given on, so neither
    can be taken on an account the helper connects since; TWINT, charged after sign-off on the
    account the helper has then, is not concerned."""
    if payment is None or booking.status not in _AHEAD or payment.pay_with != PayWith.CARD:
        return False
    if payment.status == PaymentStatus.AUTHORISED:
        return payment.account_lost
    account = payment.payout_account
    return (
        payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
        and bool(payment.payment_method_id)
        and not payment.failure_code
        and account is not None
        and account.is_disconnected
    )


def payments_lost_ahead(account: PayoutAccount) -> list[Payment]:
    """The payments to `account` of visits still to come that will not be paid
    (`payment_lost_ahead`), in primary-key order."""
    candidates = (
        Payment.objects.filter(
            payout_account=account,
            pay_with=PayWith.CARD,
            booking__status__in=_AHEAD,
            status__in=(PaymentStatus.AUTHORISED, PaymentStatus.REQUIRES_PAYMENT_METHOD),
        )
        .select_related("booking", "payout_account")
        .order_by("pk")
    )
    return [payment for payment in candidates if payment_lost_ahead(payment.booking, payment)]


def card_on_previous_account(booking: Booking, payment: Payment) -> bool:
    """Whether the card of a visit still to come (confirmed or not), given for a hold not placed
    yet, was given on another connected account than the helper's payout account is now (they
    reconnected since): a card's PaymentMethod lives on the account it was given on, so it
    cannot be held there (no query beyond the payment's account)."""
    account = payment.payout_account
    return (
        booking.status in _CARD_WAITS
        and payment.pay_with == PayWith.CARD
        and payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
        and bool(payment.method_account_id)
        and account is not None
        and bool(account.stripe_account_id)
        and payment.method_account_id != account.stripe_account_id
    )


def cards_on_previous_account(account: PayoutAccount) -> list[Payment]:
    """The payments to `account` whose card was given on the helper's previous account
    (`card_on_previous_account`), in primary-key order."""
    candidates = (
        Payment.objects.filter(
            payout_account=account,
            pay_with=PayWith.CARD,
            booking__status__in=_CARD_WAITS,
            status=PaymentStatus.REQUIRES_PAYMENT_METHOD,
        )
        .exclude(method_account_id="")
        .exclude(method_account_id=account.stripe_account_id or "")
        .select_related("booking", "payout_account")
        .order_by("pk")
    )
    return [p for p in candidates if card_on_previous_account(p.booking, p)]


class SettledUnpaid(NamedTuple):
    """A signed-off visit whose payment was released unpaid: the helper's payout account was
    disconnected, so nothing could be charged (for the manager to follow up)."""

    booking: Booking
    helper_name: str
    amount_minor: int
    currency: str


def visits_settled_unpaid(user: User, *, limit: int = 100) -> list[SettledUnpaid]:
    """Signed-off visits the user may see (the manager: all) whose payment was released unpaid
    because the helper's payout account was disconnected, the latest visit first (one query)."""
    payments = (
        Payment.objects.filter(
            status=PaymentStatus.RELEASED,
            failure_code=ACCOUNT_LOST,
            booking__status=BookingStatus.SIGNED_OFF,
            booking__in=bookings_visible_to(user).values("pk"),
        )
        .select_related("booking__helper__user", "booking__help_request__category")
        .order_by("-booking__starts_at", "-pk")[:limit]
    )
    return [
        SettledUnpaid(
            payment.booking,
            payment.booking.helper.user.display_name,
            payment.amount_minor,
            payment.currency,
        )
        for payment in payments
    ]


def helper_receives_minor(payment: Payment) -> int:
    """What stays with the helper: captured, less refunds and Stripe's fee (Quartier: 0)."""
    return payment.captured_minor - payment.refunded_minor - payment.stripe_fee_minor


def ledger_balances(*, booking_id: int) -> dict[str, int]:
    """Each ledger account's balance over one booking (received minus given)."""
    balances = dict.fromkeys(LedgerAccount.values, 0)
    entries = LedgerEntry.objects.filter(booking_id=booking_id)
    for debit, total in entries.values_list("debit").annotate(total=Sum("amount_minor")):
        balances[debit] -= total
    for credit, total in entries.values_list("credit").annotate(total=Sum("amount_minor")):
        balances[credit] += total
    return balances


def hold_missing(booking: Booking, payment: Payment | None) -> bool:
    """Whether a confirmed visit still lacks the hold it needs before it goes ahead, from its
    `payment` (`visit_payment`): it has a price and a payment to the helper's payout account,
    and the card is not held (no card yet, the hold failed, or the deferred hold has not been
    placed). A free visit needs none, and neither does one paid with TWINT, which cannot be
    held and is paid after sign-off."""
    if payment is None or payment.payout_account_id is None or payment.pay_with == PayWith.TWINT:
        return False
    return payment.status not in (PaymentStatus.AUTHORISED, PaymentStatus.CAPTURED)


def hold_missing_now(booking: Booking) -> bool:
    """`hold_missing`, its payment read now (the booking machine's guard asks it, under the
    caller's lock on the booking)."""
    return hold_missing(booking, visit_payment(booking))


def tip_of(booking: Booking) -> Tip | None:
    return Tip.objects.filter(booking_id=booking.pk).first()


@dataclass(frozen=True)
class CardStep:
    """What the customer's page shows of paying by card: before confirming, the card to give,
    the price, what the card will be held for and who bears Stripe's fee; after a hold failed
    (declined, 3-D Secure needed), that another card is needed."""

    price_minor: int
    hold_minor: int
    stripe_fee_paid_by: str
    currency: str
    # The helper's Stripe account: Stripe.js makes the card there (a direct charge).
    account_id: str
    card_given: bool
    # After confirming: the card is not held (the hold failed, or no card was given).
    recovering: bool
    failure_code: str
    # A hold waiting for 3-D Secure: what Stripe.js needs to finish it on the same intent.
    client_secret: str = ""
    # Before confirming, times proposed at different prices: the price and hold shown are the
    # dearest time's, an upper bound (each time shows its own price).
    prices_differ: bool = False
    # Why the bank refused the last card (`payments.declines.CardDeclineReason`), if it did.
    decline_reason: str = ""

    @property
    def decline_words(self) -> str:
        """Why the last card was refused and what to do, in the reader's language."""
        return decline_words(self.decline_reason or CardDeclineReason.DECLINED)


def card_step(booking: Booking, payment: Payment | None) -> CardStep | None:
    """The card step of a paid visit whose helper can take payments, from its `payment`
    (`visit_payment`); None when there is none (a free visit, a helper without a payout
    account, the card held already, or done). No query with the helper's account selected with
    the booking."""
    if booking.status == BookingStatus.PROPOSED:
        return _card_before_confirming(booking, payment)
    if booking.status not in _AHEAD or not booking.price_minor:
        return None
    try:
        booking.helper.payout_account  # noqa: B018 - read with the booking, or now
    except PayoutAccount.DoesNotExist:
        return None
    if (
        payment is None
        or payment.status != PaymentStatus.REQUIRES_PAYMENT_METHOD
        or payment.pay_with != PayWith.CARD
    ):
        return None
    account = payment.payout_account
    if (
        account is None
        or not account.can_take_payments
        or not account.stripe_account_id
        # A card given and waiting for its (deferred) hold, nothing failed: nothing to fix.
        or (payment.payment_method_id and not payment.failure_code)
    ):
        return None
    return CardStep(
        price_minor=booking.price_minor,
        hold_minor=payment.amount_minor,
        stripe_fee_paid_by=booking.stripe_fee_paid_by or charge_for(0).stripe_fee_paid_by,
        currency=payment.currency,
        account_id=str(account.stripe_account_id),
        card_given=False,
        recovering=True,
        failure_code=payment.failure_code,
        client_secret=payment.authentication_client_secret,
        decline_reason=payment.decline_reason,
    )


def _card_before_confirming(booking: Booking, payment: Payment | None) -> CardStep | None:
    # The proposals the page shows (prefetched by bookings_visible_to), else read.
    proposals = getattr(booking, "current_proposals", None)
    if proposals is None:
        proposals = list(booking.proposals.all())
    prices = [p.price_minor for p in proposals if p.status == "proposed" and p.price_minor]
    if not prices:
        return None
    # The helper's account: read with the booking when the caller selected it (the page
    # does), else now.
    try:
        account = booking.helper.payout_account
    except PayoutAccount.DoesNotExist:
        return None
    if not account.can_take_payments or not account.stripe_account_id:
        return None
    if payment is not None and payment.pay_with == PayWith.TWINT:
        # TWINT was chosen instead: nothing to hold, the visit is paid after it.
        return None
    card_given = payment is not None and bool(payment.payment_method_id)
    # The card given was asked for again (the helper reconnected): the page says why.
    failure = payment.failure_code if payment is not None and not card_given else ""
    # Before confirming: the dearest proposed time's charge (confirming fixes it).
    price = max(prices)
    charge = charge_for(price)
    return CardStep(
        price_minor=price,
        hold_minor=charge.charge_minor,
        stripe_fee_paid_by=charge.stripe_fee_paid_by,
        currency=booking.currency,
        account_id=str(account.stripe_account_id),
        card_given=card_given,
        recovering=False,
        failure_code=failure,
        prices_differ=len(set(prices)) > 1,
    )


@dataclass(frozen=True)
class MoneyView:
    """A booking's money from the ledger, for the manager's dispute page and the helper's visit
    page: what was held, captured (the price or a fee), released, refunded, tipped, Stripe's
    fees, and what may still be refunded."""

    payment: Payment | None
    currency: str
    held_minor: int
    captured_minor: int
    released_minor: int
    refunded_minor: int
    tipped_minor: int
    stripe_fee_minor: int
    # The card payment still waits for a card though the visit is over (`never_held`).
    never_held: bool = False

    @property
    def failure_words(self) -> str:
        """Why the last card or try failed, for the helper's and manager's panel ("": none)."""
        payment = self.payment
        if payment is None:
            return ""
        twint = payment.pay_with == PayWith.TWINT
        return failure_words(payment.failure_code, payment.decline_reason, twint=twint)

    @property
    def refundable_minor(self) -> int:
        """What a refund may still give back (never more than captured, over all refunds)."""
        if self.payment is None or self.payment.status != PaymentStatus.CAPTURED:
            return 0
        return self.payment.captured_minor - self.payment.refunded_minor


def money_view(booking: Booking, payment: Payment | None) -> MoneyView:
    """The booking's money, its `payment` (`visit_payment`) and its ledger entries summed by
    kind (one query)."""
    sums = dict(
        LedgerEntry.objects.filter(booking_id=booking.pk)
        .order_by()
        .values_list("kind")
        .annotate(total=Sum("amount_minor"))
    )
    return _money_of(booking, payment, sums)


def money_views(bookings: Sequence[Booking]) -> dict[int, MoneyView]:
    """`money_view` of each booking, by its primary key, in two queries however many there
    are: their payments (as `visit_payment` reads them) and their ledger entries summed by
    booking and kind."""
    if not bookings:
        return {}
    ids = [booking.pk for booking in bookings]
    payments = {
        payment.booking_id: payment
        for payment in Payment.objects.filter(booking_id__in=ids).select_related(
            "receipt", "payout_account"
        )
    }
    sums: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    for booking_id, kind, total in (
        LedgerEntry.objects.filter(booking_id__in=ids)
        .order_by()
        .values_list("booking_id", "kind")
        .annotate(total=Sum("amount_minor"))
    ):
        sums[booking_id][kind] = total
    return {
        booking.pk: _money_of(booking, payments.get(booking.pk), sums[booking.pk])
        for booking in bookings
    }


# A visit past every moment a card could be given and held for it: done, or ended.
_PAST_HOLDING = (
    BookingStatus.COMPLETED,
    BookingStatus.SIGNED_OFF,
    BookingStatus.DISPUTED,
    BookingStatus.SETTLED,
    BookingStatus.CANCELLED,
    BookingStatus.NO_SHOW,
)


def never_held(booking: Booking, payment: Payment | None) -> bool:
    """Whether the visit's card payment was never held and now never will be: it still waits
    for a card, and the visit is over. Nothing was charged for it; it no longer waits for
    anything. (A TWINT payment waits for no card: it falls due at sign-off.)"""
    return (
        payment is not None
        and payment.pay_with == PayWith.CARD
        and payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
        and booking.status in _PAST_HOLDING
    )


def _money_of(booking: Booking, payment: Payment | None, sums: dict[str, int]) -> MoneyView:
    return MoneyView(
        never_held=never_held(booking, payment),
        payment=payment,
        currency=payment.currency if payment is not None else booking.currency,
        held_minor=sums.get(LedgerKind.AUTHORISED, 0),
        captured_minor=sums.get(LedgerKind.CAPTURED, 0) + sums.get(LedgerKind.CANCELLATION_FEE, 0),
        released_minor=sums.get(LedgerKind.RELEASED, 0),
        refunded_minor=sums.get(LedgerKind.REFUNDED, 0),
        tipped_minor=sums.get(LedgerKind.TIPPED, 0),
        stripe_fee_minor=sums.get(LedgerKind.STRIPE_FEE, 0),
    )


def hold_deferred_until(booking: Booking, *, at: datetime | None = None) -> datetime | None:
    """When the card is held, as decided `at` a moment (now unless given): for a visit too far
    out then for a hold to last until it (`hold_max_days_ahead`), `hold_days_before_visit`
    days before it; None: at once."""
    settings = config()
    if booking.starts_at is None:
        return None
    at = at or clock.now()
    if booking.starts_at - at <= timedelta(days=settings.hold_max_days_ahead):
        return None
    return booking.starts_at - timedelta(days=settings.hold_days_before_visit)


class PaymentState(NamedTuple):
    receipt: Receipt | None  # once the payment was taken
    due: bool  # a TWINT payment to make (the request page's "Pay with TWINT" button)
    held: bool  # the price held on the customer's card (charged on sign-off)
    # Signed off, and the payment is being taken after it (a held card captured, a TWINT
    # payment made due) by the worker: the page waits for the receipt or the button.
    settling: bool
    # What the customer's late cancellation would cost them, for the helper: the policy's
    # percentage of the price held or to be paid (0: no payment through Quartier, or no fee).
    late_fee_minor: int = 0
    # Confirmed, the card given and its hold due, and the worker is placing it: the page
    # waits for it (held, or the hold failed and another card is asked for).
    holding: bool = False
    # Confirmed too far ahead for a hold to last: the card given is held from then on.
    hold_from: datetime | None = None


def payment_state(booking: Booking, payment: Payment | None) -> PaymentState:
    """Where the visit's `payment` (`visit_payment`) stands (see `PaymentState`); no query."""
    if payment is None:
        return PaymentState(None, due=False, held=False, settling=False)
    try:
        receipt: Receipt | None = payment.receipt
    except Receipt.DoesNotExist:
        receipt = None
    held = payment.status == PaymentStatus.AUTHORISED
    twint_not_due_yet = (
        payment.pay_with == PayWith.TWINT
        and payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    )
    hold_at = _hold_placed_at(booking, payment)
    now = clock.now()
    return PaymentState(
        receipt,
        due=payment.status == PaymentStatus.DUE,
        held=held,
        settling=booking.status == BookingStatus.SIGNED_OFF
        and receipt is None
        and (held or twint_not_due_yet),
        late_fee_minor=_late_fee_minor(payment),
        holding=hold_at is not None and hold_at <= now,
        hold_from=hold_at if hold_at is not None and hold_at > now else None,
    )


def _hold_placed_at(booking: Booking, payment: Payment) -> datetime | None:
    """When the worker places the hold of a confirmed visit's card, given and not refused:
    at once after confirming (when the payment was opened), or later for a visit too far out
    then, as `payments.services.payment_authorise` decided; None when no hold waits."""
    if (
        booking.status not in _AHEAD
        or payment.status != PaymentStatus.REQUIRES_PAYMENT_METHOD
        or payment.pay_with != PayWith.CARD
        or not payment.payment_method_id
        or payment.failure_code
    ):
        return None
    return hold_deferred_until(booking, at=payment.created_at) or payment.created_at


def _late_fee_minor(payment: Payment) -> int:
    """As `payments.services.payment_on_booking_ended` takes it: from the hold, or due with
    TWINT; a card given whose hold is deferred is held days before the late hours begin."""
    held_or_to_hold = payment.status == PaymentStatus.AUTHORISED or (
        payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
        and (
            payment.pay_with == PayWith.TWINT
            or (bool(payment.payment_method_id) and not payment.failure_code)
        )
    )
    if not held_or_to_hold:
        return 0
    return payment.amount_minor * config().cancellation_fee_percent // 100


def cancellation_fee_owed(booking: Booking) -> bool:
    """A customer's late cancellation or a customer's no-show pays the helper a fee; nothing a
    helper causes ever costs the customer."""
    if booking.caused_by != Party.CUSTOMER:
        return False
    if booking.status == BookingStatus.NO_SHOW:
        return True
    return booking.status == BookingStatus.CANCELLED and booking.is_late_cancellation
