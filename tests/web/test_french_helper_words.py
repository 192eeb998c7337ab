"""French names the person who helps as the catalogue does, without a gender: "la personne
aidante", "une personne aidante". "L’aide" reads as "the help" and hides nothing of the
person's gender only by chance, and "un aide", "cette aide", "aucune aide" give the helper one.
The helper's profile, account or application is the helper's too, "le profil de personne
aidante": "le profil d’aide" reads as a profile of help."""

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


# What belongs to the helper, named as a thing of help ("profil d’aide", "compte d’aide").
_HELPERS_THING_AS_HELP = re.compile(
    r"\b(?:[Pp]rofils?|[Cc]omptes?|[Cc]andidatures?|[Pp]ages?|[Tt]emps)\s+d’aide\b"
)


def test_the_check_sees_the_helpers_profile_named_as_help():
    assert [
        text
        for text in (
            "Ce n’est pas votre profil d’aide.",
            "Votre compte d’aide est suspendu",
            "Suspendre %(counter)s profils d’aide",
            "Candidature d’aide",
            "Quartier lui demande, sur sa page d’aide, de terminer.",
            "Votre profil de personne aidante est enregistré.",
            "Votre compte de personne aidante est suspendu",
            "Vous pouvez de nouveau recevoir des demandes d’aide.",
            "Pour quoi avez-vous besoin d’aide ?",
        )
        if _HELPERS_THING_AS_HELP.search(text)
    ] == [
        "Ce n’est pas votre profil d’aide.",
        "Votre compte d’aide est suspendu",
        "Suspendre %(counter)s profils d’aide",
        "Candidature d’aide",
        "Quartier lui demande, sur sa page d’aide, de terminer.",
    ]


def test_french_names_the_helpers_profile_and_account_as_the_helpers():
    named_as_help = {
        message.msgid: text
        for message in messages("fr")
        for text in message.msgstrs
        if _HELPERS_THING_AS_HELP.search(text)
    }
    assert named_as_help == {}


# Helpers in the plural are "les personnes aidantes", as the catalogue names one helper: "les
# aides", "des aides", "d’autres aides" read as help handed out, and "Seul·es les aides" marks
# the gender with a point médian, which the catalogue does nowhere else.
_HELPERS_AS_AIDES = re.compile(
    r"\b(?:[Ll]es|[Dd]es|[Cc]es|[Qq]uelques|autres|comme)\s+aides\b|%\(\w+\)d\s+aides?\b|\bd’aides\b"
    r"|^Aides\b"
)
_INCLUSIVE_POINT = re.compile(r"\w·\w")


def test_the_check_sees_helpers_named_as_aides():
    assert [
        text
        for text in (
            "Seul·es les aides ont un compte de versement.",
            "Nous sollicitons des aides près de chez vous.",
            "La demande est proposée à d’autres aides.",
            "Nous avons sollicité %(count)d aides près de chez vous.",
            "Nous avons sollicité %(count)d aide près de chez vous.",
            "Quartier a besoin d’aides ici.",
            "Aides ayant la compétence",
            "Personnes validées comme aides, par localité",
            "Seules les personnes aidantes ont un compte de versement.",
            "Tous les horaires sont passés sans aide.",
            "Si vous avez encore besoin d’aide, faites une demande.",
        )
        if _HELPERS_AS_AIDES.search(text)
    ] == [
        "Seul·es les aides ont un compte de versement.",
        "Nous sollicitons des aides près de chez vous.",
        "La demande est proposée à d’autres aides.",
        "Nous avons sollicité %(count)d aides près de chez vous.",
        "Nous avons sollicité %(count)d aide près de chez vous.",
        "Quartier a besoin d’aides ici.",
        "Aides ayant la compétence",
        "Personnes validées comme aides, par localité",
    ]
    assert _INCLUSIVE_POINT.findall("Seul·es les aides ; Seul·e un·e aide suspendu·e") == [
        "l·e",
        "l·e",
        "n·e",
        "u·e",
    ]
    assert _INCLUSIVE_POINT.findall("%(when)s · dans un rayon de %(radius)s km") == []


def test_french_names_helpers_as_personnes_aidantes():
    as_aides = {
        message.msgid: text
        for message in messages("fr")
        if _NAMES_THE_HELPER.search(message.msgid)
        for text in message.msgstrs
        if _HELPERS_AS_AIDES.search(text)
    }
    assert as_aides == {}


def test_french_marks_no_gender_with_a_point_median():
    marked = {
        message.msgid: text
        for message in messages("fr")
        for text in message.msgstrs
        if _INCLUSIVE_POINT.search(text)
    }
    assert marked == {}
