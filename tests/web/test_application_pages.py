"""The applicant's pages: where the application stands, the two document uploads with the
upload service's refusals next to the field, handing them in, and withdrawing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from helpers import services
from helpers.models import ApprovalStatus, HelperApprovalEvent, HelperDocument, HelperProfile
from tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    ManagerFactory,
    UserFactory,
    make_helper,
    upload_documents,
    vet,
)
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db

PAGE = "/helper/application"
IDENTITY = HelperDocument.Kind.IDENTITY
EXTRACT = HelperDocument.Kind.CRIMINAL_RECORD_EXTRACT


def applicant() -> HelperProfile:
    return make_helper(approval=ApprovalStatus.APPLIED)


def _upload(client, kind: str, content: bytes, *, name: str, content_type: str, **extra: str):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(f"{PAGE}/documents/{kind}", {f"{kind}-file": upload, **extra})


def _steps(html: str) -> list[tuple[str, bool]]:
    """The steps shown: (class, whether marked as the current one)."""
    return [
        (css, bool(current))
        for css, current in re.findall(
            r'<li class="step-(\w+)"( aria-current="step")?>', html, re.S
        )
    ]


def _recent() -> str:
    return (timezone.localdate() - timedelta(days=10)).isoformat()


def test_the_pages_ask_to_log_in_and_send_a_non_helper_to_apply(client):
    assert client.get(PAGE).headers["Location"].startswith("/log-in")
    _logged_in(client, UserFactory.create())
    for path, method in (
        (PAGE, client.get),
        (f"{PAGE}/submit", client.post),
        (f"{PAGE}/withdraw", client.post),
        (f"{PAGE}/documents/identity", client.post),
    ):
        response = method(path)
        assert (response.status_code, response.headers["Location"]) == (302, "/helper/apply")
    assert HelperDocument.objects.count() == 0


def test_a_new_applicant_sees_the_steps_and_the_two_uploads(client, django_assert_max_num_queries):
    helper = applicant()
    _logged_in(client, helper.user)

    with django_assert_max_num_queries(9):
        response = client.get(PAGE)

    html = response.content.decode()
    assert response.status_code == 200
    assert _steps(html) == [
        ("done", False),
        ("current", True),
        ("to_come", False),
        ("to_come", False),
        ("to_come", False),
    ]
    assert "You upload your documents and hand them in." in html
    assert 'enctype="multipart/form-data"' in html
    assert f'action="{PAGE}/documents/identity"' in html
    assert f'action="{PAGE}/documents/criminal_record_extract"' in html
    assert 'name="criminal_record_extract-issued_on"' in html
    assert 'name="identity-issued_on"' not in html
    assert f'action="{PAGE}/submit"' not in html  # nothing to hand in yet
    assert f'action="{PAGE}/withdraw"' in html


def test_the_extract_is_named_in_french_and_italian_without_its_german_name(client):
    helper = applicant()
    for language, name in (
        ("fr", "<h3>Extrait du casier judiciaire</h3>"),
        ("it", "<h3>Estratto del casellario giudiziale</h3>"),
    ):
        _logged_in(client, helper.user, language)
        html = client.get(PAGE).content.decode()
        assert name in html, language
        assert "Strafregisterauszug" not in html, language


def test_the_interview_is_a_step_where_the_setting_asks_for_it(client, settings):
    settings.QUARTIER = settings.QUARTIER.with_values(vetting_interview_required=True)
    helper = vet(applicant(), to=ApprovalStatus.CONDUCT_TEST_PASSED)
    _logged_in(client, helper.user)
    html = client.get(PAGE).content.decode()
    assert "You meet the community manager for an interview." in html
    assert _steps(html) == [("done", False)] * 4 + [("current", True), ("to_come", False)]


def test_an_applicant_uploads_both_documents_and_hands_them_in(client):
    # Given a new applicant
    helper = applicant()
    _logged_in(client, helper.user)

    # When they upload a photo of their ID and a recent extract as a PDF
    first = _upload(client, IDENTITY, PNG_BYTES, name="id.png", content_type="image/png")
    second = _upload(
        client,
        EXTRACT,
        PDF_BYTES,
        name="extract.pdf",
        content_type="application/pdf",
        **{"criminal_record_extract-issued_on": _recent()},
    )

    # Then both are stored, typed by their content, and the page offers to hand them in
    assert (first.status_code, first.headers["Location"]) == (302, PAGE)
    assert (second.status_code, second.headers["Location"]) == (302, PAGE)
    stored = dict(HelperDocument.objects.filter(helper=helper).values_list("kind", "content_type"))
    assert stored == {IDENTITY: "image/png", EXTRACT: "application/pdf"}
    assert HelperDocument.objects.get(kind=EXTRACT).issued_on.isoformat() == _recent()
    html = client.get(PAGE).content.decode()
    assert f'action="{PAGE}/submit"' in html
    assert html.count("Replace it") == 2

    # When they hand them in
    response = client.post(f"{PAGE}/submit")

    # Then the manager's check is the current step and the uploads are gone from the page
    assert response.headers["Location"] == PAGE
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.DOCUMENTS_SUBMITTED
    html = client.get(PAGE).content.decode()
    assert [state for state, _current in _steps(html)] == ["done", "done", "current"] + [
        "to_come"
    ] * 2
    assert 'type="file"' not in html
    assert f'action="{PAGE}/submit"' not in html


def _js_pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj << /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >> endobj\n"


REFUSALS = [
    # (kind, content, name, declared type, issued_on, field, message)
    (
        IDENTITY,
        b"MZ\x90\x00 not a picture",
        "id.png",
        "image/png",
        None,
        "file",
        "Upload a photo (JPEG, PNG, WebP) or a PDF.",
    ),
    (
        IDENTITY,
        PNG_BYTES,
        "id.pdf",
        "application/pdf",
        None,
        "file",
        "The file&#x27;s content does not match its type. Upload the original photo or PDF.",
    ),
    (
        IDENTITY,
        _js_pdf(),
        "id.pdf",
        "application/pdf",
        None,
        "file",
        "The PDF contains scripts or other active content. Print it to a new PDF or upload a"
        " photo instead.",
    ),
    (
        EXTRACT,
        PDF_BYTES,
        "extract.pdf",
        "application/pdf",
        "old",
        "issued_on",
        "The criminal record extract must be at most 3 months old: order a new one.",
    ),
    (
        EXTRACT,
        PDF_BYTES,
        "extract.pdf",
        "application/pdf",
        "",
        "issued_on",
        "Give the date the criminal record extract was issued.",
    ),
]


@pytest.mark.parametrize(
    ("kind", "content", "name", "declared", "issued_on", "field", "message"), REFUSALS
)
def test_a_refused_upload_is_answered_next_to_its_field_and_stores_nothing(
    client, kind, content, name, declared, issued_on, field, message
):
    helper = applicant()
    _logged_in(client, helper.user)
    extra = {}
    if issued_on is not None:
        day = timezone.localdate() - timedelta(days=100) if issued_on == "old" else None
        extra[f"{kind}-issued_on"] = day.isoformat() if day else ""

    response = _upload(client, kind, content, name=name, content_type=declared, **extra)

    # Back on the application's page at its own address: a reload resends nothing
    shown = shown_once(client, response, PAGE)
    assert _errors_of(shown, f"id_{kind}-{field}") == [message]
    if issued_on == "old":
        assert f'value="{extra[f"{kind}-issued_on"]}"' in shown
    assert HelperDocument.objects.count() == 0
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.APPLIED


def test_an_empty_or_oversized_file_is_refused_next_to_the_field(client, settings):
    settings.QUARTIER = settings.QUARTIER.with_values(document_max_bytes=1024)
    helper = applicant()
    _logged_in(client, helper.user)

    empty = _upload(client, IDENTITY, b"", name="id.png", content_type="image/png")
    empty_page = shown_once(client, empty, PAGE)
    large = _upload(
        client, IDENTITY, PNG_BYTES + b"\x00" * 2048, name="id.png", content_type="image/png"
    )
    large_page = shown_once(client, large, PAGE)

    assert _errors_of(empty_page, "id_identity-file") == ["The file is empty."]
    assert _errors_of(large_page, "id_identity-file") == [
        "The file is too large. Take a smaller photo or scan."
    ]
    assert "or a PDF, at most 1\xa0KB." in large_page
    assert HelperDocument.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "limit"),
    [
        ("de", "Ein Foto (JPEG, PNG, WebP) oder ein PDF, höchstens 5\xa0MB."),
        ("fr", "Une photo (JPEG, PNG, WebP) ou un PDF, au maximum 5\xa0Mo."),
        ("it", "Una foto (JPEG, PNG, WebP) o un PDF, al massimo 5\xa0MB."),
        ("en", "A photo (JPEG, PNG, WebP) or a PDF, at most 5\xa0MB."),
    ],
)
def test_the_upload_limit_reads_as_each_language_writes_sizes(client, language, limit):
    _logged_in(client, applicant().user, language)
    html = client.get(PAGE).content.decode()
    assert html.count(limit) == 2  # the identity document and the extract
    assert "Mio" not in html
    assert "5,0" not in html


def test_the_refusal_speaks_the_applicants_language(client):
    helper = applicant()
    _logged_in(client, helper.user, "de")
    response = _upload(client, IDENTITY, b"GIF89a no gif", name="id.gif", content_type="image/gif")
    assert _errors_of(shown_once(client, response, PAGE), "id_identity-file") == [
        "Laden Sie ein Foto (JPEG, PNG, WebP) oder ein PDF hoch."
    ]


def test_documents_cannot_be_replaced_once_handed_in(client):
    helper = vet(applicant(), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    before = list(HelperDocument.objects.values_list("pk", "deleted_at"))
    _logged_in(client, helper.user)

    response = _upload(client, IDENTITY, PNG_BYTES, name="id.png", content_type="image/png")

    assert (response.status_code, response["Location"]) == (302, PAGE)
    shown = client.get(PAGE).content.decode()
    assert (
        '<div class="form-errors" role="alert" id="upload-refused"><p>Documents can be handed in '
        "only while the application waits for them.</p></div>" in shown
    )
    assert "upload-refused" not in client.get(PAGE).content.decode()
    assert list(HelperDocument.objects.values_list("pk", "deleted_at")) == before


def test_handing_in_without_both_documents_is_refused_and_changes_nothing(client):
    helper = applicant()
    _logged_in(client, helper.user)
    _upload(client, IDENTITY, PNG_BYTES, name="id.png", content_type="image/png")

    response = client.post(f"{PAGE}/submit", follow=True)

    assert "Upload both documents first." in response.content.decode()
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.APPLIED
    assert HelperApprovalEvent.objects.filter(helper=helper).count() == 0


def test_the_applicant_reads_what_the_manager_needs_and_hands_in_again(client):
    # Given an application the manager asked more of
    helper = vet(applicant(), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    services.application_request_information(
        helper=helper, actor=ManagerFactory.create(), note="The ID photo is blurred."
    )
    _logged_in(client, helper.user)

    # Then the page says what, and lets them replace the ID
    html = client.get(PAGE).content.decode()
    assert re.search(r'id="manager-note".*The ID photo is blurred\.', html, re.S)
    assert f'action="{PAGE}/documents/identity"' in html

    # When they replace it and hand in again
    _upload(client, IDENTITY, PNG_BYTES + b"sharp", name="id2.png", content_type="image/png")
    client.post(f"{PAGE}/submit")

    # Then the old ID is kept as a replaced record and the check is next
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.DOCUMENTS_SUBMITTED
    identities = HelperDocument.objects.filter(helper=helper, kind=IDENTITY)
    assert [d.deletion_cause for d in identities.order_by("pk")] == ["replaced", ""]


def test_an_applicant_withdraws_and_withdrawing_again_changes_nothing(client):
    helper = applicant()
    upload_documents(helper)
    _logged_in(client, helper.user)

    response = client.post(f"{PAGE}/withdraw")

    assert response.headers["Location"] == PAGE
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.WITHDRAWN
    html = client.get(PAGE).content.decode()
    assert "You withdrew your application." in html
    assert f'action="{PAGE}/withdraw"' not in html
    assert _steps(html) == []

    again = client.post(f"{PAGE}/withdraw")
    assert again.headers["Location"] == PAGE
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.WITHDRAWN
    assert HelperApprovalEvent.objects.filter(helper=helper).count() == 1


def test_a_rejected_applicant_cannot_withdraw(client):
    helper = vet(applicant(), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    services.application_reject(helper=helper, actor=ManagerFactory.create(), note="No.")
    _logged_in(client, helper.user)

    response = client.post(f"{PAGE}/withdraw", follow=True)

    assert "This is not possible any more: the page was out of date." in response.content.decode()
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.REJECTED


def test_a_rejected_applicant_reads_the_reason(client):
    helper = vet(applicant(), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    services.application_reject(
        helper=helper, actor=ManagerFactory.create(), note="The extract shows an entry."
    )
    _logged_in(client, helper.user)
    html = client.get(PAGE).content.decode()
    assert re.search(r'id="manager-note".*The extract shows an entry\.', html, re.S)
    assert 'type="file"' not in html
