"""`Prepared`: a queryset built once per database, run with new values, answering what the ORM
answers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import Model, QuerySet
from django.test.utils import CaptureQueriesContext

from backend import clock
from backend.models import OutboxEvent, User
from backend.prepared import INSERT_MAX_ROWS, Prepared, PreparedInsert, _plain_type
from bookings.models import HelpRequest, MatchingRun, Offer, TimeWindow
from realtime.models import StreamEvent
from tests.factories import UserFactory, make_helper, post_request

pytestmark = pytest.mark.django_db


def _users_named(email: str, min_id: int) -> QuerySet[User, tuple[int, str]]:
    return (
        User.objects.filter(email=email, pk__gte=min_id).order_by("pk").values_list("pk", "email")
    )


def test_a_prepared_statement_answers_as_the_orm_for_every_value() -> None:
    users = [UserFactory.create() for _ in range(3)]
    prepared = Prepared(_users_named, email=str, min_id=int)
    for user in users:
        for min_id in (0, user.pk, user.pk + 1):
            assert prepared.rows(email=user.email, min_id=min_id) == list(
                _users_named(user.email, min_id)
            )


def test_it_is_built_once_and_then_sends_only_its_own_statement() -> None:
    user = UserFactory.create()
    calls = []

    def build(user_id: int) -> QuerySet[User, tuple[int]]:
        calls.append(user_id)
        return User.objects.filter(pk=user_id).values_list("pk")

    prepared = Prepared(build, user_id=int)
    assert prepared.rows(user_id=user.pk) == [(user.pk,)]
    with CaptureQueriesContext(connection) as queries:
        assert prepared.rows(user_id=user.pk + 1000) == []
    assert len(calls) == 1  # built with its marker, once
    assert len(queries.captured_queries) == 1


def test_its_rows_are_converted_as_the_orm_converts_them() -> None:
    """Datetimes come back as aware datetimes on SQLite too, not as text."""
    help_request = post_request(UserFactory.create())
    prepared = Prepared(
        lambda pk: TimeWindow.objects.filter(help_request_id=pk).values_list("starts_at"),
        pk=int,
    )
    [(starts_at,)] = prepared.rows(pk=help_request.pk)
    assert starts_at == help_request.windows.get().starts_at
    assert starts_at.utcoffset() == timedelta(0)
    assert starts_at > clock.now()


def _windows_ending_after(
    help_request_id: int, moment: datetime
) -> QuerySet[TimeWindow, tuple[int]]:
    return TimeWindow.objects.filter(
        help_request_id=help_request_id, ends_at__gt=moment
    ).values_list("pk")


def test_a_moment_is_adapted_for_each_call_as_the_orm_adapts_it() -> None:
    """A datetime value is compared as the ORM compares it (on SQLite: as text in UTC), for a
    moment in any time zone, just before, at and after the stored one."""
    help_request = post_request(UserFactory.create())
    window = help_request.windows.get()
    prepared = Prepared(_windows_ending_after, help_request_id=int, moment=datetime)
    zurich = ZoneInfo("Europe/Zurich")
    for moment in (
        window.ends_at - timedelta(microseconds=1),
        window.ends_at,
        window.ends_at.astimezone(zurich),
        window.ends_at.astimezone(zurich) - timedelta(seconds=1),
        window.ends_at + timedelta(microseconds=1),
    ):
        expected = list(_windows_ending_after(help_request.pk, moment))
        assert prepared.rows(help_request_id=help_request.pk, moment=moment) == expected
    assert prepared.rows(help_request_id=help_request.pk, moment=window.starts_at) == [(window.pk,)]
    assert prepared.rows(help_request_id=help_request.pk, moment=window.ends_at) == []


def test_a_suffix_is_sent_after_the_statement_on_its_database_only() -> None:
    user = UserFactory.create()
    prepared = Prepared(
        lambda user_id: User.objects.filter(pk=user_id).values_list("pk"),
        suffix={connection.vendor: " LIMIT 0", "other": " nonsense"},
        user_id=int,
    )
    with CaptureQueriesContext(connection) as queries:
        assert prepared.rows(user_id=user.pk) == []
    assert queries.captured_queries[0]["sql"].endswith(" LIMIT 0")


def test_a_value_the_statement_does_not_carry_is_refused_when_built() -> None:
    prepared = Prepared(lambda limit: User.objects.values_list("pk")[: int(limit) % 5], limit=int)
    with pytest.raises(ValueError, match="limit: the statement does not carry the value"):
        prepared.rows(limit=3)


def test_values_must_be_named_and_of_the_types_it_takes() -> None:
    with pytest.raises(TypeError, match="an int, a float, a str or a datetime"):
        Prepared(lambda moment: User.objects.values_list("pk"), moment=object)
    prepared = Prepared(
        lambda user_id: User.objects.filter(pk=user_id).values_list("pk"), user_id=int
    )
    with pytest.raises(TypeError, match="expected the values"):
        prepared.rows(pk=1)


def _stored(model: type[Model], pks: list[int]) -> list[dict[str, Any]]:
    return list(model._default_manager.filter(pk__in=pks).order_by("pk").values())


def test_a_prepared_insert_stores_what_bulk_create_stores_and_sets_the_keys() -> None:
    """Offers (a foreign key, a JSON explanation, a UUID, times) and event-log rows, once
    through `bulk_create` and once prepared: the same columns, read back alike."""
    # Posted before the helpers exist, so that no offer is made.
    requests = [post_request(UserFactory.create()) for _ in range(2)]
    helpers = [make_helper() for _ in range(3)]
    now = clock.now()

    def offers(first_rank: int) -> list[Offer]:
        help_request = requests[first_rank // 100 - 1]
        return [
            Offer(
                help_request=help_request,
                helper=helpers[n],
                round=7,
                rank=first_rank + n,
                distance_m=100 * n,
                score=0.5 + n / 10,
                explanation={"distance_m": 100 * n, "shared_languages": ["de", "fr"], "é": None},
                expires_at=now + timedelta(minutes=n),
            )
            for n in range(3)
        ]

    def events() -> list[OutboxEvent]:
        return [
            OutboxEvent(
                event_type="Test",
                aggregate_type="test",
                aggregate_id=n,
                payload={"n": n, "text": "Grüezi ’"},
                occurred_at=now,
                relayed_at=None if n else now,
            )
            for n in range(2)
        ]

    batches: list[tuple[type[Model], list[Any], list[Any]]] = [
        (Offer, offers(100), offers(200)),
        (OutboxEvent, events(), events()),
    ]
    for model, orm_batch, rows in batches:
        through_orm = model._default_manager.bulk_create(orm_batch)
        prepared: PreparedInsert = PreparedInsert(model)
        with CaptureQueriesContext(connection) as queries:
            stored = prepared.insert(rows)
        assert len(queries.captured_queries) == 1
        assert stored == rows
        assert all(row.pk and not row._state.adding for row in rows)
        orm_rows = _stored(model, [row.pk for row in through_orm])
        prepared_rows = _stored(model, [row.pk for row in rows])
        different = {"id", "public_id", "help_request_id", "rank", "created_at", "updated_at"}
        assert [{k: v for k, v in row.items() if k not in different} for row in orm_rows] == [
            {k: v for k, v in row.items() if k not in different} for row in prepared_rows
        ]
        assert [row.pk for row in rows] == sorted(row.pk for row in rows)
        if model is Offer:
            assert [row["public_id"] for row in prepared_rows] == [r.public_id for r in rows]
            assert [row["rank"] for row in prepared_rows] == [200, 201, 202]
            assert {row["help_request_id"] for row in prepared_rows} == {requests[1].pk}


def test_a_prepared_insert_is_written_once_per_number_of_rows() -> None:
    prepared = PreparedInsert(OutboxEvent)

    def events(count: int) -> list[OutboxEvent]:
        return [
            OutboxEvent(event_type="Test", aggregate_type="t", aggregate_id=n, payload={})
            for n in range(count)
        ]

    for count in (1, 3, 1, 3):
        prepared.insert(events(count))
    assert len(prepared._sql) == 2
    assert prepared.insert([]) == []
    # A longer batch than one statement takes goes through bulk_create.
    many = prepared.insert(events(INSERT_MAX_ROWS + 1))
    assert len(prepared._sql) == 2
    assert OutboxEvent.objects.filter(pk__in=[row.pk for row in many]).count() == len(many)


def test_a_prepared_insert_takes_new_rows_only() -> None:
    prepared = PreparedInsert(OutboxEvent)
    [stored] = prepared.insert(
        [OutboxEvent(event_type="Test", aggregate_type="t", aggregate_id=1, payload={})]
    )
    before = OutboxEvent.objects.count()
    with pytest.raises(ValueError, match="new rows"):
        prepared.insert([stored])
    assert OutboxEvent.objects.count() == before


PLAIN_VALUES: dict[type, list[Any]] = {
    str: ["", "Grüezi ’", "x" * 300],
    int: [0, -1, 1, 2**40],
    float: [0.0, -1.5, 1e-9, 12345.678],
    bool: [True, False],
}


def test_values_sent_unchanged_are_those_the_orm_sends_unchanged() -> None:
    """Every field of the hot path's models that a prepared INSERT passes values through
    unchanged on this database gets back from the ORM the very values it was given."""
    plain = 0
    for model in (HelpRequest, TimeWindow, Offer, MatchingRun, OutboxEvent, StreamEvent):
        for field in PreparedInsert(model).fields:
            kind = _plain_type(field, connection)
            if kind is None:
                continue
            plain += 1
            for value in [None, *PLAIN_VALUES[kind]]:
                assert field.get_db_prep_save(value, connection) is value, (field, value)
    assert plain  # text fields at least, on either database
