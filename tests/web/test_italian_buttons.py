"""Italian names an action on a button or a link as Italian software does, with the imperative
("Invia", "Salva", "Annulla", "Accetta"), on every page alike; never the infinitive ("Inviare",
"Salvare") beside it, which left a form's "Invia" next to another page's "Salvare"."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.utils import translation

from tests.gettext_catalogue import messages, source_msgids
from web.views.manage_vetting import DECISIONS

ROOT = Path(settings.BASE_DIR)

_TAG_BODY = r"(?:\{%.*?%\}|\{\{.*?\}\}|[^>])*"
# What a button, a link or a summary drawn as a button shows, and a submit input's value.
_ACTIONS = re.compile(
    rf"<button\b{_TAG_BODY}>(?P<button>.*?)</button>"
    rf"|<a\b{_TAG_BODY}>(?P<link>.*?)</a>"
    rf"|<summary\b(?=[^>]*\bbutton\b){_TAG_BODY}>(?P<summary>.*?)</summary>"
    rf"|<input\b(?=[^>]*type=\"submit\")(?P<submit>{_TAG_BODY})>",
    re.DOTALL,
)
# A verb's infinitive, alone or with a pronoun joined to it ("Inviare", "Registrarsi",
# "Sostituirlo", "Iscrivermi", "ritirarla"). No imperative ends so: "Invia", "Registrati",
# "Sostituiscilo", "Iscriviti", "ritirala".
_INFINITIVE = re.compile(
    r"\w*?(?:are|ere|ire|rre|(?:ar|er|ir|rr)(?:gli|[lmtsvc]i|l[oaie]|ne|(?:[mtsvc]e|glie)(?:l[oaie]|ne)))\b"
)
# Where an action's verb stands: first, after a "Sì, ", or after an "e" joining a second one
# ("Registrati e chiedi aiuto").
_VERB_PLACE = re.compile(r"^(?:Sì, )?|\be ")


def infinitive(text: str) -> bool:
    return any(_INFINITIVE.match(text, place.end()) for place in _VERB_PLACE.finditer(text))


def action_templates() -> list[str]:
    """Every template's buttons, links and submit inputs, one snippet each."""
    found: list[str] = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        if ".venv" in path.parts:
            continue
        found.extend(match.group(0) for match in _ACTIONS.finditer(path.read_text()))
    return found


def action_msgids(tmp_path: Path) -> set[str]:
    """The msgids the templates show on a button or a link, the console's decisions and the
    back office's actions."""
    snippets = tmp_path / "actions.html"
    snippets.write_text("\n".join(action_templates()), encoding="utf-8")
    found = source_msgids([snippets])
    with translation.override(None):
        found |= {str(decision.button) for decision in DECISIONS.values()}
        for model_admin in admin.site._registry.values():
            for action in model_admin.actions or ():
                function = getattr(model_admin, action) if isinstance(action, str) else action
                found.add(str(getattr(function, "short_description", "")))
    return found


def test_the_check_sees_an_infinitive():
    assert [
        text
        for text in (
            "Inviare",
            "Salvare la bozza",
            "Registrarsi",
            "Sostituirlo",
            "Iscrivermi",
            "Riprenderle",
            "Mettermi in lista d’attesa",
            "Sì, ritirarla",
            "Registrati e chiedere aiuto",
            "Invia",
            "Salva la bozza",
            "Registrati",
            "Sostituiscilo",
            "Iscrivimi",
            "Riprendile",
            "Ricevuta",
            "I miei guadagni",
            "Più",
            "Offerte e visite",
            "Conferma il mio indirizzo",
            "Sì, ritirala",
            "Registrati e chiedi aiuto",
            "Condizioni e liberatorie",
        )
        if infinitive(text)
    ] == [
        "Inviare",
        "Salvare la bozza",
        "Registrarsi",
        "Sostituirlo",
        "Iscrivermi",
        "Riprenderle",
        "Mettermi in lista d’attesa",
        "Sì, ritirarla",
        "Registrati e chiedere aiuto",
    ]


def test_the_scan_finds_the_labels_of_buttons_links_and_actions(tmp_path):
    found = action_msgids(tmp_path)
    assert {
        "Save",  # <button>
        "Publish",  # <input type="submit">
        "Withdraw my application",  # <summary class="button">
        "Change your password",  # <a>
        "Take the quiz again",  # {% if %} in a button
        "Confirm %(day)s at %(time)s",  # {% blocktranslate %} in a button
        "Reject",  # a decision on the vetting desk
        "Approve selected helpers",  # an action of the back office
    } <= found


def test_every_italian_button_and_link_names_its_action_with_the_imperative(tmp_path):
    actions = action_msgids(tmp_path)
    infinitives = {
        message.msgid: text
        for message in messages("it")
        if message.msgid in actions
        for text in message.msgstrs
        if infinitive(text)
    }
    assert infinitives == {}
