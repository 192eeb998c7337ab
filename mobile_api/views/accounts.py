"""Registration, log-in tokens and one's own profile."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from backend.account_throttle import ACCOUNT_SCOPE
from backend.devices import device_revoke, device_sign_in, devices_of
from backend.exceptions import raises
from backend.models import Device, DevicePlatform, Language, User
from backend.places import Place, resolve_place
from backend.services import user_log_in, user_register, user_update_profile, user_verify_email
from mobile_api.idempotency import ApiView
from mobile_api.pagination import PAGE_PARAMETERS, PaginatedListView, page_of, paginated
from mobile_api.permissions import request_user
from mobile_api.serializers.accounts import (
    DeviceInput,
    DeviceSerializer,
    MeSerializer,
    UserSerializer,
)
from mobile_api.serializers.fields import GeoJSONPointField, LanguagesField

TokenOut = inline_serializer(
    "TokenOut",
    {
        "token": serializers.CharField(help_text="This device's own API token, shown once."),
        "user": UserSerializer(),
        "device": DeviceSerializer(),
    },
)


def token_answer(user: User, *, name: str = "", platform: str = DevicePlatform.OTHER) -> Response:
    """Sign in a new device of `user`: its token, the user and the device."""
    device, key = device_sign_in(user=user, name=name, platform=platform)
    return Response(
        {
            "token": key,
            "user": UserSerializer(user).data,
            "device": DeviceSerializer(device, context={"current": device}).data,
        }
    )


def _home_from(data: dict[str, Any]) -> Place | None:
    keys = ("home_street", "home_postal_code", "home_locality", "home_location")
    if not any(data.get(key) for key in keys):
        return None
    return resolve_place(
        street=data.get("home_street", ""),
        postal_code=data.get("home_postal_code", ""),
        locality=data.get("home_locality", ""),
        point=data.get("home_location"),
        field_prefix="home_",
    )


class HomeFields(serializers.Serializer):
    home_street = serializers.CharField(max_length=120, required=False, allow_blank=True)
    home_postal_code = serializers.CharField(max_length=4, required=False, allow_blank=True)
    home_locality = serializers.CharField(max_length=80, required=False, allow_blank=True)
    home_location = GeoJSONPointField(required=False, allow_null=True)


SignUpOut = inline_serializer("SignUpOut", {"message": serializers.CharField()})


class RegisterApi(ApiView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = ACCOUNT_SCOPE

    class RegisterInput(HomeFields):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, write_only=True)
        display_name = serializers.CharField(max_length=80)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
        languages = LanguagesField(required=False, default=["de"])
        preferred_language = serializers.ChoiceField(
            choices=Language.choices, required=False, default="de"
        )

    @extend_schema(
        operation_id="auth_register",
        request=RegisterInput,
        responses={202: SignUpOut},
    )
    @raises(user_register, resolve_place)
    def post(self, request: Request) -> Response:
        """Sign up (as a customer; apply as a helper afterwards): check your e-mail.

        The answer is the same whether or not the address already has an account. A new
        address gets an e-mail with a link (and token) that finishes the sign-up through
        `POST /api/v1/auth/verify-email`; the owner of an existing account is told by e-mail
        instead. Signing up again before confirming changes nothing; the address is sent a
        link to choose the password (`POST /api/v1/auth/password-reset/confirm`), which
        confirms it with the details of that sign-up.
        """
        data = self.RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user_register(
            email=values["email"],
            password=values["password"],
            display_name=values["display_name"],
            phone=values.get("phone", ""),
            languages=values["languages"],
            preferred_language=values["preferred_language"],
            home=_home_from(values),
        )
        return Response(
            {"message": _("Check your e-mail to finish signing up.")},
            status=status.HTTP_202_ACCEPTED,
        )


class VerifyEmailApi(ApiView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = ACCOUNT_SCOPE

    class VerifyEmailInput(DeviceInput):
        token = serializers.CharField(max_length=500)

    @extend_schema(
        operation_id="auth_verify_email",
        request=VerifyEmailInput,
        responses={200: TokenOut},
    )
    @raises(user_verify_email)
    def post(self, request: Request) -> Response:
        """Finish signing up with the token from the e-mail: the account opens, with an API token."""
        data = self.VerifyEmailInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_verify_email(token=data.validated_data["token"])
        return token_answer(
            user,
            name=data.validated_data["device_name"],
            platform=data.validated_data["platform"],
        )


class TokenApi(ApiView):
    """Exchange email and password for an API token (the same answer for any wrong pair)."""

    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = ACCOUNT_SCOPE

    class TokenInput(DeviceInput):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128, write_only=True)

    @extend_schema(
        operation_id="auth_token",
        request=TokenInput,
        responses={200: TokenOut},
    )
    @raises(user_log_in)
    def post(self, request: Request) -> Response:
        """Sign in a device: email and password for this device's own API token (the same
        answer for any wrong pair). Each log-in is a new device, listed in `GET /api/v1/devices`;
        logging out ends only that device."""
        data = self.TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_log_in(
            request=request,
            email=data.validated_data["email"],
            password=data.validated_data["password"],
        )
        return token_answer(
            user,
            name=data.validated_data["device_name"],
            platform=data.validated_data["platform"],
        )


class LogoutApi(ApiView):
    @extend_schema(operation_id="auth_logout", request=None, responses={204: None})
    @raises()
    def post(self, request: Request) -> Response:
        """Log out this device: its API token stops working and its push subscription is
        removed; my other devices stay signed in. (From a web session: nothing to end here.)"""
        user = request_user(request)
        if isinstance(request.auth, Device):
            device_revoke(actor=user, device_id=request.auth.public_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeviceListApi(PaginatedListView, ApiView):
    @extend_schema(
        operation_id="devices_list",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(DeviceSerializer)},
    )
    @raises()
    def get(self, request: Request) -> Response:
        """The devices signed in to my account, newest first; `current` is the one asking."""
        devices = list(
            devices_of(request_user(request)).annotate(push_count=Count("push_subscriptions"))
        )
        return paginated(
            request, self, devices, DeviceSerializer, context={"current": request.auth}
        )


class DeviceRevokeApi(ApiView):
    @extend_schema(operation_id="devices_revoke", request=None, responses={204: None})
    @raises(device_revoke)
    def delete(self, request: Request, device_id: UUID) -> Response:
        """Sign out one of my devices (a lost phone, say): its token stops working and its
        push subscription is removed. Another person's device: 404."""
        device_revoke(actor=request_user(request), device_id=device_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(ApiView):
    class MeInput(HomeFields):
        display_name = serializers.CharField(max_length=80, required=False)
        phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
        languages = LanguagesField(required=False)
        preferred_language = serializers.ChoiceField(choices=Language.choices, required=False)

    @extend_schema(operation_id="me_retrieve", responses={200: MeSerializer})
    @raises()
    def get(self, request: Request) -> Response:
        """My account and profile, with what my pages tell me: the community manager's
        warnings of the last 90 days and, as a helper, whether my payout account can take
        charges and what to do if not. The texts are in the reader's language."""
        return Response(MeSerializer(request_user(request), context={"request": request}).data)

    @extend_schema(
        operation_id="me_update",
        request=MeInput,
        responses={200: MeSerializer},
    )
    @raises(user_update_profile, resolve_place)
    def patch(self, request: Request) -> Response:
        """Change my name, phone, languages or home address."""
        data = self.MeInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = user_update_profile(
            user=request_user(request),
            display_name=values.get("display_name"),
            phone=values.get("phone"),
            languages=values.get("languages"),
            preferred_language=values.get("preferred_language"),
            home=_home_from(values),
        )
        return Response(MeSerializer(user, context={"request": request}).data)
