"""The back office's own pages pass axe (WCAG 2.1 A and AA) in a real browser, logged in as the
manager: the index, the list and the page of each of the main models, and the confirmation
pages (a payment's refund, the suspension of helpers), in English and in French. Django's admin
tells the breadcrumbs' links from their line by colour alone (link-in-text-block), names the
two-box selector's search icon with an aria-label a plain span may not carry
(aria-prohibited-attr), and leaves a list's editable cells and an inline row's delete box without
a name (label); Quartier's admin template, styles and script, and the names of those controls,
answer them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from helpers.models import HelperProfile
from payments.models import Payment, PaymentStatus
from tests.admin_world import admin_url
from tests.backend.test_admin_site import PAGES
from tests.factories import PASSWORD, ManagerFactory
from tests.web.browser.conftest import DESKTOP

pytestmark = [
    pytest.mark.browser,
    # The back office runs on PostgreSQL in production; `make test` runs it in that half.
    pytest.mark.postgres_half,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _log_in(browser: Any, live_url: str, language: str) -> Any:
    page = browser.new_context(locale=language, **DESKTOP).new_page()
    page.goto(f"{live_url}/admin/login/?next=/admin/")
    page.locator("#id_username").fill("desk@quartier.test")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(f"{live_url}/admin/")
    return page


def test_the_back_office_pages_pass_axe_in_english_and_in_french(
    browser, live_url, axe, admin_world
):
    manager = ManagerFactory.create(email="desk@quartier.test")
    paths = ["/admin/", "/admin/django_tasks_database/dbtaskresult/"]
    for model, (key, _shown) in PAGES.items():
        paths.append(admin_url(model, "changelist"))
        paths.append(admin_url(model, "change", admin_world[key].pk))
    # The refund of a payment, a confirmation page like the suspension's below
    payment = Payment.objects.create(
        booking=admin_world["booking"],
        status=PaymentStatus.CAPTURED,
        currency="CHF",
        amount_minor=8000,
        authorised_minor=8000,
        captured_minor=8000,
    )
    paths.append(reverse("admin:payments_payment_refund", args=[payment.pk]))

    found = {}
    # One walk per language: the second gets the rules that depend on the words (`axe`).
    for language in ("en", "fr"):
        manager.preferred_language = language
        manager.save(update_fields=["preferred_language"])
        page = _log_in(browser, live_url, language)
        for path in paths:
            answer = page.goto(live_url + path)
            assert answer is not None, path
            assert answer.status == 200, path
            assert page.locator("html").get_attribute("lang") == language, path
            violations = axe(page)
            if violations:
                found[f"{path} {language}"] = violations

        # The page that asks why before helpers are suspended (or a suspension lifted)
        page.goto(live_url + admin_url(HelperProfile, "changelist"))
        helper_box = f'input[name="_selected_action"][value="{admin_world["helper"].pk}"]'
        page.locator(helper_box).check()
        page.locator('select[name="action"]').select_option("suspend_helpers")
        page.locator('button[name="index"]').click()
        page.wait_for_selector('input[name="confirm"]', state="attached")
        violations = axe(page)
        if violations:
            found[f"suspend_helpers {language}"] = violations
        page.context.close()

    assert found == {}
