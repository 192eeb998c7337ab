"""Events: training sessions and meet-ups with a capacity, registration and a waiting list that
moves up when someone cancels; cancelled by the helper or the manager; attendance marked by the
manager, which earns the course's certification for a training that names one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils.translation import gettext as _

from academy import emails
from academy.errors import AcademyError
from academy.models import (
    LINK_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    CalendarFeed,
    Certification,
    CertificationSource,
    Course,
    EventKind,
    EventRegistration,
    RegistrationStatus,
    TrainingEvent,
    new_feed_token,
)
from academy.selectors import calendar_feed_closed, current_version
from academy.services.certifications import certification_earn
from academy.services.common import (
    columns,
    https_link,
    reason_given,
    require_manager,
    require_own,
    translated,
)
from academy.services.moves import event_registrations_move
from backend import clock
from backend.exceptions import (
    Conflict,
    CoreError,
    PermissionDenied,
    ValidationFailed,
    raises,
)
from backend.models import User
from backend.roles import ActorRole
from helpers.models import HelperProfile

MAX_CAPACITY = 10000


@transaction.atomic
@raises(
    AcademyError.MANAGER_ONLY,
    AcademyError.COURSE_TEXT_REQUIRED,
    AcademyError.EVENT_TIMES_INVALID,
    AcademyError.EVENT_PLACE_REQUIRED,
    AcademyError.EVENT_CAPACITY_INVALID,
    AcademyError.EVENT_COURSE_INVALID,
    CoreError.MAX_LENGTH,
    CoreError.FORBIDDEN_CHARACTERS,
    CoreError.NOTHING_VISIBLE,
)
def training_event_create(
    *,
    actor: User,
    kind: str,
    titles: Mapping[str, str],
    descriptions: Mapping[str, str],
    starts_at: datetime,
    ends_at: datetime,
    capacity: int,
    online_url: str = "",
    place: str = "",
    course: Course | None = None,
) -> TrainingEvent:
    """The manager announces a training session or a meet-up: in the future, ending after it
    starts, online (an https link) or at a place, for 1 or more people. A training that
    names a published course earns its certification for those marked present."""
    require_manager(actor)
    title = translated(titles, "title", limit=TITLE_MAX_LENGTH, one_line=True)
    description = translated(descriptions, "description", limit=TEXT_MAX_LENGTH, required=False)
    if starts_at <= clock.now() or ends_at <= starts_at:
        raise ValidationFailed.for_field(
            "starts_at",
            _("An event starts in the future and ends after it starts."),
            code=AcademyError.EVENT_TIMES_INVALID,
        )
    if not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationFailed.for_field(
            "capacity",
            _("Between 1 and %(count)d places.") % {"count": MAX_CAPACITY},
            code=AcademyError.EVENT_CAPACITY_INVALID,
        )
    online_url = https_link(
        online_url,
        "online_url",
        limit=LINK_MAX_LENGTH,
        code=AcademyError.EVENT_PLACE_REQUIRED,
    )
    place = place.strip()
    if not online_url and not place:
        raise ValidationFailed.for_field(
            "place", _("Give a place or an online link."), code=AcademyError.EVENT_PLACE_REQUIRED
        )
    if course is not None and (kind != EventKind.TRAINING or current_version(course) is None):
        raise ValidationFailed.for_field(
            "course",
            _("Only a training grants a certification, of a published course."),
            code=AcademyError.EVENT_COURSE_INVALID,
        )
    return TrainingEvent.objects.create(
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        online_url=online_url,
        place=place,
        course=course,
        created_by=actor,
        **columns("title", title),
        **columns("description", description),
    )


def _locked_event(event: TrainingEvent) -> TrainingEvent:
    return TrainingEvent.objects.select_for_update().get(pk=event.pk)


@transaction.atomic
@raises(
    AcademyError.NOT_A_HELPER,
    AcademyError.EVENT_CLOSED,
    AcademyError.EVENT_FULL,
    AcademyError.ALREADY_REGISTERED,
)
def event_register(
    *, helper: HelperProfile, actor: User, event: TrainingEvent, join_waiting_list: bool = False
) -> EventRegistration:
    """The helper registers for an event that has not started and is not cancelled. When it
    is full they join the waiting list only if they asked to (`join_waiting_list`); otherwise
    `event_full` and nothing is stored. Locks the event: two registrations for the last
    place get one place and one refusal (or a place on the waiting list)."""
    require_own(helper, actor)
    event = _locked_event(event)
    if event.cancelled_at is not None or event.starts_at <= clock.now():
        raise Conflict(_("Registration for this event is closed."), code=AcademyError.EVENT_CLOSED)
    live = EventRegistration.objects.filter(event=event).exclude(
        status=RegistrationStatus.CANCELLED
    )
    if live.filter(helper=helper).exists():
        raise Conflict(
            _("You are registered for this event already."), code=AcademyError.ALREADY_REGISTERED
        )
    full = live.filter(status=RegistrationStatus.REGISTERED).count() >= event.capacity
    if full and not join_waiting_list:
        raise Conflict(
            _("This event is full. You can join the waiting list."), code=AcademyError.EVENT_FULL
        )
    status = RegistrationStatus.WAITING if full else RegistrationStatus.REGISTERED
    registration = EventRegistration(event=event, helper=helper)
    event_registrations_move([registration], to=status, role=ActorRole.HELPER)
    return registration


def _move_up(event: TrainingEvent) -> None:
    """Give free places to the waiting list, first come first served (caller holds the event
    lock); each one moved up is told by e-mail after commit."""
    registered = EventRegistration.objects.filter(
        event=event, status=RegistrationStatus.REGISTERED
    ).count()
    free = event.capacity - registered
    if free <= 0:
        return
    waiting = list(
        EventRegistration.objects.filter(event=event, status=RegistrationStatus.WAITING).order_by(
            "created_at", "pk"
        )[:free]
    )
    event_registrations_move(waiting, to=RegistrationStatus.REGISTERED, role=ActorRole.SYSTEM)
    for registration in waiting:
        transaction.on_commit(partial(emails.send_moved_up, registration.pk))


@transaction.atomic
@raises(AcademyError.NOT_A_HELPER, AcademyError.NOT_REGISTERED, AcademyError.EVENT_CLOSED)
def event_registration_cancel(
    *, helper: HelperProfile, actor: User, event: TrainingEvent
) -> EventRegistration:
    """The helper cancels their registration (or leaves the waiting list) before the event
    starts. A freed place goes to the first on the waiting list, who is told."""
    require_own(helper, actor)
    event = _locked_event(event)
    registration = (
        EventRegistration.objects.filter(event=event, helper=helper)
        .exclude(status=RegistrationStatus.CANCELLED)
        .first()
    )
    if registration is None:
        raise Conflict(
            _("You are not registered for this event."), code=AcademyError.NOT_REGISTERED
        )
    if event.cancelled_at is not None or event.starts_at <= clock.now():
        raise Conflict(_("This event has started or is cancelled."), code=AcademyError.EVENT_CLOSED)
    event_registrations_move([registration], to=RegistrationStatus.CANCELLED, role=ActorRole.HELPER)
    _move_up(event)
    return registration


@transaction.atomic
@raises(
    AcademyError.MANAGER_ONLY,
    AcademyError.EVENT_CLOSED,
    CoreError.REASON_REQUIRED,
    CoreError.MAX_LENGTH,
    CoreError.FORBIDDEN_CHARACTERS,
    CoreError.NOTHING_VISIBLE,
)
def training_event_cancel(*, actor: User, event: TrainingEvent, reason: str) -> TrainingEvent:
    """The manager cancels an event that has not ended, with a reason: every registration
    (and the waiting list) is cancelled, and everyone on it is told by e-mail."""
    require_manager(actor)
    reason = reason_given(reason)
    event = _locked_event(event)
    if event.cancelled_at is not None or event.ends_at <= clock.now():
        raise Conflict(_("This event has ended or is cancelled."), code=AcademyError.EVENT_CLOSED)
    event.cancelled_at = clock.now()
    event.cancel_reason = reason
    event.save(update_fields=["cancelled_at", "cancel_reason"])
    live = list(
        EventRegistration.objects.filter(event=event).exclude(status=RegistrationStatus.CANCELLED)
    )
    event_registrations_move(live, to=RegistrationStatus.CANCELLED, role=ActorRole.MANAGER)
    ids = [row.pk for row in live]
    transaction.on_commit(lambda: emails.send_event_cancelled(event.pk, ids))
    return event


@transaction.atomic
@raises(
    AcademyError.MANAGER_ONLY,
    AcademyError.ATTENDANCE_TOO_EARLY,
    AcademyError.EVENT_CLOSED,
    AcademyError.NOT_REGISTERED,
)
def event_attendance_mark(
    *, actor: User, event: TrainingEvent, attended_helper_ids: Sequence[int]
) -> list[EventRegistration]:
    """The manager marks who came, once the event has started: the registered helpers named
    attended, the others did not. Attending a training that names a course earns its
    certification (once per event: marking again grants nobody twice)."""
    require_manager(actor)
    event = _locked_event(event)
    if event.cancelled_at is not None:
        raise Conflict(_("This event is cancelled."), code=AcademyError.EVENT_CLOSED)
    if event.starts_at > clock.now():
        raise Conflict(
            _("Attendance is marked once the event has started."),
            code=AcademyError.ATTENDANCE_TOO_EARLY,
        )
    registered = {
        row.helper_id: row
        for row in EventRegistration.objects.filter(
            event=event, status=RegistrationStatus.REGISTERED
        ).select_related("helper")
    }
    unknown = set(attended_helper_ids) - set(registered)
    if unknown:
        raise Conflict(
            _("Only registered helpers can be marked present."),
            code=AcademyError.NOT_REGISTERED,
            fields={"attended": [_("Only registered helpers can be marked present.")]},
        )
    marked = []
    for helper_id, registration in sorted(registered.items()):
        came = helper_id in attended_helper_ids
        if registration.attended != came:
            registration.attended = came
            registration.save(update_fields=["attended"])
        marked.append(registration)
        if came and event.course_id is not None:
            granted = Certification.objects.filter(
                helper_id=helper_id, event=event, course_id=event.course_id
            ).exists()
            if not granted:
                assert event.course is not None  # noqa: S101 - course_id is set
                certification_earn(
                    helper=registration.helper,
                    course=event.course,
                    source=CertificationSource.EVENT,
                    event=event,
                )
    return marked


@transaction.atomic
@raises(AcademyError.NOT_A_HELPER, AcademyError.CALENDAR_FEED_CLOSED)
def calendar_feed_for(*, helper: HelperProfile, actor: User, renew: bool = False) -> CalendarFeed:
    """The helper's calendar feed secret, made on first use; `renew` replaces it (the old URL
    stops working at once). Refused, with nothing made or renewed, while the helper is not
    approved (`calendar_feed_closed`): the feed opens nothing then."""
    require_own(helper, actor)
    closed = calendar_feed_closed(helper)
    if closed is not None:
        raise PermissionDenied(closed, code=AcademyError.CALENDAR_FEED_CLOSED)
    feed, created = CalendarFeed.objects.get_or_create(helper=helper)
    if renew and not created:
        feed.token = new_feed_token()
        feed.save(update_fields=["token"])
    return feed
