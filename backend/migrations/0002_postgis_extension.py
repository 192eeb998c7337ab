"""Production runs on PostgreSQL with PostGIS; the spatial index of matching lives there."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS postgis;")


def drop(apps, schema_editor):
    # Other databases objects may depend on PostGIS; leaving it installed is harmless.
    pass


class Migration(migrations.Migration):
    dependencies = [("backend", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
