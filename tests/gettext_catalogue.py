"""The messages of one language's catalogue (locale/<language>/LC_MESSAGES/django.po), read as
text so that tests can look at the wording of every translation at once."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation.template import templatize

LOCALE = Path(__file__).resolve().parents[1] / "locale"
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


@dataclass
class Message:
    msgid: str
    msgstrs: list[str] = field(default_factory=list)
    context: str = ""


def messages(language: str) -> list[Message]:
    """Every translated message but the header, obsolete ones left out; a plural message
    carries each of its forms."""
    return _read(LOCALE / language / "LC_MESSAGES" / "django.po")


def _read(path: Path) -> list[Message]:
    found: list[Message] = []
    entry: dict[str, str] = {}
    key = ""

    def close() -> None:
        if entry.get("msgid"):
            strs = [text for name, text in sorted(entry.items()) if name.startswith("msgstr")]
            found.append(Message(entry["msgid"], strs, entry.get("msgctxt", "")))
        entry.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            close()
            continue
        keyword = _KEYWORD.match(line)
        if keyword:
            key = keyword.group(1)
            entry[key] = ast.literal_eval(keyword.group(2))
        elif line.startswith('"') and key:
            entry[key] += ast.literal_eval(line)
    close()
    return found


def source_msgids(paths: list[Path]) -> set[str]:
    """The msgids that Python modules and templates among `paths` mark for translation, found
    as makemessages finds them (templates through Django's templatize, then xgettext)."""
    return {message.msgid for message in source_messages(paths)}


def source_messages(paths: list[Path]) -> list[Message]:
    """The messages that `paths` mark for translation, each with its context (msgctxt)."""
    xgettext = shutil.which("xgettext")
    assert xgettext is not None, "gettext's xgettext is needed (apt-get install gettext)"
    keywords = [
        "gettext_noop",
        "gettext_lazy",
        "ngettext_lazy:1,2",
        "pgettext:1c,2",
        "pgettext_lazy:1c,2",
        "npgettext:1c,2,3",
        "npgettext_lazy:1c,2,3",
    ]
    with tempfile.TemporaryDirectory() as scratch:
        sources = []
        for number, path in enumerate(paths):
            if path.suffix == ".html":
                copy = Path(scratch) / f"{number}.py"
                copy.write_text(templatize(path.read_text(encoding="utf-8"), origin=str(path)))
                sources.append(str(copy))
            else:
                sources.append(str(path))
        pot = subprocess.run(  # noqa: S603
            [
                xgettext,
                "--language=Python",
                "--from-code=UTF-8",
                *(f"--keyword={keyword}" for keyword in keywords),
                "--output=-",
                *sources,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        found = Path(scratch) / "found.po"
        found.write_text(pot, encoding="utf-8")
        return _read(found)
