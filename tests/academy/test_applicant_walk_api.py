"""An applicant walks from sign-up to their first offer through the HTTP JSON API only: sign-up
and e-mail verification, the application (smart-home among the skills), both documents, the
code-of-conduct test, the manager's checks and approval, the helper's code of conduct, and a
course the manager requires for smart-home that holds back smart-home offers until its quiz is
passed. On SQLite and PostgreSQL (the suite runs on both)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from academy.models import Certification, QuizAttempt
from bookings.models import MatchEntry, Offer
from catalogue.models import LegalAcceptance, LegalDocument, LegalDocumentKind
from helpers.models import ConductTestAttempt, HelperProfile
from tests.academy.builders import draft_body, right_answers
from tests.academy.test_gating_api import offered_helpers, post
from tests.api.api_assertions import API, client_for, results, sign_up, token_client
from tests.api.conduct_test_recipes import publish_body
from tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    ManagerFactory,
    UserFactory,
    answers_for,
    publish,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SWISS = ZoneInfo("Europe/Zurich")
T0 = datetime(2027, 3, 2, 9, 0, tzinfo=SWISS)  # a Tuesday
PASSPHRASE = "Sonnenblume-im-Garten-7"
LANGUAGES = ("de", "fr", "it", "en")


def upload(client: Any, kind: str, name: str, content: bytes, content_type: str, **extra: str):
    response = client.post(
        f"{API}/helper/application/documents",
        {"kind": kind, "file": SimpleUploadedFile(name, content, content_type), **extra},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_an_applicant_walks_from_sign_up_to_the_first_offer_the_course_unlocks():
    with time_machine.travel(T0, tick=False):
        manager_user = ManagerFactory.create(email="manager@quartier.test")
        manager = client_for(manager_user)
        customer = client_for(UserFactory.create(languages=["de", "en"]))
        # The helper's code of conduct in force, published through the service (the API has
        # no route that publishes legal documents)
        conduct = LegalDocument.objects.create(
            slug="code-of-conduct", kind=LegalDocumentKind.HELPER_CODE_OF_CONDUCT
        )
        code_version = publish(conduct, manager_user, text="Respect the customer's home.")
        # The code-of-conduct test, published by the manager over the API
        published_test = manager.post(
            f"{API}/manager/conduct-test/versions", publish_body(), format="json"
        )
        assert published_test.status_code == 201, published_test.content

        # Sign-up, and the address confirmed with the token from the e-mail
        token, user = sign_up(
            email="nina@example.ch",
            password=PASSPHRASE,
            display_name="Nina Berger",
            languages=["de", "en"],
            preferred_language="en",
            home_street="Limmatquai 10",
            home_postal_code="8001",
            home_locality="Zürich",
        )
        [confirmation] = mail.outbox
        assert (confirmation.to, confirmation.subject) == (
            ["nina@example.ch"],
            "Confirm your e-mail address for Quartier",
        )
        assert (user["email"], user["display_name"], user["languages"]) == (
            "nina@example.ch",
            "Nina Berger",
            ["de", "en"],
        )
        # A log-in with the password gives a token of its own, used from here on
        logged_in = token_client(token).post(
            f"{API}/auth/token", {"email": "nina@example.ch", "password": PASSPHRASE}
        )
        assert logged_in.status_code == 200, logged_in.content
        nina = token_client(logged_in.json()["token"])
        me = nina.get(f"{API}/me").json()
        assert (me["home_postal_code"], me["home_locality"]) == ("8001", "Zürich")

        # She applies as a helper: smart-home and Wi-Fi, 8 km, CHF 45 an hour
        applied = nina.post(
            f"{API}/helper/profile",
            {
                "skills": ["smart-home", "internet-wifi"],
                "service_radius_km": 8,
                "hourly_rate_minor": 4500,
                "bio": "Smart homes and Wi-Fi in Zürich.",
            },
            format="json",
        )
        assert applied.status_code == 201, applied.content
        profile = applied.json()
        helper_id = profile["id"]
        assert (
            profile["skills"],
            profile["service_radius_km"],
            profile["hourly_rate_minor"],
            profile["approval_status"],
        ) == (["internet-wifi", "smart-home"], 8, 4500, "applied")

        # She uploads both documents (a recent extract) and hands them in
        identity = upload(nina, "identity", "id.png", PNG_BYTES, "image/png")
        issued = (T0.date() - timedelta(days=10)).isoformat()
        extract = upload(
            nina,
            "criminal_record_extract",
            "auszug.pdf",
            PDF_BYTES,
            "application/pdf",
            issued_on=issued,
        )
        assert (identity["kind"], identity["content_type"], identity["size_bytes"]) == (
            "identity",
            "image/png",
            len(PNG_BYTES),
        )
        assert (extract["kind"], extract["content_type"], extract["size_bytes"]) == (
            "criminal_record_extract",
            "application/pdf",
            len(PDF_BYTES),
        )
        submitted = nina.post(f"{API}/helper/application/submit")
        assert submitted.status_code == 200, submitted.content
        assert submitted.json()["approval_status"] == "documents_submitted"

        # The manager finds her in the queue, reads both documents and checks them
        queue = results(manager.get(f"{API}/manager/applications"))
        assert [(row["helper_id"], row["approval_status"]) for row in queue] == [
            (helper_id, "documents_submitted")
        ]
        application = manager.get(f"{API}/manager/applications/{helper_id}").json()
        files = {}
        for document in application["documents"]:
            response = manager.get(f"{API}/manager/documents/{document['id']}/file")
            assert response.status_code == 200
            files[document["kind"]] = response.content
        assert files == {"identity": PNG_BYTES, "criminal_record_extract": PDF_BYTES}
        checked = manager.post(f"{API}/manager/applications/{helper_id}/check-documents")
        assert checked.status_code == 200, checked.content
        assert checked.json()["approval_status"] == "documents_checked"

        # She draws the code-of-conduct test and answers right
        standing = nina.get(f"{API}/helper/conduct-test").json()
        assert (standing["state"], standing["attempts_left"]) == ("can_start", 3)
        drawn = nina.post(f"{API}/helper/conduct-test/attempts")
        assert drawn.status_code == 201, drawn.content
        attempt = ConductTestAttempt.objects.get(public_id=drawn.json()["id"])
        assert [q["id"] for q in drawn.json()["questions"]] == attempt.question_ids
        assert drawn.json()["language"] == "en"
        answered = nina.post(
            f"{API}/helper/conduct-test/attempts/{attempt.public_id}/submit",
            {"answers": [{"question": q, "option": o} for q, o in answers_for(attempt)]},
            format="json",
        )
        assert answered.status_code == 200, answered.content
        assert {k: answered.json()[k] for k in ("score", "out_of", "passed")} == {
            "score": 1,
            "out_of": 1,
            "passed": True,
        }
        assert nina.get(f"{API}/helper/application").json()["approval_status"] == (
            "conduct_test_passed"
        )

        # Her weekly hours over the API; her payout account taking charges is set as the
        # factories do (connecting a real account is the payments tests' walk)
        weekly = [{"weekday": day, "start_time": "00:00", "end_time": "23:59"} for day in range(7)]
        hours = nina.put(f"{API}/helper/availability/weekly", {"intervals": weekly}, format="json")
        assert hours.status_code == 200, hours.content
        HelperProfile.objects.filter(public_id=helper_id).update(takes_payments=True)

        # The manager approves her
        approved = manager.post(f"{API}/manager/helpers/{helper_id}/approve")
        assert approved.status_code == 200, approved.content
        assert approved.json()["approval_status"] == "approved"
        history = manager.get(f"{API}/manager/applications/{helper_id}").json()["history"]
        assert [step["to_status"] for step in history] == [
            "documents_submitted",
            "documents_checked",
            "conduct_test_passed",
            "approved",
        ]
        # Not matched before she accepts the current code of conduct
        assert MatchEntry.objects.filter(helper__public_id=helper_id).count() == 0

        # She reads the code of conduct and accepts the text shown
        [shown] = nina.get(f"{API}/waivers", {"audience": "helper"}).json()
        assert (shown["document"], shown["version"], shown["accepted"]) == (
            "code-of-conduct",
            code_version.pk,
            False,
        )
        digest = hashlib.sha256(shown["text"].encode("utf-8")).hexdigest()
        accepted = nina.post(
            f"{API}/waivers/accept",
            {"version": shown["version"], "language": "en", "text_sha256": digest},
            format="json",
        )
        assert accepted.status_code == 201, accepted.content
        assert list(
            LegalAcceptance.objects.filter(user__email="nina@example.ch").values_list(
                "version_id", "language", "text_sha256"
            )
        ) == [(code_version.pk, "en", digest)]
        assert sorted(
            MatchEntry.objects.filter(helper__public_id=helper_id).values_list(
                "category__slug", flat=True
            )
        ) == ["internet-wifi", "smart-home"]

        # The manager requires a course for smart-home, written and published over the API
        created = manager.post(
            f"{API}/manager/academy/courses",
            {
                "slug": "smart-home-set-up",
                "required_for": ["smart-home"],
                "validity_months": 24,
                **{f"title_{lang}": f"Smart-home set-up ({lang})" for lang in LANGUAGES},
            },
            format="json",
        )
        assert created.status_code == 201, created.content
        written = manager.put(
            f"{API}/manager/academy/courses/smart-home-set-up/versions/1",
            draft_body(),
            format="json",
        )
        assert written.status_code == 200, written.content
        course = manager.post(f"{API}/manager/academy/courses/smart-home-set-up/versions/1/publish")
        assert course.status_code == 200, course.content
        assert course.json()["status"] == "published"
        assert sorted(
            MatchEntry.objects.filter(helper__public_id=helper_id).values_list(
                "category__slug", flat=True
            )
        ) == ["internet-wifi"]

        # A customer's smart-home request does not reach her; the matching record says why
        before = post(customer, "smart-home", T0)
        assert offered_helpers(manager, before) == []
        runs = results(manager.get(f"{API}/manager/help-requests/{before}/matching"))
        # (each widening of the search, newest first, found her and left her out)
        missing = (
            helper_id,
            False,
            "left out: lacks the certification required for this category: Smart-home set-up (en)",
        )
        assert [
            (
                run["search_radius_km"],
                run["offers_made"],
                [(row["helper"], row["offered"], row["reason"]) for row in run["considered"]],
            )
            for run in runs
        ] == [(radius, 0, [missing]) for radius in (25.0, 20.0, 15.0, 10.0, 5.0)]
        assert results(nina.get(f"{API}/offers")) == []

        # She takes the course's quiz over the API and passes
        courses = results(nina.get(f"{API}/helper/academy/courses"))
        assert [(c["slug"], c["required_for"], c["certified_until"]) for c in courses] == [
            ("smart-home-set-up", ["smart-home"], None)
        ]
        started = nina.post(f"{API}/helper/academy/courses/smart-home-set-up/quiz")
        assert started.status_code == 201, started.content
        quiz = QuizAttempt.objects.get(public_id=started.json()["id"])
        passed = nina.post(
            f"{API}/helper/academy/quiz-attempts/{quiz.public_id}/submit",
            {"answers": right_answers(quiz)},
            format="json",
        )
        assert passed.status_code == 200, passed.content
        until = datetime(2029, 3, 2, 9, 0, tzinfo=SWISS)
        assert (passed.json()["passed"], passed.json()["score"]) == (True, 2)
        assert datetime.fromisoformat(passed.json()["certified_until"]) == until
        assert list(
            Certification.objects.filter(helper__public_id=helper_id).values_list(
                "course__slug", flat=True
            )
        ) == ["smart-home-set-up"]

        # The next smart-home request is her first offer
        after = post(customer, "smart-home", T0)
        assert offered_helpers(manager, before) == []
        assert offered_helpers(manager, after) == [helper_id]
        offers = results(nina.get(f"{API}/offers"))
        assert [
            (offer["request"]["id"], offer["request"]["category"], offer["status"])
            for offer in offers
        ] == [(after, "smart-home", "pending")]
    assert [
        str(request_id)
        for request_id in Offer.objects.filter(helper__public_id=helper_id).values_list(
            "help_request__public_id", flat=True
        )
    ] == [after]
