"""Every write to the applicants' documents: uploading one (checked, stored encrypted),
a manager opening one (the access recorded first), and deleting them once the application is
decided (or a rolled-back upload left a file behind)."""

from __future__ import annotations

import calendar
import functools
import hashlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from backend import clock
from backend.config import config
from backend.exceptions import (
    CoreError,
    PermissionDenied,
    TooManyRequests,
    ValidationFailed,
    raises,
)
from backend.file_sizes import file_size_words
from backend.models import User
from helpers.documents import (
    DocumentUnreadable,
    check_upload,
    file_age,
    read_decrypted,
    remove_file,
    store_encrypted,
    stored_names,
)
from helpers.errors import HelperError
from helpers.exceptions import DocumentDeleted, DocumentsLocked
from helpers.models import (
    ApprovalStatus,
    DeletionCause,
    DocumentAccess,
    HelperDocument,
    HelperProfile,
)

# The steps at which an applicant may hand in (or replace) documents.
DOCUMENT_UPLOAD_STEPS = (ApprovalStatus.APPLIED, ApprovalStatus.NEEDS_INFORMATION)
# A criminal record extract must have been issued at most this many months before the upload.
EXTRACT_MAX_AGE_MONTHS = 3
# Files in the document directory that no row in force names, older than this, are left over
# from an upload whose transaction rolled back (or a crash): the deletion task removes them.
ORPHAN_FILE_AGE = timedelta(hours=1)


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier (the month's last day when it is shorter)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last_day))


def _check_issued_on(kind: str, issued_on: date | None) -> None:
    today = timezone.localdate(clock.now())
    if issued_on is not None and issued_on > today:
        raise ValidationFailed.for_field(
            "issued_on", _("The issue date lies in the future."), code=HelperError.ISSUED_IN_FUTURE
        )
    if kind != HelperDocument.Kind.CRIMINAL_RECORD_EXTRACT:
        return
    if issued_on is None:
        raise ValidationFailed.for_field(
            "issued_on",
            _("Give the date the criminal record extract was issued."),
            code=HelperError.ISSUED_ON_REQUIRED,
        )
    if issued_on < months_before(today, EXTRACT_MAX_AGE_MONTHS):
        raise ValidationFailed.for_field(
            "issued_on",
            _("The criminal record extract must be at most 3 months old: order a new one."),
            code=HelperError.EXTRACT_TOO_OLD,
        )


# The window in which an applicant's uploads are counted (QUARTIER_DOCUMENT_UPLOADS_PER_DAY).
UPLOAD_WINDOW = timedelta(hours=24)


@raises(HelperError.TOO_MANY_UPLOADS)
def _check_uploads_today(helper: HelperProfile, *, now: datetime) -> None:
    """Refuse an upload past the applicant's allowance within UPLOAD_WINDOW (every upload
    stored counts, replaced ones too). The caller holds the applicant's row lock."""
    recent = HelperDocument.objects.filter(helper=helper, uploaded_at__gt=now - UPLOAD_WINDOW)
    if recent.count() >= config().document_uploads_per_day:
        message = _(
            "You have uploaded documents too many times within 24 hours. Try again in a day, "
            "or ask the community manager for help."
        )
        raise TooManyRequests(
            message, code=HelperError.TOO_MANY_UPLOADS, fields={"file": [message]}
        )


@raises(HelperError.DOCUMENTS_TOO_LARGE_IN_TOTAL)
def _check_total_size(helper: HelperProfile, *, kind: str, size: int) -> None:
    """Refuse an upload that would make the applicant's documents in force larger together
    than QUARTIER_DOCUMENT_BYTES_PER_APPLICANT (the document it replaces not counted)."""
    kept = (
        HelperDocument.objects.filter(helper=helper, deleted_at__isnull=True)
        .exclude(kind=kind)
        .aggregate(total=Sum("size_bytes"))["total"]
        or 0
    )
    limit = config().document_bytes_per_applicant
    if kept + size > limit:
        raise ValidationFailed.for_field(
            "file",
            _("Your documents together would be larger than %(size)s: upload a smaller file.")
            % {"size": file_size_words(limit)},
            code=HelperError.DOCUMENTS_TOO_LARGE_IN_TOTAL,
        )


def _clean_file_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:120]


@transaction.atomic
@raises(
    HelperError.NOT_YOUR_APPLICATION,
    CoreError.INVALID_CHOICE,
    HelperError.DOCUMENTS_LOCKED,
    HelperError.ISSUED_IN_FUTURE,
    HelperError.ISSUED_ON_REQUIRED,
    HelperError.EXTRACT_TOO_OLD,
    check_upload,
    _check_uploads_today,
    _check_total_size,
)
def document_upload(
    *,
    helper: HelperProfile,
    actor: User,
    kind: str,
    content: bytes,
    declared_type: str = "",
    original_name: str = "",
    issued_on: date | None = None,
) -> HelperDocument:
    """The applicant uploads one of their documents, replacing an earlier one of that kind.

    Only while the application waits for documents (applied, or more information asked for),
    within the applicant's allowance of uploads a day and of bytes stored
    (QUARTIER_DOCUMENT_UPLOADS_PER_DAY, QUARTIER_DOCUMENT_BYTES_PER_APPLICANT). The file is
    checked (`helpers.documents.check_upload`) and stored encrypted; nothing is stored when
    any check fails. The replaced file is deleted after commit.
    """
    if actor.pk != helper.user_id:
        raise PermissionDenied(
            _("This is not your application."), code=HelperError.NOT_YOUR_APPLICATION
        )
    if kind not in HelperDocument.Kind.values:
        raise ValidationFailed.for_field(
            "kind", _("Unknown kind of document."), code=CoreError.INVALID_CHOICE
        )
    helper = HelperProfile.objects.select_for_update().get(pk=helper.pk)
    if helper.approval_status not in DOCUMENT_UPLOAD_STEPS:
        raise DocumentsLocked(
            _("Documents can be handed in only while the application waits for them.")
        )
    now = clock.now()
    _check_uploads_today(helper, now=now)
    _check_issued_on(kind, issued_on)
    checked = check_upload(content, declared_type=declared_type)
    _check_total_size(helper, kind=kind, size=len(checked.content))
    replaced = list(
        HelperDocument.objects.select_for_update().filter(
            helper=helper, kind=kind, deleted_at__isnull=True
        )
    )
    HelperDocument.objects.filter(pk__in=[d.pk for d in replaced]).update(
        deleted_at=now, deletion_cause=DeletionCause.REPLACED
    )
    storage_name = store_encrypted(checked.content)
    try:
        document = HelperDocument.objects.create(
            helper=helper,
            kind=kind,
            content_type=checked.content_type,
            size_bytes=len(checked.content),
            original_name=_clean_file_name(original_name),
            issued_on=issued_on,
            sha256=hashlib.sha256(checked.content).hexdigest(),
            storage_name=storage_name,
            uploaded_at=now,
        )
    except Exception:
        remove_file(storage_name)
        raise
    for old in replaced:
        transaction.on_commit(functools.partial(remove_file, old.storage_name))
    return document


@transaction.atomic
@raises(HelperError.MANAGER_ONLY, HelperError.DOCUMENT_DELETED)
def document_open(
    *, document: HelperDocument, manager: User, ip_address: str | None = None
) -> bytes:
    """A manager reads an applicant's document: the access is recorded first, then the
    decrypted bytes are returned. Nobody else reads documents."""
    if not manager.is_staff:
        raise PermissionDenied(
            _("Only the community manager opens applicants' documents."),
            code=HelperError.MANAGER_ONLY,
        )
    document = HelperDocument.objects.get(pk=document.pk)
    if document.deleted_at is not None:
        raise DocumentDeleted(_("This document has been deleted."))
    DocumentAccess.objects.create(document=document, manager=manager, ip_address=ip_address)
    try:
        return read_decrypted(document.storage_name)
    except DocumentUnreadable as exc:
        raise DocumentDeleted(_("This document can no longer be read.")) from exc


def documents_schedule_deletion(*, helper_ids: Sequence[int]) -> datetime | None:
    """The applications of `helper_ids` were just decided: their documents are deleted after
    QUARTIER_DOCUMENT_RETENTION_DAYS. Returns when (None: no document waits). Run it in the
    transaction of the decision."""
    due = clock.now() + timedelta(days=config().document_retention_days)
    updated = HelperDocument.objects.filter(
        helper_id__in=helper_ids, deleted_at__isnull=True, delete_after__isnull=True
    ).update(delete_after=due)
    return due if updated else None


def documents_delete_due() -> int:
    """Delete every document whose time has come, and files no document in force names
    (left by a rolled-back upload). The rows stay, marked deleted. Returns how many documents
    were deleted."""
    now = clock.now()
    deleted = 0
    due = HelperDocument.objects.filter(deleted_at__isnull=True, delete_after__lte=now)
    for pk in list(due.order_by("pk").values_list("pk", flat=True)):
        with transaction.atomic():
            document = (
                HelperDocument.objects.select_for_update()
                .filter(pk=pk, deleted_at__isnull=True)
                .first()
            )
            if document is None:
                continue
            document.deleted_at = now
            document.deletion_cause = DeletionCause.RETENTION
            document.save(update_fields=["deleted_at", "deletion_cause"])
            transaction.on_commit(functools.partial(remove_file, document.storage_name))
            deleted += 1
    in_force = set(
        HelperDocument.objects.filter(deleted_at__isnull=True).values_list(
            "storage_name", flat=True
        )
    )
    for name in sorted(stored_names() - in_force):
        if file_age(name) > ORPHAN_FILE_AGE:
            remove_file(name)
    return deleted
