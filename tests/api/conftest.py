"""Every error the API tests meet is one the schema documents for that operation and status.

Each test of the API goes through Django's test client; this fixture looks at every error
answer under /api/v1/ and fails the test whose request drew a code the operation's schema does
not list (a service raising a code nobody declared, a serializer check nobody documented).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from tests.api.api_assertions import documented_error_codes, openapi_schema


def _operation_of(response: Any) -> tuple[str, str] | None:
    """(method, OpenAPI path) of the operation that answered, or None outside the schema."""
    request = response.wsgi_request
    if not request.path.startswith("/api/v1/"):
        return None
    try:
        route = response.resolver_match.route
    except Exception:  # noqa: BLE001 - an unknown path resolves to nothing to check
        return None
    path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
    method = request.method.lower()
    operation = openapi_schema()["paths"].get(path, {}).get(method)
    return (method, path) if operation is not None else None


def _error_code(response: Any) -> str | None:
    if response.status_code < 400 or not response.get("Content-Type", "").startswith(
        "application/json"
    ):
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        return None
    return body.get("code") if isinstance(body, dict) else None


@pytest.fixture(autouse=True)
def _errors_are_documented(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    undocumented: list[tuple[str, str, int, str]] = []
    original = Client.request

    def request(self: Client, **kwargs: Any) -> Any:
        response = original(self, **kwargs)
        code = _error_code(response)
        operation = _operation_of(response) if code is not None else None
        if code is not None and operation is not None:
            method, path = operation
            if code not in documented_error_codes(method, path, response.status_code):
                undocumented.append((method, path, response.status_code, code))
        return response

    monkeypatch.setattr(Client, "request", request)
    yield
    assert undocumented == [], "error codes the schema does not document"
