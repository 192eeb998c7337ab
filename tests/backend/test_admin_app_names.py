"""The back office's index names every app in the manager's language, the background tasks'
(django_tasks_db, "Tasks Database Backend" in the package whatever the language) among them."""

from __future__ import annotations

import re

import pytest

from tests.admin_world import manager_speaks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "app", "model"),
    [
        ("de", "Hintergrundaufgaben", "Aufgabenergebnisse"),
        ("fr", "Tâches en arrière-plan", "Résultats de tâches"),
        ("it", "Attività in secondo piano", "Risultati delle attività"),
        ("en", "Background tasks", "Task Results"),
    ],
)
def test_the_background_tasks_are_named_in_the_managers_language(
    manager_client, language, app, model
):
    manager_speaks(language)

    index = manager_client.get("/admin/").content.decode()
    app_page = manager_client.get("/admin/django_tasks_database/").content.decode()

    caption = re.search(
        r'<caption>\s*<a href="/admin/django_tasks_database/"[^>]*>([^<]*)</a>', index
    )
    assert caption is not None
    assert caption.group(1) == app
    assert f'<a href="/admin/django_tasks_database/dbtaskresult/">{model}</a>' in index
    assert "Tasks Database Backend" not in index
    assert app in re.search(r"<h1>([^<]*)</h1>", app_page).group(1)
