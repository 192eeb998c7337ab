"""The manager's search over helpers: one selector for the console's list."""

from __future__ import annotations

import pytest

from helpers.models import ApprovalStatus
from helpers.selectors import helpers_found
from tests.factories import ManagerFactory, UserFactory, make_helper

pytestmark = pytest.mark.django_db


@pytest.fixture
def helpers():
    return {
        "anna": make_helper(display_name="Anna Keller", email="anna@example.ch"),
        "bruno": make_helper(
            display_name="Bruno Meier",
            email="bruno@example.ch",
            skills=("smartphone-tablet",),
            approval=ApprovalStatus.APPLIED,
        ),
        "carla": make_helper(
            display_name="Carla Rossi",
            email="carla.keller@example.ch",
            skills=("internet-wifi", "smartphone-tablet"),
        ),
    }


def _names(found):
    return [helper.user.display_name for helper in found]


def test_no_criterion_lists_every_helper_newest_first(helpers):
    assert _names(helpers_found(ManagerFactory())) == ["Carla Rossi", "Bruno Meier", "Anna Keller"]


def test_text_is_found_in_the_name_or_the_email_address(helpers):
    assert _names(helpers_found(ManagerFactory(), text="keller")) == ["Carla Rossi", "Anna Keller"]
    assert _names(helpers_found(ManagerFactory(), text="BRUNO@")) == ["Bruno Meier"]


def test_status_and_skill_narrow_it_and_a_helper_with_two_skills_comes_once(helpers):
    manager = ManagerFactory()
    assert _names(helpers_found(manager, status=ApprovalStatus.APPLIED)) == ["Bruno Meier"]
    assert _names(helpers_found(manager, skill_slug="smartphone-tablet")) == [
        "Carla Rossi",
        "Bruno Meier",
    ]
    assert _names(
        helpers_found(manager, text="keller", status="approved", skill_slug="internet-wifi")
    ) == ["Carla Rossi", "Anna Keller"]


def test_nobody_but_a_manager_finds_anyone(helpers):
    assert list(helpers_found(UserFactory(), text="keller")) == []
