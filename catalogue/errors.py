"""The catalogue's error codes."""

from __future__ import annotations

from backend.exceptions import ErrorCode


class CatalogueError(ErrorCode):
    UNKNOWN_CATEGORY = "unknown_category"
