"""The bookings back office: requests, offers, matching runs, bookings and reviews are shown
read-only, with the trail of every move and whom the matching considered.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings.models import (
    ActorRole,
    Booking,
    BookingEvent,
    BookingStatus,
    HelpRequest,
    MatchingRun,
    Offer,
    Review,
)
from helpers.models import HelperProfile
from tests.admin_world import admin_url, make_booking, make_matching_run, make_user

pytestmark = pytest.mark.django_db


def test_offer_page_shows_the_explanation_pretty_printed(manager_client, admin_world):
    response = manager_client.get(admin_url(Offer, "change", admin_world["offer"].pk))

    page = response.content.decode()
    assert (
        "<pre>{\n"
        "  &quot;distance_m&quot;: 2100,\n"
        "  &quot;rating_average&quot;: 4.5,\n"
        "  &quot;rating_count&quot;: 4\n"
        "}</pre>"
    ) in page


def test_help_request_page_lists_windows_and_offers_read_only(manager_client, admin_world):
    help_request = admin_world["help_request"]

    response = manager_client.get(admin_url(HelpRequest, "change", help_request.pk))

    page = response.content.decode()
    assert "2.1 km, 4.5★ from 4 reviews, skilled in Internet &amp; Wi-Fi" in page
    assert "0.87" in page
    assert 'name="status"' not in page
    assert 'name="windows-0-starts_at' not in page


def considered_rows(page: str) -> list[list[str]]:
    """The cells of every row of the considered-helpers tables on a page, tags stripped."""
    bodies = re.findall(r"<tbody>(.*?)</tbody>", page, flags=re.S)
    return [
        [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
        for body in bodies
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


def test_help_request_page_shows_whom_the_matching_considered_and_why(manager_client, admin_world):
    help_request, run = admin_world["help_request"], admin_world["matching_run"]
    gone_id = run.considered[1]["helper_id"]
    far = HelperProfile.objects.get(pk=run.considered[2]["helper_id"])

    response = manager_client.get(admin_url(HelpRequest, "change", help_request.pk))

    page = response.content.decode()
    local = timezone.localtime(run.created_at)  # the pass's moment as English writes it
    assert response.status_code == 200
    assert (
        f"<h4>{local.day} {local:%B} {local.year}, {local:%H:%M} · within 5 km · 1 of 3 offers made · "
        "4 helpers examined</h4>"
    ) in page
    assert considered_rows(page) == [
        ["Hugo", "2.1 km", "0.8700", "yes", "offered"],
        [
            f"helper #{gone_id} (no longer exists)",
            "2.4 km",
            "—",
            "no",
            "speaks none of the customer&#x27;s languages",
        ],
        ["Far1", "3.0 km", "—", "no", "their service radius of 2 km does not reach 3.1 km"],
    ]
    assert (
        f'<a href="{admin_url(HelperProfile, "change", admin_world["helper"].pk)}">Hugo</a>' in page
    )
    assert f'<a href="{admin_url(HelperProfile, "change", far.pk)}">Far1</a>' in page


def test_help_request_page_shows_the_newest_runs_and_links_to_the_rest(manager_client, admin_world):
    help_request = admin_world["help_request"]
    for _ in range(10):
        MatchingRun.objects.create(
            help_request=help_request,
            radius_km=10.0,
            wanted=3,
            offered=0,
            examined_count=0,
            considered=[],
        )

    response = manager_client.get(admin_url(HelpRequest, "change", help_request.pk))

    page = response.content.decode()
    assert page.count("<h4>") == 10
    assert page.count("within 10 km · 0 of 3 offers made") == 10
    assert "within 5 km" not in page
    assert page.count("No helper was considered.") == 10
    assert (
        f'<a href="{admin_url(MatchingRun, "changelist")}?q={help_request.public_id}">'
        "All matching runs of this request</a>"
    ) in page


def test_a_help_request_page_loads_the_considered_helpers_in_one_query(
    manager_client, admin_world, django_assert_num_queries
):
    help_request = admin_world["help_request"]
    url = admin_url(HelpRequest, "change", help_request.pk)
    with CaptureQueriesContext(connection) as one_run:
        manager_client.get(url)
    for _ in range(4):
        make_matching_run(help_request, admin_world["helper"])

    # Five runs naming six helpers cost what one run naming three did.
    with django_assert_num_queries(len(one_run.captured_queries)):
        response = manager_client.get(url)

    assert response.content.decode().count("<h4>") == 5


def test_matching_runs_filter_by_outcome(manager_client, admin_world):
    help_request = admin_world["help_request"]
    for offered in (0, 3):
        MatchingRun.objects.create(
            help_request=help_request,
            radius_km=25.0 if offered == 0 else 15.0,
            wanted=3,
            offered=offered,
            examined_count=0,
            considered=[],
        )
    url = admin_url(MatchingRun, "changelist")

    def listed(outcome: str) -> list[tuple[str, str]]:
        page = manager_client.get(url, {"outcome": outcome}).content.decode()
        return re.findall(
            r'<td class="field-search_radius">(.*?)</td><td class="field-offers_made">(.*?)</td>',
            page,
        )

    assert listed("none") == [("25 km", "0 of 3")]
    assert listed("fewer") == [("5 km", "1 of 3")]
    assert listed("all") == [("15 km", "3 of 3")]
    assert sorted(listed("")) == [("15 km", "3 of 3"), ("25 km", "0 of 3"), ("5 km", "1 of 3")]


def test_booking_page_links_to_its_request_and_helper_and_shows_the_trail(
    manager_client, admin_world
):
    booking = admin_world["booking"]

    response = manager_client.get(admin_url(Booking, "change", booking.pk))

    page = response.content.decode()
    assert admin_url(HelpRequest, "change", booking.help_request.pk) in page
    assert admin_url(HelperProfile, "change", booking.helper.pk) in page
    assert "customer signed off" in page
    assert "Quick and patient." in page
    assert 'name="status"' not in page


def test_bookings_are_searchable_by_public_id(manager_client, admin_world):
    booking = admin_world["booking"]
    other = make_booking(make_user("dora"), admin_world["helper"])

    response = manager_client.get(admin_url(Booking, "changelist"), {"q": str(booking.public_id)})

    page = response.content.decode()
    assert str(booking.public_id) in page
    assert str(other.public_id) not in page


def test_booking_events_cannot_be_added_changed_or_deleted(manager_client, admin_world):
    event = admin_world["event"]
    model_admin = admin.site._registry[BookingEvent]
    request = manager_client.get(admin_url(BookingEvent, "changelist")).wsgi_request

    changed = manager_client.post(
        admin_url(BookingEvent, "change", event.pk),
        {"reason": "rewritten", "to_status": BookingStatus.CANCELLED, "actor_role": "manager"},
    )
    deleted = manager_client.post(admin_url(BookingEvent, "delete", event.pk), {"post": "yes"})
    added = manager_client.get(admin_url(BookingEvent, "add"))

    event.refresh_from_db()
    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, event) is False
    assert model_admin.has_delete_permission(request, event) is False
    assert (changed.status_code, deleted.status_code, added.status_code) == (403, 403, 403)
    assert (event.reason, event.to_status) == ("customer signed off", BookingStatus.SIGNED_OFF)
    assert BookingEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("model", "key"),
    [
        (HelpRequest, "help_request"),
        (Offer, "offer"),
        (Booking, "booking"),
        (Review, "review"),
        (MatchingRun, "matching_run"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else value,
)
def test_service_owned_rows_cannot_be_added_or_deleted(manager_client, admin_world, model, key):
    row = admin_world[key]

    added = manager_client.get(admin_url(model, "add"))
    deleted = manager_client.post(admin_url(model, "delete", row.pk), {"post": "yes"})

    assert (added.status_code, deleted.status_code) == (403, 403)
    assert model.objects.filter(pk=row.pk).exists()


def test_booking_status_cannot_be_changed_from_the_admin(manager_client, admin_world):
    booking = admin_world["booking"]

    response = manager_client.post(
        admin_url(Booking, "change", booking.pk), {"status": BookingStatus.CANCELLED}
    )

    booking.refresh_from_db()
    assert response.status_code == 403
    assert booking.status == BookingStatus.SIGNED_OFF


def test_reviews_filter_by_published(manager_client, admin_world):
    hidden = Review.objects.create(
        booking=admin_world["booking"],
        author=admin_world["helper"].user,
        subject=admin_world["customer"],
        author_role=ActorRole.HELPER,
        rating=2,
        text="Not there when I arrived.",
    )
    url = admin_url(Review, "changelist")

    published = manager_client.get(url, {"published": "yes"}).content.decode()
    unpublished = manager_client.get(url, {"published": "no"}).content.decode()

    assert "★★★★☆" in published
    assert "★★☆☆☆" not in published
    assert "★★☆☆☆" in unpublished
    assert hidden.published_at is None


def test_the_customers_times_and_the_proposed_times_are_named_in_swiss_time():
    # The back office lists a visit's times by these names, beside its Swiss-time columns:
    # 13:15 UTC on a December day is 14:15 in Zurich.
    from datetime import UTC, datetime

    from bookings.models import SlotProposal, TimeWindow

    starts, ends = (
        datetime(2026, 12, 10, 13, 15, tzinfo=UTC),
        datetime(2026, 12, 10, 14, tzinfo=UTC),
    )
    late = datetime(2026, 12, 10, 23, 30, tzinfo=UTC)

    assert (
        str(TimeWindow(starts_at=starts, ends_at=ends)) == "Thursday 10 December 2026, 14:15–15:00"
    )
    assert str(SlotProposal(starts_at=starts, ends_at=ends, status="chosen")) == (
        "Thursday 10 December 2026, 14:15–15:00 (Chosen)"
    )
    # Past midnight in Zurich, the day is the next one.
    assert str(TimeWindow(starts_at=late, ends_at=late)) == "Friday 11 December 2026, 00:30–00:30"
