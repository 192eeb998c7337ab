"""The helper reads why an offer came to them in the API's language: the figures the matching
stored, written when read, with the languages named in words (never "de, fr")."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from backend.models import User
from bookings.models import Offer
from bookings.offer_summary import distance_for_helper
from tests.api.api_assertions import results
from tests.factories import PASSWORD, UserFactory, make_helper, post_request

pytestmark = pytest.mark.django_db

API = "/api/v1"
SWISS = ZoneInfo("Europe/Zurich")
# A Monday; the request asks for Monday the 8th at 10:00.
NOW = datetime(2027, 2, 1, 9, 0, tzinfo=SWISS)
START = datetime(2027, 2, 8, 10, 0, tzinfo=SWISS)


@pytest.fixture(autouse=True)
def frozen_time():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _token_client(user: User, accept_language: str | None) -> APIClient:
    response = APIClient().post(f"{API}/auth/token", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.content
    client = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"Token {response.json()['token']}"}
    if accept_language is not None:
        headers["HTTP_ACCEPT_LANGUAGE"] = accept_language
    client.credentials(**headers)
    return client


def _offered_helper(preferred_language: str = "de") -> tuple[User, Offer]:
    helper = make_helper(
        languages=("de", "fr", "it"), rating=(4, 18), preferred_language=preferred_language
    )
    customer = UserFactory.create(languages=["fr", "it"])
    help_request = post_request(customer, start=START, hours=2, languages=["fr", "it"])
    return helper.user, Offer.objects.get(help_request=help_request, helper=helper)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        (
            "de",
            "0,4 km, 4,5★ aus 4 Bewertungen, Kenntnisse in Internet & WLAN, "
            "spricht Französisch, Italienisch, frei am Mo 08.02. 10:00",
        ),
        (
            "it",
            "0,4 km, 4,5★ da 4 recensioni, competente in Internet & Wi-Fi, "
            "parla francese, italiano, disponibile: lun 08.02. 10:00",
        ),
        (
            "en",
            "0.4 km, 4.5★ from 4 reviews, skilled in Internet & Wi-Fi, "
            "speaks French, Italian, free Mon 08.02. 10:00",
        ),
    ],
)
def test_the_offer_explains_itself_in_the_api_language(accept_language, expected):
    user, offer = _offered_helper()
    client = _token_client(user, accept_language)

    listed = results(client.get(f"{API}/offers"))
    detail = client.get(f"{API}/offers/{offer.public_id}").json()

    assert listed[0]["explanation"]["summary"] == detail["explanation"]["summary"] == expected
    # The figures beside it stay as stored: codes, not words (the distance to 100 m, and no
    # score, for the helper who does not know the address yet).
    assert detail["explanation"]["shared_languages"] == ["fr", "it"]
    stored = {name: value for name, value in offer.explanation.items() if name != "score"}
    rounded = distance_for_helper(offer.explanation["distance_m"])
    assert {**detail["explanation"], "summary": None} == {
        **stored,
        "summary": None,
        "distance_m": rounded,
    }


def test_without_accept_language_the_helper_reads_their_own_language():
    user, offer = _offered_helper(preferred_language="it")

    detail = _token_client(user, None).get(f"{API}/offers/{offer.public_id}").json()

    assert detail["explanation"]["summary"].startswith("0,4 km, 4,5★ da 4 recensioni, ")
    assert "parla francese, italiano" in detail["explanation"]["summary"]


def test_an_offer_stores_figures_and_codes_not_words():
    _user, offer = _offered_helper()

    assert "summary" not in offer.explanation
    assert offer.explanation["shared_languages"] == ["fr", "it"]
