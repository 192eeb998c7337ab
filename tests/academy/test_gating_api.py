"""A certification gates the categories a helper is offered, through the HTTP API: an approved
helper without the required certification gets no offer for the category (and the manager's
matching record says which certification they lack); passing the course's quiz brings offers;
expiry, handled by the real worker's daily run, removes them; a new certification brings them
back. On SQLite and PostgreSQL (the suite runs on both)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from academy.models import Certification, QuizAttempt
from academy.tasks import schedule_daily_certifications
from bookings.models import MatchEntry, Offer
from tests.academy.builders import draft_body, publish_course, right_answers
from tests.api.api_assertions import API, client_for, results
from tests.factories import ZURICH, ManagerFactory, UserFactory, make_helper, offset
from tests.worker import run_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SWISS = ZoneInfo("Europe/Zurich")
T0 = datetime(2027, 3, 2, 9, 0, tzinfo=SWISS)  # a Tuesday


def request_body(category: str, now: datetime) -> dict[str, Any]:
    start = (now + timedelta(days=2)).astimezone(SWISS).replace(hour=10, minute=0)
    return {
        "category": category,
        "description": "The smart plugs do not answer the app any more.",
        "street": "Bahnhofstrasse 1",
        "postal_code": "8001",
        "locality": "Zürich",
        "windows": [
            {
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=4)).isoformat(),
            }
        ],
    }


def offered_helpers(manager: Any, request_id: str) -> list[str]:
    rows = results(manager.get(f"{API}/manager/help-requests/{request_id}/offers"))
    return sorted(row["helper"] for row in rows)


def post(customer: Any, category: str, now: datetime) -> str:
    response = customer.post(f"{API}/help-requests", request_body(category, now), format="json")
    assert response.status_code == 201, response.content
    return str(response.json()["id"])


def test_the_certification_gates_the_category_from_the_first_offer_to_expiry_and_back():
    with time_machine.travel(T0, tick=False) as clock:
        # Given an approved helper skilled in smart-home and Wi-Fi near Zürich HB
        helper = make_helper(
            point=offset(ZURICH, east_m=1_000),
            skills=("smart-home", "internet-wifi"),
            display_name="Sami Smart",
        )
        helper_id = str(helper.public_id)
        as_helper = client_for(helper.user)
        manager = client_for(ManagerFactory.create())
        customer = client_for(UserFactory.create(languages=["de", "en"]))

        # And the manager requires a course for smart-home, written and published over the API
        created = manager.post(
            f"{API}/manager/academy/courses",
            {
                "slug": "smart-home-set-up",
                "required_for": ["smart-home"],
                "validity_months": 24,
                **{
                    f"title_{lang}": f"Smart-home set-up ({lang})"
                    for lang in ["de", "fr", "it", "en"]
                },
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
        published = manager.post(
            f"{API}/manager/academy/courses/smart-home-set-up/versions/1/publish"
        )
        assert published.status_code == 200, published.content
        assert published.json()["status"] == "published"

        # Then the helper's index keeps Wi-Fi only
        assert sorted(
            MatchEntry.objects.filter(helper=helper).values_list("category__slug", flat=True)
        ) == ["internet-wifi"]

        # When a customer asks for smart-home help, nobody is offered it
        first = post(customer, "smart-home", T0)
        assert offered_helpers(manager, first) == []
        # And the manager's record of the matching names the missing certification
        runs = results(manager.get(f"{API}/manager/help-requests/{first}/matching"))
        assert [
            (row["helper"], row["offered"], row["reason"])
            for run in runs
            for row in run["considered"]
        ][:1] == [
            (
                helper_id,
                False,
                "left out: lacks the certification required for this category: "
                "Smart-home set-up (en)",
            )
        ]
        # And a Wi-Fi request is still offered to them
        wifi = post(customer, "internet-wifi", T0)
        assert offered_helpers(manager, wifi) == [helper_id]

        # When the helper reads the course and passes its quiz over the API
        courses = results(as_helper.get(f"{API}/helper/academy/courses"))
        assert [(c["slug"], c["required_for"], c["certified_until"]) for c in courses] == [
            ("smart-home-set-up", ["smart-home"], None)
        ]
        started = as_helper.post(f"{API}/helper/academy/courses/smart-home-set-up/quiz")
        assert started.status_code == 201, started.content
        attempt = QuizAttempt.objects.get(public_id=started.json()["id"])
        submitted = as_helper.post(
            f"{API}/helper/academy/quiz-attempts/{attempt.public_id}/submit",
            {"answers": right_answers(attempt)},
            format="json",
        )
        assert submitted.status_code == 200, submitted.content
        expires = datetime(2029, 3, 2, 9, 0, tzinfo=SWISS)
        assert (submitted.json()["passed"], submitted.json()["score"]) == (True, 2)
        # In Swiss time, like every datetime the API answers with
        assert submitted.json()["certified_until"] == "2029-03-02T09:00:00.000000+01:00"
        assert datetime.fromisoformat(submitted.json()["certified_until"]) == expires
        listed = results(as_helper.get(f"{API}/helper/academy/courses"))
        assert [c["certified_until"] for c in listed] == ["2029-03-02T09:00:00.000000+01:00"]

        # Then the next smart-home request is offered to them
        second = post(customer, "smart-home", T0)
        assert offered_helpers(manager, second) == [helper_id]

        # When the daily run is queued and two years and a day pass
        schedule_daily_certifications()
        clock.move_to(expires + timedelta(hours=20))
        run_worker()

        # Then the certification has expired, the index dropped smart-home again...
        certification = Certification.objects.get(helper=helper)
        assert certification.expiry_processed_at is not None
        assert sorted(
            MatchEntry.objects.filter(helper=helper).values_list("category__slug", flat=True)
        ) == ["internet-wifi"]
        # ...the next daily run is queued for tomorrow 02:15 Swiss time
        assert list(
            DBTaskResult.objects.filter(
                task_path="academy.tasks.certifications_daily", status="READY"
            ).values_list("run_after", flat=True)
        ) == [datetime(2029, 3, 4, 2, 15, tzinfo=SWISS)]
        # ...and a new smart-home request is offered to nobody
        now = expires + timedelta(hours=20)
        third = post(customer, "smart-home", now)
        assert offered_helpers(manager, third) == []
        record = results(as_helper.get(f"{API}/helper/academy/certifications"))
        assert [(row["course"], row["in_force"]) for row in record] == [
            ("smart-home-set-up", False)
        ]

        # When they pass the quiz again
        again = as_helper.post(f"{API}/helper/academy/courses/smart-home-set-up/quiz")
        attempt = QuizAttempt.objects.get(public_id=again.json()["id"])
        response = as_helper.post(
            f"{API}/helper/academy/quiz-attempts/{attempt.public_id}/submit",
            {"answers": right_answers(attempt)},
            format="json",
        )
        assert response.status_code == 200, response.content

        # Then smart-home requests reach them again
        fourth = post(customer, "smart-home", now)
        assert offered_helpers(manager, fourth) == [helper_id]
    assert Offer.objects.filter(helper=helper).count() == 3


def test_a_required_course_for_every_helper_gates_every_category_until_certified():
    with time_machine.travel(T0, tick=False):
        # Given an approved Wi-Fi helper and a course required of every helper
        helper = make_helper(point=offset(ZURICH, east_m=1_000))
        course = publish_course("data-protection", required_for_all=True)
        manager = client_for(ManagerFactory.create())
        customer = client_for(UserFactory.create(languages=["de", "en"]))

        # When a Wi-Fi request comes, nobody is offered it
        request_id = post(customer, "internet-wifi", T0)
        assert offered_helpers(manager, request_id) == []
        assert MatchEntry.objects.filter(helper=helper).count() == 0

        # When the helper passes the course's quiz
        as_helper = client_for(helper.user)
        started = as_helper.post(f"{API}/helper/academy/courses/{course.slug}/quiz")
        attempt = QuizAttempt.objects.get(public_id=started.json()["id"])
        as_helper.post(
            f"{API}/helper/academy/quiz-attempts/{attempt.public_id}/submit",
            {"answers": right_answers(attempt)},
            format="json",
        )

        # Then Wi-Fi comes back
        assert list(
            MatchEntry.objects.filter(helper=helper).values_list("category__slug", flat=True)
        ) == ["internet-wifi"]
        # And when the manager revokes the certification, it is gone from the index at once
        certification = Certification.objects.get(helper=helper)
        revoked = manager.post(
            f"{API}/manager/academy/certifications/{certification.pk}/revoke",
            {"reason": "Left a customer's door open."},
            format="json",
        )
        assert revoked.status_code == 200, revoked.content
        assert MatchEntry.objects.filter(helper=helper).count() == 0
