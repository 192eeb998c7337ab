"""The catalogue's error codes."""

from __future__ import annotations

from backend.exceptions import ErrorCode


class CatalogueError(ErrorCode):
    UNKNOWN_CATEGORY = "unknown_category"
    # Terms and waivers
    MANAGER_ONLY = "manager_only", 403
    TEXT_REQUIRED = "required"
    WAIVER_VERSION_NOT_CURRENT = "waiver_version_not_current", 409
    TEXT_HASH_MISMATCH = "text_hash_mismatch"
    WAIVERS_NOT_ACCEPTED = "waivers_not_accepted", 409
