"""The demo's legal documents, published long ago, and their acceptance by helpers when they
apply and by customers before they confirm a visit."""

from __future__ import annotations

import tomllib
from typing import Any

from backend.models import User
from catalogue.models import (
    HELPER_KINDS,
    LegalDocument,
    LegalDocumentVersion,
    ServiceCategory,
)
from catalogue.selectors import current_versions, waivers_missing
from catalogue.services import legal_accept, legal_version_publish
from demo.history import DAY, History
from demo.texts import data_dir

# What the demo's acceptances record as the browser.
DEMO_USER_AGENT = "Quartier demo"


def _documents() -> list[dict[str, Any]]:
    with (data_dir() / "waivers.toml").open("rb") as file:
        return list(tomllib.load(file)["documents"])


def publish_waivers(history: History, manager: User) -> None:
    """The terms, waivers and code of conduct, each with one version (kept across a reset)."""
    with history.at(history.now - 700 * DAY):
        for spec in _documents():
            category = (
                ServiceCategory.objects.filter(slug=spec["category"]).first()
                if "category" in spec
                else None
            )
            document, _ = LegalDocument.objects.get_or_create(
                slug=spec["slug"], defaults={"kind": spec["kind"], "category": category}
            )
            if not document.versions.exists():
                legal_version_publish(
                    document=document, actor=manager, titles=spec["title"], texts=spec["text"]
                )


def _accept(user: User, versions: list[LegalDocumentVersion], language: str, for_whom: str) -> None:
    for version in versions:
        legal_accept(
            user=user,
            version=version,
            language=language,
            text_sha256=version.sha256_in(language),
            user_agent=DEMO_USER_AGENT,
            on_behalf_name=for_whom,
        )


def accept_helper_terms(user: User) -> None:
    """An applicant accepts the code of conduct and liability terms in force."""
    _accept(user, list(current_versions(kinds=HELPER_KINDS)), user.preferred_language, "")


def accept_customer_waivers(user: User, category: ServiceCategory, for_whom: str = "") -> None:
    """A customer accepts what they have not yet accepted for a visit of `category`."""
    missing = waivers_missing(user=user, category=category)
    _accept(user, missing, user.preferred_language, for_whom)
