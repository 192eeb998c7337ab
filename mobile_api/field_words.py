"""DRF's messages for a field sent wrong, in Quartier's words.

DRF's own German, French and Italian say some of them wrongly or otherwise than Quartier does:
Italian calls an empty text "omitted" ("non può essere omesso") and a wrong date-time
"L'oggetto di tipo datetime"; German and Italian speak to the reader as "du" and "tu"
("Stelle sicher", "Assicurati"), where Quartier says "Sie" and "Lei"; French writes
"n'est" with a typewriter's apostrophe. Quartier's catalogue (`locale/`, which Django reads
before DRF's) translates these messages anew, in the four languages, the number of characters
as the services say it ("Use at most 300 characters."). They are listed here, in DRF's English
as DRF writes them, so that the catalogue keeps them when it is brought up to date; a test
checks that DRF still writes each so.

DRF's "This field is required." is left to DRF and Django, whose translations say it well and
whose forms share it.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

# Each message by the field and key DRF takes it from (`default_error_messages`).
FIELD_MESSAGES: dict[tuple[str, str], str] = {
    ("CharField", "blank"): gettext_noop("This field may not be blank."),
    ("Field", "null"): gettext_noop("This field may not be null."),
    ("CharField", "max_length"): gettext_noop(
        "Ensure this field has no more than {max_length} characters."
    ),
    ("ChoiceField", "invalid_choice"): gettext_noop('"{input}" is not a valid choice.'),
    ("IntegerField", "invalid"): gettext_noop("A valid integer is required."),
    ("FloatField", "invalid"): gettext_noop("A valid number is required."),
    ("DateTimeField", "invalid"): gettext_noop(
        "Datetime has wrong format. Use one of these formats instead: {format}."
    ),
    # A value of the wrong type, a list too long or too short, a number out of bounds: DRF's
    # Italian leaves them in English, its German says "du" (and "größer").
    ("CharField", "invalid"): gettext_noop("Not a valid string."),
    ("BooleanField", "invalid"): gettext_noop("Must be a valid boolean."),
    ("UUIDField", "invalid"): gettext_noop("Must be a valid UUID."),
    ("ListField", "max_length"): gettext_noop(
        "Ensure this field has no more than {max_length} elements."
    ),
    ("ListField", "min_length"): gettext_noop(
        "Ensure this field has at least {min_length} elements."
    ),
    ("DateTimeField", "overflow"): gettext_noop("Datetime value out of range."),
    ("IntegerField", "min_value"): gettext_noop(
        "Ensure this value is greater than or equal to {min_value}."
    ),
    ("IntegerField", "max_value"): gettext_noop(
        "Ensure this value is less than or equal to {max_value}."
    ),
    # A number of more than a thousand digits: "Stringa troppo lunga", "Zeichenkette zu lang".
    ("IntegerField", "max_string_length"): gettext_noop("String value too large."),
}

# DRF's messages kept elsewhere than a field's `default_error_messages`, by the class and the
# attribute DRF keeps them in: a text with half of a surrogate pair (Italian left in English),
# and the answer to too many requests ("Expected available in 5 seconds." in Italian, "Erwarte
# Verfügbarkeit" in German). DRF translates each half of the throttled answer on its own.
OTHER_MESSAGES: dict[tuple[str, str], str] = {
    ("ProhibitSurrogateCharactersValidator", "message"): gettext_noop(
        "Surrogate characters are not allowed: U+{code_point:X}."
    ),
    ("Throttled", "default_detail"): gettext_noop("Request was throttled."),
    ("Throttled", "extra_detail_singular"): gettext_noop("Expected available in {wait} second."),
    ("Throttled", "extra_detail_plural"): gettext_noop("Expected available in {wait} seconds."),
}
