"""The languages people speak and ask for (de, fr, it, en), and the one a reader is answered in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, trans_real

from backend.exceptions import CoreError, ErrorCode, ValidationFailed, raises
from backend.models import LANGUAGE_CODES

# The languages Quartier speaks, in the reader's words (a user's languages are stored as codes).
LANGUAGE_NAMES: dict[str, str | Promise] = {
    "de": gettext_lazy("German"),
    "fr": gettext_lazy("French"),
    "it": gettext_lazy("Italian"),
    "en": gettext_lazy("English"),
}


def language_names(codes: Iterable[str]) -> str:
    """Language codes (de, fr, …) as the reader's words for them: "German, French"; a code
    Quartier does not know stays as it is."""
    return ", ".join(str(LANGUAGE_NAMES.get(code, code)) for code in codes)


@raises(CoreError.LANGUAGES_REQUIRED, CoreError.INVALID_LANGUAGE)
def validate_languages(
    languages: Sequence[str],
    *,
    field: str = "languages",
    empty_code: ErrorCode = CoreError.LANGUAGES_REQUIRED,
) -> list[str]:
    """The distinct codes in the order of `Language`; refuses an empty list (`empty_code`: a
    request asks for `languages_required`, a profile keeps `invalid_language`) and unknown
    codes (`invalid_language`)."""
    if not languages:
        raise ValidationFailed.for_field(field, _("Choose at least one language."), code=empty_code)
    unknown = sorted(set(languages) - set(LANGUAGE_CODES))
    if unknown:
        raise ValidationFailed.for_field(
            field,
            _("Unknown language: %(codes)s.") % {"codes": ", ".join(unknown)},
            code=CoreError.INVALID_LANGUAGE,
        )
    return sorted(set(languages), key=LANGUAGE_CODES.index)


def language_asked(accept_language: str) -> str | None:
    """The first of Quartier's languages an Accept-Language header asks for, by preference;
    None when it asks for none of them (or there is no header)."""
    for asked, _quality in trans_real.parse_accept_lang_header(accept_language):
        if asked == "*":
            continue
        try:
            return translation.get_supported_language_variant(asked)
        except LookupError:
            continue
    return None


def reader_language(*, accept_language: str, user: Any) -> str | None:
    """The language to answer a reader in: the one the request asks for (Accept-Language),
    else the one stored on the logged-in user; None leaves Django's choice."""
    asked = language_asked(accept_language)
    if asked is not None:
        return asked
    if user is not None and user.is_authenticated and user.preferred_language:
        return str(user.preferred_language)
    return None
