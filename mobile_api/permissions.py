"""Who may call an operation, and the authenticated user with its type narrowed."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from backend.exceptions import CoreError, NotFound, raises
from backend.models import User


def request_user(request: Request) -> User:
    """The logged-in user of an operation that requires one (the default permission)."""
    user = request.user
    if not isinstance(user, User):
        raise exceptions.NotAuthenticated()
    return user


@raises(CoreError.NOT_FOUND)
class IsManager(IsAuthenticated):
    """The community manager's operations. To anyone else they do not exist: 404, so that
    probing them tells a customer or helper nothing."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not super().has_permission(request, view):
            return False  # not logged in: 401, as everywhere
        if not hasattr(view, (request.method or "").lower()):
            return True  # a method the route lacks: the same 405 for everyone
        if not request_user(request).is_staff:
            # The words a missing object of the route gets: nothing tells the two apart.
            raise NotFound(str(getattr(view, "not_found_message", _("Not found."))))
        return True
