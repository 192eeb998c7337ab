"""The back office's lists write their days and moments as the console does (backend.formats.
written), in the manager's language: "7. Dezember 2026 um 22:04", "7 décembre 2026 à 22:04",
never Django's "Dec. 7, 2026, 10:04 p.m." nor an ISO string. Every list column of a date or a
moment is checked, on every model with a row."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from django.contrib import admin
from django.db import models
from django.utils import translation

from backend.formats import written
from tests.admin_world import admin_url, manager_speaks

pytestmark = pytest.mark.django_db


def _date_columns(model: type[models.Model], model_admin: admin.ModelAdmin) -> list[models.Field]:
    fields = {field.name: field for field in model._meta.get_fields() if field.concrete}
    return [
        fields[name]
        for name in model_admin.list_display
        if isinstance(name, str) and isinstance(fields.get(name), models.DateField)
    ]


def _written(value: date | datetime) -> str:
    """A moment as within a sentence, a day with its month and year."""
    if isinstance(value, datetime):
        return written.moment_in_sentence(value)
    return written.day_month_year(value)


def _cells(html: str, name: str) -> list[str]:
    found = re.findall(rf'<t[dh] class="field-{name}[^"]*">(.*?)</t[dh]>', html, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in found]


@pytest.mark.parametrize("language", ["de", "fr"])
def test_every_list_column_of_a_date_is_written_as_the_console_writes_it(
    manager_client, admin_world, language
):
    manager_speaks(language)
    checked = []
    for model, model_admin in admin.site._registry.items():
        columns = _date_columns(model, model_admin)
        if not columns or not model._default_manager.exists():
            continue
        html = manager_client.get(admin_url(model, "changelist")).content.decode()
        for field in columns:
            with translation.override(language):
                values = {
                    _written(value)
                    for value in model._default_manager.values_list(field.name, flat=True)
                    if value is not None
                }
            if not values:  # no row has one: the column shows the empty sign
                continue
            shown = [cell for cell in _cells(html, field.name) if cell not in ("-", "—")]
            assert shown, f"{model.__name__}.{field.name}"
            assert set(shown) <= values, f"{model.__name__}.{field.name}"
            checked.append(f"{model.__name__}.{field.name}")
    assert len(checked) >= 15  # the models of the back office's shared rows
