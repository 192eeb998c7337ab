"""Quartier's own settings: typed, read from QUARTIER_* variables, checked at start-up."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured

from backend import clock
from backend.config import QuartierConfig, config


def test_defaults_without_any_variable() -> None:
    assert QuartierConfig.from_env({}) == QuartierConfig()
    assert QuartierConfig.from_env({}).offer_batch_size == 3


def test_values_come_typed_from_the_environment() -> None:
    loaded = QuartierConfig.from_env(
        {
            "QUARTIER_OFFER_BATCH_SIZE": "5",
            "QUARTIER_FAIRNESS_MARGIN": "0.1",
            "QUARTIER_FAIRNESS_BAND_LIMIT": "0",
        }
    )
    assert (loaded.offer_batch_size, loaded.fairness_margin, loaded.fairness_band_limit) == (
        5,
        0.1,
        0,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("QUARTIER_OFFER_BATCH_SIZE", "three", "QUARTIER_OFFER_BATCH_SIZE must be a int"),
        ("QUARTIER_OFFER_BATCH_SIZE", "0", "QUARTIER_OFFER_BATCH_SIZE must be at least 1"),
        ("QUARTIER_FAIRNESS_BAND_LIMIT", "-1", "QUARTIER_FAIRNESS_BAND_LIMIT must be at least 0"),
        ("QUARTIER_FAIRNESS_BAND_LIMIT", "8.5", "QUARTIER_FAIRNESS_BAND_LIMIT must be a int"),
        ("QUARTIER_MATCH_MAX_RADIUS_KM", "2", "QUARTIER_MATCH_MAX_RADIUS_KM must not be smaller"),
        ("QUARTIER_RATING_PRIOR_MEAN", "6", "QUARTIER_RATING_PRIOR_MEAN must be at most 5"),
        ("QUARTIER_CURRENCY", "USD", "QUARTIER_CURRENCY must be CHF or EUR"),
        (
            "QUARTIER_REQUEST_PAGE_URL",
            "https://quartier.ch/requests/",
            "QUARTIER_REQUEST_PAGE_URL must contain {public_id}",
        ),
        (
            "QUARTIER_VISIT_PAGE_URL",
            "https://quartier.ch/helper/visits/",
            "QUARTIER_VISIT_PAGE_URL must contain {public_id}",
        ),
    ],
)
def test_a_bad_value_is_refused_naming_the_variable(variable, value, message) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        QuartierConfig.from_env({variable: value})


def test_a_bad_value_stops_the_start() -> None:
    # A real process start: Django's setup reads the settings and refuses.
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed command
        [sys.executable, "manage.py", "check"],
        env={"QUARTIER_OFFER_TTL_MINUTES": "0", "PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "true"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "QUARTIER_OFFER_TTL_MINUTES must be at least 1" in result.stderr


def test_overrides_name_known_settings_only(settings) -> None:
    settings.QUARTIER = config().with_values(OFFER_BATCH_SIZE=1)
    assert config().offer_batch_size == 1
    with pytest.raises(KeyError, match="offer_batch"):
        config().with_values(offer_batch=2)


def test_the_clock_is_the_wall_clock_unless_set() -> None:
    before = datetime.now(UTC)
    assert before <= clock.now() <= datetime.now(UTC)
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    with clock.at(moment):
        assert clock.now() == moment
        clock.advance(timedelta(hours=2))
        assert clock.now() == moment + timedelta(hours=2)
    assert clock.now() >= before
    with pytest.raises(ValueError, match="aware"):
        clock.at(datetime(2026, 1, 1)).__enter__()  # noqa: DTZ001 - the naive time refused
    with pytest.raises(RuntimeError):
        clock.advance(timedelta(minutes=1))
