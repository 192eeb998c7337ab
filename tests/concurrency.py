"""Races run with real threads, each on its own database connection (PostgreSQL tests with
`transaction=True`: the threads must see committed rows)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def race(calls: list[Callable[[], Any]]) -> list[tuple[str, Any]]:
    """Run `calls` in real threads released together; ("ok", value) or ("error", exception)."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, Any]] = [("not run", None)] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            connection.ensure_connection()  # connect before the barrier, so all start at once
            barrier.wait(timeout=30)
            results[index] = ("ok", call())
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            results[index] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results
