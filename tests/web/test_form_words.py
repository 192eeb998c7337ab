"""The words of the forms (labels, help texts, choices, error messages of the pages' forms and
of the helpers', academy's and payments' modules) are all in the catalogues, translated in
German, French and Italian, and a note's reader is named as the one person who reads it: "the
customer reads it" was "la clientèle le lit", "die Kundschaft liest ihn", "la clientela lo
legge" (the whole customer base), and "the helper reads it" "la personne d’aide le lit"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.gettext_catalogue import messages, source_msgids

ROOT = Path(settings.BASE_DIR)

# A single customer, as the catalogue names one ("la cliente ou le client").
ONE_CUSTOMER = {
    "de": re.compile(r"Kundin oder (der )?Kunde"),
    "fr": re.compile(r"cliente ou (le )?client"),
    "it": re.compile(r"cliente o (il )?cliente"),
}
# The whole customer base where one person is meant, and a "person of help".
NOT_ONE_READER = re.compile(r"Kundschaft|clientèle|clientela|personne d’aide")
_READER_NOTE = re.compile(r"\(the (customer|helper) (reads|keeps) (it|this)\)")


def form_msgids() -> set[str]:
    """The texts of the forms: the web app's forms and the modules of helpers, the academy
    and payments."""
    return source_msgids(
        [
            *sorted(ROOT.glob("web/*forms*.py")),
            *sorted(path for path in ROOT.glob("helpers/*.py")),
            *sorted(
                path for path in ROOT.glob("academy/**/*.py") if "migrations" not in path.parts
            ),
            *sorted(path for path in ROOT.glob("payments/*.py")),
        ]
    )


@pytest.fixture(scope="module")
def forms() -> set[str]:
    return form_msgids()


def test_the_scan_reads_the_forms_words(forms):
    assert {
        "Reason (the customer reads it)",  # web/helper_forms.py
        "Send me offers",  # web/helper_profile_forms.py
        "Amount to refund in CHF",  # web/console_forms.py
        "Your hourly rate in CHF",
    } <= forms


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_every_word_of_the_forms_is_translated(forms, language):
    catalogue = {message.msgid: message.msgstrs for message in messages(language)}
    missing = sorted(
        msgid for msgid in forms if not any(catalogue.get(msgid, [""])) and msgid.strip()
    )
    assert missing == []


@pytest.mark.parametrize("language", ["de", "fr", "it"])
def test_a_notes_reader_is_named_as_one_person(forms, language):
    catalogue = {message.msgid: message.msgstrs for message in messages(language)}
    wrong = {
        msgid: text
        for msgid in forms
        if _READER_NOTE.search(msgid)
        for text in catalogue.get(msgid, [])
        if NOT_ONE_READER.search(text)
        or ("the customer" in msgid and not ONE_CUSTOMER[language].search(text))
    }
    assert wrong == {}
