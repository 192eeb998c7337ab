"""Acceptance rates of the terms and waivers, for the community manager: per document, its
current version (since when it is in force), how many of the people who must accept it did.

Who must: a helper's document, every approved helper with an active account; a customer's,
every active customer who has asked for help (a category waiver: for help of its category).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, QuerySet

from backend.models import User
from bookings.models import HelpRequest
from catalogue.models import HELPER_KINDS, LegalAcceptance, LegalDocument, LegalDocumentVersion
from helpers.models import ApprovalStatus, HelperProfile


@dataclass(frozen=True)
class WaiverRate:
    document: LegalDocument
    current: LegalDocumentVersion | None
    versions: int
    must_accept: int
    accepted: int

    @property
    def percent(self) -> int | None:
        return round(100 * self.accepted / self.must_accept) if self.must_accept else None


def legal_documents_for_manager(user: User) -> QuerySet[LegalDocument]:
    if not user.is_staff:
        return LegalDocument.objects.none()
    return LegalDocument.objects.select_related("category").order_by("kind", "slug")


def _who_must(document: LegalDocument) -> QuerySet[User]:
    if document.kind in HELPER_KINDS:
        return User.objects.filter(
            is_active=True,
            pk__in=HelperProfile.objects.filter(approval_status=ApprovalStatus.APPROVED).values(
                "user_id"
            ),
        )
    requests = HelpRequest.objects.all()
    if document.category_id is not None:
        requests = requests.filter(category_id=document.category_id)
    return User.objects.filter(is_active=True, pk__in=requests.values("customer_id"))


def waiver_rates(user: User) -> list[WaiverRate]:
    """Every document with its current version and acceptance rate (three queries per
    document: the documents are a handful)."""
    rates = []
    for document in legal_documents_for_manager(user).annotate(
        version_count=Count("versions"), newest=Max("versions__number")
    ):
        current = (
            LegalDocumentVersion.objects.filter(document=document, number=document.newest).first()
            if document.newest is not None
            else None
        )
        who_must = _who_must(document)
        accepted = (
            who_must.filter(
                pk__in=LegalAcceptance.objects.filter(version=current).values("user_id")
            ).count()
            if current is not None
            else 0
        )
        rates.append(
            WaiverRate(
                document=document,
                current=current,
                versions=document.version_count,
                must_accept=who_must.count(),
                accepted=accepted,
            )
        )
    return rates


def legal_document_for_manager(user: User, slug: str) -> LegalDocument | None:
    return legal_documents_for_manager(user).filter(slug=slug).first()


def legal_versions_of(document: LegalDocument) -> QuerySet[LegalDocumentVersion]:
    """The document's versions, newest first, each with how many accepted it."""
    return (
        LegalDocumentVersion.objects.filter(document=document)
        .select_related("published_by")
        .annotate(acceptance_count=Count("acceptances"))
        .order_by("-number")
    )
