"""One error shape for the whole API: {"code", "message", "fields"}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from backend.exceptions import ApplicationError, ErrorCode, error_body
from payments.exceptions import PaymentDeclined


class ApiError(ErrorCode):
    """The codes of the API layer itself: reading the request, who asks, and how often."""

    PARSE_ERROR = "parse_error"
    TOO_DEEPLY_NESTED = "too_deeply_nested"
    TOO_MANY_FIELDS = "too_many_fields"
    TOO_MANY_FILES = "too_many_files"
    BAD_REQUEST = "bad_request"
    DATETIME_OUT_OF_RANGE = "datetime_out_of_range"
    # DRF's generic field codes, for a query string read with a serializer.
    VALIDATION_REQUIRED = "validation_required"
    VALIDATION_INVALID = "validation_invalid"
    # A date-time in a body without its UTC offset (never silently read as Swiss time).
    TIMEZONE_REQUIRED = "timezone_required"
    NOT_AUTHENTICATED = "not_authenticated", 401
    AUTHENTICATION_FAILED = "authentication_failed", 401
    # DRF's answer to a cookie client's unsafe request without the CSRF token.
    CSRF_FAILED = "permission_denied", 403
    # An unknown path, or a page of a list beyond its last.
    NOT_FOUND = "not_found", 404
    NOT_ACCEPTABLE = "not_acceptable", 406
    # PostgreSQL's deadlock and serialisation failures, and SQLite's busy database.
    TRY_AGAIN = "try_again", 409
    PAYLOAD_TOO_LARGE = "payload_too_large", 413
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type", 415
    THROTTLED = "throttled", 429
    SERVER_ERROR = "server_error", 500

    @classmethod
    def unreadable_body(cls) -> tuple[ApiError, ...]:
        """A body that cannot be read: malformed, nested too deeply, over Django's form limits."""
        return (
            cls.PARSE_ERROR,
            cls.TOO_DEEPLY_NESTED,
            cls.TOO_MANY_FIELDS,
            cls.TOO_MANY_FILES,
            cls.BAD_REQUEST,
        )


# DRF's generic field codes, as the API names them (the others keep DRF's name).
VALIDATION_CODES = frozenset({"invalid", "required", "null", "blank"})


def validation_code(drf_code: str) -> str:
    """The API's code for one of DRF's (or a form field's) validation codes."""
    return f"validation_{drf_code}" if drf_code in VALIDATION_CODES else str(drf_code)


def _flatten(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn DRF's nested error details into {"field.sub": ["message", ...]}."""
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            # A list-level error of a nested field belongs to that field itself.
            if key == "non_field_errors" and prefix:
                name = prefix
            elif isinstance(key, int):  # an item of a list field: windows[0], languages[1]
                name = f"{prefix}[{key}]"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in _flatten(value, name).items():
                fields.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                name = f"{prefix}[{index}]" if prefix else f"[{index}]"
                for field, messages in _flatten(item, name).items():
                    fields.setdefault(field, []).extend(messages)
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def _first_code(detail: Any) -> str | None:
    if isinstance(detail, dict):
        for value in detail.values():
            code = _first_code(value)
            if code:
                return code
    elif isinstance(detail, list):
        for item in detail:
            code = _first_code(item)
            if code:
                return code
    elif isinstance(detail, exceptions.ErrorDetail):
        return detail.code
    return None


# PostgreSQL's deadlock and serialisation failures, and SQLite's busy database: the
# transaction was rolled back whole, so the client can simply try again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def _is_retryable(exc: Exception) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(exc)


def refused_request_body(exc: SuspiciousOperation) -> tuple[int, dict]:
    """Django's own limits on a request body (DATA_UPLOAD_MAX_*), as the API answers them."""
    if isinstance(exc, RequestDataTooBig):
        return 413, error_body(ApiError.PAYLOAD_TOO_LARGE, _("The request body is too large."))
    if isinstance(exc, TooManyFieldsSent):
        return 400, error_body(ApiError.TOO_MANY_FIELDS, _("The request has too many form fields."))
    if isinstance(exc, TooManyFilesSent):
        return 400, error_body(ApiError.TOO_MANY_FILES, _("The request has too many files."))
    return 400, error_body(ApiError.BAD_REQUEST, _("The request could not be read."))


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, ApplicationError):
        body = error_body(exc.code, exc.message, exc.fields)
        if isinstance(exc, PaymentDeclined):
            # Why the card was refused, for a client that words it itself.
            body["decline_reason"] = str(exc.decline_reason)
        refused = Response(body, status=exc.status)
        if exc.status == status.HTTP_401_UNAUTHORIZED:
            refused["WWW-Authenticate"] = "Token"
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            refused["Retry-After"] = str(retry_after)
        return refused
    if isinstance(exc, SuspiciousOperation):
        # Raised while DRF reads the body; left to Django it becomes an HTML page (or, with
        # DEBUG on, the technical page with the settings).
        status_code, body = refused_request_body(exc)
        return Response(body, status=status_code)
    if _is_retryable(exc):
        return Response(
            error_body(
                ApiError.TRY_AGAIN,
                _("Someone changed this at the same moment. Nothing was saved: try again."),
            ),
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    if not isinstance(exc, exceptions.APIException):
        return None  # not the client's doing: Django's 500 page (server_error below)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        code = validation_code(_first_code(exc.detail) or "invalid")
        first_field, first_messages = next(iter(fields.items()))
        message = (
            first_messages[0]
            if first_field == "non_field_errors"
            else f"{first_field}: {first_messages[0]}"
        )
        response.data = error_body(code, message, fields)
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response

    detail = exc.detail
    message = str(detail if not isinstance(detail, list | dict) else exc.default_detail)
    code = exc.default_code
    if isinstance(detail, exceptions.ErrorDetail) and detail.code:
        code = detail.code
    response.data = error_body(str(code), message)
    return response


# Exempt like every API view: otherwise a POST with a session cookie to a path no endpoint has
# gets Django's HTML CSRF page before the 404.
@csrf_exempt
def api_not_found(request: HttpRequest, unmatched: str = "") -> JsonResponse:
    """Unknown paths under /api/v1/ answer in the API's error shape, not with an HTML page."""
    return JsonResponse(
        error_body(ApiError.NOT_FOUND, _("There is no such API endpoint.")), status=404
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A request Django itself refused (outside the API's views): the API's shape under /api/."""
    if request.path.startswith("/api/"):
        if isinstance(exception, SuspiciousOperation):
            status_code, body = refused_request_body(exception)
        else:
            status_code, body = (
                400,
                error_body(ApiError.BAD_REQUEST, _("The request could not be read.")),
            )
        return JsonResponse(body, status=status_code)
    return defaults.bad_request(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """The last resort for an unexpected failure: the API still answers in its own shape."""
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(
                ApiError.SERVER_ERROR, _("Something went wrong on our side. Please try again.")
            ),
            status=500,
        )
    return defaults.server_error(request)
