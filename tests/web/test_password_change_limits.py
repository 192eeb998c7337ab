"""The web's password-change page counts a wrong current password as a failed log-in: someone
holding a stolen session cannot guess the account's password there without limit."""

from __future__ import annotations

import pytest

from backend.models import LoginFailureCounter, User
from tests.factories import PASSWORD, UserFactory
from tests.web.refusals import refused_page

pytestmark = pytest.mark.django_db


def test_guessing_the_current_password_locks_the_change_like_a_log_in(client):
    # Given someone logged in with the account's session who guesses its password five times
    user = UserFactory.create(preferred_language="en")
    client.force_login(user)
    for number in range(5):
        wrong = client.post(
            "/password",
            {"current_password": f"guess-{number}", "new_password": "brand-New-secret-7"},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert "This is not your current password." in refused_page(client, wrong, "/password")

    # When the sixth try is the right password
    locked = client.post(
        "/password",
        {"current_password": PASSWORD, "new_password": "brand-New-secret-7"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # Then the change is refused as a locked log-in, and the password stands
    assert "Too many failed log-ins. Try again in 1 minute." in refused_page(
        client, locked, "/password"
    )
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)
    counter = LoginFailureCounter.objects.get(email=user.email, client="127.0.0.1")
    assert (counter.failures, counter.locked_until is not None) == (5, True)

    # And the log-in page is locked for that address and client too
    refused = client.post("/log-in", {"email": user.email, "password": PASSWORD})
    assert refused.status_code == 429
