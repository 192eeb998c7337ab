"""Every model of Quartier's own apps, and every field of it, has a name in German, French,
Italian and English: the admin lists them when it deletes a helper (the related rows, by their
model's name), in its history, and the console reads them too. A model without a name of its
own is called by its class name in English ("helper approval event") whatever the language."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from modeltranslation.fields import TranslationField

from backend.models import Device, User
from bookings.models import HelperBlock, SafetyReport
from helpers.models import HelperAppeal, HelperApprovalEvent
from realtime.models import ChatMessage
from tests.admin_world import admin_url, make_helper, make_user, manager_speaks
from tests.gettext_catalogue import messages

LANGUAGES = ("de", "fr", "it", "en")

# Choice labels that read the same in every language: each language by its own name (as a
# language picker lists them) and the names of the platforms a device runs.
NAMES_OF_THEIR_OWN = {"Deutsch", "Français", "Italiano", "English", "iOS", "Android", "Web"}


def project_models() -> list[type[models.Model]]:
    """The models of the project's own apps (those in the repository), Django's tables for a
    many-to-many relation left out: they have no name of their own to give."""
    root = Path(settings.BASE_DIR)
    own = {
        config.label
        for config in apps.get_app_configs()
        if (root / config.name.split(".")[0]).is_dir()
    }
    return [model for model in apps.get_models() if model._meta.app_label in own]


def from_django(model: type[models.Model], name: str) -> bool:
    """Whether the field comes from one of Django's abstract models (the user's password, last
    log-in, groups): Django's own catalogues translate those."""
    for base in model.__mro__[1:]:
        meta = getattr(base, "_meta", None)
        if meta is None or not meta.abstract or not base.__module__.startswith("django."):
            continue
        if name in {field.name for field in meta.local_fields + meta.local_many_to_many}:
            return True
    return False


def labels(model: type[models.Model]) -> dict[str, Any]:
    """What the admin and the console show of a model: its names, its fields' names and help
    texts (the admin writes those under the field), the labels of their choices (in the
    admin's lists, filters and drop-downs). The columns django-modeltranslation adds
    per language ("name [de]") are named after their field, which is checked itself."""
    found: dict[str, Any] = {
        "verbose_name": model._meta.verbose_name,
        "verbose_name_plural": model._meta.verbose_name_plural,
    }
    for field in model._meta.get_fields(include_parents=True):
        if (
            field.concrete
            and not field.auto_created
            and not isinstance(field, TranslationField)
            and not from_django(model, field.name)
        ):
            found[field.name] = field.verbose_name
            if field.help_text:
                found[f"{field.name} (help text)"] = field.help_text
            for value, choice in field.flatchoices:
                if choice not in NAMES_OF_THEIR_OWN:
                    found[f"{field.name} (choice {value!r})"] = choice
    return found


def catalogue(language: str) -> dict[str, list[str]]:
    return {message.msgid: message.msgstrs for message in messages(language)}


def untranslated(language: str) -> list[str]:
    """The labels without a translation in `language`: not marked for translation (a lazy
    gettext), or marked but without an entry in the project's catalogue (one with a text, but
    in the English catalogue, where the text may be left empty)."""
    entries = catalogue(language)
    missing = []
    for model in project_models():
        for name, label in labels(model).items():
            where = f"{model._meta.label}.{name}"
            if not isinstance(label, Promise):
                missing.append(f"{where}: {label!r} is not marked for translation")
                continue
            with translation.override(None):
                msgid = str(label)
            if msgid not in entries or (language != "en" and not any(entries[msgid])):
                missing.append(f"{where}: {msgid!r}")
    return missing


def test_the_walk_sees_every_app_of_the_project():
    apps_seen = {model._meta.app_label for model in project_models()}
    assert apps_seen == {
        "backend",
        "catalogue",
        "helpers",
        "academy",
        "bookings",
        "payments",
        "realtime",
    }
    assert len(project_models()) >= 60


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_model_and_field_has_a_name_in_each_language(language):
    assert untranslated(language) == []


@pytest.mark.parametrize(
    ("language", "names"),
    [
        (
            "de",
            [
                "Schritte der Freigabe",
                "Einsprüche",
                "Sicherheitsmeldungen",
                "Blockierungen helfender Personen",
                "Chat-Nachrichten",
            ],
        ),
        (
            "fr",
            [
                "étapes de validation",
                "recours",
                "signalements",
                "blocages de personnes aidantes",
                "messages du chat",
            ],
        ),
        (
            "it",
            [
                "passaggi di approvazione",
                "ricorsi",
                "segnalazioni",
                "blocchi di persone aiutanti",
                "messaggi della chat",
            ],
        ),
    ],
)
def test_the_rows_a_helper_takes_along_are_named_in_the_managers_language(language, names):
    """What the admin lists, by model name, when a manager deletes a helper."""
    with translation.override(language):
        assert [
            str(model._meta.verbose_name_plural)
            for model in (HelperApprovalEvent, HelperAppeal, SafetyReport, HelperBlock, ChatMessage)
        ] == names


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "summary", "rows"),
    [
        (
            "de",
            ["Benutzerkonten: 1", "Geräte: 1", "Blockierungen helfender Personen: 1"],
            ["Gerät", "Blockierung einer helfenden Person"],
        ),
        (
            "fr",
            ["Comptes: 1", "Appareils: 1", "Blocages de personnes aidantes: 1"],
            ["Appareil", "Blocage d’une personne aidante"],
        ),
    ],
)
def test_deleting_an_account_lists_what_goes_with_it_in_the_managers_language(
    manager_client, language, summary, rows
):
    """The admin's confirmation names each row the account takes along by its model's name,
    in the manager's language (the browser asks for English)."""
    customer = make_user("carla")
    helper = make_helper("hugo")
    Device.objects.create(user=customer, key_digest="0" * 64, name="Carla’s phone", platform="ios")
    HelperBlock.objects.create(customer=customer, helper=helper)
    manager_speaks(language)

    response = manager_client.get(admin_url(User, "delete", customer.pk), HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r"<li>([^<]*: \d+)</li>", page) == summary
    objects = page.split('<ul id="deleted-objects">')[1]
    assert re.findall(r"<li>([^<:]*): [^<]*</li>", objects) == rows
    assert User.objects.filter(pk=customer.pk).exists()
    assert (Device.objects.count(), HelperBlock.objects.count()) == (1, 1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_app_of_the_project_has_a_name_in_each_language(language):
    """The admin heads each app's models with the app's name, on its index and in the
    breadcrumbs ("Administration de Helpers" read the French manager until now)."""
    entries = catalogue(language)
    root = Path(settings.BASE_DIR)
    missing = []
    for config in apps.get_app_configs():
        if not (root / config.name.split(".")[0]).is_dir():
            continue
        if not isinstance(config.verbose_name, Promise):
            missing.append(f"{config.label}: {config.verbose_name!r} is not marked for translation")
            continue
        with translation.override(None):
            msgid = str(config.verbose_name)
        if msgid not in entries or (language != "en" and not any(entries[msgid])):
            missing.append(f"{config.label}: {msgid!r}")
    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "names"),
    [
        (
            "fr",
            ["Catalogue", "Comptes", "Demandes et réservations", "Formation", "Personnes aidantes"],
        ),
        ("it", ["Account", "Aiutanti", "Catalogo", "Formazione", "Richieste e prenotazioni"]),
    ],
)
def test_the_admin_heads_the_apps_in_the_managers_language(manager_client, language, names):
    manager_speaks(language)

    response = manager_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    headings = re.findall(r'<caption>\s*<a href="/admin/\w+/"[^>]*>([^<]+)</a>', page)
    assert [name for name in headings if name in names] == names
    assert "Helpers" not in headings
    assert "Requests and bookings" not in headings
