"""The e-mails an applicant or helper gets at each step of their application, in their
preferred language."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import formats, timezone, translation
from django.utils.functional import Promise as StrPromise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.config import config
from backend.emails import subject_line
from helpers.events import (
    HelperAppealDecided,
    HelperAppealFiled,
    HelperApplied,
    HelperApprovalMoved,
    HelperApproved,
    HelperConductTestPassed,
    HelperDocumentsChecked,
    HelperDocumentsSubmitted,
    HelperInformationRequested,
    HelperInvitedToInterview,
    HelperOffboarded,
    HelperReinstated,
    HelperRejected,
    HelperSuspended,
    HelperWithdrew,
)
from helpers.models import HelperProfile

logger = logging.getLogger(__name__)


# Each step's e-mail: its subject and the paragraph that says what happened, translated when the
# e-mail is written, in the helper's language.
_TEXTS: dict[type[HelperApplied | HelperApprovalMoved], tuple[StrPromise, StrPromise]] = {
    HelperApplied: (
        _("Your application to help with Quartier"),
        _(
            "Thank you for applying to help your neighbours with Quartier. Next, upload your "
            "identity document and a Swiss criminal record extract issued in the last 3 months."
        ),
    ),
    HelperDocumentsSubmitted: (
        _("We received your documents"),
        _(
            "We received your documents. The community manager checks them and tells you "
            "what comes next."
        ),
    ),
    HelperDocumentsChecked: (
        _("Your documents are in order"),
        _("Your documents are in order. Next, take the code-of-conduct test."),
    ),
    HelperConductTestPassed: (
        _("You passed the code-of-conduct test"),
        _(
            "You passed the code-of-conduct test. The community manager decides on your "
            "application shortly."
        ),
    ),
    HelperInvitedToInterview: (
        _("An interview with the community manager"),
        _(
            "The community manager would like to meet you before deciding. They will contact "
            "you to agree on a time."
        ),
    ),
    HelperInformationRequested: (
        _("We need more information for your application"),
        _(
            "To go on with your application, the community manager needs more from you. "
            "Please answer in the app."
        ),
    ),
    HelperReinstated: (
        _("You can receive requests again"),
        _("Your suspension has ended: you can receive requests for help again."),
    ),
    HelperApproved: (
        _("Welcome to Quartier: your application is approved"),
        _("Your application is approved. From now on you receive requests for help near you."),
    ),
    HelperRejected: (
        _("Your application to Quartier"),
        _("We are sorry: your application to help with Quartier was not accepted."),
    ),
    HelperWithdrew: (
        _("You withdrew your application"),
        _("You withdrew your application. Your documents will be deleted as announced."),
    ),
    HelperSuspended: (
        _("Your helper account is suspended"),
        _(
            "Your helper account is suspended: you receive no requests for help for now. "
            "Pending requests were passed on to other helpers."
        ),
    ),
    HelperOffboarded: (
        _("You no longer help with Quartier"),
        _("Your time as a Quartier helper has ended. Thank you for your help."),
    ),
}


# The steps whose e-mail asks the applicant to do something on their application page.
_ASKS_FOR_THE_NEXT_STEP = (HelperApplied, HelperDocumentsChecked, HelperInformationRequested)


def _subject_and_body(event: HelperApplied | HelperApprovalMoved) -> tuple[str, str]:
    """The e-mail's subject and the paragraph that says what happened (in the active language)."""
    try:
        subject, what = _TEXTS[type(event)]
    except KeyError:
        raise TypeError(f"no e-mail for {type(event).__name__}") from None
    return str(subject), str(what)


def _suspension_end(helper: HelperProfile) -> str:
    if helper.suspended_until is None:
        return gettext("The suspension lasts until the community manager lifts it.")
    return gettext(
        "The suspension ends on %(day)s at %(time)s; then you receive requests again."
    ) % {
        "day": formats.date_format(timezone.localtime(helper.suspended_until), "DATE_FORMAT"),
        "time": formats.time_format(timezone.localtime(helper.suspended_until), "TIME_FORMAT"),
    }


def send_application_step(event: HelperApplied | HelperApprovalMoved) -> None:
    helper = HelperProfile.objects.select_related("user").filter(pk=event.helper_id).first()
    if helper is None or not helper.user.email:
        return
    user = helper.user
    note = getattr(event, "note", "")
    with translation.override(user.preferred_language):
        subject, what = _subject_and_body(event)
        parts = [gettext("Hello %(name)s,") % {"name": user.display_name}, what]
        if isinstance(event, HelperSuspended):
            parts.append(_suspension_end(helper))
        if note:
            parts.append(gettext("The community manager's note:") + "\n" + note)
        if isinstance(event, _ASKS_FOR_THE_NEXT_STEP):
            parts.append(
                gettext("Your application: %(link)s") % {"link": config().helper_application_url}
            )
        parts.append(gettext("Quartier"))
        message = EmailMessage(
            subject=subject_line(subject),
            body="\n\n".join(parts),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            headers={"Content-Language": user.preferred_language},
        )
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        # The step is stored whatever the mail server says; the app shows it too.
        logger.exception("could not mail %r to a helper", subject)


def send_appeal_step(event: HelperAppealFiled | HelperAppealDecided) -> None:
    """The helper hears that their appeal arrived, and that it was upheld. (A lifted
    suspension is told by the reinstatement's own e-mail, which carries the reason.)"""
    if isinstance(event, HelperAppealDecided) and event.lifted:
        return
    helper = HelperProfile.objects.select_related("user").filter(pk=event.helper_id).first()
    if helper is None or not helper.user.email:
        return
    user = helper.user
    with translation.override(user.preferred_language):
        parts = [gettext("Hello %(name)s,") % {"name": user.display_name}]
        if isinstance(event, HelperAppealFiled):
            subject = gettext("We received your appeal")
            parts.append(
                gettext(
                    "We received your appeal against the suspension. The community manager "
                    "reads it and tells you the decision."
                )
            )
        else:
            subject = gettext("Your appeal: the suspension stays")
            parts.append(
                gettext(
                    "The community manager has read your appeal and decided that the "
                    "suspension stays."
                )
            )
            parts.append(_suspension_end(helper))
            parts.append(gettext("The community manager's reason:") + "\n" + event.note)
        parts.append(gettext("Quartier"))
        message = EmailMessage(
            subject=subject_line(subject),
            body="\n\n".join(parts),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[user.email],
            headers={"Content-Language": user.preferred_language},
        )
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        logger.exception("could not mail %r to a helper", subject)
