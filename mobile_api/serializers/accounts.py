"""A person's own account."""

from __future__ import annotations

from rest_framework import serializers

from backend.models import User


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
