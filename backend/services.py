"""Writes to people's accounts: registration and profile changes."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from backend.exceptions import Conflict, ValidationFailed
from backend.models import LANGUAGE_CODES, User
from backend.places import Place
from backend.texts import visible_text


def _validate_languages(languages: Sequence[str]) -> list[str]:
    unknown = sorted(set(languages) - set(LANGUAGE_CODES))
    if unknown or not languages:
        raise ValidationFailed.for_field(
            "languages", "Choose one or more of de, fr, it, en.", code="invalid_language"
        )
    return sorted(set(languages), key=LANGUAGE_CODES.index)


def _apply_home(user: User, place: Place) -> list[str]:
    user.home_street = place.street
    user.home_postal_code = place.postal_code
    user.home_locality = place.locality
    user.home_location = place.geojson
    user.home_latitude = place.point.latitude
    user.home_longitude = place.point.longitude
    return [
        "home_street",
        "home_postal_code",
        "home_locality",
        "home_location",
        "home_latitude",
        "home_longitude",
    ]


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
    display_name = visible_text(display_name, field="display_name", max_length=80)
    candidate = User(email=email, display_name=display_name)
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
        display_name=display_name,
        phone=phone.strip(),
        languages=_validate_languages(languages),
        preferred_language=preferred_language,
    )
    user.set_password(password)
    if home is not None:
        _apply_home(user, home)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:
        raise Conflict.for_field(
            "email", "An account with this email already exists.", code="email_taken"
        ) from exc
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
        user.display_name = visible_text(display_name, field="display_name", max_length=80)
        changed.append("display_name")
    if phone is not None:
        user.phone = phone.strip()
        changed.append("phone")
    if languages is not None:
        user.languages = _validate_languages(languages)
        changed.append("languages")
    if preferred_language is not None:
        if preferred_language not in LANGUAGE_CODES:
            raise ValidationFailed.for_field(
                "preferred_language", "Unknown language.", code="invalid_language"
            )
        user.preferred_language = preferred_language
        changed.append("preferred_language")
    if home is not None:
        changed += _apply_home(user, home)
    if changed:
        user.save(update_fields=changed)
        refresh_match_index(user)
    return user


@transaction.atomic
def user_set_active(*, user: User, is_active: bool) -> User:
    """Switch an account on or off. An inactive account cannot sign in or be matched."""
    User.objects.filter(pk=user.pk).update(is_active=is_active)
    user.is_active = is_active
    refresh_match_index(user)
    return user


def refresh_match_index(user: User) -> None:
    """A helper's home, languages and account state are in the match index: keep it in step."""
    from bookings.match_index import match_index_refresh
    from helpers.models import HelperProfile

    helper_ids = list(HelperProfile.objects.filter(user=user).values_list("pk", flat=True))
    if helper_ids:
        match_index_refresh(helper_ids=helper_ids)
