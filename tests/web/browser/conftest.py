"""A real browser (Debian's chromium, driven by Playwright) against the app served by daphne.

`playwright install` cannot download here: the browser is the system's chromium, found on PATH
(or PW_CHROMIUM). The server is daphne in a forked process, serving the test database; tests
that use it commit their writes (`transaction=True`) so that the server sees them, and restore
the seeded service categories afterwards (`serialized_rollback=True`).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.test import override_settings

from tests.worker import start_daphne, stop_daphne

VENDOR = Path(__file__).resolve().parent.parent / "vendor"
AXE = VENDOR / "axe-core-4.14.1.min.js"
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def log_in(page: Any, live_url: str, email: str, then: str) -> None:
    """Log in through the log-in form (the test password), landing on `then`."""
    from tests.factories import PASSWORD

    page.goto(f"{live_url}/log-in?next={then}")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def _chromium() -> str | None:
    return (
        os.environ.get("PW_CHROMIUM")
        or shutil.which("chromium")
        or ("/usr/lib/chromium/chromium" if Path("/usr/lib/chromium/chromium").exists() else None)
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _chromium() is None:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            # CI installs chromium (.ci/run): there, missing it is a failure, never a skip.
            raise pytest.UsageError("CI must run the browser tests, but chromium is not installed")
        skip = pytest.mark.skip(reason="no chromium on this machine (apt-get install chromium)")
        for item in items:
            if item.get_closest_marker("browser"):
                item.add_marker(skip)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """The system's chromium, driven by Playwright's sync API for one test module.

    Stopped when the module's tests are done: Playwright's sync API keeps an event loop running
    in the main thread while it is started, which later tests (asyncio.run) must not meet. The
    ORM may be used beside it meanwhile (the loop runs no Django code).
    """
    from playwright.sync_api import expect, sync_playwright

    # The machines that run the suite are shared and busy: a page may take a few seconds to
    # answer. What the tests wait for still has to happen; they only wait longer for it.
    expect.set_options(timeout=20_000)

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # While Playwright's loop runs, the main thread gets database connections of its own
    # (asgiref's Local follows the running loop). They must restore the seeded data after each
    # test like the first ones (`serialized_rollback`): hand them the snapshot.
    snapshot = getattr(connections[DEFAULT_DB_ALIAS], "_test_serialized_contents", None)
    try:
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=_chromium())
            if snapshot is not None:
                setattr(connections[DEFAULT_DB_ALIAS], "_test_serialized_contents", snapshot)  # noqa: B010
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def live_url(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """The app (HTTP, and WebSockets once there are some) served by daphne in a child process."""
    from channels.testing.live import make_application

    # The child is forked after the test database was set up: its settings already name that
    # database, and it answers requests in threads with connections of their own.
    # The server keeps nothing in a cache of its own: the tests clear theirs before each test,
    # which a forked server's memory would not see (a minute-old count would leak from one test
    # into the next).
    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with django_db_blocker.unblock(), override_settings(CACHES=dummy):
        # (else the child inherits the block: every query fails)
        # whitenoise serves the static files
        process = start_daphne(partial(make_application, static_wrapper=None))
    yield f"http://127.0.0.1:{process.port.value}"
    stop_daphne(process)


# The WCAG 2.1 A and AA rules of axe-core.
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Of those, the rules whose outcome can change with the page's language: the names, labels,
# alternative texts and titles (a translation left empty) and the language attributes. The rest
# (contrast, structure, roles, landmarks, focus order) is the template's, the same in every
# language.
WORDS = [
    "area-alt",
    "aria-command-name",
    "aria-input-field-name",
    "aria-meter-name",
    "aria-progressbar-name",
    "aria-toggle-field-name",
    "aria-tooltip-name",
    "button-name",
    "document-title",
    "frame-title",
    "html-has-lang",
    "html-lang-valid",
    "image-alt",
    "input-button-name",
    "input-image-alt",
    "label",
    "link-name",
    "object-alt",
    "role-img-alt",
    "select-name",
    "summary-name",
    "svg-img-alt",
    "valid-lang",
]


@pytest.fixture
def axe() -> Callable[..., list[dict[str, Any]]]:
    """The WCAG 2.1 A and AA violations axe-core (vendored) finds on the page.

    Within a test, a page (its address, at one width) gets every rule in the first language it
    is checked in, each time it is checked in that language; checked in another language, it
    gets the rules that depend on the words (`WORDS`): measured on the console desk's walk of every page in four languages, 1.2 s a
    page for every rule against 0.26 s for those. axe-core is given to the page's browser
    context once, as a script every page it opens runs first: handed over with each check, its
    half megabyte took another 0.4 to 1 s a page.
    """
    source = AXE.read_text()
    first_language: dict[tuple[str, int], str] = {}  # (address, width): its first language
    given: list[Any] = []  # the browser contexts that run axe-core in every page

    def run(page: Any) -> list[dict[str, Any]]:
        if not any(context is page.context for context in given):
            page.context.add_init_script(source)
            given.append(page.context)
        if not page.evaluate("() => typeof axe !== 'undefined'"):
            page.evaluate(source)  # a page opened before
        seen = (page.url, page.viewport_size["width"] if page.viewport_size else 0)
        language = page.evaluate("() => document.documentElement.lang")
        everything = first_language.setdefault(seen, language) == language
        rules: Any = WCAG if everything else {"type": "rule", "values": WORDS}
        result = page.evaluate("rules => axe.run(document, {runOnly: rules})", rules)
        return [
            {"id": violation["id"], "nodes": [node["target"] for node in violation["nodes"]]}
            for violation in result["violations"]
        ]

    return run


@pytest.fixture
def screenshot() -> Callable[[Any, str], None]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return take
