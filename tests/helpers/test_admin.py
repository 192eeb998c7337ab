"""The helpers' back office obeys the rules of the helpers' services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpers.models import HelperProfile
from tests.factories import ManagerFactory, make_helper


@pytest.mark.django_db
@pytest.mark.parametrize("rate", [999, 50_001])
def test_the_back_office_cannot_set_an_hourly_rate_the_app_refuses(client, rate):
    # Given a helper at CHF 40 an hour and the community manager in the back office
    helper = make_helper()
    client.force_login(ManagerFactory())
    skill = helper.skill_rows.get()

    # When the manager saves the profile with a rate outside CHF 10 to 500
    response = client.post(
        reverse("admin:helpers_helperprofile_change", args=(helper.pk,)),
        {
            "bio": "",
            "service_radius_km": helper.service_radius_km,
            "hourly_rate_minor": rate,
            "is_accepting_jobs": "on",
            "skill_rows-TOTAL_FORMS": 1,
            "skill_rows-INITIAL_FORMS": 1,
            "skill_rows-MIN_NUM_FORMS": 0,
            "skill_rows-MAX_NUM_FORMS": 1000,
            "skill_rows-0-id": skill.pk,
            "skill_rows-0-helper": helper.pk,
            "skill_rows-0-category": skill.category_id,
            "weekly_availability-TOTAL_FORMS": 0,
            "weekly_availability-INITIAL_FORMS": 0,
            "availability_exceptions-TOTAL_FORMS": 0,
            "availability_exceptions-INITIAL_FORMS": 0,
        },
    )

    # Then the form says why, and the rate is unchanged
    assert response.status_code == 200
    assert "The hourly rate must be between 10 and 500 francs." in response.content.decode()
    assert HelperProfile.objects.get(pk=helper.pk).hourly_rate_minor == 4000
