"""Writes to people's accounts: registration, profile changes, activation, and the customer
figures. Changes others must hear about are emitted as domain events (`backend.events`)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from backend.events import (
    CustomerFiguresChanged,
    UserActivationChanged,
    UserProfileChanged,
    UserRegistered,
)
from backend.exceptions import Conflict, ValidationFailed
from backend.languages import validate_languages
from backend.models import LANGUAGE_CODES, User
from backend.outbox import emit
from backend.places import Place

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


def _validate_profile_languages(languages: Sequence[str]) -> list[str]:
    # The profile answers an empty list as it always did: `invalid_language`.
    return validate_languages(languages, empty_code="invalid_language")


@transaction.atomic
def user_register(
    *,
    email: str,
    password: str,
    display_name: str,
    phone: str = "",
    languages: Sequence[str] = ("de",),
    preferred_language: str = "de",
    home: Place | None = None,
) -> User:
    """Create an account. Any account can post requests; helpers apply afterwards."""
    email = email.strip().lower()
    candidate = User(email=email, display_name=display_name.strip())
    try:
        validate_password(password, user=candidate)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            exc.messages[0], code="weak_password", fields={"password": list(exc.messages)}
        ) from exc
    if preferred_language not in LANGUAGE_CODES:
        raise ValidationFailed.for_field(
            "preferred_language", "Unknown language.", code="invalid_language"
        )
    user = User(
        email=email,
        display_name=display_name.strip(),
        phone=phone.strip(),
        languages=_validate_profile_languages(languages),
        preferred_language=preferred_language,
    )
    user.set_password(password)
    if home is not None:
        home.apply_to(user, prefix="home_")
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise Conflict.for_field(
            "email", "An account with this email already exists.", code="email_taken"
        ) from exc
    emit(UserRegistered(user_id=user.pk))
    return user


@transaction.atomic
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
        user.display_name = display_name.strip()
        changed.append("display_name")
    if phone is not None:
        user.phone = phone.strip()
        changed.append("phone")
    if languages is not None:
        user.languages = _validate_profile_languages(languages)
        changed.append("languages")
    if preferred_language is not None:
        if preferred_language not in LANGUAGE_CODES:
            raise ValidationFailed.for_field(
                "preferred_language", "Unknown language.", code="invalid_language"
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
        user.languages = _validate_profile_languages(user.languages)
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
