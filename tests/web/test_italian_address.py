"""Italian addresses the reader one way throughout: the courtesy form in lower case ("la sua
carta", "la contatterà", "per lei"), as most of the catalogue did, never the capitalised "Sua",
"La", "Le" beside it, nor the plural "voi" ("la vostra mancia")."""

from __future__ import annotations

import re

from tests.gettext_catalogue import messages

# Capitalised only where a sentence starts ("Lei ha già un conto", "Le abbiamo scritto").
_POSSESSIVE_OR_LEI = re.compile(r"(?<![.!?:«\"\n] )(?<!^)\b(Suo|Sua|Suoi|Sue|Lei)\b")
# A capitalised pronoun after a word or a closing bracket: an article is never capitalised there.
_PRONOUN_AFTER_A_WORD = re.compile(r"(?<=[a-zà-ù0-9,;)] )(La|Le|Lo|Gli|L’|L')(?=\b|[a-zà-ù])")
# Joined to a verb: "mostrarLe", "contattarLa".
_JOINED_PRONOUN = re.compile(r"(?<=[a-zà-ù])(La|Le|Lo|Gli)\b")
_PLURAL_ADDRESS = re.compile(r"\b(vostr[oaie]|voi)\b", re.IGNORECASE)


def other_address(text: str) -> list[str]:
    """The words of one Italian text that address the reader otherwise than the catalogue."""
    return [
        match.group(0)
        for pattern in (
            _POSSESSIVE_OR_LEI,
            _PRONOUN_AFTER_A_WORD,
            _JOINED_PRONOUN,
            _PLURAL_ADDRESS,
        )
        for match in pattern.finditer(text)
    ]


def test_the_check_sees_the_other_forms():
    assert other_address("Inserisca i dati della Sua carta.") == ["Sua"]
    assert other_address("La gestione della comunità La contatterà.") == ["La"]
    assert other_address("Quartier può mostrarLe una notifica.") == ["Le"]
    assert other_address("non L’ha ancora approvata") == ["L’"]
    assert other_address("Le visite gratuite (tariffa 0) Le vengono proposte.") == ["Le"]
    assert other_address("Tutta la vostra mancia va all’aiutante.") == ["vostra"]
    # The catalogue's own form, a sentence's first word, and a third person's "suo".
    assert other_address("La sua carta è pronta. Le abbiamo scritto.") == []
    assert other_address("Lei ha già un conto; la contatteremo, per lei.") == []
    assert other_address("la commissione Stripe è a suo carico") == []


def test_every_italian_translation_addresses_the_reader_alike():
    other = {
        message.msgid: words
        for message in messages("it")
        for text in message.msgstrs
        if (words := other_address(text))
    }
    assert other == {}
