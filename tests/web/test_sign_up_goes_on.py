"""Someone who follows "Become a helper" without an account signs up from the log-in page and,
once the address is confirmed, lands on the application, not on a customer's requests; the
home address the application asks for first leads back to it once saved."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from backend.models import User
from tests.factories import UserFactory
from tests.web.refusals import refused_page
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

SIGN_UP = {
    "display_name": "Nicole Favre",
    "email": "nicole@example.ch",
    "password": "a-long-Passphrase-9",
    "languages": ["fr"],
}


def _confirm(client) -> str:
    found = re.search(r"token=(\S+)", str(mail.outbox[-1].body))
    assert found is not None
    token = found.group(1)
    return client.post("/verify-email", {"token": token}).headers["Location"]


def test_become_a_helper_leads_through_sign_up_to_the_application(
    client, django_capture_on_commit_callbacks
):
    log_in = client.get("/helper/apply", follow=True)
    assert log_in.redirect_chain == [("/log-in?next=/helper/apply", 302)]
    assert 'href="/sign-up?next=/helper/apply"' in log_in.content.decode()
    sign_up = client.get("/sign-up?next=/helper/apply").content.decode()
    assert '<input type="hidden" name="next" value="/helper/apply">' in sign_up
    assert 'href="/log-in?next=/helper/apply"' in sign_up
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/sign-up", {**SIGN_UP, "next": "/helper/apply"})

    assert _confirm(client) == "/helper/apply"
    assert client.get("/helper/apply").status_code == 200


def test_sign_up_without_a_page_to_go_on_to_lands_on_the_requests(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/sign-up", SIGN_UP)

    assert _confirm(client) == "/requests/"


def test_sign_up_does_not_go_on_to_another_site(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/sign-up", {**SIGN_UP, "next": "https://evil.example/helper/apply"})

    assert _confirm(client) == "/requests/"
    assert User.objects.get(email="nicole@example.ch").email_verified_at is not None


def test_a_refused_sign_up_keeps_the_page_to_go_on_to_and_remembers_nothing(client):
    refused = client.post("/sign-up", {**SIGN_UP, "password": "12345", "next": "/helper/apply"})

    page = refused_page(client, refused, "/sign-up?next=%2Fhelper%2Fapply")
    assert '<input type="hidden" name="next" value="/helper/apply">' in page
    assert "after_sign_up" not in client.session
    assert not User.objects.filter(email="nicole@example.ch").exists()


def test_the_address_asked_for_by_the_application_leads_back_to_it(client):
    user = UserFactory.create(
        home_street="",
        home_postal_code="",
        home_locality="",
        home_latitude=None,
        home_longitude=None,
        home_location=None,
    )
    _logged_in(client, user)
    apply = client.get("/helper/apply").content.decode()
    assert 'href="/profile?next=/helper/apply"' in apply
    profile = client.get("/profile?next=/helper/apply").content.decode()
    assert '<input type="hidden" name="next" value="/helper/apply">' in profile

    saved = client.post(
        "/profile",
        {
            "display_name": "Nicole Favre",
            "languages": ["fr"],
            "preferred_language": "fr",
            "home_street": "Rue de Lausanne 12",
            "home_postal_code": "1700",
            "home_locality": "Fribourg",
            "next": "/helper/apply",
        },
    )

    assert (saved.status_code, saved.headers["Location"]) == (302, "/helper/apply")
    user.refresh_from_db()
    assert (user.home_postal_code, user.home_locality) == ("1700", "Fribourg")
    assert 'href="/profile?next=/helper/apply"' not in client.get("/helper/apply").content.decode()
