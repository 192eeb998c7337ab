"""Italian and French speak to the reader, a customer or a helper whose gender Quartier does
not know, without a masculine (or a split "iscritto/a", "inscrit·e") form: "Sei arrivato?"
becomes "Sono sul posto", "Vous êtes validé·e" becomes "Votre candidature est validée".

The community manager's pages (the console and the back office) speak of those people in the
third person, just as neutrally: "%(name)s è sospeso … Viene avvisato" becomes "L’account di
aiuto di %(name)s resta sospeso … La persona riceve un avviso"."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.gettext_catalogue import messages, source_msgids

# Words that agree with the person they describe.
_IT_STEMS = (
    r"(?:arrivat|registrat|iscritt|sospes|approvat|uscit|pront|sicur|liber|conness|collegat|"
    r"riammess|benvenut|invitat|convint|entrat|sentit|partit)"
)
_IT_WORDS = rf"{_IT_STEMS}[oa](?:/a)?"
_FR_WORDS = (
    r"(?:arrivé|inscrit|prêt|sûr|connecté|déconnecté|suspendu|validé|approuvé|venu|invité|"
    r"averti|réintégré|senti|certain|seul|parti)(?:·e|\(e\))?"
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
        re.compile(rf"\b[Ss]i\s+è\s+{_IT_WORDS}\b"),  # "Se non si è registrato/a"
        re.compile(r"(?<!il )\b[Bb]envenut[oi](?:/a)?\b"),  # not "le dà il benvenuto"
        re.compile(r"\bstato/a\b"),  # "Se è stato/a lei"
        # A label on its own that only a person can be ("Arrivato"; an account is "Sospeso").
        re.compile(r"^(?:arrivat|registrat|iscritt|uscit|pront|invitat)o$", re.IGNORECASE),
        re.compile(rf"{_SENTENCE}Nuov[oa](?:/a)?\s+(?:su|in|a)\b"),  # "Nuovo su Quartier?"
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
        re.compile(rf"{_SENTENCE}Nouveau(?:·elle)?\s+(?:sur|chez|à)\b"),  # "Nouveau sur Quartier ?"
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
    assert gendered("it", "Se non si è registrato/a, ignori") == ["si è registrato/a"]
    assert gendered("it", "Benvenuto in Quartier") == ["Benvenuto"]
    assert gendered("it", "Arrivato") == ["Arrivato"]
    assert gendered("it", "È partito") == ["È partito"]
    assert gendered("fr", "Si vous ne vous êtes pas inscrit·e, ignorez") == [
        "vous ne vous êtes pas inscrit·e"
    ]
    assert gendered("fr", "Vous êtes validé·e : vous recevez des offres.") == ["Vous êtes validé·e"]
    assert gendered("fr", "Je suis arrivé") == ["Je suis arrivé"]
    assert gendered("fr", "Vous êtes parti") == ["Vous êtes parti"]
    assert gendered("fr", "La gestion ne vous a pas encore validé·e.") == [
        "vous a pas encore validé·e"
    ]
    assert gendered("fr", "Déjà inscrit·e ?") == ["Déjà inscrit·e ?"]
    assert gendered("fr", "Nouveau sur Quartier ?") == ["Nouveau sur"]
    assert gendered("it", "Nuovo su Quartier?") == ["Nuovo su"]
    # Things and third persons keep their agreement; the reader's wording has none.
    assert gendered("it", "Il suo account di aiuto è sospeso. Nessuno è libero.") == []
    assert gendered("it", "Sono sul posto. In quel momento è disponibile.") == []
    assert gendered("it", "Il suo telefono non è connesso. Quartier le dà il benvenuto!") == []
    assert gendered("it", "nessun aiutante vicino a lei è libero") == []
    assert (
        gendered("fr", "Votre compte de personne aidante est suspendu. Bienvenue chez Quartier.")
        == []
    )
    assert gendered("fr", "Personne n’est libre aux horaires indiqués.") == []
    assert gendered("fr", "Nouveau message. Pas encore de compte sur Quartier ?") == []
    assert gendered("it", "Nuovo messaggio. Non ha ancora un account Quartier?") == []


@pytest.mark.parametrize("language", ["it", "fr"])
def test_no_translation_addresses_the_reader_as_a_man(language):
    found = {
        message.msgid: words
        for message in messages(language)
        for text in message.msgstrs
        if (words := gendered(language, text))
    }
    assert found == {}


# Words that agree with a person spoken of: a customer, a helper, an applicant.
_IT_SAID_OF = r"(?:avvisat|informat|approvat|sospes|riammess|invitat|iscritt|registrat|ammonit|trovat|esaminat)"
_FR_SAID_OF = r"(?:informé|prévenu|averti|validé|approuvé|suspendu|trouvé|examiné|inscrit)"
THIRD_PERSON = {
    "it": [
        # "%(name)s è sospeso", "L’aiutante è stato avvisato", "chi aiuta ne è informato"
        re.compile(
            r"(?:%\(name\)s|[Ll]’aiutante|\b[Cc]hi\s+\w+)\s+(?:ne\s+)?(?:è|viene)\s+"
            rf"(?:stato\s+|di nuovo\s+|già\s+)?{_IT_SAID_OF}o\b"
        ),
        re.compile(rf"(?:^|[.!?:;]\s+)(?:Ne\s+)?Viene\s+{_IT_SAID_OF}o\b"),  # "Viene avvisato"
        re.compile(r"\bgli\s+(?:viene|vengono|dice|dicono|mostra|scrive)\b"),  # "gli dice"
        re.compile(rf"\b(?:(?:[Nn]essun|[Uu]n)\s+)?aiutant[ei]\s+{_IT_SAID_OF}[oi]\b"),
        re.compile(rf"\bNessuno\s+è\s+{_IT_SAID_OF}o\b"),
        # "Approva questo aiutante": a demonstrative that agrees with a man.
        re.compile(r"\b(?:[Qq]uest|[Qq]uell)o\s+aiutante\b"),
        re.compile(r"^Già\s+(?:interpellat|contattat|sollecitat)o\b"),  # "Già interpellato"
        re.compile(r"\b(?:gli|[Ii])\s+(?:iscritti|candidati)\b|^Iscritti$|\btutti\s+devono\b"),
        # A label that only a person can be ("Ammonito"; an account is "Sospeso").
        re.compile(r"^(?:Ammonit|Avvisat|Informat)o$"),
    ],
    "fr": [
        re.compile(r"\w·e\b|\w\(e\)"),  # "suspendu·e", "inscrit(e)"
        re.compile(rf"\b[Ll]’aide\s+(?:en\s+)?(?:est|a\s+été)\s+{_FR_SAID_OF}\b"),
        re.compile(rf"(?<!d’)\b[Aa]ides?\s+{_FR_SAID_OF}s?\b"),  # "aide trouvé", "Aides validés"
        re.compile(r"\b(?:[Uu]n|[Aa]ucun)\s+aide\b"),
        re.compile(r"^Déjà\s+(?:sollicité|contacté)\b(?!e)"),  # "Déjà sollicité pour …"
        re.compile(rf"\bPersonne\s+n’est\s+{_FR_SAID_OF}\b"),
        re.compile(r"\b[Ll]es\s+candidats\b|^Inscrits$|\bchacun\b|\bils\s+manquent\b"),
    ],
}


def said_of_a_man(language: str, text: str) -> list[str]:
    """The words of `text` that speak of a person in the masculine (or as "him/her")."""
    return [
        match.group(0) for pattern in THIRD_PERSON[language] for match in pattern.finditer(text)
    ]


def manager_msgids() -> set[str]:
    """Every text of the manager's pages: the console's views, forms and templates, and the
    back office's admin modules and templates."""
    root = Path(settings.BASE_DIR)
    return source_msgids(
        [
            *sorted(root.glob("web/views/manage*.py")),
            root / "web" / "console_forms.py",
            root / "helpers" / "transitions.py",
            root / "web" / "words.py",
            *sorted(root.glob("web/templates/web/manage/*.html")),
            *sorted(root.glob("*/admin.py")),
            *sorted(root.glob("*/admin/*.py")),
            *sorted(root.glob("*/templates/admin/**/*.html")),
        ]
    )


def test_the_third_person_check_sees_the_forms_it_looks_for():
    assert said_of_a_man("it", "%(name)s è sospeso finché") == ["%(name)s è sospeso"]
    assert said_of_a_man("it", "Riceve offerte. Viene avvisato per e-mail.") == [". Viene avvisato"]
    assert said_of_a_man("it", "La visita è confermata. L’aiutante è stato avvisato.") == [
        "L’aiutante è stato avvisato"
    ]
    assert said_of_a_man("it", "Il suo motivo gli viene mostrato.") == ["gli viene"]
    assert said_of_a_man("it", "Nessun aiutante approvato con questa competenza.") == [
        "Nessun aiutante approvato"
    ]
    assert said_of_a_man("it", "Perché (tutti gli iscritti lo leggono)") == ["gli iscritti"]
    assert said_of_a_man("it", "Sospendi questo aiutante") == ["questo aiutante"]
    assert said_of_a_man("it", "Sospendi questa persona") == []
    assert said_of_a_man("it", "Già interpellato per questa richiesta") == ["Già interpellato"]
    assert said_of_a_man("fr", "Déjà sollicité pour cette demande") == ["Déjà sollicité"]
    assert said_of_a_man("fr", "%(name)s est suspendu·e jusqu’à") == ["u·e"]
    assert said_of_a_man("fr", "Dites pourquoi (l’aide en est informé).") == [
        "l’aide en est informé"
    ]
    assert said_of_a_man("fr", "Aides validés par localité") == ["Aides validés"]
    assert said_of_a_man("fr", "des demandes qui ont trouvé un aide") == ["un aide"]
    assert said_of_a_man("it", "Ammonito") == ["Ammonito"]
    assert said_of_a_man("fr", "Averti·e") == ["i·e"]
    # Things keep their agreement, and people spoken of neutrally read as they are.
    assert said_of_a_man("it", "L’account di aiuto di %(name)s resta sospeso.") == []
    assert said_of_a_man("it", "La persona riceve un avviso per e-mail.") == []
    assert said_of_a_man("it", "Il ricorso è deciso; tutte le persone aiutanti seguono") == []
    assert said_of_a_man("fr", "Le compte de personne aidante de %(name)s reste suspendu.") == []
    assert said_of_a_man("fr", "La personne est validée. Une aide trouvée.") == []
    assert said_of_a_man("fr", "%(counter)s profils de personnes aidantes examinés") == []


@pytest.mark.parametrize("language", ["it", "fr"])
def test_the_managers_pages_speak_of_people_neutrally(language):
    """Status labels ("Sospeso", "Suspendu") name an account's state, not a person's gender,
    and stay as they are."""
    ids = manager_msgids()
    assert "The helper is suspended." in ids
    found = {
        message.msgid: words
        for message in messages(language)
        if message.msgid in ids
        for text in message.msgstrs
        if (words := said_of_a_man(language, text))
    }
    assert found == {}


# The helper and the customer spoken of to the other side, whose gender Quartier does not know
# either: the visit's timeline says what the helper did without agreeing with them ("L’aide
# est sur place", not "L’aide est arrivé"), and the helper writes to "la cliente ou le client".
VISIT_THIRD_PERSON = {
    "it": [
        re.compile(r"\bL’aiutante\s+(?:si\s+)?è\s+(?:arrivat|mess|partit|venut)[oa]\b"),
        re.compile(r"\b(?:Scriva|Dica)\s+(?:qui\s+)?al cliente\b"),
        # The request waiting for a helper: "Appena uno accetta, lo vedrà qui"
        re.compile(r"\b(?:uno\s+)?accetta,\s+lo\b"),
        # Customers in general, on the home page: "i clienti valutano l’aiutante"
        re.compile(r"\b(?:[Ii]|[Aa]i|[Dd]ei)\s+clienti\b"),
    ],
    "fr": [
        re.compile(r"\bL’aide\s+(?:s’)?est\s+(?:arrivé|mis|parti|venu)e?\b"),
        re.compile(r"\b(?:[EÉ]crivez|Dites)\s+au client\b"),
        # The request form's questions: "Quand l’aide peut-il venir ?"
        re.compile(r"\b[Ll]’aide\s+\w+-(?:t-)?il\b"),
        # "Dès qu’il accepte", "Dès que l’un d’eux accepte"
        re.compile(r"\b(?:qu’il|l’un d’eux)\s+accepte\b"),
        # Helpers and customers in general: "Les aides … Ils ne voient", "les clients évaluent"
        re.compile(r"\baides\b[^.]*[.;]\s+(?:Ils|Avant qu’ils)\b|\b[Ll]es clients\b|\bceux qui\b"),
    ],
}


def test_the_visit_words_check_sees_the_forms_it_looks_for():
    assert VISIT_THIRD_PERSON["fr"][0].search("L’aide s’est mis en route")
    assert VISIT_THIRD_PERSON["fr"][0].search("L’aide est arrivé")
    assert VISIT_THIRD_PERSON["it"][0].search("L’aiutante si è messo in viaggio")
    assert VISIT_THIRD_PERSON["fr"][1].search("Pas encore de messages. Écrivez au client ici.")
    assert VISIT_THIRD_PERSON["it"][1].search("Ancora nessun messaggio. Scriva qui al cliente.")
    assert not VISIT_THIRD_PERSON["fr"][0].search("L’aide est sur place")
    assert not VISIT_THIRD_PERSON["fr"][1].search("Écrivez ici à la cliente ou au client.")
    assert VISIT_THIRD_PERSON["fr"][2].search("Quand l’aide peut-il venir ?")
    assert VISIT_THIRD_PERSON["fr"][2].search("Qui l’aide rencontrera-t-il ?")
    assert VISIT_THIRD_PERSON["fr"][3].search("Dès qu’il accepte, vous le verrez ici.")
    assert VISIT_THIRD_PERSON["fr"][4].search("Les aides reçoivent vos demandes. Ils ne voient")
    assert VISIT_THIRD_PERSON["fr"][4].search("Après chaque visite, les clients évaluent l’aide")
    assert VISIT_THIRD_PERSON["it"][2].search("Appena uno accetta, lo vedrà qui.")
    assert VISIT_THIRD_PERSON["it"][3].search("Dopo ogni visita i clienti valutano l’aiutante")
    assert not VISIT_THIRD_PERSON["fr"][2].search("Quand la visite peut-elle avoir lieu ?")
    assert not VISIT_THIRD_PERSON["fr"][4].search("Pas encore d’avis. Ils apparaissent bientôt.")
    assert not VISIT_THIRD_PERSON["it"][2].search("Appena una persona accetta, il suo nome")


@pytest.mark.parametrize("language", ["it", "fr"])
def test_the_helper_and_the_customer_are_spoken_of_without_a_gender(language):
    found = {
        message.msgid: text
        for message in messages(language)
        for text in message.msgstrs
        if any(pattern.search(text) for pattern in VISIT_THIRD_PERSON[language])
    }
    assert found == {}


# The receipt (its page, its PDF) and the helper's yearly statement name the customer and the
# helper to either of them: "Client" and "il cliente", "beneficiario" are men; "la cliente o il
# cliente", "la clientèle", "Payé par" are no one's gender.
_PAIRS = {
    "it": re.compile(
        r"\b(?:[Ll]a|[Aa]lla|[Dd]ella|[Dd]alla)\s+cliente\s+o\s+(?:il|al|del|dal)\s+cliente\b"
    ),
    "fr": re.compile(r"\b(?:[Ll]a|[Àà] la|[Dd]e la)\s+cliente\s+ou\s+(?:le|au|du)\s+client\b"),
}
RECEIPT_GENDERED = {
    "it": [
        re.compile(r"\b(?:[Ii]l|[Aa]l|[Dd]el|[Dd]al|[Ii]|[Aa]i|[Dd]ei)\s+client[ei]\b"),
        re.compile(r"\bbeneficiari[oi]\b"),
    ],
    "fr": [re.compile(r"\b[Cc]lients?\b")],
}


def receipt_gendered(language: str, text: str) -> list[str]:
    """The words of a receipt's `text` that name the customer or the helper as a man."""
    neutral = _PAIRS[language].sub("", text)
    return [
        match.group(0)
        for pattern in RECEIPT_GENDERED[language]
        for match in pattern.finditer(neutral)
    ]


def receipt_msgids() -> set[str]:
    root = Path(settings.BASE_DIR)
    return source_msgids(
        [
            root / "payments" / "documents.py",
            root / "payments" / "receipts.py",
            root / "web" / "templates" / "web" / "receipts" / "receipt.html",
        ]
    )


def test_the_receipt_check_sees_the_forms_it_looks_for():
    assert receipt_gendered("fr", "Client") == ["Client"]
    assert receipt_gendered("fr", "ce que vos clients ont payé") == ["clients"]
    assert receipt_gendered("it", "Il cliente ha pagato") == ["Il cliente"]
    assert receipt_gendered("it", "Aiutante (beneficiario del pagamento)") == ["beneficiario"]
    assert receipt_gendered("fr", "La cliente ou le client a payé") == []
    assert receipt_gendered("fr", "ce que votre clientèle a payé") == []
    assert receipt_gendered("it", "La cliente o il cliente ha pagato") == []
    assert receipt_gendered("it", "quanto la sua clientela ha pagato") == []


@pytest.mark.parametrize("language", ["it", "fr"])
def test_the_receipt_names_the_customer_and_the_helper_without_a_gender(language):
    ids = receipt_msgids()
    assert {"Paid by", "Helper (merchant)", "The customer paid"} <= ids
    found = {
        message.msgid: words
        for message in messages(language)
        if message.msgid in ids
        for text in message.msgstrs
        if (words := receipt_gendered(language, text))
    }
    assert found == {}


# Every French page and e-mail, not only the receipt, names a customer "la cliente ou le
# client" (customers "la clientèle"), helpers and applicants as people of either gender ("la
# première personne libre", "les personnes aidantes qui annulent", "les personnes candidates")
# and neighbours as "vos voisines et voisins" or "votre voisinage": never "du client", "vos
# clients", "aides vérifiés", "le premier qui", "ceux qui", "chaque candidat", "quelqu’un s’est
# inscrit", "un voisin", "des voisins".
_FR_CUSTOMER = re.compile(
    r"\b(?:[Ll]e|[Dd]u|[Aa]u|[Ll]es|[Dd]es|[Aa]ux|[Vv]os|[Ss]es|[Cc]es)\s+clients?\b"
)
_FR_HELPERS = re.compile(
    r"\baides\s+\w+és\b|\b[Ll]e\s+premier\s+qui\b|\b[Cc]eux\s+qui\b|\b[Cc]andidats?\b"
    r"|\b[Qq]uelqu’un\s+s’est\s+(?:de nouveau\s+)?\w+(?:é|i|it|u)\b"
)
_FR_NEIGHBOURS = re.compile(r"\b(?:[Uu]n|[Dd]es|[Vv]os|[Ll]es|[Aa]ux|[Nn]os)\s+voisins?\b")


def french_people_as_men(text: str) -> list[str]:
    """The words of a French `text` that speak of customers or helpers as men; a text that
    names "la cliente" beside "le client" (or "voisines" beside "voisins") speaks of both."""
    patterns = [] if "cliente" in text else [_FR_CUSTOMER]
    patterns += [_FR_HELPERS]
    patterns += [] if "voisines" in text else [_FR_NEIGHBOURS]
    return [match.group(0) for pattern in patterns for match in pattern.finditer(text)]


def test_the_french_people_check_sees_the_forms_it_looks_for():
    assert french_people_as_men("dans les plages horaires du client.") == ["du client"]
    assert french_people_as_men("avec l’adresse de vos clients") == ["vos clients"]
    assert french_people_as_men("quelques aides vérifiés. Le premier qui est libre") == [
        "aides vérifiés",
        "Le premier qui",
    ]
    assert french_people_as_men("les clients évaluent ; ceux qui annulent") == [
        "les clients",
        "ceux qui",
    ]
    assert french_people_as_men("la carte de la cliente ou du client") == []
    assert french_people_as_men("l’adresse de votre clientèle ; les aides qui annulent") == []
    assert french_people_as_men("La première personne libre accepte.") == []
    assert french_people_as_men(
        "Chaque candidat passe un entretien ; les documents des candidats"
    ) == ["candidat", "candidats"]
    assert french_people_as_men("Quelqu’un s’est de nouveau inscrit sur Quartier") == [
        "Quelqu’un s’est de nouveau inscrit"
    ]
    assert (
        french_people_as_men(
            "Chaque candidature passe par un entretien ; des personnes candidates ; Nouvelle inscription"
        )
        == []
    )
    assert french_people_as_men("de l’aide par un voisin ; des voisins vous aident") == [
        "un voisin",
        "des voisins",
    ]
    assert french_people_as_men("Aidez vos voisines et voisins ; votre voisinage") == []


def test_french_speaks_of_customers_and_helpers_without_a_gender():
    found = {
        message.msgid: words
        for message in messages("fr")
        for text in message.msgstrs
        if (words := french_people_as_men(text))
    }
    assert found == {}


# Italian does as French: a customer is "la cliente o il cliente" (customers "la clientela",
# "la persona che ha chiesto aiuto"), a helper "la persona aiutante" or "chi aiuta" (never "un
# aiutante", "ogni nuovo aiutante", "aiutanti verificati", "Aiutanti certificati", "altri
# aiutanti", "il primo che è libero"), neighbours "le persone del vicinato" and the manager
# "la gestione della comunità". "Ogni aiutante", "l’aiutante" and a bare "aiutanti" stay: the
# noun has one form for both genders and nothing agrees with it; "gli aiutanti", "degli
# aiutanti", "tutti gli aiutanti" and "questo aiutante" agree with men and become "le persone
# aiutanti", "ogni persona aiutante", "questa persona aiutante".
# Things keep their agreement ("Documenti verificati", "un lavoro vicino").
_IT_CUSTOMER = re.compile(
    r"\b(?:[Ii]l|[Dd]el|[Aa]l|[Dd]al|[Nn]el|[Ss]ul|[Uu]n|[Ii]|[Dd]ei|[Aa]i|[Dd]ai|[Ss]uoi)"
    r"\s+client[ei]\b"
)
_IT_HELPERS = re.compile(
    r"\b(?:[Uu]n(?:\s+altro)?|[Nn]essun|[Oo]gni\s+nuovo|[Ii]l\s+suo)\s+aiutante\b"
    r"|\b(?:[Nn]uov|[Aa]ltr|[Qq]uest|[Qq]uell)i\s+aiutanti\b|\b(?:[Qq]uest|[Qq]uell)o\s+aiutante\b"
    # The masculine article: "Solo gli aiutanti", "il codice degli aiutanti".
    r"|\b(?:[Gg]li|[Dd]egli|[Aa]gli|[Dd]agli|[Nn]egli|[Ss]ugli)\s+aiutanti\b"
    # A group of people with a masculine plural after it: "Aiutanti certificati", "Aiutanti a
    # portata esclusi", "clienti avvisati" ("persone aiutanti iscritte" agrees with "persone").
    r"|\b(?:[Aa]iutanti|[Cc]lienti|[Pp]ersone)\s+(?:a\s+portata\s+)?"
    r"(?:vicini|\w+(?:at|it|ut|us|es|ss|tt)i)\b|\baiutanti\s+(?:sono|vengono)\s+\w+(?:at|it|ut)i\b"
    r"|\b[Ii]l\s+primo\s+che\b|\bcandidat[oi]\b|\b(?:[Ii]|[Aa]i|[Dd]ai|[Dd]ei)\s+responsabili\b"
)
_IT_NEIGHBOURS = re.compile(
    r"(?:\b(?:[Ii]\s+suoi|[Uu]n|[Ii]|[Aa]i|[Dd]ai|[Dd]ei|[Ss]uoi)\s+|:\s+)vicin[oi]\b"
)


def italian_people_as_men(text: str) -> list[str]:
    """The words of an Italian `text` that speak of customers, helpers, neighbours or the
    community manager as men; "la cliente o il cliente" names both and is left out first."""
    neutral = _PAIRS["it"].sub("", text)
    return [
        match.group(0)
        for pattern in (_IT_CUSTOMER, _IT_HELPERS, _IT_NEIGHBOURS)
        for match in pattern.finditer(neutral)
    ]


def test_the_italian_people_check_sees_the_forms_it_looks_for():
    assert italian_people_as_men("Il cliente non c’era. Chiedere al cliente") == [
        "Il cliente",
        "al cliente",
    ]
    assert italian_people_as_men("negli orari del cliente; i clienti valutano") == [
        "del cliente",
        "i clienti",
    ]
    assert italian_people_as_men("dei clienti, ai clienti, un cliente che annulla") == [
        "dei clienti",
        "ai clienti",
        "un cliente",
    ]
    assert italian_people_as_men(
        "Chiediamo ad alcuni aiutanti verificati vicino a lei. Il primo che è libero accetta."
    ) == ["aiutanti verificati", "Il primo che"]
    assert italian_people_as_men("incontra ogni nuovo aiutante; Un altro aiutante") == [
        "ogni nuovo aiutante",
        "Un altro aiutante",
    ]
    assert italian_people_as_men("Aiutanti vicini ricevono; ogni candidato") == [
        "Aiutanti vicini",
        "candidato",
    ]
    assert italian_people_as_men(
        "Solo gli aiutanti; Richiesto a tutti gli aiutanti; Codice di condotta degli aiutanti"
    ) == ["gli aiutanti", "gli aiutanti", "degli aiutanti"]
    assert italian_people_as_men(
        "Questo aiutante non esiste; richieste e aiutanti sono contati dove abitano"
    ) == ["Questo aiutante", "aiutanti sono contati"]
    assert italian_people_as_men("lo leggono solo i responsabili della comunità") == [
        "i responsabili"
    ]
    assert italian_people_as_men("Aiuti i suoi vicini; aiuto dai vicini, da un vicino") == [
        "i suoi vicini",
        "dai vicini",
        "un vicino",
    ]
    assert italian_people_as_men("Quartier: vicini esperti di tecnologia") == [": vicini"]
    assert italian_people_as_men(
        "Aiutanti certificati per categoria; Aiutanti a portata esclusi; clienti avvisati"
    ) == ["Aiutanti certificati", "Aiutanti a portata esclusi", "clienti avvisati"]
    assert italian_people_as_men(
        "La richiesta viene offerta ad altri aiutanti. Perché questi aiutanti"
    ) == ["altri aiutanti", "questi aiutanti"]
    assert (
        italian_people_as_men(
            "Aiutanti con certificato; Persone aiutanti a portata escluse; persone iscritte"
        )
        == []
    )
    # Both genders named, people spoken of neutrally, and things, read as they are.
    assert italian_people_as_men("Alla cliente o al cliente viene chiesto; la clientela") == []
    assert (
        italian_people_as_men("La persona che ha chiesto aiuto; chi aiuta; la persona aiutante")
        == []
    )
    assert (
        italian_people_as_men("Ogni aiutante fissa una tariffa; le persone aiutanti seguono") == []
    )
    assert italian_people_as_men("Questa persona aiutante; persone aiutanti sono contate") == []
    assert (
        italian_people_as_men("Documenti verificati; un lavoro vicino; le persone del vicinato")
        == []
    )
    assert (
        italian_people_as_men("La gestione della comunità; la o il responsabile della comunità")
        == []
    )
    assert italian_people_as_men("L’ultimo giorno non può precedere il primo.") == []


def test_italian_speaks_of_customers_and_helpers_without_a_gender():
    found = {
        message.msgid: words
        for message in messages("it")
        for text in message.msgstrs
        if (words := italian_people_as_men(text))
    }
    assert found == {}


# One customer is one person, named as the catalogue names one: "la cliente ou le client", "la
# cliente o il cliente", the feminine first; in the role, "côté clientèle" and "come cliente".
# "La clientèle" and "la clientela" are the customers as a whole, never "the customer" of one
# visit ("à casa della clientela", "la clientela le deve una penale"). Nor does French agree
# with the pair in the masculine ("la cliente ou le client est invité") or mark it ("Seul·e").
_ONE_CUSTOMER = re.compile(
    r"\b[Tt]he customer(?:'s)?\b|\b[Aa] customer(?:'s| who)\b|\bas a customer\b|^Customer since$"
)
ONE_CUSTOMER_AS_ALL = {
    "fr": re.compile(
        r"\b[Ll]a clientèle\b|\bcomme clientèle\b|^Clientèle depuis\b"
        r"|\b(?:[Ll]e|[Dd]u|[Aa]u)\s+client\s+ou\s+(?:la|de la|à la)\s+cliente\b"
        r"|\bcliente\s+ou\s+(?:le\s+)?client\s+(?:est|a été|sera)\s+\w+é\b|\bSeul·e\b"
    ),
    "it": re.compile(
        r"\b(?:[Ll]a|[Dd]ella|[Aa]lla|[Dd]alla)\s+clientela\b|\bcome clientela\b"
        r"|\b(?:[Ii]l|[Dd]el|[Aa]l|[Dd]al)\s+cliente\s+o\s+(?:la|della|alla|dalla)\s+cliente\b"
    ),
}


def test_the_one_customer_check_sees_the_forms_it_looks_for():
    fr, it = ONE_CUSTOMER_AS_ALL["fr"], ONE_CUSTOMER_AS_ALL["it"]
    assert fr.findall("vous répondez sur la conduite à tenir chez la clientèle") == ["la clientèle"]
    assert fr.findall("annulations causées comme clientèle") == ["comme clientèle"]
    assert fr.findall("Clientèle depuis le") == ["Clientèle depuis"]
    assert fr.findall("La carte du client ou de la cliente ; Seul le client ou la cliente") == [
        "du client ou de la cliente",
        "le client ou la cliente",
    ]
    assert fr.findall("Merci ! La cliente ou le client est invité à valider.") == [
        "cliente ou le client est invité"
    ]
    assert fr.findall("Seul·e la cliente ou le client paie une visite.") == ["Seul·e"]
    assert it.findall("a casa della clientela; quindi la clientela le deve una penale") == [
        "della clientela",
        "la clientela",
    ]
    assert it.findall("Ritirata dalla clientela; annullamenti causati come clientela") == [
        "dalla clientela",
        "come clientela",
    ]
    assert it.findall("Solo il cliente o la cliente può dare una mancia") == [
        "il cliente o la cliente"
    ]
    assert fr.findall("Seule la cliente ou le client peut ; côté clientèle") == []
    assert fr.findall("Nous demandons à la cliente ou au client de valider la visite.") == []
    assert it.findall("a casa della cliente o del cliente; valutazioni come cliente") == []


@pytest.mark.parametrize("language", ["fr", "it"])
def test_one_customer_is_named_as_one_person(language):
    found = {
        message.msgid: words
        for message in messages(language)
        if _ONE_CUSTOMER.search(message.msgid)
        for text in message.msgstrs
        if (words := ONE_CUSTOMER_AS_ALL[language].findall(text))
    }
    assert found == {}
