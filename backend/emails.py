"""The e-mails Quartier sends about accounts, each in its recipient's preferred language."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _

from backend.account_links import PASSWORD_RESET_MAX_AGE, SIGN_UP_LINK_MAX_AGE, lifetime_words
from backend.config import config
from backend.models import User

logger = logging.getLogger(__name__)


def subject_line(subject: str) -> str:
    """`subject` on one line, every run of white space one space.

    A subject is built from texts people wrote (a course's or an event's title, a name): a line
    break among them would make Django refuse the whole e-mail (BadHeaderError), whatever was
    stored before its input was checked."""
    return " ".join(subject.split())


def _send(user: User, subject: str, body: str, *, language: str = "") -> None:
    """Send to `user`'s address, in `language` (the user's own unless given)."""
    message = EmailMessage(
        subject=subject_line(subject),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Content-Language": language or user.preferred_language},
    )
    try:
        message.send()
    except (OSError, smtplib.SMTPException):
        # Sent after the sign-up was stored: its answer must not change (it would tell which
        # addresses have accounts). Signing up again sends the e-mail again.
        logger.exception("could not send %r to an account's address", subject)


def send_notice(user: User, subject: str, body: str) -> None:
    """Send an e-mail another app wrote (already in the user's language); a failure to send is
    logged, never raised: the change it tells of is stored."""
    _send(user, subject, body)


def send_verify_email(user: User, token: str) -> None:
    """The link that finishes a sign-up. Only the link: the token inside it is far too long
    for anyone to type, and the link works on the phone as on the computer."""
    link = config().verify_email_url.format(token=token)
    with translation.override(user.preferred_language):
        subject = _("Confirm your e-mail address for Quartier")
        body = _(
            "Hello %(name)s,\n\n"
            "Thank you for signing up with Quartier. To confirm that this address is yours and "
            "finish signing up, open this link on your phone or your computer. It is valid for "
            "%(lifetime)s:\n\n"
            "%(link)s\n\n"
            "Afterwards you log in with this e-mail address and your password, on the website "
            "as in the Quartier app.\n\n"
            "If you did not sign up, ignore this e-mail: without confirmation no account is "
            "opened.\n\n"
            "Quartier"
        ) % {
            "name": user.display_name,
            "link": link,
            "lifetime": lifetime_words(SIGN_UP_LINK_MAX_AGE),
        }
        _send(user, subject, body)


def send_sign_up_attempt_notice(user: User) -> None:
    """Someone signed up with the address of an existing account: tell its owner, nobody else."""
    with translation.override(user.preferred_language):
        subject = _("Someone tried to sign up for Quartier with your address")
        body = _(
            "Hello %(name)s,\n\n"
            "Someone just tried to sign up for Quartier with this e-mail address. You already "
            "have an account with it, so nothing was changed.\n\n"
            "If it was you: log in with this address. If you have forgotten your password, "
            "choose a new one here:\n\n"
            "%(reset)s\n\n"
            "If it was not you, you need not do anything.\n\n"
            "Quartier"
        ) % {"name": user.display_name, "reset": config().password_reset_url}
        _send(user, subject, body)


def send_pending_sign_up_notice(user: User, link: str, *, name: str, language: str) -> None:
    """Someone signed up with the address of a sign-up still waiting for confirmation: tell
    the owner of the address, with a link to choose the password (which confirms the address).
    Not the waiting sign-up's confirmation link: that sign-up may be someone else's, made with
    this address, and confirming it would hand them the account. The e-mail speaks to whoever
    signed up now, by the `name` and in the `language` they chose: its link finishes their
    sign-up, with their details (`backend.services.password_reset_confirm`)."""
    with translation.override(language):
        subject = _("Someone signed up for Quartier again with your address")
        body = _(
            "Hello %(name)s,\n\n"
            "Someone just signed up for Quartier again with this e-mail address, which already "
            "waits for its confirmation. Nothing was changed.\n\n"
            "If it was you: to finish signing up, choose your password with this link. It is "
            "valid for %(lifetime)s and also confirms your address:\n\n"
            "%(link)s\n\n"
            "If you did not sign up, ignore this e-mail: without confirmation no account is "
            "opened.\n\n"
            "Quartier"
        ) % {"name": name, "link": link, "lifetime": lifetime_words(SIGN_UP_LINK_MAX_AGE)}
        _send(user, subject, body, language=language)


def send_password_reset_email(user: User, link: str) -> None:
    """The link (`backend.password_reset.password_link`) that lets the owner of an account
    choose a new password."""
    with translation.override(user.preferred_language):
        subject = _("Choose a new password for Quartier")
        body = _(
            "Hello %(name)s,\n\n"
            "Someone asked to choose a new password for your Quartier account. If it was you, "
            "open this link. It is valid for %(lifetime)s:\n\n"
            "%(link)s\n\n"
            "If it was not you, ignore this e-mail: your password stays as it is.\n\n"
            "Quartier"
        ) % {
            "name": user.display_name,
            "link": link,
            "lifetime": lifetime_words(PASSWORD_RESET_MAX_AGE),
        }
        _send(user, subject, body)
