"""Writes to people's accounts: sign-up and its confirmation, profile changes, activation,
and the customer figures. Changes others must hear about are emitted as domain events
(`backend.events`)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from backend import clock
from backend.account_links import PASSWORD_RESET_MAX_AGE, SIGN_UP_LINK_MAX_AGE
from backend.devices import devices_revoke_all
from backend.emails import (
    send_pending_sign_up_notice,
    send_sign_up_attempt_notice,
    send_verify_email,
)
from backend.events import (
    CustomerFiguresChanged,
    UserActivationChanged,
    UserProfileChanged,
    UserRegistered,
)
from backend.exceptions import (
    AuthenticationFailed,
    CoreError,
    PermissionDenied,
    ValidationFailed,
    raises,
)
from backend.languages import validate_languages
from backend.login_limits import login_failure_record, login_limit_check
from backend.mail_limits import account_mail_allowed
from backend.models import LANGUAGE_CODES, User
from backend.outbox import emit
from backend.password_reset import PASSWORD_RESET_SALT, password_link, reset_fingerprint
from backend.places import Place
from backend.tasks import password_reset_mail_send
from backend.texts import phone_number, visible_text

# A customer's rating and reliability figures, written only by `customer_figures_add`.
CUSTOMER_FIGURES = (
    "customer_rating_count",
    "customer_rating_sum",
    "customer_cancellations_caused",
    "customer_late_cancellations_caused",
    "customer_no_shows_caused",
)
# The fields of an account that are the person's profile (the rest are access rights).
PROFILE_FIELDS = ("display_name", "phone", "languages", "preferred_language")
# A sign-up without a home address: the home fields as they are then.
NO_HOME = Place.absent(prefix="home_")


def validate_profile_languages(languages: Sequence[str]) -> list[str]:
    """The languages a person speaks, as their profile keeps them (an empty list refused as
    `invalid_language`, as the profile always answered it). Not declared with `raises`: it
    cannot raise `languages_required`, which `validate_languages` declares for requests; the
    services calling it declare `invalid_language` themselves."""
    return validate_languages(languages, empty_code=CoreError.INVALID_LANGUAGE)


@raises(visible_text)
def validate_display_name(display_name: str) -> str:
    """The name others see: a visible text of at most 80 characters."""
    return visible_text(display_name, field="display_name", max_length=80)


@raises(CoreError.WEAK_PASSWORD)
def validate_sign_up_password(password: str, *, email: str, display_name: str) -> None:
    """A new account's password passes Django's password rules (not like its e-mail address
    or name, long enough, not common, not only digits)."""
    candidate = User(email=email.strip().lower(), display_name=display_name)
    validate_new_password(password, candidate, field="password")


@raises(CoreError.INVALID_CREDENTIALS, CoreError.EMAIL_NOT_VERIFIED, CoreError.TOO_MANY_ATTEMPTS)
def user_log_in(*, request: HttpRequest, email: str, password: str) -> User:
    """The account whose e-mail and password these are, through the log-in limits
    (`backend.authentication`). Any wrong pair gets the same answer; only the right password
    learns that the e-mail address is not confirmed yet."""
    user = authenticate(request, username=email.lower(), password=password)
    if not isinstance(user, User):
        raise AuthenticationFailed(_("The e-mail address or the password is wrong."))
    if user.email_verified_at is None:
        raise PermissionDenied(
            _("Confirm your e-mail address first: open the link we sent you."),
            code=CoreError.EMAIL_NOT_VERIFIED,
        )
    return user


@transaction.atomic
@raises(CoreError.WEAK_PASSWORD, CoreError.INVALID_LANGUAGE, phone_number, visible_text)
def user_register(
    *,
    email: str,
    password: str,
    display_name: str,
    phone: str = "",
    languages: Sequence[str] = ("de",),
    preferred_language: str = "de",
    home: Place | None = None,
) -> None:
    """Sign up. The caller learns nothing about the address: the same result either way.

    A new address gets an unverified account and an e-mail with a link that verifies it
    (`user_verify_email`). An address that has an account already keeps it untouched, its
    password above all: anybody may type anybody's address. The owner of a verified account is
    told by e-mail that someone tried to sign up with their address; the owner of the address
    of a sign-up still waiting for confirmation gets a link to choose the password, which
    confirms the address (`password_reset_confirm`), so whoever reads the mailbox finishes the
    sign-up with a password only they know, and with the details typed in the sign-up the link
    was sent for: the waiting sign-up's name, phone, languages and home stay only as long as
    nobody confirms another one (they may be a stranger's). Every way hashes the password once, so that the
    time taken tells nothing either. Past the address's allowance of account e-mails
    (backend.mail_limits) nothing is changed or sent.
    """
    email = email.strip().lower()
    display_name = validate_display_name(display_name)
    validate_sign_up_password(password, email=email, display_name=display_name)
    if preferred_language not in LANGUAGE_CODES:
        raise ValidationFailed.for_field(
            "preferred_language", _("Unknown language."), code=CoreError.INVALID_LANGUAGE
        )
    languages = validate_profile_languages(languages)
    phone = phone_number(phone, field="phone")
    existing = User.objects.select_for_update().filter(email=email).first()
    if not account_mail_allowed(email=email):
        make_password(password)  # as long as the other ways: the time tells nothing either
        return
    if existing is not None:
        make_password(password)  # as long as a new account's sign-up
        if existing.email_verified_at is not None:
            transaction.on_commit(lambda: send_sign_up_attempt_notice(existing))
        else:
            details = {
                "display_name": display_name,
                "phone": phone,
                "languages": languages,
                "preferred_language": preferred_language,
                **(home.fields(prefix="home_") if home is not None else NO_HOME),
            }
            link = password_link(existing, sign_up=details)
            transaction.on_commit(
                lambda: send_pending_sign_up_notice(
                    existing, link, name=display_name, language=preferred_language
                )
            )
        return
    user = User(email=email)
    user.display_name = display_name
    user.phone = phone
    user.languages = languages
    user.preferred_language = preferred_language
    user.email_verified_at = None
    user.set_password(password)
    if home is not None:
        home.apply_to(user, prefix="home_")
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # The same address signed up at the same moment: that sign-up sends its own link.
        return
    emit(UserRegistered(user_id=user.pk))
    token = email_verification_token(user)
    transaction.on_commit(lambda: send_verify_email(user, token))


VERIFY_EMAIL_SALT = "backend.services.user_verify_email"


def email_verification_token(user: User) -> str:
    """A signed, expiring token for `user`'s pending sign-up, bound to the password it chose:
    signing up again (a new password) makes earlier tokens worthless."""
    return signing.dumps(
        {"user": str(user.public_id), "password": _password_fingerprint(user)},
        salt=VERIFY_EMAIL_SALT,
    )


def _password_fingerprint(user: User) -> str:
    return salted_hmac(VERIFY_EMAIL_SALT, user.password).hexdigest()[:32]


@transaction.atomic
@raises(CoreError.VERIFICATION_INVALID, CoreError.VERIFICATION_EXPIRED)
def user_verify_email(*, token: str) -> User:
    """Confirm a sign-up: the account's address is verified, and it may log in."""
    invalid = ValidationFailed.for_field(
        "token",
        _("This confirmation link is not valid. Sign up again to get a new one."),
        code=CoreError.VERIFICATION_INVALID,
    )
    try:
        claims = signing.loads(token, salt=VERIFY_EMAIL_SALT, max_age=SIGN_UP_LINK_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationFailed.for_field(
            "token",
            _("This confirmation link has expired. Sign up again to get a new one."),
            code=CoreError.VERIFICATION_EXPIRED,
        ) from exc
    except signing.BadSignature as exc:
        raise invalid from exc
    user_id = claims.get("user") if isinstance(claims, dict) else None
    if not _is_uuid(user_id):
        raise invalid
    user = (
        User.objects.select_for_update()
        .filter(public_id=str(user_id), email_verified_at__isnull=True)
        .first()
    )
    if user is None or not constant_time_compare(
        _password_fingerprint(user), str(claims.get("password"))
    ):
        raise invalid
    user.email_verified_at = clock.now()
    user.save(update_fields=["email_verified_at"])
    return user


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@transaction.atomic
@raises(CoreError.INVALID_LANGUAGE, phone_number, visible_text)
def user_update_profile(
    *,
    user: User,
    display_name: str | None = None,
    phone: str | None = None,
    languages: Sequence[str] | None = None,
    preferred_language: str | None = None,
    home: Place | None = None,
) -> User:
    """Change one's own profile. A new home address moves where helper offers come from."""
    changed: list[str] = []
    if display_name is not None:
        user.display_name = validate_display_name(display_name)
        changed.append("display_name")
    if phone is not None:
        user.phone = phone_number(phone, field="phone")
        changed.append("phone")
    if languages is not None:
        user.languages = validate_profile_languages(languages)
        changed.append("languages")
    if preferred_language is not None:
        if preferred_language not in LANGUAGE_CODES:
            raise ValidationFailed.for_field(
                "preferred_language", _("Unknown language."), code=CoreError.INVALID_LANGUAGE
            )
        user.preferred_language = preferred_language
        changed.append("preferred_language")
    if home is not None:
        changed += home.apply_to(user, prefix="home_")
    if changed:
        user.save(update_fields=changed)
        emit(UserProfileChanged(user_id=user.pk, fields=changed))
    return user


@transaction.atomic
def user_set_active(*, user: User, is_active: bool) -> User:
    """Switch an account on or off. An inactive account cannot sign in or be matched."""
    User.objects.filter(pk=user.pk).update(is_active=is_active)
    user.is_active = is_active
    emit(UserActivationChanged(user_id=user.pk, is_active=is_active))
    return user


@transaction.atomic
def user_save_from_back_office(*, user: User, changed: Collection[str], created: bool) -> User:
    """Store an account as the community manager edited it in the back office.

    The form has already set the fields; the languages are checked as the app checks them.
    Emits what the app's own services would: a new account, a profile change, an account
    switched on or off.
    """
    if "languages" in changed:
        user.languages = validate_profile_languages(user.languages)
    user.save()
    if created:
        emit(UserRegistered(user_id=user.pk))
        return user
    profile = [name for name in PROFILE_FIELDS if name in changed]
    if profile:
        emit(UserProfileChanged(user_id=user.pk, fields=profile))
    if "is_active" in changed:
        emit(UserActivationChanged(user_id=user.pk, is_active=user.is_active))
    return user


def customer_figures_add(*, changes: Mapping[int, Mapping[str, int]]) -> None:
    """The only writer of customers' rating and reliability figures. Run it in a transaction.

    `changes` maps a user's id to the amounts to add to their figures (CUSTOMER_FIGURES).
    """
    events = []
    for user_id, deltas in sorted(changes.items()):
        unknown = set(deltas) - set(CUSTOMER_FIGURES)
        if unknown:
            raise ValueError(f"not customer figures: {', '.join(sorted(unknown))}")
        moved = {name: delta for name, delta in deltas.items() if delta}
        if not moved:
            continue
        User.objects.filter(pk=user_id).update(
            **{name: F(name) + delta for name, delta in moved.items()}
        )
        events.append(CustomerFiguresChanged(user_id=user_id, deltas=moved))
    emit(*events)


def password_reset_request(*, email: str) -> None:
    """Someone forgot their password. The caller learns nothing about the address: the answer
    is the same either way, and takes as long, since looking the address up and sending the
    e-mail (backend.password_reset.password_reset_mail) is the task worker's work."""
    address = email.strip().lower()
    transaction.on_commit(lambda: password_reset_mail_send.enqueue(address))


@raises(CoreError.WEAK_PASSWORD)
def validate_new_password(password: str, user: User, *, field: str) -> None:
    """`password` passes Django's password rules for `user`; refused on `field`."""
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            exc.messages[0], code=CoreError.WEAK_PASSWORD, fields={field: list(exc.messages)}
        ) from exc


@transaction.atomic
@raises(CoreError.RESET_LINK_INVALID, CoreError.WEAK_PASSWORD)
def password_reset_confirm(*, token: str, password: str) -> User:
    """Choose a new password with the link from `password_reset_request`. Following the link
    proves the address is the person's: a sign-up still waiting for confirmation is confirmed,
    with the details of the sign-up the link was sent for (`user_register`) when it carries
    them. Such a link lasts as long as a sign-up's (SIGN_UP_LINK_MAX_AGE) and finishes only a
    sign-up still waiting; any other lasts PASSWORD_RESET_MAX_AGE."""
    invalid = ValidationFailed.for_field(
        "token",
        _("This link to choose a new password is not valid any more. Ask for a new one."),
        code=CoreError.RESET_LINK_INVALID,
    )
    claims = _password_link_claims(token)
    user_id = claims.get("user") if claims is not None else None
    if claims is None or not _is_uuid(user_id):
        raise invalid
    user = User.objects.select_for_update().filter(public_id=str(user_id), is_active=True).first()
    if user is None or not constant_time_compare(
        reset_fingerprint(user), str(claims.get("password"))
    ):
        raise invalid
    sign_up = claims.get("sign_up")
    if isinstance(sign_up, dict) and user.email_verified_at is not None:
        raise invalid  # the sign-up it would finish is confirmed already
    validate_new_password(password, user, field="password")
    user.set_password(password)
    changed = ["password"]
    if user.email_verified_at is None:
        user.email_verified_at = clock.now()
        changed.append("email_verified_at")
    profile = _sign_up_details_apply(user, sign_up) if isinstance(sign_up, dict) else []
    user.save(update_fields=changed + profile)
    if profile:
        emit(UserProfileChanged(user_id=user.pk, fields=profile))
    _revoke_api_tokens(user)
    return user


def _password_link_claims(token: str) -> dict[str, object] | None:
    """The claims of a link to choose a password, or None when it is forged or has expired:
    one that finishes a sign-up (`sign_up`) after SIGN_UP_LINK_MAX_AGE, any other after
    PASSWORD_RESET_MAX_AGE."""
    longest = max(SIGN_UP_LINK_MAX_AGE, PASSWORD_RESET_MAX_AGE)
    try:
        claims = signing.loads(token, salt=PASSWORD_RESET_SALT, max_age=longest)
        if not isinstance(claims, dict) or "sign_up" not in claims:
            claims = signing.loads(token, salt=PASSWORD_RESET_SALT, max_age=PASSWORD_RESET_MAX_AGE)
    except signing.BadSignature:  # expired links too: the same advice
        return None
    return claims if isinstance(claims, dict) else None


def _sign_up_details_apply(user: User, details: dict[str, object]) -> list[str]:
    """Write the profile a sign-up typed (`user_register`, signed into its link) onto the
    account it finishes; returns the fields written. Only the profile's fields: the claims are
    Quartier's own (signed), but nothing else of an account is a sign-up's to set."""
    written = [name for name in (*PROFILE_FIELDS, *NO_HOME) if name in details]
    for name in written:
        setattr(user, name, details[name])
    return written


@raises(CoreError.WRONG_PASSWORD, CoreError.WEAK_PASSWORD, CoreError.TOO_MANY_ATTEMPTS)
def user_change_password(
    *, user: User, current_password: str, new_password: str, client: str
) -> User:
    """Change one's own password, knowing the current one. A wrong current password counts
    as a failed log-in from `client` (backend.login_limits), and a locked log-in refuses the
    change: someone holding a stolen session cannot guess the password (to keep the account)
    any faster than at the log-in. The caller holds no transaction: the count must outlive
    the refusal."""
    login_limit_check(email=user.email, client=client)
    if not user.check_password(current_password):
        login_failure_record(email=user.email, client=client)
        raise ValidationFailed.for_field(
            "current_password",
            _("This is not your current password."),
            code=CoreError.WRONG_PASSWORD,
        )
    validate_new_password(new_password, user, field="new_password")
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        _revoke_api_tokens(user)
    return user


def _revoke_api_tokens(user: User) -> None:
    """A new password logs out every API client (every device) that knew the old one."""
    devices_revoke_all(user=user)
