"""What the whole suite shares: the `postgres` / `redis` skip rules, which half of `make test`
runs which tests, and a few fixtures.

`scripts/test` (`make test`) runs the suite in two halves, side by side:

1. on SQLite, with DATABASE_URL and REDIS_URL unset: tests marked `postgres` skip (the default
   database is not PostgreSQL) and so do tests marked `redis` (REDIS_URL is unset);
2. on PostgreSQL, with DATABASE_URL and REDIS_URL set: everything runs.

The tests of the domain (the apps' services, selectors, models, tasks) run in both halves: that
is where the database makes a difference. The tests of an interface run in one half (`half_of`,
chosen with QUARTIER_TEST_HALF, which scripts/test sets for each half): the interfaces hold no
rule of their own and reach the database only through the domain's services and selectors,
which both halves test. The API's tests run on PostgreSQL, the database the apps and the API
have in production; the web pages' and the demo's on SQLite, the database `make run` serves the
demo and its pages on, with the browser tests (`INTERFACE_HALVES`). So do the tests in the
domain's folders that drive the app through a test client (`CLIENTS`): on PostgreSQL, to even
out the halves' time. Tests that need PostgreSQL or Redis (marked `postgres`, `redis`) or were
moved there to even out the halves' time (marked `postgres_half`) run in the PostgreSQL half.

In that second run under CI (CI=true and DATABASE_URL set), a test marked `postgres` or `redis`
must not skip, whatever the reason: it fails instead, so CI cannot go green without having run
it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from pytest_django import Settings
from rest_framework.test import APIClient

from backend import events as domain
from bookings.matching.search import forget_process_caches

# The back office tests' rows and logged-in manager (`manager_client`, `admin_world`), shared
# by the admin tests of every app.
pytest_plugins = ["tests.admin_world", "tests.database_reset"]

POSTGRES_REASON = "needs PostgreSQL (run with DATABASE_URL=postgres://...)"
REDIS_REASON = "needs Redis (run with REDIS_URL=redis://...; `make test` does, on PostgreSQL)"
SERVICE_MARKERS = ("postgres", "redis")

# Why a test cannot run here, for the tests that must fail rather than skip.
_missing_service = pytest.StashKey[str]()


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def skips_are_failures() -> bool:
    """True in CI's PostgreSQL run, where no `postgres` or `redis` test may skip."""
    return _truthy(os.environ.get("CI")) and bool(os.environ.get("DATABASE_URL"))


def _needs_service(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(name) for name in SERVICE_MARKERS)


def _why_not_here(item: pytest.Item) -> str | None:
    """The reason `item` cannot run against the configured services, or None if it can."""
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return POSTGRES_REASON
    if item.get_closest_marker("redis") and not os.environ.get("REDIS_URL"):
        return REDIS_REASON
    return None


# The half of `make test` that runs the tests of each interface (see above).
INTERFACE_HALVES = {"tests/api/": "postgresql", "tests/web/": "sqlite", "tests/demo/": "sqlite"}
HALVES = ("sqlite", "postgresql")
# The fixtures of the test clients: a test that asks for one drives a page or the API.
CLIENTS = frozenset({"client", "admin_client", "manager_client", "api_client"})


def half_of(item: pytest.Item) -> str | None:
    """The half of `make test` that runs `item`: "sqlite", "postgresql", or None for both."""
    if item.get_closest_marker("postgres_half"):
        return "postgresql"
    for folder, half in INTERFACE_HALVES.items():
        if item.nodeid.startswith(folder):
            return "postgresql" if _needs_service(item) else half
    if CLIENTS.intersection(getattr(item, "fixturenames", ())):
        return "postgresql"
    return None


def _keep_this_half(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With QUARTIER_TEST_HALF set, leave out (deselect) the tests the other half runs."""
    half = os.environ.get("QUARTIER_TEST_HALF", "")
    if not half:
        return
    if half not in HALVES:
        raise pytest.UsageError(f"QUARTIER_TEST_HALF must be one of {HALVES}, not {half!r}")
    kept: list[pytest.Item] = []
    left: list[pytest.Item] = []
    for item in items:
        (kept if half_of(item) in (None, half) else left).append(item)
    config.hook.pytest_deselected(items=left)
    items[:] = kept


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _keep_this_half(config, items)
    strict = skips_are_failures()
    for item in items:
        reason = _why_not_here(item)
        if reason is None:
            continue
        if strict:
            item.stash[_missing_service] = reason
        else:
            item.add_marker(pytest.mark.skip(reason=reason))


# The domain event subscriptions when a test starts: it must leave them as it found them.
_subscriptions_before = pytest.StashKey[list[domain.Subscription]]()


def _all_subscriptions() -> list[domain.Subscription]:
    return [s for phase in domain.Phase for s in domain.subscriptions(phase)]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    item.stash[_subscriptions_before] = _all_subscriptions()
    reason = item.stash.get(_missing_service, None)
    if reason is not None:
        pytest.fail(f"{reason}: CI's PostgreSQL run must run this test, not skip it", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    """A test (with its fixtures torn down) that leaves a handler subscribed or one missing
    fails here, rather than every later test that needed that handler."""
    yield
    before = item.stash.get(_subscriptions_before, None)
    if before is not None and _all_subscriptions() != before:
        gone = sorted({s.name for s in before} - {s.name for s in _all_subscriptions()})
        added = sorted({s.name for s in _all_subscriptions()} - {s.name for s in before})
        pytest.fail(
            "the test changed the domain event subscriptions for the tests after it"
            f" (missing: {gone or 'none'}; added: {added or 'none'}; else their order)",
            pytrace=False,
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """In CI's PostgreSQL run, a `postgres` or `redis` test that skips anyway (a skipif, a
    pytest.skip() or importorskip() in the test) is reported as failed."""
    report = yield
    if (
        report.skipped
        and not hasattr(report, "wasxfail")
        and _needs_service(item)
        and skips_are_failures()
    ):
        longrepr = report.longrepr
        reason = (
            longrepr[2].removeprefix("Skipped: ") if isinstance(longrepr, tuple) else str(longrepr)
        )
        report.outcome = "failed"
        report.longrepr = f"skipped ({reason}): CI's PostgreSQL run must run this test"
    return report


# --- Fixtures ---------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    """What tests change in the settings: a fast password hasher, and where documents go. And
    the gettext catalogues are compiled, as `make venv` does.

    PBKDF2 costs most of a second per password by design; the suite creates hundreds of users.
    """
    from django.conf import settings

    from scripts.compile_messages import compile_messages

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Applicants' documents the suite uploads go to a scratch directory, removed at the end.
    documents = tempfile.mkdtemp(prefix="quartier-test-documents-")
    atexit.register(shutil.rmtree, documents, ignore_errors=True)
    settings.QUARTIER = settings.QUARTIER.with_values(document_dir=documents)
    # The pages' translations, compiled before any test can load a stale catalogue.
    compile_messages(quiet=True)


def pytest_unconfigure(config: pytest.Config) -> None:
    """No forked child (a daphne a test started) outlives the run: at exit, Python waits for
    every child it forked, and one that never ends would keep the run from ever finishing."""
    import multiprocessing

    for child in multiprocessing.active_children():
        print(f"\nstopping a child process the tests left running: {child.name}", file=sys.stderr)
        child.kill()
        child.join(timeout=10)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the default language: a request read in another (its
    Accept-Language, its user's language) leaves that language active in the thread, and the
    next test would read its texts in it."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Every test starts with an empty cache (throttle counters included).

    With REDIS_URL set this flushes that Redis database: point it at a scratch one
    (`make test` uses redis://127.0.0.1:6379/15). The match index's per-process memory (which
    spatial indexes exist, the density grid) is forgotten too: a test's rollback can undo both.
    """
    cache.clear()
    forget_process_caches()


@pytest.fixture
def api_client() -> APIClient:
    """An unauthenticated DRF test client; `api_client.force_authenticate(user)` to log in."""
    return APIClient()


@pytest.fixture
def quartier_settings(settings: Settings) -> Callable[..., None]:
    """Override Quartier settings (backend.config) for one test, the rest unchanged:

    def test_small_batches(quartier_settings):
        quartier_settings(OFFER_BATCH_SIZE=1)
    """

    def override(**values: Any) -> None:
        settings.QUARTIER = settings.QUARTIER.with_values(**values)

    return override


# A real local Stripe: the emulator (localstripe with Connect), started once per session on
# 127.0.0.1 with its state in a temporary folder, for the tests that ask for it (the payments
# tests, the API's schema test).
REPO = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def stripe_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    state = tmp_path_factory.mktemp("stripe-emulator")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "stripe_emulator", "--port", str(port), "--state-dir", str(state)],
        cwd=REPO,
        stdout=(state / "log.txt").open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    "the Stripe emulator did not start: " + (state / "log.txt").read_text()
                ) from None
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
