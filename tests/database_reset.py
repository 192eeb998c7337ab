"""A faster reset between the tests that commit for real (`transaction=True`).

After such a test Django empties every table (`flush`) and, with `serialized_rollback=True`,
loads back what the migrations seeded (content types, permissions, service categories ...)
before the next one. Both steps keep their meaning here and only get cheaper:

- PostgreSQL: the flush deletes every row (`DELETE FROM` each table, in one transaction)
  instead of Django's single `TRUNCATE` of every table. TRUNCATE gives each of the ~75 tables
  new files and costs seconds per test; DELETE on the few rows a test leaves costs
  milliseconds. The result is the same: every table empty, sequences untouched (Django's
  test flush does not restart them either). Every foreign key is DEFERRABLE INITIALLY DEFERRED
  (Django creates them so, and the migrations add no other), so the order of the deletes does
  not matter: the keys are checked at the commit, when the referencing rows are gone too.
  There are no DELETE triggers (the migrations create none on PostgreSQL). A flush that asks
  for `reset_sequences` or `allow_cascade` (`available_apps`) still gets Django's TRUNCATE.
- Both databases: the serialized rows are inserted with one multi-row INSERT per model (the
  raw UPDATE-or-INSERT a deserialized object's `save()` makes, as one INSERT ... ON CONFLICT
  (primary key) DO UPDATE for many rows) rather than one `save()` (an UPDATE, then an INSERT)
  per row. Rows with many-to-many values or of a
  multi-table-inherited model still go through `save()`, as in Django. The constraints are
  checked afterwards, as in Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import StringIO
from typing import Any

import pytest
from django.core import serializers
from django.db import transaction
from django.db.backends.base.creation import BaseDatabaseCreation
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.backends.postgresql.operations import DatabaseOperations as PostgresOperations
from django.db.models import Model
from django.db.models.constants import OnConflict

_truncate_flush = PostgresOperations.sql_flush


def _delete_flush(
    self: BaseDatabaseOperations,
    style: Any,
    tables: Sequence[str],
    *,
    reset_sequences: bool = False,
    allow_cascade: bool = False,
) -> list[str]:
    if not tables or reset_sequences or allow_cascade:
        return _truncate_flush(
            self,
            style,
            tables,
            reset_sequences=reset_sequences,
            allow_cascade=allow_cascade,
        )
    # One statement string: one round trip for the whole flush.
    return [
        " ".join(
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        )
    ]


def _deserialize_in_bulk(self: BaseDatabaseCreation, data: str) -> None:
    """Django's `deserialize_db_from_string`, inserting one model's rows at a time."""
    alias = self.connection.alias
    table_names: set[str] = set()
    with transaction.atomic(using=alias), self.connection.constraint_checks_disabled():
        by_model: dict[type[Model], list[Model]] = {}
        one_by_one = []
        for deserialized in serializers.deserialize("json", StringIO(data), using=alias):
            instance = deserialized.object
            meta = instance._meta
            table_names.add(meta.db_table)
            if deserialized.m2m_data or deserialized.deferred_fields or meta.parents:
                one_by_one.append(deserialized)
            else:
                by_model.setdefault(type(instance), []).append(instance)
        for model, instances in by_model.items():
            _upsert(self, model, instances)
        for deserialized in one_by_one:
            deserialized.save()
        self.connection.check_constraints(table_names=table_names)


def _upsert(creation: BaseDatabaseCreation, model: type[Model], instances: list[Model]) -> None:
    """What a raw `save()` does for each row (UPDATE the row with that primary key, or INSERT
    it), for many rows at once: every local concrete column, the values as loaded (no field's
    pre_save(), so no auto_now rewrites them). The rows are usually there already when the
    first `transaction=True` test of a run starts; after a flush they are not."""
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if not field.generated]
    others = [field for field in fields if not field.primary_key]
    batch = creation.connection.ops.bulk_batch_size(fields, instances)
    rows: Any = model._base_manager.using(creation.connection.alias)  # _insert is not typed
    for start in range(0, len(instances), batch):
        rows._insert(
            instances[start : start + batch],
            fields=fields,
            raw=True,
            on_conflict=OnConflict.UPDATE if others else OnConflict.IGNORE,
            update_fields=others or None,
            unique_fields=[meta.pk] if others else None,
        )


@pytest.fixture(scope="session", autouse=True)
def _fast_database_reset() -> Any:
    saved = (PostgresOperations.sql_flush, BaseDatabaseCreation.deserialize_db_from_string)
    PostgresOperations.sql_flush = _delete_flush  # type: ignore[method-assign]
    BaseDatabaseCreation.deserialize_db_from_string = _deserialize_in_bulk  # type: ignore[method-assign]
    yield
    PostgresOperations.sql_flush, BaseDatabaseCreation.deserialize_db_from_string = saved  # type: ignore[method-assign]
