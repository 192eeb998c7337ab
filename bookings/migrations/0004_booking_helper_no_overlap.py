"""On PostgreSQL, the database itself refuses two overlapping slot-holding visits of one helper.

SQLite has no exclusion constraints: there, writers are serialised (BEGIN IMMEDIATE) and the
booking service checks for overlaps inside the same transaction.
"""

from django.db import migrations

HOLDING = "('confirmed', 'on_the_way', 'in_progress')"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE bookings_booking ADD CONSTRAINT booking_helper_no_overlap
    EXCLUDE USING gist (helper_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status IN {HOLDING});
"""
DROP = "ALTER TABLE bookings_booking DROP CONSTRAINT IF EXISTS booking_helper_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("bookings", "0003_service_categories")]

    operations = [migrations.RunPython(create, drop)]
