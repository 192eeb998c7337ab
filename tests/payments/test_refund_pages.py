"""The manager's money view of a dispute and the refund form, and the helper's own refund from
the visit page, against the emulator: the amounts come from the ledger, the refund goes through
the refund service, never more than captured, and a refused refund changes nothing."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from backend.relay import relay_pending
from bookings import services as bookings
from bookings.models import Booking, BookingStatus, DisputeOutcome
from payments.models import LedgerEntry, LedgerKind, Payment, PaymentStatus, StripeRequest
from tests.factories import ManagerFactory, UserFactory, make_booking
from tests.payments.money import assert_books_balance, completed, held_booking
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db


def disputed_booking() -> Booking:
    booking = completed(held_booking())
    return bookings.booking_dispute(
        booking=booking, actor=booking.help_request.customer, reason="The printer still fails."
    )


def resolved(booking: Booking, manager) -> Booking:
    bookings.booking_resolve_dispute(
        booking=booking, actor=manager, outcome=DisputeOutcome.VISIT_STANDS, note="It works."
    )
    relay_pending()
    return Booking.objects.get(pk=booking.pk)


def _money_of(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html))


def test_while_disputed_the_manager_sees_the_hold_and_no_refund_form(
    client, django_assert_max_num_queries
):
    booking = disputed_booking()
    manager = ManagerFactory.create()
    _logged_in(client, manager)

    with django_assert_max_num_queries(12):
        response = client.get(f"/manage/disputes/{booking.public_id}/")

    html = response.content.decode()
    money = _money_of(html)
    assert money["Held on the customer's card"] == "CHF 40.00"
    assert money["Captured"] == "CHF 0.00"
    assert money["Quartier fee"] == "CHF 0.00"
    assert "Refund this amount" not in html


def test_the_manager_refunds_part_then_cannot_refund_more_than_is_left(client):
    manager = ManagerFactory.create()
    booking = resolved(disputed_booking(), manager)
    payment = Payment.objects.get(booking=booking)
    assert payment.status == PaymentStatus.CAPTURED
    _logged_in(client, manager)
    html = client.get(f"/manage/disputes/{booking.public_id}/").content.decode()
    assert _money_of(html)["Captured"] == "CHF 40.00"
    assert "Up to CHF 40.00 can still be refunded" in html

    response = client.post(
        f"/manage/disputes/{booking.public_id}/refund",
        {"refund-amount": "10.00", "refund-reason": "The printer was set up only in part."},
        follow=True,
    )

    html = response.content.decode()
    assert "The refund is on its way to the customer&#x27;s card." in html
    assert _money_of(html)["Refunded"] == "CHF 10.00"
    assert "Up to CHF 30.00 can still be refunded" in html
    payment.refresh_from_db()
    assert payment.refunded_minor == 1000
    assert LedgerEntry.objects.get(payment=payment, kind=LedgerKind.REFUNDED).amount_minor == 1000
    assert_books_balance(booking)

    # More than is left: refused next to the amount, nothing changed here or at Stripe.
    calls = StripeRequest.objects.count()
    refused = client.post(
        f"/manage/disputes/{booking.public_id}/refund",
        {"refund-amount": "30.05", "refund-reason": "All of it."},
    )
    shown = shown_once(client, refused, f"/manage/disputes/{booking.public_id}/")
    assert 'value="30.05"' in shown
    errors = _errors_of(shown, "id_refund-amount")
    assert errors == ["A refund must be between 0.01 and 30.00."]
    payment.refresh_from_db()
    assert payment.refunded_minor == 1000
    assert StripeRequest.objects.count() == calls
    assert LedgerEntry.objects.filter(payment=payment, kind=LedgerKind.REFUNDED).count() == 1


def test_a_refund_without_a_reason_is_refused_next_to_the_reason(client):
    manager = ManagerFactory.create()
    booking = resolved(disputed_booking(), manager)
    _logged_in(client, manager)

    refused = client.post(
        f"/manage/disputes/{booking.public_id}/refund",
        {"refund-amount": "5.00", "refund-reason": ""},
    )

    shown = shown_once(client, refused, f"/manage/disputes/{booking.public_id}/")
    assert _errors_of(shown, "id_refund-reason") == ["This field is required."]
    assert Payment.objects.get(booking=booking).refunded_minor == 0


def test_only_managers_reach_the_dispute_refund(client):
    manager = ManagerFactory.create()
    booking = resolved(disputed_booking(), manager)
    _logged_in(client, booking.help_request.customer)

    response = client.post(
        f"/manage/disputes/{booking.public_id}/refund",
        {"refund-amount": "5.00", "refund-reason": "Mine."},
    )

    assert response.status_code == 404
    assert Payment.objects.get(booking=booking).refunded_minor == 0


def test_the_helper_refunds_everything_from_the_visit_page(client):
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    helper = booking.helper.user
    _logged_in(client, helper)
    html = client.get(f"/helper/visits/{booking.public_id}/").content.decode()
    assert _money_of(html)["Captured"] == "CHF 40.00"

    response = client.post(
        f"/helper/visits/{booking.public_id}/refund",
        {"refund-amount": "40.00", "refund-reason": "I could not fix it after all."},
        follow=True,
    )

    html = response.content.decode()
    assert "The refund is on its way" in html
    assert _money_of(html)["Refunded"] == "CHF 40.00"
    assert "Refund this amount" not in html
    payment = Payment.objects.get(booking=booking)
    assert payment.status == PaymentStatus.REFUNDED
    assert payment.refunded_minor == 4000
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.SETTLED
    assert_books_balance(booking)


def test_the_browser_lets_the_whole_capture_through_the_refund_field(client):
    # A browser refuses a number off the field's steps, counted from its min, before sending:
    # a step of 0.05 from 0.01 refused the whole CHF 40.00 (nearest valid 39.96 and 40.01).
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    _logged_in(client, booking.helper.user)
    html = client.get(f"/helper/visits/{booking.public_id}/").content.decode()
    field = re.search(r'<input type="number" name="refund-amount"[^>]*>', html)
    assert field is not None
    attributes = dict(re.findall(r'(\w+)="([^"]*)"', field.group(0)))
    least, step = Decimal(attributes["min"]), Decimal(attributes["step"])

    def on_a_step(amount: str) -> bool:
        return (Decimal(amount) - least) % step == 0

    assert [on_a_step(amount) for amount in ("40.00", "40", "5", "12.35", "0.01")] == [True] * 5


def test_another_helper_cannot_refund(client):
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    other = UserFactory.create()
    _logged_in(client, other)

    response = client.post(
        f"/helper/visits/{booking.public_id}/refund",
        {"refund-amount": "1.00", "refund-reason": "No."},
    )

    assert response.status_code in (302, 404)
    assert Payment.objects.get(booking=booking).refunded_minor == 0


def test_after_deciding_the_visit_stands_the_manager_stays_on_the_visit_and_can_refund(client):
    booking = disputed_booking()
    _logged_in(client, ManagerFactory.create())

    response = client.post(
        f"/manage/disputes/{booking.public_id}/resolve",
        {"outcome": "visit_stands", "note": "It works."},
    )

    assert response.status_code == 302
    assert response["Location"] == f"/manage/disputes/{booking.public_id}/"
    relay_pending()
    html = client.get(response["Location"]).content.decode()
    assert "The dispute is decided. Both sides are told." in html
    assert "Up to CHF 40.00 can still be refunded" in html


def _payment_state(html: str) -> str:
    import re

    return re.findall(r'<p id="payment-state">(.*?)</p>', html)[0]


def test_a_disputed_visit_without_a_card_says_it_was_never_held(client):
    booking = make_booking(BookingStatus.DISPUTED)
    assert Payment.objects.get(booking=booking).status == PaymentStatus.REQUIRES_PAYMENT_METHOD
    _logged_in(client, ManagerFactory.create())

    html = client.get(f"/manage/disputes/{booking.public_id}/").content.decode()

    price = f"CHF {booking.price_minor // 100}.{booking.price_minor % 100:02d}"
    # The visit is over: the card it waited for will not come
    assert _payment_state(html) == (
        f"No card was held: nothing of the {price} was charged, and nothing will be."
    )
    assert _money_of(html)["Held on the customer's card"] == "CHF 0.00"


def test_a_disputed_visit_with_a_hold_says_when_it_is_charged(client):
    booking = disputed_booking()
    _logged_in(client, ManagerFactory.create())

    html = client.get(f"/manage/disputes/{booking.public_id}/").content.decode()

    assert _payment_state(html) == (
        "CHF 40.00 is held on the customer's card; it is charged once the visit is signed off."
    )


def test_a_refused_refund_on_the_visit_page_comes_back_there_once_and_changes_nothing(client):
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    _logged_in(client, booking.helper.user)
    page = f"/helper/visits/{booking.public_id}/"
    calls = StripeRequest.objects.count()

    refused = client.post(page + "refund", {"refund-amount": "40.05", "refund-reason": "Sorry."})

    # Back on the visit's page at its own address, the amount and reason typed kept
    shown = shown_once(client, refused, page)
    assert _errors_of(shown, "id_refund-amount") == ["A refund must be between 0.01 and 40.00."]
    assert 'value="40.05"' in shown
    payment = Payment.objects.get(booking=booking)
    assert (payment.refunded_minor, StripeRequest.objects.count()) == (0, calls)
    assert not LedgerEntry.objects.filter(payment=payment, kind=LedgerKind.REFUNDED).exists()


def test_a_live_refresh_of_the_visit_page_leaves_the_refused_form_for_the_page(client):
    booking = completed(held_booking())
    bookings.booking_sign_off(booking=booking, actor=booking.help_request.customer)
    relay_pending()
    _logged_in(client, booking.helper.user)
    page = f"/helper/visits/{booking.public_id}/"
    refused = client.post(page + "refund", {"refund-amount": "40.05", "refund-reason": "Sorry."})

    # The page's own refresh (htmx) asks for its news before the browser shows the page
    news = client.get(page, HTTP_HX_REQUEST="true")

    assert news.status_code == 200
    assert "data-error-summary" not in news.content.decode()
    assert 'value="40.05"' in shown_once(client, refused, page)
