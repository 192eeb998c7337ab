"""The back office in a real browser names Quartier's icon like the web app's pages: no page
of it leaves the browser asking /favicon.ico in vain (a console error on every page), and
/favicon.ico itself answers with the icon for the answers that name none (a receipt's PDF, an
API answer).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import PASSWORD, ManagerFactory
from tests.web.browser.conftest import DESKTOP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ICON = "() => document.querySelector('link[rel=icon]')?.href ?? null"


def _watch(page: Any) -> list[str]:
    """Every console error and every answer of 400 or more the page meets."""
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: found.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return found


def test_the_back_office_pages_load_with_quartiers_icon_and_no_console_error(browser, live_url):
    ManagerFactory.create(email="desk@quartier.test", preferred_language="en")
    page = browser.new_context(locale="en", **DESKTOP).new_page()
    errors = _watch(page)
    page.goto(f"{live_url}/admin/login/?next=/admin/")
    page.locator("#id_username").fill("desk@quartier.test")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{live_url}/admin/")
    icons = {}
    for path in ("/admin/", "/admin/backend/user/", "/admin/bookings/booking/"):
        page.goto(live_url + path)
        page.wait_for_load_state("networkidle")
        icons[path] = page.evaluate(ICON)
    shown = page.request.get(f"{live_url}/static/web/icons/quartier.svg")
    favicon = page.request.get(f"{live_url}/favicon.ico")

    assert errors == []
    assert set(icons.values()) == {f"{live_url}/static/web/icons/quartier.svg"}
    assert (shown.status, shown.headers["content-type"]) == (200, "image/svg+xml")
    assert (favicon.status, favicon.headers["content-type"]) == (200, "image/x-icon")
    assert favicon.body()[:4] == b"\x00\x00\x01\x00"  # an icon file
