"""French names the person who helps as the catalogue does, without a gender: "la personne
aidante", "une personne aidante". "L’aide" reads as "the help" and hides nothing of the
person's gender only by chance, and "un aide", "cette aide", "aucune aide" give the helper one."""

from __future__ import annotations

import re

from tests.gettext_catalogue import messages

# English that names the helper, the person.
_NAMES_THE_HELPER = re.compile(r"\bhelpers?\b", re.IGNORECASE)
# "L’aide" and an article, a demonstrative or an adjective that gives "aide" a gender.
_GENDERED_HELPER = re.compile(
    r"\b[Ll]’aide\b|\b(?:[Uu]ne?|[Cc]ett?e?|[Aa]ucune?|autre|nouvelle|nouvel)\s+aides?\b"
)


def test_the_check_sees_a_helper_named_with_a_gender():
    assert [
        text
        for text in (
            "L’aide est en route.",
            "Prix : payé à l’aide.",
            "Un aide a accepté.",
            "Cette aide ne peut pas encore recevoir de paiements.",
            "Nous cherchons une autre aide.",
            "La personne aidante est en route.",
            "Demander de l’aide",
            "Seul·e un·e aide peut être suspendu·e.",
        )
        if _GENDERED_HELPER.search(text)
    ] == [
        "L’aide est en route.",
        "Prix : payé à l’aide.",
        "Un aide a accepté.",
        "Cette aide ne peut pas encore recevoir de paiements.",
        "Nous cherchons une autre aide.",
        "Demander de l’aide",  # the help: the English names no helper, so it is not looked at
    ]


def test_french_names_the_helper_without_a_gender():
    gendered = {
        message.msgid: text
        for message in messages("fr")
        if _NAMES_THE_HELPER.search(message.msgid)
        for text in message.msgstrs
        if _GENDERED_HELPER.search(text)
    }
    assert gendered == {}
