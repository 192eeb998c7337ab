"""OpenAPI: every operation documents exactly the error codes it can answer with.

Nothing here is a hand-typed list per view. An operation's codes are read from:

- the codes its services and selectors declare with `backend.exceptions.raises`, collected by
  the `@raises(...)` on the view method (which names the functions it calls);
- its input serializer's fields (what DRF refuses before the services run: `validation_null`,
  `max_length`, `invalid_choice`, `not_a_list`, ...), its filters and its pagination;
- what any operation of its kind can meet: authentication, throttling, CSRF for cookie
  clients, an unreadable or unsupported body, a lost race inside the database.

Each error response's `code` is an enum of exactly those codes, so a client (and the test
suite's schema checks) can tell a documented code from a drifted one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny

from backend.exceptions import RAISES_ATTRIBUTE, ErrorCode, codes_raised_by
from mobile_api.errors import ApiError, validation_code
from mobile_api.idempotency import (
    IDEMPOTENCY_KEY_PARAMETER,
    IdempotencyKeyStep,
    idempotency_applies,
)
from mobile_api.pagination import PaginatedListView
from payments.declines import CardDeclineReason
from payments.idempotency import idempotency_key_claim

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The limits of a field that DRF checks only when they are set.
LIMIT_KEYS = ("max_length", "min_length", "max_value", "min_value")


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    message = serializers.CharField(help_text="What went wrong, for people.")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The offending input fields and their problems (may be empty).",
    )
    decline_reason = serializers.ChoiceField(
        choices=[(reason.value, reason.name) for reason in CardDeclineReason],
        required=False,
        help_text="Only with `card_declined` and `authentication_required`: why the card was "
        "refused, stable whatever the payment provider's own codes (`declined`: the bank gave "
        "no reason it lets us tell; `unknown`: a code Quartier does not know yet). `message` "
        "says it in the reader's language, with what to do.",
    )


Codes = dict[int, set[str]]


def _add(codes: Codes, status: int, *names: str) -> None:
    codes.setdefault(status, set()).update(str(name) for name in names)


def _add_error_codes(codes: Codes, members: Iterable[ErrorCode]) -> None:
    for member in members:
        _add(codes, member.http_status, member)


def field_codes(field: drf_fields.Field, *, list_item: bool = False) -> set[str]:
    """The codes DRF can refuse this input field (and what it holds) with."""
    if field.read_only:
        return set()
    found: set[str] = set()
    if field.required and not list_item:  # an item of a list is never missing
        found.add("required")
    if not field.allow_null:
        found.add("null")
    declared = getattr(field, RAISES_ATTRIBUTE, None)
    if declared is not None:  # a field of ours that checks its value itself
        return {validation_code(code) for code in found} | {str(code) for code in declared}
    for key in field.error_messages:
        if key in {"required", "null"}:
            continue
        if key in LIMIT_KEYS and getattr(field, key, None) is None:
            continue
        if key == "blank" and getattr(field, "allow_blank", False):
            continue
        if key == "empty" and getattr(field, "allow_empty", True):
            continue
        if key == "date" and isinstance(field, serializers.DateTimeField):
            continue  # given a Python date, which JSON cannot carry
        if key == "datetime" and isinstance(field, serializers.DateField):
            continue  # given a Python datetime, which neither JSON nor a form can carry
        if key == "no_name" and isinstance(field, serializers.FileField):
            continue  # Django's form parser drops a file sent without a name
        found.add(key)
    # Validators DRF adds itself (no NUL or lone surrogate in a text, the length limits).
    found |= {code for validator in field.validators if (code := getattr(validator, "code", None))}
    if isinstance(field, serializers.ListSerializer | serializers.ListField):
        found |= field_codes(field.child, list_item=True)  # type: ignore[arg-type]
    elif isinstance(field, serializers.Serializer):
        found |= serializer_codes(field)
    return {validation_code(code) for code in found}


def serializer_codes(serializer: serializers.Serializer) -> set[str]:
    """The codes DRF can refuse this input with: a body that is not an object, and each
    writable field's own codes."""
    found = {validation_code("invalid")}
    for field in serializer.fields.values():
        found |= field_codes(field)
    found |= {str(code) for code in getattr(serializer, RAISES_ATTRIBUTE, ())}
    return found


def filter_codes(filterset_class: Any) -> set[str]:
    """The codes a list's query-string filters refuse a value with."""
    found: set[str] = set()
    for query_filter in filterset_class.base_filters.values():
        form_field: forms.Field = query_filter.field
        # Never missing, and a query string always gives a list (no `invalid_list`).
        found |= {
            validation_code(key)
            for key in form_field.error_messages
            if key not in {"required", "invalid_list"}
        }
    return found


def error_response(codes: Iterable[str]) -> OpenApiResponse:
    ordered = sorted(set(codes))
    return OpenApiResponse(
        response={
            "allOf": [
                {"$ref": "#/components/schemas/Error"},
                {
                    "type": "object",
                    "properties": {"code": {"type": "string", "enum": ordered}},
                },
            ]
        },
        description="Error codes: " + ", ".join(f"`{code}`" for code in ordered),
    )


class QuartierAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with the error responses every operation can give."""

    def error_codes(self) -> Codes:
        codes: Codes = {}
        view, method = self.view, self.method
        handler = getattr(view, method.lower(), None)
        _add_error_codes(codes, getattr(handler, RAISES_ATTRIBUTE, ()))

        permissions = view.get_permissions()
        for permission in permissions:  # e.g. IsManager: 404 to anyone else
            _add_error_codes(codes, getattr(permission, RAISES_ATTRIBUTE, ()))
        public = any(isinstance(permission, AllowAny) for permission in permissions)
        authenticators = view.get_authenticators()
        if authenticators:
            _add(codes, 401, ApiError.AUTHENTICATION_FAILED)
        if not public:
            _add(codes, 401, ApiError.NOT_AUTHENTICATED)
            if method in WRITE_METHODS and any(
                isinstance(authenticator, SessionAuthentication) for authenticator in authenticators
            ):
                _add(codes, 403, ApiError.CSRF_FAILED)
        if view.get_throttles():
            _add(codes, 429, ApiError.THROTTLED)
        if self._reads_idempotency_key():
            _add_error_codes(codes, codes_raised_by(idempotency_key_claim))
        # Any request: one Django refuses before the view (a host it does not serve, too many
        # query parameters), an Accept it cannot meet, a body over the cap, a race lost inside
        # the database, and the last resort.
        _add(codes, 400, ApiError.BAD_REQUEST, ApiError.TOO_MANY_FIELDS)
        _add(codes, 406, ApiError.NOT_ACCEPTABLE)
        _add(codes, 409, ApiError.TRY_AGAIN)
        _add(codes, 413, ApiError.PAYLOAD_TOO_LARGE)
        _add(codes, 500, ApiError.SERVER_ERROR)

        request_serializer = self.get_request_serializer() if method in BODY_METHODS else None
        if request_serializer is not None:
            serializer = (
                request_serializer() if isinstance(request_serializer, type) else request_serializer
            )
            readable = set(serializer_codes(serializer)) | set(ApiError.unreadable_body())
            if not any(isinstance(parser, JSONParser) for parser in view.get_parsers()):
                # A form carries neither a null nor nesting.
                readable -= {validation_code("null"), ApiError.TOO_DEEPLY_NESTED}
            _add(codes, 400, *readable)
            _add(codes, 415, ApiError.UNSUPPORTED_MEDIA_TYPE)
        if method == "GET" and self._is_list_view():
            filterset_class = getattr(view, "filterset_class", None)
            if filterset_class is not None:
                _add(codes, 400, *filter_codes(filterset_class))
            if getattr(view, "pagination_class", None) is not None:
                _add(codes, 404, ApiError.NOT_FOUND)
        if method == "GET" and isinstance(view, PaginatedListView):
            _add(codes, 404, ApiError.NOT_FOUND)
        return codes

    def _reads_idempotency_key(self) -> bool:
        return isinstance(self.view, IdempotencyKeyStep) and idempotency_applies(
            self.view, self.method
        )

    def get_override_parameters(self) -> list[Any]:
        parameters = list(super().get_override_parameters())
        if self._reads_idempotency_key():
            parameters.append(IDEMPOTENCY_KEY_PARAMETER)
        return parameters

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        # Register the Error component the error responses refer to.
        self.resolve_serializer(ErrorSerializer, "response")
        for status, codes in sorted(self.error_codes().items()):
            responses[str(status)] = self._get_response_for_code(
                error_response(codes), str(status), direction=direction
            )
        return responses
