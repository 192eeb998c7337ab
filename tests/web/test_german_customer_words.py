"""German names the community manager "das Community-Management" everywhere, where the visit
page said "Den Community-Verantwortlichen ein Problem melden"."""

from __future__ import annotations

import re

from tests.gettext_catalogue import messages

# The community manager named otherwise than "Community-Management".
OTHER_MANAGER_NAMES = re.compile(r"Verantwortlich|Community-Manager(?:in)?\b")


def _german() -> dict[str, list[str]]:
    return {message.msgid: message.msgstrs for message in messages("de")}


def test_the_community_manager_has_one_german_name():
    german = _german()
    wrong = {
        msgid: texts
        for msgid, texts in german.items()
        if any(OTHER_MANAGER_NAMES.search(text) for text in texts)
    }
    assert wrong == {}
    assert german["Report a problem to the community manager"] == [
        "Dem Community-Management ein Problem melden"
    ]
