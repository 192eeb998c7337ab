"""The relay's wake-ups: however many changes commit, one relay task at most waits for the
worker, and its run delivers every event waiting, those stored while it runs included. A
change that commits after a relay run has read the outbox for the last time has queued a
wake-up of its own, so no event waits for the next change (or the sweep) to be delivered."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from django.core import mail
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from backend import events as domain
from backend import relay
from backend import services as accounts
from backend.events import UserProfileChanged
from backend.models import EventDelivery, OutboxEvent, User
from backend.relay import relay_due
from backend.tasks import password_reset_mail_send, relay_events
from tests.factories import UserFactory
from tests.worker import run_worker

RELAY_TASK = "backend.tasks.relay_events"
WAIT_SECONDS = 30


@pytest.fixture
def heard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The event numbers heard after commit by this test's handler, the only one listening
    after commit (so only the test's own changes wake the relay)."""
    monkeypatch.setattr(domain, "_subscriptions", domain.subscriptions(domain.Phase.IN_TRANSACTION))
    sequences: list[int] = []

    def handler(event: UserProfileChanged, sequence: int) -> None:
        sequences.append(sequence)

    with domain.subscribed(handler, UserProfileChanged, phase=domain.Phase.AFTER_COMMIT):
        yield sequences


def _rename(user: User, name: str) -> int:
    """A change that someone listens to after commit; the number of its event."""
    accounts.user_update_profile(user=user, display_name=name)
    return OutboxEvent.objects.filter(event_type="UserProfileChanged").latest("pk").pk


def _relay_tasks() -> list[tuple[str, object]]:
    tasks = DBTaskResult.objects.filter(task_path=RELAY_TASK).order_by("enqueued_at")
    return list(tasks.values_list("status", "return_value"))


def _waiting() -> list[int]:
    return list(
        OutboxEvent.objects.filter(relayed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _claim_as_the_worker_does() -> DBTaskResult:
    with exclusive_transaction():
        task = DBTaskResult.objects.ready().get_locked()
        assert task is not None
        task.claim("another-worker")
    return task


# --- One wake-up for many changes ---------------------------------------------------------------


@pytest.mark.django_db
def test_changes_one_after_another_queue_one_relay_task(heard):
    # Given three people
    people = UserFactory.create_batch(3)

    # When each renames themselves, one change after another
    events = [_rename(person, f"Renamed {number}") for number, person in enumerate(people)]

    # Then the three events wait for one relay task, and nothing was heard yet
    assert _relay_tasks() == [("READY", None)]
    assert _waiting() == events
    assert heard == []


@pytest.mark.django_db
def test_a_change_while_the_relay_task_runs_queues_another(heard):
    # Given a change whose relay task a worker has started
    first, second = UserFactory.create_batch(2)
    _rename(first, "First")
    started = _claim_as_the_worker_does()

    # When another change commits (the running task may have read the outbox already)
    _rename(second, "Second")

    # Then a new relay task waits beside the running one
    assert _relay_tasks() == [("RUNNING", None), ("READY", None)]
    assert DBTaskResult.objects.ready().get().pk != started.pk


@pytest.mark.django_db
def test_a_rolled_back_change_leaves_the_queued_relay_task_as_it_was(heard):
    # Given a relay task queued by an earlier change
    first, second = UserFactory.create_batch(2)
    event = _rename(first, "First")
    queued = list(DBTaskResult.objects.filter(task_path=RELAY_TASK).values_list("pk", "status"))

    # When a later change is rolled back
    def rename_then_undo() -> None:
        with transaction.atomic():
            _rename(second, "Second")
            raise RuntimeError("undone")

    with pytest.raises(RuntimeError, match="undone"):
        rename_then_undo()

    # Then the one relay task waits, for the committed event alone
    assert list(DBTaskResult.objects.filter(task_path=RELAY_TASK).values_list("pk", "status")) == (
        queued
    )
    assert _waiting() == [event]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_delivers_every_event_in_one_run(heard):
    # Given three changes, committed one after another
    people = UserFactory.create_batch(3)
    events = [_rename(person, f"Renamed {number}") for number, person in enumerate(people)]

    # When the worker runs
    run_worker()

    # Then one relay run delivered each event once, in order, to its handler
    assert _relay_tasks() == [("SUCCESSFUL", 3)]
    assert heard == events
    assert _waiting() == []
    assert list(EventDelivery.objects.order_by("event_id").values_list("event_id", flat=True)) == (
        events
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_relay_run_also_delivers_what_its_handlers_stored(monkeypatch):
    # Given a handler after commit whose first delivery makes a further change
    monkeypatch.setattr(domain, "_subscriptions", domain.subscriptions(domain.Phase.IN_TRANSACTION))
    first, second = UserFactory.create_batch(2)
    heard: list[int] = []

    def handler(event: UserProfileChanged, sequence: int) -> None:
        heard.append(sequence)
        if event.user_id == first.pk:
            _rename(second, "Second")

    with domain.subscribed(handler, UserProfileChanged, phase=domain.Phase.AFTER_COMMIT):
        event = _rename(first, "First")

        # When the worker runs
        run_worker()

    # Then the first run delivered both events; the wake-up the further change queued (the
    # first task was running) found nothing left
    assert heard == [event, event + 1]
    assert _relay_tasks() == [("SUCCESSFUL", 2), ("SUCCESSFUL", 0)]
    assert _waiting() == []


@pytest.mark.django_db
def test_a_relay_run_reads_on_past_one_batch_and_tries_each_event_once(heard, monkeypatch):
    # Given five events, read two at a time, and the first person's first event failing
    monkeypatch.setattr(relay, "BATCH_SIZE", 2)
    first, *others = UserFactory.create_batch(4)
    failing = _rename(first, "Fails")
    behind = _rename(first, "Waits behind it")
    delivered = [_rename(person, "Delivered") for person in others]
    heard.clear()

    def fail_for_the_first(event: UserProfileChanged, sequence: int) -> None:
        if event.user_id == first.pk:
            raise RuntimeError("down")

    # When the relay runs
    with domain.subscribed(fail_for_the_first, UserProfileChanged, phase=domain.Phase.AFTER_COMMIT):
        run = relay_due()

    # Then every other event was delivered; the failed one was tried once, its follower waits
    assert run == relay.RelayRun(completed=3)
    assert _waiting() == [failing, behind]
    assert list(
        OutboxEvent.objects.filter(pk__in=[failing, behind]).order_by("pk").values_list("attempts")
    ) == [(1,), (0,)]
    assert heard == [failing, *delivered]


# --- Bounded runs: a backlog is relayed over several runs, other tasks in between --------------


def _relay_runs() -> list[tuple[str, object, dict]]:
    """Each relay task's status, return value and keyword arguments, in the order queued."""
    tasks = DBTaskResult.objects.filter(task_path=RELAY_TASK).order_by("enqueued_at")
    return [(t.status, t.return_value, t.args_kwargs["kwargs"]) for t in tasks]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backlog_larger_than_a_run_is_delivered_over_successive_runs_in_order(monkeypatch):
    # Given runs of two events, a handler failing for the first person, and six events of
    # three people: the first's two, the second's two and the third's two
    monkeypatch.setattr(domain, "_subscriptions", domain.subscriptions(domain.Phase.IN_TRANSACTION))
    monkeypatch.setattr(relay, "RUN_EVENTS", 2)
    first, second, third = UserFactory.create_batch(3)
    heard: list[int] = []
    failing = {first.pk}

    def handler(event: UserProfileChanged, sequence: int) -> None:
        if event.user_id in failing:
            raise RuntimeError("down")
        heard.append(sequence)

    with domain.subscribed(handler, UserProfileChanged, phase=domain.Phase.AFTER_COMMIT):
        a1, b1, a2, c1, b2, c2 = [
            _rename(person, name)
            for person, name in [
                (first, "A1"),
                (second, "B1"),
                (first, "A2"),
                (third, "C1"),
                (second, "B2"),
                (third, "C2"),
            ]
        ]

        # When the worker runs
        run_worker()

        # Then three runs, each queued by the one before, delivered the others in order; the
        # first person's failed event was tried once in the series, its follower never
        assert _relay_runs() == [
            ("SUCCESSFUL", 1, {}),
            ("SUCCESSFUL", 2, {"after": a2}),
            ("SUCCESSFUL", 1, {"after": b2}),
        ]
        assert heard == [b1, c1, b2, c2]
        assert _waiting() == [a1, a2]
        assert list(
            OutboxEvent.objects.filter(pk__in=[a1, a2]).order_by("pk").values_list("attempts")
        ) == [(1,), (0,)]

        # And once the handler works again, the next change's run delivers the first person's
        # events, in their order, before the new one
        failing.clear()
        c3 = _rename(third, "C3")
        run_worker()
    assert heard == [b1, c1, b2, c2, a1, a2, c3]
    assert _waiting() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_task_someone_waits_for_goes_before_the_backlogs_next_run(monkeypatch):
    # Given runs of two events, five events waiting, and a handler that, on the first, has
    # someone ask for a password-reset e-mail (a higher priority than the relay)
    monkeypatch.setattr(domain, "_subscriptions", domain.subscriptions(domain.Phase.IN_TRANSACTION))
    monkeypatch.setattr(relay, "RUN_EVENTS", 2)
    UserFactory.create(email="anna@example.ch")
    people = UserFactory.create_batch(5)
    mails_sent_when_heard: list[tuple[int, int]] = []

    def handler(event: UserProfileChanged, sequence: int) -> None:
        if not mails_sent_when_heard:
            password_reset_mail_send.enqueue("anna@example.ch")
        mails_sent_when_heard.append((sequence, len(mail.outbox)))

    with domain.subscribed(handler, UserProfileChanged, phase=domain.Phase.AFTER_COMMIT):
        events = [_rename(person, "Renamed") for person in people]

        # When the worker runs
        run_worker()

    # Then the e-mail went out after the first run, before the backlog's next one
    assert mails_sent_when_heard == [
        (events[0], 0),
        (events[1], 0),
        (events[2], 1),
        (events[3], 1),
        (events[4], 1),
    ]
    assert [message.to for message in mail.outbox] == [["anna@example.ch"]]
    assert _relay_runs() == [
        ("SUCCESSFUL", 2, {}),
        ("SUCCESSFUL", 2, {"after": events[1]}),
        ("SUCCESSFUL", 1, {"after": events[3]}),
    ]


@pytest.mark.django_db
def test_a_run_stops_once_its_time_is_up_and_says_where(heard, monkeypatch):
    # Given no time for a run beyond its first event, and two events waiting
    monkeypatch.setattr(relay, "RUN_SECONDS", 0.0)
    first, second = UserFactory.create_batch(2)
    events = [_rename(first, "First"), _rename(second, "Second")]

    # When the relay runs
    run = relay_due()

    # Then it delivered the first event and stopped there, the second waiting
    assert run == relay.RelayRun(completed=1, resume_after=events[0])
    assert heard == events[:1]
    assert _waiting() == events[1:]


@pytest.mark.django_db
def test_the_next_run_delivers_an_event_it_is_past_that_was_never_tried(heard):
    # Given two events the run before never tried (they committed after it read past them)
    first, second = UserFactory.create_batch(2)
    events = [_rename(first, "First"), _rename(second, "Second")]

    # When the next run of the series goes on after them
    run = relay_due(after=events[1])

    # Then it delivers both
    assert run == relay.RelayRun(completed=2)
    assert heard == events
    assert _waiting() == []


@pytest.mark.django_db
def test_a_run_stopped_at_its_bound_queues_the_next_unless_a_relay_task_waits(heard, monkeypatch):
    # Given runs of one event, three events and the relay task they queued
    monkeypatch.setattr(relay, "RUN_EVENTS", 1)
    people = UserFactory.create_batch(3)
    events = [_rename(person, "Renamed") for person in people]
    assert _relay_runs() == [("READY", None, {})]

    # When a run stops with that task waiting, then another once a worker has started it
    assert relay_events.call() == 1
    assert _relay_runs() == [("READY", None, {})]
    _claim_as_the_worker_does()
    assert relay_events.call() == 1

    # Then the first queued nothing (the waiting task goes on), the second the next run
    assert _relay_runs() == [("RUNNING", None, {}), ("READY", None, {"after": events[1]})]
    assert heard == events[:2]
    assert _waiting() == events[2:]


# --- Races, with real threads on PostgreSQL -----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_cannot_start_a_relay_task_a_change_still_open_counts_on(heard):
    # Given a relay task queued by a committed change
    first, second = UserFactory.create_batch(2)
    events = [_rename(first, "First")]
    emitted, worker_done = threading.Event(), threading.Event()

    def change_held_open() -> None:
        try:
            with transaction.atomic():
                events.append(_rename(second, "Second"))  # finds the queued relay task
                emitted.set()
                assert worker_done.wait(WAIT_SECONDS)
        finally:
            emitted.set()
            connection.close()

    # When a second change has stored its event but not committed, and the worker looks for
    # work meanwhile
    thread = threading.Thread(target=change_held_open)
    thread.start()
    assert emitted.wait(WAIT_SECONDS)
    try:
        run_worker()
    finally:
        worker_done.set()
        thread.join(WAIT_SECONDS)
    assert not thread.is_alive()

    # Then the worker left the relay task for later: it waits, for both events
    assert _relay_tasks() == [("READY", None)]
    assert (heard, _waiting()) == ([], events)

    # And once the second change has committed, the worker's run delivers both
    run_worker()
    assert heard == events
    assert _relay_tasks() == [("SUCCESSFUL", 2)]
    assert _waiting() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_committing_after_a_relay_runs_last_read_is_relayed_by_another(monkeypatch):
    # Given a handler after commit that, on the first event, lets a second change store its
    # event in another thread and holds that change open until the worker is done
    monkeypatch.setattr(domain, "_subscriptions", domain.subscriptions(domain.Phase.IN_TRANSACTION))
    first, second = UserFactory.create_batch(2)
    heard: list[int] = []
    later: list[int] = []
    emitted, worker_done = threading.Event(), threading.Event()

    def change_committing_late() -> None:
        try:
            with transaction.atomic():
                later.append(_rename(second, "Second"))
                emitted.set()
                assert worker_done.wait(WAIT_SECONDS)
        finally:
            emitted.set()
            connection.close()

    def handler(event: UserProfileChanged, sequence: int) -> None:
        heard.append(sequence)
        if event.user_id == first.pk:
            threads.append(threading.Thread(target=change_committing_late))
            threads[0].start()
            assert emitted.wait(WAIT_SECONDS)

    threads: list[threading.Thread] = []
    with domain.subscribed(handler, UserProfileChanged, phase=domain.Phase.AFTER_COMMIT):
        event = _rename(first, "First")

        # When the worker runs the relay task, which reads the outbox while the second change
        # is still open, and the second change commits after the worker is done
        try:
            run_worker()
        finally:
            worker_done.set()
            for thread in threads:
                thread.join(WAIT_SECONDS)
        assert heard == [event]
        assert _waiting() == later

        # Then a relay task waits for the second event, and the worker's next run delivers it
        assert _relay_tasks() == [("SUCCESSFUL", 1), ("READY", None)]
        run_worker()
    assert heard == [event, *later]
    assert _relay_tasks() == [("SUCCESSFUL", 1), ("SUCCESSFUL", 1)]
    assert _waiting() == []
