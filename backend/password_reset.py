"""The link to choose a new password: its signed token, and the e-mail that carries it (sent
by the task worker, backend.tasks.password_reset_mail_send, so that the form's answer does not
wait for the mail server: its time would tell which addresses have accounts)."""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.utils.crypto import salted_hmac

from backend.emails import send_password_reset_email
from backend.mail_limits import account_mail_allowed
from backend.models import User

# The salt keeps its first module's name: links already sent stay valid.
PASSWORD_RESET_SALT = "backend.services.password_reset"  # noqa: S105 - a salt, not a secret
PASSWORD_RESET_MAX_AGE = timedelta(hours=2)


def password_reset_token(user: User) -> str:
    """A signed, expiring token that lets `user` choose a new password, once: it is bound to
    the current password, so using it (or any other change of password) makes it worthless."""
    return signing.dumps(
        {"user": str(user.public_id), "password": reset_fingerprint(user)},
        salt=PASSWORD_RESET_SALT,
    )


def reset_fingerprint(user: User) -> str:
    return salted_hmac(PASSWORD_RESET_SALT, user.password).hexdigest()[:32]


def password_reset_mail(*, email: str) -> None:
    """An active account at `email` gets an e-mail with a link (backend.services.
    password_reset_confirm), within the address's allowance of account e-mails
    (backend.mail_limits); any other address nothing."""
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None or not account_mail_allowed(email=user.email):
        return
    send_password_reset_email(user, password_reset_token(user))
