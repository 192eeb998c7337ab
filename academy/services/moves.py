"""The only writers of the academy's status fields: one move function per model.

| model             | status field | the one writer            | its table (academy/transitions.py) |
| ----------------- | ------------ | ------------------------- | ---------------------------------- |
| CourseVersion     | status       | `course_version_move`     | VERSION_MACHINE                    |
| EventRegistration | status       | `event_registrations_move`| REGISTRATION_MACHINE               |

Each asks its machine (illegal move 409, wrong role 403, guards) before it writes. They run
inside the caller's transaction, on rows the caller has locked. A test reads the source to make
sure nothing else writes a status.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from academy.events import EventRegistrationMoved
from academy.models import CourseVersion, EventRegistration, RegistrationStatus
from academy.transitions import NEW_REGISTRATION, REGISTRATION_MACHINE, VERSION_MACHINE
from backend import clock
from backend.models import User
from backend.outbox import emit
from backend.roles import ActorRole


def course_version_move(
    *, version: CourseVersion, to: str, actor: User, role: str = ActorRole.MANAGER
) -> CourseVersion:
    """The only writer of `CourseVersion.status`: a complete draft is published by `actor`.
    The caller holds the version's row lock; a version that is not a draft is refused
    (`course_not_draft`), an incomplete one too (the machine's guard)."""
    VERSION_MACHINE.check(version, from_status=version.status, to_status=to, role=role)
    version.status = to
    version.published_at = clock.now()
    version.published_by = actor
    version.save(update_fields=["status", "published_at", "published_by"])
    return version


def _what(from_status: str, to: str, role: str) -> str:
    """How the registration event names the move."""
    if from_status == NEW_REGISTRATION:
        return to
    if to == RegistrationStatus.REGISTERED:
        return "moved_up"
    return "event_cancelled" if role == ActorRole.MANAGER else "cancelled_by_helper"


def event_registrations_move(
    registrations: Sequence[EventRegistration], *, to: str, role: str
) -> None:
    """The only writer of `EventRegistration.status`. The caller holds the event's lock.

    A registration not yet stored is created in `to` (registered or waiting); stored ones
    move together (moved up from the waiting list, or cancelled, which records when). Every
    move is checked against REGISTRATION_MACHINE before anything is written, and each emits
    an `EventRegistrationMoved`."""
    moves = [
        (registration, NEW_REGISTRATION if registration.pk is None else registration.status)
        for registration in registrations
    ]
    for registration, from_status in moves:
        REGISTRATION_MACHINE.check(registration, from_status=from_status, to_status=to, role=role)
    changes: dict[str, Any] = {"status": to}
    if to == RegistrationStatus.CANCELLED:
        changes["cancelled_at"] = clock.now()
    stored = [registration.pk for registration, _ in moves if registration.pk is not None]
    if stored:
        EventRegistration.objects.filter(pk__in=stored).update(**changes)
    for registration, from_status in moves:
        for name, value in changes.items():
            setattr(registration, name, value)
        if from_status == NEW_REGISTRATION:
            registration.save()
        emit(
            EventRegistrationMoved(
                event_id=registration.event_id,
                helper_id=registration.helper_id,
                registration_id=registration.pk,
                to_status=to,
                what=_what(from_status, to, role),
            )
        )
