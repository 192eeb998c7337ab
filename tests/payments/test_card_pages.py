"""The customer's card in the web app, against the emulator: before confirming (the price, the
hold and who bears Stripe's fee shown; the card made by Stripe.js on the helper's account), and
after a hold failed (declined, 3-D Secure not completed): another card, held at once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from backend.config import config
from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus, HelpRequestStatus
from payments.models import Payment, PaymentStatus, StripeRequest
from tests.factories import UserFactory, make_booking, post_request
from tests.payments.money import (
    DECLINED_CARD,
    GOOD_CARD,
    THREE_D_SECURE_CARD,
    card,
    completed,
    connected_helper,
    days_ahead,
    held_booking,
)
from tests.web.refusals import refused_page
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db


def _directive(policy: str, name: str) -> str:
    found = re.search(rf"(?:^|; ){name} ([^;]*)", policy)
    assert found is not None, policy
    return found.group(1)


def _page(client, booking: Booking) -> str:
    response = client.get(f"/requests/{booking.help_request.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_before_confirming_the_page_shows_the_price_the_hold_and_the_fee_and_asks_for_a_card(
    client, django_assert_max_num_queries
):
    booking = make_booking(BookingStatus.PROPOSED, helper=connected_helper())
    _logged_in(client, booking.help_request.customer, "de")

    # 12 for the page (the visit's payment read once: for the receipt, the card step and
    # whether TWINT may be chosen instead), 1 for the terms and waivers still to accept, 1 for
    # the messages with the helper
    with django_assert_max_num_queries(14):
        response = client.get(f"/requests/{booking.help_request.public_id}/")

    html = response.content.decode()
    assert "Preis des Besuchs" in html
    assert html.count("CHF 40.00") >= 2  # the price and the hold (the helper bears the fee)
    assert "von der Helferin oder dem Helfer aus dem Preis bezahlt" in html
    assert "Quartier-Gebühr" in html
    assert "CHF 0.00" in html
    # The card form names Stripe.js, which card.js loads for it
    stripe_js = f"{config().stripe_api_base}/js.stripe.com/v3/"
    assert f'data-stripe-js="{stripe_js}"' in html
    assert 'src="/static/web/card.js"' in html
    assert 'data-account="acct_' in html
    # Stripe.js's origin, and the API it calls, are allowed; nothing else is added.
    policy = response["Content-Security-Policy"]
    assert f"script-src 'self' {config().stripe_api_base}" in policy
    assert f"connect-src 'self' {config().stripe_api_base}" in policy
    # No confirming before a card is given.
    assert f'action="/requests/{booking.help_request.public_id}/confirm"' in html
    assert "Bestätigen Sie" not in html
    assert "Geben Sie oben Ihre Karte ein" in html


def test_a_card_from_stripe_js_is_kept_and_confirming_holds_it(client):
    booking = make_booking(BookingStatus.PROPOSED, helper=connected_helper())
    customer = booking.help_request.customer
    _logged_in(client, customer, "en")

    response = client.post(
        f"/requests/{booking.help_request.public_id}/card",
        {"card-payment_method": card(booking.helper)},
    )

    assert response.status_code == 302
    payment = Payment.objects.get(booking=booking)
    assert payment.payment_method_id.startswith("pm_")
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    html = _page(client, booking)
    assert "Your card is ready" in html
    assert "js.stripe.com" not in html
    bookings.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get(status="proposed")
    )
    relay_pending()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AUTHORISED
    assert payment.authorised_minor == 4000


def test_a_held_card_is_said_on_the_visit_not_a_payment_to_make_after_it(client):
    booking = held_booking()
    assert Payment.objects.get(booking=booking).status == PaymentStatus.AUTHORISED
    _logged_in(client, booking.help_request.customer, "de")

    html = _page(client, booking)

    assert (
        "Preis: CHF 40.00, auf Ihrer Karte reserviert und erst belastet, wenn Sie den Besuch "
        "abnehmen." in html
    )
    assert "nach dem Besuch an die Helferin oder den Helfer bezahlt" not in html


def test_once_signed_off_the_held_price_is_said_to_be_charged_not_still_waiting_for_it(client):
    # The capture runs after commit, in the worker: until it has, the page does not ask the
    # customer to sign off what they have just signed off.
    booking = completed(held_booking())
    customer = booking.help_request.customer
    bookings.booking_sign_off(booking=booking, actor=customer)
    _logged_in(client, customer, "de")

    html = _page(client, booking)

    assert Payment.objects.get(booking=booking).status == PaymentStatus.AUTHORISED
    assert "Preis: CHF 40.00, auf Ihrer Karte reserviert: Sie haben den Besuch abgenommen" in html
    assert "erst belastet, wenn Sie den Besuch abnehmen" not in html
    # Once captured, the page says it is paid.
    relay_pending()
    html = _page(client, booking)
    assert Payment.objects.get(booking=booking).status == PaymentStatus.CAPTURED
    assert "Preis: CHF 40.00, an die Helferin oder den Helfer bezahlt." in html


def test_a_visit_without_a_card_held_still_says_it_is_paid_after_it(client):
    booking = make_booking(BookingStatus.CONFIRMED)
    _logged_in(client, booking.help_request.customer, "de")

    html = _page(client, booking)

    assert "nach dem Besuch an die Helferin oder den Helfer bezahlt" in html
    assert "auf Ihrer Karte reserviert und erst belastet" not in html


def test_a_page_without_a_paid_step_loads_no_stripe_js(client):
    booking = held_booking()
    _logged_in(client, booking.help_request.customer)

    response = client.get(f"/requests/{booking.help_request.public_id}/")

    assert "js.stripe.com" not in response.content.decode()
    assert config().stripe_api_base not in response["Content-Security-Policy"]


def test_a_request_still_looking_for_a_helper_lets_stripe_js_in_for_the_card_step_to_come(
    client,
):
    connected_helper()
    customer = UserFactory.create()
    help_request = post_request(customer)
    assert help_request.status == HelpRequestStatus.OPEN
    _logged_in(client, customer)

    response = client.get(f"/requests/{help_request.public_id}/")

    # The page loads card.js, not Stripe.js: that comes only with the card step, by a redraw
    html = response.content.decode()
    assert 'src="/static/web/card.js"' in html
    assert "js.stripe.com" not in html
    policy = response["Content-Security-Policy"]
    assert _directive(policy, "script-src") == f"'self' {config().stripe_api_base}"
    assert _directive(policy, "connect-src") == f"'self' {config().stripe_api_base}"


def test_a_visit_whose_card_is_still_to_be_held_lets_stripe_js_in_for_a_failed_hold(client):
    booking = held_booking(start=days_ahead(8))
    assert Payment.objects.get(booking=booking).status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    _logged_in(client, booking.help_request.customer)

    response = client.get(f"/requests/{booking.help_request.public_id}/")

    assert "js.stripe.com" not in response.content.decode()
    policy = response["Content-Security-Policy"]
    assert _directive(policy, "script-src") == f"'self' {config().stripe_api_base}"


@pytest.mark.parametrize("status", [BookingStatus.CANCELLED, BookingStatus.COMPLETED])
def test_a_visit_that_cannot_ask_for_a_card_any_more_loads_no_stripe_js(client, status):
    if status == BookingStatus.COMPLETED:
        booking = completed(held_booking())
    else:
        booking = make_booking(status, helper=connected_helper())
    assert booking.status == status
    _logged_in(client, booking.help_request.customer)

    response = client.get(f"/requests/{booking.help_request.public_id}/")

    assert "card.js" not in response.content.decode()
    assert config().stripe_api_base not in response["Content-Security-Policy"]


def test_an_empty_card_is_refused_next_to_the_field_and_changes_nothing(client):
    booking = make_booking(BookingStatus.PROPOSED, helper=connected_helper())
    _logged_in(client, booking.help_request.customer)

    response = client.post(
        f"/requests/{booking.help_request.public_id}/card", {"card-payment_method": " "}
    )

    page = refused_page(client, response, f"/requests/{booking.help_request.public_id}/")
    assert _errors_of(page, "id_card-payment_method") == ["Enter your card&#x27;s details."]
    assert not Payment.objects.filter(booking=booking).exists()


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (DECLINED_CARD, "Your bank declined the card without giving a reason."),
        (THREE_D_SECURE_CARD, "Your bank asked to confirm the payment (3-D Secure)"),
    ],
)
def test_after_a_failed_hold_another_card_is_held_at_once(client, number, words):
    booking = held_booking(number=number)
    payment = Payment.objects.get(booking=booking)
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert payment.failure_code
    customer = booking.help_request.customer
    _logged_in(client, customer)

    html = _page(client, booking)
    assert "Your card could not be held" in html
    assert words in html
    assert "Hold the amount on this card" in html

    response = client.post(
        f"/requests/{booking.help_request.public_id}/card",
        {"card-payment_method": card(booking.helper, GOOD_CARD)},
        follow=True,
    )

    assert "Your card is held. The visit goes ahead as agreed." in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.AUTHORISED
    assert payment.authorised_minor == payment.amount_minor
    assert payment.failure_code == ""
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED
    assert "Your card could not be held" not in _page(client, booking)


def test_a_declined_card_in_the_recovery_is_shown_next_to_the_field(client):
    booking = held_booking(number=DECLINED_CARD)
    payment = Payment.objects.get(booking=booking)
    attempt = payment.attempt
    _logged_in(client, booking.help_request.customer)

    response = client.post(
        f"/requests/{booking.help_request.public_id}/card",
        {"card-payment_method": card(booking.helper, DECLINED_CARD)},
    )

    page = refused_page(client, response, f"/requests/{booking.help_request.public_id}/")
    errors = _errors_of(page, "id_card-payment_method")
    assert len(errors) == 1
    assert "declined" in errors[0]
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    assert payment.payment_intent_id is None
    assert payment.attempt == attempt + 1
    assert payment.authorised_minor == 0


def test_only_the_customer_gives_the_card(client):
    booking = make_booking(BookingStatus.PROPOSED, helper=connected_helper())
    _logged_in(client, booking.helper.user)
    requests_before = StripeRequest.objects.count()

    response = client.post(
        f"/requests/{booking.help_request.public_id}/card",
        {"card-payment_method": card(booking.helper)},
    )

    assert response.status_code == 404
    assert not Payment.objects.filter(booking=booking).exists()
    assert StripeRequest.objects.count() == requests_before


def test_times_at_different_prices_show_the_dearest_as_an_upper_bound(client):
    """Two times of one and of two hours: the box says "up to" the dearest's price and hold,
    and each time its own price; one price alone is said plainly."""
    booking = make_booking(BookingStatus.AWAITING_PROPOSAL, helper=connected_helper())
    start = booking.help_request.windows.get().starts_at
    booking = bookings.booking_propose(
        booking=booking,
        actor=booking.helper.user,
        slots=[
            bookings.SlotInput(start, start + timedelta(hours=1)),
            bookings.SlotInput(start + timedelta(hours=1), start + timedelta(hours=3)),
        ],
    )
    _logged_in(client, booking.help_request.customer, "de")

    html = client.get(f"/requests/{booking.help_request.public_id}/").content.decode()

    assert "<dt>Preis des Besuchs, je nach gewählter Zeit: bis zu</dt><dd>CHF 80.00</dd>" in html
    assert (
        "<dt>Auf Ihrer Karte reserviert, wenn Sie bestätigen: bis zu</dt><dd>CHF 80.00</dd>" in html
    )
    assert "· CHF 40.00" in html
    assert "· CHF 80.00" in html
    assert "<dt>Preis des Besuchs</dt>" not in html


def _cancel_words(html: str, button: str = "Cancel the visit") -> str:
    """The words of the box that cancels the visit, before its button."""
    box = html[html.index('id="cancel-heading"') : html.index(f"{button}</button>")]
    return " ".join(box.split())


def test_a_late_cancellation_says_what_it_costs_before_the_button_and_costs_that(client):
    """The visit starts in 30 minutes with the card held: the box says the fee it costs now,
    and cancelling takes exactly that fee for the helper."""
    booking = held_booking()
    customer = booking.help_request.customer
    _logged_in(client, customer, "en")

    words = _cancel_words(_page(client, booking))

    assert (
        "The visit starts in less than 24 hours: cancelling now costs CHF 20.00 (50% of the "
        "price), which goes to the helper, who has kept the time for you. The cancellation is "
        "also recorded as late and counts against your reliability."
    ) in words
    assert "Cancelling costs nothing" not in words
    client.post(
        f"/requests/{booking.help_request.public_id}/cancel", {"cancel-reason": "Father is ill"}
    )
    relay_pending()
    payment = Payment.objects.get(booking=booking)
    assert (payment.status, payment.is_cancellation_fee, payment.captured_minor) == (
        PaymentStatus.CAPTURED,
        True,
        2000,
    )


def test_a_visit_days_ahead_says_the_fee_a_later_cancellation_costs(client):
    booking = held_booking(start=days_ahead(3))
    _logged_in(client, booking.help_request.customer, "de")

    words = _cancel_words(_page(client, booking), "Besuch absagen")

    assert (
        "Eine Absage bis 24 Stunden vor dem Besuch kostet nichts. Eine spätere Absage kostet "
        "CHF 20.00 (50 % des Preises) und zählt gegen Ihre Zuverlässigkeit. Der Betrag geht an "
        "die Helferin oder den Helfer, denn sie oder er hat sich die Zeit für Sie freigehalten."
    ) in words


def test_a_visit_paid_outside_quartier_names_no_fee(client):
    booking = make_booking(BookingStatus.CONFIRMED)
    _logged_in(client, booking.help_request.customer, "en")

    words = _cancel_words(_page(client, booking))

    assert (
        "Cancelling costs nothing up to 24 hours before the visit. A later cancellation is "
        "recorded as late and counts against your reliability, because the helper has kept the "
        "time for you."
    ) in words
    assert "CHF" not in words


def test_the_card_step_says_what_a_late_cancellation_costs(client, quartier_settings):
    quartier_settings(CANCELLATION_FEE_PERCENT=40)
    booking = make_booking(BookingStatus.PROPOSED, helper=connected_helper())
    _logged_in(client, booking.help_request.customer, "fr")

    html = " ".join(_page(client, booking).split())

    assert (
        "Si la visite est annulée à temps, la réservation est levée aussitôt. Une annulation "
        "moins de 24 heures avant la visite coûte 40 % du prix, versés à la personne aidante."
    ) in html
