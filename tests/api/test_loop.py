"""The whole marketplace loop, through HTTP only: register, vet, ask, match, visit, review."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.models import BookingStatus, HelpRequestStatus, OfferStatus
from bookings.offer_summary import distance_for_helper, helper_explanation
from helpers.models import HelperProfile
from helpers.services import helper_takes_payments_set
from tests.api.api_assertions import (
    API,
    assert_error,
    client_for,
    results,
    sign_up,
    token_client,
)
from tests.factories import (
    PASSWORD,
    PDF_BYTES,
    PNG_BYTES,
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    next_slot_start,
    pending_offer,
    post_request,
)

pytestmark = pytest.mark.django_db

HOURLY_RATE_MINOR = 4800
# Free around the clock, so that a visit starting in 30 minutes matches at any hour.
ALL_DAY = ((time(0, 0), time(23, 59)),)
# What a helper must not see of a request before winning it.
PRIVATE_REQUEST_KEYS = {
    "street",
    "location",
    "on_behalf_name",
    "on_behalf_phone",
    "customer_name",
    "customer_phone",
}


def _window(starts_at: datetime, ends_at: datetime) -> dict[str, str]:
    return {"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}


def _parsed(windows: list[dict[str, str]]) -> list[tuple[datetime, datetime]]:
    return [
        (datetime.fromisoformat(w["starts_at"]), datetime.fromisoformat(w["ends_at"]))
        for w in windows
    ]


def _register(**fields: Any) -> tuple[str, dict[str, Any]]:
    """Sign up and confirm the address through the API, then log in: the log-in token."""
    token, _user = sign_up(password=PASSWORD, languages=["de", "en"], **fields)
    response = APIClient().post(
        f"{API}/auth/token", {"email": fields["email"], "password": PASSWORD}
    )
    assert response.status_code == 200, response.content
    # Each log-in is a device of its own: a token besides the one the confirmation gave.
    assert response.json()["token"] not in ("", token)
    return response.json()["token"], response.json()["user"]


def _manager_token() -> str:
    manager = ManagerFactory.create()
    response = APIClient().post(f"{API}/auth/token", {"email": manager.email, "password": PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _request_body(start: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "category": "internet-wifi",
        "description": "The Wi-Fi drops every evening around eight.",
        "street": "Bahnhofstrasse 1",
        "postal_code": "8001",
        "locality": "Zürich",
        "windows": [_window(start, start + timedelta(hours=4))],
        **extra,
    }


def _events(client: APIClient, booking_id: str) -> list[tuple[str, str]]:
    rows = results(client.get(f"{API}/bookings/{booking_id}/events"))
    return [(row["from_status"], row["to_status"]) for row in rows]


def test_whole_loop_over_http_with_real_tokens():
    # Given a customer and a would-be helper who register, and a community manager
    customer_token, customer_user = _register(
        email="ruth@example.ch",
        display_name="Ruth Keller",
        phone="+41 44 555 01 01",
        home_street="Bahnhofstrasse 1",
        home_postal_code="8001",
        home_locality="Zürich",
    )
    helper_token, _ = _register(
        email="luca@example.ch",
        display_name="Luca Rossi",
        phone="+41 79 555 02 02",
        home_street="Langstrasse 10",
        home_postal_code="8004",
        home_locality="Zürich",
    )
    customer, helper, manager = (
        token_client(customer_token),
        token_client(helper_token),
        token_client(_manager_token()),
    )
    assert customer_user["home_postal_code"] == "8001"
    assert customer_user["is_helper"] is False

    # When the helper applies and sets weekly hours, and the manager approves from the queue
    response = helper.post(
        f"{API}/helper/profile",
        {"skills": ["internet-wifi"], "hourly_rate_minor": HOURLY_RATE_MINOR, "bio": "IT pro"},
    )
    assert response.status_code == 201, response.content
    profile = response.json()
    assert profile["approval_status"] == "applied"
    weekly = [{"weekday": day, "start_time": "08:00", "end_time": "20:00"} for day in range(7)]
    response = helper.put(f"{API}/helper/availability/weekly", {"intervals": weekly})
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 7
    # And hands in their documents, which the manager checks, and passes the conduct test
    for kind, name, content, extra in (
        ("identity", "id.png", PNG_BYTES, {}),
        (
            "criminal_record_extract",
            "extract.pdf",
            PDF_BYTES,
            {"issued_on": str(timezone.localdate() - timedelta(days=5))},
        ),
    ):
        upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
        response = helper.post(
            f"{API}/helper/application/documents",
            {"kind": kind, "file": upload, **extra},
            format="multipart",
        )
        assert response.status_code == 201, response.content
    response = helper.post(f"{API}/helper/application/submit")
    assert response.status_code == 200, response.content
    assert response.json()["approval_status"] == "documents_submitted"
    queue = results(manager.get(f"{API}/manager/applications", {"step": "documents_submitted"}))
    assert [row["helper_id"] for row in queue] == [profile["id"]]
    application = manager.get(f"{API}/manager/applications/{profile['id']}").json()
    for document in application["documents"]:
        response = manager.get(f"{API}/manager/documents/{document['id']}/file")
        assert response.status_code == 200
    for step in ("check-documents", "conduct-test-passed"):
        response = manager.post(f"{API}/manager/applications/{profile['id']}/{step}")
        assert response.status_code == 200, response.content
    queue = results(
        manager.get(f"{API}/manager/helpers", {"approval_status": "conduct_test_passed"})
    )
    assert [row["id"] for row in queue] == [profile["id"]]
    response = manager.post(
        f"{API}/manager/helpers/{profile['id']}/approve", {"note": "Met in person."}
    )
    assert response.status_code == 200, response.content
    assert response.json()["approval_status"] == "approved"
    assert results(manager.get(f"{API}/manager/applications")) == []
    # (Their payout account takes charges, so they get paid offers: the payments tests connect
    # one at the Stripe emulator; here the loop of the visit itself is the point.)
    helper_takes_payments_set(
        helper_id=HelperProfile.objects.get(user__email="luca@example.ch").pk, takes_payments=True
    )

    # And the customer asks for help in one window two days ahead, 10:00–14:00 Swiss time
    start = next_slot_start(days=2, hour=10)
    response = customer.post(f"{API}/help-requests", _request_body(start))
    assert response.status_code == 201, response.content
    help_request = response.json()
    assert help_request["status"] == HelpRequestStatus.OPEN
    assert help_request["pending_offers"] == 1
    assert help_request["booking"] is None
    assert _parsed(help_request["windows"]) == [(start, start + timedelta(hours=4))]

    # Then the helper's inbox explains the match and hides the street, point and phones
    inbox = results(helper.get(f"{API}/offers", {"status": "pending"}))
    assert len(inbox) == 1
    offer = inbox[0]
    assert offer["status"] == OfferStatus.PENDING
    assert offer["explanation"]["category"] == "internet-wifi"
    assert offer["explanation"]["shared_languages"] == ["de", "en"]
    # in the helper's language (German: no Accept-Language), the languages named in words
    summary = offer["explanation"]["summary"]
    assert "Kenntnisse in Internet & WLAN, spricht Deutsch, Englisch" in summary
    assert offer["request"]["postal_code"] == "8001"
    assert offer["request"]["locality"] == "Zürich"
    assert offer["request"]["for_someone_else"] is False
    assert PRIVATE_REQUEST_KEYS.isdisjoint(offer["request"])
    assert "Bahnhofstrasse" not in str(offer)
    assert "+41 44 555 01 01" not in str(offer)

    # When the helper accepts
    response = helper.post(f"{API}/offers/{offer['id']}/accept")

    # Then there is a booking awaiting a proposal, and now the helper sees where and whom
    assert response.status_code == 201, response.content
    booking = response.json()
    booking_id = booking["id"]
    assert booking["status"] == BookingStatus.AWAITING_PROPOSAL
    assert booking["my_role"] == "helper"
    assert booking["request"]["street"] == "Bahnhofstrasse 1"
    assert booking["request"]["location"]["type"] == "Point"
    assert booking["request"]["customer_phone"] == "+41 44 555 01 01"
    assert booking["request"]["customer_name"] == "Ruth"
    response = customer.get(f"{API}/help-requests/{help_request['id']}")
    assert response.json()["status"] == HelpRequestStatus.ASSIGNED
    assert response.json()["booking"] == booking_id

    # When the helper proposes two slots and the customer confirms the first (1 h 30)
    slots = [
        _window(start, start + timedelta(minutes=90)),
        _window(start + timedelta(hours=2), start + timedelta(hours=3)),
    ]
    response = helper.post(f"{API}/bookings/{booking_id}/propose", {"slots": slots})
    assert response.status_code == 200, response.content
    proposals = response.json()["proposals"]
    assert [p["status"] for p in proposals] == ["proposed", "proposed"]
    assert proposals[0]["price"] == {"amount_minor": HOURLY_RATE_MINOR * 3 // 2, "currency": "CHF"}
    response = customer.post(
        f"{API}/bookings/{booking_id}/confirm", {"proposal": proposals[0]["id"]}
    )

    # Then the visit is confirmed at the hourly rate times the duration
    assert response.status_code == 200, response.content
    confirmed = response.json()
    assert confirmed["status"] == BookingStatus.CONFIRMED
    assert confirmed["price"] == {"amount_minor": HOURLY_RATE_MINOR * 3 // 2, "currency": "CHF"}
    assert datetime.fromisoformat(confirmed["starts_at"]) == start
    assert datetime.fromisoformat(confirmed["ends_at"]) == start + timedelta(minutes=90)
    assert [p["status"] for p in confirmed["proposals"]] == ["chosen"]

    # When, on the day, the helper goes, checks in and out, and the customer signs off
    with time_machine.travel(start - timedelta(minutes=30), tick=False) as traveller:
        response = helper.post(f"{API}/bookings/{booking_id}/on-my-way", {"eta_minutes": 25})
        assert response.status_code == 200, response.content
        assert response.json()["status"] == BookingStatus.ON_THE_WAY
        assert datetime.fromisoformat(response.json()["eta_at"]) == start - timedelta(minutes=5)
        traveller.shift(timedelta(minutes=25))
        response = helper.post(f"{API}/bookings/{booking_id}/check-in")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == BookingStatus.IN_PROGRESS
        traveller.shift(timedelta(minutes=80))
        response = helper.post(
            f"{API}/bookings/{booking_id}/check-out",
            {
                "work_summary": "Moved the router off the floor and changed the channel.",
                "leave_behind_note": "If it drops again: unplug for ten seconds.",
            },
        )
        assert response.status_code == 200, response.content
        assert response.json()["status"] == BookingStatus.COMPLETED
        assert response.json()["leave_behind_note"] == "If it drops again: unplug for ten seconds."
        traveller.shift(timedelta(hours=1))
        response = customer.post(f"{API}/bookings/{booking_id}/sign-off")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == BookingStatus.SIGNED_OFF
        assert response.json()["signed_off_automatically"] is False

        # And both review: the customer's review stays hidden until the helper's is in
        response = customer.post(
            f"{API}/bookings/{booking_id}/reviews", {"rating": 5, "text": "Quick and kind."}
        )
        assert response.status_code == 201, response.content
        assert response.json()["published_at"] is None
        assert results(helper.get(f"{API}/bookings/{booking_id}/reviews")) == []
        own = results(customer.get(f"{API}/bookings/{booking_id}/reviews"))
        assert [(r["author_role"], r["rating"], r["published_at"]) for r in own] == [
            ("customer", 5, None)
        ]
        response = helper.post(f"{API}/bookings/{booking_id}/reviews", {"rating": 4})
        assert response.status_code == 201, response.content
        assert response.json()["published_at"] is not None
        as_helper = results(helper.get(f"{API}/bookings/{booking_id}/reviews"))

    # Then both reviews are public, and the trail shows every step in order
    assert [(r["author_role"], r["rating"]) for r in as_helper] == [
        ("customer", 5),
        ("helper", 4),
    ]
    assert _events(customer, booking_id) == [
        ("", "awaiting_proposal"),
        ("awaiting_proposal", "proposed"),
        ("proposed", "confirmed"),
        ("confirmed", "on_the_way"),
        ("on_the_way", "in_progress"),
        ("in_progress", "completed"),
        ("completed", "signed_off"),
    ]
    assert _events(helper, booking_id) == _events(customer, booking_id)
    assert customer.get(f"{API}/help-requests/{help_request['id']}").json()["status"] == "closed"
    response = helper.get(f"{API}/helper/profile")
    assert response.json()["completed_visits"] == 1
    assert response.json()["rating_count"] == 1
    assert response.json()["rating_average"] == 5.0

    # And the manager sees who was offered the request, and why
    offers = results(manager.get(f"{API}/manager/help-requests/{help_request['id']}/offers"))
    assert [(row["helper"], row["status"], row["rank"]) for row in offers] == [
        (profile["id"], "accepted", 1)
    ]
    # The manager reads the explanation the helper read, with the exact distance and the score
    # (the helper reads the distance to 100 m, before winning the request, and no score)
    assert helper_explanation(offers[0]["explanation"]) == offer["explanation"]
    assert offer["explanation"]["distance_m"] == distance_for_helper(
        offers[0]["explanation"]["distance_m"]
    )
    assert "score" in offers[0]["explanation"]


def test_dispute_resolved_void_cancels_and_counts_against_the_helper():
    # Given a completed visit
    manager = ManagerFactory.create()
    booking = make_booking(BookingStatus.COMPLETED, helper=make_helper(weekly=ALL_DAY))
    customer = client_for(booking.help_request.customer)

    # When the customer disputes and the manager voids the visit, caused by the helper
    response = customer.post(
        f"{API}/bookings/{booking.public_id}/dispute",
        {"reason": "The Wi-Fi still drops every evening."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == BookingStatus.DISPUTED
    assert response.json()["dispute_reason"] == "The Wi-Fi still drops every evening."
    response = client_for(manager).post(
        f"{API}/bookings/{booking.public_id}/resolve-dispute",
        {"outcome": "visit_void", "note": "The router was never replaced.", "caused_by": "helper"},
    )

    # Then the booking is cancelled, caused by the helper, and it counts against them
    assert response.status_code == 200, response.content
    resolved = response.json()
    assert resolved["status"] == BookingStatus.CANCELLED
    assert resolved["my_role"] == "manager"
    assert resolved["caused_by"] == "helper"
    assert resolved["cause"] == "The router was never replaced."
    profile = client_for(manager).get(f"{API}/manager/helpers/{booking.helper.public_id}").json()
    assert profile["cancellations_caused"] == 1
    assert profile["completed_visits"] == 0
    assert _events(customer, str(booking.public_id))[-2:] == [
        ("completed", "disputed"),
        ("disputed", "cancelled"),
    ]
    response = customer.get(f"{API}/help-requests/{booking.help_request.public_id}")
    assert response.json()["status"] == HelpRequestStatus.CLOSED
    assert response.json()["booking"] is None


def test_on_behalf_contact_reaches_the_helper_only_after_accepting():
    # Given a daughter who books for her father, and a helper nearby
    helper = make_helper()
    daughter = UserFactory.create()
    response = client_for(daughter).post(
        f"{API}/help-requests",
        _request_body(
            next_slot_start(), on_behalf_name="Hans Muster", on_behalf_phone="+41 44 555 03 03"
        ),
    )
    assert response.status_code == 201, response.content
    assert response.json()["on_behalf_name"] == "Hans Muster"
    as_helper = client_for(helper.user)

    # When the helper reads the offer
    offer = results(as_helper.get(f"{API}/offers"))[0]

    # Then it says the visit is for someone else, without their name or phone
    assert offer["request"]["for_someone_else"] is True
    assert PRIVATE_REQUEST_KEYS.isdisjoint(offer["request"])
    assert "Hans" not in str(offer)
    assert "555 03 03" not in str(as_helper.get(f"{API}/offers/{offer['id']}").json())

    # When the helper accepts, then the booking names the person and their phone
    response = as_helper.post(f"{API}/offers/{offer['id']}/accept")
    assert response.status_code == 201, response.content
    request = response.json()["request"]
    assert (request["on_behalf_name"], request["on_behalf_phone"]) == (
        "Hans Muster",
        "+41 44 555 03 03",
    )
    assert request["customer_name"] == daughter.display_name.split()[0]


def test_withdrawing_before_acceptance_withdraws_the_offers():
    # Given an open request with a pending offer
    helper = make_helper()
    customer = UserFactory.create()
    help_request = post_request(customer)
    offer = pending_offer(help_request, helper)

    # When the customer withdraws it
    response = client_for(customer).post(
        f"{API}/help-requests/{help_request.public_id}/withdraw", {"reason": "Fixed it myself."}
    )

    # Then the request is withdrawn, the offer too, and the helper can no longer accept
    assert response.status_code == 200, response.content
    assert response.json()["status"] == HelpRequestStatus.WITHDRAWN
    assert response.json()["status_reason"] == "Fixed it myself."
    assert response.json()["pending_offers"] == 0
    as_helper = client_for(helper.user)
    assert as_helper.get(f"{API}/offers/{offer.public_id}").json()["status"] == "withdrawn"
    assert results(as_helper.get(f"{API}/offers", {"status": "pending"})) == []
    assert_error(
        as_helper.post(f"{API}/offers/{offer.public_id}/accept"), 409, "offer_not_pending", set()
    )
    # Withdrawing it again changes nothing and says why, in the reader's language: nobody
    # accepted, the request is closed (not "a helper has already accepted").
    again = assert_error(
        client_for(customer).post(
            f"{API}/help-requests/{help_request.public_id}/withdraw",
            HTTP_ACCEPT_LANGUAGE="it",
        ),
        409,
        "request_not_editable",
        set(),
    )
    assert again["message"] == "Questa richiesta è già chiusa: non c’è nulla da ritirare."
    help_request.refresh_from_db()
    assert (help_request.status, help_request.status_reason) == (
        HelpRequestStatus.WITHDRAWN,
        "Fixed it myself.",
    )


def test_a_request_s_status_reason_is_said_in_the_reader_s_language():
    # Given a request nobody could take, and one withdrawn without a reason
    customer = UserFactory.create()
    nobody = post_request(customer)
    nobody.refresh_from_db()
    assert nobody.status == HelpRequestStatus.UNMATCHED
    withdrawn = post_request(customer)
    as_customer = client_for(customer)
    as_customer.post(f"{API}/help-requests/{withdrawn.public_id}/withdraw", {"reason": ""})

    # When the customer's phone reads them in Italian
    def read(help_request: Any) -> Any:
        url = f"{API}/help-requests/{help_request.public_id}"
        return as_customer.get(url, HTTP_ACCEPT_LANGUAGE="it").json()

    # Then the reasons are the request page's words in Italian, not the trail's English notes
    radius = f"{nobody.search_radius_km:g}"
    assert (read(nobody)["status"], read(nobody)["status_reason"]) == (
        "unmatched",
        f"Nessuno era libero: nessuna persona aiutante nel raggio di {radius} km poteva venire "
        "negli orari indicati. Aggiunga altri orari o chieda di nuovo più tardi.",
    )
    assert (read(withdrawn)["status"], read(withdrawn)["status_reason"]) == (
        "withdrawn",
        "Ha ritirato questa richiesta.",
    )


def test_editing_the_windows_withdraws_pending_offers_and_matches_again(quartier_settings):
    # Given two equally good helpers nearby, and a request offered to one helper at a time
    quartier_settings(OFFER_BATCH_SIZE=1)
    first, second = make_helper(), make_helper()
    customer = UserFactory.create()
    help_request = post_request(customer)
    offered = pending_offer(help_request)
    other = second if offered.helper == first else first

    # When the customer moves the time window to the day after
    start = next_slot_start(days=3, hour=14)
    response = client_for(customer).patch(
        f"{API}/help-requests/{help_request.public_id}",
        {"windows": [_window(start, start + timedelta(hours=3))]},
    )

    # Then the old offer is withdrawn and matching runs again from scratch: a withdrawn offer
    # does not count as asked, so the best helper gets a fresh offer for the new time
    assert response.status_code == 200, response.content
    assert response.json()["status"] == HelpRequestStatus.OPEN
    assert response.json()["pending_offers"] == 1
    assert _parsed(response.json()["windows"]) == [(start, start + timedelta(hours=3))]
    offered.refresh_from_db()
    assert offered.status == OfferStatus.WITHDRAWN
    inbox = results(client_for(offered.helper.user).get(f"{API}/offers", {"status": "pending"}))
    assert len(inbox) == 1
    assert inbox[0]["id"] != str(offered.public_id)
    assert _parsed(inbox[0]["request"]["windows"]) == [(start, start + timedelta(hours=3))]
    assert results(client_for(other.user).get(f"{API}/offers", {"status": "pending"})) == []


def test_editing_the_windows_offers_the_request_again_to_the_same_free_helper():
    # Given the only helper nearby, free all day, with a pending offer for the request
    helper = make_helper()
    customer = UserFactory.create()
    help_request = post_request(customer)
    assert pending_offer(help_request, helper) is not None

    # When the customer moves the window to another day, when the helper is free too
    start = next_slot_start(days=3, hour=14)
    response = client_for(customer).patch(
        f"{API}/help-requests/{help_request.public_id}",
        {"windows": [_window(start, start + timedelta(hours=3))]},
    )

    # Then the request is still open and offered to that helper again
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["pending_offers"]) == ("open", 1)
