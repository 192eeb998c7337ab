"""The language switch's button says what it changes, in each language."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "name", "shown"),
    [
        ("en", "Change language", "Change"),
        ("de", "Sprache wechseln", "Wechseln"),
        ("fr", "Changer de langue", "Changer"),
        ("it", "Cambia lingua", "Cambia"),
    ],
)
def test_the_language_buttons_name_says_what_it_changes(client, language, name, shown):
    _logged_in(client, UserFactory.create(), language)

    page = client.get("/requests/").content.decode()

    button = f'<button type="submit" aria-label="{name}">{shown}</button>'
    assert page.count(button) == 1
    # The word it shows is part of its name, as voice control needs
    assert shown.lower() in name.lower()
