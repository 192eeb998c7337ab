"""Stream rows on their way after commit: sent by the committing process itself, and by the
live relay, woken by that commit, polling as the safety net, and sending the waiting rows
ahead of its per-event bookkeeping, each frame once."""

from __future__ import annotations

import io
import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.management import call_command
from django.test import override_settings

from backend.models import EventDelivery, OutboxEvent
from backend.relay import relay_pending
from realtime import publish
from realtime.management.commands.relay import relay_forever, relay_pass
from realtime.models import StreamEvent
from realtime.publish import own_loop, stream_publish_ahead, user_group
from realtime.wake import RelayWakeups, relay_wake
from tests.factories import UserFactory, make_helper, post_request

SOCKET_RECEIVE_SECONDS = 10


@pytest.fixture
def no_send_on_commit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The committing process does not send its rows itself: only the relay does."""
    monkeypatch.setattr(publish, "_send_now", lambda rows: None)


@pytest.fixture(autouse=True)
def _forget_what_was_sent_ahead() -> Iterator[None]:
    # The ids sent ahead belong to this test's rows: a later test may reuse them.
    publish.forget_sent_ahead()
    yield
    publish.forget_sent_ahead()


class Listener:
    """A channel in one user's group, as a socket of theirs would be."""

    def __init__(self, user_id: int) -> None:
        self.layer: Any = get_channel_layer()
        self.group = user_group(user_id)
        self.channel = async_to_sync(self.layer.new_channel)()
        async_to_sync(self.layer.group_add)(self.group, self.channel)

    def frames(self) -> list[dict[str, Any]]:
        """Every message the group got, up to now (a marker sent last ends the list)."""
        async_to_sync(self.layer.send)(self.channel, {"type": "marker"})
        got = []
        while True:
            message = async_to_sync(self._receive)()
            if message["type"] == "marker":
                break
            got.append(message["frame"])
        async_to_sync(self.layer.group_discard)(self.group, self.channel)
        return got

    async def _receive(self) -> Any:
        import asyncio

        return await asyncio.wait_for(self.layer.receive(self.channel), SOCKET_RECEIVE_SECONDS)


def waits_that(before_first: Callable[[], object], wakeups: RelayWakeups) -> list[bool]:
    """Make `wakeups.wait` run `before_first` (the change) on its first call, and record what
    each wait returned: True for a wake-up, False for the poll's timeout."""
    returned: list[bool] = []
    real_wait = wakeups.wait

    def wait(seconds: float) -> bool:
        if not returned:
            before_first()
        woke = real_wait(seconds)
        returned.append(woke)
        return woke

    wakeups.wait = wait  # type: ignore[method-assign]
    return returned


@pytest.mark.django_db
def test_rows_sent_ahead_reach_the_socket_once_and_the_relay_still_records_them() -> None:
    helper = make_helper()
    listener = Listener(helper.user.pk)
    post_request(UserFactory.create())
    row = StreamEvent.objects.get(user=helper.user)

    assert stream_publish_ahead() == 1
    assert relay_pending() >= 1

    assert [frame["id"] for frame in listener.frames()] == [row.pk]
    assert OutboxEvent.objects.filter(relayed_at__isnull=True).count() == 0
    assert EventDelivery.objects.filter(
        event_id=row.outbox_event_id, handler="realtime.publish.stream_publish"
    ).exists()
    assert publish._sent_ahead == set()
    # Nothing is waiting: a second pass sends nothing.
    assert stream_publish_ahead() == 0


@pytest.mark.django_db
def test_a_row_that_commits_behind_what_was_sent_ahead_is_delivered_by_the_relay() -> None:
    helper = make_helper()
    listener = Listener(helper.user.pk)
    post_request(UserFactory.create())
    row = StreamEvent.objects.get(user=helper.user)
    # As if a newer row of someone else's had been sent ahead before this one committed.
    publish._ahead_after = row.pk

    assert stream_publish_ahead() == 0
    assert relay_pending() >= 1

    assert [frame["id"] for frame in listener.frames()] == [row.pk]
    assert OutboxEvent.objects.filter(relayed_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_an_event_the_limit_may_cut_is_sent_whole_on_the_next_pass_and_each_row_once() -> None:
    helpers = [make_helper(), make_helper(), make_helper()]
    listeners = {helper.user.pk: Listener(helper.user.pk) for helper in helpers}
    post_request(UserFactory.create())
    rows = list(StreamEvent.objects.filter(type="offer.made").order_by("pk"))
    assert sorted(row.user_id for row in rows) == sorted(listeners)

    # Three events of one row each: with a limit of two, the second may go on past the limit
    # and waits for the next pass.
    assert [stream_publish_ahead(limit=2) for _ in range(4)] == [1, 1, 1, 0]
    assert relay_pending() >= 3

    for row in rows:
        assert [frame["id"] for frame in listeners[row.user_id].frames()] == [row.pk]


@pytest.mark.django_db
def test_one_event_with_more_rows_than_the_limit_is_sent_and_left_to_the_relay() -> None:
    helper = make_helper()
    listener = Listener(helper.user.pk)
    post_request(UserFactory.create())
    row = StreamEvent.objects.get(user=helper.user)

    assert stream_publish_ahead(limit=1) == 0  # sent, but not known to be whole
    assert relay_pending() >= 1

    # Sent ahead and sent again by the relay: at least once (the client drops the second).
    assert [frame["id"] for frame in listener.frames()] == [row.pk, row.pk]
    assert stream_publish_ahead(limit=1) == 0


@pytest.mark.django_db
def test_a_failed_send_ahead_is_left_to_the_relay_which_delivers_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    helper = make_helper()
    listener = Listener(helper.user.pk)
    post_request(UserFactory.create())
    row = StreamEvent.objects.get(user=helper.user)
    real_send = publish._send
    calls: list[int] = []

    async def fails_once(rows: Any) -> None:
        calls.append(len(rows))
        if len(calls) == 1:
            raise ConnectionError("Redis is down")
        await real_send(rows)

    monkeypatch.setattr(publish, "_send", fails_once)

    assert relay_pass() >= 1

    assert calls == [1, 1]  # ahead (failed), then the relay's own delivery
    assert [frame["id"] for frame in listener.frames()] == [row.pk]
    assert OutboxEvent.objects.filter(relayed_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("no_send_on_commit")
def test_a_missed_wake_up_is_still_delivered_by_the_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    helper = make_helper()
    relay_pending()  # what setting up the helper stored: the relay starts with nothing waiting
    listener = Listener(helper.user.pk)
    # The wake-up is lost (as when Redis drops it or no relay was subscribed yet).
    monkeypatch.setattr("realtime.wake.relay_wake", lambda: False)
    wakeups = RelayWakeups()
    returned = waits_that(lambda: post_request(UserFactory.create()), wakeups)

    with own_loop():
        relay_forever(wakeups, interval=0.2, passes=2)
    wakeups.close()

    assert returned == [False]  # the poll's timeout, no wake-up
    row = StreamEvent.objects.get(user=helper.user)
    assert [frame["id"] for frame in listener.frames()] == [row.pk]
    assert OutboxEvent.objects.filter(relayed_at__isnull=True).count() == 0


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("no_send_on_commit")
def test_the_commit_wakes_the_relay_which_delivers_without_waiting_for_its_poll() -> None:
    helper = make_helper()
    relay_pending()  # what setting up the helper stored: the relay starts with nothing waiting
    listener = Listener(helper.user.pk)
    wakeups = RelayWakeups()
    assert wakeups.listening  # subscribed before the change commits
    returned = waits_that(lambda: post_request(UserFactory.create()), wakeups)

    # A poll of ten minutes: only the wake-up can end the wait in time for the test.
    with own_loop():
        relay_forever(wakeups, interval=600, passes=2)
    wakeups.close()

    assert returned == [True]
    row = StreamEvent.objects.get(user=helper.user)
    assert [frame["id"] for frame in listener.frames()] == [row.pk]
    assert OutboxEvent.objects.filter(relayed_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_wake_up_redis_cannot_take_fails_quietly_and_the_change_commits() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    helper = make_helper()

    with override_settings(REDIS_URL=f"redis://127.0.0.1:{closed_port}/0"):
        assert relay_wake() is False
        post_request(UserFactory.create())
        assert RelayWakeups().wait(0.01) is False  # no subscription: a plain sleep

    assert StreamEvent.objects.filter(user=helper.user, type="offer.made").count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_committing_process_sends_its_rows_itself_and_the_relay_again() -> None:
    helper = make_helper()
    relay_pending()
    listener = Listener(helper.user.pk)

    post_request(UserFactory.create())  # commits: its rows leave at once, no relay yet
    row = StreamEvent.objects.get(user=helper.user)
    assert OutboxEvent.objects.filter(relayed_at__isnull=True).exists()
    relay_pending()

    # Twice to the group (a socket drops the second: its seq was had already).
    assert [frame["id"] for frame in listener.frames()] == [row.pk, row.pk]
    assert OutboxEvent.objects.filter(relayed_at__isnull=True).count() == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_send_on_commit_is_ignored_and_the_change_commits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    helper = make_helper()

    async def redis_is_down(rows: Any) -> None:
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(publish, "_send", redis_is_down)
    post_request(UserFactory.create())

    assert StreamEvent.objects.filter(user=helper.user, type="offer.made").count() == 1
    assert OutboxEvent.objects.filter(relayed_at__isnull=True).exists()  # the relay's to do


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_send_on_commit_that_hangs_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    helper = make_helper()
    monkeypatch.setattr(publish, "SEND_ON_COMMIT_SECONDS", 0.05)
    started: list[int] = []

    async def hangs(rows: Any) -> None:
        started.append(len(rows))
        await asyncio.sleep(3600)

    monkeypatch.setattr(publish, "_send", hangs)
    post_request(UserFactory.create())

    assert started == [1]
    assert StreamEvent.objects.filter(user=helper.user, type="offer.made").count() == 1


def test_ctrl_c_stops_the_relay_command_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given the relay running, when Ctrl-C interrupts its wait
    from realtime.management.commands import relay

    closed: list[bool] = []

    def interrupted(wakeups: RelayWakeups, interval: float) -> None:
        monkeypatch.setattr(wakeups, "close", lambda: closed.append(True))
        raise KeyboardInterrupt

    monkeypatch.setattr(relay, "relay_forever", interrupted)
    out = io.StringIO()
    try:
        call_command("relay", stdout=out)
    except KeyboardInterrupt:
        pytest.fail("the relay ended in a traceback on Ctrl-C")

    # Then it ends saying so, without a traceback, its wake-ups closed
    assert out.getvalue() == "Relay stopped\n"
    assert closed == [True]
