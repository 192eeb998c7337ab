"""Every error code the OpenAPI document promises for an operation can really come back.

For each (operation, status, code) of the generated schema there is a recipe that provokes it
over HTTP: a generic one (what any operation of its kind can meet), one derived from the input
serializer or the list's filters (tests/api/code_recipes.py), or one written for a service's
own rule (tests/api/domain_recipes.py). The meta test fails on a documented code without a
recipe; the operation's test fails when a recipe does not draw exactly its status and code, so
the schema documents only what can happen. The cases of one operation share one small world,
and each runs in a savepoint that is rolled back.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.api import live_recipes, upload_recipes  # noqa: F401 - their recipes join DOMAIN
from tests.api.academy_recipes import prepare_academy
from tests.api.api_assertions import openapi_schema
from tests.api.appeal_recipes import prepare_appeals
from tests.api.code_recipes import (
    FIELD_CODES,
    GENERIC,
    Operation,
    World,
    field_cases,
    filter_cases,
)
from tests.api.conduct_test_recipes import prepare_conduct_test
from tests.api.domain_recipes import DOMAIN, prepare
from tests.api.payment_recipes import prepare_payments
from tests.api.safety_recipes import prepare_safety
from tests.api.vetting_recipes import prepare_documents


def documented() -> dict[Operation, list[tuple[int, str]]]:
    """Each operation's documented (status, code) pairs, read from the generated schema."""
    found: dict[Operation, list[tuple[int, str]]] = {}
    for path, operations in openapi_schema()["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                schema = response["content"]["application/json"]["schema"]
                for code in schema["allOf"][1]["properties"]["code"]["enum"]:
                    found.setdefault((method, path), []).append((int(status), code))
    return found


def has_recipe(operation: Operation, status: int, code: str) -> bool:
    return (
        (*operation, status, code) in DOMAIN
        or (status, code) in GENERIC
        or (status == 400 and code in FIELD_CODES)
    )


def test_every_documented_code_has_a_recipe():
    # Given every (operation, status, code) the schema documents
    every = [(*op, status, code) for op, pairs in documented().items() for status, code in pairs]
    assert len(every) > 900

    # Then each has a recipe that provokes it, and no recipe is for a code no longer documented
    assert [triple for triple in every if not has_recipe(triple[:2], *triple[2:])] == []
    assert set(DOMAIN) - set(every) == set()


def _answer(response: Any) -> tuple[int, str | None]:
    try:
        body = json.loads(response.content)
    except ValueError:
        return response.status_code, None
    return response.status_code, body.get("code") if isinstance(body, dict) else None


class Rollback(Exception):
    """Ends a case's savepoint: the next case starts from the same world."""


def _try(send: Callable[[], Any]) -> tuple[int, str | None]:
    cache.clear()  # throttles and log-in limits count in the cache
    answer: tuple[int, str | None] = (0, None)
    try:
        with transaction.atomic():
            answer = _answer(send())
            raise Rollback
    except Rollback:
        pass
    return answer


def provoke(world: World, operation: Operation, status: int, code: str) -> list[Any]:
    """Run the recipes for one documented code: the answers, up to the first that matches."""
    recipes: list[Callable[[], Any]] = []
    domain = DOMAIN.get((*operation, status, code))
    if domain is not None:
        recipes.append(lambda: domain(world, operation))
    generic = GENERIC.get((status, code))
    if generic is not None:
        recipes.append(lambda: generic(world, operation))
    recipes.extend(call.send for call in field_cases(world, operation, code))
    recipes.extend(call.send for call in filter_cases(world, operation, code))
    answers = []
    for recipe in recipes:
        answer = _try(recipe)
        answers.append(answer)
        if answer == (status, code):
            return [answer]
    return answers


@pytest.mark.django_db
@pytest.mark.parametrize(
    "operation", sorted(documented()), ids=lambda operation: f"{operation[0]} {operation[1]}"
)
def test_every_documented_code_of_the_operation_comes_back(operation):
    # Given the shared world, in the state the operation starts from
    world = World.build()
    prepare(world, operation)
    prepare_payments(world, operation)
    prepare_documents(world, operation)
    prepare_conduct_test(world, operation)
    prepare_safety(world, operation)
    prepare_appeals(world, operation)
    prepare_academy(world, operation)
    missed = {}

    # When each documented code's recipes run
    for status, code in documented()[operation]:
        answers = provoke(world, operation, status, code)
        if answers != [(status, code)]:
            missed[(status, code)] = answers

    # Then each drew exactly its documented status and code
    assert missed == {}
