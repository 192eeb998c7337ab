"""The demo's French and Italian texts (its legal titles and texts, the code-of-conduct test,
reviews, notes, reports) write the apostrophe as the catalogue does ("l’aide",
"dell’aiutante"), never the typewriter's ("Conditions d'utilisation" above the catalogue's
"L’aide est arrivée")."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from demo.texts import data_dir
from tests.web.test_catalogues import _TYPEWRITER_APOSTROPHE

DEMO_CODE = Path(__file__).resolve().parents[2] / "demo"
LANGUAGES = {"fr", "it"}


def _texts_under(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts_under(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts_under(item)


def french_and_italian(value: Any) -> Iterator[str]:
    """The texts under a key "fr" or "it", at any depth ("title.fr", "[by_customer.it]")."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _texts_under(item) if key in LANGUAGES else french_and_italian(item)
    elif isinstance(value, list):
        for item in value:
            yield from french_and_italian(item)


def demo_code_texts(source: str) -> Iterator[str]:
    """The French and Italian texts the demo's modules write as {"fr": ..., "it": ...}."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value in LANGUAGES:
                    yield from (
                        item.value
                        for item in ast.walk(value)
                        if isinstance(item, ast.Constant) and isinstance(item.value, str)
                    )


def typewriter_apostrophes() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(data_dir().glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for text in french_and_italian(data):
            if _TYPEWRITER_APOSTROPHE.search(text):
                found.setdefault(path.name, []).append(text)
    for path in sorted(DEMO_CODE.rglob("*.py")):
        for text in demo_code_texts(path.read_text(encoding="utf-8")):
            if _TYPEWRITER_APOSTROPHE.search(text):
                found.setdefault(path.name, []).append(text)
    return found


def test_the_check_reads_french_and_italian_texts_at_any_depth():
    data = tomllib.loads(
        'title.fr = "Conditions d\'utilisation"\ntitle.en = "Customers\' terms"\n'
        '[[questions]]\nchoices = [{ it = "dell\'aiutante", de = "Geht\'s" }]\n'
        '[by_customer.it]\n1 = ["Un po\' lento", "L\'app"]\n'
    )
    assert list(french_and_italian(data)) == [
        "Conditions d'utilisation",
        "dell'aiutante",
        "Un po' lento",
        "L'app",
    ]
    source = 'REPORT = {"fr": "L\'aide " "était là", "en": "The helper\'s"}'
    assert list(demo_code_texts(source)) == ["L'aide était là"]


def test_the_demo_writes_french_and_italian_apostrophes_as_the_catalogue_does():
    assert typewriter_apostrophes() == {}
