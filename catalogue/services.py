"""Writes of the legal documents: publishing a version, and accepting one.

A version is stored published and never changed: a change is a new version. Acceptances are
append-only rows holding the SHA-256 of exactly the text that was shown.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from backend.exceptions import CoreError, PermissionDenied, ValidationFailed, raises
from backend.models import User
from backend.outbox import emit
from backend.texts import visible_text
from catalogue.errors import CatalogueError
from catalogue.events import LegalTermsAccepted, LegalVersionPublished
from catalogue.exceptions import LegalVersionNotCurrent, TextHashMismatch
from catalogue.models import (
    LEGAL_LANGUAGES,
    LegalAcceptance,
    LegalDocument,
    LegalDocumentVersion,
)

MAX_TEXT_CHARS = 50_000
MAX_USER_AGENT_CHARS = 300


@transaction.atomic
@raises(CatalogueError.MANAGER_ONLY, CatalogueError.TEXT_REQUIRED, CoreError.MAX_LENGTH)
def legal_version_publish(
    *,
    document: LegalDocument,
    actor: User,
    titles: Mapping[str, str],
    texts: Mapping[str, str],
) -> LegalDocumentVersion:
    """The community manager publishes a new version, in every language at once. It is
    current from now on; earlier acceptances stay records of what was accepted then."""
    if not actor.is_staff:
        raise PermissionDenied(
            _("Only the community manager publishes legal documents."),
            code=CatalogueError.MANAGER_ONLY,
        )
    for language in LEGAL_LANGUAGES:
        if not titles.get(language, "").strip():
            raise ValidationFailed.for_field(
                f"title_{language}",
                _("A title in every language."),
                code=CatalogueError.TEXT_REQUIRED,
            )
        if not texts.get(language, "").strip():
            raise ValidationFailed.for_field(
                f"text_{language}",
                _("The text in every language."),
                code=CatalogueError.TEXT_REQUIRED,
            )
        if len(texts[language]) > MAX_TEXT_CHARS:
            raise ValidationFailed.for_field(
                f"text_{language}",
                _("At most %(count)d characters.") % {"count": MAX_TEXT_CHARS},
                code=CoreError.MAX_LENGTH,
            )
    LegalDocument.objects.select_for_update().get(pk=document.pk)
    last = LegalDocumentVersion.objects.filter(document=document).aggregate(n=Max("number"))["n"]
    version = LegalDocumentVersion.objects.create(
        document=document,
        number=(last or 0) + 1,
        published_by=actor,
        **{f"title_{language}": titles[language].strip() for language in LEGAL_LANGUAGES},
        **{f"text_{language}": texts[language] for language in LEGAL_LANGUAGES},
    )
    emit(
        LegalVersionPublished(
            document_id=document.pk,
            version_id=version.pk,
            kind=document.kind,
            number=version.number,
        )
    )
    return version


@transaction.atomic
@raises(
    CoreError.INVALID_CHOICE,
    CatalogueError.WAIVER_VERSION_NOT_CURRENT,
    CatalogueError.TEXT_HASH_MISMATCH,
    visible_text,
)
def legal_accept(
    *,
    user: User,
    version: LegalDocumentVersion,
    language: str,
    text_sha256: str,
    ip_address: str | None = None,
    user_agent: str = "",
    on_behalf_name: str = "",
) -> LegalAcceptance:
    """`user` accepts `version` as shown to them in `language`.

    Only the current version can be accepted, and `text_sha256` must be the SHA-256 of
    exactly its text in that language (what the client displayed): a text changed on the way,
    or a stale page, stores nothing.
    """
    if language not in LEGAL_LANGUAGES:
        raise ValidationFailed.for_field(
            "language", _("One of de, fr, it, en."), code=CoreError.INVALID_CHOICE
        )
    newest = (
        LegalDocumentVersion.objects.filter(document_id=version.document_id)
        .order_by("-number")
        .values_list("pk", flat=True)
        .first()
    )
    if newest != version.pk:
        raise LegalVersionNotCurrent(
            _("A newer version of this document is in force: read and accept that one.")
        )
    if text_sha256.strip().lower() != version.sha256_in(language):
        raise TextHashMismatch(
            _("The text shown is not this version's text."),
            fields={"text_sha256": [_("Does not match the version's text in this language.")]},
        )
    on_behalf_name = visible_text(on_behalf_name, field="on_behalf_name", required=False)[:80]
    acceptance = LegalAcceptance.objects.create(
        user=user,
        version=version,
        language=language,
        text_sha256=version.sha256_in(language),
        ip_address=ip_address,
        user_agent=user_agent[:MAX_USER_AGENT_CHARS],
        on_behalf_name=on_behalf_name,
    )
    emit(LegalTermsAccepted(user_id=user.pk, version_id=version.pk, kind=version.document.kind))
    return acceptance


@transaction.atomic
@raises(legal_accept)
def legal_accept_all(
    *,
    user: User,
    shown: Mapping[LegalDocumentVersion, str],
    language: str,
    ip_address: str | None = None,
    user_agent: str = "",
    on_behalf_name: str = "",
) -> list[LegalAcceptance]:
    """`user` accepts the versions shown together on one page, each with the SHA-256 of the
    text shown: all of them, or (one refused) none."""
    return [
        legal_accept(
            user=user,
            version=version,
            language=language,
            text_sha256=text_sha256,
            ip_address=ip_address,
            user_agent=user_agent,
            on_behalf_name=on_behalf_name,
        )
        for version, text_sha256 in shown.items()
    ]
