"""A helper approved on the web, on a phone in French: the offers page says what keeps offers
away and takes the code of conduct's acceptance; the list of what is missing then shrinks."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from catalogue.models import LegalAcceptance, LegalDocument, LegalDocumentKind
from helpers.selectors import eligible_helpers
from tests.factories import ManagerFactory, make_helper, publish
from tests.web.browser.conftest import PHONE, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_a_new_helper_accepts_the_code_of_conduct_on_the_offers_page(
    browser: Any, live_url: str, axe: Any, screenshot: Any
) -> None:
    code = publish(
        LegalDocument.objects.create(slug="code", kind=LegalDocumentKind.HELPER_CODE_OF_CONDUCT),
        ManagerFactory.create(),
        text="Respect the privacy of the customer.",
    )
    helper = make_helper(
        email="camille@example.ch", preferred_language="fr", takes_payments=False, weekly=()
    )
    context = browser.new_context(locale="fr-CH", **PHONE)
    page = context.new_page()
    log_in(page, live_url, "camille@example.ch", "/helper/")

    blockers = page.locator("#offer-blockers")
    expect(blockers).to_contain_text("aucune offre ne peut encore vous parvenir")
    expect(blockers.get_by_role("link")).to_have_count(3)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe(page) == []
    screenshot(page, "helper-terms-phone-fr")

    blockers.get_by_role("link", name="Acceptez le code de conduite des personnes aidantes").click()
    page.get_by_text(f"Lire « {code.title_in('fr')} »").click()
    expect(page.get_by_text(code.text_in("fr"))).to_be_visible()
    page.get_by_label(f"J’ai lu et j’accepte : {code.title_in('fr')}").check()
    page.get_by_role("button", name="Accepter les conditions").click()

    expect(
        page.get_by_text("Merci : les conditions des personnes aidantes sont acceptées.")
    ).to_be_visible()
    expect(page.locator("#terms")).to_have_count(0)
    expect(blockers.get_by_role("link")).to_have_count(2)
    assert LegalAcceptance.objects.filter(user=helper.user, version=code, language="fr").exists()
    helper.refresh_from_db()
    helper.takes_payments = True
    helper.save(update_fields=["takes_payments"])
    assert eligible_helpers().filter(pk=helper.pk).exists()
    assert axe(page) == []
    context.close()
