"""The codes of an applicant's document upload (a multipart form): the file or the form made
wrong one way at a time (used by tests/api/test_every_code_provoked.py)."""

from __future__ import annotations

import zlib
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from helpers.documents import _MAX_INFLATED_BYTES
from helpers.models import ApprovalStatus, HelperProfile
from tests.api.code_recipes import Call, Operation, World, token_of
from tests.api.domain_recipes import V1, Recipe, _add
from tests.factories import PDF_BYTES

UPLOAD = ("post", V1 + "/helper/application/documents")
KEEP = object()


def _pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog " + body + b" >> endobj\ntrailer\n%%EOF\n"


def _inflating(size: int) -> bytes:
    packed = zlib.compress(b"\0" * size)
    return (
        b"%PDF-1.7\n4 0 obj << /Type /ObjStm /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b" >>\nstream\n"
        + packed
        + b"\nendstream\nendobj\n%%EOF\n"
    )


def upload(
    content: bytes = PDF_BYTES,
    *,
    step: str = ApprovalStatus.APPLIED,
    content_type: str = "application/pdf",
    name: str = "extract.pdf",
    max_bytes: int | None = None,
    times: int = 1,
    limits: dict[str, int] | None = None,
    **form: Any,
) -> Recipe:
    """The applicant (at `step`) uploads a criminal record extract `times` times (the last
    answer counts): `form` changes the fields (None leaves one out), `limits` Quartier's
    settings."""

    def recipe(world: World, operation: Operation) -> Any:
        HelperProfile.objects.filter(pk=world.helper.pk).update(approval_status=step)
        issued = (timezone.localdate() - timedelta(days=20)).isoformat()
        data: dict[str, Any] = {
            "kind": "criminal_record_extract",
            "file": SimpleUploadedFile(name, content, content_type=content_type),
            "issued_on": issued,
        }
        for key, value in form.items():
            if value is None:
                data.pop(key)
            else:
                data[key] = value
        client = APIClient(raise_request_exception=False)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_of(world.helper.user)}")
        config = settings.QUARTIER.with_values(**(limits or {}))
        if max_bytes is not None:
            config = config.with_values(DOCUMENT_MAX_BYTES=max_bytes)
        with override_settings(QUARTIER=config):
            for _ in range(times - 1):
                client.post(
                    operation[1], {**data, "file": _again(data["file"])}, format="multipart"
                )
            return client.post(operation[1], data, format="multipart")

    return recipe


def _again(upload: SimpleUploadedFile) -> SimpleUploadedFile:
    """The same file once more (an uploaded file is read once)."""
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    return SimpleUploadedFile(upload.name or "", content, content_type=upload.content_type or "")


def _days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


_add(
    *UPLOAD,
    {
        (400, "content_type_mismatch"): upload(content_type="image/png"),
        (400, "empty_file"): upload(b""),
        (400, "extract_too_old"): lambda w, o: upload(issued_on=_days(-400))(w, o),
        (400, "issued_in_future"): lambda w, o: upload(issued_on=_days(3))(w, o),
        (400, "issued_on_required"): upload(issued_on=None),
        (400, "file_too_large"): upload(PDF_BYTES + b"%" * 2048, max_bytes=1024),
        (400, "invalid_choice"): upload(kind="no-such-kind"),
        (400, "pdf_active_content"): upload(
            _pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
        ),
        (400, "pdf_encrypted"): upload(_pdf_with(b"/Encrypt 9 0 R")),
        (400, "pdf_too_complex"): upload(_inflating(_MAX_INFLATED_BYTES + 1)),
        (400, "unsupported_file_type"): upload(b"MZ\x90\x00 a program"),
        (400, "validation_invalid"): upload(issued_on="not-a-date"),
        (400, "validation_required"): upload(kind=None),
        (400, "parse_error"): lambda w, o: Call(w, o, content_type="multipart/form-data").send(),
        (409, "documents_locked"): upload(step=ApprovalStatus.APPROVED),
        (400, "documents_too_large_in_total"): upload(
            PDF_BYTES + b"%" * 2048, limits={"DOCUMENT_BYTES_PER_APPLICANT": 1024}
        ),
        (429, "too_many_uploads"): upload(times=2, limits={"DOCUMENT_UPLOADS_PER_DAY": 1}),
    },
)
