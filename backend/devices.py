"""The devices signed in to the API, each with its own token (backend.models.Device).

Writes: `device_sign_in` (log-in: a new device and its token), `device_revoke` (log out one
device, from itself or from another), `devices_revoke_all` (a new password). Reads:
`devices_of`, and `device_of_token` for the API's token authentication.

Signing devices out emits `DevicesSignedOut` in the same transaction: after commit the live
sockets opened with those tokens are closed (realtime), so a revoked phone hears nothing more.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from backend import clock
from backend.events import DevicesSignedOut
from backend.exceptions import CoreError, NotFound, raises
from backend.models import Device, DevicePlatform, User
from backend.outbox import emit

# How stale a device's "last used" may get before a request writes it again (one write an
# hour at most, not one per request).
LAST_USED_RESOLUTION = timedelta(hours=1)


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def device_sign_in(
    *, user: User, name: str = "", platform: str = DevicePlatform.OTHER
) -> tuple[Device, str]:
    """A new device of `user` and its token (returned once; only its digest is kept).

    The caller has authenticated the user (password, e-mail link or reset link)."""
    key = secrets.token_hex(20)
    device = Device.objects.create(
        user=user,
        key_digest=token_digest(key),
        name=name.strip(),
        platform=platform,
        # Signing in is using it: its first requests need not say so again.
        last_used_at=clock.now(),
    )
    return device, key


def devices_of(user: User) -> QuerySet[Device]:
    """The user's signed-in devices, newest first."""
    return Device.objects.filter(user=user).order_by("-created_at", "-id")


@raises(CoreError.NOT_FOUND)
def device_revoke(*, actor: User, device_id: UUID) -> None:
    """Sign out one of the actor's devices: its token stops working and its push
    subscription is removed with it. Someone else's device is not found."""
    with transaction.atomic():
        deleted, _rows = Device.objects.filter(user=actor, public_id=device_id).delete()
        if deleted:
            emit(DevicesSignedOut(user_id=actor.pk, devices=[str(device_id)]))
    if not deleted:
        raise NotFound(_("No such device."))


def devices_revoke_all(*, user: User) -> int:
    """Sign out every device of the user (a new password); returns how many."""
    with transaction.atomic():
        devices = Device.objects.filter(user=user)
        public_ids = [str(public_id) for public_id in devices.values_list("public_id", flat=True)]
        _total, per_model = devices.delete()
        if public_ids:
            emit(DevicesSignedOut(user_id=user.pk, devices=public_ids))
    return per_model.get("backend.Device", 0)


def device_of_token(key: str) -> Device | None:
    """The device whose token is `key`, with its user; marks it used."""
    device = Device.objects.select_related("user").filter(key_digest=token_digest(key)).first()
    if device is None:
        return None
    now = clock.now()
    if device.last_used_at is None or device.last_used_at < now - LAST_USED_RESOLUTION:
        Device.objects.filter(pk=device.pk).update(last_used_at=now)
        device.last_used_at = now
    return device
