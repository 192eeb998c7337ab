"""Terms and waivers over the API: what a customer (for a category) or a helper must accept,
in their language with the SHA-256 of exactly that text, and accepting one."""

from __future__ import annotations

from uuid import UUID

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from backend.client_address import client_ip
from backend.exceptions import CoreError, NotFound, ValidationFailed, raises
from bookings.acceptances_export import acceptances_json, booking_acceptances
from bookings.selectors import booking_for
from catalogue.models import HELPER_KINDS, LEGAL_LANGUAGES, LegalDocumentVersion, ServiceCategory
from catalogue.selectors import current_versions, customer_waivers
from catalogue.services import legal_accept
from mobile_api.idempotency import ApiView
from mobile_api.permissions import IsManager, request_user
from mobile_api.serializers.waivers import (
    AcceptanceInputSerializer,
    AcceptanceSerializer,
    AcceptancesExportSerializer,
    WaiverSerializer,
)


class WaiverListApi(ApiView):
    @extend_schema(
        operation_id="waivers_list",
        parameters=[
            OpenApiParameter("audience", str, enum=["customer", "helper"], required=False),
            OpenApiParameter("category", str, required=False, description="A category's slug"),
            OpenApiParameter("language", str, enum=list(LEGAL_LANGUAGES), required=False),
        ],
        responses={200: WaiverSerializer(many=True)},
    )
    @raises(CoreError.INVALID_CHOICE)
    def get(self, request: Request) -> Response:
        """The current terms and waivers to accept: a customer's for a category
        (`?category=`), or a helper's (`?audience=helper`), in the user's language unless
        `?language=` says otherwise."""
        user = request_user(request)
        audience = request.query_params.get("audience", "customer")
        language = request.query_params.get("language", user.preferred_language)
        if language not in LEGAL_LANGUAGES:
            raise ValidationFailed.for_field(
                "language", _("One of de, fr, it, en."), code=CoreError.INVALID_CHOICE
            )
        if audience == "helper":
            versions = list(current_versions(kinds=HELPER_KINDS))
        elif audience == "customer":
            slug = request.query_params.get("category", "")
            category = ServiceCategory.objects.filter(slug=slug, is_active=True).first()
            if slug and category is None:
                raise ValidationFailed.for_field(
                    "category", _("No such category."), code=CoreError.INVALID_CHOICE
                )
            versions = customer_waivers(category)
        else:
            raise ValidationFailed.for_field(
                "audience", _("customer or helper."), code=CoreError.INVALID_CHOICE
            )
        accepted = set(
            user.legal_acceptances.filter(version__in=versions).values_list("version_id", flat=True)
        )
        context = {"language": language, "accepted": accepted}
        return Response(WaiverSerializer(versions, many=True, context=context).data)


class WaiverAcceptApi(ApiView):
    @extend_schema(
        operation_id="waivers_accept",
        request=AcceptanceInputSerializer,
        responses={201: AcceptanceSerializer},
    )
    @raises(CoreError.NOT_FOUND, legal_accept)
    def post(self, request: Request) -> Response:
        """Accept one version as shown: `text_sha256` is the SHA-256 of the text displayed.
        The acceptance records the time, address and browser, and for whom (a relative)."""
        data = AcceptanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = (
            LegalDocumentVersion.objects.select_related("document")
            .filter(pk=data.validated_data["version"])
            .first()
        )
        if version is None:
            raise NotFound(_("No such version."))
        acceptance = legal_accept(
            user=request_user(request),
            version=version,
            language=data.validated_data["language"],
            text_sha256=data.validated_data["text_sha256"],
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            on_behalf_name=data.validated_data["on_behalf_name"],
        )
        return Response(AcceptanceSerializer(acceptance).data, status=status.HTTP_201_CREATED)


class ManagerBookingAcceptancesApi(ApiView):
    """Manager: a visit's acceptances, for a dispute or an insurer."""

    permission_classes = (IsManager,)
    not_found_message = gettext_lazy("No such booking.")

    @extend_schema(
        operation_id="manager_booking_acceptances",
        responses={200: AcceptancesExportSerializer},
    )
    @raises(CoreError.NOT_FOUND)
    def get(self, request: Request, booking_id: UUID) -> Response:
        """Manager: the terms and waivers the visit's customer (or the relative booking for
        them) and its helper had accepted by the visit's first confirmation (by now while it
        is not confirmed): who, in which role and for whom, which document and version, the
        language and the SHA-256 of exactly the text shown, when, from which address and
        browser. The console offers the same as a PDF."""
        user = request_user(request)
        export = booking_acceptances(user, booking_for(user, booking_id))
        return Response(acceptances_json(export))
