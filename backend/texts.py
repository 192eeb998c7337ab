"""Texts people write for other people to read: names, notes, descriptions, reviews.

Every service that stores such a text passes it through `visible_text`, so that what another
user sees is what its author typed: normalised (NFC, so that "é" typed two ways is one text),
free of control characters (terminal escapes) and of the bidirectional overrides and isolates
that make text display in another order than it is stored, and not invisible (a zero-width
space alone is no name).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _

from backend.exceptions import CoreError, ValidationFailed, raises

# A phone number as people write it: digits, spaces, brackets, slashes and hyphens, perhaps a
# leading +.
PHONE_RE = re.compile(r"^\+?[0-9 ()/-]{7,20}$")

# Embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI). The marks LRM, RLM
# and ALM change no order of their own and stay allowed: right-to-left names need them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern): alone they
# would pass for a name.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Categories that draw nothing by themselves: separators, controls, format characters (zero-width
# space, joiners), surrogates and combining marks.
INVISIBLE_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Mn", "Me"})

# Django's check, which its text fields and DRF's run: a NUL byte is "null_characters_not_allowed".
NULL_CHARACTERS = ProhibitNullCharactersValidator()


def refuse_null_characters(value: object) -> None:
    """Refuse a value sent with a NUL byte (Django's `ValidationError`, code
    `null_characters_not_allowed`), before it is read as a date-time: Python's reader stops at
    the NUL ("2026-12-13T14:00\\x00" would read as 14:00), so the web's time pickers and the
    API's date-times refuse it here, as their text fields do."""
    NULL_CHARACTERS(value)


def _refused_character(text: str, *, multiline: bool) -> str | None:
    allowed_controls = "\n\t" if multiline else ""
    for character in text:
        if character in BIDI_CONTROLS:
            return character
        category = unicodedata.category(character)
        if category == "Cc" and character not in allowed_controls:
            return character
        if category == "Cs":  # a lone surrogate, from a JSON escape such as "\ud800"
            return character
    return None


@raises(CoreError.FORBIDDEN_CHARACTERS, CoreError.NOTHING_VISIBLE, CoreError.MAX_LENGTH)
def visible_text(
    value: str,
    *,
    field: str,
    required: bool = True,
    multiline: bool = False,
    max_length: int | None = None,
) -> str:
    """`value` normalised (NFC, outer white space removed), or ValidationFailed for `field`.

    Refused with `forbidden_characters`: control characters (line breaks and tabs are allowed
    when `multiline`), bidirectional embeddings, overrides and isolates, lone surrogates.
    Refused with `nothing_visible`: a text with no visible character (an empty one too, when
    `required`). Refused with `max_length`: longer than `max_length` once normalised.
    """
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    if _refused_character(text, multiline=multiline) is not None:
        raise ValidationFailed.for_field(
            field,
            _(
                "Use visible characters only: control characters and text-direction overrides "
                "are not allowed."
            ),
            code=CoreError.FORBIDDEN_CHARACTERS,
        )
    if not text and not required:
        return ""
    if not any(
        unicodedata.category(character) not in INVISIBLE_CATEGORIES
        and character not in BLANK_LETTERS
        for character in text
    ):
        raise ValidationFailed.for_field(
            field, _("Write something visible."), code=CoreError.NOTHING_VISIBLE
        )
    if max_length is not None and len(text) > max_length:
        raise ValidationFailed.for_field(
            field,
            _("Use at most %(count)d characters.") % {"count": max_length},
            code=CoreError.MAX_LENGTH,
        )
    return text


@raises(CoreError.INVALID_PHONE)
def phone_number(value: str, *, field: str) -> str:
    """A phone number that another person will call, stripped; "" when none is given.

    Refused with `invalid_phone`: anything but digits, spaces, ( ) / - and a leading +, or
    fewer than 7 or more than 20 of them (a text, a link or a hidden direction override would
    otherwise reach the other side as the number to call)."""
    phone = value.strip()
    if phone and not PHONE_RE.match(phone):
        raise ValidationFailed.for_field(
            field,
            # Said with what to write instead: a person who typed a name or a word sees how
            _(
                "This is not a phone number. Write it with digits, "
                "for example 091 123 45 67 or +41 79 123 45 67."
            ),
            code=CoreError.INVALID_PHONE,
        )
    return phone
