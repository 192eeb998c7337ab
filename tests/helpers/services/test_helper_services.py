"""The helpers' services, called directly: approval with its history, the rules the admin must
obey too, and one profile per user however many applications arrive at once."""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import close_old_connections

from backend.exceptions import ApplicationError
from backend.models import OutboxEvent
from helpers import services as helper_services
from helpers.exceptions import HelperProfileExists
from helpers.models import ApprovalStatus, HelperProfile, HelperSkill
from helpers.services import helper_apply, helper_approve, helper_profile_update, helper_suspend
from tests.factories import ZURICH, ManagerFactory, UserFactory, at, category, make_helper, vet


@pytest.mark.django_db
def test_approval_moves_are_kept_as_history_and_the_note_is_the_latest():
    # Given an applicant and the community manager
    helper = make_helper(approval=ApprovalStatus.APPLIED)
    manager = ManagerFactory()

    # When they are vetted, and the manager approves, suspends and approves again
    helper = vet(helper, to=ApprovalStatus.CONDUCT_TEST_PASSED, manager=manager)
    helper_approve(helper=helper, actor=manager, note="Met in person.")
    helper_suspend(helper=helper, actor=manager, note="Two complaints.")
    helper = helper_approve(helper=helper, actor=manager, note="Cleared.")

    # Then each move is in the history, with who, in which role, and why
    assert list(
        helper.approval_events.values_list("from_status", "to_status", "actor_id", "role", "note")
    ) == [
        ("applied", "documents_submitted", helper.user_id, "helper", ""),
        ("documents_submitted", "documents_checked", manager.pk, "manager", ""),
        ("documents_checked", "conduct_test_passed", manager.pk, "manager", ""),
        ("conduct_test_passed", "approved", manager.pk, "manager", "Met in person."),
        ("approved", "suspended", manager.pk, "manager", "Two complaints."),
        ("suspended", "approved", manager.pk, "manager", "Cleared."),
    ]
    assert (helper.approval_status, helper.approval_note) == ("approved", "Cleared.")


@pytest.mark.django_db
def test_approving_an_approved_helper_changes_nothing():
    # Given an approved helper
    helper = make_helper()
    before = HelperProfile.objects.values().get(pk=helper.pk)

    # When the manager approves them again
    helper_approve(helper=helper, actor=ManagerFactory(), note="Again?")

    # Then nothing moved and nothing was recorded
    assert HelperProfile.objects.values().get(pk=helper.pk) == before
    assert helper.approval_events.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("rate", [999, 50_001])
def test_the_hourly_rate_bounds_hold_for_every_caller(rate):
    # Given a helper at CHF 40 an hour
    helper = make_helper()

    # When anyone (the back office too) sets a rate outside CHF 10 to 500
    with pytest.raises(ApplicationError) as refused:
        helper_profile_update(helper=helper, hourly_rate_minor=rate)

    # Then it is refused on that field and nothing changed
    assert (refused.value.code, list(refused.value.fields)) == (
        "invalid_hourly_rate",
        ["hourly_rate_minor"],
    )
    assert HelperProfile.objects.get(pk=helper.pk).hourly_rate_minor == 4000


@pytest.mark.django_db
def test_a_suspension_note_too_long_is_refused_and_changes_nothing():
    # Given an approved helper
    helper = make_helper()
    manager = ManagerFactory()

    # When the manager suspends them with a note one character longer than is kept
    with pytest.raises(ApplicationError) as refused:
        helper_suspend(helper=helper, actor=manager, note="x" * 501)

    # Then it is refused on the note, and the helper is as they were, with no history added
    assert (refused.value.code, list(refused.value.fields)) == ("max_length", ["note"])
    helper = HelperProfile.objects.get(pk=helper.pk)
    assert (helper.approval_status, helper.approval_note) == (ApprovalStatus.APPROVED, "")
    assert not helper.approval_events.filter(to_status=ApprovalStatus.SUSPENDED).exists()


@pytest.mark.django_db
def test_a_bio_longer_than_the_profile_holds_is_refused_and_changes_nothing():
    # Given a helper with a bio
    helper = make_helper()
    helper_profile_update(helper=helper, bio="Patient with printers.")

    # When they save a bio one character longer than the profile holds
    with pytest.raises(ApplicationError) as refused:
        helper_profile_update(helper=helper, bio="x" * 1001)

    # Then it is refused on the bio, as the API refuses it, and the bio is as it was
    assert (refused.value.code, list(refused.value.fields)) == ("max_length", ["bio"])
    assert HelperProfile.objects.get(pk=helper.pk).bio == "Patient with printers."


def _apply_twice_at_once(user, skills, *, after_the_check: bool) -> list[str]:
    """Two threads apply for `user` at the same moment; returns how each ended.

    With `after_the_check`, both threads first pass the "already a helper?" check and only
    then go on together, so the database's unique constraint is what tells them apart.
    """
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    validate_radius = helper_services.validate_radius

    def meet_then_validate(radius_km: int) -> None:
        barrier.wait(timeout=30)
        validate_radius(radius_km)

    def apply() -> None:
        try:
            if not after_the_check:
                barrier.wait(timeout=30)
            helper_apply(user=user, skills=skills)
            outcomes.append("applied")
        except HelperProfileExists:
            outcomes.append("helper_profile_exists")
        finally:
            close_old_connections()

    with mock.patch.object(
        helper_services,
        "validate_radius",
        meet_then_validate if after_the_check else validate_radius,
    ):
        threads = [threading.Thread(target=apply) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("after_the_check", [False, True], ids=["at-once", "both-past-the-check"])
def test_two_applications_at_once_make_one_profile_and_a_clean_refusal(after_the_check):
    # Given a user with a home address, applying twice at the same moment
    user = at(UserFactory(), ZURICH)
    skills = [category(), category("tv-streaming")]

    # When both applications run
    outcomes = _apply_twice_at_once(user, skills, after_the_check=after_the_check)

    # Then one profile exists and the other application was refused, never a database error,
    # and nothing of the refused one was written: one set of skills, one event
    assert sorted(outcomes) == ["applied", "helper_profile_exists"]
    helper = HelperProfile.objects.get(user=user)
    assert sorted(
        HelperSkill.objects.filter(helper=helper).values_list("category__slug", flat=True)
    ) == [
        "internet-wifi",
        "tv-streaming",
    ]
    assert list(
        OutboxEvent.objects.filter(event_type="HelperApplied").values_list(
            "aggregate_id", flat=True
        )
    ) == [helper.pk]
