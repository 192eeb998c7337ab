"""Middleware of the whole site."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from backend.login_limits import TooManyAttempts


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
