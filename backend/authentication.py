"""Django's authentication backend, behind the log-in limits (backend.login_limits).

Every password log-in goes through `django.contrib.auth.authenticate()`: the API's token
endpoint and the back office's log-in form alike. A locked log-in raises TooManyAttempts out
of it; the API answers 429 in its error shape, the back office a 429 page
(backend.middleware.TooManyAttemptsMiddleware).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from backend.client_address import client_ip
from backend.devices import device_of_token
from backend.login_limits import login_failure_record, login_limit_check, login_success_record


class LimitedModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is None or username is None:
            # Code of our own (a shell, a test) without a request: nobody to limit.
            return super().authenticate(request, username=username, password=password, **kwargs)
        client = client_ip(request)
        login_limit_check(email=username, client=client)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(email=username, client=client)
        else:
            login_success_record(email=username, client=client)
        return user


class DeviceTokenAuthentication(TokenAuthentication):
    """The API's token authentication: `Authorization: Token <key>`, where the key is one
    device's (backend.devices). `request.auth` is the Device, so that logging out ends only
    this device."""

    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        device = device_of_token(key)
        if device is None or not device.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return device.user, device
