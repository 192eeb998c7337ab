"""Files a newcomer can read: no app module grows into a god file, no function into a page.

The source of every product package is read (not run). Tests, benchmarks, scripts and
migrations are not app code; data lives in data/, not in modules. A module that outgrows the
limit becomes a package by aggregate (as `bookings/services/` and `bookings/admin/` did); a
function that outgrows it is split into named steps.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NOT_APP_CODE = {"tests", "bench", "scripts", "var", "data"}

# The issue asks for "under ~600 lines"; the margin lets a module grow a little before it
# must be split, not hold a second aggregate.
MAX_MODULE_LINES = 650
# From the decorators to the last line of the body.
MAX_FUNCTION_LINES = 80


def _app_modules() -> list[Path]:
    modules = []
    for path in sorted(REPO.rglob("*.py")):
        parts = path.relative_to(REPO).parts
        if parts[0] in NOT_APP_CODE or parts[0].startswith(".") or "migrations" in parts:
            continue
        modules.append(path)
    return modules


def _function_lengths(path: Path) -> list[tuple[int, str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lengths = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            lengths.append((node.lineno, node.name, (node.end_lineno or node.lineno) - first + 1))
    return lengths


def test_the_scan_reads_every_app_package():
    packages = {path.relative_to(REPO).parts[0] for path in _app_modules()}
    assert {"backend", "catalogue", "helpers", "bookings", "payments", "mobile_api", "demo"} <= (
        packages
    )


def test_no_app_module_is_longer_than_the_limit():
    too_long = {
        str(path.relative_to(REPO)): lines
        for path in _app_modules()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert too_long == {}


def test_no_app_function_is_longer_than_the_limit():
    too_long = [
        f"{path.relative_to(REPO)}:{line} {name} ({length} lines)"
        for path in _app_modules()
        for line, name, length in _function_lengths(path)
        if length > MAX_FUNCTION_LINES
    ]
    assert too_long == []


def test_the_function_scan_counts_decorators_and_the_whole_body(tmp_path):
    # A scan that counted short would pass anything: it must see these lengths exactly.
    module = tmp_path / "module.py"
    module.write_text(
        "@decorated\n"
        "@other(\n    1,\n)\n"
        "def outer():\n"
        "    def inner():\n"
        "        return 1\n"
        "\n"
        "    return inner\n"
    )
    assert sorted(_function_lengths(module)) == [(5, "outer", 9), (6, "inner", 2)]
