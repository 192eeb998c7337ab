"""A suspension with an end date (or without one): the reason, the e-mail that names the end,
the worker's reinstatement on the day, and the refusals that change nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django_tasks_db.models import DBTaskResult

from backend.exceptions import ApplicationError
from backend.relay import relay_pending
from helpers import services
from helpers.models import ApprovalStatus, HelperApprovalEvent, HelperProfile
from tests.factories import ManagerFactory, make_helper
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in
from tests.worker import run_worker

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_reinstates_a_helper_when_the_suspension_ends():
    with time_machine.travel(T0, tick=False) as clock:
        # Given an approved helper, suspended for a week
        helper = make_helper(email="lea@example.ch", preferred_language="fr")
        manager = ManagerFactory.create()
        services.helper_suspend(
            helper=helper, actor=manager, note="Late twice.", until=T0 + timedelta(days=7)
        )
        helper.refresh_from_db()
        assert (helper.approval_status, helper.suspended_until) == (
            ApprovalStatus.SUSPENDED,
            T0 + timedelta(days=7),
        )
        task = DBTaskResult.objects.get(task_path="helpers.tasks.reinstate_due_helpers")
        assert task.run_after == T0 + timedelta(days=7)

        # When the worker runs a day early, nothing moves
        clock.shift(timedelta(days=6))
        run_worker()
        helper.refresh_from_db()
        assert helper.approval_status == ApprovalStatus.SUSPENDED

        # When it runs on the day
        clock.shift(timedelta(days=1, seconds=1))
        run_worker()

    # Then the helper is approved again by Quartier itself, and the end is cleared
    helper.refresh_from_db()
    assert (helper.approval_status, helper.suspended_until) == (ApprovalStatus.APPROVED, None)
    last = HelperApprovalEvent.objects.filter(helper=helper).order_by("pk").last()
    assert (last.from_status, last.to_status, last.actor, last.role) == (
        ApprovalStatus.SUSPENDED,
        ApprovalStatus.APPROVED,
        None,
        "system",
    )
    # And the helper read of both steps in their language, the end date named
    assert [m.subject for m in mail.outbox] == [
        "Votre compte de personne aidante est suspendu",
        "Vous pouvez de nouveau recevoir des demandes",
    ]
    assert "La suspension prend fin le 8 mars 2027 à 09:00" in mail.outbox[0].body
    assert "Late twice." in mail.outbox[0].body


@pytest.mark.django_db
def test_a_suspension_without_an_end_waits_for_the_manager(clock):
    helper = make_helper(preferred_language="en")
    manager = ManagerFactory.create()

    services.helper_suspend(helper=helper, actor=manager, note="Complaints.")
    services.helpers_reinstate_due()

    helper.refresh_from_db()
    assert (helper.approval_status, helper.suspended_until) == (ApprovalStatus.SUSPENDED, None)
    assert not DBTaskResult.objects.filter(task_path="helpers.tasks.reinstate_due_helpers")
    relay_pending()
    assert "The suspension lasts until the community manager lifts it." in mail.outbox[-1].body


@pytest.mark.django_db
def test_the_manager_lifting_a_suspension_early_clears_its_end(clock):
    helper = make_helper()
    manager = ManagerFactory.create()
    services.helper_suspend(
        helper=helper, actor=manager, note="Checking.", until=T0 + timedelta(days=3)
    )

    services.helper_approve(helper=helper, actor=manager, note="Cleared up with the customer.")

    helper.refresh_from_db()
    assert (helper.approval_status, helper.suspended_until) == (ApprovalStatus.APPROVED, None)
    assert services.helpers_reinstate_due() == 0


@pytest.mark.django_db
def test_an_end_in_the_past_is_refused_and_changes_nothing(clock):
    helper = make_helper()
    manager = ManagerFactory.create()

    with pytest.raises(ApplicationError) as refused:
        services.helper_suspend(
            helper=helper, actor=manager, note="Late.", until=T0 - timedelta(hours=1)
        )

    assert (refused.value.status, refused.value.code, list(refused.value.fields)) == (
        400,
        "in_the_past",
        ["until"],
    )
    helper.refresh_from_db()
    assert (helper.approval_status, helper.suspended_until) == (ApprovalStatus.APPROVED, None)
    assert not HelperApprovalEvent.objects.exists()


@pytest.mark.django_db
def test_the_console_suspends_until_a_last_day(client):
    helper = make_helper()
    _logged_in(client, ManagerFactory.create())
    path = f"/manage/helpers/{helper.public_id}/suspend"

    past = client.post(path, {"suspend-note": "Late.", "suspend-last_day": "2020-01-01"})
    done = client.post(path, {"suspend-note": "Late.", "suspend-last_day": "2099-03-07"})

    page = f"/manage/helpers/{helper.public_id}/"
    assert _errors_of(shown_once(client, past, page), "id_suspend-last_day") == [
        "This day has already passed."
    ]
    assert done.status_code == 302
    helper = HelperProfile.objects.get(pk=helper.pk)
    assert helper.approval_status == ApprovalStatus.SUSPENDED
    assert helper.suspended_until == datetime(2099, 3, 8, 0, 0, tzinfo=ZoneInfo("Europe/Zurich"))
    page = client.get(f"/manage/helpers/{helper.public_id}/").content.decode()
    assert (
        'Until <time datetime="2099-03-08T00:00:00+01:00">8 March 2099 at 00:00</time>,'
        " then reinstated by itself."
    ) in page
