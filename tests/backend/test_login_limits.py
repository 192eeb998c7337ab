"""The log-in counters under concurrent failures: every failure counts, none is lost."""

from __future__ import annotations

import pytest

from backend.login_limits import login_failure_record
from backend.models import LoginFailureCounter
from tests.concurrency import race

EMAIL, CLIENT = "anna@example.ch", "198.51.100.1"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failures_recorded_at_the_same_moment_are_all_counted(quartier_settings):
    # Given limits no failure below reaches
    quartier_settings(LOGIN_FAILURES_PER_CLIENT=100, LOGIN_FAILURES_PER_ACCOUNT=100)
    threads_count = 8

    # When eight wrong passwords for one account from one client are recorded at once, in real
    # threads (the counters' rows do not exist yet: all eight race to create them)
    outcomes = race([lambda: login_failure_record(email=EMAIL, client=CLIENT)] * threads_count)

    # Then none failed, and both counters hold all eight
    assert [outcome for outcome in outcomes if outcome[0] != "ok"] == []
    counted = dict(LoginFailureCounter.objects.values_list("client", "failures"))
    assert counted == {CLIENT: threads_count, "": threads_count}
