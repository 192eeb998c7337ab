"""scripts/test runs each half of the suite in two processes: the second PostgreSQL process
gets a test database and a Redis database of its own, derived from the first's, so that the two
never flush or drop each other's data."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "test"


def _derive(function: str, url: str) -> str:
    text = SCRIPT.read_text(encoding="utf-8")
    body = re.search(rf"^{function}\(\) {{\n.*?^}}\n", text, re.S | re.M)
    assert body is not None, f"{function} is not in scripts/test"
    answer = subprocess.run(  # noqa: S603 - bash reading our own script's function
        ["bash", "-c", f'{body.group(0)}\n{function} "$1"', "derive", url],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    return answer.stdout.strip()


@pytest.mark.parametrize(
    ("url", "second"),
    [
        (
            "postgres://postgres@127.0.0.1:5432/quartier",
            "postgres://postgres@127.0.0.1:5432/quartier_2",
        ),
        ("postgres://u:p@db:5432/q?sslmode=require", "postgres://u:p@db:5432/q_2?sslmode=require"),
    ],
)
def test_the_second_process_has_a_database_of_its_own(url, second):
    assert _derive("second_database_url", url) == second


@pytest.mark.parametrize(
    ("url", "second"),
    [
        ("redis://127.0.0.1:6379/15", "redis://127.0.0.1:6379/14"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"),
        ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379/1"),
    ],
)
def test_the_second_process_has_a_redis_database_of_its_own(url, second):
    assert _derive("second_redis_url", url) == second


def test_the_first_part_names_folders_that_exist():
    text = SCRIPT.read_text(encoding="utf-8")
    folders = re.search(r"^FIRST_PART=\((.*)\)$", text, re.M)
    assert folders is not None
    for folder in folders.group(1).split():
        assert (SCRIPT.parents[1] / folder).is_dir(), folder
