"""Terms and waivers: a version to accept in the user's language, and an acceptance."""

from __future__ import annotations

from rest_framework import serializers

from catalogue.models import LEGAL_LANGUAGES, LegalDocumentVersion
from mobile_api.serializers.moments import ApiDateTimeField


class WaiverSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        source="pk", help_text="What to accept (POST /waivers/accept)."
    )
    document = serializers.CharField(source="document.slug")
    kind = serializers.CharField(source="document.kind")
    number = serializers.IntegerField()
    language = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    text = serializers.SerializerMethodField(help_text="Show exactly this text.")
    text_sha256 = serializers.SerializerMethodField(
        help_text="SHA-256 (hex) of `text` as UTF-8: send it back when the user accepts."
    )
    accepted = serializers.SerializerMethodField()

    def _language(self) -> str:
        return str(self.context["language"])

    def get_language(self, version: LegalDocumentVersion) -> str:
        return self._language()

    def get_title(self, version: LegalDocumentVersion) -> str:
        return version.title_in(self._language())

    def get_text(self, version: LegalDocumentVersion) -> str:
        return version.text_in(self._language())

    def get_text_sha256(self, version: LegalDocumentVersion) -> str:
        return version.sha256_in(self._language())

    def get_accepted(self, version: LegalDocumentVersion) -> bool:
        return version.pk in self.context["accepted"]


class AcceptanceInputSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    language = serializers.ChoiceField(choices=list(LEGAL_LANGUAGES))
    text_sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$")
    on_behalf_name = serializers.CharField(
        max_length=80, required=False, allow_blank=True, default=""
    )


class AcceptanceSerializer(serializers.Serializer):
    version = serializers.IntegerField(source="version_id")
    language = serializers.CharField()
    text_sha256 = serializers.CharField()
    accepted_at = ApiDateTimeField()
    on_behalf_name = serializers.CharField()


class ExportedAcceptanceSerializer(serializers.Serializer):
    user = serializers.UUIDField(help_text="The public id of who accepted.")
    user_name = serializers.CharField()
    user_email = serializers.EmailField()
    role = serializers.CharField(help_text="`customer` or `helper`: the side who accepted.")
    on_behalf_of = serializers.CharField(
        help_text="The person the customer booked for (a relative); empty for themselves."
    )
    document = serializers.CharField(help_text="The document's slug.")
    document_kind = serializers.CharField()
    title = serializers.CharField(help_text="The title as shown, in `language`.")
    version = serializers.IntegerField(help_text="The version's number.")
    language = serializers.ChoiceField(choices=LEGAL_LANGUAGES)
    text_sha256 = serializers.CharField(
        help_text="SHA-256 (hex) of exactly the text shown, as UTF-8."
    )
    accepted_at = ApiDateTimeField()
    ip_address = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField()


class AcceptancesExportSerializer(serializers.Serializer):
    booking = serializers.UUIDField()
    category = serializers.CharField(help_text="The visit's category (slug).")
    booking_status = serializers.CharField(help_text="The visit's status now.")
    in_force_at = ApiDateTimeField(
        help_text="The moment the acceptances count at: the visit's first confirmation, or the"
        " time of the export while it is not confirmed."
    )
    confirmed = serializers.BooleanField()
    acceptances = ExportedAcceptanceSerializer(many=True)
