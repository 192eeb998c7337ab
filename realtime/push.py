"""Push notifications for devices whose app is closed, behind `PushSender`.

`WebPushSender` speaks standard Web Push (RFC 8030) with VAPID (RFC 8292) through pywebpush,
which encrypts each payload for the subscription's keys (RFC 8291, aes128gcm). A native push
provider implements the same `send`. The sender is `settings.QUARTIER_PUSH_SENDER`; push is
off while no VAPID private key is configured (QUARTIER_VAPID_PRIVATE_KEY).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
import re
from collections.abc import Iterable
from enum import Enum
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from backend.exceptions import ValidationFailed, raises
from backend.models import Device, User
from realtime.errors import RealtimeError
from realtime.models import PushSubscription, StreamEvent
from realtime.push_address import PushAddressRefused, pinned_session, public_addresses

logger = logging.getLogger(__name__)


class PushResult(Enum):
    SENT = "sent"
    # The push service says the subscription no longer exists (404 / 410): forget it.
    GONE = "gone"


# The most push subscriptions one user keeps (a few phones and browsers): registering one more
# forgets the oldest, so that nobody makes every push to them a long walk through addresses.
PUSH_SUBSCRIPTIONS_PER_USER = 10

# A subscription whose push service failed this many sends in a row is forgotten (the
# browser registers it again the next time the app is opened with permission given).
PUSH_FAILURES_BEFORE_REMOVAL = 3


class PushSender(Protocol):
    def send(self, subscription: PushSubscription, payload: bytes, *, ttl: int) -> PushResult:
        """Deliver `payload` to the device; raise when the push service fails (counted on the
        subscription by `push_rows`)."""
        ...


class WebPushSender:
    def __init__(self, private_key: str, subject: str) -> None:
        self.private_key = private_key
        self.subject = subject

    def send(self, subscription: PushSubscription, payload: bytes, *, ttl: int) -> PushResult:
        """Post to the push service, at an address checked now (`realtime.push_address`):
        a name that leads into a private network raises `PushAddressRefused`, a failed try."""
        from pywebpush import WebPushException, webpush

        # A local test push service (QUARTIER_PUSH_ALLOW_HTTP) is on this machine by design.
        session = (
            None if settings.QUARTIER_PUSH_ALLOW_HTTP else pinned_session(subscription.endpoint)
        )
        try:
            webpush(
                subscription_info={
                    "endpoint": subscription.endpoint,
                    "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
                },
                data=payload,
                vapid_private_key=self.private_key,
                vapid_claims={"sub": self.subject},
                ttl=ttl,
                content_encoding="aes128gcm",
                timeout=10,
                requests_session=session,
            )
        except WebPushException as exc:
            status = exc.response.status_code if exc.response is not None else None
            if status in (404, 410):
                return PushResult.GONE
            raise
        return PushResult.SENT


def push_sender() -> PushSender | None:
    """The configured sender, or None while push is off."""
    if not settings.QUARTIER_VAPID_PRIVATE_KEY:
        return None
    sender_class = import_string(settings.QUARTIER_PUSH_SENDER)
    sender: PushSender = sender_class(
        settings.QUARTIER_VAPID_PRIVATE_KEY, settings.QUARTIER_VAPID_SUBJECT
    )
    return sender


def _title(row: StreamEvent) -> str:
    if row.type == "offer.made":
        return _("A new job near you")
    if row.type == "chat.message":
        return _("New message")
    if row.type == "booking.status":
        # Pushed to the side that did not make the move: what happened, as the e-mails say.
        status, from_status = row.data.get("status"), row.data.get("from_status")
        if status == "proposed" and from_status == "confirmed":
            return _("The helper proposes other times")
        if status == "proposed":
            return _("Times proposed: choose one.")
        if status == "cancelled":
            return _("The visit was cancelled")
        if status == "completed":
            return _("Done: please sign off the visit.")
    return _("Your booking has changed")


def push_payload(row: StreamEvent, language: str) -> bytes:
    """What the service worker gets: the stream frame and a title in the user's language.
    An offer carries the actions "accept" and "show"."""
    with translation.override(language or settings.LANGUAGE_CODE):
        body: dict[str, object] = {
            "id": row.pk,
            "seq": row.seq,
            "type": row.type,
            "data": row.data,
            "title": _title(row),
            "tag": f"quartier-{row.pk}",
        }
        if row.type == "offer.made":
            body["actions"] = [
                {"action": "accept", "title": _("Accept")},
                {"action": "show", "title": _("Show")},
            ]
    return json.dumps(body).encode()


def push_rows(rows: Iterable[StreamEvent]) -> None:
    """Push each row to every subscription of its user; subscriptions gone are removed.

    A push is a nudge to open the app, whose stream has everything: it is tried once. The
    endpoint is any address its owner registered, so a push service that fails (an error
    answer, a refused or hanging connection) must hold nothing: neither the user's other
    devices nor the event's other handlers (the other side's e-mails and stream, and the
    aggregate's later events, which would wait behind a failed delivery). The failure is
    counted on the subscription, forgotten after PUSH_FAILURES_BEFORE_REMOVAL in a row."""
    sender = push_sender()
    if sender is None:
        return
    for row in rows:
        user = User.objects.get(pk=row.user_id)
        payload = push_payload(row, user.preferred_language)
        for subscription in PushSubscription.objects.filter(user_id=row.user_id):
            _push_one(sender, subscription, payload)


def _push_one(sender: PushSender, subscription: PushSubscription, payload: bytes) -> None:
    mine = PushSubscription.objects.filter(pk=subscription.pk)
    try:
        result = sender.send(subscription, payload, ttl=settings.QUARTIER_PUSH_TTL_SECONDS)
    except Exception:  # noqa: BLE001 - any failure of the push service is the subscription's
        logger.warning("push to subscription %s failed", subscription.pk, exc_info=True)
        if subscription.failures + 1 >= PUSH_FAILURES_BEFORE_REMOVAL:
            logger.info("push subscription %s failed again and again: removed", subscription.pk)
            mine.delete()
        else:
            mine.update(failures=F("failures") + 1)
        return
    if result is PushResult.GONE:
        logger.info("push subscription %s is gone: removed", subscription.pk)
        mine.delete()
    elif subscription.failures:
        mine.update(failures=0)


def _unbase64(value: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (ValueError, binascii.Error):
        return None


@raises(RealtimeError.INVALID_SUBSCRIPTION)
def push_subscribe(
    *,
    user: User,
    endpoint: str,
    p256dh: str,
    auth: str,
    device_name: str = "",
    device: Device | None = None,
) -> PushSubscription:
    """Store a device's subscription (again: the same endpoint moves to this user and
    device). `device`: the signed-in device it belongs to (None from a web session). A user
    keeps the newest PUSH_SUBSCRIPTIONS_PER_USER subscriptions."""
    if not endpoint.startswith("https://") and not settings.QUARTIER_PUSH_ALLOW_HTTP:
        raise ValidationFailed.for_field(
            "endpoint",
            _("A push endpoint is an https address."),
            code=RealtimeError.INVALID_SUBSCRIPTION,
        )
    if not settings.QUARTIER_PUSH_ALLOW_HTTP and not _names_a_push_service(endpoint):
        raise ValidationFailed.for_field(
            "endpoint",
            _("A push endpoint is the address of a push service: a domain name, no port."),
            code=RealtimeError.INVALID_SUBSCRIPTION,
        )
    if not settings.QUARTIER_PUSH_ALLOW_HTTP and _leads_into_a_private_network(endpoint):
        raise ValidationFailed.for_field(
            "endpoint",
            _("This push endpoint's name leads into a private network, not to a push service."),
            code=RealtimeError.INVALID_SUBSCRIPTION,
        )
    # Named as in the subscription the browser gives (`PushSubscription.toJSON()`): the keys
    # sit under `keys`, so the app finds the field it sent.
    for field, value, size in (("keys.p256dh", p256dh, 65), ("keys.auth", auth, 16)):
        if len(_unbase64(value) or b"") != size:
            raise ValidationFailed.for_field(
                field,
                _("This is not a key of a push subscription."),
                code=RealtimeError.INVALID_SUBSCRIPTION,
            )
    with transaction.atomic():
        subscription, _created = PushSubscription.objects.update_or_create(
            endpoint=endpoint,
            defaults={
                "user": user,
                "device": device,
                "p256dh": p256dh,
                "auth": auth,
                "device_name": device_name or (device.name if device is not None else ""),
                "failures": 0,
            },
        )
        kept = PushSubscription.objects.filter(user=user).order_by("-pk")
        kept_ids = list(kept.values_list("pk", flat=True)[:PUSH_SUBSCRIPTIONS_PER_USER])
        PushSubscription.objects.filter(user=user).exclude(pk__in=kept_ids).delete()
    return subscription


# The last label of a domain name, as top-level domains are written (never digits alone: a
# host such as "127.1" or "0x7f.1" is an address the resolver reads as a number).
_TOP_LABEL = re.compile(r"[a-z][a-z0-9-]*")


def _names_a_push_service(endpoint: str) -> bool:
    """Whether `endpoint` can be a push service's: the server posts to it, so never an address
    of one computer (an IP address, localhost, a name without a domain) nor another port than
    https's, which would let anyone make Quartier call the machines of its own network."""
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    host = (parts.hostname or "").rstrip(".")
    if port not in (None, 443) or "." not in host or host.endswith(".localhost"):
        return False
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return _TOP_LABEL.fullmatch(host.rsplit(".", 1)[-1]) is not None
    return False


def _leads_into_a_private_network(endpoint: str) -> bool:
    """Whether the endpoint's name resolves, now, to an address that is not public. A name
    that does not resolve now is taken: every send resolves and checks it again."""
    try:
        public_addresses((urlsplit(endpoint).hostname or "").rstrip("."))
    except PushAddressRefused:
        return True
    except OSError:
        return False
    return False


def push_unsubscribe(*, user: User, endpoint: str) -> int:
    """Forget the user's subscription at `endpoint`; returns how many were removed (0 or 1)."""
    deleted, _rows = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return deleted
