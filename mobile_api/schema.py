"""OpenAPI helpers: every endpoint documents its error codes."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

COMMON = {
    400: ["parse_error"],
    401: ["not_authenticated", "authentication_failed"],
    429: ["throttled"],
}


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
    for status, codes in COMMON.items():
        if status == 400 and 400 not in merged:
            continue  # only operations that take input can fail to parse it
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
