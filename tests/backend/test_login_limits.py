"""The log-in counters under concurrent failures: every failure counts, none is lost."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from backend.login_limits import login_failure_record
from backend.models import LoginFailureCounter

EMAIL, CLIENT = "anna@example.ch", "198.51.100.1"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_failures_recorded_at_the_same_moment_are_all_counted(quartier_settings):
    # Given limits no failure below reaches
    quartier_settings(LOGIN_FAILURES_PER_CLIENT=100, LOGIN_FAILURES_PER_ACCOUNT=100)
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    errors: list[Exception] = []

    def fail() -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=30)
            login_failure_record(email=EMAIL, client=CLIENT)
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            errors.append(exc)
        finally:
            connection.close()

    # When eight wrong passwords for one account from one client are recorded at once, in real
    # threads (the counters' rows do not exist yet: all eight race to create them)
    threads = [threading.Thread(target=fail) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then none failed, and both counters hold all eight
    assert errors == []
    counted = dict(LoginFailureCounter.objects.values_list("client", "failures"))
    assert counted == {CLIENT: threads_count, "": threads_count}
