"""Account e-mails to one address are bounded: the web's sign-up and password-reset forms
(which anyone can submit for any address) cannot flood an inbox. Past the allowance the answer
is the same and nothing is sent or changed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from backend.models import User
from backend.tasks import relay_events
from tests.factories import UserFactory
from tests.worker import run_worker

pytestmark = pytest.mark.django_db

SIGN_UP = {"display_name": "Anna Muster", "password": "a-long-Passphrase-9", "languages": ["de"]}


@pytest.fixture(autouse=True)
def _mid_hour():
    # The allowance is counted per hour of the clock: no test may straddle two hours.
    with time_machine.travel(datetime(2026, 5, 4, 10, 30, tzinfo=UTC), tick=False):
        yield


def _page(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_password_reset_mails_an_address_five_times_an_hour_at_most(
    client, django_capture_on_commit_callbacks
):
    UserFactory.create(email="anna@example.ch")
    UserFactory.create(email="beat@example.ch")
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        with django_capture_on_commit_callbacks(execute=True):
            answers = [
                client.post("/password-reset", {"email": "Anna@example.ch"}) for _ in range(6)
            ]
            other = client.post("/password-reset", {"email": "beat@example.ch"})
        run_worker()
        assert {answer.status_code for answer in [*answers, other]} == {200}
        assert len({_page(answer) for answer in answers}) == 1
        assert [message.to for message in mail.outbox] == [["anna@example.ch"]] * 5 + [
            ["beat@example.ch"]
        ]
        traveller.shift(timedelta(hours=1, seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/password-reset", {"email": "anna@example.ch"})
        run_worker()
    assert len(mail.outbox) == 7
    assert mail.outbox[-1].to == ["anna@example.ch"]


def test_sign_up_with_a_taken_address_notifies_its_owner_five_times_an_hour_at_most(
    client, django_capture_on_commit_callbacks
):
    UserFactory.create(email="taken@example.ch")
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.post("/sign-up", {**SIGN_UP, "email": "taken@example.ch"}) for _ in range(6)
        ]
    assert {answer.status_code for answer in answers} == {200}
    assert len({_page(answer) for answer in answers}) == 1
    assert [message.to for message in mail.outbox] == [["taken@example.ch"]] * 5


def test_past_the_allowance_a_pending_sign_up_is_left_as_it_was(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(5):
            client.post(
                "/sign-up",
                {**SIGN_UP, "email": "new@example.ch", "display_name": f"Anna {number}"},
            )
    pending = User.objects.get(email="new@example.ch")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        refused = client.post(
            "/sign-up", {**SIGN_UP, "email": "new@example.ch", "display_name": "Mallory"}
        )
    assert refused.status_code == 200
    assert callbacks == []
    assert len(mail.outbox) == 5
    unchanged = User.objects.get(email="new@example.ch")
    # The first sign-up stands (signing up again changes nothing within the allowance either)
    assert (unchanged.display_name, unchanged.password) == ("Anna 0", pending.password)
    assert unchanged.email_verified_at is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sign_up_and_password_reset_share_one_allowance(client, django_capture_on_commit_callbacks):
    UserFactory.create(email="anna@example.ch")
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            client.post("/sign-up", {**SIGN_UP, "email": "anna@example.ch"})
        for _ in range(3):
            client.post("/password-reset", {"email": "anna@example.ch"})
    run_worker()
    assert len(mail.outbox) == 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_password_reset_form_answers_without_waiting_for_the_mail_server(
    client, django_capture_on_commit_callbacks
):
    # The e-mail is sent by the task worker: a slow mail server would otherwise make the
    # answer for an address with an account slower than for one without.
    UserFactory.create(email="anna@example.ch")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/password-reset", {"email": "anna@example.ch"})
        unknown = client.post("/password-reset", {"email": "nobody@example.ch"})
    assert _page(known) == _page(unknown)
    assert mail.outbox == []
    queued = DBTaskResult.objects.values_list("task_path", "args_kwargs")
    assert sorted((path, kwargs["args"]) for path, kwargs in queued) == [
        ("backend.tasks.password_reset_mail_send", ["anna@example.ch"]),
        ("backend.tasks.password_reset_mail_send", ["nobody@example.ch"]),
    ]
    run_worker()
    assert [message.to for message in mail.outbox] == [["anna@example.ch"]]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_password_reset_mail_goes_before_the_background_work_queued_ahead_of_it(
    client, django_capture_on_commit_callbacks
):
    # Given background work queued first (the relay woken for stored events)
    UserFactory.create(email="anna@example.ch")
    for _ in range(3):
        relay_events.enqueue()
    # When someone asks for a password-reset link
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/password-reset", {"email": "anna@example.ch"})
    # Then the worker takes their e-mail first
    assert [task.task_path for task in DBTaskResult.objects.ready()] == [
        "backend.tasks.password_reset_mail_send",
        *["backend.tasks.relay_events"] * 3,
    ]
