"""Who may act is answered before what they sent: a caller without the right to an operation,
sending an empty body, gets the refusal of who they are (403 with its code; 404 where the
operation or its object does not exist for them), never the list of fields it would need, and
nothing is written.

Every write route of the API is walked, from the URL resolver: each names the caller without
the right it is tried by, or is one that anybody signed in (or anybody at all) may call.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.api_assertions import assert_error, client_for
from tests.api.test_permissions import ApiRoute, api_routes, build_world

pytestmark = pytest.mark.django_db

WRITES = ("post", "put", "patch", "delete")
NOT_FOR_ROLE = (403, "not_allowed_for_role")
NO_SUCH = (404, "not_found")
NOT_A_HELPER = (404, "not_a_helper")

# Routes anybody may call (signing up, logging in) or anybody signed in, on their own account.
ANYBODY = frozenset(
    {
        "auth-register",
        "auth-verify-email",
        "auth-token",
        "auth-password-reset",
        "auth-password-reset-confirm",
        "auth-logout",
        "device",
        "me",
        "me-password",
        "push-subscriptions",
        "push-subscriptions-remove",
        "waivers-accept",
        "help-requests",
        ("helper-profile", "post"),  # applying to help
        # Either party and the manager may cancel or report a no-show: strangers are
        # test_permissions' (404).
        "booking-cancel",
        "booking-no-show",
    }
)

# (route, method) or route: who has no right to it, and the answer they get.
REFUSED: dict[str | tuple[str, str], tuple[str, tuple[int, str]]] = {
    # The customer's own steps, tried by the visit's helper
    "booking-confirm": ("helper", NOT_FOR_ROLE),
    "booking-request-new-times": ("helper", NOT_FOR_ROLE),
    "booking-sign-off": ("helper", NOT_FOR_ROLE),
    "booking-dispute": ("helper", NOT_FOR_ROLE),
    "booking-payment-method": ("helper", NOT_FOR_ROLE),
    "booking-payment-pay": ("helper", NOT_FOR_ROLE),
    "booking-tip": ("helper", NOT_FOR_ROLE),
    "booking-extra-answer": ("helper", NOT_FOR_ROLE),
    ("booking-helper-block", "post"): ("helper", NOT_FOR_ROLE),
    ("booking-helper-block", "delete"): ("helper", NOT_FOR_ROLE),
    # The helper's own steps, tried by the visit's customer
    "booking-propose": ("customer", NOT_FOR_ROLE),
    "booking-on-my-way": ("customer", NOT_FOR_ROLE),
    "booking-check-in": ("customer", NOT_FOR_ROLE),
    "booking-check-out": ("customer", NOT_FOR_ROLE),
    "booking-extra": ("customer", NOT_FOR_ROLE),
    "booking-payment-refunds": ("customer", NOT_FOR_ROLE),
    # The two parties' own, tried by the manager
    "booking-reviews": ("manager", NOT_FOR_ROLE),
    "booking-reports": ("manager", NOT_FOR_ROLE),
    # The chat, to a manager while no dispute is open: it does not exist
    "booking-messages": ("manager", NO_SUCH),
    "booking-messages-read": ("manager", NO_SUCH),
    # The manager's, tried by a party
    "booking-resolve-dispute": ("helper", NOT_FOR_ROLE),
    # The customer's request and the helper's offer: nobody else's to know
    "help-request": ("helper", NO_SUCH),
    "help-request-withdraw": ("helper", NO_SUCH),
    "offer-accept": ("customer", NO_SUCH),
    "offer-decline": ("customer", NO_SUCH),
    # A helper's own, tried by a customer who is no helper
    ("helper-profile", "patch"): ("customer", NOT_A_HELPER),
    "helper-weekly": ("customer", NOT_A_HELPER),
    "helper-exceptions": ("customer", NOT_A_HELPER),
    "helper-exception": ("customer", NOT_A_HELPER),
    "payout-account": ("customer", NOT_FOR_ROLE),
    "helper-application-documents": ("customer", NOT_A_HELPER),
    "helper-application-submit": ("customer", NOT_A_HELPER),
    "helper-application-withdraw": ("customer", NOT_A_HELPER),
    "helper-conduct-test-attempts": ("customer", NOT_A_HELPER),
    "helper-conduct-test-attempt-submit": ("customer", NOT_A_HELPER),
    "helper-appeals": ("customer", NOT_A_HELPER),
    "academy-quiz-start": ("customer", NOT_A_HELPER),
    "academy-quiz-submit": ("customer", NOT_A_HELPER),
    "academy-event-register": ("customer", NOT_A_HELPER),
    "academy-event-cancel": ("customer", NOT_A_HELPER),
    "academy-calendar-feed": ("customer", NOT_A_HELPER),
}
# The manager's operations do not exist for anyone else (IsManager): tried by a helper.
MANAGER_ONLY = NO_SUCH


def _writes() -> list[tuple[ApiRoute, str]]:
    return [
        (route, method) for route in api_routes() for method in route.methods if method in WRITES
    ]


def _rule(route: ApiRoute, method: str) -> tuple[str, tuple[int, str]] | None:
    if route.name in ANYBODY or (route.name, method) in ANYBODY:
        return None
    if route.name.startswith("manager-"):
        return ("helper", MANAGER_ONLY)
    return REFUSED.get((route.name, method)) or REFUSED[route.name]


def test_every_write_route_names_who_may_not_call_it():
    named = {key if isinstance(key, str) else key[0] for key in (*REFUSED, *ANYBODY)}
    writes = {route.name for route, _ in _writes()}
    assert writes - named == {name for name in writes if name.startswith("manager-")}
    assert named <= writes  # no rule left over from a removed route


@pytest.mark.parametrize(
    ("route", "method"),
    [
        pytest.param(route, method, id=f"{method.upper()} {route.route}")
        for route, method in _writes()
        if _rule(route, method) is not None
    ],
)
def test_a_caller_without_the_right_is_refused_before_their_empty_body_is_read(route, method):
    # Given a booking with its customer and helper, a request with its offer, and a manager
    world = build_world()
    rule = _rule(route, method)
    assert rule is not None
    role, (status, code) = rule
    url = reverse(route.name, kwargs=world.kwargs(route.params))
    before = world.state()

    # When the caller without the right sends nothing at all
    client = client_for(world.users[role])
    response = client.delete(url) if method == "delete" else getattr(client, method)(url, {})

    # Then they hear who may act, not what to send; and nothing was written
    assert_error(response, status, code, set())
    assert world.state() == before
