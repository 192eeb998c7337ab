"""`GET /api/v1/me` tells the phone app what the web pages tell the person: the warnings the
community manager gave them (the visit's day and the reason, never the report nor who filed it,
for `WARNING_SHOWN_DAYS` days) and, for a helper, whether their payout account can take
charges and what to do if not. Texts in the reader's language; one statement for the
warnings however many there are."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine

from backend.models import User
from bookings import services
from bookings.models import Booking, BookingStatus, SafetyReport
from bookings.selectors import WARNING_SHOWN_DAYS
from helpers.models import ApprovalStatus
from helpers.services import helper_profile_update, helper_takes_payments_set
from tests.api.api_assertions import API, client_for, token_client
from tests.bookings.services.state import T0
from tests.factories import ManagerFactory, UserFactory, make_booking, make_helper
from tests.realtime.helpers import api_token

pytestmark = pytest.mark.django_db

REPORT_TEXT = "He shouted at the neighbours."
REASON = "Keep your voice down."
PAYOUT_URL = "http://testserver/api/v1/helper/payout-account"
USER_KEYS = {
    "id",
    "email",
    "display_name",
    "phone",
    "languages",
    "preferred_language",
    "home_street",
    "home_postal_code",
    "home_locality",
    "home_location",
    "is_helper",
    "is_manager",
    "date_joined",
}


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _warn(booking: Booking, *, reported: str, outcome: str = "warning", note: str = REASON):
    customer, helper_user = booking.help_request.customer, booking.helper.user
    reporter = helper_user if reported == "customer" else customer
    report = services.safety_report_file(
        booking=booking, actor=reporter, category="harassment", text=REPORT_TEXT
    )
    return services.safety_report_triage(
        report=report, actor=ManagerFactory.create(), outcome=outcome, note=note
    )


def _me(user: User, language: str | None = None) -> dict:
    """`GET /me` with the user's own API token (so their stored language counts)."""
    client = token_client(api_token(user))
    if language is None:
        response = client.get(f"{API}/me")
    else:
        response = client.get(f"{API}/me", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("reported", ["helper", "customer"])
def test_the_warned_person_reads_their_warning_in_their_language(clock, reported):
    booking = make_booking(BookingStatus.IN_PROGRESS)
    _warn(booking, reported=reported)
    warned = booking.helper.user if reported == "helper" else booking.help_request.customer
    User.objects.filter(pk=warned.pk).update(preferred_language="it")

    body = _me(warned)

    assert body["warnings"] == [
        {
            "visit_day": "2027-02-02",
            "reason": REASON,
            "given_at": "2027-02-02T09:00:00.000000+01:00",
            "message": "Dopo la visita in data 2 febbraio 2027, la gestione della comunità ha "
            "esaminato quanto accaduto e le ha rivolto un ammonimento. Il motivo:",
        }
    ]
    reporter = booking.help_request.customer if reported == "helper" else booking.helper.user
    text = str(body["warnings"])
    assert REPORT_TEXT not in text
    assert reporter.display_name not in text
    assert reporter.email not in text
    # The language the request asks for comes before the stored one.
    assert _me(warned, "de")["warnings"][0]["message"] == (
        "Nach dem Besuch vom 2. Februar 2027 hat das Community-Management geprüft, was "
        "geschehen ist, und Ihnen eine Verwarnung ausgesprochen. Der Grund:"
    )


@pytest.mark.parametrize("outcome", ["no_action", "warning"])
def test_the_reporter_and_a_person_not_warned_have_no_warnings(clock, outcome):
    booking = make_booking(BookingStatus.IN_PROGRESS)
    _warn(booking, reported="helper", outcome=outcome)

    # The reporter (the customer) was not warned; after "no action" neither was the helper.
    assert _me(booking.help_request.customer)["warnings"] == []
    helper_warnings = _me(booking.helper.user)["warnings"]
    assert len(helper_warnings) == (1 if outcome == "warning" else 0)


def test_a_warning_leaves_the_answer_after_its_days_and_stays_on_the_record(clock):
    booking = make_booking(BookingStatus.IN_PROGRESS)
    report = _warn(booking, reported="customer")
    customer = booking.help_request.customer
    token = api_token(customer)

    clock.move_to(report.triaged_at + timedelta(days=WARNING_SHOWN_DAYS, seconds=-1))
    assert [w["reason"] for w in token_client(token).get(f"{API}/me").json()["warnings"]] == [
        REASON
    ]
    clock.move_to(report.triaged_at + timedelta(days=WARNING_SHOWN_DAYS, seconds=1))
    assert token_client(token).get(f"{API}/me").json()["warnings"] == []
    assert list(SafetyReport.objects.filter(reported=customer).values_list("outcome")) == [
        ("warning",)
    ]


def test_warnings_come_newest_first_in_one_statement(clock, django_assert_num_queries):
    customer = UserFactory.create(preferred_language="en")
    for days, note in ((0, "First."), (3, "Second."), (7, "Third.")):
        clock.move_to(T0 + timedelta(days=days))
        _warn(
            make_booking(BookingStatus.IN_PROGRESS, customer=customer),
            reported="customer",
            note=note,
        )
    client = token_client(api_token(customer))

    # The device and its user, the helper profile (none), the warnings.
    with django_assert_num_queries(3):
        body = client.get(f"{API}/me").json()

    assert [(w["visit_day"], w["reason"]) for w in body["warnings"]] == [
        ("2027-02-09", "Third."),
        ("2027-02-05", "Second."),
        ("2027-02-02", "First."),
    ]
    assert body["payout"] is None


def test_a_helper_whose_account_takes_charges_reads_that_nothing_is_to_do():
    helper = make_helper(takes_payments=True)

    body = _me(helper.user, "fr")

    assert body["payout"] == {
        "can_take_charges": True,
        "action_needed": False,
        "disconnected": False,
        "message": None,
        "payout_account_url": PAYOUT_URL,
    }
    assert body["warnings"] == []


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "de",
            "Schliessen Sie die Einrichtung Ihres Auszahlungskontos ab: Bezahlte Anfragen "
            "erhalten Sie erst, wenn Kundinnen und Kunden Sie bezahlen können",
        ),
        (
            "it",
            "Completi il collegamento del suo conto di versamento: le richieste a pagamento le "
            "arrivano solo quando la clientela può pagarla",
        ),
    ],
)
def test_a_helper_whose_account_cannot_take_charges_reads_what_to_do(language, message):
    helper = make_helper(takes_payments=False)
    User.objects.filter(pk=helper.user_id).update(preferred_language=language)

    body = _me(helper.user)

    assert body["payout"] == {
        "can_take_charges": False,
        "action_needed": True,
        "disconnected": False,
        "message": message,
        "payout_account_url": PAYOUT_URL,
    }
    # The link leads to the payout account: none yet, so the onboarding is to start.
    follow = token_client(api_token(helper.user)).get(body["payout"]["payout_account_url"])
    assert follow.status_code == 404
    assert follow.json()["code"] == "not_found"


def test_a_helper_working_for_free_or_still_applying_is_asked_nothing():
    free = make_helper(takes_payments=False)
    helper_profile_update(helper=free, hourly_rate_minor=0)
    applicant = make_helper(takes_payments=False, approval=ApprovalStatus.DOCUMENTS_SUBMITTED)

    for helper in (free, applicant):
        assert _me(helper.user)["payout"] == {
            "can_take_charges": False,
            "action_needed": False,
            "disconnected": False,
            "message": None,
            "payout_account_url": PAYOUT_URL,
        }


def test_a_customer_has_no_payout_and_the_answer_keeps_its_fields():
    customer = UserFactory.create()

    body = _me(customer)

    assert set(body) == USER_KEYS | {"warnings", "payout"}
    assert body["payout"] is None
    assert body["warnings"] == []
    # Changing the profile answers the same resource.
    changed = client_for(customer).patch(f"{API}/me", {"display_name": "Rosa"}, format="json")
    assert changed.status_code == 200
    assert set(changed.json()) == USER_KEYS | {"warnings", "payout"}
    assert changed.json()["display_name"] == "Rosa"


def test_a_helper_reads_payout_and_warnings_in_a_bounded_number_of_statements(
    clock, django_assert_num_queries
):
    helper = make_helper()
    for days in (0, 3):
        clock.move_to(T0 + timedelta(days=days))
        _warn(make_booking(BookingStatus.IN_PROGRESS, helper=helper), reported="helper")
    # The payout account stopped taking charges since (payments records it on the helper so).
    helper_takes_payments_set(helper_id=helper.pk, takes_payments=False)
    client = token_client(api_token(helper.user))

    # The device and its user, the helper profile (for `is_helper` and `payout`), whether an
    # account that takes no charges was disconnected, the warnings.
    with django_assert_num_queries(4):
        body = client.get(f"{API}/me").json()

    assert len(body["warnings"]) == 2
    assert body["payout"]["action_needed"] is True
