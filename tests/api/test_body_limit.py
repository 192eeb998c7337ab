"""The request-body cap, tried against the ASGI application daphne serves (backend.asgi), not
only Django's test client: nothing over the cap is read, declared or streamed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from backend.asgi import application

CAP = 64 * 1024
CHUNK = 64 * 1024


def _scope(path: str, *, content_length: int | None = None) -> dict[str, Any]:
    headers = [(b"host", b"testserver"), (b"content-type", b"application/json")]
    if content_length is not None:
        headers.append((b"content-length", str(content_length).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("203.0.113.7", 50000),
        "server": ("testserver", 80),
    }


class Stream:
    """A client streaming `chunks` body chunks (chunked encoding: no Content-Length)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.read = 0  # chunks the server pulled
        self.ended = False

    async def receive(self) -> dict[str, Any]:
        if self.ended:
            # The body is complete; a client that stays connected sends nothing more.
            await asyncio.Future()
        chunk = next(self.chunks, None)
        if chunk is None:
            self.ended = True
            return {"type": "http.request", "body": b"", "more_body": False}
        self.read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}


def _serve(scope: dict[str, Any], stream: Stream) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(application(scope, stream.receive, send))
    return sent


def _answer(sent: list[dict[str, Any]]) -> tuple[int, dict[str, str], dict[str, Any]]:
    starts = [message for message in sent if message["type"] == "http.response.start"]
    assert len(starts) == 1, sent
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    headers = {name.decode(): value.decode() for name, value in starts[0]["headers"]}
    return starts[0]["status"], headers, json.loads(body)


@pytest.fixture
def small_cap(quartier_settings):
    quartier_settings(MAX_REQUEST_BODY_BYTES=CAP)


def test_a_declared_length_over_the_cap_is_refused_before_the_body_is_read(small_cap):
    # Given a client that announces a 200 MB body
    stream = Stream(iter([b"x" * CHUNK] * 4))

    # When it reaches the ASGI application
    sent = _serve(_scope("/api/v1/auth/register", content_length=200_000_000), stream)

    # Then it is a 413 in the API's shape, and not one byte of the body was read
    status, headers, body = _answer(sent)
    assert (status, headers["content-type"]) == (413, "application/json")
    assert body == {
        "code": "payload_too_large",
        "message": f"The request body is larger than {CAP} bytes.",
        "fields": {},
    }
    assert stream.read == 0


def test_a_streamed_body_is_refused_as_soon_as_it_passes_the_cap(small_cap):
    # Given a client streaming 1,000 chunks of 64 KiB (64 MB) without a Content-Length
    stream = Stream(iter([b"[" * CHUNK] * 1000))

    # When it reaches the ASGI application
    sent = _serve(_scope("/api/v1/auth/token"), stream)

    # Then it is a 413, answered once the second chunk passed the cap: the rest was never read,
    # so never buffered
    status, _, body = _answer(sent)
    assert (status, body["code"]) == (413, "payload_too_large")
    assert stream.read == 2


def test_a_body_within_the_cap_reaches_django(small_cap):
    # Given a client streaming a small body to a path no endpoint has
    stream = Stream(iter([b"{}"]))

    # When it reaches the ASGI application
    sent = _serve(_scope("/api/v1/no-such-thing"), stream)

    # Then Django answers it as usual
    status, _, body = _answer(sent)
    assert (status, body["code"]) == (404, "not_found")
    assert stream.read == 1


def test_a_declared_length_at_the_cap_reaches_django(small_cap):
    # Given a client that announces and sends exactly the cap
    stream = Stream(iter([b" " * CAP]))

    # When it reaches the ASGI application
    sent = _serve(_scope("/api/v1/no-such-thing", content_length=CAP), stream)

    # Then Django answers it as usual
    status, _, body = _answer(sent)
    assert (status, body["code"]) == (404, "not_found")
