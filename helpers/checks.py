"""System checks of helpers (`manage.py check`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from backend.config import config
from backend.config import development_document_key as derived_key


def development_document_key(**kwargs: Any) -> list[checks.CheckMessage]:
    """Say so when applicants' documents are encrypted with the derived development key."""
    if config().document_key.split(",")[0].strip() != derived_key(settings.SECRET_KEY):
        return []
    return [
        checks.Warning(
            "Applicants' documents are encrypted with a development key derived from "
            "DJANGO_SECRET_KEY.",
            hint="Set QUARTIER_DOCUMENT_KEY to a Fernet key outside development.",
            id="helpers.W001",
        )
    ]
