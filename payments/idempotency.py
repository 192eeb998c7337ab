"""The answers kept for `Idempotency-Key`s. Every mutating API call of a signed-in user may
carry one (the API's one step that reads it is `mobile_api.idempotency`): the first request
under a key claims it (a row written and committed before the work, so that a concurrent
request with the same key finds it), then stores its answer; a request with the same key and
the same body gets that answer again; another body is refused. Keys are per user and kept 24
hours (`idempotent_requests_expire`, run by the worker every hour)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from backend import clock
from backend.exceptions import CoreError, ValidationFailed, raises
from backend.models import User
from payments.errors import PaymentError
from payments.exceptions import IdempotencyKeyReused, IdempotentRequestInProgress
from payments.models import IdempotentRequest

KEPT_FOR = timedelta(hours=24)
KEY_MAX_LENGTH = 200

Answer = tuple[int, Any]


@raises(
    CoreError.MAX_LENGTH,
    PaymentError.IDEMPOTENCY_KEY_REUSED,
    PaymentError.IDEMPOTENCY_REQUEST_IN_PROGRESS,
)
def idempotency_key_claim(
    *, user: User, key: str, endpoint: str, fingerprint: str
) -> IdempotentRequest | Answer:
    """The new row for `key` (the caller does the work, then `idempotency_key_answer`s it), or
    the answer kept for the first request under the key.

    Must run outside a transaction of the caller's: the claim commits at once. A key older than
    `KEPT_FOR` that the sweep has not removed yet counts as free. A key longer than
    `KEY_MAX_LENGTH` is refused, never cut: two keys alike in their first characters would meet.
    """
    if len(key) > KEY_MAX_LENGTH:
        raise ValidationFailed.for_field(
            "Idempotency-Key",
            _("At most %(count)d characters.") % {"count": KEY_MAX_LENGTH},
            code=CoreError.MAX_LENGTH,
        )
    IdempotentRequest.objects.filter(
        user=user, key=key, created_at__lte=clock.now() - KEPT_FOR
    ).delete()
    try:
        with transaction.atomic():
            return IdempotentRequest.objects.create(
                user=user, key=key, endpoint=endpoint[:200], body_hash=fingerprint
            )
    except IntegrityError:
        pass
    first = IdempotentRequest.objects.filter(user=user, key=key).first()
    if first is not None and (first.endpoint != endpoint[:200] or first.body_hash != fingerprint):
        raise IdempotencyKeyReused(_("This Idempotency-Key was used with another request."))
    if first is None or first.status_code is None:
        # Still running (or given up and removed this instant): the client tries again later.
        raise IdempotentRequestInProgress(
            _("A request with this Idempotency-Key is still running.")
        )
    return first.status_code, first.response


def idempotency_key_answer(*, record: IdempotentRequest, status: int, body: Any) -> None:
    """Keep the answer given to the request that claimed `record` (`body`: JSON data)."""
    record.status_code = status
    record.response = body
    record.save(update_fields=["status_code", "response"])


def idempotency_key_release(*, record: IdempotentRequest) -> None:
    """Free the key of a request that failed without an answer worth repeating (a server error,
    a provider that was unavailable): the same request may be tried again."""
    IdempotentRequest.objects.filter(pk=record.pk).delete()


def idempotent_requests_expire(*, now: datetime | None = None) -> int:
    """Remove the keys older than `KEPT_FOR`; returns how many."""
    cutoff = (now or clock.now()) - KEPT_FOR
    deleted, _rows = IdempotentRequest.objects.filter(created_at__lte=cutoff).delete()
    return deleted
