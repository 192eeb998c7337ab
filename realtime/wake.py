"""Waking `manage.py relay` the moment a streamed event commits, instead of at its next poll.

The transaction that writes stream rows (`realtime.stream.stream_write`) asks, after its commit,
for one Redis PUBLISH on the wake-up channel; each relay holds a subscription to that channel
and waits on it between passes. A wake-up is only a hint: when Redis is down, the publish
fails quietly (the request that committed never waits for it or fails because of it), and a
wake-up that is lost or sent while no relay listens is made up by the relay's poll
(`--interval`), which stays the safety net. Without `REDIS_URL` (the embedded development
set-up) nothing is published and the relay polls.
"""

from __future__ import annotations

import contextlib
import logging
import time
from functools import cache
from typing import Any

import redis
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# How long a wake-up may hold up the committing request when Redis does not answer.
PUBLISH_TIMEOUT_SECONDS = 0.2
# How long a relay waits for Redis to confirm its subscription.
SUBSCRIBE_TIMEOUT_SECONDS = 2.0
# How often a relay whose subscription broke tries to subscribe again.
RESUBSCRIBE_SECONDS = 2.0


def wake_channel() -> str:
    """The Redis pub/sub channel of the relays' wake-ups (under the channel layer's prefix)."""
    layer: dict[str, Any] = settings.CHANNEL_LAYERS["default"]
    prefix = (layer.get("CONFIG") or {}).get("prefix", "quartier")
    return f"{prefix}.relay.wake"


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=PUBLISH_TIMEOUT_SECONDS,
        socket_timeout=PUBLISH_TIMEOUT_SECONDS,
    )


def relay_wake_on_commit() -> None:
    """Wake the relays once the current transaction commits (nothing if it rolls back)."""
    if settings.REDIS_URL:
        transaction.on_commit(relay_wake)


def relay_wake() -> bool:
    """Publish one wake-up now; False when Redis could not take it (the poll will do)."""
    if not settings.REDIS_URL:
        return False
    try:
        _client(settings.REDIS_URL).publish(wake_channel(), b"1")
    except redis.RedisError:
        logger.debug("the relay's wake-up was not published", exc_info=True)
        return False
    return True


class RelayWakeups:
    """A relay's subscription to the wake-ups: `wait(seconds)` returns at the first wake-up
    published since the last wait, or after `seconds` (the poll). Wake-ups published while
    the relay was busy are buffered by the subscription, so none between two waits is lost."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url if url is not None else settings.REDIS_URL
        self.client: redis.Redis | None = None
        self.pubsub: redis.client.PubSub | None = None
        self.next_attempt = 0.0

    def _subscribe(self) -> redis.client.PubSub | None:
        if self.pubsub is not None or not self.url or time.monotonic() < self.next_attempt:
            return self.pubsub
        try:
            # Kept: redis-py closes a client's connections when the client is collected.
            self.client = redis.Redis.from_url(self.url, socket_connect_timeout=1.0)
            pubsub = self.client.pubsub()
            pubsub.subscribe(wake_channel())
            # Listening only once Redis confirms: a wake-up published after that is kept.
            confirmed = pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_SECONDS)
            if confirmed is None or confirmed.get("type") != "subscribe":
                raise redis.ConnectionError("the subscription was not confirmed")
        except (redis.RedisError, OSError):
            self.next_attempt = time.monotonic() + RESUBSCRIBE_SECONDS
            return None
        self.pubsub = pubsub
        return pubsub

    @property
    def listening(self) -> bool:
        return self._subscribe() is not None

    def wait(self, seconds: float) -> bool:
        """Block until a wake-up (True) or `seconds` passed (False)."""
        pubsub = self._subscribe()
        if pubsub is None:
            time.sleep(seconds)
            return False
        deadline = time.monotonic() + seconds
        try:
            while True:
                left = deadline - time.monotonic()
                message = pubsub.get_message(timeout=max(left, 0.0))
                if message is not None and message.get("type") == "message":
                    # Several commits may have woken us: one pass serves them all.
                    while pubsub.get_message(timeout=0.0) is not None:
                        pass
                    return True
                if left <= 0:
                    return False
        except (redis.RedisError, OSError):
            logger.debug("the relay's wake-up subscription broke", exc_info=True)
            self.close()
            self.next_attempt = time.monotonic() + RESUBSCRIBE_SECONDS
            time.sleep(max(deadline - time.monotonic(), 0.0))
            return False

    def close(self) -> None:
        if self.pubsub is not None:
            with contextlib.suppress(redis.RedisError, OSError):
                self.pubsub.close()
            self.pubsub = None
        if self.client is not None:
            with contextlib.suppress(redis.RedisError, OSError):
                self.client.close()
            self.client = None
