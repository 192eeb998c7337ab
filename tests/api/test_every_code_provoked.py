"""Every error code the OpenAPI document promises for an operation can really come back.

For each (operation, status, code) of the generated schema there is a recipe that provokes it
over HTTP: a generic one (what any operation of its kind can meet), one derived from the input
serializer or the list's filters (tests/api/code_recipes.py), or one written for a service's
own rule (tests/api/domain_recipes.py). The meta test fails on a documented code without a
recipe; the operation's test fails when a recipe does not draw exactly its status and code, so
the schema documents only what can happen. The cases of one operation share one small world,
and each runs in a savepoint that is rolled back.

The recipe that drew a code is then sent again asking for English and for German
(Accept-Language): the German message must differ from the English one, so no message of any
code stays English whatever the reader asks for (the few that are the same words in both
languages are listed in SAME_IN_GERMAN, each with its reason).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client

from tests.api import live_recipes, upload_recipes  # noqa: F401 - their recipes join DOMAIN
from tests.api.api_assertions import openapi_schema
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


# Codes whose message is the same words in German and English, with the reason.
SAME_IN_GERMAN: dict[str, str] = {}


@contextmanager
def asking_for(language: str) -> Iterator[None]:
    """Every request sent in the block asks for `language` (Accept-Language)."""
    original = Client.request

    def request(self: Client, **kwargs: Any) -> Any:
        kwargs.setdefault("HTTP_ACCEPT_LANGUAGE", language)
        return original(self, **kwargs)

    Client.request = request  # type: ignore[method-assign]
    try:
        yield
    finally:
        Client.request = original  # type: ignore[method-assign]


def _message(send: Callable[[], Any], language: str) -> str | None:
    cache.clear()
    message: str | None = None
    try:
        with asking_for(language), transaction.atomic():
            response = send()
            try:
                body = json.loads(response.content)
            except ValueError:
                body = None
            if isinstance(body, dict):
                message = body.get("message")
            raise Rollback
    except Rollback:
        pass
    return message


def recipes_for(
    world: World, operation: Operation, status: int, code: str
) -> list[Callable[[], Any]]:
    """The recipes that may provoke one documented code, the operation's own first."""
    recipes: list[Callable[[], Any]] = []
    domain = DOMAIN.get((*operation, status, code))
    if domain is not None:
        recipes.append(lambda: domain(world, operation))
    generic = GENERIC.get((status, code))
    if generic is not None:
        recipes.append(lambda: generic(world, operation))
    recipes.extend(call.send for call in field_cases(world, operation, code))
    recipes.extend(call.send for call in filter_cases(world, operation, code))
    return recipes


def provoke(
    world: World, operation: Operation, status: int, code: str
) -> tuple[list[Any], Callable[[], Any] | None]:
    """Run the recipes for one documented code: the answers, up to the first that matches,
    and that recipe (None when none matched)."""
    answers = []
    for recipe in recipes_for(world, operation, status, code):
        answer = _try(recipe)
        answers.append(answer)
        if answer == (status, code):
            return [answer], recipe
    return answers, None


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
    missed = {}
    english = {}

    # When each documented code's recipes run, and the one that drew it again in en and de
    for status, code in documented()[operation]:
        answers, recipe = provoke(world, operation, status, code)
        if recipe is None:
            missed[(status, code)] = answers
            continue
        in_english = _message(recipe, "en")
        if code not in SAME_IN_GERMAN and in_english == _message(recipe, "de"):
            english[(status, code)] = in_english

    # Then each drew exactly its documented status and code, and says it in German when asked
    assert missed == {}
    assert english == {}
