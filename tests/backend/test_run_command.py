"""`manage.py run` starts the Stripe emulator first and loads the demo only once it answers, so
the demo's paid visits are made against it; the emulator then runs beside the others."""

from __future__ import annotations

import io
import os
import socket
import subprocess
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from pytest_django import Settings

from backend.management.commands import run
from backend.supervisor import Child, stop_all
from tests.conftest import _free_port


@pytest.fixture(autouse=True)
def _links_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    """`run` writes the e-mails' links into the environment: put back what was there after."""
    for name in run.E_MAIL_LINKS:
        monkeypatch.setenv(name, "")


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def test_the_emulator_answers_before_the_demo_is_loaded_and_runs_beside_the_rest(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = _free_port()
    settings.QUARTIER = settings.QUARTIER.with_values(
        stripe_api_base=f"http://127.0.0.1:{port}", stripe_secret_key=""
    )
    commands: list[tuple[str, bool]] = []
    supervised: dict[str, Any] = {}

    def fake_call_command(name: str, *args: object, **options: object) -> None:
        commands.append((name, _answers(port)))

    def fake_supervise(
        children: list[Child],
        *,
        say: Any,
        started: list[tuple[Child, subprocess.Popen[bytes]]],
    ) -> int:
        supervised["children"] = [child.name for child in children]
        supervised["started"] = [child.name for child, _ in started]
        supervised["alive"] = all(process.poll() is None for _, process in started)
        stop_all([process for _, process in started], grace_seconds=5)
        return 0

    monkeypatch.setattr(run, "call_command", fake_call_command)
    monkeypatch.setattr(run, "supervise", fake_supervise)

    call_command("run", "127.0.0.1:8199", stdout=io.StringIO())

    assert commands == [
        ("migrate", True),
        ("seed_demo", True),
        ("payments_reconcile", True),
        ("academy_daily", True),
    ]
    assert supervised == {
        "children": ["server", "worker", "relay"],
        "started": ["stripe-emulator"],
        "alive": True,
    }
    assert not _answers(port)


def test_an_emulator_that_cannot_start_stops_run_before_the_demo(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The port is taken by someone else: the emulator ends at once.
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        port = int(taken.getsockname()[1])
        settings.QUARTIER = settings.QUARTIER.with_values(
            stripe_api_base=f"http://127.0.0.1:{port}", stripe_secret_key=""
        )
        commands: list[str] = []
        monkeypatch.setattr(run, "call_command", lambda name, *a, **o: commands.append(name))

        with pytest.raises(CommandError, match="The Stripe emulator ended"):
            call_command("run", "127.0.0.1:8199", stdout=io.StringIO())

    assert commands == []


def test_with_stripe_keys_no_emulator_is_started(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.QUARTIER = settings.QUARTIER.with_values(stripe_secret_key="sk_test_real")
    seen: dict[str, Any] = {}
    monkeypatch.setattr(run, "call_command", lambda name, *a, **o: None)

    def fake_supervise(children: list[Child], *, say: Any, started: list[Any]) -> int:
        seen["names"] = [child.name for child in children]
        seen["started"] = started
        seen["children"] = children
        return 0

    monkeypatch.setattr(run, "supervise", fake_supervise)

    call_command("run", "127.0.0.1:8199", stdout=io.StringIO())

    children = seen.pop("children")
    assert seen == {"names": ["server", "worker", "relay"], "started": []}
    # Quartier's worker (which waits out a locked SQLite database) runs without the
    # autoreloader, which outlived a worker that had failed, and both background processes
    # are started again when they fail.
    assert [(child.argv[2:], child.restart) for child in children] == [
        (["runserver", "127.0.0.1:8199"], False),
        (["worker", "--no-reload"], True),
        (["relay"], True),
    ]


@pytest.mark.parametrize(
    ("addrport", "origin"),
    [
        ("127.0.0.1:8301", "http://127.0.0.1:8301"),
        ("0.0.0.0:8302", "http://127.0.0.1:8302"),
        ("8303", "http://127.0.0.1:8303"),
    ],
)
def test_the_e_mails_links_open_the_address_run_serves(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, addrport: str, origin: str
) -> None:
    # Stripe keys set: no emulator to start.
    settings.QUARTIER = settings.QUARTIER.with_values(stripe_secret_key="sk_test_key")
    inherited: dict[str, str] = {}

    def fake_supervise(children: list[Child], **_options: Any) -> int:
        inherited.update({name: os.environ[name] for name in run.E_MAIL_LINKS})
        return 0

    monkeypatch.setattr(run, "call_command", lambda *args, **options: None)
    monkeypatch.setattr(run, "supervise", fake_supervise)

    call_command("run", addrport, stdout=io.StringIO())

    assert inherited == {
        "QUARTIER_VERIFY_EMAIL_URL": f"{origin}/verify-email?token={{token}}",
        "QUARTIER_PASSWORD_RESET_URL": f"{origin}/password-reset",
        "QUARTIER_REQUEST_PAGE_URL": f"{origin}/requests/{{public_id}}/",
        "QUARTIER_VISIT_PAGE_URL": f"{origin}/helper/visits/{{public_id}}/",
        "QUARTIER_HELPER_APPLICATION_URL": f"{origin}/helper/application",
    }


def test_links_set_in_the_environment_are_kept(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.QUARTIER = settings.QUARTIER.with_values(stripe_secret_key="sk_test_key")
    monkeypatch.setenv("QUARTIER_VERIFY_EMAIL_URL", "https://app.example.ch/v?token={token}")
    monkeypatch.setenv("QUARTIER_PASSWORD_RESET_URL", "https://app.example.ch/reset")
    monkeypatch.setattr(run, "call_command", lambda *args, **options: None)
    monkeypatch.setattr(run, "supervise", lambda children, **options: 0)

    call_command("run", "127.0.0.1:8301", stdout=io.StringIO())

    assert os.environ["QUARTIER_VERIFY_EMAIL_URL"] == "https://app.example.ch/v?token={token}"
    assert os.environ["QUARTIER_PASSWORD_RESET_URL"] == "https://app.example.ch/reset"


def test_an_address_another_program_listens_on_stops_run_before_anything_starts(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An earlier run, or another program, listens where this one would serve
    settings.QUARTIER = settings.QUARTIER.with_values(
        stripe_api_base=f"http://127.0.0.1:{_free_port()}", stripe_secret_key=""
    )
    started: list[str] = []
    commands: list[str] = []
    monkeypatch.setattr(run, "start", lambda child: started.append(child.name))
    monkeypatch.setattr(run, "call_command", lambda name, *a, **o: commands.append(name))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])

        with pytest.raises(CommandError) as refused:
            call_command("run", f"127.0.0.1:{port}", stdout=io.StringIO())

    # Then run says why and how to serve elsewhere, and started nothing, not even the emulator
    assert str(refused.value) == (
        f"Cannot serve on 127.0.0.1:{port}: Address already in use. Another program listens "
        "there (an earlier `make run` still running?): stop it, or serve elsewhere, e.g. "
        f"`.venv/bin/python manage.py run 127.0.0.1:{port + 1}`."
    )
    assert started == []
    assert commands == []
