"""The helper's profile says in German, with its verb agreeing with its subject, that a
customer who cancels or is not at home does not lower the helper's figures ("Eine Kundin oder
ein Kunde, die absagen ..., verschlechtern" put a singular subject with plural verbs)."""

from __future__ import annotations

import pytest

from tests.factories import make_helper
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def test_the_profile_says_what_does_not_count_against_the_helper_in_correct_german(client):
    helper = make_helper()
    _logged_in(client, helper.user, "de")
    html = client.get("/helper/profile").content.decode()
    assert (
        "Nur was Sie verursacht haben, zählt gegen Sie: Sagt eine Kundin oder ein Kunde ab oder "
        "ist nicht zu Hause, verschlechtert das Ihre Zahlen nicht."
    ) in html
    assert "verschlechtern Ihre Zahlen" not in html
