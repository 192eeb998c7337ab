"""The link to choose a password: its signed token, and the e-mail that carries it (sent by
the task worker, backend.tasks.password_reset_mail_send, so that the form's answer does not
wait for the mail server: its time would tell which addresses have accounts)."""

from __future__ import annotations

from collections.abc import Mapping

from django.core import signing
from django.utils.crypto import salted_hmac

from backend.config import config
from backend.emails import send_password_reset_email
from backend.mail_limits import account_mail_allowed
from backend.models import User

# The salt keeps its first module's name: links already sent stay valid.
PASSWORD_RESET_SALT = "backend.services.password_reset"  # noqa: S105 - a salt, not a secret


def password_reset_token(user: User, *, sign_up: Mapping[str, object] | None = None) -> str:
    """A signed, expiring token that lets `user` choose a new password, once: it is bound to
    the current password, so using it (or any other change of password) makes it worthless.
    `sign_up`: the details typed by a sign-up with the address of `user`'s sign-up still
    waiting for confirmation; the token then finishes that sign-up with them
    (`backend.services.password_reset_confirm`), and lasts as long as a sign-up's link
    (`backend.account_links`)."""
    claims: dict[str, object] = {"user": str(user.public_id), "password": reset_fingerprint(user)}
    if sign_up is not None:
        claims["sign_up"] = dict(sign_up)
    return signing.dumps(claims, salt=PASSWORD_RESET_SALT)


def password_link(user: User, *, sign_up: Mapping[str, object] | None = None) -> str:
    """The link to choose `user`'s password: the page QUARTIER_PASSWORD_RESET_URL with a signed
    token (`password_reset_token`) added to its query, if it has one. The one builder of the
    links that the password-reset e-mail and the notice to an address whose sign-up waits for
    confirmation carry."""
    page = config().password_reset_url
    separator = "&" if "?" in page else "?"
    return f"{page}{separator}token={password_reset_token(user, sign_up=sign_up)}"


def reset_fingerprint(user: User) -> str:
    return salted_hmac(PASSWORD_RESET_SALT, user.password).hexdigest()[:32]


def password_reset_mail(*, email: str) -> None:
    """An active account at `email` gets an e-mail with a link (backend.services.
    password_reset_confirm), within the address's allowance of account e-mails
    (backend.mail_limits); any other address nothing."""
    user = User.objects.filter(email=email, is_active=True).first()
    if user is None or not account_mail_allowed(email=user.email):
        return
    send_password_reset_email(user, password_link(user))
