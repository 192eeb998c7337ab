"""Quartier's own money endpoints accept an `Idempotency-Key`: the same key with the same body
gets the first answer again (nothing is done twice); the same key with another body is refused
(422 `idempotency_key_reused`); a request still running under the key answers 409."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend.exceptions import ApplicationError, error_body, raises
from backend.models import User
from payments.errors import PaymentError
from payments.exceptions import IdempotencyKeyReused, IdempotentRequestInProgress
from payments.models import IdempotentRequest

Answer = tuple[int, dict[str, Any]]


def body_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@raises(PaymentError.IDEMPOTENCY_KEY_REUSED, PaymentError.IDEMPOTENCY_REQUEST_IN_PROGRESS)
def idempotent(
    *, user: User, key: str | None, endpoint: str, body: Any, run: Callable[[], Answer]
) -> Answer:
    """`run()`'s answer, or the stored answer of the first request with this key.

    An ApplicationError is an answer too (stored and given again), except a 5xx (the provider
    was unavailable): then the key is freed, so that the same request may be tried again.
    """
    if not key:
        return run()
    key = key.strip()[:200]
    digest = body_hash(body)
    try:
        with transaction.atomic():
            record = IdempotentRequest.objects.create(
                user=user, key=key, endpoint=endpoint, body_hash=digest
            )
    except IntegrityError:
        first = IdempotentRequest.objects.get(user=user, key=key)
        if first.endpoint != endpoint or first.body_hash != digest:
            raise IdempotencyKeyReused(
                _("This Idempotency-Key was used with another request.")
            ) from None
        if first.status_code is None or first.response is None:
            raise IdempotentRequestInProgress(
                _("A request with this Idempotency-Key is still running.")
            ) from None
        return first.status_code, first.response
    try:
        status, response = run()
    except ApplicationError as error:
        if error.status >= 500:
            record.delete()
            raise
        status, response = error.status, error_body(error.code, error.message, error.fields)
    record.status_code = status
    record.response = response
    record.save(update_fields=["status_code", "response"])
    return status, response
