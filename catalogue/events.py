"""The catalogue's domain events: legal documents published and accepted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from backend.events import DomainEvent, UserEvent


@dataclass(frozen=True)
class LegalVersionPublished(DomainEvent):
    # A new code of conduct takes every helper out of matching until they accept it.
    aggregate_type: ClassVar[str] = "legal_document"
    affects_matching: ClassVar[bool] = True

    document_id: int
    version_id: int
    kind: str
    number: int

    @property
    def aggregate_id(self) -> int:
        return self.document_id


@dataclass(frozen=True)
class LegalTermsAccepted(UserEvent):
    # A helper who accepts the code of conduct can be matched again.
    affects_matching: ClassVar[bool] = True

    version_id: int
    kind: str
