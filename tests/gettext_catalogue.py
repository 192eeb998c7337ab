"""The messages of one language's catalogue (locale/<language>/LC_MESSAGES/django.po), read as
text so that tests can look at the wording of every translation at once."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "locale"
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (".*")$')


@dataclass
class Message:
    msgid: str
    msgstrs: list[str] = field(default_factory=list)


def messages(language: str) -> list[Message]:
    """Every translated message but the header, obsolete ones left out; a plural message
    carries each of its forms."""
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    found: list[Message] = []
    entry: dict[str, str] = {}
    key = ""

    def close() -> None:
        if entry.get("msgid"):
            strs = [text for name, text in sorted(entry.items()) if name.startswith("msgstr")]
            found.append(Message(entry["msgid"], strs))
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
