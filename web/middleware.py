"""The web app and the back office speak the language their user chose.

Django's LocaleMiddleware picks the language from the language cookie or the browser's
Accept-Language. Once someone is logged in, the language stored on their account
(`User.preferred_language`, which the e-mails use too) wins on the web app's pages and in
Django's admin (/admin/), so that a manager reads the console and the admin in one language
whatever the browser asks for; the admin's login page, before anyone is known, keeps Django's
choice. The API speaks the language the request asks for, else the user's
(mobile_api/authentication.py, where the API learns who asks).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import translation

OTHER_INTERFACES = ("/api/", "/static/")


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OTHER_INTERFACES)
            and user.preferred_language
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = user.preferred_language
        return self.get_response(request)
