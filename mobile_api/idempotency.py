"""The API's one step for `Idempotency-Key`: every mutating call of a signed-in user may carry
one (a phone on a flaky connection sends a call again when its answer was lost).

Same key and same request (method, path, body) → the first answer again (status and body,
with `Idempotent-Replayed: true`), without doing the work again; same key and another request
→ 422 `idempotency_key_reused`; the first request still running → 409
`idempotency_request_in_progress`; a key over 200 characters → 400 `max_length` (never cut, so
two keys alike in their first 200 characters never meet). A server error frees the key (the
request may be tried again); any other answer, refusals included, is kept 24 hours. Keys are
per user: two users' same key never meet. Public operations (log-in, sign-up, password reset) have no user to keep
the key for and ignore the header. The rows and their expiry: `payments.idempotency`.

Every API view with a mutating method has the `IdempotencyKeyStep` (an `ApiView`, or the
step mixed into a generic view; tests/api/test_idempotency.py checks it), so this is the only
place that reads the header; a view never handles it itself.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.http.request import RawPostDataException
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mobile_api.permissions import request_user
from payments import idempotency
from payments.models import IdempotentRequest

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    type={"type": "string", "maxLength": idempotency.KEY_MAX_LENGTH},
    description=(
        "A key of your choice (at most 200 characters, a longer one is refused with 400 "
        "`max_length`; e.g. a UUID per user action), kept 24 hours for your account. Same "
        "key and same request: the first answer again, with "
        "`Idempotent-Replayed: true`, nothing done twice. Same key, another request: 422 "
        "`idempotency_key_reused`. The first request still running: 409 "
        "`idempotency_request_in_progress`. A 5xx answer frees the key."
    ),
)


def idempotency_applies(view: APIView, method: str) -> bool:
    """Whether `method` on `view` reads the header: a mutating method of an operation that
    needs a signed-in user."""
    if method.upper() in SAFE_METHODS:
        return False
    return not any(isinstance(permission, AllowAny) for permission in view.get_permissions())


def request_fingerprint(request: Request) -> str:
    """A digest of what makes two requests the same: method, path with query, and body."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    digest.update(request.content_type.encode() + b"\n")
    try:
        if request.content_type.startswith("multipart/"):
            raise RawPostDataException  # never hold a whole upload in memory twice
        digest.update(request._request.body)
    except RawPostDataException:
        # The body was read as a stream (an upload): the parsed fields and files instead.
        data = request.data
        fields: list[tuple[str, list[Any]]] = (
            sorted(data.lists()) if isinstance(data, QueryDict) else [("", [data])]
        )
        for name, values in fields:
            for value in values:
                digest.update(f"{name}=".encode())
                if isinstance(value, UploadedFile):
                    digest.update(f"{value.name}:{value.size}:".encode())
                    for chunk in value.chunks():
                        digest.update(chunk)
                    value.seek(0)
                else:
                    digest.update(str(value).encode())
                digest.update(b"\n")
    return digest.hexdigest()


class Replay(Exception):  # noqa: N818 - not an error: the way out with the kept answer
    """Ends a request whose key already has an answer: that answer is given instead."""

    def __init__(self, status: int, body: Any) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


class IdempotencyKeyStep(APIView):
    """The Idempotency-Key step, mixed into every API view with a mutating method (`ApiView`;
    a generic list that also creates puts it first among its bases).

    After authentication, permissions and throttling (`initial`), the key is claimed; the
    answer is kept when the response is finalised, or the key freed on a server error.
    """

    idempotency_record: IdempotentRequest | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        self.idempotency_record = None
        key = (request.headers.get(HEADER) or "").strip()
        if not key or not idempotency_applies(self, request.method or ""):
            return
        claimed = idempotency.idempotency_key_claim(
            user=request_user(request),
            key=key,
            endpoint=f"{request.method} {request.path}",
            fingerprint=request_fingerprint(request),
        )
        if isinstance(claimed, IdempotentRequest):
            self.idempotency_record = claimed
            return
        raise Replay(*claimed)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Replay):
            return Response(exc.body, status=exc.status, headers={REPLAYED_HEADER: "true"})
        try:
            return super().handle_exception(exc)
        except Exception:
            self._release()  # an unexpected failure: the 500 is not an answer to keep
            raise

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        record, self.idempotency_record = self.idempotency_record, None
        if record is None:
            return response
        if response.status_code >= 500 or not isinstance(response, Response):
            idempotency.idempotency_key_release(record=record)
        else:
            body = (
                None if response.data is None else json.loads(JSONRenderer().render(response.data))
            )
            idempotency.idempotency_key_answer(
                record=record, status=response.status_code, body=body
            )
        return response

    def _release(self) -> None:
        record, self.idempotency_record = self.idempotency_record, None
        if record is not None:
            idempotency.idempotency_key_release(record=record)


class ApiView(IdempotencyKeyStep):
    """Every plain view of the API: DRF's APIView with the Idempotency-Key step."""
