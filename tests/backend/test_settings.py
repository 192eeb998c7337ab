"""How DATABASE_URL and its companions become Django's database settings."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend.settings import _database_from_url

URL = "postgres://quartier@db.example:5432/quartier?sslmode=require"


@pytest.mark.parametrize(
    ("value", "threshold"), [(None, 5), ("", 5), ("0", 0), ("12", 12), ("off", None), ("OFF", None)]
)
def test_the_prepare_threshold_comes_from_the_environment(
    monkeypatch, value: str | None, threshold: int | None
) -> None:
    monkeypatch.delenv("DATABASE_CONN_MAX_AGE", raising=False)
    if value is None:
        monkeypatch.delenv("DATABASE_PREPARE_THRESHOLD", raising=False)
    else:
        monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", value)
    config = _database_from_url(URL)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)
    # The URL's own options are kept beside it
    assert config["OPTIONS"] == {"sslmode": "require", "prepare_threshold": threshold}


@pytest.mark.parametrize("value", ["-1", "often"])
def test_a_prepare_threshold_that_is_not_a_count_or_off_is_refused(monkeypatch, value: str) -> None:
    monkeypatch.setenv("DATABASE_PREPARE_THRESHOLD", value)
    with pytest.raises(ImproperlyConfigured, match="DATABASE_PREPARE_THRESHOLD"):
        _database_from_url(URL)


def test_sqlite_urls_get_no_prepare_threshold() -> None:
    config = _database_from_url("sqlite:////tmp/quartier.sqlite3")
    assert "prepare_threshold" not in config["OPTIONS"]


def _start(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A real process start with only these variables (and PATH): what a deployment sees."""
    return subprocess.run(  # noqa: S603 - our own interpreter and a fixed command
        [
            sys.executable,
            "manage.py",
            "shell",
            "--no-imports",
            "-c",
            "from django.conf import settings as s; print(s.DEBUG)",
        ],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=False,
    )


# A production start needs the documents' key too (a Fernet key made for this test).
DOCUMENT_KEY = "3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
PRODUCTION_SECRETS = {
    "DJANGO_SECRET_KEY": "a-secret-for-this-test-only",
    "QUARTIER_STRIPE_SECRET_KEY": "sk_test_for_this_test_only",
    "QUARTIER_STRIPE_WEBHOOK_SECRET": "whsec_for_this_test_only",
    "QUARTIER_DOCUMENT_KEY": DOCUMENT_KEY,
}


def test_debug_is_off_when_the_environment_does_not_turn_it_on() -> None:
    started = _start(PRODUCTION_SECRETS)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "False"


def test_without_debug_a_missing_document_key_stops_the_start() -> None:
    # Every other secret is there: the Stripe keys are checked before the documents' key.
    secrets = {k: v for k, v in PRODUCTION_SECRETS.items() if k != "QUARTIER_DOCUMENT_KEY"}
    started = _start(secrets)
    assert started.returncode != 0
    assert "QUARTIER_DOCUMENT_KEY must be set when DJANGO_DEBUG is off" in started.stderr


def test_a_document_key_that_is_not_a_fernet_key_stops_the_start() -> None:
    started = _start({**PRODUCTION_SECRETS, "QUARTIER_DOCUMENT_KEY": "swordfish"})
    assert started.returncode != 0
    assert "QUARTIER_DOCUMENT_KEY must be Fernet keys" in started.stderr


def test_development_derives_a_document_key_and_says_so() -> None:
    checked = subprocess.run(  # noqa: S603 - our own interpreter and a fixed command
        [sys.executable, "manage.py", "check"],
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert "helpers.W001" in checked.stderr
    assert "development key derived from DJANGO_SECRET_KEY" in checked.stderr


def test_without_debug_a_missing_secret_key_stops_the_start() -> None:
    started = _start({})
    assert started.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in started.stderr


def test_without_debug_missing_stripe_secrets_stop_the_start() -> None:
    started = _start({"DJANGO_SECRET_KEY": "a-secret-for-this-test-only"})
    assert started.returncode != 0
    assert "QUARTIER_STRIPE_SECRET_KEY and QUARTIER_STRIPE_WEBHOOK_SECRET must be set" in (
        started.stderr
    )


def test_development_mode_is_turned_on_explicitly() -> None:
    started = _start({"DJANGO_DEBUG": "true"})
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "True"
