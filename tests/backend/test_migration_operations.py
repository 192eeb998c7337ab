"""LabelsOnly: many label changes applied to the migration state at once, the models rendered
once, and never a change to a column."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import AlterField, AlterModelOptions
from django.db.migrations.state import ModelState, ProjectState

from backend.migration_operations import LabelsOnly


def _state() -> ProjectState:
    state = ProjectState()
    state.add_model(
        ModelState(
            "shop",
            "Basket",
            [("id", models.AutoField(primary_key=True)), ("note", models.CharField(max_length=20))],
        )
    )
    state.add_model(
        ModelState(
            "shop",
            "Item",
            [
                ("id", models.AutoField(primary_key=True)),
                ("basket", models.ForeignKey("shop.Basket", models.CASCADE)),
                ("size", models.CharField(max_length=10, choices=[("s", "S")])),
            ],
        )
    )
    return state


RELABEL = [
    AlterModelOptions("basket", {"verbose_name": "shopping basket"}),
    AlterField("basket", "note", models.CharField(max_length=20, verbose_name="the note")),
    AlterField(
        "item",
        "basket",
        models.ForeignKey("shop.Basket", models.CASCADE, verbose_name="its basket"),
    ),
    AlterField("item", "size", models.CharField(max_length=10, choices=[("s", "Small")])),
]


@contextmanager
def _reloads_counted() -> Iterator[list[int]]:
    """Counts the models' renderings (of a state whose models are rendered)."""
    counted: list[int] = []
    reload = ProjectState._reload  # type: ignore[attr-defined]

    def counting(self: ProjectState, related_models: Any) -> None:
        counted.append(1)
        reload(self, related_models)

    ProjectState._reload = counting  # type: ignore[attr-defined]
    try:
        yield counted
    finally:
        ProjectState._reload = reload  # type: ignore[attr-defined]


@contextmanager
def _renders_counted() -> Iterator[list[str]]:
    """Counts the times a state is asked to render models again (rendered or not yet)."""
    counted: list[str] = []
    one, several = ProjectState.reload_model, ProjectState.reload_models

    def reload_model(self: ProjectState, *args: Any, **kwargs: Any) -> None:
        counted.append("reload_model")
        one(self, *args, **kwargs)

    def reload_models(self: ProjectState, *args: Any, **kwargs: Any) -> None:
        counted.append("reload_models")
        several(self, *args, **kwargs)

    ProjectState.reload_model, ProjectState.reload_models = reload_model, reload_models  # type: ignore[method-assign]
    try:
        yield counted
    finally:
        ProjectState.reload_model, ProjectState.reload_models = one, several  # type: ignore[method-assign]


def _described(state: ProjectState) -> dict[str, Any]:
    return {
        f"{key[1]}.{name}": field.deconstruct()[1:]
        for key, model in state.models.items()
        for name, field in model.fields.items()
    } | {key[1]: model.options for key, model in state.models.items()}


def test_labels_only_leaves_the_state_and_models_the_operations_one_by_one_leave():
    one_by_one, together = _state(), _state()
    one_by_one.apps, together.apps  # noqa: B018 - rendered, as migrate renders them
    for operation in RELABEL:
        operation.state_forwards("shop", one_by_one)

    with _reloads_counted() as reloads:
        LabelsOnly(RELABEL).state_forwards("shop", together)

    assert reloads == [1]
    assert _described(together) == _described(one_by_one)
    basket, item = (
        together.apps.get_model("shop", "Basket"),
        together.apps.get_model("shop", "Item"),
    )
    assert basket._meta.verbose_name == "shopping basket"
    assert basket._meta.get_field("note").verbose_name == "the note"
    assert item._meta.get_field("basket").verbose_name == "its basket"
    assert item._meta.get_field("basket").related_model is basket
    assert item._meta.get_field("size").choices == [("s", "Small")]


def test_labels_only_refuses_a_change_to_a_column_naming_it():
    before, after = _state(), _state()
    widened = AlterField("basket", "note", models.CharField(max_length=40, verbose_name="note"))
    operation = LabelsOnly([*RELABEL, widened])
    operation.state_forwards("shop", after)

    with pytest.raises(ValueError, match=r"column of shop\.basket\.note: use AlterField"):
        operation.database_forwards("shop", connection.schema_editor(), before, after)
    with pytest.raises(ValueError, match=r"column of shop\.basket\.note: use AlterField"):
        operation.database_backwards("shop", connection.schema_editor(), after, before)
    relabelled = _state()
    LabelsOnly(RELABEL).state_forwards("shop", relabelled)
    LabelsOnly(RELABEL).database_forwards("shop", connection.schema_editor(), before, relabelled)


def test_labels_only_carries_only_label_operations():
    with pytest.raises(TypeError, match="LabelsOnly carries AlterField and AlterModelOptions"):
        LabelsOnly([*RELABEL, AlterModelOptions("item", {}), models.Index(fields=["note"])])


def test_each_migration_that_translated_the_labels_renders_its_models_once():
    """Migrating an empty database renders the models a migration changed again after it;
    those that only relabelled hundreds of fields did it once per field (minutes)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    plan: list[tuple[str, str]] = []
    for leaf in loader.graph.leaf_nodes():
        plan += [key for key in loader.graph.forwards_plan(leaf) if key not in plan]
    state = ProjectState(real_apps=loader.unmigrated_apps)
    renders = {}
    for key in plan:
        migration = loader.graph.nodes[key]
        with _renders_counted() as counted:
            state = migration.mutate_state(state, preserve=False)
        if "labels_translated" in migration.name:
            renders[f"{migration.app_label}.{migration.name}"] = len(counted)

    assert len(renders) == 12
    assert renders == dict.fromkeys(renders, 1)
