"""A helper reads an offer before they know where the customer lives: the distance reaches them
rounded to 100 m, on the API as on their page, and the score (the distance in another form)
not at all. Two accounts at two places could otherwise narrow a home down from exact
distances. The manager keeps the exact figures."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bookings.models import Offer
from bookings.offer_summary import distance_for_helper
from tests.api.api_assertions import API, client_for, openapi_schema, results
from tests.factories import ManagerFactory, UserFactory, make_helper, post_request

pytestmark = pytest.mark.django_db


def offer_at(distance_m: int) -> Offer:
    """An offer to a new helper whose stored distance is `distance_m` (as the matching keeps
    it, exact to the metre)."""
    helper = make_helper(preferred_language="en")
    help_request = post_request(UserFactory.create(languages=["de", "en"]))
    offer = Offer.objects.get(help_request=help_request, helper=helper)
    explanation = {**offer.explanation, "distance_m": distance_m, "score": 0.8731}
    Offer.objects.filter(pk=offer.pk).update(distance_m=distance_m, explanation=explanation)
    offer.refresh_from_db()
    return offer


@pytest.mark.parametrize(
    ("exact", "shown"), [(1349, 1300), (1350, 1400), (1361, 1400), (49, 0), (12_050, 12_100)]
)
def test_a_distance_is_rounded_to_the_nearest_100_m(exact: int, shown: int) -> None:
    assert distance_for_helper(exact) == shown


def test_the_helpers_api_gives_the_distance_to_100_m_and_no_score() -> None:
    # Given an offer 1361 m from the helper's home
    offer = offer_at(1361)
    client = client_for(offer.helper.user)

    # When the helper reads their inbox and the offer
    listed = results(client.get(f"{API}/offers"))
    detail = client.get(f"{API}/offers/{offer.public_id}").json()

    # Then both say 1400 m, in the offer and in its explanation, and carry no score
    for answer in (listed[0], detail):
        assert answer["distance_m"] == 1400
        assert answer["explanation"]["distance_m"] == 1400
        assert "score" not in answer["explanation"]
        assert answer["explanation"]["summary"].startswith("1.4 km, new helper, ")
    # And the stored figures stay exact, for the matching and the manager
    offer.refresh_from_db()
    assert (offer.distance_m, offer.explanation["distance_m"]) == (1361, 1361)
    assert offer.explanation["score"] == 0.8731


def test_the_helpers_answer_to_a_decline_is_rounded_too() -> None:
    offer = offer_at(2049)

    answer = client_for(offer.helper.user).post(f"{API}/offers/{offer.public_id}/decline", {})

    assert answer.status_code == 200, answer.content
    assert (answer.json()["distance_m"], answer.json()["explanation"]["distance_m"]) == (2000, 2000)
    assert "score" not in answer.json()["explanation"]


def test_the_manager_reads_the_exact_distance_and_the_score() -> None:
    offer = offer_at(1361)

    answer = client_for(ManagerFactory.create()).get(
        f"{API}/manager/help-requests/{offer.help_request.public_id}/offers"
    )

    assert answer.status_code == 200, answer.content
    row = next(row for row in results(answer) if row["id"] == str(offer.public_id))
    assert (row["distance_m"], row["explanation"]["distance_m"]) == (1361, 1361)
    assert row["explanation"]["score"] == 0.8731


def test_the_helpers_page_says_the_same_distance_as_the_api(client: Client) -> None:
    # Given an offer 1361 m away (the page used to cut it to "1.3 km", the API said 1361)
    offer = offer_at(1361)
    client.force_login(offer.helper.user)

    page = client.get(reverse("web:helper-home"), HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    assert "1.4 km from you" in page.content.decode()
    assert "1.3 km from you" not in page.content.decode()


def test_the_schema_says_the_helper_reads_a_rounded_distance() -> None:
    offer = openapi_schema()["components"]["schemas"]["Offer"]["properties"]["distance_m"]
    assert offer["type"] == "integer"
    assert offer["description"].startswith(
        "How far the request is, in metres, rounded to the nearest 100 m:"
    )
