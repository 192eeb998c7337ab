"""Smoke tests of the test harness: the PostgreSQL half really runs on PostgreSQL with PostGIS,
and Redis really backs the cache and the channel layer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache, caches
from django.db import connection


@pytest.mark.postgres
@pytest.mark.django_db
def test_database_is_postgresql_with_postgis_and_btree_gist() -> None:
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT postgis_version()")
        (postgis_version,) = cursor.fetchone()
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'btree_gist'")
        btree_gist = cursor.fetchone()
    assert postgis_version
    assert btree_gist == ("btree_gist",)


@pytest.mark.redis
def test_redis_backs_the_cache_and_the_channel_layer() -> None:
    from channels_redis.core import RedisChannelLayer
    from django.core.cache.backends.redis import RedisCache

    assert isinstance(caches["default"], RedisCache)
    cache.set("tooling:ping", "pong", timeout=30)
    assert cache.get("tooling:ping") == "pong"

    layer = get_channel_layer()
    assert isinstance(layer, RedisChannelLayer)

    async def round_trip() -> dict[str, Any]:
        channel = await layer.new_channel()
        await layer.group_add("tooling", channel)
        try:
            await layer.group_send("tooling", {"type": "tooling.ping", "text": "hello"})
            return await asyncio.wait_for(layer.receive(channel), timeout=5)
        finally:
            await layer.group_discard("tooling", channel)

    assert async_to_sync(round_trip)() == {"type": "tooling.ping", "text": "hello"}
