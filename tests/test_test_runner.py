"""scripts/test runs the demo's tests in the SQLite half only (the demo's own database): the
folders the PostgreSQL half leaves out must exist, or it would leave out nothing it meant to and
the SQLite half's share would silently change."""

from __future__ import annotations

import re
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "test"


def test_the_postgresql_half_leaves_only_folders_that_exist_to_the_sqlite_half():
    text = SCRIPT.read_text(encoding="utf-8")
    folders = re.search(r"^SQLITE_ONLY=\((.*)\)$", text, re.M)
    assert folders is not None
    assert folders.group(1).split() == ["tests/demo"]
    for folder in folders.group(1).split():
        assert (SCRIPT.parents[1] / folder).is_dir(), folder
