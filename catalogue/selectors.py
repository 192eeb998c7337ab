"""Reads of the legal documents: which versions are current, and what someone still has to
accept."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from backend.models import User
from catalogue.models import (
    CUSTOMER_KINDS,
    HELPER_KINDS,
    LegalAcceptance,
    LegalDocumentKind,
    LegalDocumentVersion,
    ServiceCategory,
)


def current_versions(
    *, kinds: Sequence[str], category: ServiceCategory | None = None
) -> QuerySet[LegalDocumentVersion]:
    """The newest version of each document of `kinds`; of the category waivers, only those
    of `category` (none without one)."""
    newest = (
        LegalDocumentVersion.objects.filter(document=OuterRef("document"))
        .order_by("-number")
        .values("number")[:1]
    )
    general = [kind for kind in kinds if kind != LegalDocumentKind.CATEGORY_WAIVER]
    wanted = Q(document__kind__in=general)
    if LegalDocumentKind.CATEGORY_WAIVER in kinds and category is not None:
        wanted |= Q(document__kind=LegalDocumentKind.CATEGORY_WAIVER, document__category=category)
    return (
        LegalDocumentVersion.objects.filter(wanted, number=Subquery(newest))
        .select_related("document")
        .order_by("document__kind", "document__slug")
    )


def customer_waivers(category: ServiceCategory | None) -> list[LegalDocumentVersion]:
    """What a customer accepts before a visit of `category` is confirmed: the current terms,
    data-safety waiver and the category's own waivers."""
    return list(current_versions(kinds=CUSTOMER_KINDS, category=category))


def waivers_missing(
    *, user: User, category: ServiceCategory, in_force_at: datetime | None = None
) -> list[LegalDocumentVersion]:
    """The customer waivers of `category` `user` has not accepted (one statement).

    With `in_force_at` (a booking's creation), accepting the version in force then, or any
    later one, is enough: a new version binds from the next booking on. A document published
    after that moment binds in its current version.
    """
    best_accepted = (
        LegalAcceptance.objects.filter(user=user, version__document=OuterRef("document"))
        .order_by("-version__number")
        .values("version__number")[:1]
    )
    versions = current_versions(kinds=CUSTOMER_KINDS, category=category).annotate(
        best_accepted=Subquery(best_accepted)
    )
    if in_force_at is not None:
        in_force_then = (
            LegalDocumentVersion.objects.filter(
                document=OuterRef("document"), published_at__lte=in_force_at
            )
            .order_by("-number")
            .values("number")[:1]
        )
        versions = versions.annotate(in_force_then=Subquery(in_force_then))
    return [
        version
        for version in versions
        if (version.best_accepted or 0)
        < (getattr(version, "in_force_then", None) or version.number)
    ]


def current_code_of_conduct_versions() -> QuerySet[LegalDocumentVersion]:
    """The current version of the helpers' code of conduct first (the query, for a statement
    that reads it inside itself)."""
    return current_versions(kinds=(LegalDocumentKind.HELPER_CODE_OF_CONDUCT,)).order_by(
        "document_id"
    )


def helper_terms_missing(user: User) -> list[LegalDocumentVersion]:
    """The helpers' current terms (the code of conduct, the liability terms) `user` has not
    accepted in their current version; without the code of conduct no offer comes
    (`helpers.selectors.ready_for_offers`). One statement."""
    accepted = LegalAcceptance.objects.filter(user=user, version=OuterRef("pk"))
    return list(current_versions(kinds=HELPER_KINDS).filter(~Exists(accepted)))
