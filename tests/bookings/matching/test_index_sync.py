"""Every service that changes who can be matched, or a figure the ranking uses, keeps the match
index in step in the same transaction: one test per service, asserting the helper's exact index
rows and that `match_index_check()` finds nothing. Refused actions leave the rows as they were.

Time is frozen on a Tuesday morning, so approval times and response times are exact.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from backend.exceptions import PermissionDenied, ValidationFailed
from backend.geo import Point
from backend.models import User
from backend.places import resolve_place
from backend.services import user_set_active, user_update_profile
from bench.nearest import nearest
from bookings import services
from bookings.exceptions import OfferNotPending
from bookings.matching.index import match_index_check
from bookings.models import BookingStatus, MatchEntry, Party
from helpers.models import ApprovalStatus, HelperProfile
from helpers.services import (
    helper_apply,
    helper_approve,
    helper_profile_update,
    helper_suspend,
    helper_takes_payments_set,
)
from tests.factories import (
    ZURICH,
    ManagerFactory,
    UserFactory,
    category,
    make_booking,
    make_helper,
    offset,
    pending_offer,
    post_request,
    vet,
)

pytestmark = pytest.mark.django_db

ZURICH_TIME = ZoneInfo("Europe/Zurich")
T0 = datetime(2027, 2, 2, 9, 0, tzinfo=ZURICH_TIME)  # a Tuesday morning
BERN = Point(46.9480, 7.4474)  # Bern, Zytglogge

# languages_mask: one bit per language in the order de, fr, it, en.
DE_EN = 0b1001
FR = 0b0010
FR_IT = 0b0110

FIGURES = (
    "latitude",
    "longitude",
    "service_radius_km",
    "languages_mask",
    "rating_sum",
    "rating_count",
    "completed_visits",
    "cancellations_caused",
    "no_shows_caused",
    "offers_answered",
    "offers_expired",
    "response_seconds_total",
    "approved_at",
)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def index_of(helper: HelperProfile) -> dict[str, dict[str, Any]]:
    """The helper's index rows: category slug → every figure the row holds."""
    rows: Any = MatchEntry.objects.filter(helper=helper).order_by("category__slug")
    return {row.pop("category__slug"): row for row in rows.values("category__slug", *FIGURES)}


def entries_of(helper: HelperProfile) -> list[dict[str, Any]]:
    """The helper's rows exactly as stored, ids included: what a refused action must keep."""
    return [
        dict(entry) for entry in MatchEntry.objects.filter(helper=helper).order_by("pk").values()
    ]


def row(**figures: Any) -> dict[str, Any]:
    """The figures of a fresh `make_helper()` helper (Zürich, 10 km, de + en), changed by
    `figures`."""
    return {
        "latitude": ZURICH.latitude,
        "longitude": ZURICH.longitude,
        "service_radius_km": 10,
        "languages_mask": DE_EN,
        "rating_sum": 0,
        "rating_count": 0,
        "completed_visits": 0,
        "cancellations_caused": 0,
        "no_shows_caused": 0,
        "offers_answered": 0,
        "offers_expired": 0,
        "response_seconds_total": 0,
        "approved_at": None,
        **figures,
    }


def applicant(*slugs: str, radius_km: int = 12, takes_payments: bool = True) -> HelperProfile:
    """Someone who applied through the service (home in Zürich, de + en), not yet approved,
    whose payout account takes charges unless `takes_payments` is false."""
    helper = helper_apply(
        user=UserFactory.create(),
        skills=[category(slug) for slug in slugs],
        service_radius_km=radius_km,
    )
    helper_takes_payments_set(helper_id=helper.pk, takes_payments=takes_payments)
    helper.refresh_from_db()
    return helper


# --- helpers/services.py ------------------------------------------------------------------------


def test_helper_apply_indexes_nobody_until_approved():
    helper = applicant("internet-wifi", "tv-streaming")

    assert index_of(helper) == {}
    assert match_index_check() == []


def test_helper_approve_indexes_the_helper_once_per_skill():
    # Given an applicant with two skills, vetted up to the conduct test
    helper = vet(applicant("internet-wifi", "tv-streaming"), to=ApprovalStatus.CONDUCT_TEST_PASSED)
    assert index_of(helper) == {}

    # When the manager approves them
    helper_approve(helper=helper, actor=ManagerFactory.create())

    # Then they have exactly two rows, with their home, radius, languages and approval time
    approved = row(service_radius_km=12, approved_at=T0)
    assert index_of(helper) == {"internet-wifi": approved, "tv-streaming": approved}
    assert match_index_check() == []


def test_a_helper_who_charges_is_indexed_only_while_their_account_takes_charges():
    # Given an approved helper at CHF 40 an hour whose payout account cannot take charges
    helper = vet(applicant("internet-wifi", takes_payments=False))
    assert index_of(helper) == {}

    # When the account starts taking charges, they are indexed
    assert helper_takes_payments_set(helper_id=helper.pk, takes_payments=True) is True
    assert index_of(helper) == {"internet-wifi": row(service_radius_km=12, approved_at=T0)}

    # And when it stops again, they are gone
    helper_takes_payments_set(helper_id=helper.pk, takes_payments=False)
    assert index_of(helper) == {}
    assert match_index_check() == []


def test_a_helper_who_works_for_free_needs_no_payout_account():
    # Given an approved helper without a chargeable payout account
    helper = vet(applicant("internet-wifi", takes_payments=False))

    # When they set their rate to 0 (they help for free)
    helper_profile_update(helper=helper, hourly_rate_minor=0)

    # Then they are indexed
    assert index_of(helper) == {"internet-wifi": row(service_radius_km=12, approved_at=T0)}
    assert match_index_check() == []


def test_helper_approve_by_someone_not_staff_changes_nothing():
    helper = vet(applicant("internet-wifi"), to=ApprovalStatus.CONDUCT_TEST_PASSED)

    with pytest.raises(PermissionDenied):
        helper_approve(helper=helper, actor=UserFactory.create())

    assert index_of(helper) == {}
    assert match_index_check() == []


def test_helper_suspend_removes_every_row_and_approving_again_restores_them(clock):
    # Given an approved helper with two skills
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))
    manager = ManagerFactory.create()

    # When the manager suspends them
    helper_suspend(helper=helper, actor=manager, note="Complaints about punctuality.")

    # Then they have no rows left
    assert index_of(helper) == {}
    assert match_index_check() == []

    # When the manager approves them again an hour later
    clock.shift(timedelta(hours=1))
    helper_approve(helper=helper, actor=manager, note="Punctual again.")

    # Then both rows are back, approved at that moment
    approved = row(approved_at=T0 + timedelta(hours=1))
    assert index_of(helper) == {"internet-wifi": approved, "tv-streaming": approved}
    assert match_index_check() == []


def test_helper_suspend_without_a_reason_changes_nothing():
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))
    before = entries_of(helper)

    with pytest.raises(ValidationFailed):
        helper_suspend(helper=helper, actor=ManagerFactory.create(), note=" ")

    assert entries_of(helper) == before
    assert len(before) == 2
    assert match_index_check() == []


def test_helper_profile_update_not_accepting_jobs_removes_the_rows_and_back_on_restores_them():
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))

    helper_profile_update(helper=helper, is_accepting_jobs=False)

    assert index_of(helper) == {}
    assert match_index_check() == []

    helper_profile_update(helper=helper, is_accepting_jobs=True)

    assert index_of(helper) == {"internet-wifi": row(), "tv-streaming": row()}
    assert match_index_check() == []


def test_helper_profile_update_skills_replaces_the_rows():
    # Given a helper skilled in Wi-Fi and TV
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))

    # When their skills become TV and printers
    helper_profile_update(
        helper=helper, skills=[category("tv-streaming"), category("computer-printer")]
    )

    # Then they have rows for TV and printers only
    assert index_of(helper) == {"computer-printer": row(), "tv-streaming": row()}
    assert match_index_check() == []


def test_helper_profile_update_radius_updates_every_row():
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))

    helper_profile_update(helper=helper, service_radius_km=25)

    assert index_of(helper) == {
        "internet-wifi": row(service_radius_km=25),
        "tv-streaming": row(service_radius_km=25),
    }
    assert match_index_check() == []


@pytest.mark.parametrize("radius_km", [0, 51])
def test_helper_profile_update_with_an_invalid_radius_changes_nothing(radius_km):
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))
    before = entries_of(helper)

    with pytest.raises(ValidationFailed) as refused:
        helper_profile_update(
            helper=helper, service_radius_km=radius_km, skills=[category("computer-printer")]
        )

    assert refused.value.code == "invalid_radius"
    assert entries_of(helper) == before
    assert match_index_check() == []


def test_helper_profile_update_removing_every_skill_changes_nothing():
    # The radius is valid and comes first: it must not be saved when the skills are refused.
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))
    before = entries_of(helper)

    with pytest.raises(ValidationFailed) as refused:
        helper_profile_update(helper=helper, service_radius_km=30, skills=[])

    assert refused.value.code == "skills_required"
    assert entries_of(helper) == before
    assert HelperProfile.objects.get(pk=helper.pk).service_radius_km == 10
    assert match_index_check() == []


# --- backend/services.py and backend/admin.py ---------------------------------------------------


def test_user_update_profile_with_a_new_home_moves_every_row():
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))

    user_update_profile(user=helper.user, home=resolve_place(street="Kramgasse 1", point=BERN))

    moved = row(latitude=BERN.latitude, longitude=BERN.longitude)
    assert index_of(helper) == {"internet-wifi": moved, "tv-streaming": moved}
    assert match_index_check() == []


def test_user_update_profile_languages_updates_the_mask():
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))

    user_update_profile(user=helper.user, languages=["it", "fr"])

    assert index_of(helper) == {
        "internet-wifi": row(languages_mask=FR_IT),
        "tv-streaming": row(languages_mask=FR_IT),
    }
    assert match_index_check() == []


def test_user_update_profile_with_an_unknown_language_changes_nothing():
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))
    before = entries_of(helper)

    with pytest.raises(ValidationFailed) as refused:
        user_update_profile(
            user=helper.user, languages=["fr", "xx"], home=resolve_place(point=BERN)
        )

    assert refused.value.code == "invalid_language"
    assert entries_of(helper) == before
    assert match_index_check() == []


def test_user_set_active_off_removes_the_rows_and_on_restores_them():
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))

    user_set_active(user=helper.user, is_active=False)

    assert index_of(helper) == {}
    assert match_index_check() == []

    user_set_active(user=helper.user, is_active=True)

    assert index_of(helper) == {"internet-wifi": row(), "tv-streaming": row()}
    assert match_index_check() == []


def user_change_form(user: User, **overrides: Any) -> dict[str, Any]:
    """What the back office's user change form posts for `user`, changed by `overrides`."""
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "phone": user.phone,
        "languages": json.dumps(user.languages),
        "preferred_language": user.preferred_language,
        "is_active": "on" if user.is_active else "",
        "_save": "Save",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"is_active": ""}, {}),
        (
            {"languages": '["fr"]'},
            {"internet-wifi": row(languages_mask=FR), "tv-streaming": row(languages_mask=FR)},
        ),
    ],
    ids=["switched-off", "languages"],
)
def test_user_admin_save_keeps_the_index_in_step(client: Client, change, expected):
    # Given a helper with two skills, and the manager in the back office
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))
    client.force_login(ManagerFactory.create())

    # When the manager saves the helper's account with a change
    response = client.post(
        reverse("admin:backend_user_change", args=[helper.user.pk]),
        user_change_form(helper.user, **change),
    )

    # Then the helper's rows follow at once
    assert response.status_code == 302
    assert index_of(helper) == expected
    assert match_index_check() == []


# --- bookings/services.py: offers ---------------------------------------------------------------


def test_offer_decline_counts_the_answer_and_its_time(clock):
    # Given a helper offered a request at T0
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory.create()), helper)

    # When they decline five minutes later
    clock.shift(timedelta(minutes=5))
    services.offer_decline(offer=offer, actor=helper.user, reason="too_far")

    # Then the row counts one answer, given in 300 seconds
    assert index_of(helper) == {"internet-wifi": row(offers_answered=1, response_seconds_total=300)}
    assert match_index_check() == []


def test_offer_decline_of_an_offer_already_answered_changes_nothing(clock):
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory.create()), helper)
    services.offer_decline(offer=offer, actor=helper.user)
    before = entries_of(helper)

    clock.shift(timedelta(minutes=5))
    with pytest.raises(OfferNotPending):
        services.offer_decline(offer=offer, actor=helper.user)

    assert entries_of(helper) == before
    assert match_index_check() == []


def test_offer_accept_counts_the_answer_and_its_time(clock):
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory.create()), helper)

    clock.shift(timedelta(minutes=2))
    services.offer_accept(offer=offer, actor=helper.user)

    assert index_of(helper) == {"internet-wifi": row(offers_answered=1, response_seconds_total=120)}
    assert match_index_check() == []


def test_offers_expire_due_counts_the_expiry(clock):
    # Given a helper who lets an offer run out
    helper = make_helper()
    help_request = post_request(UserFactory.create())
    assert pending_offer(help_request, helper) is not None

    # When the expiry runs after the 30 minutes
    clock.shift(timedelta(minutes=31))
    expired = services.offers_expire_due(help_request=help_request)

    # Then the row counts one expired offer and no answer
    assert expired == 1
    assert index_of(helper) == {"internet-wifi": row(offers_expired=1)}
    assert match_index_check() == []


# --- bookings/services.py: bookings -------------------------------------------------------------

# make_booking's helper accepted at once (0 seconds) at T0.
ACCEPTED = {"offers_answered": 1, "response_seconds_total": 0}


def test_booking_cancel_by_the_helper_counts_against_them():
    booking = make_booking(BookingStatus.CONFIRMED)

    services.booking_cancel(booking=booking, actor=booking.helper.user, reason="I am ill")

    assert index_of(booking.helper) == {"internet-wifi": row(**ACCEPTED, cancellations_caused=1)}
    assert match_index_check() == []


def test_booking_cancel_by_the_manager_caused_by_the_helper_counts_against_them():
    booking = make_booking(BookingStatus.CONFIRMED)

    services.booking_cancel(
        booking=booking,
        actor=ManagerFactory.create(),
        reason="Helper unreachable",
        caused_by="helper",
    )

    assert index_of(booking.helper) == {"internet-wifi": row(**ACCEPTED, cancellations_caused=1)}
    assert match_index_check() == []


def test_booking_cancel_by_the_customer_leaves_the_helper_figures_alone():
    booking = make_booking(BookingStatus.CONFIRMED)
    before = entries_of(booking.helper)

    services.booking_cancel(booking=booking, actor=booking.help_request.customer, reason="Fixed")

    assert entries_of(booking.helper) == before
    assert index_of(booking.helper) == {"internet-wifi": row(**ACCEPTED)}
    assert match_index_check() == []


def test_booking_report_no_show_of_the_helper_counts_against_them(clock):
    booking = make_booking(BookingStatus.CONFIRMED)

    clock.move_to(booking.starts_at + timedelta(minutes=30))
    services.booking_report_no_show(
        booking=booking, actor=booking.help_request.customer, note="Nobody came"
    )

    assert index_of(booking.helper) == {"internet-wifi": row(**ACCEPTED, no_shows_caused=1)}
    assert match_index_check() == []


def test_booking_sign_off_counts_a_completed_visit():
    booking = make_booking(BookingStatus.COMPLETED)

    services.booking_sign_off(booking=booking, actor=booking.help_request.customer)

    assert index_of(booking.helper) == {"internet-wifi": row(**ACCEPTED, completed_visits=1)}
    assert match_index_check() == []


def test_booking_auto_sign_off_counts_a_completed_visit(clock):
    booking = make_booking(BookingStatus.COMPLETED)

    clock.shift(timedelta(hours=48))
    assert services.booking_auto_sign_off(booking=booking) is not None

    assert index_of(booking.helper) == {"internet-wifi": row(**ACCEPTED, completed_visits=1)}
    assert match_index_check() == []


@pytest.mark.parametrize(
    ("outcome", "caused_by", "figures"),
    [
        (services.DisputeOutcome.VISIT_STANDS, None, {"completed_visits": 1}),
        (services.DisputeOutcome.VISIT_VOID, Party.HELPER, {"cancellations_caused": 1}),
        (services.DisputeOutcome.VISIT_VOID, Party.NOBODY, {}),
    ],
    ids=["stands", "void-helper", "void-nobody"],
)
def test_booking_resolve_dispute_counts_what_the_manager_decided(outcome, caused_by, figures):
    booking = make_booking(BookingStatus.DISPUTED)

    services.booking_resolve_dispute(
        booking=booking,
        actor=ManagerFactory.create(),
        outcome=outcome,
        note="Decided after calling both sides.",
        caused_by=caused_by,
    )

    assert index_of(booking.helper) == {"internet-wifi": row(**ACCEPTED, **figures)}
    assert match_index_check() == []


# --- bookings/services.py: reviews --------------------------------------------------------------

SIGNED_OFF = {**ACCEPTED, "completed_visits": 1}


def test_review_submit_counts_the_rating_once_both_sides_reviewed(clock):
    # Given a signed-off visit the customer rated 4
    booking = make_booking(BookingStatus.SIGNED_OFF)
    services.review_submit(booking=booking, actor=booking.help_request.customer, rating=4)

    # Then the hidden review does not count yet
    assert index_of(booking.helper) == {"internet-wifi": row(**SIGNED_OFF)}
    assert match_index_check() == []

    # When the helper reviews too, which publishes both
    clock.shift(timedelta(hours=1))
    services.review_submit(booking=booking, actor=booking.helper.user, rating=5)

    # Then the customer's 4 counts in the helper's row
    assert index_of(booking.helper) == {
        "internet-wifi": row(**SIGNED_OFF, rating_sum=4, rating_count=1)
    }
    assert match_index_check() == []


def test_reviews_close_window_counts_the_published_rating(clock):
    booking = make_booking(BookingStatus.SIGNED_OFF)
    services.review_submit(booking=booking, actor=booking.help_request.customer, rating=3)

    clock.shift(timedelta(days=7))
    assert services.reviews_close_window(booking=booking) == 1

    assert index_of(booking.helper) == {
        "internet-wifi": row(**SIGNED_OFF, rating_sum=3, rating_count=1)
    }
    assert match_index_check() == []


def test_sweep_due_work_keeps_the_index_in_step(clock):
    # Given an offer that ran out and a visit nobody signed off, while the worker was down
    helper = make_helper()
    pending = post_request(UserFactory.create(), start=T0 + timedelta(days=3))
    booking = make_booking(BookingStatus.COMPLETED, helper=helper)
    assert pending_offer(pending, helper) is not None

    # When the sweep runs two days later
    clock.shift(timedelta(hours=48))
    counts = services.sweep_due_work()

    # Then both show in the helper's row
    assert (counts["offers_expired"], counts["signed_off"]) == (1, 1)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.SIGNED_OFF
    assert index_of(helper) == {
        "internet-wifi": row(**ACCEPTED, offers_expired=1, completed_visits=1)
    }
    assert match_index_check() == []


# --- Searching sees every change at once --------------------------------------------------------


def _suspend(helper: HelperProfile) -> None:
    helper_suspend(helper=helper, actor=ManagerFactory.create(), note="Paused.")


def _stop_accepting_jobs(helper: HelperProfile) -> None:
    helper_profile_update(helper=helper, is_accepting_jobs=False)


def _switch_account_off(helper: HelperProfile) -> None:
    user_set_active(user=helper.user, is_active=False)


def _drop_the_skill(helper: HelperProfile) -> None:
    helper_profile_update(helper=helper, skills=[category("tv-streaming")])


def _move_to_bern(helper: HelperProfile) -> None:
    user_update_profile(user=helper.user, home=resolve_place(point=BERN))


def _shrink_the_radius(helper: HelperProfile) -> None:
    # The helper lives 3 km from the search's centre: 2 km no longer covers it.
    helper_profile_update(helper=helper, service_radius_km=2)


def nearby_wifi_helpers(center: Point = ZURICH) -> list[int]:
    found = nearest(
        category_id=category("internet-wifi").pk, center=center, radius_m=10_000.0, limit=10
    )
    return [item.row.helper_id for item in found]


@pytest.mark.parametrize(
    "change",
    [
        _suspend,
        _stop_accepting_jobs,
        _switch_account_off,
        _drop_the_skill,
        _move_to_bern,
        _shrink_the_radius,
    ],
)
def test_a_search_right_after_the_change_no_longer_finds_the_helper(
    change: Callable[[HelperProfile], None],
):
    # Given a helper 3 km away and another 5 km away, both found by a Wi-Fi search
    helper = make_helper(point=offset(ZURICH, east_m=3_000))
    other = make_helper(point=offset(ZURICH, north_m=5_000))
    assert nearby_wifi_helpers() == [helper.pk, other.pk]

    # When the helper's eligibility or reach changes
    change(helper)

    # Then the very next search finds only the other one
    assert nearby_wifi_helpers() == [other.pk]
    assert match_index_check() == []


def test_a_search_right_after_a_move_finds_the_helper_at_the_new_home():
    helper = make_helper()

    user_update_profile(user=helper.user, home=resolve_place(point=BERN))

    assert nearby_wifi_helpers(center=BERN) == [helper.pk]
    assert nearby_wifi_helpers(center=ZURICH) == []


# --- Everything at once -------------------------------------------------------------------------


def test_the_demo_community_built_through_every_service_is_in_step(stripe_emulator, settings):
    # seed_demo walks every service above many times, at simulated past moments; then its
    # helpers connect their payout accounts at the emulator (without it they would leave the
    # index: nobody is offered a paid request who cannot be paid).
    settings.QUARTIER = settings.QUARTIER.with_values(
        stripe_api_base=stripe_emulator, stripe_secret_key="", stripe_timeout_seconds=5.0
    )
    call_command(
        "seed_demo",
        helpers=40,
        customers=40,
        requests=60,
        seed=1,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )

    assert MatchEntry.objects.exists()
    assert match_index_check() == []
