"""A suspended helper's appeal: filed with a text, one open at a time, decided by the manager
(upheld or lifted, with a reason), closed when the suspension ends otherwise; the e-mails in
the helper's language; and the refusals that store nothing."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test import override_settings

from backend.exceptions import ApplicationError
from backend.models import User
from backend.relay import relay_pending
from helpers import services
from helpers.appeal_services import appeal_decide, appeal_file
from helpers.models import AppealStatus, ApprovalStatus, HelperAppeal, HelperProfile
from tests.factories import ManagerFactory, make_helper

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def suspended(language: str = "en", until: datetime | None = None) -> tuple[HelperProfile, User]:
    """An approved helper, suspended by a manager; the suspension's e-mail already read."""
    helper = make_helper(preferred_language=language)
    manager = ManagerFactory.create()
    services.helper_suspend(helper=helper, actor=manager, note="Late twice.", until=until)
    helper.refresh_from_db()
    relay_pending()
    mail.outbox.clear()
    return helper, manager


def refusal(error: pytest.ExceptionInfo[ApplicationError]) -> tuple[int, str, list[str]]:
    return (error.value.status, str(error.value.code), list(error.value.fields))


@pytest.mark.django_db
def test_a_suspended_helper_appeals_and_hears_it_arrived(clock):
    helper, _ = suspended("de")

    appeal = appeal_file(helper=helper, actor=helper.user, text="  Der Bus kam zu spät.\n  ")
    relay_pending()

    stored = HelperAppeal.objects.get()
    assert (stored.pk, stored.helper, stored.text, stored.status, stored.created_at) == (
        appeal.pk,
        helper,
        "Der Bus kam zu spät.",
        AppealStatus.OPEN,
        T0,
    )
    assert [(m.subject, m.to) for m in mail.outbox] == [
        ("Wir haben Ihren Einspruch erhalten", [helper.user.email])
    ]
    assert mail.outbox[0].extra_headers["Content-Language"] == "de"


@pytest.mark.django_db
def test_one_open_appeal_at_a_time(clock):
    helper, _ = suspended()
    appeal_file(helper=helper, actor=helper.user, text="First.")

    with pytest.raises(ApplicationError) as refused:
        appeal_file(helper=helper, actor=helper.user, text="Second.")

    assert refusal(refused) == (409, "appeal_already_open", [])
    assert list(HelperAppeal.objects.values_list("text", flat=True)) == ["First."]


@pytest.mark.django_db
def test_only_a_suspended_helper_appeals(clock):
    helper = make_helper()

    with pytest.raises(ApplicationError) as refused:
        appeal_file(helper=helper, actor=helper.user, text="Why?")

    assert refusal(refused) == (409, "not_suspended", [])
    assert not HelperAppeal.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("   ", "nothing_visible"),
        ("Hi \u202eyou", "forbidden_characters"),
        ("a" * 2001, "max_length"),
    ],
)
def test_an_unfit_text_is_refused_and_nothing_stored(clock, text, code):
    helper, _ = suspended()

    with pytest.raises(ApplicationError) as refused:
        appeal_file(helper=helper, actor=helper.user, text=text)

    assert refusal(refused) == (400, code, ["text"])
    assert not HelperAppeal.objects.exists()


@pytest.mark.django_db
def test_nobody_appeals_for_someone_else(clock):
    helper, manager = suspended()

    with pytest.raises(ApplicationError) as refused:
        appeal_file(helper=helper, actor=manager, text="On their behalf.")

    assert refusal(refused) == (403, "not_your_application", [])
    assert not HelperAppeal.objects.exists()


@pytest.mark.django_db
def test_upholding_keeps_the_suspension_and_tells_the_helper_why(clock):
    helper, manager = suspended("fr", until=T0 + timedelta(days=7))
    appeal = appeal_file(helper=helper, actor=helper.user, text="Le bus.")
    relay_pending()
    mail.outbox.clear()
    clock.shift(timedelta(hours=2))

    appeal_decide(appeal=appeal, actor=manager, outcome="uphold", note="Third time this month.")
    relay_pending()

    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by, appeal.decided_at, appeal.decision_note) == (
        AppealStatus.UPHELD,
        manager,
        T0 + timedelta(hours=2),
        "Third time this month.",
    )
    helper.refresh_from_db()
    assert (helper.approval_status, helper.suspended_until) == (
        ApprovalStatus.SUSPENDED,
        T0 + timedelta(days=7),
    )
    assert [m.subject for m in mail.outbox] == ["Votre recours : la suspension est maintenue"]
    assert "Third time this month." in mail.outbox[0].body
    assert "La suspension prend fin le 8 mars 2027 à 09:00" in mail.outbox[0].body


@pytest.mark.django_db
def test_lifting_reinstates_the_helper_with_the_reason(clock):
    helper, manager = suspended("it", until=T0 + timedelta(days=7))
    appeal = appeal_file(helper=helper, actor=helper.user, text="Il treno.")
    relay_pending()
    mail.outbox.clear()

    appeal_decide(appeal=appeal, actor=manager, outcome="lift", note="Understood, welcome back.")
    relay_pending()

    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_by) == (AppealStatus.LIFTED, manager)
    helper.refresh_from_db()
    assert (helper.approval_status, helper.suspended_until, helper.approval_note) == (
        ApprovalStatus.APPROVED,
        None,
        "Understood, welcome back.",
    )
    # One e-mail: the reinstatement's, carrying the reason
    assert [m.subject for m in mail.outbox] == ["Può di nuovo ricevere richieste"]
    assert "Understood, welcome back." in mail.outbox[0].body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "note", "answer"),
    [
        ("uphold", "", (400, "reason_required", ["note"])),
        ("lift", "  ", (400, "reason_required", ["note"])),
        ("forgive", "Fine.", (400, "invalid_choice", ["outcome"])),
        ("uphold", "x" * 501, (400, "max_length", ["note"])),
    ],
)
def test_a_decision_without_reason_or_outcome_changes_nothing(clock, outcome, note, answer):
    helper, manager = suspended()
    appeal = appeal_file(helper=helper, actor=helper.user, text="Please.")

    with pytest.raises(ApplicationError) as refused:
        appeal_decide(appeal=appeal, actor=manager, outcome=outcome, note=note)

    assert refusal(refused) == answer
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_at, appeal.decided_by) == (AppealStatus.OPEN, None, None)
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.SUSPENDED


@pytest.mark.django_db
def test_a_decided_appeal_is_not_decided_again_and_only_managers_decide(clock):
    helper, manager = suspended()
    appeal = appeal_file(helper=helper, actor=helper.user, text="Please.")
    with pytest.raises(ApplicationError) as not_a_manager:
        appeal_decide(appeal=appeal, actor=helper.user, outcome="lift", note="Myself.")
    appeal_decide(appeal=appeal, actor=manager, outcome="uphold", note="No.")

    with pytest.raises(ApplicationError) as again:
        appeal_decide(appeal=appeal, actor=manager, outcome="lift", note="Changed my mind.")

    assert refusal(not_a_manager) == (403, "manager_only", [])
    assert refusal(again) == (409, "appeal_already_decided", [])
    appeal.refresh_from_db()
    assert (appeal.status, appeal.decision_note) == (AppealStatus.UPHELD, "No.")
    helper.refresh_from_db()
    assert helper.approval_status == ApprovalStatus.SUSPENDED


@pytest.mark.django_db
def test_after_an_upheld_appeal_the_helper_may_appeal_again(clock):
    helper, manager = suspended()
    first = appeal_file(helper=helper, actor=helper.user, text="Please.")
    appeal_decide(appeal=first, actor=manager, outcome="uphold", note="No.")

    second = appeal_file(helper=helper, actor=helper.user, text="New facts.")

    assert list(HelperAppeal.objects.order_by("pk").values_list("pk", "status")) == [
        (first.pk, AppealStatus.UPHELD),
        (second.pk, AppealStatus.OPEN),
    ]


@pytest.mark.django_db
def test_an_open_appeal_closes_when_the_suspension_ends_otherwise(clock):
    helper, manager = suspended(until=T0 + timedelta(days=1))
    appeal = appeal_file(helper=helper, actor=helper.user, text="Please.")
    clock.shift(timedelta(days=1, seconds=1))

    assert services.helpers_reinstate_due() == 1

    appeal.refresh_from_db()
    assert (appeal.status, appeal.decided_at, appeal.decided_by) == (
        AppealStatus.CLOSED,
        T0 + timedelta(days=1, seconds=1),
        None,
    )
    with pytest.raises(ApplicationError) as late:
        appeal_decide(appeal=appeal, actor=manager, outcome="uphold", note="Too late.")
    assert refusal(late) == (409, "appeal_already_decided", [])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_appeals_filed_at_once_store_one():
    helper = make_helper()
    services.helper_suspend(helper=helper, actor=ManagerFactory.create(), note="Late.")
    helper.refresh_from_db()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def file(text: str) -> None:
        try:
            barrier.wait(timeout=30)
            appeal_file(helper=helper, actor=helper.user, text=text)
            outcomes.append("filed")
        except ApplicationError as error:
            outcomes.append(str(error.code))
        finally:
            connection.close()

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        threads = [threading.Thread(target=file, args=(t,)) for t in ("One.", "Two.")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert sorted(outcomes) == ["appeal_already_open", "filed"]
    assert HelperAppeal.objects.filter(helper=helper, status=AppealStatus.OPEN).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_decisions_at_once_decide_once():
    helper = make_helper()
    manager = ManagerFactory.create()
    services.helper_suspend(helper=helper, actor=manager, note="Late.")
    helper.refresh_from_db()
    appeal = appeal_file(helper=helper, actor=helper.user, text="Please.")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(outcome: str) -> None:
        try:
            barrier.wait(timeout=30)
            appeal_decide(appeal=appeal, actor=manager, outcome=outcome, note="Decided.")
            outcomes.append(outcome)
        except ApplicationError as error:
            outcomes.append(str(error.code))
        finally:
            connection.close()

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        threads = [threading.Thread(target=decide, args=(o,)) for o in ("uphold", "lift")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

    assert "appeal_already_decided" in outcomes
    appeal.refresh_from_db()
    won = next(o for o in outcomes if o != "appeal_already_decided")
    assert appeal.status == {"uphold": AppealStatus.UPHELD, "lift": AppealStatus.LIFTED}[won]
    helper.refresh_from_db()
    expected = ApprovalStatus.APPROVED if won == "lift" else ApprovalStatus.SUSPENDED
    assert helper.approval_status == expected
