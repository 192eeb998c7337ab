"""Money: helpers' payout accounts, one payment per booking, its moves, the ledger, the
webhook events received and the answers of Quartier's own idempotent money endpoints.

Amounts are integers in minor units beside an ISO currency. Quartier is never in the money
flow: every charge is a direct charge on the helper's own Stripe account.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from backend import clock
from backend.formats import written


class PayoutAccountStatus(models.TextChoices):
    DETAILS_MISSING = "details_missing", _("Details missing")
    PENDING_VERIFICATION = "pending_verification", _("Pending verification")
    CAN_TAKE_PAYMENTS = "can_take_payments", _("Can take payments")
    PAYOUTS_ENABLED = "payouts_enabled", _("Payouts enabled")
    # The account removed Quartier's access at Stripe (`account.application.deauthorized`):
    # nothing can be charged or captured on it any more; onboarding again connects a new one.
    DISCONNECTED = "disconnected", _("Disconnected from Quartier")


# The states in which a helper's account can be charged.
CHARGEABLE_STATUSES = (PayoutAccountStatus.CAN_TAKE_PAYMENTS, PayoutAccountStatus.PAYOUTS_ENABLED)


class PayoutAccount(models.Model):
    """A helper's connected Stripe (Express) account: where the customer's money goes."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    helper = models.OneToOneField(
        "helpers.HelperProfile",
        on_delete=models.PROTECT,
        related_name="payout_account",
        verbose_name=_("helper"),
    )
    # Null until Stripe created the account (the row, and so the idempotency key, comes first).
    stripe_account_id = models.CharField(
        _("Stripe account"), max_length=64, null=True, blank=True, unique=True
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=PayoutAccountStatus.choices,
        default=PayoutAccountStatus.DETAILS_MISSING,
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = clock.UpdatedAtField(_("updated at"))

    class Meta:
        verbose_name = _("payout account")
        verbose_name_plural = _("payout accounts")

    def __str__(self) -> str:
        return f"{self.stripe_account_id} ({self.get_status_display()})"

    @property
    def can_take_payments(self) -> bool:
        return self.status in CHARGEABLE_STATUSES

    @property
    def is_disconnected(self) -> bool:
        return self.status == PayoutAccountStatus.DISCONNECTED


class PaymentStatus(models.TextChoices):
    # Waiting for a card the hold can be placed on (none given yet, or the last one failed).
    REQUIRES_PAYMENT_METHOD = "requires_payment_method", _("Requires a payment method")
    AUTHORISED = "authorised", _("Authorised (held)")
    # Paid with a method that cannot be held (TWINT): due since sign-off, paid on a payment page.
    DUE = "due", _("Due (to be paid after the visit)")
    CAPTURED = "captured", _("Captured")
    RELEASED = "released", _("Released")
    REFUNDED = "refunded", _("Refunded")


class PayWith(models.TextChoices):
    """How the customer pays: a card is held on confirmation and captured on sign-off; TWINT
    cannot be held, so it is paid right after sign-off on a payment page."""

    CARD = "card", _("Card")
    TWINT = "twint", _("TWINT")


class Payment(models.Model):
    """What the customer pays for one booking, held on confirmation and captured on sign-off.

    `amount_minor` is the price agreed when the customer confirmed; the hold is for exactly that
    much, and no capture exceeds the hold (a database constraint says so too).
    """

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    booking = models.OneToOneField(
        "bookings.Booking",
        on_delete=models.PROTECT,
        related_name="payment",
        verbose_name=_("visit"),
    )
    payout_account = models.ForeignKey(
        PayoutAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("payout account"),
    )
    status = models.CharField(
        _("status"),
        max_length=24,
        choices=PaymentStatus.choices,
        default=PaymentStatus.REQUIRES_PAYMENT_METHOD,
    )
    currency = models.CharField(_("currency"), max_length=3)
    amount_minor = models.PositiveIntegerField(_("amount (Rappen)"))
    pay_with = models.CharField(
        _("paid with"), max_length=8, choices=PayWith.choices, default=PayWith.CARD
    )
    # What the customer is asked to pay after the visit (TWINT): the price, or the fee.
    due_minor = models.PositiveIntegerField(_("amount due (Rappen)"), default=0)
    payment_method_id = models.CharField(_("Stripe payment method"), max_length=64, blank=True)
    payment_intent_id = models.CharField(
        _("Stripe payment intent"), max_length=64, null=True, blank=True, unique=True
    )
    # The connected account the PaymentIntent lives on: the payout account's then. A helper who
    # reconnects gets a new account; the payment's money stays on the old one.
    intent_account_id = models.CharField(
        _("Stripe account of the payment intent"), max_length=64, blank=True
    )
    # The connected account the card's PaymentMethod was made on (Stripe.js makes it on the
    # payout account's then): only that account can charge it, so a hold after the helper
    # reconnected needs the card again.
    method_account_id = models.CharField(
        _("Stripe account of the payment method"), max_length=64, blank=True
    )
    # Each new hold (after a declined card) is a new attempt with its own PaymentIntent.
    attempt = models.PositiveIntegerField(_("attempt"), default=1)
    authorised_minor = models.PositiveIntegerField(_("amount held (Rappen)"), default=0)
    captured_minor = models.PositiveIntegerField(_("amount captured (Rappen)"), default=0)
    refunded_minor = models.PositiveIntegerField(_("amount refunded (Rappen)"), default=0)
    stripe_fee_minor = models.PositiveIntegerField(_("Stripe fee (Rappen)"), default=0)
    # Set when only a cancellation or no-show fee was captured.
    is_cancellation_fee = models.BooleanField(_("cancellation fee"), default=False)
    failure_code = models.CharField(_("failure code"), max_length=64, blank=True)
    failure_message = models.CharField(_("failure message"), max_length=300, blank=True)
    # Why the card was refused (`payments.declines.CardDeclineReason`), beside `failure_code`.
    decline_reason = models.CharField(_("decline reason"), max_length=32, blank=True)
    # A hold that asked for 3-D Secure: its PaymentIntent waits for the customer to finish the
    # challenge (Stripe.js, with the client secret) on the visit's page; empty otherwise.
    authentication_intent_id = models.CharField(
        _("Stripe authentication intent"), max_length=64, blank=True
    )
    authentication_client_secret = models.CharField(
        _("authentication client secret"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = clock.UpdatedAtField(_("updated at"))

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ("-created_at", "-id")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(authorised_minor__lte=models.F("amount_minor")),
                name="payment_hold_within_price",
            ),
            models.CheckConstraint(
                condition=models.Q(captured_minor__lte=models.F("authorised_minor")),
                name="payment_capture_within_hold",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_minor__lte=models.F("captured_minor")),
                name="payment_refund_within_capture",
            ),
        )

    def __str__(self) -> str:
        return gettext("Payment %(id)s (%(status)s)") % {
            "id": self.public_id,
            "status": self.get_status_display(),
        }

    @property
    def stripe_account_id(self) -> str:
        if self.intent_account_id:
            return self.intent_account_id
        account = self.payout_account
        return account.stripe_account_id or "" if account is not None else ""

    @property
    def account_lost(self) -> bool:
        """Whether the payment's account removed Quartier's access at Stripe (it is
        disconnected, or the helper has connected a new one since the PaymentIntent was made):
        nothing can be captured, released or charged there any more."""
        account = self.payout_account
        if account is None:
            return False
        moved = bool(self.intent_account_id) and self.intent_account_id != account.stripe_account_id
        return account.is_disconnected or moved

    @property
    def account_replaced(self) -> bool:
        """Whether the helper has connected another account since the PaymentIntent was made
        on theirs (which removed Quartier's access then): the intent's account is their
        previous one, not the one they have now."""
        account = self.payout_account
        return (
            account is not None
            and bool(self.intent_account_id)
            and self.intent_account_id != account.stripe_account_id
        )


class PaymentEvent(models.Model):
    """Append-only: every move of a payment, with why."""

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="events", verbose_name=_("payment")
    )
    from_status = models.CharField(_("from status"), max_length=24)
    to_status = models.CharField(_("to status"), max_length=24)
    actor_role = models.CharField(_("role"), max_length=16)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("payment event")
        verbose_name_plural = _("payment events")
        ordering = ("created_at", "id")

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class StripeRequest(models.Model):
    """A call Quartier makes to Stripe, written before the call: its idempotency key comes from
    our own rows (payment, action, attempt), so a retry after a crash is the same request and
    Stripe answers it with the first answer instead of doing it twice."""

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    action = models.CharField(_("action"), max_length=40)
    payment = models.ForeignKey(
        Payment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stripe_requests",
        verbose_name=_("payment"),
    )
    payout_account = models.ForeignKey(
        PayoutAccount,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payout account"),
    )
    stripe_object_id = models.CharField(_("Stripe object ID"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Stripe request")
        verbose_name_plural = _("Stripe requests")

    def __str__(self) -> str:
        return self.idempotency_key


class LedgerAccount(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    HOLD = "hold", _("Held on the customer's card")
    HELPER = "helper", _("Helper's Stripe account")
    STRIPE = "stripe", _("Stripe (processing fees)")
    QUARTIER = "quartier", _("Quartier")


class LedgerKind(models.TextChoices):
    AUTHORISED = "authorised", _("Authorised")
    RELEASED = "released", _("Released")
    CAPTURED = "captured", _("Captured")
    CANCELLATION_FEE = "cancellation_fee", _("Cancellation or no-show fee")
    STRIPE_FEE = "stripe_fee", _("Stripe fee")
    REFUNDED = "refunded", _("Refunded")
    TIPPED = "tipped", _("Tip")


class LedgerEntry(models.Model):
    """Append-only, double-entry: `amount_minor` moves from `debit` to `credit`.

    The balance of an account over a booking's entries is what it received minus what it gave.
    For every booking: what the customer paid equals what the helper kept plus Stripe's fees,
    and Quartier's balance is 0 (no entry ever names Quartier; a constraint forbids it).
    `(payment, kind, reference)` is unique, so the same Stripe object is booked once, whether
    Quartier learns of it from its own call or from a webhook.
    """

    booking = models.ForeignKey(
        "bookings.Booking",
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("visit"),
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("payment")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=LedgerKind.choices)
    debit = models.CharField(_("debit"), max_length=10, choices=LedgerAccount.choices)
    credit = models.CharField(_("credit"), max_length=10, choices=LedgerAccount.choices)
    amount_minor = models.PositiveIntegerField(_("amount (Rappen)"))
    currency = models.CharField(_("currency"), max_length=3)
    # The Stripe object behind the entry (PaymentIntent, charge, refund, balance transaction).
    reference = models.CharField(_("reference"), max_length=64)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ("id",)
        constraints = (
            models.UniqueConstraint(
                fields=("payment", "kind", "reference"), name="ledger_entry_once_per_object"
            ),
            models.CheckConstraint(
                condition=~models.Q(debit=models.F("credit")), name="ledger_entry_two_sides"
            ),
            models.CheckConstraint(
                condition=~models.Q(debit="quartier") & ~models.Q(credit="quartier"),
                name="ledger_quartier_takes_nothing",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_minor__gt=0), name="ledger_entry_positive"
            ),
        )

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()}: {self.get_debit_display()} → {self.get_credit_display()}"
            f" {self.amount_minor} {self.currency}"
        )


class WebhookEvent(models.Model):
    """A Stripe event as received: stored (unique by Stripe's id) before it is applied."""

    stripe_event_id = models.CharField(_("Stripe event ID"), max_length=64, unique=True)
    event_type = models.CharField(_("event type"), max_length=80)
    account = models.CharField(_("Stripe account"), max_length=64, blank=True)
    payload = models.JSONField(_("content"))
    received_at = models.DateTimeField(_("received at"), default=clock.now, editable=False)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    # What applying it did: "applied", "ignored: ..." (unknown type, already there, stale).
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ("-received_at", "-id")

    def __str__(self) -> str:
        return f"{self.event_type} {self.stripe_event_id}"


class IdempotentRequest(models.Model):
    """The first answer to an API call carrying an `Idempotency-Key`, to give again (for 24
    hours; see payments.idempotency)."""

    user = models.ForeignKey(
        "backend.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    key = models.CharField(_("idempotency key"), max_length=200)
    endpoint = models.CharField(_("endpoint"), max_length=200)
    body_hash = models.CharField(_("body hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    response = models.JSONField(_("response"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("repeatable request")
        verbose_name_plural = _("repeatable requests")
        constraints = (
            models.UniqueConstraint(fields=("user", "key"), name="idempotent_request_once"),
        )

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"


class ReconciliationRun(models.Model):
    """One comparison of the ledger with Stripe (daily by the worker, or by the command)."""

    started_at = models.DateTimeField(_("started at"), default=clock.now, editable=False)
    finished_at = models.DateTimeField(_("finished at"))
    mismatch_count = models.PositiveIntegerField(_("number of mismatches"))
    # Each mismatch as printed: "[where] reference: problem".
    mismatches = models.JSONField(_("mismatches"), default=list, blank=True)

    class Meta:
        verbose_name = _("reconciliation run")
        verbose_name_plural = _("reconciliation runs")
        ordering = ("-started_at", "-id")

    def __str__(self) -> str:
        words = ngettext(
            "reconciliation %(time)s: %(count)s mismatch",
            "reconciliation %(time)s: %(count)s mismatches",
            self.mismatch_count,
        )
        return words % {"time": written.moment(self.started_at), "count": self.mismatch_count}


class Tip(models.Model):
    """The customer's tip after sign-off: once per visit (the unique booking says so), 100 % to
    the helper as a direct charge on the helper's account with no application fee. A row exists
    only for a tip Stripe took; its amount and Stripe's fee are in the ledger too (`tipped`,
    `stripe_fee`), booked on the visit's payment."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    booking = models.OneToOneField(
        "bookings.Booking", on_delete=models.PROTECT, related_name="tip", verbose_name=_("visit")
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="tips", verbose_name=_("payment")
    )
    amount_minor = models.PositiveIntegerField(_("amount (Rappen)"))
    currency = models.CharField(_("currency"), max_length=3)
    payment_intent_id = models.CharField(_("Stripe payment intent"), max_length=64, unique=True)
    # The connected account the tip was charged on: the helper's payout account's when tipped,
    # which is not the visit's payment's once the helper has reconnected a new account. Empty
    # for tips from before it was kept: those were charged on the payment's account.
    account_id = models.CharField(_("Stripe account of the tip"), max_length=64, blank=True)
    charge_id = models.CharField(_("Stripe charge"), max_length=64)
    balance_transaction_id = models.CharField(
        _("Stripe balance transaction"), max_length=64, blank=True
    )
    stripe_fee_minor = models.PositiveIntegerField(_("Stripe fee (Rappen)"), default=0)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("tip")
        verbose_name_plural = _("tips")
        constraints = (
            models.CheckConstraint(condition=models.Q(amount_minor__gt=0), name="tip_positive"),
        )

    def __str__(self) -> str:
        return gettext("Tip %(amount)s %(currency)s on visit %(booking)s") % {
            "amount": self.amount_minor,
            "currency": self.currency,
            "booking": self.booking_id,
        }

    @property
    def stripe_account_id(self) -> str:
        return self.account_id or self.payment.stripe_account_id


class ExtraStatus(models.TextChoices):
    ASKED = "asked", _("Asked, waiting for the customer's consent")
    AUTHORISED = "authorised", _("Consented and held")
    DECLINED = "declined", _("Declined (the agreed price stands)")
    CAPTURED = "captured", _("Captured")
    RELEASED = "released", _("Released")


class ExtraCharge(models.Model):
    """Extra time or material above the hold, recorded by the helper during the visit or at
    check-out: once per visit (the unique booking says so). The customer consents in the app,
    and a second manual-capture PaymentIntent on the same card (a direct charge on the helper's
    account, no application fee) holds exactly `amount_minor`; it is captured with the visit on
    sign-off. Declined, or not consented to by sign-off: the agreed price stands.
    `extra_charge_move` (payments/extras.py) is the only writer of `status`."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    booking = models.OneToOneField(
        "bookings.Booking",
        on_delete=models.PROTECT,
        related_name="extra_charge",
        verbose_name=_("visit"),
    )
    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="extras", verbose_name=_("payment")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ExtraStatus.choices, default=ExtraStatus.ASKED
    )
    minutes = models.PositiveIntegerField(_("extra minutes"), default=0)
    material_minor = models.PositiveIntegerField(_("material (Rappen)"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The helper's price for the extra (time at the visit's rate plus material), and the charge
    # for it under the fee setting (grossed up when the customer bears Stripe's fee).
    price_minor = models.PositiveIntegerField(_("price (Rappen)"))
    amount_minor = models.PositiveIntegerField(_("amount (Rappen)"))
    currency = models.CharField(_("currency"), max_length=3)
    payment_intent_id = models.CharField(
        _("Stripe payment intent"), max_length=64, null=True, blank=True, unique=True
    )
    authorised_minor = models.PositiveIntegerField(_("amount held (Rappen)"), default=0)
    captured_minor = models.PositiveIntegerField(_("amount captured (Rappen)"), default=0)
    stripe_fee_minor = models.PositiveIntegerField(_("Stripe fee (Rappen)"), default=0)
    failure_code = models.CharField(_("failure code"), max_length=64, blank=True)
    # Why the bank refused the card for the extra (`payments.declines.CardDeclineReason`).
    decline_reason = models.CharField(_("decline reason"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)
    updated_at = clock.UpdatedAtField(_("updated at"))

    class Meta:
        verbose_name = _("extra charge")
        verbose_name_plural = _("extra charges")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(amount_minor__gt=0), name="extra_charge_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(authorised_minor__lte=models.F("amount_minor")),
                name="extra_charge_hold_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(captured_minor__lte=models.F("authorised_minor")),
                name="extra_charge_capture_within_hold",
            ),
        )

    def __str__(self) -> str:
        return gettext("Extra %(amount)s %(currency)s on visit %(booking)s") % {
            "amount": self.amount_minor,
            "currency": self.currency,
            "booking": self.booking_id,
        }


class ReceiptCounter(models.Model):
    """The last receipt number given in a year: locked while the next one is taken, in the
    transaction that issues the receipt, so numbers are gap-free per year."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("receipt counter")
        verbose_name_plural = _("receipt counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Receipt(models.Model):
    """The receipt of a captured payment, numbered once (`Q-<year>-<sequence>`, gap-free per
    year) when the capture is booked. Its amounts are read from the ledger when it is shown."""

    booking = models.OneToOneField(
        "bookings.Booking",
        on_delete=models.PROTECT,
        related_name="receipt",
        verbose_name=_("visit"),
    )
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, related_name="receipt", verbose_name=_("payment")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("number"))
    issued_at = models.DateTimeField(_("issued at"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = (
            models.UniqueConstraint(fields=("year", "sequence"), name="receipt_number_once"),
        )

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"Q-{self.year}-{self.sequence:06d}"
