"""The console's figures: who waits for the manager, visits by state page by page, requests
and the match rate per Swiss day, and the map's GeoJSON (localities, never addresses)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.utils import timezone

from backend.config import QuartierConfig
from backend.localities import resolve_locality
from bookings.console import (
    HELPER_COUNTS_SECONDS,
    helpers_by_locality,
    requests_by_locality,
    requests_per_day,
)
from bookings.models import BookingStatus, HelpRequest
from helpers.models import ApprovalStatus
from helpers.services import application_invite_to_interview
from tests.factories import (
    ZURICH,
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    offset,
    post_request,
    vet,
)
from tests.web.test_manage_pages import _queries
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db

BERN = resolve_locality(postal_code="3011", locality="Bern").point
ZURICH_CENTRE = resolve_locality(postal_code="8001", locality="Zürich").point
ROUTES = (
    "/manage/bookings/",
    "/manage/map/",
    "/manage/map/helpers.geojson",
    "/manage/map/requests.geojson",
)


def _posted_at(help_request: HelpRequest, moment: datetime) -> HelpRequest:
    """Date a request back: the figures count by the day it was posted."""
    HelpRequest.objects.filter(pk=help_request.pk).update(created_at=moment)
    return help_request


@pytest.mark.parametrize("who", ["anonymous", "customer", "helper"])
def test_nobody_but_a_manager_sees_the_figures_or_the_map(client, who):
    helper = make_helper()
    if who == "customer":
        _logged_in(client, UserFactory.create())
    elif who == "helper":
        _logged_in(client, helper.user)
    for path in ROUTES:
        response = client.get(path)
        if who == "anonymous":
            assert response.status_code == 302, path
            assert response.headers["Location"] == f"/log-in?next={path}", path
        else:
            assert response.status_code == 404, path
    customer = UserFactory.create()
    assert requests_per_day(customer, days=7) == []
    assert helpers_by_locality(customer) == []
    assert requests_by_locality(customer, days=7) == []


def test_the_dashboard_counts_applicants_waiting_for_the_manager_at_each_step(client):
    manager = ManagerFactory.create()
    make_helper(approval=ApprovalStatus.APPLIED)  # the applicant acts next: not counted
    vet(make_helper(approval=ApprovalStatus.APPLIED), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    vet(make_helper(approval=ApprovalStatus.APPLIED), to=ApprovalStatus.DOCUMENTS_SUBMITTED)
    vet(make_helper(approval=ApprovalStatus.APPLIED), to=ApprovalStatus.DOCUMENTS_CHECKED)
    passed = vet(
        make_helper(approval=ApprovalStatus.APPLIED), to=ApprovalStatus.CONDUCT_TEST_PASSED
    )
    interviewed = vet(
        make_helper(approval=ApprovalStatus.APPLIED), to=ApprovalStatus.CONDUCT_TEST_PASSED
    )
    application_invite_to_interview(helper=interviewed, actor=manager)
    _logged_in(client, manager)
    response = client.get("/manage/")
    assert response.context["figures"]["helpers_waiting"] == {
        "documents_submitted": 2,
        "conduct_test_passed": 1,
        "interview": 1,
    }
    html = response.content.decode()
    tile = '<a href="/manage/helpers/?status={}"><span class="figure">{}</span> {}</a>'
    assert tile.format("documents_submitted", 2, "applications with documents to check") in html
    assert tile.format(
        "conduct_test_passed", 1, "application to decide after the conduct test"
    ) in (html)
    assert tile.format("interview", 1, "application at the interview stage") in html
    listed = client.get("/manage/helpers/", {"status": "conduct_test_passed"}).context["helpers"]
    assert [helper.pk for helper in listed] == [passed.pk]


WAITING_TILES = {
    "de": [
        "0 Bewerbungen mit zu prüfenden Dokumenten",
        "1 Bewerbung nach dem Test zum Verhaltenskodex zu entscheiden",
        "2 Bewerbungen mit Einladung zum Gespräch",
    ],
    "fr": [
        "0 candidature avec des documents à contrôler",
        "1 candidature à trancher après le test du code de conduite",
        "2 candidatures au stade de l’entretien",
    ],
    "it": [
        "0 candidature con documenti da verificare",
        "1 candidatura da decidere dopo il test sul codice di condotta",
        "2 candidature in fase di colloquio",
    ],
}


@pytest.mark.parametrize("language", list(WAITING_TILES))
def test_each_waiting_tile_reads_as_a_counted_sentence(client, language):
    """A tile is its count and what it counts, in the singular for one ("1 Bewerbung…"), as the
    counters above it read; not a count before the step's name ("1 Dokumente zu prüfen")."""
    manager = ManagerFactory.create()
    vet(make_helper(approval=ApprovalStatus.APPLIED), to=ApprovalStatus.CONDUCT_TEST_PASSED)
    for _ in range(2):
        interviewed = vet(
            make_helper(approval=ApprovalStatus.APPLIED), to=ApprovalStatus.CONDUCT_TEST_PASSED
        )
        application_invite_to_interview(helper=interviewed, actor=manager)
    _logged_in(client, manager, language)

    response = client.get("/manage/", HTTP_ACCEPT_LANGUAGE="en")

    section = re.search(
        r'<section aria-labelledby="waiting-heading">(.*?)</section>',
        response.content.decode(),
        re.S,
    )
    assert section is not None
    tiles = re.findall(r'<span class="figure">(\d+)</span> ([^<]*)</a>', section.group(1))
    assert [f"{count} {words}" for count, words in tiles] == WAITING_TILES[language]


def test_the_dashboard_links_each_state_of_visits_to_its_list(client):
    make_booking(BookingStatus.CONFIRMED)
    make_booking(BookingStatus.CONFIRMED)
    make_booking(BookingStatus.DISPUTED)
    _logged_in(client, ManagerFactory.create())
    html = client.get("/manage/").content.decode()
    assert '<td><a href="/manage/bookings/?state=confirmed">Confirmed</a></td><td>2</td>' in html
    assert '<td><a href="/manage/bookings/?state=disputed">Disputed</a></td><td>1</td>' in html
    assert '<td><a href="/manage/bookings/?state=settled">Settled</a></td><td>0</td>' in html


def test_the_visits_list_shows_one_state_page_by_page(client, monkeypatch):
    monkeypatch.setattr("web.views.manage_figures.PAGE", 2)
    confirmed = [make_booking(BookingStatus.CONFIRMED) for _ in range(3)]
    make_booking(BookingStatus.DISPUTED)
    _logged_in(client, ManagerFactory.create())
    first = client.get("/manage/bookings/", {"state": "confirmed"})
    assert [booking.pk for booking in first.context["page"]] == [
        confirmed[2].pk,
        confirmed[1].pk,
    ]
    assert "Page 1 of 2" in first.content.decode()
    second = client.get("/manage/bookings/", {"state": "confirmed", "page": "2"})
    assert [booking.pk for booking in second.context["page"]] == [confirmed[0].pk]
    assert 'href="?state=confirmed&amp;page=1" rel="prev"' in second.content.decode()
    unknown = client.get("/manage/bookings/", {"state": "nonsense", "page": "x"})
    assert unknown.context["shown"] == "confirmed"
    assert [booking.pk for booking in unknown.context["page"]] == [
        confirmed[2].pk,
        confirmed[1].pk,
    ]


def test_the_visits_list_costs_the_same_queries_with_more_rows(client):
    _logged_in(client, ManagerFactory.create())
    make_booking(BookingStatus.CONFIRMED)
    before = _queries(client, "/manage/bookings/?state=confirmed")
    for _ in range(3):
        make_booking(BookingStatus.CONFIRMED)
    assert _queries(client, "/manage/bookings/?state=confirmed") == before
    assert before <= 6


def test_requests_per_day_count_by_the_swiss_calendar_day():
    """23:30 and 00:30 in Zürich are one UTC day but two Swiss days (winter: UTC+1)."""
    helper = make_helper()
    late = _posted_at(post_request(UserFactory.create()), datetime(2026, 1, 15, 22, 30, tzinfo=UTC))
    after_midnight = make_booking(customer=UserFactory.create(), helper=helper).help_request
    _posted_at(after_midnight, datetime(2026, 1, 15, 23, 30, tzinfo=UTC))
    unmatched = post_request(UserFactory.create(), slug="smart-home")
    _posted_at(unmatched, datetime(2026, 1, 16, 22, 59, tzinfo=UTC))  # 23:59 on the 16th
    _posted_at(post_request(UserFactory.create()), datetime(2026, 1, 13, 22, 59, tzinfo=UTC))
    assert late.status == "open"
    days = requests_per_day(ManagerFactory.create(), days=3, today=date(2026, 1, 16))
    assert [(day.day, day.requests, day.matched, day.match_percent) for day in days] == [
        (date(2026, 1, 14), 0, 0, None),
        (date(2026, 1, 15), 1, 0, 0),
        (date(2026, 1, 16), 2, 1, 50),
    ]
    assert days[2].match_rate == 0.5


def test_the_dashboard_charts_the_chosen_period_and_tables_the_same_figures(client):
    make_booking(BookingStatus.CONFIRMED)
    post_request(UserFactory.create(), slug="smart-home")
    _logged_in(client, ManagerFactory.create())
    response = client.get("/manage/", {"days": "7"})
    chart = response.context["chart"]
    assert len(chart["labels"]) == 7
    assert chart["requests"] == [0, 0, 0, 0, 0, 0, 2]
    assert chart["matched"] == [0, 0, 0, 0, 0, 0, 1]
    assert chart["match_percent"] == [None] * 6 + [50]
    html = response.content.decode()
    assert '<script id="chart-data" type="application/json">' in html
    assert "<td>2</td><td>1</td><td>50 %</td></tr>" in html
    assert html.count('<tr><th scope="row">') == 7
    assert len(client.get("/manage/", {"days": "90"}).context["chart"]["labels"]) == 90
    assert len(client.get("/manage/", {"days": "12"}).context["chart"]["labels"]) == 30
    assert len(client.get("/manage/").context["chart"]["labels"]) == 30


def test_the_dashboard_speaks_the_managers_language(client):
    _logged_in(client, ManagerFactory.create(), "fr")
    response = client.get("/manage/", {"days": "7"})
    assert response.context["chart"]["requests_label"] == "Demandes"
    # None waits: French counts 0 in the singular
    assert "</span> candidature avec des documents à contrôler</a>" in response.content.decode()


def _feature(point, **properties):
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [point.longitude, point.latitude]},
        "properties": properties,
    }


def test_the_helpers_geojson_counts_approved_helpers_by_locality(client):
    make_helper()
    make_helper(skills=("internet-wifi", "smart-home"))
    make_helper(point=BERN, home_postal_code="3011", home_locality="Bern")
    make_helper(approval=ApprovalStatus.APPLIED)
    make_helper(approval=ApprovalStatus.SUSPENDED, skills=("smart-home",))
    _logged_in(client, ManagerFactory.create())
    every = client.get("/manage/map/helpers.geojson")
    assert every.headers["Content-Type"] == "application/json"
    assert every.json() == {
        "type": "FeatureCollection",
        "features": [
            _feature(ZURICH_CENTRE, postal_code="8001", locality="Zürich", helpers=2),
            _feature(BERN, postal_code="3011", locality="Bern", helpers=1),
        ],
    }
    skilled = client.get("/manage/map/helpers.geojson", {"category": "smart-home"})
    assert skilled.json()["features"] == [
        _feature(ZURICH_CENTRE, postal_code="8001", locality="Zürich", helpers=1)
    ]
    # The helpers' own positions are not the localities' centroids and never leave the server
    assert ZURICH != ZURICH_CENTRE
    assert str(ZURICH.latitude) not in every.content.decode()


def test_the_requests_geojson_counts_matched_and_unmatched_by_locality_never_an_address(
    client,
):
    make_booking(BookingStatus.CONFIRMED)
    post_request(UserFactory.create(), slug="smart-home")
    exact = offset(BERN, north_m=420, east_m=-310)
    at_home = post_request(UserFactory.create(), point=exact)
    old = post_request(UserFactory.create(), slug="smart-home")
    _posted_at(old, datetime(2020, 1, 1, tzinfo=UTC))
    home = resolve_locality(postal_code=at_home.postal_code, locality=at_home.locality)
    _logged_in(client, ManagerFactory.create())
    response = client.get("/manage/map/requests.geojson", {"days": "7"})
    assert response.json() == {
        "type": "FeatureCollection",
        "features": [
            _feature(ZURICH_CENTRE, postal_code="8001", locality="Zürich", matched=1, unmatched=1),
            _feature(
                home.point, postal_code=home.postal_code, locality=home.name, matched=0, unmatched=1
            ),
        ],
    }
    text = response.content.decode()
    for secret in (str(exact.latitude), str(exact.longitude), "Bahnhofstrasse"):
        assert secret not in text
    everything = client.get("/manage/map/requests.geojson", {"days": "90"}).json()
    assert sum(f["properties"]["unmatched"] for f in everything["features"]) == 2


def test_the_map_page_lists_the_same_figures_without_javascript(client):
    make_booking(BookingStatus.CONFIRMED)
    make_helper(point=BERN, home_postal_code="3011", home_locality="Bern", skills=("smart-home",))
    post_request(UserFactory.create(), slug="smart-home", point=offset(BERN, north_m=100))
    _logged_in(client, ManagerFactory.create())
    response = client.get("/manage/map/", {"category": "smart-home", "days": "7"})
    html = response.content.decode()
    assert [(at.place.locality, at.helpers) for at in response.context["helpers_at"]] == [
        ("Bern", 1)
    ]
    assert "<tr><td>3011 Bern</td><td>1</td></tr>" in html
    assert "<tr><td>8001 Zürich</td><td>1</td><td>0</td></tr>" in html
    assert 'data-helpers="/manage/map/helpers.geojson?days=7&amp;category=smart-home"' in html
    assert 'data-tiles="https://tile.openstreetmap.org/{z}/{x}/{y}.png"' in html
    assert "https://tile.openstreetmap.org" in response.headers["Content-Security-Policy"]
    # Without a period asked for, the form shows the 30 days the figures are for
    default = client.get("/manage/map/", {"category": "smart-home"})
    assert default.context["days"] == 30
    assert '<option value="30" selected>' in default.content.decode()


def test_the_map_and_its_geojson_cost_a_fixed_number_of_queries(client):
    _logged_in(client, ManagerFactory.create())
    make_helper()
    make_booking(BookingStatus.CONFIRMED)
    paths = ("/manage/map/", "/manage/map/helpers.geojson", "/manage/map/requests.geojson")

    def uncached(path: str) -> int:
        cache.clear()  # the helpers' counts are kept a minute: count the queries that make them
        return _queries(client, path)

    before = [uncached(path) for path in paths]
    make_helper(point=BERN, home_postal_code="3011", home_locality="Bern")
    post_request(UserFactory.create(), point=offset(BERN, north_m=100))
    make_booking(BookingStatus.CONFIRMED)
    assert [uncached(path) for path in paths] == before
    assert before[0] <= 6
    assert max(before[1:]) <= 3


def test_the_tile_server_is_a_setting_checked_at_start():
    default = QuartierConfig()
    assert default.map_tile_url == "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    assert default.map_tile_origin == "https://tile.openstreetmap.org"
    other = QuartierConfig.from_env(
        {"QUARTIER_MAP_TILE_URL": "https://{s}.tiles.example.ch/osm/{z}/{x}/{y}.png"}
    )
    assert other.map_tile_origin == "https://*.tiles.example.ch"
    with pytest.raises(ImproperlyConfigured, match="QUARTIER_MAP_TILE_URL"):
        QuartierConfig(map_tile_url="https://tiles.example.ch/{z}.png")
    with pytest.raises(ImproperlyConfigured, match="QUARTIER_MAP_TILE_URL"):
        QuartierConfig(map_tile_url="ftp://tiles.example.ch/{z}/{x}/{y}.png")


def test_the_chart_figures_travel_as_json_not_inline_script(client):
    _logged_in(client, ManagerFactory.create())
    html = client.get("/manage/").content.decode()
    start = html.index('<script id="chart-data" type="application/json">')
    payload = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    assert set(json.loads(payload)) == {
        "labels",
        "requests",
        "matched",
        "match_percent",
        "requests_label",
        "matched_label",
        "match_rate_label",
    }


# In memory, so that the clock the test moves is the one that expires them (Redis keeps its own).
@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_the_helpers_counts_are_kept_a_minute_then_counted_again(client):
    _logged_in(client, ManagerFactory.create())
    make_helper()
    now = timezone.now()

    with time_machine.travel(now, tick=False):
        first = client.get("/manage/map/helpers.geojson").json()
        make_helper(point=BERN, home_postal_code="3011", home_locality="Bern")
        kept = client.get("/manage/map/helpers.geojson").json()
    with time_machine.travel(now + timedelta(seconds=HELPER_COUNTS_SECONDS + 1), tick=False):
        fresh = client.get("/manage/map/helpers.geojson").json()

    assert len(first["features"]) == len(kept["features"]) == 1
    assert sorted(f["properties"]["locality"] for f in fresh["features"]) == ["Bern", "Zürich"]


def test_the_maps_table_lists_the_localities_with_most_helpers_and_the_map_all(client, monkeypatch):
    monkeypatch.setattr("web.views.manage_figures.MAP_TABLE_ROWS", 1)
    _logged_in(client, ManagerFactory.create())
    make_helper()
    make_helper()
    make_helper(point=BERN, home_postal_code="3011", home_locality="Bern")

    page = client.get("/manage/map/").content.decode()
    geojson = client.get("/manage/map/helpers.geojson")

    assert "<td>8001 Zürich</td><td>2</td>" in page
    assert "3011 Bern" not in page
    assert "The locality with the most helpers; the map shows every one." in page
    assert geojson["Content-Type"] == "application/json"
    assert sorted(
        (f["properties"]["locality"], f["properties"]["helpers"])
        for f in geojson.json()["features"]
    ) == [("Bern", 1), ("Zürich", 2)]
