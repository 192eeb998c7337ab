"""Middleware of the whole site."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control

from backend.login_limits import TooManyAttempts

API_PREFIX = "/api/"


class TooManyAttemptsMiddleware:
    """A locked log-in outside the API (the back office's form): a 429 page with Retry-After.

    The API's views answer it themselves, in the API's error shape.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, TooManyAttempts):
            return None
        response = TemplateResponse(
            request,
            "too_many_attempts.html",
            {"message": exception.message},
            status=429,
        )
        response["Retry-After"] = str(exception.retry_after)
        return response.render()


class PrivateAnswersMiddleware:
    """Whatever is answered to a logged-in user is theirs alone: no shared cache keeps it.

    A page (the customer's requests, the helper's visits, the manager's console, a receipt)
    is also not stored by the browser (`no-store`), so that after logging out the back button
    cannot show it again. The API's answers may stay in the caller's own cache but are checked
    each time (`no-cache`): a phone polling with the ETag still gets 304 Not Modified, which
    `no-store` would end (Django's ConditionalGetMiddleware gives such answers no ETag).
    Answers to nobody in particular keep their own caching.

    The user is read after the view: the API's token authentication sets it there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return response
        if "no-store" in response.get("Cache-Control", ""):
            patch_cache_control(response, private=True)  # stored nowhere already
        elif request.path.startswith(API_PREFIX):
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, private=True, no_store=True)
        return response
