"""The community manager's view of a request's matching: whom each pass considered, and why.

Time is frozen on a Tuesday morning (as in tests/bookings/matching/test_match_request.py), so
the request window (Thursday 10:00–14:00, Swiss time) never depends on when the suite runs.
Helpers are placed due east of Zürich HB; their distances below are geopy's geodesics, rounded
to metres.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from backend.config import QuartierConfig
from backend.geo import Point, geodesic_m
from backend.models import User
from bookings import services
from bookings.models import HelpRequest, HelpRequestStatus, MatchingRun, Offer
from bookings.tasks import dispatch_offers
from helpers.models import HelperProfile
from tests.api.api_assertions import (
    API,
    assert_error,
    client_for,
    openapi_schema,
    results,
    row_counts,
)
from tests.factories import (
    PASSWORD,
    ZURICH,
    ManagerFactory,
    UserFactory,
    make_helper,
    offset,
    pending_offer,
    post_request,
)

pytestmark = pytest.mark.django_db

FROZEN_AT = datetime(2027, 2, 2, 9, 0, tzinfo=ZoneInfo("Europe/Zurich"))  # a Tuesday
MATCHING_PATH = "/api/v1/manager/help-requests/{request_id}/matching"


@pytest.fixture
def frozen_time():
    with time_machine.travel(FROZEN_AT, tick=False) as traveller:
        yield traveller


def logged_in(user: User) -> APIClient:
    """A client with the user's real API token, obtained by logging in with the password,
    asking for English answers (the users keep German, the messages below are English)."""
    response = APIClient().post(f"{API}/auth/token", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Token {response.json()['token']}", HTTP_ACCEPT_LANGUAGE="en"
    )
    return client


def matching_url(help_request: HelpRequest | str) -> str:
    request_id = help_request.public_id if isinstance(help_request, HelpRequest) else help_request
    return f"{API}/manager/help-requests/{request_id}/matching"


def home(helper: HelperProfile) -> Point:
    user = helper.user
    assert user.home_latitude is not None
    assert user.home_longitude is not None
    return Point(user.home_latitude, user.home_longitude)


def new_helper_score(distance_m: float, *, radius_km: float) -> float:
    """The score formula of bookings.matching.scoring for a helper without reviews or broken
    commitments (Bayesian rating = the prior mean, reliability 1.0)."""
    config: QuartierConfig = settings.QUARTIER
    closeness = 1.0 - distance_m / (radius_km * 1000.0)
    return (
        config.score_weight_distance * closeness
        + config.score_weight_rating * (config.rating_prior_mean - 1.0) / 4.0
        + config.score_weight_reliability * 1.0
    )


def three_helpers() -> dict[str, HelperProfile]:
    """Near Zürich HB: one who will be offered, one who shares no language with the customer,
    and one whose own service radius (2 km) does not reach the customer 3 km away."""
    return {
        "offered": make_helper(point=offset(ZURICH, east_m=1_000), display_name="Olivia Offered"),
        "no_language": make_helper(
            point=offset(ZURICH, east_m=2_000),
            languages=("fr", "it"),
            display_name="Louis Langue",
        ),
        "out_of_reach": make_helper(
            point=offset(ZURICH, east_m=3_000), radius_km=2, display_name="Rita Radius"
        ),
    }


def decline_and_dispatch(help_request: HelpRequest, helper: HelperProfile) -> None:
    """The helper declines; the worker's dispatch task then offers the request again."""
    services.offer_decline(
        offer=pending_offer(help_request, helper), actor=helper.user, reason="not_available"
    )
    dispatch_offers.call(help_request.pk)


def matching_state() -> dict[str, Any]:
    """Everything a refused call must leave as it was."""
    return {
        **row_counts(),
        "runs": list(
            MatchingRun.objects.order_by("pk").values_list(
                "pk", "help_request_id", "radius_km", "wanted", "offered", "considered"
            )
        ),
        "offers": sorted(Offer.objects.values_list("pk", "status")),
        "requests": sorted(HelpRequest.objects.values_list("pk", "status", "updated_at")),
    }


# --- What the manager sees ---------------------------------------------------------------------


def test_the_manager_sees_whom_the_matching_considered_and_why(frozen_time):
    # Given three helpers near Zürich HB, of whom only one can take the job
    helpers = three_helpers()
    customer = UserFactory.create(languages=["de", "en"])

    # When the customer asks for help at Zürich HB, and the manager looks at the matching
    help_request = post_request(customer, point=ZURICH)
    response = logged_in(ManagerFactory.create()).get(matching_url(help_request))

    # Then there is one pass, within the first 5 km: 3 offers wanted, 1 made, 3 examined
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    run = body["results"][0]
    assert datetime.fromisoformat(run.pop("created_at")) == FROZEN_AT
    considered = run.pop("considered")
    assert run == {
        "search_radius_km": 5.0,
        "offers_wanted": 3,
        "offers_made": 1,
        "helpers_examined": 3,
    }
    # And all three are listed, the offered one first, then by distance, each with the reason
    assert [round(geodesic_m(ZURICH, home(h))) for h in helpers.values()] == [1002, 2004, 3005]
    offered_score = round(
        new_helper_score(geodesic_m(ZURICH, home(helpers["offered"])), radius_km=5.0), 4
    )
    assert offered_score == 0.8248
    assert considered == [
        {
            "helper": str(helpers["offered"].public_id),
            "helper_name": "Olivia Offered",
            "distance_m": 1002,
            "score": 0.8248,
            "offered": True,
            "reason": "offered",
        },
        {
            "helper": str(helpers["no_language"].public_id),
            "helper_name": "Louis Langue",
            "distance_m": 2004,
            "score": None,
            "offered": False,
            "reason": "speaks none of the customer's languages",
        },
        {
            "helper": str(helpers["out_of_reach"].public_id),
            "helper_name": "Rita Radius",
            "distance_m": 3005,
            "score": None,
            "offered": False,
            "reason": "their service radius of 2 km does not reach 3.0 km",
        },
    ]
    # And the one offer made is the one the run says
    assert list(
        Offer.objects.filter(help_request=help_request).values_list("helper_id", "distance_m")
    ) == [(helpers["offered"].pk, 1002)]


def test_later_passes_come_first_and_say_who_was_already_asked(frozen_time):
    # Given the three helpers and a request; ten minutes later the offered helper declines
    helpers = three_helpers()
    help_request = post_request(UserFactory.create(languages=["de", "en"]), point=ZURICH)
    frozen_time.shift(timedelta(minutes=10))
    decline_and_dispatch(help_request, helpers["offered"])

    # When the manager looks at the matching
    rows = results(logged_in(ManagerFactory.create()).get(matching_url(help_request)))

    # Then the passes after the decline come first, widest last made: nobody is left up to
    # 25 km, so the request is unmatched; the first pass, which made the offer, comes last
    summary = [
        (
            datetime.fromisoformat(row["created_at"]),
            row["search_radius_km"],
            row["offers_wanted"],
            row["offers_made"],
            row["helpers_examined"],
        )
        for row in rows
    ]
    later = FROZEN_AT + timedelta(minutes=10)
    assert summary == [
        (later, 25.0, 3, 0, 3),
        (later, 20.0, 3, 0, 3),
        (later, 15.0, 3, 0, 3),
        (later, 10.0, 3, 0, 3),
        (later, 5.0, 3, 0, 3),
        (FROZEN_AT, 5.0, 3, 1, 3),
    ]
    help_request.refresh_from_db()
    assert help_request.status == HelpRequestStatus.UNMATCHED
    # And the later passes name the helper who declined as already asked
    assert [(c["helper_name"], c["offered"], c["reason"]) for c in rows[0]["considered"]] == [
        ("Olivia Offered", False, "already asked for this request"),
        ("Louis Langue", False, "speaks none of the customer's languages"),
        ("Rita Radius", False, "their service radius of 2 km does not reach 3.0 km"),
    ]
    assert [(c["helper_name"], c["offered"]) for c in rows[-1]["considered"]] == [
        ("Olivia Offered", True),
        ("Louis Langue", False),
        ("Rita Radius", False),
    ]


def test_a_helper_who_no_longer_exists_is_listed_with_a_null_helper(frozen_time):
    # Given a request matched against the three helpers, and one of them deleted since
    helpers = three_helpers()
    help_request = post_request(UserFactory.create(languages=["de", "en"]), point=ZURICH)
    helpers["no_language"].delete()

    # When the manager looks at the matching
    rows = results(logged_in(ManagerFactory.create()).get(matching_url(help_request)))

    # Then the deleted helper's row is still there, without a helper
    assert [
        (c["helper"], c["helper_name"], c["distance_m"], c["reason"]) for c in rows[0]["considered"]
    ] == [
        (str(helpers["offered"].public_id), "Olivia Offered", 1002, "offered"),
        (None, None, 2004, "speaks none of the customer's languages"),
        (
            str(helpers["out_of_reach"].public_id),
            "Rita Radius",
            3005,
            "their service radius of 2 km does not reach 3.0 km",
        ),
    ]


def test_a_request_not_matched_yet_has_no_runs(frozen_time):
    # Given a request whose runs are gone (as for one posted before runs were recorded)
    help_request = post_request(UserFactory.create(), point=ZURICH)
    MatchingRun.objects.filter(help_request=help_request).delete()

    # When the manager looks at the matching, then the list is empty
    response = logged_in(ManagerFactory.create()).get(matching_url(help_request))
    assert response.status_code == 200, response.content
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_the_helpers_of_every_run_load_in_one_query(frozen_time, django_assert_num_queries):
    # Given a request with one pass, and another with six passes naming three helpers each
    helpers = three_helpers()
    one_pass = post_request(UserFactory.create(languages=["de", "en"]), point=ZURICH)
    six_passes = post_request(UserFactory.create(languages=["de", "en"]), point=ZURICH)
    decline_and_dispatch(six_passes, helpers["offered"])
    assert MatchingRun.objects.filter(help_request=six_passes).count() == 6
    manager = logged_in(ManagerFactory.create())

    # When the manager reads each, then both cost the same queries: the token, the request and
    # its windows, the count, the page, and one for all the helpers named on the page
    for help_request, runs in ((one_pass, 1), (six_passes, 6)):
        with django_assert_num_queries(6):
            rows = results(manager.get(matching_url(help_request)))
        assert len(rows) == runs
        assert all(len(row["considered"]) == 3 for row in rows)


# --- Who may not -------------------------------------------------------------------------------


def test_customers_and_helpers_are_told_the_matching_does_not_exist(frozen_time):
    # Given a request matched against the three helpers
    helpers = three_helpers()
    customer = UserFactory.create(languages=["de", "en"])
    help_request = post_request(customer, point=ZURICH)
    before = matching_state()
    unknown = matching_url("00000000-0000-4000-8000-000000000000")

    for user in (customer, helpers["offered"].user, helpers["no_language"].user):
        # When the request's own customer, or a helper it considered, asks for its matching
        client = logged_in(user)
        response = client.get(matching_url(help_request))

        # Then it does not exist for them, word for word as a request that does not exist
        body = assert_error(response, 404, "not_found", set(), documented_in=("get", MATCHING_PATH))
        assert body["message"] == "No such help request."
        missing = client.get(unknown)
        assert (missing.status_code, missing.json()) == (404, body)
        # And nothing changed
        assert matching_state() == before

    # And without a token it is 401
    assert_error(
        APIClient().get(matching_url(help_request)),
        401,
        "not_authenticated",
        set(),
        documented_in=("get", MATCHING_PATH),
    )
    assert matching_state() == before


def test_an_unknown_request_is_404_for_the_manager():
    # Given a manager, when they ask for the matching of a request that does not exist
    response = logged_in(ManagerFactory.create()).get(
        matching_url("00000000-0000-4000-8000-000000000000")
    )

    # Then it is a 404 in the API's error shape, documented in the schema
    body = assert_error(response, 404, "not_found", set(), documented_in=("get", MATCHING_PATH))
    assert body == {"code": "not_found", "message": "No such help request.", "fields": {}}


def test_a_malformed_request_id_is_the_api_404():
    # When the id in the path is not a UUID, then no route matches: the API's JSON 404
    response = client_for(ManagerFactory.create()).get(matching_url("not-a-uuid"))
    assert_error(response, 404, "not_found", set())


# --- The helper's side: the offer explains itself ----------------------------------------------


def test_the_helper_sees_the_explanation_in_the_offer_list_and_detail(frozen_time):
    # Given the three helpers and a request, offered to one of them
    helpers = three_helpers()
    help_request = post_request(UserFactory.create(languages=["de", "en"]), point=ZURICH)
    offer = Offer.objects.get(help_request=help_request)
    client = logged_in(helpers["offered"].user)

    # When the helper reads their inbox and the offer itself
    listed = results(client.get(f"{API}/offers"))
    detail = client.get(f"{API}/offers/{offer.public_id}")

    # Then both carry the stored explanation, whole, and its summary in the reader's words
    assert detail.status_code == 200, detail.content
    assert [row["id"] for row in listed] == [str(offer.public_id)]
    summary = (
        "1.0 km, new helper, skilled in Internet & Wi-Fi, speaks German, English, "
        "free Thu 04.02. 10:00"
    )
    assert listed[0]["explanation"] == detail.json()["explanation"]
    # The distance to 100 m and no score: the helper does not know the customer's address yet
    shown = {name: value for name, value in offer.explanation.items() if name != "score"}
    assert detail.json()["explanation"] == {"summary": summary, **shown, "distance_m": 1000}
    assert listed[0]["distance_m"] == detail.json()["distance_m"] == 1000
    assert set(offer.explanation) == {
        "distance_m",
        "search_radius_km",
        "service_radius_km",
        "rating_average",
        "rating_count",
        "bayesian_rating",
        "reliability",
        "category",
        "shared_languages",
        "free_from",
        "free_until",
        "score",
    }
    assert offer.explanation["distance_m"] == 1002
    assert offer.explanation["score"] == 0.8248


def test_the_schema_says_what_an_explanation_contains():
    # Given the Offer component of the schema, as the helper's app sees it
    description = openapi_schema()["components"]["schemas"]["Offer"]["properties"]["explanation"][
        "description"
    ]

    # Then every key the helper's offer may carry is named, the distance as rounded
    for key in (
        "summary",
        "distance_m",
        "search_radius_km",
        "service_radius_km",
        "rating_average",
        "rating_count",
        "bayesian_rating",
        "reliability",
        "category",
        "shared_languages",
        "free_from",
        "free_until",
        "offers_today",
        "chosen_over_busier",
        "new_helper_bonus",
    ):
        assert f"`{key}`" in description, key
    assert "`distance_m`: the distance, rounded to the nearest 100 m;" in description
    assert "`score`" not in description


def test_the_managers_schema_says_what_an_explanation_contains():
    # Given the manager's offer component of the schema
    schemas = openapi_schema()["components"]["schemas"]
    description = schemas["ManagerOffer"]["properties"]["explanation"]["description"]

    # Then every key the matching may write is named
    for key in (
        "summary",
        "distance_m",
        "search_radius_km",
        "service_radius_km",
        "rating_average",
        "rating_count",
        "bayesian_rating",
        "reliability",
        "category",
        "shared_languages",
        "free_from",
        "free_until",
        "score",
        "offers_today",
        "chosen_over_busier",
        "new_helper_bonus",
    ):
        assert f"`{key}`" in description, key


# --- The back office shows the same --------------------------------------------------------------


def test_the_back_office_shows_the_same_reasons(frozen_time, client):
    # Given a request matched against the three helpers
    helpers = three_helpers()
    help_request = post_request(UserFactory.create(languages=["de", "en"]), point=ZURICH)
    client.force_login(ManagerFactory.create(preferred_language="en"))

    # When the manager (who reads English) opens the request in the back office
    response = client.get(reverse("admin:bookings_helprequest_change", args=(help_request.pk,)))

    # Then the pass is there with each helper linked, how far, the score and why
    assert response.status_code == 200
    page = response.content.decode()
    assert "within 5 km · 1 of 3 offers made · 3 helpers examined" in page
    rows = re.findall(r"<tr>" + r"<td>(.*?)</td>" * 5 + "</tr>", page)
    links = {
        name: f'<a href="{reverse("admin:helpers_helperprofile_change", args=(h.pk,))}">'
        for name, h in helpers.items()
    }
    assert rows == [
        (links["offered"] + "Olivia Offered</a>", "1.0 km", "0.8248", "yes", "offered"),
        (
            links["no_language"] + "Louis Langue</a>",
            "2.0 km",
            "—",
            "no",
            "speaks none of the customer&#x27;s languages",
        ),
        (
            links["out_of_reach"] + "Rita Radius</a>",
            "3.0 km",
            "—",
            "no",
            "their service radius of 2 km does not reach 3.0 km",
        ),
    ]
