"""Domain errors. Every error a user can cause is an ApplicationError with a stable code.

Each app defines its codes once, as an `ErrorCode` enum in its `errors.py` (this module holds
the core's, `CoreError`); a member is the code and the HTTP status it answers with. Services
raise an `ApplicationError` carrying the member, and declare the codes they can raise with
`@raises(...)`; the API's schema reads those declarations, so the documented codes are the
raised ones. The API's exception handler turns the error into `{"code", "message", "fields"}`
with the code's status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from typing import Any, Self, TypeVar


class ErrorCode(StrEnum):
    """Base of the apps' error-code enums: `NAME = "code", http_status` (400 when omitted)."""

    http_status: int

    def __new__(cls, code: str, http_status: int = 400) -> Self:
        member = str.__new__(cls, code)
        member._value_ = code
        member.http_status = http_status
        return member


class CoreError(ErrorCode):
    """The core's codes: places, texts, languages, accounts and the state machines."""

    NOT_FOUND = "not_found", 404
    PERMISSION_DENIED = "permission_denied", 403
    ILLEGAL_TRANSITION = "illegal_transition", 409
    NOT_ALLOWED_FOR_ROLE = "not_allowed_for_role", 403
    REASON_REQUIRED = "reason_required"
    INVALID_CHOICE = "invalid_choice"
    # Places
    ADDRESS_REQUIRED = "address_required"
    INVALID_GEOJSON = "invalid_geojson"
    OUTSIDE_SWITZERLAND = "outside_switzerland"
    INVALID_POSTAL_CODE = "invalid_postal_code"
    UNKNOWN_POSTAL_CODE = "unknown_postal_code"
    POSTAL_CODE_LOCALITY_MISMATCH = "postal_code_locality_mismatch"
    # Texts shown to other people
    FORBIDDEN_CHARACTERS = "forbidden_characters"
    NOTHING_VISIBLE = "nothing_visible"
    MAX_LENGTH = "max_length"
    INVALID_PHONE = "invalid_phone"
    # Languages
    LANGUAGES_REQUIRED = "languages_required"
    INVALID_LANGUAGE = "invalid_language"
    # Accounts
    WEAK_PASSWORD = "weak_password"  # noqa: S105 - an error code, not a password
    VERIFICATION_INVALID = "verification_invalid"
    VERIFICATION_EXPIRED = "verification_expired"
    INVALID_CREDENTIALS = "invalid_credentials", 401
    RESET_LINK_INVALID = "reset_link_invalid"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105 - an error code, not a password
    EMAIL_NOT_VERIFIED = "email_not_verified", 403
    TOO_MANY_ATTEMPTS = "too_many_attempts", 429


class ApplicationError(Exception):
    """Base of every domain error.

    `code` is stable and machine-readable (an `ErrorCode` member, which also gives the HTTP
    `status`); `message` is for people; `fields` maps an input field to its problems (empty
    when the error is not about one field). A subclass names the status it stands for
    (`ValidationFailed`: 400, `Conflict`: 409, ...) and may fix its code.
    """

    status = 400
    code: ErrorCode | str = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if isinstance(self.code, ErrorCode):
            if type(self).status != self.code.http_status and type(self) is not ApplicationError:
                raise TypeError(
                    f"{type(self).__name__} answers {type(self).status}, "
                    f"but {self.code!s} is a {self.code.http_status}"
                )
            self.status = self.code.http_status
        self.fields = fields or {}

    @classmethod
    def for_field(cls, field: str, message: str, *, code: ErrorCode | str | None = None) -> Self:
        return cls(message, code=code, fields={field: [message]})


class ValidationFailed(ApplicationError):
    status = 400
    code = "invalid"


class AuthenticationFailed(ApplicationError):
    """Who asks could not be told: a wrong e-mail address or password."""

    status = 401
    code = CoreError.INVALID_CREDENTIALS


class NotFound(ApplicationError):
    """Also used for objects the actor may not know exist: never reveal them with a 403."""

    status = 404
    code = CoreError.NOT_FOUND


class PermissionDenied(ApplicationError):
    status = 403
    code = CoreError.PERMISSION_DENIED


class Conflict(ApplicationError):
    """The object's current state forbids the action (e.g. an illegal status move)."""

    status = 409
    code = "conflict"


class TooManyRequests(ApplicationError):
    status = 429
    code = CoreError.TOO_MANY_ATTEMPTS


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"code": str(code), "message": message, "fields": fields or {}}


# --- Which codes an operation can raise ------------------------------------------------------

RAISES_ATTRIBUTE = "__raises__"
Raiser = TypeVar("Raiser", bound=Callable[..., Any])
Source = ErrorCode | Callable[..., Any] | Iterable[ErrorCode]


def codes_raised_by(*sources: Source) -> frozenset[ErrorCode]:
    """The codes of the given members, the declared codes of the given functions (or classes
    declaring `raises`), and the members of the given iterables."""
    codes: set[ErrorCode] = set()
    for source in sources:
        if isinstance(source, ErrorCode):
            codes.add(source)
        elif callable(source):
            declared = getattr(source, RAISES_ATTRIBUTE, None)
            if declared is None:
                raise TypeError(f"{source!r} does not declare the codes it raises (@raises)")
            codes |= declared
        else:
            codes |= set(source)
    return frozenset(codes)


def raises(*sources: Source) -> Callable[[Raiser], Raiser]:
    """Declare the error codes a function can raise: its own, and those of the functions it
    calls (`@raises(BookingError.TOO_EARLY, booking_for)`). The API's schema documents an
    operation's codes from these declarations, so they are written once, beside the raise."""
    codes = codes_raised_by(*sources)

    def declare(function: Raiser) -> Raiser:
        already: frozenset[ErrorCode] = getattr(function, RAISES_ATTRIBUTE, frozenset())
        setattr(function, RAISES_ATTRIBUTE, frozenset(already | codes))
        return function

    return declare
