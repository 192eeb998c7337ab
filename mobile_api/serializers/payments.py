"""A booking's payment with its receipt's amounts, and the helper's payout account."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.config import config
from mobile_api.serializers.moments import ApiDateTimeField
from payments import selectors
from payments.declines import CardDeclineReason, decline_words
from payments.models import ExtraCharge, Payment, PayoutAccount, PayoutAccountStatus
from payments.warnings import payout_warning

# Why the bank refused a card: one of `payments.declines.CardDeclineReason`, or empty.
_DECLINE_REASON = serializers.ChoiceField(
    choices=[(reason.value, reason.name) for reason in CardDeclineReason], allow_blank=True
)


class PaymentSerializer(serializers.Serializer):
    """A booking's payment, with the receipt's amounts (integer minor units)."""

    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField(
        help_text="requires_payment_method, authorised (held), due (TWINT: to be paid on the "
        "payment page), captured, released or refunded."
    )
    pay_with = serializers.CharField(
        help_text="card (held on confirmation, captured on sign-off) or twint (cannot be held: "
        "paid right after sign-off through POST …/payment/pay)."
    )
    due_minor = serializers.IntegerField(
        help_text="While due: what the customer is asked to pay with TWINT (the charge, or the "
        "cancellation fee)."
    )
    currency = serializers.CharField()
    price_minor = serializers.SerializerMethodField(help_text="The helper's price for the visit.")
    charge_minor = serializers.IntegerField(
        source="amount_minor",
        help_text="What the card is held for: the price, grossed up by "
        "Stripe's fee when the customer bears it.",
    )
    stripe_fee_paid_by = serializers.CharField(source="booking.stripe_fee_paid_by")
    authorised_minor = serializers.IntegerField()
    captured_minor = serializers.IntegerField()
    refunded_minor = serializers.IntegerField()
    stripe_fee_minor = serializers.IntegerField()
    quartier_fee_minor = serializers.SerializerMethodField()
    helper_receives_minor = serializers.SerializerMethodField()
    is_cancellation_fee = serializers.BooleanField()
    failure_code = serializers.CharField()
    decline_reason = serializers.SerializerMethodField(
        help_text="For the visit's customer: why the bank refused the last card (as in a refused "
        "card's error), else empty. The helper reads it empty: the customer's bank's answer is "
        "theirs (`failure_code` says that the card was declined)."
    )
    decline_message = serializers.SerializerMethodField(
        help_text="For the visit's customer, while the last card refused waits for another: why "
        "it was refused and what to do, in the reader's language (the words of the card's "
        "error); else null."
    )
    stripe_account = serializers.CharField(source="stripe_account_id")
    publishable_key = serializers.SerializerMethodField()
    payout_warning = serializers.SerializerMethodField(
        help_text="For the visit's customer and helper, in the reader's language, while a visit "
        "still to come will not be paid because the helper's payout account was disconnected "
        "from Quartier (the card was given on it, for a hold placed or still to be placed: a "
        "card held there cannot be charged on an account the helper connects since; a card "
        "given for a hold still to be placed is asked for again if the helper connects one "
        "before the hold falls due); else null."
    )

    def get_price_minor(self, payment: Payment) -> int:
        return payment.booking.price_minor or 0

    def get_quartier_fee_minor(self, payment: Payment) -> int:
        return 0

    def get_helper_receives_minor(self, payment: Payment) -> int:
        return selectors.helper_receives_minor(payment)

    def get_publishable_key(self, payment: Payment) -> str:
        return config().stripe_publishable_key

    def _read_by_the_customer(self, payment: Payment) -> bool:
        reader = self.context.get("reader")
        return reader is not None and reader.pk == payment.booking.help_request.customer_id

    @extend_schema_field(_DECLINE_REASON)
    def get_decline_reason(self, payment: Payment) -> str:
        return payment.decline_reason if self._read_by_the_customer(payment) else ""

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decline_message(self, payment: Payment) -> str | None:
        if not (payment.failure_code and payment.decline_reason):
            return None
        if not self._read_by_the_customer(payment):
            return None
        return decline_words(payment.decline_reason)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_payout_warning(self, payment: Payment) -> str | None:
        reader = self.context.get("reader")
        if reader is None:
            return None
        return payout_warning(payment.booking, payment, reader.pk)


def payout_disconnected_message() -> str:
    """What a helper whose payout account was disconnected reads (the web says it too)."""
    return _(
        "Your payout account was disconnected from Quartier: reconnect it to get paid "
        "requests again"
    )


class PayoutAccountSerializer(serializers.Serializer):
    status = serializers.CharField(
        help_text="One of: " + ", ".join(PayoutAccountStatus.values) + ". `disconnected`: the "
        "account removed Quartier's access at Stripe; `POST` connects a new one.",
    )
    can_take_payments = serializers.BooleanField()
    message = serializers.SerializerMethodField(
        help_text="What to do, in the reader's language, when the account was disconnected "
        "(reconnect one with `POST`); else null."
    )

    def get_message(self, account: PayoutAccount) -> str | None:
        return payout_disconnected_message() if account.is_disconnected else None


class OnboardingInput(serializers.Serializer):
    return_url = serializers.URLField(max_length=500)
    refresh_url = serializers.URLField(max_length=500)


class OnboardingOutput(PayoutAccountSerializer):
    onboarding_url = serializers.URLField()


class PaymentMethodInput(serializers.Serializer):
    payment_method = serializers.CharField(
        max_length=64,
        help_text="A card's PaymentMethod id on the helper's account (pm_…, from Stripe.js), or "
        "`twint` to pay with TWINT: nothing is held, the customer pays right after sign-off.",
    )


class PayAfterInput(serializers.Serializer):
    return_url = serializers.URLField(
        max_length=500, help_text="Where TWINT sends the customer back after paying."
    )


class PayAfterOutput(PaymentSerializer):
    redirect_url = serializers.CharField(
        help_text="Send the customer here to pay with TWINT; empty when already paid."
    )


class RefundInput(serializers.Serializer):
    amount_minor = serializers.IntegerField(min_value=1)
    # Empty is the service's `reason_required`, not DRF's generic `validation_blank`.
    reason = serializers.CharField(max_length=300, allow_blank=True)


class ReceiptSerializer(serializers.Serializer):
    """A settled visit's receipt; every amount in minor units, read from the ledger."""

    number = serializers.CharField(help_text="Q-<year>-<sequence>, gap-free per year.")
    issued_at = serializers.DateField()
    merchant = serializers.CharField(help_text="The helper, who is paid directly.")
    visit_date = serializers.DateField(allow_null=True)
    category = serializers.CharField(help_text="In the language of the request.")
    locality = serializers.CharField()
    duration_minutes = serializers.IntegerField()
    work_summary = serializers.CharField()
    currency = serializers.CharField()
    is_cancellation_fee = serializers.BooleanField()
    stripe_fee_paid_by = serializers.CharField()
    price_minor = serializers.IntegerField()
    extra_minutes = serializers.IntegerField(help_text="Extra time agreed and captured.")
    extra_material_minor = serializers.IntegerField(help_text="Material agreed and captured.")
    extra_price_minor = serializers.IntegerField(
        help_text="The helper's price for the extra time and material (0: none)."
    )
    extra_charged_minor = serializers.IntegerField(
        help_text="Captured for the extra (a second hold), included in charged_minor."
    )
    charged_minor = serializers.IntegerField(
        help_text="Captured from the card for the visit, extra included."
    )
    stripe_fee_minor = serializers.IntegerField(
        help_text="Stripe's actual fee on the charge, from its balance transaction."
    )
    quartier_fee_minor = serializers.IntegerField(help_text="Always 0.")
    tip_minor = serializers.IntegerField()
    tip_stripe_fee_minor = serializers.IntegerField()
    refunded_minor = serializers.IntegerField()
    customer_paid_minor = serializers.IntegerField(help_text="Charged − refunded + tip.")
    stripe_fees_minor = serializers.IntegerField(help_text="Stripe's fees on charge and tip.")
    helper_receives_minor = serializers.IntegerField(
        help_text="customer_paid_minor − stripe_fees_minor."
    )


class TipInput(serializers.Serializer):
    amount_minor = serializers.IntegerField(
        help_text="In Rappen, within the configured bounds (tip_out_of_bounds otherwise)."
    )
    payment_method = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        help_text="A card on the helper's account (Stripe.js); without one, the visit's card.",
    )


class TipSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    amount_minor = serializers.IntegerField()
    currency = serializers.CharField()
    stripe_fee_minor = serializers.IntegerField()
    created_at = ApiDateTimeField()


class StatementLineSerializer(serializers.Serializer):
    month = serializers.IntegerField(help_text="1–12; 0 for the year's total.")
    gross_minor = serializers.IntegerField()
    stripe_fees_minor = serializers.IntegerField()
    refunds_minor = serializers.IntegerField()
    tips_minor = serializers.IntegerField()
    net_minor = serializers.IntegerField()


class StatementSerializer(serializers.Serializer):
    helper_name = serializers.CharField()
    year = serializers.IntegerField()
    currency = serializers.CharField()
    months = StatementLineSerializer(many=True)
    total = StatementLineSerializer()


class ExtraInput(serializers.Serializer):
    minutes = serializers.IntegerField(
        min_value=0,
        default=0,
        help_text="Extra time, priced at the helper's hourly rate per started quarter hour.",
    )
    material_minor = serializers.IntegerField(
        min_value=0, default=0, help_text="Material used, in Rappen."
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ExtraAnswerInput(serializers.Serializer):
    consent = serializers.BooleanField(
        help_text="true: hold the extra charge on the visit's card (a second authorisation); "
        "false: decline it, the agreed price stands."
    )


class ExtraSerializer(serializers.Serializer):
    """Extra time or material above the hold, once per visit (integer minor units)."""

    id = serializers.UUIDField(source="public_id")
    status = serializers.CharField(
        help_text="asked (waiting for the customer), authorised (consented and held), "
        "declined (the agreed price stands), captured (with the visit) or released."
    )
    minutes = serializers.IntegerField()
    material_minor = serializers.IntegerField()
    note = serializers.CharField()
    price_minor = serializers.IntegerField(help_text="The helper's price for the extra.")
    charge_minor = serializers.IntegerField(
        source="amount_minor",
        help_text="What the card is held for: the price, grossed up by Stripe's fee when the "
        "customer bears it.",
    )
    currency = serializers.CharField()
    authorised_minor = serializers.IntegerField()
    captured_minor = serializers.IntegerField()
    stripe_fee_minor = serializers.IntegerField()
    failure_code = serializers.CharField(
        help_text="Why a consent could not be held: card_declined or authentication_required "
        "(unchanged for existing clients; `decline_reason` says more to the customer)."
    )
    decline_reason = serializers.SerializerMethodField(
        help_text="For the visit's customer: why the bank refused the card for the extra (as "
        "the visit payment's `decline_reason`), else empty. The helper reads it empty."
    )
    decline_message = serializers.SerializerMethodField(
        help_text="For the visit's customer, once the card was refused for the extra: why and "
        "what to do, in the reader's language (as the visit payment's `decline_message`); else "
        "null."
    )

    def _read_by_the_customer(self, extra: ExtraCharge) -> bool:
        reader = self.context.get("reader")
        return reader is not None and reader.pk == extra.booking.help_request.customer_id

    @extend_schema_field(_DECLINE_REASON)
    def get_decline_reason(self, extra: ExtraCharge) -> str:
        return extra.decline_reason if self._read_by_the_customer(extra) else ""

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decline_message(self, extra: ExtraCharge) -> str | None:
        if not (extra.failure_code and extra.decline_reason):
            return None
        if not self._read_by_the_customer(extra):
            return None
        return decline_words(extra.decline_reason)
