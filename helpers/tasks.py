"""Background work of helpers, run by the django-tasks-db worker (`manage.py worker`).

Scheduled by `helpers.handlers` in the transaction of the decision that asked for it. The
task re-reads what is due, so running it twice, late, or early is harmless.
"""

from __future__ import annotations

from django_tasks import task

from helpers.document_services import documents_delete_due
from helpers.services import helpers_reinstate_due


@task()
def delete_due_documents() -> int:
    """Delete the applicants' documents whose retention after the decision has run out."""
    return documents_delete_due()


@task()
def reinstate_due_helpers() -> int:
    """Reinstate the helpers whose suspension has reached its end date."""
    return helpers_reinstate_due()
