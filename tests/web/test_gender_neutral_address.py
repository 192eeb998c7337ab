"""Italian and French speak to the reader, a customer or a helper whose gender Quartier does
not know, without a masculine (or a split "iscritto/a", "inscrit·e") form: "Sei arrivato?"
becomes "Sono sul posto", "Vous êtes validé·e" becomes "Votre candidature est validée"."""

from __future__ import annotations

import re

import pytest

from tests.gettext_catalogue import messages

# Words that agree with the person they describe.
_IT_STEMS = (
    r"(?:arrivat|registrat|iscritt|sospes|approvat|uscit|pront|sicur|liber|conness|collegat|"
    r"riammess|benvenut|invitat|convint|entrat|sentit)"
)
_IT_WORDS = rf"{_IT_STEMS}[oa](?:/a)?"
_FR_WORDS = (
    r"(?:arrivé|inscrit|prêt|sûr|connecté|déconnecté|suspendu|validé|approuvé|venu|invité|"
    r"averti|réintégré|senti|certain|seul)(?:·e|\(e\))?"
)
_SENTENCE = r"(?:^|[.!?:;]\s+)"
GENDERED = {
    "it": [
        # "È approvato", "Non è iscritto/a", "in cui è libero", "Già registrato/a?"
        re.compile(
            rf"(?:{_SENTENCE}(?:Non\s+)?[Èè]|\b(?:cui|momento|Lei)\s+è|{_SENTENCE}Già)\s+"
            rf"(?:già\s+|ancora\s+)?{_IT_WORDS}\b"
        ),
        re.compile(rf"\b(?:[Ss]ono|[Ss]ei|[Mm]i sono)\s+{_IT_WORDS}\b"),  # "Sono arrivato"
        re.compile(rf"\bessers[ie]\s+{_IT_WORDS}\b"),  # "grazie per essersi registrato/a"
        re.compile(r"(?<!il )\b[Bb]envenut[oi](?:/a)?\b"),  # not "le dà il benvenuto"
        re.compile(r"\bstato/a\b"),  # "Se è stato/a lei"
        # A label on its own that only a person can be ("Arrivato"; an account is "Sospeso").
        re.compile(r"^(?:arrivat|registrat|iscritt|uscit|pront|invitat)o$", re.IGNORECASE),
    ],
    "fr": [
        # "Vous êtes validé·e", "vous n’êtes pas inscrit comme aide"
        re.compile(
            r"\b[Vv]ous\s+(?:ne\s+vous\s+|n’)?(?:êtes|étiez|serez)\s+(?:pas\s+)?"
            rf"(?:déjà\s+|encore\s+|de nouveau\s+)?{_FR_WORDS}"
        ),
        re.compile(rf"\b[Jj]e\s+(?:ne\s+)?(?:me\s+)?suis\s+(?:pas\s+)?{_FR_WORDS}"),
        re.compile(rf"\bvous\s+(?:a|ont)\s+(?:pas\s+)?(?:encore\s+)?{_FR_WORDS}"),
        re.compile(rf"\bvous\s+être\s+{_FR_WORDS}"),  # "merci de vous être inscrit·e"
        re.compile(r"\b[Bb]ienvenus?\b"),
        # A label on its own that only a person can be: "Arrivé", "Déjà inscrit·e ?"
        re.compile(
            r"^(?:Déjà\s+)?(?:arrivé|inscrit|prêt|connecté|invité)(?:·e)?\s*[?.!]?$", re.IGNORECASE
        ),
        re.compile(r"^Invité"),
    ],
}


def gendered(language: str, text: str) -> list[str]:
    """The words of `text` that address the reader as a man (or as "him/her")."""
    return [match.group(0) for pattern in GENDERED[language] for match in pattern.finditer(text)]


def test_the_check_sees_the_forms_it_looks_for():
    assert gendered("it", "Sono arrivato") == ["Sono arrivato"]
    assert gendered("it", "È approvato: riceve offerte.") == ["È approvato"]
    assert gendered("it", "Non è iscritto/a a questo evento.") == ["Non è iscritto/a"]
    assert gendered("it", "Le offerte arrivano per gli orari in cui è libero.") == ["cui è libero"]
    assert gendered("it", "Già registrato/a?") == ["Già registrato/a"]
    assert gendered("it", "Benvenuto in Quartier") == ["Benvenuto"]
    assert gendered("it", "Arrivato") == ["Arrivato"]
    assert gendered("fr", "Si vous ne vous êtes pas inscrit·e, ignorez") == [
        "vous ne vous êtes pas inscrit·e"
    ]
    assert gendered("fr", "Vous êtes validé·e : vous recevez des offres.") == ["Vous êtes validé·e"]
    assert gendered("fr", "Je suis arrivé") == ["Je suis arrivé"]
    assert gendered("fr", "La gestion ne vous a pas encore validé·e.") == [
        "vous a pas encore validé·e"
    ]
    assert gendered("fr", "Déjà inscrit·e ?") == ["Déjà inscrit·e ?"]
    # Things and third persons keep their agreement; the reader's wording has none.
    assert gendered("it", "Il suo account di aiuto è sospeso. Nessuno è libero.") == []
    assert gendered("it", "Sono sul posto. In quel momento è disponibile.") == []
    assert gendered("it", "Il suo telefono non è connesso. Quartier le dà il benvenuto!") == []
    assert gendered("it", "nessun aiutante vicino a lei è libero") == []
    assert gendered("fr", "Votre compte d’aide est suspendu. Bienvenue chez Quartier.") == []
    assert gendered("fr", "Personne n’est libre aux horaires indiqués.") == []


@pytest.mark.parametrize("language", ["it", "fr"])
def test_no_translation_addresses_the_reader_as_a_man(language):
    found = {
        message.msgid: words
        for message in messages(language)
        for text in message.msgstrs
        if (words := gendered(language, text))
    }
    assert found == {}
