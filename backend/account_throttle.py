"""How often one client may use the account forms: sign up, confirm an e-mail address, log in
for a token, ask for and choose a new password.

The API's account endpoints are limited per client by DRF's ScopedRateThrottle under the
scope ACCOUNT_SCOPE (QUARTIER_THROTTLE_AUTH, 20 a minute). The web pages' forms count in the
same counter through `account_request_wait`, so a client gets no more tries by switching
between the web pages and the API.
"""

from __future__ import annotations

from django.http import HttpRequest
from rest_framework.throttling import ScopedRateThrottle

ACCOUNT_SCOPE = "auth"


class _AccountForm:
    """What ScopedRateThrottle reads of a view: its scope."""

    throttle_scope = ACCOUNT_SCOPE


def account_request_wait(request: HttpRequest) -> int | None:
    """Count one request of this client (DRF's ScopedRateThrottle, as the API counts it).
    None when it is allowed; else how many seconds to wait before the next one is."""
    throttle = ScopedRateThrottle()
    if throttle.allow_request(request, _AccountForm()):  # type: ignore[arg-type]
        return None
    wait = throttle.wait()
    return max(1, round(wait)) if wait is not None else 1
