"""Data migrations write to the database being migrated, whichever alias that is (the matching
benchmark migrates an SQLite and a PostgreSQL database in one process)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils.connection import ConnectionDoesNotExist

from catalogue.models import ServiceCategory

categories_migration = importlib.import_module("bookings.migrations.0003_service_categories")


def _editor(alias: str) -> SimpleNamespace:
    return SimpleNamespace(connection=SimpleNamespace(alias=alias))


@pytest.mark.django_db
def test_the_category_migration_writes_to_the_database_being_migrated() -> None:
    # Given the categories as the migrations left them
    before = list(ServiceCategory.objects.order_by("pk").values_list("slug", "position"))

    apps = MigrationLoader(connection).project_state(("bookings", "0003_service_categories")).apps

    # When the data migration runs for another database alias, it asks for that database (which
    # this process does not have) and writes nothing to the default one
    with pytest.raises(ConnectionDoesNotExist):
        categories_migration.load_categories(apps, _editor("elsewhere"))
    with pytest.raises(ConnectionDoesNotExist):
        categories_migration.unload_categories(apps, _editor("elsewhere"))
    assert list(ServiceCategory.objects.order_by("pk").values_list("slug", "position")) == before
