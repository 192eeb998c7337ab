"""The API's authenticators: who asks, and so which language the answer speaks.

Django's LocaleMiddleware has already chosen a language from Accept-Language (or English).
A token is only read here, after the middleware, so once the caller is known the answer
speaks their language: the one the request asks for (Accept-Language), else the one stored
on the account (`User.preferred_language`, which the e-mails and the web app use too).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from backend.authentication import DeviceTokenAuthentication
from backend.languages import reader_language


class ReaderLanguage:
    """Speaks the authenticated caller's language for the rest of the request."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        found = super().authenticate(request)  # type: ignore[misc]
        if found is not None:
            language = reader_language(
                accept_language=request.headers.get("Accept-Language", ""), user=found[0]
            )
            if language is not None:
                translation.activate(language)
                request._request.LANGUAGE_CODE = language
        return found


class TokenAuthentication(ReaderLanguage, DeviceTokenAuthentication):
    """A device's token (backend.devices), answered in its user's language."""


class SessionAuthentication(ReaderLanguage, authentication.SessionAuthentication):
    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            # DRF's words ("CSRF Failed: ...") are not in its catalogue.
            raise exceptions.PermissionDenied(
                _(
                    "A request with the session cookie needs the CSRF token "
                    "(the X-CSRFToken header)."
                )
            ) from exc


class ReaderSessionScheme(SessionScheme):
    """The API documents the session cookie as for DRF's own SessionAuthentication."""

    target_class = "mobile_api.authentication.SessionAuthentication"
