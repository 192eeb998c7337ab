"""What every academy service checks: who acts, and texts written in every language."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _

from academy.errors import AcademyError
from academy.models import (
    ACADEMY_LANGUAGES,
)
from backend.exceptions import (
    CoreError,
    PermissionDenied,
    ValidationFailed,
    raises,
)
from backend.models import User
from backend.texts import visible_text
from helpers.models import HelperProfile

REASON_MAX_LENGTH = 500


def require_manager(actor: User) -> None:
    if not actor.is_staff:
        raise PermissionDenied(
            _("Only the community manager does this."), code=AcademyError.MANAGER_ONLY
        )


def require_own(helper: HelperProfile, actor: User) -> None:
    if actor.pk != helper.user_id:
        raise PermissionDenied(
            _("This is not your helper profile."), code=AcademyError.NOT_A_HELPER
        )


@raises(CoreError.FORBIDDEN_CHARACTERS, CoreError.NOTHING_VISIBLE)
def translated(
    texts: Mapping[str, str],
    where: str,
    *,
    limit: int,
    required: bool = True,
    one_line: bool = False,
) -> dict[str, str]:
    """The text in every language, stripped, each within `limit` characters.

    A title (`one_line`) is also a `visible_text` without line breaks: it becomes the subject
    of e-mails, where a line break would start a header of its own."""
    cleaned = {}
    for language in ACADEMY_LANGUAGES:
        text = str(texts.get(language, "")).strip()
        if one_line:
            text = visible_text(text, field=f"{where}_{language}", required=False)
        if required and not text:
            raise ValidationFailed.for_field(
                f"{where}_{language}",
                _("Write the text in every language."),
                code=AcademyError.COURSE_TEXT_REQUIRED,
            )
        if len(text) > limit:
            raise ValidationFailed.for_field(
                f"{where}_{language}",
                _("At most %(limit)d characters.") % {"limit": limit},
                code=CoreError.MAX_LENGTH,
            )
        cleaned[language] = text
    return cleaned


def https_link(url: str, where: str, *, limit: int, code: str) -> str:
    """An optional https:// link, stripped, within `limit` characters (its column's length):
    anything else is refused with `where` named."""
    url = url.strip()
    if url and not url.startswith("https://"):
        raise ValidationFailed.for_field(where, _("Give an https:// link."), code=code)
    if len(url) > limit:
        raise ValidationFailed.for_field(
            where,
            _("At most %(limit)d characters.") % {"limit": limit},
            code=CoreError.MAX_LENGTH,
        )
    return url


def columns(name: str, texts: Mapping[str, str]) -> dict[str, str]:
    return {f"{name}_{language}": text for language, text in texts.items()}


def reason_given(reason: str) -> str:
    """A reason the helper is told: a text others read (`visible_text`: no control characters
    or direction overrides, something visible), not empty, within REASON_MAX_LENGTH."""
    reason = visible_text(
        reason, field="reason", required=False, multiline=True, max_length=REASON_MAX_LENGTH
    )
    if not reason:
        raise ValidationFailed.for_field("reason", _("Say why."), code=CoreError.REASON_REQUIRED)
    return reason
