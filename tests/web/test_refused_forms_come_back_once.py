"""Every refused form of the customer (and of anyone logging in or signing up) answers with a redirect to the page it stands on (post,
redirect, get): that page shows the form once, as it was sent (not the passwords, nor the card)
with its problems above it, and a reload only reloads the page, where a page rendered as the
answer to the POST would have the browser send the form again. A refusal writes nothing."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.core import mail
from pytest_django import Settings

from backend.models import User
from backend.password_reset import password_reset_token
from bookings.models import Booking, BookingStatus, HelpRequest, Review, SafetyReport, TimeWindow
from catalogue.models import LegalAcceptance, LegalDocument, LegalDocumentKind
from payments.models import Payment, StripeRequest, Tip
from tests.factories import PASSWORD, ManagerFactory, UserFactory, make_booking, publish
from tests.payments.money import connected_helper
from tests.payments.test_money_pages import settled_booking
from tests.payments.test_tip_twint import _paid_with_twint
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in, _request_form
from tests.web.test_request_other_times import _day, _times, _unmatched, _windows

pytestmark = pytest.mark.django_db

KEPT = "kept_form"


@pytest.fixture(autouse=True)
def _stripe_at_the_emulator(stripe_emulator: str, settings: Settings) -> None:
    """The tip and card forms reach Stripe (the local emulator) once they are valid."""
    settings.QUARTIER = settings.QUARTIER.with_values(
        stripe_api_base=stripe_emulator, stripe_secret_key="", stripe_timeout_seconds=5.0
    )


def _page(booking) -> str:
    return f"/requests/{booking.help_request.public_id}/"


def test_other_times_refused_come_back_once_with_the_days_chosen(client):
    help_request, page = _unmatched(client)
    before = (_windows(help_request), TimeWindow.objects.count())

    response = client.post(f"{page}times", _times(**{"times-day_2": _day(3)}))

    html = shown_once(client, response, page)
    assert _errors_of(html, "id_times-slot_2") == [
        "Wählen Sie Tag und Zeit, oder keines von beiden."
    ]
    assert f'<option value="{_day(3)}" selected>' in html
    help_request.refresh_from_db()
    assert (help_request.status, help_request.rematch_count) == ("unmatched", 0)
    assert (_windows(help_request), TimeWindow.objects.count()) == before


def test_terms_refused_come_back_once_with_the_boxes_ticked_and_the_name(client):
    customer = UserFactory.create()
    booking = make_booking(BookingStatus.PROPOSED, customer=customer)
    LegalAcceptance.objects.filter(user=customer).delete()
    manager = ManagerFactory.create()
    terms, waiver = (
        publish(LegalDocument.objects.create(slug=slug, kind=kind), manager)
        for slug, kind in (
            ("terms", LegalDocumentKind.CUSTOMER_TERMS),
            ("data-safety", LegalDocumentKind.DATA_SAFETY_WAIVER),
        )
    )
    _logged_in(client, customer)
    page = _page(booking)

    response = client.post(
        f"{page}waivers",
        {
            f"waivers-accept_{terms.pk}": "on",
            f"waivers-shown_{terms.pk}": terms.sha256_in("en"),
            f"waivers-shown_{waiver.pk}": waiver.sha256_in("en"),
            "waivers-on_behalf_name": "Rosa Keller",
        },
    )

    html = shown_once(client, response, page)
    assert _errors_of(html, f"id_waivers-accept_{waiver.pk}") == ["Tick this box to accept it."]
    assert _errors_of(html, f"id_waivers-accept_{terms.pk}") == []
    assert re.search(rf'name="waivers-accept_{terms.pk}"[^>]* checked', html)
    assert not re.search(rf'name="waivers-accept_{waiver.pk}"[^>]* checked', html)
    assert 'value="Rosa Keller"' in html
    assert LegalAcceptance.objects.count() == 0
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.PROPOSED


def test_a_review_without_stars_comes_back_once_with_its_words(client):
    booking = make_booking(BookingStatus.SIGNED_OFF)
    _logged_in(client, booking.help_request.customer)

    response = client.post(f"{_page(booking)}review", {"review-text": "Patient and kind."})

    html = shown_once(client, response, _page(booking))
    assert _errors_of(html, "id_review-rating") == ["This field is required."]
    assert "Patient and kind.</textarea>" in html
    assert Review.objects.count() == 0


def test_a_safety_report_without_words_comes_back_once_with_what_happened(client):
    booking = make_booking(BookingStatus.COMPLETED)
    _logged_in(client, booking.help_request.customer)

    response = client.post(f"{_page(booking)}safety-report", {"safety-category": "damage"})

    html = shown_once(client, response, _page(booking))
    assert _errors_of(html, "id_safety-text") == ["This field is required."]
    assert re.search(r'name="safety-category" value="damage"[^>]* checked', html)
    assert SafetyReport.objects.count() == 0


def test_a_tip_the_service_refuses_comes_back_once_with_its_amount_not_its_card(client):
    booking = settled_booking()
    _logged_in(client, booking.help_request.customer)
    before = (Tip.objects.count(), StripeRequest.objects.count())

    response = client.post(
        f"{_page(booking)}tip", {"tip-amount": "0.50", "tip-payment_method": "pm_typed_card"}
    )

    assert "pm_typed_card" not in str(client.session[KEPT])
    html = shown_once(client, response, _page(booking))
    assert _errors_of(html, "id_tip-amount") == ["A tip must be between CHF 1.00 and CHF 200.00."]
    assert 'value="0.50"' in html
    assert "pm_typed_card" not in html
    assert (Tip.objects.count(), StripeRequest.objects.count()) == before


def test_an_empty_card_comes_back_once_and_no_card_is_kept(client):
    booking = make_booking(BookingStatus.PROPOSED, helper=connected_helper())
    _logged_in(client, booking.help_request.customer)
    before = StripeRequest.objects.count()

    response = client.post(f"{_page(booking)}card", {"card-payment_method": " "})

    assert client.session[KEPT]["data"] == {}
    html = shown_once(client, response, _page(booking))
    assert _errors_of(html, "id_card-payment_method") == ["Enter your card&#x27;s details."]
    assert not Payment.objects.filter(booking=booking).exists()
    assert StripeRequest.objects.count() == before


def test_a_tip_with_twint_refused_comes_back_once_on_the_pay_page():
    booking, browser = _paid_with_twint()
    page = f"/requests/{booking.help_request.public_id}/pay"
    before = (Tip.objects.count(), StripeRequest.objects.count())

    response = browser.post(f"{page}/tip", {"tip-amount": "-3"})

    html = shown_once(browser, response, page)
    assert _errors_of(html, "id_tip-amount") == [
        "Ensure this value is greater than or equal to 0.01."
    ]
    assert 'value="-3"' in html
    assert (Tip.objects.count(), StripeRequest.objects.count()) == before


def test_a_new_request_refused_comes_back_once_with_what_was_typed(client):
    customer = UserFactory.create()
    _logged_in(client, customer)

    response = client.post(
        "/requests/new",
        _request_form(description="Help", for_someone_else="on", on_behalf_name="Rosa Muster"),
    )

    html = shown_once(client, response, "/requests/new")
    assert _errors_of(html, "id_description") == [
        "Describe the problem in a few words (at least 10 characters)."
    ]
    assert "Help</textarea>" in html
    assert 'value="Rosa Muster"' in html
    assert 'name="for_someone_else" id="id_for_someone_else" checked' in html
    assert (HelpRequest.objects.count(), TimeWindow.objects.count()) == (0, 0)


def test_the_profile_refused_comes_back_once_with_what_was_typed_and_where_to_go_on(client):
    user = UserFactory.create(display_name="Anna Muster")
    _logged_in(client, user)
    before = User.objects.values().get(pk=user.pk)
    page = "/profile?next=%2Fhelper%2Fapplication"

    response = client.post(
        "/profile?next=/helper/application",
        {
            "display_name": "Anna Neu",
            "phone": "call me",
            "languages": ["de"],
            "preferred_language": "en",
        },
    )

    html = shown_once(client, response, page)
    assert _errors_of(html, "id_phone") == [
        "This is not a phone number. Write it with digits, for example 091 123 45 67 or "
        "+41 79 123 45 67."
    ]
    assert 'value="Anna Neu"' in html
    assert 'value="call me"' in html
    assert '<input type="hidden" name="next" value="/helper/application">' in html
    assert User.objects.values().get(pk=user.pk) == before


def test_a_password_change_refused_comes_back_once_without_the_passwords(client):
    user = UserFactory.create()
    _logged_in(client, user)

    response = client.post(
        "/password", {"current_password": "guess-it-1", "new_password": "brand-New-secret-7"}
    )

    kept = str(client.session[KEPT])
    assert "guess-it-1" not in kept
    assert "brand-New-secret-7" not in kept
    html = shown_once(client, response, "/password")
    assert _errors_of(html, "id_current_password") == ["This is not your current password."]
    assert "guess-it-1" not in html
    assert "brand-New-secret-7" not in html
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_the_live_pages_redraw_leaves_the_refused_form_for_the_page_itself(client):
    booking = make_booking(BookingStatus.CONFIRMED)
    _logged_in(client, booking.help_request.customer)
    page = _page(booking)

    response = client.post(f"{page}cancel", {"cancel-reason": " "})
    # The page's poll (htmx) asks for its news meanwhile: a fragment, without the form
    assert "data-error-summary" not in client.get(page, HTTP_HX_REQUEST="true").content.decode()

    html = shown_once(client, response, page)
    assert _errors_of(html, "id_cancel-reason") == ["This field is required."]
    assert Booking.objects.get(pk=booking.pk).status == BookingStatus.CONFIRMED


def test_a_refused_log_in_comes_back_once_with_the_address_not_the_password(client):
    UserFactory.create(email="anna@example.ch")
    page = "/log-in?next=%2Frequests%2Fnew"

    response = client.post(
        "/log-in?next=/requests/new",
        {"email": "anna@example.ch", "password": "guess-it-2", "next": "/requests/new"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )

    assert "guess-it-2" not in str(client.session[KEPT])
    html = shown_once(client, response, page, HTTP_ACCEPT_LANGUAGE="fr")
    assert "L’adresse e-mail ou le mot de passe est incorrect." in html
    assert 'value="anna@example.ch"' in html
    assert '<input type="hidden" name="next" value="/requests/new">' in html
    assert "guess-it-2" not in html
    assert "_auth_user_id" not in client.session


def test_a_refused_sign_up_comes_back_once_without_the_password(client):
    response = client.post(
        "/sign-up",
        {"display_name": "Anna Muster", "email": "anna@example.ch", "password": "12345"},
    )

    assert "12345" not in str(client.session[KEPT])
    html = shown_once(client, response, "/sign-up")
    assert _errors_of(html, "id_languages") == ["This field is required."]
    assert 'value="Anna Muster"' in html
    assert 'value="anna@example.ch"' in html
    assert not User.objects.exists()


def test_a_refused_new_password_comes_back_once_on_the_links_page(client):
    user = UserFactory.create(email="annamuster@example.ch")
    token = password_reset_token(user)
    page = f"/password-reset?{urlencode({'token': token})}"

    response = client.post("/password-reset", {"token": token, "password": "annamuster1"})

    assert "annamuster1" not in str(client.session[KEPT])
    html = shown_once(client, response, page)
    assert _errors_of(html, "id_password") == [
        "The password is too similar to your e-mail address."
    ]
    assert f'name="token" value="{token}"' in html
    assert User.objects.get(pk=user.pk).check_password(PASSWORD)


def test_asking_for_a_link_with_no_address_comes_back_once(client):
    response = client.post("/password-reset", {"email": "anna@"})

    html = shown_once(client, response, "/password-reset")
    assert _errors_of(html, "id_email") == [
        "Enter the whole e-mail address, for example anna.muster@example.ch."
    ]
    assert 'value="anna@"' in html
    assert mail.outbox == []
