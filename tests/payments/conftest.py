"""The payments tests run against a real local Stripe: the emulator (`stripe_emulator`,
localstripe with Connect), started once per test session on 127.0.0.1 with its state in a
temporary folder, and spoken to over HTTP by the official SDK through payments.stripe_gateway.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django import Settings

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def stripe_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    state = tmp_path_factory.mktemp("stripe-emulator")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "stripe_emulator", "--port", str(port), "--state-dir", str(state)],
        cwd=REPO,
        stdout=(state / "log.txt").open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(
                    "the Stripe emulator did not start: " + (state / "log.txt").read_text()
                ) from None
            time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(autouse=True)
def _stripe_at_the_emulator(stripe_emulator: str, settings: Settings) -> None:
    settings.QUARTIER = settings.QUARTIER.with_values(
        stripe_api_base=stripe_emulator, stripe_secret_key="", stripe_timeout_seconds=5.0
    )
