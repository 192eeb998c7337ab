"""The match index's spatial side: a generated geography column on PostgreSQL, and one spatial
index per category (an R*Tree with triggers on SQLite, a partial GiST on PostgreSQL)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

GEOGRAPHY_COLUMN = (
    "ALTER TABLE bookings_matchentry ADD COLUMN geog geography(Point, 4326) "
    "GENERATED ALWAYS AS "
    "(ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography) STORED"
)


def create_spatial(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from bookings.match_index import ensure_spatial_index

    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(GEOGRAPHY_COLUMN)
    category = apps.get_model("bookings", "ServiceCategory")
    for pk in category.objects.using(connection.alias).values_list("pk", flat=True):
        ensure_spatial_index(pk, connection)


def drop_spatial(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from bookings.match_index import _drop_spatial_indexes

    _drop_spatial_indexes(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE bookings_matchentry DROP COLUMN geog")


class Migration(migrations.Migration):
    dependencies = [("bookings", "0006_match_index")]

    operations = [migrations.RunPython(create_spatial, drop_spatial)]
