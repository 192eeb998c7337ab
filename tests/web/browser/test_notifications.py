"""Offers as notifications, in a real browser on a phone: the offers page explains what the
notifications are for before the browser asks for permission, and the service worker's
"accept" and "show" actions lead where they should. "accept" takes the job over the API with
the session and an Idempotency-Key of the notification's own: tapped twice, the job is taken
once; taken by someone else first, the page says so kindly.

The server here is a daphne of the test's own, started with a VAPID key (push is on); the
actions run in the service worker itself (Playwright evaluates them there), since headless
chromium has no push service to deliver a real notification to tap.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from backend.models import User
from bookings import services
from bookings.models import Booking, Offer, OfferStatus
from payments.models import IdempotentRequest
from tests.factories import UserFactory, make_helper, post_request
from tests.web.browser.conftest import PHONE, log_in
from tests.worker import start_daphne, stop_daphne

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A P-256 public key as browsers subscribe with it (base64url of the uncompressed point).
VAPID_PUBLIC_KEY = (
    "BEl62iUYgUivxIkv69yViEuiBIa-Ib9-SkvMeAtA3LFgDzkrxZJjSgSnfckjBJuBkr3qBUYIHBQFLXYp5Nksh8U"
)
EXPLANATION = (
    "The first helper to accept gets the job. Quartier can show a notification when a job "
    "near you is offered, with Accept and Show buttons."
)


@pytest.fixture(scope="module")
def push_on_url(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    from channels.testing.live import make_application

    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with (
        django_db_blocker.unblock(),
        override_settings(CACHES=dummy, QUARTIER_VAPID_PUBLIC_KEY=VAPID_PUBLIC_KEY),
    ):
        process = start_daphne(partial(make_application, static_wrapper=None))
    yield f"http://127.0.0.1:{process.port.value}"
    stop_daphne(process)


def test_offers_come_as_notifications_whose_actions_accept_once_or_show(
    browser, push_on_url, axe, screenshot
):
    marco = make_helper(email="marco@example.ch")
    lea = make_helper(email="lea@example.ch")
    User.objects.filter(pk__in=[marco.user_id, lea.user_id]).update(preferred_language="en")
    context = browser.new_context(locale="en", **PHONE)
    page = context.new_page()
    log_in(page, push_on_url, "marco@example.ch", "/helper/")

    # The page explains the notifications before anything asks for permission
    card = page.locator("#push-ask")
    expect(card).to_be_visible()
    expect(card.get_by_text(EXPLANATION)).to_be_visible()
    expect(card.get_by_role("button", name="Turn on notifications")).to_be_visible()
    assert page.evaluate("() => Notification.permission") == "default"
    assert axe(page) == []
    screenshot(page, "notifications-ask-phone")

    page.evaluate("() => navigator.serviceWorker.ready")
    worker = context.service_workers[0]

    # A notification of an offer carries the server's actions
    first = post_request(UserFactory.create())
    offer = Offer.objects.get(help_request=first, helper=marco)
    title, options = worker.evaluate(
        """(offer) => self.notificationOf({id: 7, seq: 1, type: "offer.made",
            data: {offer: offer}, title: "A new job near you", tag: "quartier-7",
            actions: [{action: "accept", title: "Accept"}, {action: "show", title: "Show"}]})""",
        str(offer.public_id),
    )
    assert title == "A new job near you"
    assert [a["action"] for a in options["actions"]] == ["accept", "show"]
    assert options["data"] == {
        "id": 7,
        "type": "offer.made",
        "data": {"offer": str(offer.public_id)},
    }

    # "show" opens the offer on the offers page
    tap = "([data, action]) => self.notificationTarget(data, action)"
    data = options["data"]
    assert worker.evaluate(tap, [data, "show"]) == f"/helper/#offer-{offer.public_id}"
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.PENDING

    # "accept", tapped twice: the job is taken once, and both taps open the visit
    opened = [worker.evaluate(tap, [data, "accept"]) for _ in range(2)]
    booking = Booking.objects.get(help_request=first)
    assert opened == [f"/helper/visits/{booking.public_id}/"] * 2
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.ACCEPTED
    assert Booking.objects.filter(helper=marco).count() == 1
    assert IdempotentRequest.objects.filter(user=marco.user, key="notification-7").count() == 1

    # Another helper was faster: the tap opens the offers page, which says so
    second = post_request(UserFactory.create(), description="The printer prints nothing.")
    late = Offer.objects.get(help_request=second, helper=marco)
    services.offer_accept(offer=Offer.objects.get(help_request=second, helper=lea), actor=lea.user)
    late_data = {"id": 8, "type": "offer.made", "data": {"offer": str(late.public_id)}}
    target = worker.evaluate(tap, [late_data, "accept"])
    assert target == f"/helper/?gone={late.public_id}"
    assert Offer.objects.get(pk=late.pk).status == OfferStatus.WITHDRAWN
    page.goto(push_on_url + target)
    expect(
        page.get_by_text("Another helper was a little quicker: this job is taken.")
    ).to_be_visible()
    context.close()


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("de", "Angebote auf Ihrem Telefon, auch wenn die App geschlossen ist"),
        ("fr", "Les offres sur votre téléphone, même quand l’application est fermée"),
        ("it", "Le offerte sul suo telefono, anche con l’app chiusa"),
        ("en", "Offers on your phone, even with the app closed"),
    ],
)
def test_the_notifications_explanation_in_every_language(
    browser, push_on_url, axe, language, heading
):
    helper = make_helper(email="marco@example.ch")
    User.objects.filter(pk=helper.user_id).update(preferred_language=language)
    context = browser.new_context(locale=language, **PHONE)
    page = context.new_page()
    log_in(page, push_on_url, "marco@example.ch", "/helper/")
    expect(page.get_by_role("heading", name=heading)).to_be_visible()
    assert page.locator("html").get_attribute("lang") == language
    assert axe(page) == []
    context.close()
