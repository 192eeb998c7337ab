"""How the demo package is built: no time patching, no status written by hand, and scenario
tables that agree with each other."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from bookings.models import BookingStatus, HelpRequestStatus
from demo.scenarios import ENDS_IN, SCENARIOS, WEIGHTS

REPO = Path(__file__).resolve().parents[2]
DEMO_SOURCES = sorted((REPO / "demo").rglob("*.py"))
WRITE_CALLS = {
    "save",
    "update",
    "create",
    "bulk_create",
    "bulk_update",
    "get_or_create",
    "update_or_create",
}


def _imported_modules(tree: ast.Module) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_no_module_of_the_demo_imports_time_machine():
    assert len(DEMO_SOURCES) > 10
    importing = [
        str(path.relative_to(REPO))
        for path in DEMO_SOURCES
        if any(
            name.split(".")[0] == "time_machine"
            for name in _imported_modules(ast.parse(path.read_text(encoding="utf-8")))
        )
    ]
    assert importing == []


def test_time_machine_is_no_runtime_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {requirement.split("==")[0] for requirement in project["dependencies"]}
    dev = {requirement.split("==")[0] for requirement in project["optional-dependencies"]["dev"]}
    assert "time-machine" not in runtime
    assert "time-machine" in dev


def _status_writes(path: Path) -> list[str]:
    """Assignments to a status field, and writes that pass one, anywhere in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hits = []
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Attribute) and target.attr.endswith("status"):
                hits.append(f"{path.name}:{target.lineno} assigns {target.attr}")
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in WRITE_CALLS
        ):
            for keyword in node.keywords:
                if keyword.arg and (
                    keyword.arg.endswith("status") or keyword.arg == "update_fields"
                ):
                    hits.append(f"{path.name}:{node.lineno} {node.func.attr}({keyword.arg}=...)")
    return hits


def test_the_demo_writes_no_status_itself_only_the_services_do():
    assert [hit for path in DEMO_SOURCES for hit in _status_writes(path)] == []


def test_the_status_write_check_sees_a_write(tmp_path):
    source = tmp_path / "writer.py"
    source.write_text(
        "booking.status = 'confirmed'\n"
        "Offer.objects.filter(pk=1).update(status='withdrawn')\n"
        "profile.save(update_fields=['approval_status'])\n",
        encoding="utf-8",
    )

    assert _status_writes(source) == [
        "writer.py:1 assigns status",
        "writer.py:2 update(status=...)",
        "writer.py:3 save(update_fields=...)",
    ]


def test_every_scenario_has_a_weight_and_every_status_a_scenario():
    assert set(WEIGHTS) == set(SCENARIOS)
    assert set(ENDS_IN.values()) <= set(SCENARIOS)
    # Every status but settled, which only the payments app reaches.
    assert set(ENDS_IN) == {f"booking:{status}" for status in BookingStatus.values} - {
        f"booking:{BookingStatus.SETTLED}"
    } | set(HelpRequestStatus.values)
