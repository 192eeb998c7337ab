"""The API keeps its OpenAPI document's promises, whoever calls it (schemathesis).

Every operation of the schema, called as an anonymous client, a customer, a helper and the
community manager (API token in the header), with data generated from the schema (valid and
invalid): no server error, only documented statuses and content types, and every body as the
schema describes it (an error's `code` among the operation's documented ones). Examples per
operation are bounded so the run stays short on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import ManagerFactory, UserFactory, device_token, make_helper

# Examples per operation and role (46 operations x 4 roles x this): about a minute on SQLite.
EXAMPLES = 3
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
schema.config.generation.update(max_examples=EXAMPLES, deterministic=True, database="none")
# The coverage phase's hundreds of boundary cases per operation would take far longer than the
# suite can spend; the fuzzing phase still sends valid and invalid data to every operation.
schema.config.phases.coverage.enabled = False

ROLES: dict[str, Callable[[], Any]] = {
    "anonymous": lambda: None,
    "customer": lambda: UserFactory.create(),
    "helper": lambda: make_helper().user,
    "manager": lambda: ManagerFactory.create(),
}


@pytest.fixture(autouse=True)
def _stripe_at_the_emulator(stripe_emulator: str, settings: Any) -> None:
    """The money operations a valid example reaches talk to a real local Stripe, as in use."""
    settings.QUARTIER = settings.QUARTIER.with_values(
        stripe_api_base=stripe_emulator, stripe_secret_key="", stripe_timeout_seconds=5.0
    )


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection after each request, which would end the
    test's transaction on PostgreSQL; Django's own test client holds it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(params=sorted(ROLES))
def auth_headers(request: pytest.FixtureRequest, django_db_blocker: Any) -> dict[str, str]:
    """The Authorization header of a user in each role (none for the anonymous client)."""
    user = ROLES[request.param]()
    if user is None:
        return {}
    return {"Authorization": f"Token {device_token(user)}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_schemas_promises(case: Any, auth_headers: dict[str, str]) -> None:
    response = case.call(headers=auth_headers)
    case.validate_response(response, checks=CHECKS)
