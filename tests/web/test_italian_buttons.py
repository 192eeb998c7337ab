"""Italian names an action on a button or a link as Italian software does, with the imperative
("Invia", "Salva", "Annulla", "Accetta"), on every page alike; never the infinitive ("Inviare",
"Salvare") beside it, which left a form's "Invia" next to another page's "Salvare". A heading or
a choice names its part with a noun ("Spostamento della visita", "Revoca della sospensione") or
speaks to the reader ("Scelga altri orari"), never with the infinitive ("Spostare la visita");
and where English words are both a heading and a button ("Refund"), the heading carries its own
context, as Italian needs a noun over the part ("Rimborso") and a verb on its button
("Rimborsa")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import cast

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils import translation

from tests.gettext_catalogue import messages, source_messages, source_msgids
from web import forms as web_forms
from web import helper_forms
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


# Headings: a page's and a part's, a group of fields', a table's, and a summary that opens a part
# (not one drawn as a button, an action).
_HEADINGS = re.compile(
    rf"<(?P<tag>h[1-6]|legend|caption)\b{_TAG_BODY}>.*?</(?P=tag)>"
    rf"|<summary\b(?![^>]*\bbutton\b){_TAG_BODY}>.*?</summary>",
    re.DOTALL,
)
# What is pressed: a button, a submit input, a summary drawn as a button (links name places too).
_PRESSED = re.compile(
    rf"<button\b{_TAG_BODY}>.*?</button>"
    rf"|<summary\b(?=[^>]*\bbutton\b){_TAG_BODY}>.*?</summary>"
    rf"|<input\b(?=[^>]*type=\"submit\"){_TAG_BODY}>",
    re.DOTALL,
)
# A bare infinitive where a heading's or a choice's words begin: first, after a colon ("Non posso
# venire: annullare la visita"), or after "Oppure" ("Oppure usare un’altra carta").
_HEADING_INFINITIVE = re.compile(r"(?:^|: |Oppure )\w+(?:are|ere|ire|rre)\b")


def _template_messages(tmp_path: Path, pattern: re.Pattern[str], name: str) -> list:
    snippets: list[str] = []
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        if ".venv" not in path.parts:
            snippets.extend(match.group(0) for match in pattern.finditer(path.read_text()))
    found = tmp_path / f"{name}.html"
    found.write_text("\n".join(snippets), encoding="utf-8")
    return source_messages([found])


def radio_choices() -> set[str]:
    """The labels of the forms' radio buttons, as their msgids."""
    found: set[str] = set()
    with translation.override(None):
        for module in (web_forms, helper_forms):
            for form in vars(module).values():
                if not (isinstance(form, type) and issubclass(form, forms.BaseForm)):
                    continue
                fields: dict[str, forms.Field] = getattr(form, "base_fields", {})
                for field in fields.values():
                    # A choice of rows (a model's) is named by the rows, not by the catalogue.
                    if (
                        isinstance(field, forms.ChoiceField)
                        and isinstance(field.widget, forms.RadioSelect)
                        and not isinstance(field, forms.ModelChoiceField)
                    ):
                        choices = cast("Iterable[tuple[str, object]]", field.choices)
                        found |= {str(label) for _, label in choices if label}
    return found


def test_the_check_sees_an_infinitive_beginning_a_heading():
    assert [
        text
        for text in (
            "Spostare la visita",
            "Non posso venire: annullare la visita",
            "Oppure usare un’altra carta",
            "Spostamento della visita",
            "Non posso venire: annullo la visita",
            "Oppure usi un’altra carta",
            "Confermi il suo indirizzo e-mail",
            "Scelga altri orari",
        )
        if _HEADING_INFINITIVE.search(text)
    ] == [
        "Spostare la visita",
        "Non posso venire: annullare la visita",
        "Oppure usare un’altra carta",
    ]


def test_the_scan_finds_headings_and_radio_choices(tmp_path):
    headings = {message.msgid for message in _template_messages(tmp_path, _HEADINGS, "headings")}
    assert {
        "Move the visit",  # <h2>
        "I cannot come: cancel the visit",  # <summary>
        "Refund payment %(payment)s",  # the back office's <h1>
    } <= headings
    assert {"Lift the suspension", "Suspend the helper", "To my home address"} <= radio_choices()


def test_every_italian_heading_and_choice_names_its_part_without_an_infinitive(tmp_path):
    named = {
        (message.context, message.msgid)
        for message in _template_messages(tmp_path, _HEADINGS, "headings")
    } | {("", msgid) for msgid in radio_choices()}
    infinitives = {
        message.msgid: text
        for message in messages("it")
        if (message.context, message.msgid) in named
        for text in message.msgstrs
        if _HEADING_INFINITIVE.search(text)
    }
    assert infinitives == {}


def test_words_both_a_heading_and_a_button_give_the_heading_its_own_context(tmp_path):
    def plain(pattern: re.Pattern[str], name: str) -> set[str]:
        found = _template_messages(tmp_path, pattern, name)
        return {message.msgid for message in found if not message.context}

    assert plain(_HEADINGS, "headings") & plain(_PRESSED, "pressed") == set()
