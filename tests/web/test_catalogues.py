"""The translations are complete, and the vendored front-end files are the locked ones."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import trans_real

from scripts import vendor_assets
from tests.gettext_catalogue import messages
from web.templatetags.quartier import format_chf

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ("de", "fr", "it", "en")


def _msgattrib(*args: str) -> str:
    msgattrib = shutil.which("msgattrib")
    assert msgattrib is not None, "gettext's msgattrib is needed (apt-get install gettext)"
    return subprocess.run([msgattrib, *args], check=True, capture_output=True, text=True).stdout  # noqa: S603


# An apostrophe between two letters ("n'est", "dell'app"), as a typewriter writes it.
_TYPEWRITER_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")


@pytest.mark.parametrize("language", ["fr", "it"])
def test_french_and_italian_write_every_apostrophe_alike(language):
    """ "n’est", "dell’app": the typographic apostrophe most of the catalogue used, never the
    typewriter's beside it ("Personne n'est venu" under "L’aide est arrivé")."""
    typewriter = [
        message.msgid
        for message in messages(language)
        for text in message.msgstrs
        if _TYPEWRITER_APOSTROPHE.search(text)
    ]
    assert typewriter == []


def test_a_german_e_mail_greeting_is_followed_by_a_comma_as_its_small_letter_needs():
    """ "Guten Tag Anna,\n\nvielen Dank": the greeting, like "Hallo %(name)s," beside it, ends
    with a comma, since the text after it goes on in a small letter; never "Guten Tag Anna"
    alone above "vielen Dank" (the Swiss greeting without a comma wants a capital after it)."""
    greeting = re.compile(r"^(Guten Tag|Hallo) %\(name\)s(?P<comma>,?)\n\n(?P<first>\w)")
    found = [
        message.msgid
        for message in messages("de")
        for text in message.msgstrs
        if (match := greeting.match(text)) and not match["comma"] and match["first"].islower()
    ]
    assert found == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_has_no_untranslated_or_fuzzy_message(language):
    po = str(LOCALE / language / "LC_MESSAGES" / "django.po")
    assert _msgattrib("--untranslated", "--no-obsolete", po) == ""
    assert _msgattrib("--only-fuzzy", "--no-obsolete", po) == ""


def test_the_check_would_see_an_untranslated_message(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "Hello"\nmsgstr ""\n'
    )
    assert 'msgid "Hello"' in _msgattrib("--untranslated", str(po))


def test_german_writes_ss_for_sharp_s_in_every_text_it_shows():
    """Swiss German writes "ss", never "ß": not only in Quartier's own catalogue but in the
    texts of Django, DRF and django-filter it shows as they are (a form's "Dieser Wert muss
    größer oder gleich 0 sein." under the helper's extra minutes, the API's "Datumsangabe
    außerhalb des Bereichs."). The catalogue the running app reads in German, with Quartier's
    on top of the libraries', holds none."""
    with translation.override("de"):
        catalogue = trans_real.translation("de")._catalog
        # items() goes through every catalogue, also the entries Quartier's own overrides:
        # each text is read as the app reads it, by its key.
        shown = {msgid: catalogue[msgid] for msgid, _text in catalogue.items()}
        sharp = sorted(str(msgid) for msgid, text in shown.items() if "ß" in str(text))
        assert sharp == []
        minimum = translation.gettext(
            "Ensure this value is greater than or equal to %(limit_value)s."
        )
        assert minimum == "Dieser Wert muss grösser oder gleich %(limit_value)s sein."


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Quartier behält nichts"),
        ("fr", "Quartier ne garde rien"),
        ("it", "Quartier non trattiene nulla"),
    ],
)
def test_home_page_in_each_language(db, language, expected):
    html = Client().get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'<html lang="{language}">' in html
    assert expected in html


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "CHF 1’234.50"),
        ("it", "CHF 1’234.50"),
        ("fr", "1\u202f234.50 CHF"),
        ("en", "CHF 1,234.50"),
    ],
)
def test_amounts_in_francs_as_each_language_writes_them(language, expected):
    assert format_chf(123450, language) == expected
    with translation.override(language):
        assert format_chf(5, language).endswith("0.05") or format_chf(5, language).startswith(
            "0.05"
        )


def test_vendored_files_match_their_lock():
    lock = json.loads(vendor_assets.LOCK.read_text())
    assert vendor_assets.check(lock) == []


def test_the_lock_check_sees_a_changed_file(tmp_path, monkeypatch):
    lock = json.loads(vendor_assets.LOCK.read_text())
    spec, package = next(iter(lock["packages"].items()))
    source, entry = next(iter(package["files"].items()))
    copy = tmp_path / "copy.js"
    copy.write_bytes((vendor_assets.ROOT / entry["to"]).read_bytes() + b"\n// changed")
    monkeypatch.setattr(vendor_assets, "ROOT", tmp_path)
    changed = {"packages": {spec: {"integrity": "", "files": {source: {**entry, "to": "copy.js"}}}}}
    assert vendor_assets.check(changed) == [f"{spec}: copy.js differs from {source} in the lock"]


# A string line after a blank line: gettext joins it to the entry above, so a translation
# carries two wordings run together (as two merged edits of one entry once left it).
_STRING_AFTER_A_BLANK_LINE = re.compile(r'\n\n"')


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_entry_keeps_one_wording(language):
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    stray = [
        text.count("\n", 0, found.start()) + 3
        for found in _STRING_AFTER_A_BLANK_LINE.finditer(text)
    ]
    assert stray == [], f"string lines after a blank line, joined to the entry above: {stray}"


def test_a_string_line_after_a_blank_line_is_found():
    run_together = 'msgid "Save"\nmsgstr ""\n"Enregistrer"\n\n"Sauvegarder"\n'
    assert _STRING_AFTER_A_BLANK_LINE.search(run_together)
    assert not _STRING_AFTER_A_BLANK_LINE.search('msgid "Save"\nmsgstr "Enregistrer"\n\nmsgid ""\n')
