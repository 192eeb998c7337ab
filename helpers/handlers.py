"""What follows helpers' domain events. Subscribed in `HelpersConfig.ready()`.

- `schedule_document_deletion` (in the transaction): a decided application's documents are
  deleted QUARTIER_DOCUMENT_RETENTION_DAYS later, by the worker's `delete_due_documents`;
- `schedule_reinstatement` (in the transaction): a suspension with an end date is lifted then,
  by the worker's `reinstate_due_helpers`;
- `appeals_close_when_suspension_ends` (in the transaction, `helpers.appeal_services`);
- `mail_applicant` (after commit): the applicant hears of every step of their application
  and of their appeal.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend.events import DomainEvent
from helpers import emails, tasks
from helpers.document_services import documents_schedule_deletion
from helpers.events import (
    HelperAppealDecided,
    HelperAppealFiled,
    HelperApplied,
    HelperApprovalMoved,
    HelperSuspended,
)
from helpers.models import ApprovalStatus, HelperProfile

# The moves that decide an application: the documents are no longer needed after them.
DECIDED = frozenset({ApprovalStatus.APPROVED, ApprovalStatus.REJECTED, ApprovalStatus.WITHDRAWN})


def schedule_document_deletion(events: Sequence[DomainEvent]) -> None:
    decided = sorted(
        {
            event.helper_id
            for event in events
            if isinstance(event, HelperApprovalMoved)
            and event.to_status in DECIDED
            and event.from_status != ApprovalStatus.SUSPENDED
        }
    )
    if not decided:
        return
    due = documents_schedule_deletion(helper_ids=decided)
    if due is not None:
        tasks.delete_due_documents.using(run_after=due).enqueue()


def schedule_reinstatement(events: Sequence[DomainEvent]) -> None:
    helper_ids = sorted({event.helper_id for event in events if isinstance(event, HelperSuspended)})
    ends = HelperProfile.objects.filter(pk__in=helper_ids, suspended_until__isnull=False)
    for until in sorted({end for end in ends.values_list("suspended_until", flat=True) if end}):
        tasks.reinstate_due_helpers.using(run_after=until).enqueue()


def mail_applicant(event: DomainEvent, *, sequence: int) -> None:
    """One e-mail per step. Delivered at least once: a crash between sending and the relay's
    acknowledgement sends it again, which beats an applicant never hearing of a decision."""
    if isinstance(event, HelperApplied | HelperApprovalMoved):
        emails.send_application_step(event)
    elif isinstance(event, HelperAppealFiled | HelperAppealDecided):
        emails.send_appeal_step(event)


MAIL_EVENTS = (HelperApplied, HelperApprovalMoved, HelperAppealFiled, HelperAppealDecided)
DELETION_EVENTS = (HelperApprovalMoved,)
REINSTATEMENT_EVENTS = (HelperSuspended,)
