"""What the back office calls a row (a model's `__str__`: the admin's lists, its history, the
page titles of a change form, the rows a deletion takes along) speaks the manager's language:
an attempt, a certification, a document, a matching pass, a review or an outbox row was named
in English whatever the language ("Attempt 2 of …", "Matching of request 7 within 5 km"), and
a device without a name was stored as "Unnamed device"."""

from __future__ import annotations

import importlib
import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db import connection, models
from django.utils import translation

from backend.devices import device_sign_in
from backend.models import Device
from bookings.models import MatchingRun, TimeWindow
from tests.api.api_assertions import token_client
from tests.backend.test_model_labels import NAMES_OF_THEIR_OWN, project_models
from tests.factories import UserFactory

PLACEHOLDER = "Zzz"
# Words a language writes as English does ("7 km", "Test", "le message", "l’account").
SAME_AS_ENGLISH = {
    "de": {"km", "utc", "test", "community"},
    "fr": {"km", "utc", "test", "code", "message", "documents", "scores", "index"},
    "it": {"km", "utc", "test", "account"},
}
_WORD = re.compile(r"[^\W\d_]{2,}")


def _value(field: models.Field) -> Any:
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.UUIDField):
        return uuid.UUID(int=7)
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DateTimeField):
        return datetime(2026, 5, 6, 8, 30, tzinfo=UTC)
    if isinstance(field, models.DateField):
        return date(2026, 5, 6)
    if isinstance(field, models.TimeField):
        return time(8, 30)
    if isinstance(field, models.DurationField):
        return timedelta(hours=1)
    if isinstance(field, models.IntegerField | models.FloatField | models.DecimalField):
        return 7
    if isinstance(field, models.GenericIPAddressField):
        return "192.0.2.7"
    if isinstance(field, models.JSONField):
        return []
    if isinstance(field, models.BinaryField):
        return b""
    if isinstance(field, models.CharField | models.TextField | models.FileField):
        return PLACEHOLDER
    return None


def example(model: type[models.Model], made: dict[type, models.Model] | None = None) -> Any:
    """An unsaved row of `model` whose texts are a placeholder, numbers 7, and whose related
    rows are such examples too (one per model, so that a cycle ends)."""
    made = {} if made is None else made
    if model in made:
        return made[model]
    row = model()
    made[model] = row
    for field in model._meta.concrete_fields:
        if field.is_relation:
            continue
        value = _value(field)
        if value is not None:
            setattr(row, field.attname, value)
    if model._meta.pk is not None and not model._meta.pk.is_relation:
        row.pk = 7
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is not None:
            setattr(row, field.name, example(field.related_model, made))
    return row


def own_words(text: str) -> list[str]:
    """The words a row's name has of its own: the placeholder and figures left out."""
    return _WORD.findall(text.replace(PLACEHOLDER, " ").replace(PLACEHOLDER.lower(), " "))


def english_words(language: str) -> dict[str, list[str]]:
    """The models whose row names, in `language`, keep words of the English name."""
    found = {}
    for model in project_models():
        row = example(model)
        with translation.override("en"):
            english = {word.lower() for word in own_words(str(row))}
        with translation.override(language):
            words = own_words(str(row))
        same = SAME_AS_ENGLISH[language] | {name.lower() for name in NAMES_OF_THEIR_OWN}
        if kept := [word for word in words if word.lower() in english - same]:
            found[model._meta.label] = kept
    return found


def test_the_walk_sees_a_name_left_in_english():
    row = example(MatchingRun)
    assert (row.pk, row.help_request.customer.email) == (7, PLACEHOLDER)
    assert own_words("Zzz (7) → zzz, 2026-05-06 10:30") == []
    assert own_words("attempt 7 of Zzz") == ["attempt", "of"]


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_every_row_is_named_in_the_managers_language(language):
    assert english_words(language) == {}


# A date or a moment as a database writes it: "2026-05-06", "2026-05-06 10:30".
_DATABASE_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def database_dates(language: str) -> dict[str, str]:
    """The models whose row names, in `language`, write a date as a database does."""
    found = {}
    for model in project_models():
        with translation.override(language):
            name = str(example(model))
        if _DATABASE_DATE.search(name):
            found[model._meta.label] = name
    return found


def test_the_date_check_sees_a_date_as_a_database_writes_it():
    assert _DATABASE_DATE.findall("Visit 2026-12-10 14:15–15:00 (confirmed)") == ["2026-12-10"]
    assert _DATABASE_DATE.findall("Mittwoch, 6. Mai 2026, 10:30–11:30; 06.05.2026") == []


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_every_row_names_its_dates_as_the_language_writes_them(language):
    assert database_dates(language) == {}


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("de", "Mittwoch, 6. Mai 2026, 10:30–11:30"),
        ("fr", "mercredi 6 mai 2026, 10:30–11:30"),
        ("it", "mercoledì 6 maggio 2026, 10:30–11:30"),
        ("en", "Wednesday 6 May 2026, 10:30–11:30"),
    ],
)
def test_a_time_window_is_named_with_its_weekday_in_the_managers_language(language, name):
    window = example(TimeWindow)
    window.ends_at = window.starts_at + timedelta(hours=1)
    with translation.override(language):
        assert str(window) == name


UNNAMED = {
    "de": "Unbenanntes Gerät",
    "fr": "Appareil sans nom",
    "it": "Dispositivo senza nome",
    "en": "Unnamed device",
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", sorted(UNNAMED))
def test_a_device_signed_in_without_a_name_keeps_none_and_reads_unnamed_in_each_language(
    language,
):
    user = UserFactory.create()
    device, _key = device_sign_in(user=user, name="  ")

    assert Device.objects.values_list("name", flat=True).get(pk=device.pk) == ""
    with translation.override(language):
        assert device.shown_name == UNNAMED[language]
        assert str(device).startswith(f"{UNNAMED[language]} (")
    listed = token_client(_key).get("/api/v1/devices", HTTP_ACCEPT_LANGUAGE=language)
    assert [found["name"] for found in listed.json()["results"]] == [UNNAMED[language]]


migration = importlib.import_module("backend.migrations.0014_unnamed_devices_store_no_name")


@pytest.mark.django_db
def test_devices_stored_as_unnamed_in_english_keep_no_name_and_can_go_back():
    user = UserFactory.create()
    unnamed = Device.objects.create(user=user, key_digest="1" * 64, name="Unnamed device")
    named = Device.objects.create(user=user, key_digest="2" * 64, name="Anna’s phone")
    editor = SimpleNamespace(connection=SimpleNamespace(alias=connection.alias))

    migration.english_name_to_none(django_apps, editor)
    assert dict(Device.objects.values_list("pk", "name")) == {
        unnamed.pk: "",
        named.pk: "Anna’s phone",
    }

    migration.none_to_english_name(django_apps, editor)
    assert dict(Device.objects.values_list("pk", "name")) == {
        unnamed.pk: "Unnamed device",
        named.pk: "Anna’s phone",
    }
