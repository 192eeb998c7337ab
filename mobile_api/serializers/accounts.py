"""A person's own account."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backend.models import Device, DevicePlatform, User
from bookings.selectors import WARNING_SHOWN_DAYS, ShownWarning, shown_warnings
from helpers.selectors import payout_account_to_finish
from mobile_api.serializers.moments import ApiDateTimeField, ApiModelSerializer
from mobile_api.serializers.payments import payout_disconnected_message
from payments.selectors import payout_account_disconnected


class UserSerializer(ApiModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    is_helper = serializers.SerializerMethodField()
    is_manager = serializers.BooleanField(source="is_staff", read_only=True)

    class Meta:
        model = User
        fields: tuple[str, ...] = (
            "id",
            "email",
            "display_name",
            "phone",
            "languages",
            "preferred_language",
            "home_street",
            "home_postal_code",
            "home_locality",
            "home_location",
            "is_helper",
            "is_manager",
            "date_joined",
        )
        read_only_fields: tuple[str, ...] = fields

    def get_is_helper(self, user: User) -> bool:
        return user.is_helper


class ShownWarningSerializer(serializers.Serializer):
    """A warning the community manager gave me, as my web page shows it: the visit's day and
    the manager's reason, never the report nor who filed it."""

    visit_day = serializers.DateField(
        help_text="The day of the visit the warning is about (Swiss time)."
    )
    reason = serializers.CharField(
        help_text="The community manager's reason, as they wrote it (not translated)."
    )
    given_at = ApiDateTimeField(help_text="When the community manager gave the warning.")
    message = serializers.CharField(
        help_text="The sentence my web page shows before the reason, in the reader's language."
    )


def shown_warning(warning: ShownWarning) -> dict[str, Any]:
    return {
        **warning._asdict(),
        "message": _(
            "After the visit of %(day)s, the community manager looked into what happened and "
            "gave you a warning. The reason:"
        )
        % {"day": formats.date_format(warning.visit_day, "DATE_FORMAT")},
    }


class PayoutStateSerializer(serializers.Serializer):
    """A helper's payout account as their start page and earnings tell it."""

    can_take_charges = serializers.BooleanField(
        help_text="Whether my payout account can take charges (customers' payments) now."
    )
    action_needed = serializers.BooleanField(
        help_text=(
            "Whether I must finish connecting my payout account: I am approved and charge for "
            "my work (an hourly rate above 0) but the account cannot take charges yet, so paid "
            "requests do not come to me (the box on my start page and earnings). False unless "
            "I am approved, and when I work for free."
        )
    )
    disconnected = serializers.BooleanField(
        help_text=(
            "Whether my payout account was disconnected from Quartier at Stripe: I reconnect "
            "one (the onboarding again) to get paid requests."
        )
    )
    message = serializers.CharField(
        allow_null=True,
        help_text=(
            "What to do, in the reader's language, when `action_needed` (to reconnect the "
            "account when `disconnected`); else null."
        ),
    )
    payout_account_url = serializers.URLField(
        help_text=(
            "The payout account endpoint: `GET` its state, `POST` a link to Stripe's onboarding "
            "(to start it or go on with it)."
        )
    )


class MeSerializer(UserSerializer):
    """My account, with what my pages tell me: my warnings and, as a helper, my payouts."""

    warnings = serializers.SerializerMethodField(
        help_text=(
            f"The warnings the community manager gave me in the last {WARNING_SHOWN_DAYS} days, "
            "newest first (they stay on my record after)."
        )
    )
    payout = serializers.SerializerMethodField(
        help_text="My payout account, for a helper; null for anyone else."
    )

    class Meta(UserSerializer.Meta):
        fields = (*UserSerializer.Meta.fields, "warnings", "payout")
        read_only_fields = fields

    @extend_schema_field(ShownWarningSerializer(many=True))
    def get_warnings(self, user: User) -> Any:
        shown = [shown_warning(warning) for warning in shown_warnings(user)]
        return ShownWarningSerializer(shown, many=True).data

    @extend_schema_field(PayoutStateSerializer(allow_null=True))
    def get_payout(self, user: User) -> Any:
        helper = getattr(user, "helper_profile", None)
        if helper is None:
            return None
        to_finish = payout_account_to_finish(helper)
        # An account that takes charges is not disconnected: no statement then.
        disconnected = not helper.takes_payments and payout_account_disconnected(helper.pk)
        if disconnected:
            message = payout_disconnected_message()
        else:
            message = _(
                "Finish connecting your payout account: paid requests come to you only once "
                "customers can pay you"
            )
        return PayoutStateSerializer(
            {
                "can_take_charges": helper.takes_payments,
                "action_needed": to_finish,
                "disconnected": disconnected,
                "message": message if to_finish else None,
                "payout_account_url": self.context["request"].build_absolute_uri(
                    reverse("payout-account")
                ),
            }
        ).data


class DeviceSerializer(ApiModelSerializer):
    """A device signed in to my account (its token is shown only once, at log-in)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(
        source="shown_name",
        read_only=True,
        help_text='The name given at log-in, else "Unnamed device" in the reader\'s language.',
    )
    current = serializers.SerializerMethodField(
        help_text="Whether this is the device that asks (its token authenticated the request)."
    )
    push = serializers.SerializerMethodField(
        help_text="Whether the device has a push subscription."
    )

    class Meta:
        model = Device
        fields = ("id", "name", "platform", "created_at", "last_used_at", "current", "push")

    def get_current(self, device: Device) -> bool:
        current = self.context.get("current")
        return isinstance(current, Device) and current.pk == device.pk

    def get_push(self, device: Device) -> bool:
        return bool(getattr(device, "push_count", 0))


class DeviceInput(serializers.Serializer):
    """How a log-in names the device it signs in (both optional)."""

    device_name = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text='Shown in the list of devices; "Unnamed device" (in the reader\'s language) '
        "when empty.",
    )
    platform = serializers.ChoiceField(
        choices=DevicePlatform.choices, required=False, default=DevicePlatform.OTHER
    )
