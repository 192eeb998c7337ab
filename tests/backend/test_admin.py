"""The accounts' back office: adding people with an e-mail login, and the customer figures that
only the services write.
"""

from __future__ import annotations

import pytest

from backend.models import User
from tests.admin_world import PASSWORD, admin_url

pytestmark = pytest.mark.django_db


def test_manager_adds_a_user_with_email_name_and_password(manager_client):
    response = manager_client.post(
        admin_url(User, "add"),
        {
            "email": "New.Person@Example.CH",
            "display_name": "New Person",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    user = User.objects.get(email="new.person@example.ch")
    assert response.status_code == 302
    assert response.url == admin_url(User, "change", user.pk)
    assert user.display_name == "New Person"
    assert user.check_password(PASSWORD)
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_adding_a_user_twice_differing_by_case_is_refused(manager_client, admin_world):
    response = manager_client.post(
        admin_url(User, "add"),
        {
            "email": "CARLA@example.ch",
            "display_name": "Carla again",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert "An account with this email address already exists." in response.content.decode()
    assert User.objects.filter(email__iexact="carla@example.ch").count() == 1


def test_customer_counters_are_read_only(manager_client, admin_world):
    response = manager_client.get(admin_url(User, "change", admin_world["customer"].pk))

    page = response.content.decode()
    assert str(admin_world["customer"].public_id) in page
    assert 'name="customer_rating_count"' not in page
    assert 'name="customer_no_shows_caused"' not in page
    assert 'name="display_name"' in page
