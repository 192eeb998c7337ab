"""A person's own account."""

from __future__ import annotations

from rest_framework import serializers

from backend.models import Device, DevicePlatform, User


class UserSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    is_helper = serializers.SerializerMethodField()
    is_manager = serializers.BooleanField(source="is_staff", read_only=True)

    class Meta:
        model = User
        fields = (
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
        read_only_fields = fields

    def get_is_helper(self, user: User) -> bool:
        return user.is_helper


class DeviceSerializer(serializers.ModelSerializer):
    """A device signed in to my account (its token is shown only once, at log-in)."""

    id = serializers.UUIDField(source="public_id", read_only=True)
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
        help_text=f'Shown in the list of devices; "{Device.UNNAMED}" when empty.',
    )
    platform = serializers.ChoiceField(
        choices=DevicePlatform.choices, required=False, default=DevicePlatform.OTHER
    )
