"""Domain errors. Every error a user can cause is an ApplicationError with a stable code.

The API's exception handler turns them into `{"code", "message", "fields"}` with `status`.
"""

from __future__ import annotations


class ApplicationError(Exception):
    """Base of every domain error.

    `code` is stable and machine-readable; `message` is for people; `fields` maps an input
    field to its problems (empty when the error is not about one field).
    """

    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.fields = fields or {}

    @classmethod
    def for_field(cls, field: str, message: str, *, code: str | None = None) -> ApplicationError:
        return cls(message, code=code, fields={field: [message]})


class ValidationFailed(ApplicationError):
    status = 400
    code = "invalid"


class NotFound(ApplicationError):
    """Also used for objects the actor may not know exist: never reveal them with a 403."""

    status = 404
    code = "not_found"


class PermissionDenied(ApplicationError):
    status = 403
    code = "permission_denied"


class Conflict(ApplicationError):
    """The object's current state forbids the action (e.g. an illegal status move)."""

    status = 409
    code = "conflict"


def error_body(code: str, message: str, fields: dict[str, list[str]] | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or {}}
