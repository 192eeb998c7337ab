"""The OpenAPI document: served, complete, and honest about errors."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from django.urls import URLPattern

from mobile_api import urls as api_urls
from tests.api.api_assertions import documented_error_codes, error_code_enum, openapi_schema

pytestmark = pytest.mark.django_db

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC_OPERATIONS = {
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/token"),
    ("post", "/api/v1/auth/verify-email"),
    ("post", "/api/v1/auth/password-reset"),
    ("post", "/api/v1/auth/password-reset/confirm"),
    ("get", "/api/v1/categories"),
}


def openapi_path(route: str) -> str:
    """`bookings/<uuid:booking_id>/propose` → `/api/v1/bookings/{booking_id}/propose`."""
    return "/api/v1/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def _api_operations() -> list[tuple[str, str]]:
    """(method, OpenAPI path) for every method of every view in mobile_api/urls.py."""
    operations = []
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name == "api-not-found":
            continue  # a JSON 404 for unknown paths, not an operation
        view = pattern.callback.view_class  # type: ignore[attr-defined]
        path = openapi_path(str(pattern.pattern))
        operations += [(method, path) for method in HTTP_METHODS if hasattr(view, method)]
    return operations


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]


def test_the_schema_is_served_as_yaml_and_as_json(client):
    # When the schema is fetched as it is by default, and as JSON
    as_yaml = client.get("/api/schema/")
    as_json = client.get("/api/schema/", {"format": "json"})

    # Then both are the same OpenAPI 3 document of the Quartier API
    assert as_yaml.status_code == 200
    assert as_yaml["Content-Type"].startswith("application/vnd.oai.openapi")
    assert as_json.status_code == 200
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = as_json.json()
    assert yaml.safe_load(as_yaml.content) == document
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Quartier API"
    assert set(document["paths"]) == set(openapi_schema()["paths"])


def test_the_docs_page_is_served(client):
    # When the interactive documentation is opened, then it is an HTML page for the schema
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert b"/api/schema/" in response.content


def test_every_route_and_method_is_in_the_schema():
    # Given the routes and methods of mobile_api/urls.py
    routes = _api_operations()
    assert len(routes) == len(set(routes))

    # When the schema is generated, then it has exactly those operations, no more, no fewer
    documented = {(method, path) for method, path, _ in _operations(openapi_schema())}
    assert {(method, path) for method, path in documented if path.startswith("/api/v1/")} == set(
        routes
    )
    assert len(routes) >= 40


def test_every_operation_documents_its_errors_with_codes():
    for method, path, operation in _operations(openapi_schema()):
        # Given each operation, when we read its 4xx responses
        errors = {
            status: response
            for status, response in operation["responses"].items()
            if status.startswith("4")
        }

        # Then there is at least one, each uses the Error shape with its codes as the enum of
        # `code`, and the description lists the same codes
        assert errors, (method, path)
        for status, response in errors.items():
            codes = error_code_enum(response)
            assert codes, (method, path, status)
            assert response["description"] == "Error codes: " + ", ".join(
                f"`{code}`" for code in sorted(codes)
            ), (method, path, status)


def test_the_error_shape_is_code_message_fields():
    # Given the Error component, then it is exactly the one shape every error answers with,
    # a refused card's error also saying why
    error = openapi_schema()["components"]["schemas"]["Error"]
    assert set(error["properties"]) == {"code", "message", "fields", "decline_reason"}
    assert set(error["required"]) == {"code", "message", "fields"}


def test_every_non_public_operation_documents_401_and_every_object_route_404():
    for method, path in _api_operations():
        # Given each operation of the API
        if (method, path) not in PUBLIC_OPERATIONS:
            # Then a log-in is documented as required
            assert {"not_authenticated", "authentication_failed"} <= documented_error_codes(
                method, path, 401
            ), (method, path)
        else:
            # A public operation refuses only a token that does not work, where it reads one,
            # and (the token log-in) a wrong e-mail address or password
            assert documented_error_codes(method, path, 401) <= {
                "authentication_failed",
                "invalid_credentials",
            }, (
                method,
                path,
            )
        if "{" in path:
            # And an object route documents that someone else's object does not exist
            codes = documented_error_codes(method, path, 404)
            assert codes & {"not_found", "not_a_helper"}, (method, path)
            # (a 403 is a wrong role in the object, or a cookie client without its CSRF token)
            assert documented_error_codes(method, path, 403) <= {
                "not_allowed_for_role",
                "permission_denied",
            }
