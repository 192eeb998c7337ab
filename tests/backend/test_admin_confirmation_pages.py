"""The back office's confirmation pages (suspending helpers, lifting a suspension, approving
them, publishing a new version of the code-of-conduct test, refunding a payment) share one
template: the way back to the list, the form's fields and its "Confirm"/"Cancel" buttons are
written once, in admin/confirmation.html, and each page adds only what it confirms."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from helpers.admin import CONFIRMATION_TEMPLATE
from helpers.conduct_test_admin import PUBLISH_TEMPLATE
from payments.admin import REFUND_TEMPLATE

ROOT = Path(settings.BASE_DIR)
SHARED = "backend/templates/admin/confirmation.html"
# What every confirmation page shows alike.
_SHARED_PARTS = ('class="breadcrumbs"', 'class="submit-row"', 'class="module aligned"')


def _admin_templates() -> dict[str, str]:
    return {
        str(path.relative_to(ROOT)): path.read_text(encoding="utf-8")
        for path in sorted(ROOT.glob("*/templates/admin/**/*.html"))
    }


def test_the_confirmation_pages_extend_the_shared_template():
    templates = _admin_templates()
    for name in (CONFIRMATION_TEMPLATE, PUBLISH_TEMPLATE, REFUND_TEMPLATE):
        source = next(text for path, text in templates.items() if path.endswith(name))
        assert source.startswith('{% extends "admin/confirmation.html" %}'), name


def test_the_parts_every_confirmation_page_shows_are_written_once():
    written_in = {
        part: [path for path, text in _admin_templates().items() if part in text]
        for part in _SHARED_PARTS
    }
    assert written_in == {part: [SHARED] for part in _SHARED_PARTS}
