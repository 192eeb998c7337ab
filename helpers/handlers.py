"""What follows helpers' domain events. Subscribed in `HelpersConfig.ready()`.

- `schedule_document_deletion` (in the transaction): a decided application's documents are
  deleted QUARTIER_DOCUMENT_RETENTION_DAYS later, by the worker's `delete_due_documents`;
- `mail_applicant` (after commit): the applicant hears of every step of their application.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend.events import DomainEvent
from helpers import emails, tasks
from helpers.document_services import documents_schedule_deletion
from helpers.events import HelperApplied, HelperApprovalMoved
from helpers.models import ApprovalStatus

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


def mail_applicant(event: DomainEvent, *, sequence: int) -> None:
    """One e-mail per step. Delivered at least once: a crash between sending and the relay's
    acknowledgement sends it again, which beats an applicant never hearing of a decision."""
    if isinstance(event, HelperApplied | HelperApprovalMoved):
        emails.send_application_step(event)


MAIL_EVENTS = (HelperApplied, HelperApprovalMoved)
DELETION_EVENTS = (HelperApprovalMoved,)
