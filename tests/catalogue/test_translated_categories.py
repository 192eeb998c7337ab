"""The categories' names and descriptions in the reader's language: one column per language
(django-modeltranslation), English where a text has no translation."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from backend.models import User
from catalogue.models import ServiceCategory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _categories(language: str) -> dict[str, dict[str, object]]:
    response = Client().get("/api/v1/categories", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return {row["slug"]: row for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("language", "name", "description"),
    [
        ("de", "Festnetz & Telefonie", "Das Festnetztelefon, der Anrufbeantworter."),
        ("fr", "Téléphonie fixe", "Le téléphone fixe, le répondeur."),
        ("it", "Telefonia fissa", "Il telefono fisso, la segreteria telefonica."),
        ("en", "Landline & telephony", "The landline telephone, the answering machine."),
    ],
)
def test_the_api_names_and_describes_categories_in_the_readers_language(
    language, name, description
):
    row = _categories(language)["landline-telephony"]

    assert row == {
        "slug": "landline-telephony",
        "name": name,
        "description": description,
        "typical_duration_minutes": row["typical_duration_minutes"],
    }


def test_a_text_without_a_translation_is_shown_in_english():
    ServiceCategory.objects.filter(slug="smart-home").update(name_it=None, description_it="")

    row = _categories("it")["smart-home"]

    assert (row["name"], row["description"]) == (
        "Smart home",
        "Smart lights, heating, door bells and cameras.",
    )


def test_every_category_has_its_texts_in_all_four_languages():
    for category in ServiceCategory.objects.all():
        for language in ("de", "fr", "it", "en"):
            assert getattr(category, f"name_{language}"), (category.slug, language)
            assert getattr(category, f"description_{language}"), (category.slug, language)


def test_the_pages_show_the_categories_in_the_users_language():
    with translation.override("fr"):
        names = {c.slug: c.name for c in ServiceCategory.objects.all()}
    assert names["computer-printer"] == "Ordinateur & imprimante"

    customer = UserFactory()
    User.objects.filter(pk=customer.pk).update(preferred_language="it")
    client = Client()
    client.force_login(customer)

    page = client.get("/requests/new").content.decode()

    assert "Computer &amp; stampante" in page
    assert "Il computer, la stampante, lo scanner, gli aggiornamenti." in page
