"""The code-of-conduct test keeps one name in each language, the one its own page and e-mails
use: "test du code de conduite" (a "test de conduite" is a driving test), "test sul codice di
condotta", "Test zum Verhaltenskodex" (not a "Verhaltenstest" of the person's behaviour)."""

from __future__ import annotations

import re

import pytest

from tests.gettext_catalogue import messages

OTHER_NAMES = {
    "fr": re.compile(r"\b[Tt]est de conduite\b"),
    "it": re.compile(r"\b[Tt]est di condotta\b"),
    "de": re.compile(r"Verhaltenstest"),
}


@pytest.mark.parametrize("language", ["fr", "it", "de"])
def test_the_code_of_conduct_test_has_one_name(language):
    found = {
        message.msgid: text
        for message in messages(language)
        for text in message.msgstrs
        if OTHER_NAMES[language].search(text)
    }
    assert found == {}


def test_the_check_sees_the_other_names():
    assert OTHER_NAMES["fr"].search("Vous réussissez le test de conduite en ligne.")
    assert not OTHER_NAMES["fr"].search("le test du code de conduite")
    assert OTHER_NAMES["it"].search("Test di condotta superato")
    assert not OTHER_NAMES["it"].search("il test sul codice di condotta")
    assert OTHER_NAMES["de"].search("Sie bestehen den Verhaltenstest online.")
    assert not OTHER_NAMES["de"].search("den Test zum Verhaltenskodex")
