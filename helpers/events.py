"""The domain events of helpers: applying, profile changes, vetting and approval, and their
figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from backend.events import DomainEvent


@dataclass(frozen=True)
class HelperEvent(DomainEvent, abstract=True):
    aggregate_type: ClassVar[str] = "helper"
    # Everything about a helper can change whether and how they are matched.
    affects_matching: ClassVar[bool] = True

    helper_id: int

    @property
    def aggregate_id(self) -> int:
        return self.helper_id


@dataclass(frozen=True)
class HelperApplied(HelperEvent):
    user_id: int


@dataclass(frozen=True)
class HelperProfileChanged(HelperEvent):
    # The profile fields that changed ("skills" for the skills).
    fields: list[str]


@dataclass(frozen=True)
class HelperApprovalMoved(HelperEvent, abstract=True):
    from_status: str
    to_status: str
    actor_id: int | None
    note: str


@dataclass(frozen=True)
class HelperDocumentsSubmitted(HelperApprovalMoved):
    """The applicant handed in their identity document and criminal record extract."""


@dataclass(frozen=True)
class HelperDocumentsChecked(HelperApprovalMoved):
    """The manager found the documents in order."""


@dataclass(frozen=True)
class HelperConductTestPassed(HelperApprovalMoved):
    """The applicant passed the code-of-conduct test."""


@dataclass(frozen=True)
class HelperInvitedToInterview(HelperApprovalMoved):
    """The manager invited the applicant to an interview."""


@dataclass(frozen=True)
class HelperInformationRequested(HelperApprovalMoved):
    """The manager asked the applicant for more (the note says what)."""


@dataclass(frozen=True)
class HelperApproved(HelperApprovalMoved):
    """The helper may receive offers."""


@dataclass(frozen=True)
class HelperRejected(HelperApprovalMoved):
    """The manager turned the application down (the note says why)."""


@dataclass(frozen=True)
class HelperWithdrew(HelperApprovalMoved):
    """The applicant withdrew their application."""


@dataclass(frozen=True)
class HelperSuspended(HelperApprovalMoved):
    """The manager stopped offers to the helper (the note says why)."""


@dataclass(frozen=True)
class HelperReinstated(HelperApprovalMoved):
    """A suspended helper may receive offers again."""


@dataclass(frozen=True)
class HelperOffboarded(HelperApprovalMoved):
    """The helper leaves Quartier for good."""


@dataclass(frozen=True)
class HelperFiguresChanged(HelperEvent):
    """The helper's rating and reliability figures moved by `deltas` (field → change)."""

    deltas: dict[str, int]


@dataclass(frozen=True)
class HelperAvailabilityChanged(HelperEvent):
    """The helper's weekly hours were replaced, or an exception added or removed: when they are
    free moved (`what` is "weekly", "exception_added" or "exception_removed")."""

    what: str


@dataclass(frozen=True)
class HelperAppealEvent(HelperEvent, abstract=True):
    # An appeal changes nothing about matching by itself (lifting moves the approval, which does).
    affects_matching: ClassVar[bool] = False

    appeal_id: int


@dataclass(frozen=True)
class HelperAppealFiled(HelperAppealEvent):
    pass


@dataclass(frozen=True)
class HelperAppealDecided(HelperAppealEvent):
    lifted: bool
    note: str
