"""The reset between `transaction=True` tests (tests/database_reset.py) gives back exactly the
database the migrations seeded: every table empty after the flush, then the seeded rows, as
they were, whether the rows were gone or still there and changed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalogue.models import ServiceCategory
from tests.factories import UserFactory, make_helper


def _row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from Django
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_flush_empties_every_table_and_the_reload_gives_back_the_seeded_rows() -> None:
    seeded = connection.creation.serialize_db_to_string()
    assert seeded == connection._test_serialized_contents  # type: ignore[attr-defined]
    # Given rows of the test's own, and a seeded row changed
    make_helper()
    UserFactory.create()
    ServiceCategory.objects.filter(slug="internet-wifi").update(name="Changed by a test")

    # When the database is flushed as after a `transaction=True` test
    with CaptureQueriesContext(connection) as flush:
        call_command(
            "flush",
            verbosity=0,
            interactive=False,
            reset_sequences=False,
            inhibit_post_migrate=True,
        )

    # Then every table is empty, without a TRUNCATE on PostgreSQL
    assert {table: n for table, n in _row_counts().items() if n} == {}
    assert not any("TRUNCATE" in query["sql"] for query in flush.captured_queries)

    # And the reload gives back exactly the seeded rows
    connection.creation.deserialize_db_from_string(seeded)
    assert connection.creation.serialize_db_to_string() == seeded

    # And a reload over the seeded rows still there puts back what a test changed, and adds
    # no row
    ServiceCategory.objects.filter(slug="internet-wifi").update(name="Changed by a test")
    connection.creation.deserialize_db_from_string(seeded)
    assert connection.creation.serialize_db_to_string() == seeded
