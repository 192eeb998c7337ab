"""Migration operations of Quartier's own.

`LabelsOnly` carries many `AlterField` / `AlterModelOptions` operations whose changes touch no
column (labels, help texts, choices, model options): the migrations that translated every label
hold hundreds. Run one by one, each re-renders its model and every model related to it (the
user's model is related to almost all), which made migrating an empty database take minutes;
grouped, the models are re-rendered once at the end. The state they leave is the same.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db.migrations.operations.base import Operation
from django.db.migrations.operations.fields import AlterField
from django.db.migrations.operations.models import AlterModelOptions
from django.db.migrations.state import ProjectState


@contextmanager
def _renders_nothing(state: ProjectState) -> Iterator[None]:
    """While it lasts, the state's changes leave its rendered models as they are."""
    state.reload_model = lambda *args, **kwargs: None  # type: ignore[method-assign]
    try:
        yield
    finally:
        del state.reload_model


class LabelsOnly(Operation):
    """`operations` (AlterField and AlterModelOptions only) applied to the state together.

    Refuses to run, naming the field, when one of the AlterField would change the database
    (`schema_editor._field_should_be_altered`): those belong outside it.
    """

    reversible = True
    reduces_to_sql = False

    def __init__(self, operations: Sequence[AlterField | AlterModelOptions]) -> None:
        for operation in operations:
            if not isinstance(operation, AlterField | AlterModelOptions):
                raise TypeError(f"LabelsOnly carries AlterField and AlterModelOptions: {operation}")
        self.operations = list(operations)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return self.__class__.__qualname__, [], {"operations": self.operations}

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        with _renders_nothing(state):
            for operation in self.operations:
                operation.state_forwards(app_label, state)
        touched = {
            (
                app_label,
                operation.model_name_lower
                if isinstance(operation, AlterField)
                else operation.name_lower,
            )
            for operation in self.operations
        }
        state.reload_models(sorted(touched), delay=False)

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self._check_no_column_changes(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: ProjectState, to_state: ProjectState
    ) -> None:
        self._check_no_column_changes(app_label, schema_editor, to_state, from_state)

    def _check_no_column_changes(
        self, app_label: str, schema_editor: Any, before: ProjectState, after: ProjectState
    ) -> None:
        for operation in self.operations:
            if not isinstance(operation, AlterField):
                continue
            old = before.apps.get_model(app_label, operation.model_name)
            new = after.apps.get_model(app_label, operation.model_name)
            old_field = old._meta.get_field(operation.name)
            new_field = new._meta.get_field(operation.name)
            if schema_editor._field_should_be_altered(old_field, new_field):
                raise ValueError(
                    f"LabelsOnly cannot change the column of {app_label}."
                    f"{operation.model_name}.{operation.name}: use AlterField on its own"
                )

    def describe(self) -> str:
        return f"Change the labels or options of {len(self.operations)} fields and models"

    @property
    def migration_name_fragment(self) -> str:
        return "labels"
