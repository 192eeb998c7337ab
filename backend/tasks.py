"""Background work of the core, run by the django-tasks-db worker."""

from __future__ import annotations

from django_tasks import task

from backend.relay import relay_pending


@task()
def relay_events() -> int:
    """Deliver the stored events that are waiting to their after-commit handlers."""
    return relay_pending()
