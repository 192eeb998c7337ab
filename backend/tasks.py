"""Background work of the core, run by the django-tasks-db worker."""

from __future__ import annotations

from django_tasks import task

from backend.password_reset import password_reset_mail
from backend.relay import relay_due


@task()
def relay_events() -> int:
    """Deliver every stored event that is waiting to its after-commit handlers, those stored
    while it runs included."""
    return relay_due()


# A task someone is waiting for (an e-mail they just asked for) goes before the background
# work queued ahead of it: the worker takes the highest priority first.
SOMEONE_WAITS = 50


@task(priority=SOMEONE_WAITS)
def password_reset_mail_send(email: str) -> None:
    """The e-mail asked for on the password-reset form, sent here so that the form's answer
    does not wait for the mail server (its time would tell which addresses have accounts)."""
    password_reset_mail(email=email)
