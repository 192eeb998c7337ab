"""The languages people speak and ask for: de, fr, it, en."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from backend.exceptions import CoreError, ErrorCode, ValidationFailed, raises
from backend.models import LANGUAGE_CODES


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
