"""The match index's spatial side: a generated geography column on PostgreSQL. (The spatial
index per category, an R*Tree with triggers on SQLite or a partial GiST on PostgreSQL, is built
by 0008 in its current form.)"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

GEOGRAPHY_COLUMN = (
    "ALTER TABLE bookings_matchentry ADD COLUMN geog geography(Point, 4326) "
    "GENERATED ALWAYS AS "
    "(ST_SetSRID(ST_MakePoint(longitude, latitude), 4326)::geography) STORED"
)


def create_spatial(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # The spatial indexes themselves are built by 0008, in the form the code now uses.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GEOGRAPHY_COLUMN)


def drop_spatial(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    from bookings.matching.search import spatial_index

    spatial_index(schema_editor.connection.alias).drop_all()
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE bookings_matchentry DROP COLUMN geog")


class Migration(migrations.Migration):
    # PostGIS (backend 0002) must exist first; said outright, since the order of apps alone
    # no longer guarantees it once an app between them is migrated first.
    dependencies = [("bookings", "0006_match_index"), ("backend", "0002_postgis_extension")]

    operations = [migrations.RunPython(create_spatial, drop_spatial)]
