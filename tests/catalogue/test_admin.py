"""The catalogue in the back office: the manager edits the service categories."""

from __future__ import annotations

import pytest

from catalogue.models import ServiceCategory
from tests.admin_world import admin_url

pytestmark = pytest.mark.django_db


def test_categories_are_edited_from_the_list(manager_client):
    categories = list(ServiceCategory.objects.order_by("position", "slug"))
    data = {
        "form-TOTAL_FORMS": len(categories),
        "form-INITIAL_FORMS": len(categories),
        "_save": "Save",
    }
    for index, row in enumerate(categories):
        data[f"form-{index}-id"] = row.pk
        data[f"form-{index}-position"] = row.position
        data[f"form-{index}-typical_duration_minutes"] = row.typical_duration_minutes
        data[f"form-{index}-is_active"] = "on" if row.is_active else ""
    data["form-0-typical_duration_minutes"] = 120
    data["form-0-is_active"] = ""

    response = manager_client.post(admin_url(ServiceCategory, "changelist"), data)

    first = ServiceCategory.objects.get(pk=categories[0].pk)
    assert response.status_code == 302
    assert (first.typical_duration_minutes, first.is_active) == (120, False)


def test_category_slug_is_prepopulated_from_the_name(manager_client):
    response = manager_client.get(admin_url(ServiceCategory, "add"))

    page = response.content.decode()
    assert "&quot;id&quot;: &quot;#id_slug&quot;" in page
    assert "&quot;dependency_list&quot;: [&quot;name_en&quot;]" in page


def test_a_category_is_edited_in_each_of_the_four_languages(manager_client):
    category = ServiceCategory.objects.get(slug="smart-home")

    page = manager_client.get(admin_url(ServiceCategory, "change", category.pk)).content.decode()

    for field in ("name", "description"):
        for language in ("de", "fr", "it", "en"):
            assert f'name="{field}_{language}"' in page
    assert 'name="name"' not in page
