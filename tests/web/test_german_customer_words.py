"""German names the one customer of a request, an offer or a visit "die Kundin oder der Kunde",
as the rest of the catalogue does, never "die Kundschaft" (the whole customer base): the
helper's visit page said "Die Zeiten der Kundschaft" above "Die Kundin oder der Kunde hat um
andere Zeiten gebeten". And the community manager is "das Community-Management" everywhere,
where the visit page said "Den Community-Verantwortlichen ein Problem melden"."""

from __future__ import annotations

import re

from tests.gettext_catalogue import messages

# A msgid about the one customer of a request, an offer or a visit.
THE_CUSTOMER = re.compile(r"\b[Tt]he customer\b")
# The community manager named otherwise than "Community-Management".
OTHER_MANAGER_NAMES = re.compile(r"Verantwortlich|Community-Manager(?:in)?\b")


def _german() -> dict[str, list[str]]:
    return {message.msgid: message.msgstrs for message in messages("de")}


def test_the_check_sees_the_msgids_about_the_one_customer():
    assert THE_CUSTOMER.search("The customer's times")
    assert THE_CUSTOMER.search("Write to the customer here.")
    assert not THE_CUSTOMER.search("Customer since")
    assert not THE_CUSTOMER.search("cancellations caused as a customer")
    assert not THE_CUSTOMER.search("your customers' addresses")


def test_the_one_customer_is_never_the_whole_customer_base():
    wrong = {
        msgid: texts
        for msgid, texts in _german().items()
        if THE_CUSTOMER.search(msgid) and any("Kundschaft" in text for text in texts)
    }
    assert wrong == {}


def test_the_helper_pages_name_the_one_customer_alike():
    german = _german()
    assert [
        german[msgid][0]
        for msgid in (
            "The customer's times",
            "The customer expects you around %(time)s.",
            "The customer confirmed a time",
            "The customer was not there",
            "You speak the customer's language",
        )
    ] == [
        "Die Zeiten der Kundin oder des Kunden",
        "Die Kundin oder der Kunde erwartet Sie gegen %(time)s.",
        "Die Kundin oder der Kunde hat eine Zeit bestätigt",
        "Die Kundin oder der Kunde war nicht da",
        "Sie sprechen die Sprache der Kundin oder des Kunden",
    ]


def test_the_community_manager_has_one_german_name():
    german = _german()
    wrong = {
        msgid: texts
        for msgid, texts in german.items()
        if any(OTHER_MANAGER_NAMES.search(text) for text in texts)
    }
    assert wrong == {}
    assert german["Report a problem to the community manager"] == [
        "Dem Community-Management ein Problem melden"
    ]
