"""Signing up, the profile and the helper's application say every problem in one round: the
form's own (a field left empty, a number that is none) together with the services' rules run on
the fields that passed (a weak password, a phone that is no number, an unknown postcode, a
radius out of bounds), and a refused form writes nothing and keeps what was typed."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.core import mail

from backend.models import User
from backend.password_reset import password_reset_token
from helpers.models import HelperProfile
from tests.factories import PASSWORD, UserFactory
from tests.web.refusals import refused_page
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db


def test_sign_up_says_a_missing_language_and_a_weak_password_at_once(client):
    response = client.post(
        "/sign-up",
        {"display_name": "Anna Muster", "email": "anna@example.ch", "password": "12345"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = refused_page(client, response, "/sign-up")
    assert _errors_of(html, "id_languages") == ["This field is required."]
    assert _errors_of(html, "id_password") == [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert 'value="Anna Muster"' in html
    assert 'value="anna@example.ch"' in html
    assert not User.objects.filter(email="anna@example.ch").exists()
    assert mail.outbox == []


def test_the_profile_says_an_empty_name_a_wrong_phone_and_an_unknown_postcode_at_once(client):
    user = UserFactory.create(display_name="Anna Muster", phone="+41 79 123 45 67")
    _logged_in(client, user)
    before = User.objects.values().get(pk=user.pk)

    response = client.post(
        "/profile",
        {
            "display_name": "",
            "phone": "call me",
            "languages": ["de"],
            "preferred_language": "en",
            "home_street": "Nowhere 1",
            "home_postal_code": "9999",
            "home_locality": "Nirgendwo",
        },
    )

    html = refused_page(client, response, "/profile")
    assert _errors_of(html, "id_display_name") == ["This field is required."]
    assert _errors_of(html, "id_phone") == [
        "This is not a phone number. Write it with digits, for example 091 123 45 67 or "
        "+41 79 123 45 67."
    ]
    assert _errors_of(html, "id_home_postal_code") == ["We do not know this postcode."]
    assert 'value="call me"' in html
    assert 'value="9999"' in html
    assert User.objects.values().get(pk=user.pk) == before


def test_the_helper_application_says_missing_skills_and_a_radius_out_of_bounds_at_once(client):
    user = UserFactory.create(languages=["de", "en"])
    _logged_in(client, user)

    response = client.post(
        "/helper/apply",
        {
            "skills": [],
            "service_radius_km": "80",
            "hourly_rate": "4",
            "languages": ["it"],
            "bio": "Retired electrician.",
        },
    )

    html = refused_page(client, response, "/helper/apply")
    assert _errors_of(html, "id_skills") == ["This field is required."]
    assert _errors_of(html, "id_service_radius_km") == ["Choose from 1 to 50 km."]
    assert _errors_of(html, "id_hourly_rate") == [
        "The hourly rate must be 0 (you help for free) or between 10 and 500 francs."
    ]
    assert "Retired electrician.</textarea>" in html
    assert not HelperProfile.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert user.languages == ["de", "en"]


def test_the_password_change_says_a_missing_current_password_and_a_weak_new_one_at_once(client):
    user = UserFactory.create()
    _logged_in(client, user)

    response = client.post("/password", {"current_password": "", "new_password": "12345678"})

    html = refused_page(client, response, "/password")
    assert _errors_of(html, "id_current_password") == ["This field is required."]
    assert _errors_of(html, "id_new_password") == [
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_helper_application_says_missing_skills_and_a_missing_home_address_at_once(client):
    user = UserFactory.create(
        languages=["de", "en"],
        home_street="",
        home_postal_code="",
        home_locality="",
        home_latitude=None,
        home_longitude=None,
        home_location=None,
    )
    _logged_in(client, user)
    before = User.objects.values().get(pk=user.pk)

    response = client.post(
        "/helper/apply",
        {
            "skills": [],
            "service_radius_km": "10",
            "hourly_rate": "40",
            "languages": ["it"],
            "bio": "Retired electrician.",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    html = refused_page(client, response, "/helper/apply", HTTP_ACCEPT_LANGUAGE="en")
    assert _errors_of(html, "id_skills") == [
        "This field is required.",
        "Set your home address in your profile first.",
    ]
    assert "Retired electrician.</textarea>" in html
    assert not HelperProfile.objects.filter(user=user).exists()
    assert User.objects.values().get(pk=user.pk) == before


def test_the_password_reset_says_a_password_like_the_e_mail_address_on_the_first_try(client):
    """The reset page has one field to fill in: the rules that need the account (not like its
    e-mail address) are said on the first answer, with nothing changed."""
    user = UserFactory.create(email="annamuster@example.ch")
    token = password_reset_token(user)

    response = client.post(
        "/password-reset",
        {"token": token, "password": "annamuster1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    page = refused_page(client, response, f"/password-reset?{urlencode({'token': token})}")
    assert _errors_of(page, "id_password") == [
        "The password is too similar to your e-mail address."
    ]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
