"""Terms and waivers over the API: what a customer (for a category) or a helper must accept,
in their language with the SHA-256 of exactly that text, and accepting one."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.client_address import client_ip
from backend.exceptions import NotFound, ValidationFailed
from catalogue.models import HELPER_KINDS, LEGAL_LANGUAGES, LegalDocumentVersion, ServiceCategory
from catalogue.selectors import current_versions, customer_waivers
from catalogue.services import legal_accept
from mobile_api.schema import TEXT_CODES, errors
from mobile_api.views.helpers import _user


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


class WaiverListApi(APIView):
    @extend_schema(
        operation_id="waivers_list",
        parameters=[
            OpenApiParameter("audience", str, enum=["customer", "helper"], required=False),
            OpenApiParameter("category", str, required=False, description="A category's slug"),
            OpenApiParameter("language", str, enum=list(LEGAL_LANGUAGES), required=False),
        ],
        responses={200: WaiverSerializer(many=True), **errors(s400=["invalid_choice"])},
    )
    def get(self, request: Request) -> Response:
        """The current terms and waivers to accept: a customer's for a category
        (`?category=`), or a helper's (`?audience=helper`), in the user's language unless
        `?language=` says otherwise."""
        user = _user(request)
        audience = request.query_params.get("audience", "customer")
        language = request.query_params.get("language", user.preferred_language)
        if language not in LEGAL_LANGUAGES:
            raise ValidationFailed.for_field(
                "language", "One of de, fr, it, en.", code="invalid_choice"
            )
        if audience == "helper":
            versions = list(current_versions(kinds=HELPER_KINDS))
        elif audience == "customer":
            slug = request.query_params.get("category", "")
            category = ServiceCategory.objects.filter(slug=slug, is_active=True).first()
            if slug and category is None:
                raise ValidationFailed.for_field(
                    "category", "No such category.", code="invalid_choice"
                )
            versions = customer_waivers(category)
        else:
            raise ValidationFailed.for_field(
                "audience", "customer or helper.", code="invalid_choice"
            )
        accepted = set(
            user.legal_acceptances.filter(version__in=versions).values_list("version_id", flat=True)
        )
        context = {"language": language, "accepted": accepted}
        return Response(WaiverSerializer(versions, many=True, context=context).data)


class WaiverAcceptApi(APIView):
    class AcceptanceInput(serializers.Serializer):
        version = serializers.IntegerField(min_value=1)
        language = serializers.ChoiceField(choices=list(LEGAL_LANGUAGES))
        text_sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$")
        on_behalf_name = serializers.CharField(
            max_length=80, required=False, allow_blank=True, default=""
        )

    class AcceptanceOutput(serializers.Serializer):
        version = serializers.IntegerField(source="version_id")
        language = serializers.CharField()
        text_sha256 = serializers.CharField()
        accepted_at = serializers.DateTimeField()
        on_behalf_name = serializers.CharField()

    @extend_schema(
        operation_id="waivers_accept",
        request=AcceptanceInput,
        responses={
            201: AcceptanceOutput,
            **errors(
                s400=[
                    "invalid_choice",
                    "validation_invalid",
                    "validation_required",
                    "max_length",
                    "text_hash_mismatch",
                    *TEXT_CODES,
                ],
                s404=["not_found"],
                s409=["waiver_version_not_current"],
            ),
        },
    )
    def post(self, request: Request) -> Response:
        """Accept one version as shown: `text_sha256` is the SHA-256 of the text displayed.
        The acceptance records the time, address and browser, and for whom (a relative)."""
        data = self.AcceptanceInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = (
            LegalDocumentVersion.objects.select_related("document")
            .filter(pk=data.validated_data["version"])
            .first()
        )
        if version is None:
            raise NotFound("No such version.")
        acceptance = legal_accept(
            user=_user(request),
            version=version,
            language=data.validated_data["language"],
            text_sha256=data.validated_data["text_sha256"],
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            on_behalf_name=data.validated_data["on_behalf_name"],
        )
        return Response(self.AcceptanceOutput(acceptance).data, status=status.HTTP_201_CREATED)
