"""Statements the ORM writes once per database and the hot paths run many times.

Building a statement through the ORM (filters resolved, joins set up, SQL compiled) costs far
more than the database takes to answer a small one: on SQLite about 0.3 ms against 0.05 ms. A
matching pass sends a handful of such statements for every request posted, so the ones on that
path are `Prepared`: the queryset is built by the selector that owns its rules, once per
database alias, with stand-in values (markers) where the caller's values go; the SQL and where
each marker landed among its parameters are kept, and each call runs that SQL with the
caller's values put in those places, its rows converted as the ORM converts them.

Only for querysets whose shape does not depend on the values (no `IN` list whose length
varies, no Python-side decision on a value) and whose values the ORM passes on unchanged
(integers, floats and strings) or adapts as a moment in time (aware datetimes compared with a
`DateTimeField`, adapted for each call as the ORM adapts them: a text in UTC on SQLite): a value
the statement does not carry as a parameter is refused when the statement is built.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    Field,
    FloatField,
    ForeignKey,
    IntegerField,
    Model,
    PositiveBigIntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    QuerySet,
    SmallIntegerField,
    TextField,
)
from django.db.models.sql.compiler import SQLCompiler
from django.db.models.sql.subqueries import InsertQuery

M = TypeVar("M", bound=Model)

# Stand-ins far from any value a statement carries of its own (ids, flags, small constants).
_INT_MARKER_BASE = 7_340_000_000_017
_TEXT_MARKER = "\x00prepared-marker-{}\x00"

# A moment no statement carries of its own (django-tasks-db's "no time set" is 9999-01-01).
_TIME_MARKER_BASE = datetime(2999, 12, 31, 23, 59, 59, 0, tzinfo=UTC)

MARKER_TYPES = (int, float, str, datetime)


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    places: dict[str, list[int]]  # value name → where it goes among the parameters
    moments: frozenset[str]  # the names of the values adapted as datetimes
    compiler: SQLCompiler
    converters: dict[int, Any]  # column → the ORM's converters of its values


class Prepared:
    """`build(**values)` (a queryset of `values_list` rows) compiled once per database alias.

    `values` names each value the caller gives and its type (int, float, str or datetime):
    `Prepared(lambda customer_id: HelperProfile.objects.filter(user_id=customer_id)
    .values_list("pk"), customer_id=int)`. `suffix` maps a database vendor to text sent after
    the statement there (a row lock the ORM cannot write on a `values_list`, say).
    """

    def __init__(
        self,
        build: Callable[..., QuerySet[Any]],
        *,
        suffix: dict[str, str] | None = None,
        **values: type,
    ) -> None:
        for name, kind in values.items():
            if kind not in MARKER_TYPES:
                raise TypeError(f"{name}: a prepared value is an int, a float, a str or a datetime")
        self.build = build
        self.suffix = dict(suffix or {})
        self.values = values
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._lock = threading.Lock()

    def _markers(self) -> dict[str, Any]:
        markers: dict[str, Any] = {}
        for position, (name, kind) in enumerate(self.values.items()):
            if kind is str:
                markers[name] = _TEXT_MARKER.format(position)
            elif kind is datetime:
                markers[name] = _TIME_MARKER_BASE.replace(microsecond=position + 1)
            else:
                markers[name] = kind(_INT_MARKER_BASE + position)
        return markers

    def compiled(self, using: str = DEFAULT_DB_ALIAS) -> _Compiled:
        """The statement for the database `using` names, built on first use."""
        connection = connections[using]
        key = (using, connection.vendor)
        found = self._compiled.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self._compiled.get(key)
            if found is None:
                found = self._compile(using)
                self._compiled[key] = found
        return found

    def _compile(self, using: str) -> _Compiled:
        markers = self._markers()
        queryset = self.build(**markers).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        sql += self.suffix.get(connections[using].vendor, "")
        adapt = connections[using].ops.adapt_datetimefield_value
        places: dict[str, list[int]] = {}
        for name, given in markers.items():
            marker = adapt(given) if isinstance(given, datetime) else given
            found = [
                i
                for i, param in enumerate(params)
                if type(param) is type(marker) and param == marker
            ]
            if not found:
                raise ValueError(
                    f"{name}: the statement does not carry the value as a parameter; "
                    "it cannot be prepared"
                )
            places[name] = found
        fields = [select[0] for select in compiler.select[0 : compiler.col_count]]
        moments = frozenset(name for name, kind in self.values.items() if kind is datetime)
        return _Compiled(
            sql, tuple(params), places, moments, compiler, compiler.get_converters(fields)
        )

    def rows(self, using: str = DEFAULT_DB_ALIAS, **values: Any) -> list[tuple[Any, ...]]:
        """The statement's rows for these values, converted as the ORM converts them."""
        compiled = self.compiled(using)
        if values.keys() != compiled.places.keys():
            raise TypeError(f"expected the values {sorted(compiled.places)}")
        params = list(compiled.params)
        connection = connections[using]
        for name, places in compiled.places.items():
            value = values[name]
            if name in compiled.moments:
                value = connection.ops.adapt_datetimefield_value(value)
            for place in places:
                params[place] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if not compiled.converters:
            return [tuple(row) for row in fetched]
        # As the ORM hands rows over: dates parsed on SQLite, and so on.
        return [
            tuple(row) for row in compiled.compiler.apply_converters(fetched, compiled.converters)
        ]


# Django's own field classes whose values of one Python type the ORM prepares by type
# conversions that hand back the very value (`str(x)`, `int(x)`...) where the database takes it
# as it is: such values are sent unchanged. Checked once per database with a sample (on
# PostgreSQL, integers are wrapped in psycopg's types, so they go through the ORM there).
_PLAIN_FIELDS: dict[type[Field[Any, Any]], type] = {
    CharField: str,
    TextField: str,
    IntegerField: int,
    SmallIntegerField: int,
    BigIntegerField: int,
    PositiveIntegerField: int,
    PositiveSmallIntegerField: int,
    PositiveBigIntegerField: int,
    AutoField: int,
    BigAutoField: int,
    FloatField: float,
    BooleanField: bool,
}
_SAMPLES: dict[type, Any] = {str: "sample", int: 7_340_001, float: 0.5, bool: True}


def _plain_type(field: Field[Any, Any], connection: BaseDatabaseWrapper) -> type | None:
    """The Python type whose values (and None) `field` sends unchanged to `connection`, if
    any."""
    target = field.target_field if isinstance(field, ForeignKey) else field
    kind = _PLAIN_FIELDS.get(type(target))
    if kind is None or type(field) not in (*_PLAIN_FIELDS, ForeignKey):
        return None
    sample = _SAMPLES[kind]
    passes = field.get_db_prep_save(sample, connection) is sample
    return kind if passes and field.get_db_prep_save(None, connection) is None else None


def quoted_column(model: type[Model], name: str | None = None) -> str:
    """The quoted column of `model`'s field `name` (its primary key without a name), for a
    statement written by hand around the model's own names."""
    field = model._meta.get_field(name) if name is not None else model._meta.pk
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name}: not a column")
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(field.column)


# Rows one prepared INSERT takes at most; a longer batch goes through `bulk_create`, which
# splits it as each database requires.
INSERT_MAX_ROWS = 100


class PreparedInsert:
    """`bulk_create(objs)` for new rows of `model`, its INSERT written by the ORM once per
    database and number of rows, and each call's values prepared as the ORM prepares them
    (`pre_save`, then `get_db_prep_save`, field by field). The rows' primary keys come back
    from the statement (`RETURNING`) and are set on the objects, as `bulk_create` sets them.

    For models whose every field is sent as a plain parameter (no field writes its own SQL
    around its value, as a geometry does) and whose rows are new (no primary key set): the
    hot paths' event log, offers, windows and stream rows. No signals are sent, as
    `bulk_create` sends none.
    """

    def __init__(self, model: type[Model]) -> None:
        meta = model._meta
        self.model = model
        self.fields = [
            field
            for field in meta.concrete_fields
            if not field.generated and field is not meta.auto_field
        ]
        special = [field.name for field in self.fields if hasattr(field, "get_placeholder")]
        if meta.auto_field is None or special:
            raise TypeError(
                f"{model.__name__}: a prepared INSERT needs an automatic primary key and plain "
                f"parameters ({', '.join(special)} write their own SQL)"
            )
        # The statement, and whether it takes one array per column (PostgreSQL's UNNEST form,
        # which the ORM writes there for more than one row) rather than one value per cell.
        self._sql: dict[tuple[str, str, int], tuple[str, bool]] = {}
        self._plain: dict[tuple[str, str], list[type | None]] = {}
        self._lock = threading.Lock()

    def _plain_types(self, using: str) -> list[type | None]:
        connection = connections[using]
        key = (using, connection.vendor)
        found = self._plain.get(key)
        if found is None:
            found = [_plain_type(field, connection) for field in self.fields]
            self._plain[key] = found
        return found

    def _statement(self, objs: Sequence[Model], using: str) -> tuple[str, bool]:
        connection = connections[using]
        key = (using, connection.vendor, len(objs))
        found = self._sql.get(key)
        if found is not None:
            return found
        with self._lock:
            query = InsertQuery(self.model)
            query.insert_values(self.fields, list(objs))
            compiler = query.get_compiler(using=using)
            compiler.returning_fields = [self.model._meta.pk]
            [(sql, params)] = compiler.as_sql()
            cells = len(self.fields) * len(objs)
            columns = len(objs) > 1 and len(params) == len(self.fields)
            if columns:
                columns = all(isinstance(p, list) and len(p) == len(objs) for p in params)
            if (len(params) != cells and not columns) or compiler.returning_params:
                raise TypeError(f"{self.model.__name__}: the INSERT does not take plain values")
            found = self._sql[key] = (sql, columns)
        return found

    def insert(self, objs: Sequence[M], using: str = DEFAULT_DB_ALIAS) -> list[M]:
        """Store `objs` (new, unsaved) in one statement; they come back with their keys."""
        objs = list(objs)
        if not objs:
            return []
        if len(objs) > INSERT_MAX_ROWS:
            return cast(list[M], self.model._default_manager.using(using).bulk_create(objs))
        for obj in objs:
            if obj.pk is not None:
                raise ValueError("a prepared INSERT stores new rows, without a primary key")
            obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
        connection = connections[using]
        sql, columns = self._statement(objs, using)
        fields = list(zip(self.fields, self._plain_types(using), strict=True))
        rows = []
        for obj in objs:
            row = []
            for field, plain in fields:
                value = field.pre_save(obj, True)
                if plain is None or (value is not None and type(value) is not plain):
                    value = field.get_db_prep_save(value, connection)
                row.append(value)
            rows.append(row)
        params: list[Any] = (
            [list(column) for column in zip(*rows, strict=True)]
            if columns
            else [value for row in rows for value in row]
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            keys = cursor.fetchall()
        for obj, (pk,) in zip(objs, keys, strict=True):
            obj.pk = pk
            obj._state.adding = False
            obj._state.db = using
        return objs
