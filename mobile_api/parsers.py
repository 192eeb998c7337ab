"""The API's JSON parser: DRF's, after a nesting check that needs no recursion."""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from itertools import accumulate
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

from mobile_api.errors import ApiError

# The API's deepest request is three levels (a window object in the body's list of windows);
# 32 leaves room for new shapes and stays far below Python's recursion limit, where
# json.loads fails with a RecursionError.
MAX_JSON_DEPTH = 32

_ESCAPE = re.compile(rb"\\.", re.DOTALL)
# Once the escapes are gone a string cannot contain a quote; an unterminated one runs to the end.
_STRING = re.compile(rb'"[^"]*"?')
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")
_STEP = [0] * 256
for _byte in b"[{":
    _STEP[_byte] = 1
for _byte in b"]}":
    _STEP[_byte] = -1


def json_depth(raw: bytes) -> int:
    """How deeply the arrays and objects of a UTF-8 (or ASCII) JSON text nest.

    Linear in the length, in C loops: escapes and strings are cut out first, so that brackets
    inside strings do not count; the quote, backslash and brackets are ASCII and never part of
    a multi-byte UTF-8 character.
    """
    brackets = _STRING.sub(b"", _ESCAPE.sub(b"", raw)).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


class JSONParser(parsers.JSONParser):
    """Refuses JSON nested deeper than MAX_JSON_DEPTH before json.loads recurses into it."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        raw = stream.read()
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            # The nesting is measured on UTF-8, whatever charset the client declared.
            utf8 = raw.decode(encoding).encode("utf-8")
        except (LookupError, UnicodeError) as exc:
            raise exceptions.ParseError(
                _("The body is not text in the declared character set.")
            ) from exc
        if json_depth(utf8) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                _("The JSON is nested more than %(depth)d levels deep.")
                % {"depth": MAX_JSON_DEPTH},
                code=ApiError.TOO_DEEPLY_NESTED,
            )
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except exceptions.ParseError as exc:
            # DRF's words ("JSON parse error - ...") are not in its catalogue.
            raise exceptions.ParseError(
                _("The body is not valid JSON: %(error)s")
                % {"error": exc.__context__ or exc.detail}  # json's own (English) words
            ) from exc


class MultiPartParser(parsers.MultiPartParser):
    """DRF's, saying its refusal in the reader's language."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except exceptions.ParseError as exc:
            # DRF's words ("Multipart form parse error - ...") are not in its catalogue.
            raise exceptions.ParseError(
                _("The body is not a valid multipart form: %(error)s")
                % {"error": exc.__context__ or exc.detail}  # Django's own (English) words
            ) from exc
