"""A number of things reads in the singular when there is one: "1 risposta giusta su 2", "in 1
day", "1 of 1 place". A second number in the same sentence is written so that it reads right
whatever it is ("minimo richiesto: 1")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from academy.emails import send_certification_reminder
from academy.models import Certification
from helpers.models import ApprovalStatus, ConductTestAttempt
from tests.academy.builders import publish_course
from tests.factories import ManagerFactory, answers_for, make_helper, publish_conduct_test, vet
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _one_of_two_right(client, language: str) -> ConductTestAttempt:
    """An applicant who answered one of the test's two questions right (both are needed)."""
    publish_conduct_test(questions=2, per_attempt=2, pass_mark=2)
    helper = vet(make_helper(approval=ApprovalStatus.APPLIED), to=ApprovalStatus.DOCUMENTS_CHECKED)
    _logged_in(client, helper.user, language)
    client.post("/helper/conduct-test/start")
    attempt = ConductTestAttempt.objects.get(helper=helper)
    form = {f"question_{q}": str(option) for q, option in answers_for(attempt, wrong=1)}
    client.post(f"/helper/conduct-test/{attempt.public_id}/submit", form)
    attempt.refresh_from_db()
    assert attempt.score == 1
    return attempt


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("it", "1 risposta giusta su 2 (minimo richiesto: 2)."),
        ("fr", "1 bonne réponse sur 2 (minimum requis : 2)."),
        ("en", "1 of 2 right (2 needed)."),
    ],
)
def test_the_applicant_reads_one_right_answer_in_the_singular(client, language, said):
    _one_of_two_right(client, language)

    html = client.get("/helper/conduct-test").content.decode()

    assert f"<strong>{said}</strong>" in html


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("it", "1 risposta giusta su 2 (minimo richiesto: 2)"),
        ("fr", "1 réponse juste sur 2 (minimum requis : 2)"),
    ],
)
def test_the_manager_reads_one_right_answer_in_the_singular(client, language, said):
    attempt = _one_of_two_right(client, language)
    _logged_in(client, ManagerFactory.create(), language)

    html = client.get(f"/manage/vetting/{attempt.helper.public_id}/").content.decode()

    assert f"</strong> {said}</p>" in html


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("it", "Supera il test rispondendo correttamente ad almeno 1."),
        ("fr", "Le seuil de réussite est de 1."),
        ("en", "You pass with 1 right."),
    ],
)
def test_a_pass_mark_of_one_reads_right_before_the_test(client, language, said):
    publish_conduct_test(questions=3, per_attempt=2, pass_mark=1)
    helper = vet(make_helper(approval=ApprovalStatus.APPLIED), to=ApprovalStatus.DOCUMENTS_CHECKED)
    _logged_in(client, helper.user, language)

    html = client.get("/helper/conduct-test").content.decode()

    assert said in html
    assert "1 risposte" not in html
    assert "1 bonnes" not in html


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("it", "scade tra 1 giorno, in data"),
        ("fr", "(dans 1 jour)"),
        ("de", "(in 1 Tag)"),
        ("en", "(in 1 day)"),
    ],
)
def test_a_certification_running_out_tomorrow_says_one_day(language, said):
    helper = make_helper(skills=("smart-home",))
    type(helper.user).objects.filter(pk=helper.user_id).update(preferred_language=language)
    helper.user.preferred_language = language
    course = publish_course("smart-home-set-up")
    now = timezone.now()
    certification = Certification.objects.create(
        helper=helper,
        course=course,
        source="quiz",
        earned_at=now - timedelta(days=700),
        expires_at=now + timedelta(days=1, hours=6),
    )

    send_certification_reminder(certification)

    assert len(mail.outbox) == 1
    assert said in mail.outbox[0].body
