"""A postcode typed one digit wrong belongs to another locality: the profile and the request form
say which ("Lugano is not at 6999; 6999 is Astano"), as the directory and the API do, so the
person sees the slip. They said only "This postcode does not belong to this locality", which
leaves someone sure of their own address with nothing to mend."""

from __future__ import annotations

import pytest

from backend.models import User
from bookings.models import HelpRequest
from tests.factories import UserFactory
from tests.web.refusals import refused_page
from tests.web.test_pages import _errors_of, _logged_in, _request_form

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Lugano is not at 6999; 6999 is Astano."),
        ("it", "Lugano non ha il NPA 6999; 6999 è il NPA di Astano."),
    ],
)
def test_the_profile_names_the_locality_of_the_postcode_typed(client, language, expected):
    user = UserFactory.create(display_name="Maria Rossi")
    _logged_in(client, user, language)
    before = User.objects.values().get(pk=user.pk)

    response = client.post(
        "/profile",
        {
            "display_name": "Maria Rossi",
            "phone": "",
            "languages": ["it"],
            "preferred_language": language,
            "home_street": "Via Nassa 5",
            "home_postal_code": "6999",
            "home_locality": "Lugano",
        },
    )

    html = refused_page(client, response, "/profile")
    assert _errors_of(html, "id_home_locality") == [expected]
    assert _errors_of(html, "id_home_postal_code") == []
    assert User.objects.values().get(pk=user.pk) == before


def test_the_request_form_names_the_locality_of_the_postcode_typed(client):
    customer = UserFactory.create()
    _logged_in(client, customer)

    response = client.post(
        "/requests/new",
        _request_form(
            place="other", street="Avenue de Cour 12", postal_code="1004", locality="Pully"
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert _errors_of(refused_page(client, response, "/requests/new"), "id_locality") == [
        "Pully is not at 1004; 1004 is Lausanne."
    ]
    assert not HelpRequest.objects.exists()
