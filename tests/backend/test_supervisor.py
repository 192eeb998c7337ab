"""`manage.py run`'s supervisor: one command for the server and the worker, stopped together.

No timings are relied on: the children are told apart by what they do, and the waits only
bound how long a broken supervisor may hang the suite.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from backend.supervisor import RESTARTS_PER_MINUTE, Child, supervise

PYTHON = sys.executable
WAIT_SECONDS = 60


def _sleeper(pid_file: Path) -> list[str]:
    """A child that writes its pid, then sleeps until stopped."""
    code = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(3600)"
    )
    return [PYTHON, "-c", code]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purposes: it only waits to be reaped by its parent.
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "State:\tZ" in status.read_text())


def _wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def test_when_one_child_ends_the_other_is_stopped_and_its_code_returned(tmp_path):
    # Given a child that fails at once beside one that would run for an hour
    pid_file = tmp_path / "sleeper.pid"
    said: list[str] = []
    ended = [
        PYTHON,
        "-c",
        f"import os, sys, time\nwhile not os.path.exists({str(pid_file)!r}): time.sleep(0.05)\nsys.exit(3)",
    ]

    # When they are supervised together
    code = supervise(
        [Child("sleeper", _sleeper(pid_file)), Child("failing", ended)], say=said.append
    )

    # Then the supervisor returns the failing child's code and the sleeper is gone too
    assert code == 3
    assert not _alive(int(pid_file.read_text()))
    assert said[-1] == "failing ended (exit 3); stopping the others"


def test_a_restartable_child_that_fails_is_started_again(tmp_path):
    # Given a worker that fails the first time (a locked database) and then runs, beside a
    # child that ends once the worker runs again
    failed_once, running = tmp_path / "failed-once", tmp_path / "worker.pid"
    flaky = [
        PYTHON,
        "-c",
        textwrap.dedent(
            f"""
            import os, sys, time
            if not os.path.exists({str(failed_once)!r}):
                open({str(failed_once)!r}, "w").close()
                sys.exit(1)
            open({str(running)!r}, "w").write(str(os.getpid()))
            time.sleep(3600)
            """
        ),
    ]
    ender = [
        PYTHON,
        "-c",
        f"import os, sys, time\nwhile not os.path.exists({str(running)!r}): time.sleep(0.05)\n"
        "sys.exit(5)",
    ]
    said: list[str] = []

    # When they are supervised together
    code = supervise([Child("worker", flaky, restart=True), Child("ender", ender)], say=said.append)

    # Then the worker was started again, and ran until the other child ended
    restarted = [line for line in said if line.startswith("worker failed")]
    assert len(restarted) == 1
    assert restarted[0].startswith("worker failed (exit 1); started again (pid ")
    assert (code, said[-1]) == (5, "ender ended (exit 5); stopping the others")
    assert not _alive(int(running.read_text()))


def test_a_child_that_keeps_failing_stops_them_all(tmp_path):
    pid_file = tmp_path / "sleeper.pid"
    said: list[str] = []

    code = supervise(
        [
            Child("sleeper", _sleeper(pid_file)),
            Child("broken", [PYTHON, "-c", "import sys; sys.exit(2)"], restart=True),
        ],
        say=said.append,
    )

    assert code == 2
    assert sum(line.startswith("broken failed (exit 2)") for line in said) == RESTARTS_PER_MINUTE
    assert said[-1] == "broken ended (exit 2); stopping the others"
    _wait_for(lambda: pid_file.exists() and pid_file.read_text(), "the sleeper's pid")
    assert not _alive(int(pid_file.read_text()))


def test_ctrl_c_stops_every_child(tmp_path):
    # Given a supervisor process with two long-running children
    pid_files = [tmp_path / "server.pid", tmp_path / "worker.pid"]
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
        from backend.supervisor import RESTARTS_PER_MINUTE, Child, supervise
        sys.exit(supervise([
            Child("server", {_sleeper(pid_files[0])!r}),
            Child("worker", {_sleeper(pid_files[1])!r}),
        ]))
        """
    )
    # Started as a shell script's background job is: with Ctrl-C ignored, which Python keeps.
    supervisor = subprocess.Popen(  # noqa: S603 - our own interpreter
        [PYTHON, "-c", script],
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        _wait_for(lambda: all(path.exists() and path.read_text() for path in pid_files), "pids")
        children = [int(path.read_text()) for path in pid_files]
        assert all(_alive(pid) for pid in children)

        # When Ctrl-C reaches it
        supervisor.send_signal(signal.SIGINT)
        code = supervisor.wait(timeout=WAIT_SECONDS)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()

    # Then it ends cleanly and so did both children
    assert code == 0
    _wait_for(lambda: not any(_alive(pid) for pid in children), "the children to end")


def _ends_within(pid: int, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _slow_to_stop(pid_file: Path, asked_file: Path) -> list[str]:
    """A child that writes its pid, notes each Ctrl-C it gets in `asked_file` and goes on (as a
    server finishing its open connections does), until told to stop or killed."""
    code = textwrap.dedent(
        f"""
        import os, signal, time
        def asked(signum, frame):
            with open({str(asked_file)!r}, "a") as f:
                f.write("int\\n")
        signal.signal(signal.SIGINT, asked)
        signal.signal(signal.SIGTERM, asked)
        open({str(pid_file)!r}, "w").write(str(os.getpid()))
        while True:
            time.sleep(0.05)
        """
    )
    return [PYTHON, "-c", code]


def test_a_second_ctrl_c_while_stopping_kills_every_child_at_once(tmp_path):
    # Given a supervisor whose child takes its time to stop (a grace period of an hour)
    pid_file, asked_file = tmp_path / "server.pid", tmp_path / "asked"
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})
        from backend.supervisor import Child, supervise
        sys.exit(supervise(
            [Child("server", {_slow_to_stop(pid_file, asked_file)!r})], grace_seconds=3600
        ))
        """
    )
    # Its output in files: a child left running would hold a pipe open
    out_file, err_file = tmp_path / "out", tmp_path / "err"
    with out_file.open("wb") as out, err_file.open("wb") as err:
        supervisor = subprocess.Popen(  # noqa: S603 - our own interpreter
            [PYTHON, "-c", script], stdout=out, stderr=err
        )
    try:
        _wait_for(lambda: pid_file.exists() and pid_file.read_text(), "the child's pid")
        child = int(pid_file.read_text())
        # When Ctrl-C reaches it, the child is asked to stop and goes on
        supervisor.send_signal(signal.SIGINT)
        _wait_for(lambda: asked_file.exists(), "the child to be asked to stop")
        assert supervisor.poll() is None
        assert _alive(child)
        # and a second Ctrl-C comes while it waits
        supervisor.send_signal(signal.SIGINT)
        code = supervisor.wait(timeout=WAIT_SECONDS)
        # Then the child is killed at once: nothing is left running
        child_ended = _ends_within(child, seconds=5)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
        with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)

    # and the supervisor ends cleanly, saying so, without a traceback
    assert child_ended
    assert code == 0
    assert "Traceback" not in err_file.read_text()
    assert out_file.read_text().splitlines()[-2:] == ["stopping", "stopping now"]
