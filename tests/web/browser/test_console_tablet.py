"""The manager's console on a tablet (820 px wide): a list whose columns need more room than
the screen scrolls sideways in its own box, never the whole page."""

from __future__ import annotations

import pytest

from helpers.models import ApprovalStatus
from tests.factories import ManagerFactory, make_helper
from tests.web.browser.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

TABLET = {"viewport": {"width": 820, "height": 1180}}


def test_the_helpers_list_fits_a_tablet_in_italian(browser, live_url, axe):
    ManagerFactory.create(email="tablet@quartier.test", preferred_language="it")
    for name in ("Vreni Zimmermann", "Giulia Guidi"):
        make_helper(
            display_name=name,
            home_postal_code="3037",
            home_locality="Herrenschwanden",
            approval=ApprovalStatus.NEEDS_INFORMATION,
            skills=("internet-wifi", "data-backup-transfer", "security-privacy"),
        )
    context = browser.new_context(locale="it", **TABLET)
    page = context.new_page()
    log_in(page, live_url, "tablet@quartier.test", "/manage/")

    page.goto(f"{live_url}/manage/helpers/")

    assert page.locator("h1").inner_text() == "Aiutanti"
    assert page.locator("table.stack tbody tr").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 820
    box = page.locator("table.stack").bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 820
    assert axe(page) == []
    context.close()
