"""A push subscription's endpoint is whatever address its owner registered: a push service
that fails (an error, a refused or hanging connection) must not hold anyone else's news. The
failure is counted on that subscription, which is forgotten after a few in a row; the visit's
other news (the other side's e-mails, the live stream) goes on at once. Nor can one user make
every push to them a long walk through addresses: each keeps the newest ten subscriptions."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.core import mail

from backend.models import OutboxEvent
from backend.relay import relay_pending
from bookings.models import BookingStatus
from realtime.models import PushSubscription
from realtime.push import (
    PUSH_FAILURES_BEFORE_REMOVAL,
    PUSH_SUBSCRIPTIONS_PER_USER,
    push_subscribe,
)
from tests.api.api_assertions import API, client_for
from tests.factories import UserFactory, make_booking, make_helper, post_request
from tests.realtime.test_push import PushService, b64, device, public_bytes, push_service, vapid

pytestmark = pytest.mark.django_db

__all__ = ("push_service", "vapid")


def _subscribe(user, endpoint: str) -> PushSubscription:
    key, auth = device()
    return push_subscribe(
        user=user, endpoint=endpoint, p256dh=b64(public_bytes(key)), auth=b64(auth)
    )


def test_a_failing_push_service_holds_neither_the_visit_nor_the_other_devices(
    push_service: PushService, vapid: ec.EllipticCurvePrivateKey
) -> None:
    customer = UserFactory.create()
    broken = _subscribe(customer, f"{push_service.url}/broken/1")
    _subscribe(customer, f"{push_service.url}/ok/2")
    helper = make_helper()
    booking = make_booking(BookingStatus.CONFIRMED, customer=customer, helper=helper)
    mail.outbox.clear()

    relay_pending()

    # Every event was delivered at the first try: the helper's proposal pushed to the
    # customer's broken service held nothing behind it.
    assert list(OutboxEvent.objects.filter(relayed_at__isnull=True)) == []
    assert set(OutboxEvent.objects.values_list("attempts", flat=True)) == {0}
    # The customer's confirmation reached the helper by e-mail.
    to_helper = [m.subject for m in mail.outbox if m.to == [helper.user.email]]
    assert [s for s in to_helper if s.startswith("Besuch bestätigt: ")] != []
    # The customer's other device heard the helper accept and propose times; the broken one
    # was tried once for each, in vain.
    paths = [path for path, _headers, _body in push_service.received]
    assert paths.count("/ok/2") == paths.count("/broken/1") == 2
    broken.refresh_from_db()
    assert broken.failures == 2
    assert booking.status == BookingStatus.CONFIRMED


def test_a_subscription_is_forgotten_after_failing_again_and_again_and_kept_if_it_recovers(
    push_service: PushService, vapid: ec.EllipticCurvePrivateKey
) -> None:
    helper = make_helper()
    broken = _subscribe(helper.user, f"{push_service.url}/broken/1")
    working = _subscribe(helper.user, f"{push_service.url}/ok/2")
    PushSubscription.objects.filter(pk=working.pk).update(failures=2)

    # Each request offered to the helper is one push to each of their subscriptions.
    for _ in range(PUSH_FAILURES_BEFORE_REMOVAL - 1):
        post_request(UserFactory.create())
        relay_pending()
    broken.refresh_from_db()
    assert broken.failures == PUSH_FAILURES_BEFORE_REMOVAL - 1
    working.refresh_from_db()
    assert working.failures == 0  # a success starts the count again

    post_request(UserFactory.create())
    relay_pending()

    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [
        f"{push_service.url}/ok/2"
    ]
    paths = [path for path, _headers, _body in push_service.received]
    assert paths.count("/broken/1") == PUSH_FAILURES_BEFORE_REMOVAL
    assert paths.count("/ok/2") == PUSH_FAILURES_BEFORE_REMOVAL
    assert list(OutboxEvent.objects.filter(relayed_at__isnull=True)) == []


def test_a_user_keeps_the_newest_ten_subscriptions_and_nobody_elses_are_touched(
    vapid: ec.EllipticCurvePrivateKey,
) -> None:
    user, other = UserFactory.create(), UserFactory.create()
    theirs = _subscribe(other, "https://push.example/other")
    client = client_for(user)
    for number in range(PUSH_SUBSCRIPTIONS_PER_USER + 2):
        key, auth = device()
        body = {
            "endpoint": f"https://push.example/{number}",
            "keys": {"p256dh": b64(public_bytes(key)), "auth": b64(auth)},
        }
        assert client.post(f"{API}/push-subscriptions", body, format="json").status_code == 201

    kept = PushSubscription.objects.filter(user=user).order_by("pk")
    assert list(kept.values_list("endpoint", flat=True)) == [
        f"https://push.example/{number}" for number in range(2, PUSH_SUBSCRIPTIONS_PER_USER + 2)
    ]
    assert list(PushSubscription.objects.filter(user=other)) == [theirs]
