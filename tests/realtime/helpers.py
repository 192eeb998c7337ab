"""What the live-update tests share: reading a user's stream, and tokens from the API."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from backend.models import User
from realtime.models import StreamEvent
from tests.api.api_assertions import API
from tests.factories import PASSWORD


def stream_of(user: User) -> list[tuple[str, str]]:
    """(type, status) of each event in the user's stream, in order; checks the numbering."""
    rows = list(StreamEvent.objects.filter(user=user).order_by("seq"))
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
    return [(row.type, row.data.get("status", "")) for row in rows]


def api_token(user: User) -> str:
    response = APIClient().post(f"{API}/auth/token", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.content
    token: str = response.json()["token"]
    return token


def event_types(frames: list[dict[str, Any]]) -> list[str]:
    return [frame["type"] for frame in frames]
