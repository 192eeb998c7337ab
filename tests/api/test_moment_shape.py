"""Every moment the API answers with has one shape, RFC 3339 in Swiss time to the microsecond,
whether it was stamped live (a request posted now) or stored to the minute (a window, a row
seeded at a whole minute), so that a client reads and sends back every time alike."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.api.api_assertions import API, client_for, results
from tests.factories import UserFactory, make_helper, next_slot_start, post_request

pytestmark = pytest.mark.django_db

MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}[+-]\d{2}:\d{2}$")
LOOKS_LIKE_A_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T")
MOBILE_API = Path(__file__).resolve().parents[2] / "mobile_api"


def _moments(value: Any) -> list[str]:
    """Every date-time written anywhere in a JSON answer."""
    if isinstance(value, dict):
        return [moment for item in value.values() for moment in _moments(item)]
    if isinstance(value, list):
        return [moment for item in value for moment in _moments(item)]
    return [value] if isinstance(value, str) and LOOKS_LIKE_A_MOMENT.match(value) else []


def test_a_moment_stamped_live_and_one_stored_to_the_minute_are_written_alike():
    # Given one request posted at a whole minute (as the demo seeds its rows) and one posted
    # live, at a moment with a fraction of a second
    make_helper()
    customer = UserFactory.create()
    whole = timezone.localtime().replace(second=0, microsecond=0) + timedelta(minutes=1)
    with time_machine.travel(whole, tick=False):
        seeded = post_request(customer, start=next_slot_start(days=2))
    live_at = whole + timedelta(seconds=7, microseconds=250)
    with time_machine.travel(live_at, tick=False):
        posted = client_for(customer).post(
            f"{API}/help-requests",
            {
                "category": "internet-wifi",
                "description": "The Wi-Fi drops every evening around eight.",
                "street": "Bahnhofstrasse 1",
                "postal_code": "8001",
                "locality": "Zürich",
                "windows": [
                    {
                        "starts_at": next_slot_start(days=3).isoformat(),
                        "ends_at": (next_slot_start(days=3) + timedelta(hours=4)).isoformat(),
                    }
                ],
            },
        )
    assert posted.status_code == 201, posted.content

    # When both are read back, from two answers
    listed = results(client_for(customer).get(f"{API}/help-requests"))
    answers = [posted.json(), listed]

    # Then every moment in them has the one shape, the fraction written even when it is zero
    moments = [moment for answer in answers for moment in _moments(answer)]
    assert len(moments) >= 6
    assert [moment for moment in moments if not MOMENT.match(moment)] == []
    created = {row["id"]: row["created_at"] for row in listed}
    assert created[str(seeded.public_id)] == timezone.localtime(whole).isoformat(
        timespec="microseconds"
    )
    assert created[posted.json()["id"]] == posted.json()["created_at"]
    assert datetime.fromisoformat(posted.json()["created_at"]) == live_at


def test_every_serializer_of_the_api_writes_moments_in_the_one_shape():
    # A plain DRF date-time field, or a model serializer mapping the models' own to it, would
    # drop the fraction of a moment stored to the minute.
    plain = [
        f"{path.relative_to(MOBILE_API.parent)}:{number}"
        for path in sorted(MOBILE_API.rglob("*.py"))
        if path.name != "moments.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "serializers.DateTimeField(" in line or "serializers.ModelSerializer)" in line
    ]
    assert plain == []
