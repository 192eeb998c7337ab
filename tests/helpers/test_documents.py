"""Applicants' documents: checked on upload, encrypted at rest, opened by managers only with
every access logged, and deleted by the worker after the decision."""

from __future__ import annotations

import os
import time
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.fernet import Fernet
from django_tasks_db.models import DBTaskResult

from backend.config import config
from backend.exceptions import ApplicationError
from helpers import document_services, services
from helpers.documents import check_upload
from helpers.models import ApprovalStatus, DocumentAccess, HelperDocument, HelperProfile
from tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    ZURICH,
    ManagerFactory,
    UserFactory,
    at,
    category,
    upload_documents,
    vet,
)
from tests.worker import run_worker

T0 = datetime(2027, 2, 2, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))
TODAY = date(2027, 2, 2)
EXTRACT = HelperDocument.Kind.CRIMINAL_RECORD_EXTRACT
IDENTITY = HelperDocument.Kind.IDENTITY
SECRET = b"AHV 756.1234.5678.97 Lea Muster"


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def documents_dir(tmp_path: Path, quartier_settings) -> Path:
    quartier_settings(DOCUMENT_DIR=str(tmp_path), DOCUMENT_MAX_BYTES=64 * 1024)
    return tmp_path


def applicant() -> HelperProfile:
    user = at(UserFactory.create(), ZURICH)
    return services.helper_apply(user=user, skills=[category()])


def upload(helper: HelperProfile, content: bytes, **overrides: object) -> HelperDocument:
    arguments: dict[str, object] = {
        "helper": helper,
        "actor": helper.user,
        "kind": EXTRACT,
        "content": content,
        "declared_type": "",
        "original_name": "extract.pdf",
        "issued_on": TODAY - timedelta(days=20),
        **overrides,
    }
    return document_services.document_upload(**arguments)  # type: ignore[arg-type]


def pdf_with(body: bytes) -> bytes:
    return b"%PDF-1.7\n1 0 obj << /Type /Catalog " + body + b" >> endobj\ntrailer\n%%EOF\n"


def flate_stream(content: bytes) -> bytes:
    packed = zlib.compress(content)
    return (
        b"%PDF-1.7\n4 0 obj << /Type /ObjStm /Filter /FlateDecode /Length "
        + str(len(packed)).encode()
        + b" >>\nstream\n"
        + packed
        + b"\nendstream\nendobj\n%%EOF\n"
    )


@pytest.mark.django_db
def test_the_file_on_disk_is_encrypted_and_only_the_key_opens_it(clock, documents_dir):
    # Given an applicant's extract that holds a social security number
    helper = applicant()
    content = PDF_BYTES + b"% " + SECRET + b"\n"

    # When they upload it
    document = upload(helper, content, declared_type="application/pdf")

    # Then one file lies in the document directory, readable by its owner only
    files = list(documents_dir.iterdir())
    assert [path.name for path in files] == [document.storage_name]
    assert files[0].stat().st_mode & 0o777 == 0o600
    # And its bytes hold nothing of the content (neither the text nor the PDF header)
    on_disk = files[0].read_bytes()
    assert SECRET not in on_disk
    assert b"%PDF" not in on_disk
    assert b"Muster" not in on_disk
    # And the configured key decrypts it to exactly what was uploaded
    assert Fernet(config().document_key.encode()).decrypt(on_disk) == content
    assert (document.content_type, document.size_bytes) == ("application/pdf", len(content))


@pytest.mark.django_db
def test_a_manager_opens_a_document_and_the_access_is_logged(clock, documents_dir):
    helper = applicant()
    document = upload(helper, PDF_BYTES)
    manager = ManagerFactory.create()

    content = document_services.document_open(
        document=document, manager=manager, ip_address="192.0.2.7"
    )

    assert content == PDF_BYTES
    assert list(
        DocumentAccess.objects.values_list("document_id", "manager_id", "accessed_at", "ip_address")
    ) == [(document.pk, manager.pk, T0, "192.0.2.7")]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["applicant", "stranger"])
def test_nobody_but_a_manager_opens_a_document_and_nothing_is_logged(clock, documents_dir, who):
    helper = applicant()
    document = upload(helper, PDF_BYTES)
    reader = helper.user if who == "applicant" else UserFactory.create()

    with pytest.raises(ApplicationError) as refused:
        document_services.document_open(document=document, manager=reader)

    assert (refused.value.status, refused.value.code) == (403, "manager_only")
    assert DocumentAccess.objects.count() == 0


REFUSED_UPLOADS = [
    pytest.param(b"", {}, "empty_file", id="empty"),
    pytest.param(PDF_BYTES + b"%" * (64 * 1024), {}, "file_too_large", id="too-large"),
    pytest.param(b"MZ\x90\x00 a program", {}, "unsupported_file_type", id="executable"),
    pytest.param(b"<html><script>", {}, "unsupported_file_type", id="html"),
    pytest.param(
        PDF_BYTES, {"declared_type": "image/png"}, "content_type_mismatch", id="forged-type"
    ),
    pytest.param(
        PNG_BYTES, {"declared_type": "application/pdf"}, "content_type_mismatch", id="png-as-pdf"
    ),
    pytest.param(
        pdf_with(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        {},
        "pdf_active_content",
        id="javascript",
    ),
    pytest.param(
        pdf_with(b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>"),
        {},
        "pdf_active_content",
        id="javascript-name-escaped",
    ),
    pytest.param(
        flate_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"),
        {},
        "pdf_active_content",
        id="javascript-in-compressed-stream",
    ),
    pytest.param(pdf_with(b"/Launch << /F (cmd.exe) >>"), {}, "pdf_active_content", id="launch"),
    pytest.param(
        pdf_with(b"/Names << /EmbeddedFiles 5 0 R >>"), {}, "pdf_active_content", id="embedded"
    ),
    pytest.param(pdf_with(b"/Encrypt 9 0 R"), {}, "pdf_encrypted", id="encrypted-pdf"),
    pytest.param(
        PDF_BYTES,
        {"issued_on": date(2026, 11, 1)},
        "extract_too_old",
        id="extract-older-than-3-months",
    ),
    pytest.param(PDF_BYTES, {"issued_on": None}, "issued_on_required", id="extract-undated"),
    pytest.param(
        PDF_BYTES, {"issued_on": TODAY + timedelta(days=1)}, "issued_in_future", id="future"
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "overrides", "code"), REFUSED_UPLOADS)
def test_a_bad_upload_is_refused_with_its_code_and_nothing_is_stored(
    clock, documents_dir, content, overrides, code
):
    helper = applicant()

    with pytest.raises(ApplicationError) as refused:
        upload(helper, content, **overrides)

    assert refused.value.status == 400
    assert refused.value.code == code
    field = "issued_on" if code.startswith(("issued", "extract")) else "file"
    assert set(refused.value.fields) == {field}
    assert HelperDocument.objects.count() == 0
    assert list(documents_dir.iterdir()) == []


def test_an_extract_issued_exactly_three_months_ago_is_accepted(clock):
    assert document_services.months_before(TODAY, 3) == date(2026, 11, 2)
    assert document_services.months_before(date(2027, 5, 31), 3) == date(2027, 2, 28)
    # A plain PDF and the images pass the content checks.
    for content, kind in ((PDF_BYTES, "application/pdf"), (PNG_BYTES, "image/png")):
        assert check_upload(content).content_type == kind


@pytest.mark.django_db
def test_documents_are_not_taken_once_submitted(clock, documents_dir):
    helper = vet(applicant(), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    files_before = sorted(documents_dir.iterdir())

    with pytest.raises(ApplicationError) as refused:
        upload(helper, PDF_BYTES)

    assert (refused.value.status, refused.value.code) == (409, "documents_locked")
    assert helper.documents.count() == 2
    assert sorted(documents_dir.iterdir()) == files_before


@pytest.mark.django_db
def test_a_newer_upload_replaces_the_file_of_its_kind(
    clock, documents_dir, django_capture_on_commit_callbacks
):
    helper = applicant()
    first = upload(helper, PDF_BYTES)

    with django_capture_on_commit_callbacks(execute=True):
        second = upload(helper, PDF_BYTES + b"% second\n")

    first.refresh_from_db()
    assert (first.deleted_at, first.deletion_cause) == (T0, "replaced")
    assert [path.name for path in documents_dir.iterdir()] == [second.storage_name]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_deletes_the_documents_after_the_decision_and_keeps_the_record(
    documents_dir, quartier_settings
):
    quartier_settings(DOCUMENT_RETENTION_DAYS=30)
    with time_machine.travel(T0, tick=False) as clock:
        # Given an applicant whose documents were checked, and who is approved
        manager = ManagerFactory.create()
        helper = vet(applicant(), manager=manager)
        assert len(list(documents_dir.iterdir())) == 2
        deletion = DBTaskResult.objects.get(task_path="helpers.tasks.delete_due_documents")
        assert deletion.run_after == T0 + timedelta(days=30)

        # When the worker runs before the day, nothing is deleted
        clock.shift(timedelta(days=29))
        run_worker()
        assert len(list(documents_dir.iterdir())) == 2

        # When it runs on the day
        clock.shift(timedelta(days=1, seconds=1))
        run_worker()

    # Then the files are gone, the rows say when and why, and the decision stays on record
    assert list(documents_dir.iterdir()) == []
    assert set(HelperDocument.objects.values_list("deleted_at", "deletion_cause")) == {
        (T0 + timedelta(days=30, seconds=1), "retention")
    }
    assert list(
        helper.approval_events.filter(to_status="documents_checked").values_list("actor_id")
    ) == [(manager.pk,)]
    # And a manager asking for one now is told it is gone, and nothing is logged
    with pytest.raises(ApplicationError) as gone:
        document_services.document_open(document=HelperDocument.objects.first(), manager=manager)
    assert (gone.value.status, gone.value.code) == (410, "document_deleted")
    assert DocumentAccess.objects.count() == 0


@pytest.mark.django_db
def test_files_no_document_names_are_removed_once_an_hour_old(clock, documents_dir):
    # Given a file left by an upload whose transaction rolled back, and a document in force
    kept = upload(applicant(), PDF_BYTES)
    orphan = documents_dir / ("0" * 32 + ".fernet")
    orphan.write_bytes(b"gAAAA-left-over")
    fresh = documents_dir / ("1" * 32 + ".fernet")
    fresh.write_bytes(b"gAAAA-being-written")
    now = time.time()  # the travelled clock's
    os.utime(orphan, (now - 2 * 3600, now - 2 * 3600))
    os.utime(fresh, (now - 60, now - 60))

    document_services.documents_delete_due()

    assert sorted(path.name for path in documents_dir.iterdir()) == sorted(
        [kept.storage_name, fresh.name]
    )


@pytest.mark.django_db
def test_a_withdrawn_or_rejected_application_schedules_deletion_too(clock, documents_dir):
    manager = ManagerFactory.create()
    withdrawn = applicant()
    upload_documents(withdrawn)
    rejected = vet(applicant(), to=ApprovalStatus.DOCUMENTS_SUBMITTED, manager=manager)

    services.application_withdraw(helper=withdrawn, actor=withdrawn.user)
    services.application_reject(helper=rejected, actor=manager, note="Entries in the extract.")

    due = T0 + timedelta(days=config().document_retention_days)
    assert set(HelperDocument.objects.values_list("helper_id", "delete_after")) == {
        (withdrawn.pk, due),
        (rejected.pk, due),
    }
