"""The academy's e-mails to helpers, each in the helper's preferred language: a certification
running out (30 and 7 days before), revoked, a place freed on the waiting list, an event
cancelled."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from academy.models import Certification, EventRegistration, TrainingEvent
from academy.selectors import course_titles
from backend import clock
from backend.emails import send_notice
from backend.formats import written
from backend.models import User


def _course_title(course_id: int) -> str:
    return course_titles([course_id]).get(course_id, "")


def send_certification_reminder(certification: Certification) -> None:
    user: User = certification.helper.user
    days = max(1, (certification.expires_at - clock.now()).days)
    with translation.override(user.preferred_language):
        title = _course_title(certification.course_id)
        subject = _("Your certification “%(course)s” runs out soon") % {"course": title}
        body = ngettext(
            "Hello %(name)s,\n\n"
            "Your certification “%(course)s” runs out on %(date)s (in %(days)d day). Without "
            "it you are no longer offered the requests it is required for. Take the course's "
            "quiz again in the Quartier app, or attend a training, to renew it.\n\n"
            "Quartier",
            "Hello %(name)s,\n\n"
            "Your certification “%(course)s” runs out on %(date)s (in %(days)d days). Without "
            "it you are no longer offered the requests it is required for. Take the course's "
            "quiz again in the Quartier app, or attend a training, to renew it.\n\n"
            "Quartier",
            days,
        ) % {
            "name": user.display_name,
            "course": title,
            "date": formats.date_format(
                timezone.localtime(certification.expires_at), "DATE_FORMAT"
            ),
            "days": days,
        }
        send_notice(user, subject, body)


def send_certification_revoked(certification: Certification) -> None:
    user: User = certification.helper.user
    with translation.override(user.preferred_language):
        title = _course_title(certification.course_id)
        subject = _("Your certification “%(course)s” was revoked") % {"course": title}
        body = _(
            "Hello %(name)s,\n\n"
            "The community manager revoked your certification “%(course)s”. The reason:\n\n"
            "%(reason)s\n\n"
            "Until you earn it again you are not offered the requests it is required for.\n\n"
            "Quartier"
        ) % {"name": user.display_name, "course": title, "reason": certification.revoke_reason}
        send_notice(user, subject, body)


def send_moved_up(registration_id: int) -> None:
    registration = (
        EventRegistration.objects.select_related("event", "helper__user")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return
    user: User = registration.helper.user
    with translation.override(user.preferred_language):
        event = TrainingEvent.objects.get(pk=registration.event_id)
        subject = _("A place is free for you: %(event)s") % {"event": event.title}
        body = _(
            "Hello %(name)s,\n\n"
            "A place became free at “%(event)s” on %(when)s, and it is yours: you are "
            "registered. If you cannot come, cancel in the Quartier app so that the next "
            "person on the waiting list gets it.\n\n"
            "Quartier"
        ) % {
            "name": user.display_name,
            "event": event.title,
            "when": written.moment_in_sentence(event.starts_at),
        }
        send_notice(user, subject, body)


def send_event_cancelled(event_id: int, registration_ids: Sequence[int]) -> None:
    rows = EventRegistration.objects.filter(pk__in=list(registration_ids)).select_related(
        "helper__user"
    )
    for registration in rows:
        user: User = registration.helper.user
        with translation.override(user.preferred_language):
            event = TrainingEvent.objects.get(pk=event_id)
            subject = _("Cancelled: %(event)s") % {"event": event.title}
            body = _(
                "Hello %(name)s,\n\n"
                "The community manager cancelled “%(event)s” on %(when)s. The reason:\n\n"
                "%(reason)s\n\n"
                "You do not need to do anything. Other events are in the Quartier app.\n\n"
                "Quartier"
            ) % {
                "name": user.display_name,
                "event": event.title,
                "when": written.moment_in_sentence(event.starts_at),
                "reason": event.cancel_reason,
            }
            send_notice(user, subject, body)
