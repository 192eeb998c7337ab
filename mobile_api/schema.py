"""OpenAPI helpers: every endpoint documents its error codes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

COMMON = {
    # A body that cannot be read: malformed, nested too deeply, or over Django's form limits.
    400: ["parse_error", "too_deeply_nested", "too_many_fields", "too_many_files", "bad_request"],
    401: ["not_authenticated", "authentication_failed"],
    413: ["payload_too_large"],
    429: ["throttled"],
}
# A text others read (names, notes, reviews) that hides or reorders what it shows
# (backend.texts.visible_text).
TEXT_CODES = ["forbidden_characters", "nothing_visible"]
# Only operations that take input can fail to read it.
INPUT_STATUSES = frozenset({400, 413})


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    message = serializers.CharField(help_text="What went wrong, for people.")
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The offending input fields and their problems (may be empty).",
    )


def errors(
    *, authenticated: bool = True, **codes_by_status: list[str]
) -> dict[int, OpenApiResponse]:
    """Responses for the given error codes, e.g. errors(s400=[...], s409=[...])."""
    merged: dict[int, list[str]] = {}
    for key, codes in codes_by_status.items():
        merged.setdefault(int(key.removeprefix("s")), []).extend(codes)
    if 409 in merged:
        merged[409].append("try_again")  # lost a race inside the database: nothing was saved
    takes_input = 400 in merged
    for status, codes in COMMON.items():
        if status in INPUT_STATUSES and not takes_input:
            continue
        if status == 401 and not authenticated:
            continue
        merged.setdefault(status, []).extend(codes)
    return {
        status: OpenApiResponse(
            response=ErrorSerializer,
            description="Error codes: " + ", ".join(f"`{code}`" for code in sorted(set(codes))),
        )
        for status, codes in sorted(merged.items())
    }
