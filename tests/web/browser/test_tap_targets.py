"""What an applicant taps on a phone (390 px) is at least 24 px in each direction (WCAG 2.2's
target size): the document upload's file fields were 21 px tall, the browser's own size."""

from __future__ import annotations

from typing import Any

import pytest

from backend.models import User
from helpers.models import ApprovalStatus
from tests.factories import make_helper
from tests.web.browser.conftest import PHONE, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

_SIZES = """() => [...document.querySelectorAll('main input[type=file]')].map(field => {
  const box = field.getBoundingClientRect();
  return [field.name, Math.round(box.width), Math.round(box.height)];
})"""


def test_the_document_upload_fields_are_big_enough_to_tap_on_a_phone(
    browser: Any, live_url: str, axe: Any
):
    # Given an applicant who still has to upload both documents, reading French
    helper = make_helper(approval=ApprovalStatus.APPLIED, email="nicole@example.ch")
    User.objects.filter(pk=helper.user_id).update(preferred_language="fr")
    context = browser.new_context(locale="fr-CH", **PHONE)
    page = context.new_page()

    # When she opens her application
    log_in(page, live_url, "nicole@example.ch", "/helper/application")

    # Then each file field is as tall as a field to tap, within the screen, and axe is content
    sizes = page.evaluate(_SIZES)
    assert [name for name, _width, _height in sizes] == [
        "identity-file",
        "criminal_record_extract-file",
    ]
    assert all(height >= 44 and 24 <= width <= 390 for _name, width, height in sizes), sizes
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    assert axe(page) == []
    context.close()
