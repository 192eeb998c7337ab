"""`Prepared`: a queryset built once per database, run with new values, answering what the ORM
answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from backend import clock
from backend.models import User
from backend.prepared import Prepared
from bookings.models import TimeWindow
from tests.factories import UserFactory, post_request

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


def test_a_value_the_statement_does_not_carry_is_refused_when_built() -> None:
    prepared = Prepared(lambda limit: User.objects.values_list("pk")[: int(limit) % 5], limit=int)
    with pytest.raises(ValueError, match="limit: the statement does not carry the value"):
        prepared.rows(limit=3)


def test_values_must_be_named_and_of_the_types_it_takes() -> None:
    with pytest.raises(TypeError, match="an int, a float or a str"):
        Prepared(lambda moment: User.objects.values_list("pk"), moment=object)
    prepared = Prepared(
        lambda user_id: User.objects.filter(pk=user_id).values_list("pk"), user_id=int
    )
    with pytest.raises(TypeError, match="expected the values"):
        prepared.rows(pk=1)
