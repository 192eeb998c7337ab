"""Vetting over HTTP: uploads checked by content, the manager's queue against its target, and
the document viewer that logs every access. (Routes with ids are in test_permissions' matrix.)"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from helpers import services
from helpers.models import ApprovalStatus, DocumentAccess, HelperDocument, HelperProfile
from tests.api.api_assertions import API, assert_error, client_for
from tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    ZURICH,
    ManagerFactory,
    UserFactory,
    at,
    category,
    make_helper,
    upload_documents,
    vet,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2027, 2, 2, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def applicant(postal_code: str = "8001") -> HelperProfile:
    user = at(UserFactory.create(home_postal_code=postal_code), ZURICH)
    return services.helper_apply(user=user, skills=[category()])


def post_file(client, kind: str, name: str, content: bytes, content_type: str, **extra: str):
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(
        f"{API}/helper/application/documents",
        {"kind": kind, "file": upload, **extra},
        format="multipart",
    )


def test_an_upload_with_a_forged_type_is_refused_and_nothing_is_stored(clock):
    helper = applicant()

    response = post_file(
        client_for(helper.user), "identity", "passport.png", PDF_BYTES, "image/png"
    )

    assert_error(
        response,
        400,
        "content_type_mismatch",
        {"file"},
        documented_in=("post", "/api/v1/helper/application/documents"),
    )
    assert HelperDocument.objects.count() == 0


def test_an_old_extract_is_refused_over_http(clock):
    helper = applicant()

    response = post_file(
        client_for(helper.user),
        "criminal_record_extract",
        "auszug.pdf",
        PDF_BYTES,
        "application/pdf",
        issued_on="2026-10-30",
    )

    assert_error(
        response,
        400,
        "extract_too_old",
        {"issued_on"},
        documented_in=("post", "/api/v1/helper/application/documents"),
    )
    assert HelperDocument.objects.count() == 0


def test_the_applicant_sees_their_documents_never_their_content(clock):
    helper = applicant()
    client = client_for(helper.user)
    assert post_file(client, "identity", "id.png", PNG_BYTES, "image/png").status_code == 201

    body = client.get(f"{API}/helper/application").json()

    assert body["approval_status"] == "applied"
    [document] = body["documents"]
    assert (document["kind"], document["content_type"], document["size_bytes"]) == (
        "identity",
        "image/png",
        len(PNG_BYTES),
    )
    assert "sha256" not in document
    assert "storage_name" not in str(body)


def test_the_queue_is_longest_waiting_first_against_the_target(clock, quartier_settings):
    quartier_settings(VETTING_TARGET_DAYS=3)
    manager = ManagerFactory.create()
    # Given applications made four days, two days and an hour ago, one in Bern
    oldest = applicant()
    clock.shift(timedelta(days=2))
    bern = applicant(postal_code="3011")
    clock.shift(timedelta(days=2) - timedelta(hours=1))
    newest = vet(applicant(), to=ApprovalStatus.DOCUMENTS_SUBMITTED, manager=manager)
    make_helper()  # approved: not in the queue
    clock.shift(timedelta(hours=1))
    client = client_for(manager)

    # When the manager reads the queue, whole and filtered
    rows = client.get(f"{API}/manager/applications").json()["results"]
    submitted = client.get(f"{API}/manager/applications", {"step": "documents_submitted"}).json()[
        "results"
    ]
    zurich = client.get(f"{API}/manager/applications", {"postal_code": "8"}).json()["results"]

    # Then the longest waiting come first, each with its wait against the target
    assert [(r["helper_id"], r["waited_hours"], r["overdue"]) for r in rows] == [
        (str(oldest.public_id), 96, True),
        (str(bern.public_id), 48, False),
        (str(newest.public_id), 1, False),
    ]
    assert {r["target_hours"] for r in rows} == {72}
    assert [r["helper_id"] for r in submitted] == [str(newest.public_id)]
    assert [r["helper_id"] for r in zurich] == [str(oldest.public_id), str(newest.public_id)]


def test_a_step_that_is_not_an_open_one_is_refused(clock):
    response = client_for(ManagerFactory.create()).get(
        f"{API}/manager/applications", {"step": "approved"}
    )

    assert_error(response, 400, "invalid_choice", {"step"})


# "²" and "٨" pass str.isdigit(); neither starts a Swiss postcode.
@pytest.mark.parametrize("postal_code", ["²", "٨", "80000", "8a"])
def test_a_region_not_written_in_the_digits_0_to_9_is_refused(clock, postal_code):
    response = client_for(ManagerFactory.create()).get(
        f"{API}/manager/applications", {"postal_code": postal_code}
    )

    assert_error(response, 400, "invalid_postal_code", {"postal_code"})


@pytest.mark.parametrize("role", ["customer", "applicant", "helper"])
def test_the_queue_does_not_exist_for_anyone_but_managers(clock, role):
    applicant()
    user = {
        "customer": lambda: UserFactory.create(),
        "applicant": lambda: applicant().user,
        "helper": lambda: make_helper().user,
    }[role]()

    response = client_for(user).get(f"{API}/manager/applications")

    assert_error(response, 404, "not_found", set())


def test_the_manager_views_a_document_and_the_access_log_shows_it(clock):
    manager = ManagerFactory.create(email="cm@quartier.test")
    helper = vet(applicant(), to=ApprovalStatus.DOCUMENTS_SUBMITTED, manager=manager)
    extract = helper.documents.get(kind="criminal_record_extract")
    client = client_for(manager)

    response = client.get(
        f"{API}/manager/documents/{extract.public_id}/file", REMOTE_ADDR="192.0.2.10"
    )
    application = client.get(f"{API}/manager/applications/{helper.public_id}").json()

    assert response.status_code == 200
    assert response.content == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert list(DocumentAccess.objects.values_list("manager_id", "ip_address")) == [
        (manager.pk, "192.0.2.10")
    ]
    by_kind = {d["kind"]: d for d in application["documents"]}
    assert by_kind["criminal_record_extract"]["accesses"] == [
        {
            "manager": "cm@quartier.test",
            "accessed_at": "2027-02-02T09:00:00.000000+01:00",
            "ip_address": "192.0.2.10",
        }
    ]
    assert by_kind["identity"]["accesses"] == []
    assert [step["to_status"] for step in application["history"]] == ["documents_submitted"]


def test_the_applicant_cannot_open_their_own_document_by_its_address(clock):
    helper = vet(applicant(), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    document = helper.documents.first()
    assert document is not None

    response = client_for(helper.user).get(f"{API}/manager/documents/{document.public_id}/file")

    assert_error(response, 404, "not_found", set())
    assert DocumentAccess.objects.count() == 0


def test_the_funnel_counts_applicants_per_step_and_the_median_days_at_each(clock):
    manager = ManagerFactory.create()
    # Given two applicants: one submits after 1 day and is checked 2 days later; the other
    # submits after 3 days
    first = applicant()
    second = applicant()
    upload_documents(first)
    upload_documents(second)
    clock.shift(timedelta(days=1))
    services.application_submit_documents(helper=first, actor=first.user)
    clock.shift(timedelta(days=2))
    services.application_submit_documents(helper=second, actor=second.user)
    services.application_check_documents(helper=first, actor=manager)

    # When the manager reads the funnel of February
    response = client_for(manager).get(
        f"{API}/manager/vetting-funnel", {"since": "2027-02-01", "until": "2027-03-01"}
    )

    # Then each step says how many reached it, wait there now, and the median days spent
    rows = {row["step"]: row for row in response.json()}
    assert list(rows) == [
        "applied",
        "documents_submitted",
        "documents_checked",
        "conduct_test_passed",
        "interview",
        "needs_information",
        "approved",
        "rejected",
        "withdrawn",
    ]
    assert rows["applied"] == {
        "step": "applied",
        "reached": 2,
        "waiting_now": 0,
        "median_days": 2.0,
    }
    assert rows["documents_submitted"] == {
        "step": "documents_submitted",
        "reached": 2,
        "waiting_now": 1,
        "median_days": 2.0,
    }
    assert rows["documents_checked"]["reached"] == 1
    assert rows["documents_checked"]["median_days"] is None
    # And a period before anything happened counts nothing
    empty = client_for(manager).get(
        f"{API}/manager/vetting-funnel", {"since": "2027-01-01", "until": "2027-02-01"}
    )
    assert {row["reached"] for row in empty.json()} == {0}


def test_the_funnel_needs_a_period_and_a_manager(clock):
    client = client_for(ManagerFactory.create())

    assert_error(
        client.get(f"{API}/manager/vetting-funnel", {"since": "2027-02-01"}),
        400,
        "validation_required",
        {"until"},
    )
    assert_error(
        client_for(applicant().user).get(
            f"{API}/manager/vetting-funnel", {"since": "2027-02-01", "until": "2027-03-01"}
        ),
        404,
        "not_found",
        set(),
    )
