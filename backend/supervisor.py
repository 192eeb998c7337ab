"""Run a few processes side by side as one: `manage.py run` serves the app and runs the task
worker together.

Each child gets its own process group, so stopping it also stops what it started (Django's
autoreloader runs the server in a child of its own). When one child ends, or Ctrl-C or SIGTERM
reaches the supervisor, every child is asked to stop (SIGINT, as Ctrl-C would), then told to
(SIGTERM), then killed, each after a grace period; a second Ctrl-C or SIGTERM while they stop
kills them at once. A child marked `restart` (the background
worker) that fails is started again instead, unless it keeps failing (`RESTARTS_PER_MINUTE`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import FrameType

POLL_SECONDS = 0.2
# How often stopping children looks whether they ended (or a second Ctrl-C came).
STOP_POLL_SECONDS = 0.05
# A child that fails more often than this within a minute fails for good (a broken setting, not
# a busy database): the others are stopped with it.
RESTARTS_PER_MINUTE = 5


@dataclass(frozen=True)
class Child:
    name: str
    argv: Sequence[str]
    restart: bool = False  # started again when it fails


class _Stop(Exception):
    """SIGINT or SIGTERM reached the supervisor."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise _Stop


class _Hurry:
    """Ctrl-C or SIGTERM while the children stop: kill them now rather than wait (raising
    instead would leave them running, each in its own process group)."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.asked = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        if not self.asked:
            self.say("stopping now")
        self.asked = True


def start(child: Child) -> subprocess.Popen[bytes]:
    """Start one child in its own process group (the commands are the caller's own, never user
    input)."""
    return subprocess.Popen(list(child.argv), start_new_session=True)  # noqa: S603


def supervise(
    children: Sequence[Child],
    *,
    say: Callable[[str], None] = print,
    grace_seconds: float = 10.0,
    started: Sequence[tuple[Child, subprocess.Popen[bytes]]] = (),
) -> int:
    """Start `children` and wait, beside the `started` ones (begun earlier with `start`).
    Returns the exit code of the first child that ended (0 when stopped by Ctrl-C or SIGTERM);
    every child, the started ones too, has ended when it returns."""
    # Both stop everything, also where the shell started us with Ctrl-C ignored (a background
    # job of a script): Python then installs no KeyboardInterrupt handler of its own.
    previous = {sig: signal.signal(sig, _raise_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    running: list[tuple[Child, subprocess.Popen[bytes]]] = list(started)
    restarts: list[float] = []
    try:
        for child in children:
            running.append((child, start(child)))
            say(f"started {child.name} (pid {running[-1][1].pid})")
        while True:
            for index, (child, process) in enumerate(running):
                code = process.poll()
                if code is None:
                    continue
                now = time.monotonic()
                restarts = [moment for moment in restarts if now - moment < 60.0]
                if code == 0 or not child.restart or len(restarts) >= RESTARTS_PER_MINUTE:
                    say(f"{child.name} ended (exit {code}); stopping the others")
                    return code
                restarts.append(now)
                running[index] = (child, start(child))
                say(
                    f"{child.name} failed (exit {code}); started again (pid {running[index][1].pid})"
                )
            time.sleep(POLL_SECONDS)
    except (KeyboardInterrupt, _Stop):
        say("stopping")
        return 0
    finally:
        hurry = _Hurry(say)
        for sig in previous:
            signal.signal(sig, hurry)
        stop_all([process for _, process in running], grace_seconds, hurry=lambda: hurry.asked)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def stop_all(
    processes: list[subprocess.Popen[bytes]],
    grace_seconds: float = 10.0,
    *,
    hurry: Callable[[], bool] = lambda: False,
) -> None:
    """Ask each process (and its group) to stop, then tell it to, then kill it; once `hurry()`
    says so, kill what is left without waiting."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        alive = [process for process in processes if process.poll() is None]
        if not alive:
            break
        for process in alive:
            _signal_group(process, signal.SIGKILL if hurry() else sig)
        deadline = time.monotonic() + grace_seconds
        while (
            not hurry()
            and time.monotonic() < deadline
            and any(process.poll() is None for process in alive)
        ):
            time.sleep(STOP_POLL_SECONDS)
    for process in processes:
        # Whatever the child started in its group goes with it.
        _signal_group(process, signal.SIGKILL)


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
