"""What the API tests share: clients, the error-shape assertion and row snapshots."""

from __future__ import annotations

import functools
import re
from typing import Any

from django.core import mail
from django.test import TestCase
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from backend.models import User
from bookings.models import (
    Booking,
    BookingEvent,
    HelpRequest,
    Offer,
    Review,
    SlotProposal,
    TimeWindow,
)

API = "/api/v1"
ERROR_KEYS = {"code", "message", "fields"}
# A refused card's error also says why (`decline_reason`).
CARD_ERROR_CODES = {"card_declined", "authentication_required"}
COUNTED_MODELS = (HelpRequest, TimeWindow, Offer, SlotProposal, Booking, BookingEvent, Review)


def client_for(user: User | None) -> APIClient:
    """A test client logged in as `user` (anonymous for None)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def sign_up(**fields: Any) -> tuple[str, dict[str, Any]]:
    """Sign up through the API and confirm the address with the token from the e-mail, as a
    person does: the API token and the user."""
    anonymous = APIClient()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = anonymous.post(f"{API}/auth/register", fields)
    assert response.status_code == 202, response.content
    response = anonymous.post(
        f"{API}/auth/verify-email", {"token": verification_token(fields["email"])}
    )
    assert response.status_code == 200, response.content
    return response.json()["token"], response.json()["user"]


def verification_token(email: str) -> str:
    """The token of the last confirmation e-mail sent to `email`."""
    sent = [message for message in mail.outbox if message.to == [email.lower()]]
    assert sent, f"no e-mail to {email}"
    match = re.search(r"token=([\w:-]+)", str(sent[-1].body))
    assert match is not None, sent[-1].body
    return match.group(1)


def row_counts() -> dict[str, int]:
    """How many rows each table of the help-request → booking → review chain holds."""
    return {model.__name__: model.objects.count() for model in COUNTED_MODELS}


@functools.cache
def openapi_schema() -> dict[str, Any]:
    """The OpenAPI document, generated once per test run (it does not touch the database)."""
    return SchemaGenerator().get_schema(request=None, public=True)


def documented_error_codes(method: str, path: str, status: int) -> set[str]:
    """The error codes the schema promises for `METHOD path` (OpenAPI path) and `status`."""
    responses = openapi_schema()["paths"][path][method]["responses"]
    if str(status) not in responses:
        return set()
    return error_code_enum(responses[str(status)])


def error_code_enum(response: dict[str, Any]) -> set[str]:
    """The `code` enum of one documented error response."""
    schema = response["content"]["application/json"]["schema"]
    error_ref, codes = schema["allOf"]
    assert error_ref == {"$ref": "#/components/schemas/Error"}
    return set(codes["properties"]["code"]["enum"])


def assert_error(
    response: Any,
    status: int,
    code: str,
    fields: set[str] | None = None,
    *,
    documented_in: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """The response is the one error shape, with this status, code and exactly these fields.

    With `documented_in=(method, openapi_path)`, the code must also be one the schema lists
    for that operation and status, so that clients can rely on the documentation.
    """
    assert response.status_code == status, response.content
    body = response.json()
    card_keys = {"decline_reason"} if code in CARD_ERROR_CODES else set()
    assert set(body) == ERROR_KEYS | card_keys, body
    assert body["code"] == code, body
    assert isinstance(body["message"], str)
    assert body["message"]
    assert isinstance(body["fields"], dict)
    if fields is not None:
        assert set(body["fields"]) == fields, body
    if documented_in is not None:
        method, path = documented_in
        assert code in documented_error_codes(method, path, status), (code, method, path)
    return body


def results(response: Any) -> list[dict[str, Any]]:
    """The rows of a paginated list answer."""
    assert response.status_code == 200, response.content
    return response.json()["results"]
