"""Passwords over the API: a forgotten one (reset by e-mail) and changing one's own.

Both end with a new API token in the answer: choosing a new password revokes every token the
account had (a phone that knew the old password is logged out), and the caller carries on with
the new one.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from backend.account_links import PASSWORD_RESET_MAX_AGE, lifetime_words
from backend.account_throttle import ACCOUNT_SCOPE
from backend.client_address import client_ip
from backend.exceptions import raises
from backend.models import Device, User
from backend.services import password_reset_confirm, password_reset_request, user_change_password
from mobile_api.idempotency import ApiView
from mobile_api.permissions import request_user
from mobile_api.views.accounts import TokenOut, token_answer

ResetRequested = inline_serializer("PasswordResetRequested", {"message": serializers.CharField()})


def _token_answer(user: User, request: Request | None = None) -> Response:
    """A new device's token after a new password (every earlier device was signed out); a
    change made from a device keeps that device's name and platform."""
    device = request.auth if request is not None else None
    if isinstance(device, Device):
        return token_answer(user, name=device.name, platform=device.platform)
    return token_answer(user)


class PasswordResetApi(ApiView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = ACCOUNT_SCOPE

    class PasswordResetInput(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(
        operation_id="auth_password_reset",
        request=PasswordResetInput,
        responses={202: ResetRequested},
    )
    @raises()
    def post(self, request: Request) -> Response:
        """Forgot the password: an active account with this address gets an e-mail with a link
        (and token) to choose a new one through `POST /api/v1/auth/password-reset/confirm`.

        The answer is the same whether or not the address has an account.
        """
        data = self.PasswordResetInput(data=request.data)
        data.is_valid(raise_exception=True)
        password_reset_request(email=data.validated_data["email"])
        return Response(
            {
                "message": _(
                    "If this address belongs to an account, we have sent it a link to choose "
                    "a new password. The link is valid for %(lifetime)s."
                )
                % {"lifetime": lifetime_words(PASSWORD_RESET_MAX_AGE)}
            },
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmApi(ApiView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = ACCOUNT_SCOPE

    class PasswordResetConfirmInput(serializers.Serializer):
        token = serializers.CharField(max_length=500)
        password = serializers.CharField(max_length=128, write_only=True)

    @extend_schema(
        operation_id="auth_password_reset_confirm",
        request=PasswordResetConfirmInput,
        responses={200: TokenOut},
    )
    @raises(password_reset_confirm)
    def post(self, request: Request) -> Response:
        """Choose a new password with the token from the e-mail: logged in with a new API token,
        every earlier token revoked. The link works once, for two hours; the link sent to an
        address whose sign-up waits for confirmation, as long as a confirmation link (three days),
        and only while the sign-up still waits: it confirms the address, with the details of
        the sign-up it was sent for."""
        data = self.PasswordResetConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            user = password_reset_confirm(
                token=data.validated_data["token"], password=data.validated_data["password"]
            )
            return _token_answer(user)


class PasswordChangeApi(ApiView):
    # A wrong current password is a guess: limited like a log-in.
    throttle_classes = (ScopedRateThrottle,)
    throttle_scope = ACCOUNT_SCOPE

    class PasswordChangeInput(serializers.Serializer):
        current_password = serializers.CharField(max_length=128, write_only=True)
        new_password = serializers.CharField(max_length=128, write_only=True)

    @extend_schema(
        operation_id="me_password_change",
        request=PasswordChangeInput,
        responses={200: TokenOut},
    )
    @raises(user_change_password)
    def post(self, request: Request) -> Response:
        """Change my password, giving the current one: the answer carries a new API token, and
        every earlier token (other phones too) stops working."""
        data = self.PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        # Outside a transaction: a wrong current password is counted, and the count must stay.
        user = user_change_password(
            user=request_user(request),
            current_password=data.validated_data["current_password"],
            new_password=data.validated_data["new_password"],
            client=client_ip(request),
        )
        with transaction.atomic():
            return _token_answer(user, request)
