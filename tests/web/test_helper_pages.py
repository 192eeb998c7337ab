"""The helper's phone app through Django's test client: applying, hours and time off, the
offers inbox (accepting, declining, losing the race), and a visit driven to its end; each
refusal shown next to its field with nothing written."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone, translation

from backend.formats import written
from backend.models import User
from bookings.models import Booking, BookingStatus, Offer, OfferStatus
from bookings.services import offer_accept
from helpers.models import (
    VETTING_STATUSES,
    ApprovalStatus,
    AvailabilityException,
    HelperProfile,
    WeeklyAvailability,
)
from tests.factories import UserFactory, make_booking, make_helper, pending_offer, post_request
from tests.web.refusals import shown_once
from tests.web.test_pages import _errors_of, _logged_in

pytestmark = pytest.mark.django_db
ZURICH = ZoneInfo("Europe/Zurich")


def test_someone_who_is_no_helper_is_sent_to_apply(client):
    _logged_in(client, UserFactory.create())
    for path in ("/helper/", "/helper/hours", "/helper/profile", "/helper/visits/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"] == "/helper/apply"


def test_the_helpers_pages_ask_to_log_in_first(client):
    response = client.get("/helper/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/log-in")


def test_applying_makes_an_applicant_and_leads_to_the_application(client):
    user = UserFactory.create(languages=["de"])
    _logged_in(client, user)
    response = client.post(
        "/helper/apply",
        {
            "skills": ["internet-wifi", "tv-streaming"],
            "service_radius_km": "8",
            "hourly_rate": "45.50",
            "languages": ["de", "it"],
            "bio": "Retired electrician.",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/helper/application"
    helper = HelperProfile.objects.get(user=user)
    assert helper.approval_status == ApprovalStatus.APPLIED
    assert helper.service_radius_km == 8
    assert helper.hourly_rate_minor == 4550
    assert sorted(helper.skills.values_list("slug", flat=True)) == ["internet-wifi", "tv-streaming"]
    user.refresh_from_db()
    assert user.languages == ["de", "it"]


def test_applying_refusals_are_shown_next_to_their_fields_and_write_nothing(client):
    user = UserFactory.create()
    _logged_in(client, user)
    response = client.post(
        "/helper/apply",
        {"service_radius_km": "80", "hourly_rate": "40", "languages": ["de"], "skills": []},
    )
    html = shown_once(client, response, "/helper/apply")
    assert _errors_of(html, "id_skills") == ["This field is required."]
    assert 'name="service_radius_km" value="80"' in html
    response = client.post(
        "/helper/apply",
        {
            "service_radius_km": "80",
            "hourly_rate": "40",
            "languages": ["it"],
            "skills": ["internet-wifi"],
        },
    )
    html = shown_once(client, response, "/helper/apply")
    assert _errors_of(html, "id_service_radius_km") == ["Choose from 1 to 50 km."]
    assert 'value="it" id="id_languages_2" checked' in html
    assert not HelperProfile.objects.filter(user=user).exists()
    user.refresh_from_db()
    assert user.languages == ["de", "en"]  # the refused application changed nothing


def test_weekly_hours_are_replaced_and_shown_again(client):
    helper = make_helper()
    _logged_in(client, helper.user)
    response = client.post(
        "/helper/hours/weekly",
        {"d0_1_start": "08:00", "d0_1_end": "12:00", "d2_1_start": "14:00", "d2_1_end": "18:30"},
    )
    assert response.status_code == 302
    rows = list(
        WeeklyAvailability.objects.filter(helper=helper).values_list(
            "weekday", "start_time", "end_time"
        )
    )
    assert rows == [(0, time(8), time(12)), (2, time(14), time(18, 30))]
    html = client.get("/helper/hours").content.decode()
    assert 'name="d2_1_end" value="18:30"' in html


def test_weekly_hours_refusals_keep_the_old_hours(client):
    helper = make_helper()
    _logged_in(client, helper.user)
    before = WeeklyAvailability.objects.filter(helper=helper).count()
    page = "/helper/hours"
    half = client.post("/helper/hours/weekly", {"d1_1_start": "08:00"})
    shown = shown_once(client, half, page)
    assert _errors_of(shown, "id_d1_1_end") == ["Give both the start and the end, or neither."]
    assert 'name="d1_1_start" value="08:00"' in shown
    inverted = client.post("/helper/hours/weekly", {"d1_1_start": "12:00", "d1_1_end": "09:00"})
    assert _errors_of(shown_once(client, inverted, page), "id_d1_1_end") == [
        "The end must come after the start, and times must not overlap."
    ]
    overlap = client.post(
        "/helper/hours/weekly",
        {"d1_1_start": "08:00", "d1_1_end": "12:00", "d1_2_start": "11:00", "d1_2_end": "13:00"},
    )
    assert "times must not overlap" in shown_once(client, overlap, page)
    assert WeeklyAvailability.objects.filter(helper=helper).count() == before


def test_a_refused_stretch_is_named_by_its_day_above_the_form(client):
    helper = make_helper()
    _logged_in(client, helper.user, "fr")

    half = shown_once(
        client, client.post("/helper/hours/weekly", {"d0_1_start": "08:00"}), "/helper/hours"
    )
    inverted = shown_once(
        client,
        client.post("/helper/hours/weekly", {"d6_2_start": "15:00", "d6_2_end": "10:00"}),
        "/helper/hours",
    )

    assert '<a href="#id_d0_1_end">Lundi, à : Indiquez le début et la fin' in half
    assert '<a href="#id_d6_2_end">Dimanche, à : La fin doit venir après le début' in inverted
    assert '<label for="id_d6_2_end">À</label>' in inverted  # the field keeps its short label


def test_time_off_is_added_for_whole_days_and_removed(client):
    helper = make_helper()
    _logged_in(client, helper.user)
    first = timezone.localdate() + timedelta(days=3)
    response = client.post(
        "/helper/hours/time-off",
        {
            "kind": "unavailable",
            "first_day": first.isoformat(),
            "last_day": (first + timedelta(days=1)).isoformat(),
            "note": "Holiday",
        },
    )
    assert response.status_code == 302
    exception = AvailabilityException.objects.get(helper=helper)
    assert timezone.localtime(exception.starts_at).date() == first
    assert exception.ends_at - exception.starts_at == timedelta(days=2)
    assert client.post(f"/helper/hours/time-off/{exception.pk}/remove").status_code == 302
    assert not AvailabilityException.objects.filter(helper=helper).exists()


def test_time_off_is_shown_from_its_first_to_its_last_day(client):
    helper = make_helper()
    _logged_in(client, helper.user, "fr")
    first = date(2026, 12, 24)
    with time_machine.travel(datetime(2026, 12, 6, 10, tzinfo=ZURICH), tick=False):
        client.post(
            "/helper/hours/time-off",
            {"kind": "unavailable", "first_day": "2026-12-24", "last_day": "2026-12-26"},
        )
        html = client.get("/helper/hours").content.decode()
    assert timezone.localdate(AvailabilityException.objects.get(helper=helper).starts_at) == first
    assert "Pas disponible :</strong>\n            24 décembre 2026 – 26 décembre 2026" in html
    assert "27 décembre" not in html


def test_time_off_ending_before_it_starts_is_refused_saying_just_that(client):
    helper = make_helper()
    _logged_in(client, helper.user, "fr")
    first = timezone.localdate() + timedelta(days=5)
    response = client.post(
        "/helper/hours/time-off",
        {
            "kind": "unavailable",
            "first_day": first.isoformat(),
            "last_day": (first - timedelta(days=2)).isoformat(),
        },
    )
    shown = shown_once(client, response, "/helper/hours")
    assert _errors_of(shown, "id_last_day") == ["Le dernier jour ne peut pas précéder le premier."]
    assert f'value="{first.isoformat()}"' in shown
    assert not AvailabilityException.objects.filter(helper=helper).exists()


def test_time_off_in_the_past_is_refused_next_to_its_field(client):
    helper = make_helper()
    _logged_in(client, helper.user)
    past = timezone.localdate() - timedelta(days=5)
    response = client.post(
        "/helper/hours/time-off",
        {"kind": "unavailable", "first_day": past.isoformat(), "last_day": past.isoformat()},
    )
    shown = shown_once(client, response, "/helper/hours")
    assert _errors_of(shown, "id_last_day") == ["This day has already passed."]
    assert not AvailabilityException.objects.filter(helper=helper).exists()


def test_another_helpers_time_off_cannot_be_removed(client):
    helper, other = make_helper(), make_helper()
    start = timezone.now() + timedelta(days=2)
    exception = AvailabilityException.objects.create(
        helper=other, kind="unavailable", starts_at=start, ends_at=start + timedelta(hours=5)
    )
    _logged_in(client, helper.user)
    assert client.post(f"/helper/hours/time-off/{exception.pk}/remove").status_code == 404
    assert AvailabilityException.objects.filter(pk=exception.pk).exists()


def test_the_inbox_shows_the_offer_without_the_address_and_accepting_opens_the_visit(client):
    helper = make_helper()
    help_request = post_request(UserFactory.create(), description="The router blinks red.")
    offer = pending_offer(help_request, helper)
    _logged_in(client, helper.user)
    html = client.get("/helper/").content.decode()
    assert "The router blinks red." in html
    assert help_request.locality in html
    assert "Bahnhofstrasse" not in html
    assert "CHF 40.00 per hour, all for you" in html
    response = client.post(f"/helper/offers/{offer.public_id}/accept")
    booking = Booking.objects.get(offer=offer)
    assert response.headers["Location"] == f"/helper/visits/{booking.public_id}/"
    page = client.get(response.headers["Location"]).content.decode()
    assert "Bahnhofstrasse 1" in page
    assert "geo:" in page


def test_each_offers_buttons_name_the_offer_they_answer(client):
    # Screen readers list a page's buttons by name: three "Accept" say nothing of which job.
    helper = make_helper(skills=("internet-wifi", "tv-streaming"))
    for slug in ("internet-wifi", "tv-streaming"):
        post_request(UserFactory.create(), slug=slug)
    _logged_in(client, helper.user)

    html = client.get("/helper/").content.decode()

    headings = dict(re.findall(r'<h3 id="(offer-[0-9a-f-]+-heading)">([^<]+)</h3>', html))
    assert sorted(headings.values()) == ["Internet &amp; Wi-Fi", "TV &amp; streaming"]
    described = re.findall(
        r'<(?:button|summary)[^>]*aria-describedby="([^"]+)"[^>]*>([^<]+)<', html
    )
    assert sorted(described) == sorted(
        (heading, name)
        for heading in headings
        for name in ("Accept", "Decline", "Decline this offer")
    )


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "{minutes} min {seconds} s left."),
        ("de", "Noch {minutes} min {seconds} s."),
        ("fr", "Encore {minutes} min {seconds} s."),
        ("it", "Ancora {minutes} min {seconds} s."),
    ],
)
def test_the_offers_countdown_gets_the_words_for_the_time_left_in_the_helpers_language(
    client, language, words
):
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory.create()), helper)
    _logged_in(client, helper.user, language)

    html = client.get("/helper/").content.decode()

    countdowns = re.findall(r'<span class="countdown"[^>]*></span>', html)
    assert countdowns == [
        f'<span class="countdown" data-expires-at="{offer.expires_at.astimezone().isoformat()}" '
        f'data-words="{words}" aria-hidden="true"></span>'
    ]


def test_losing_the_race_is_said_kindly_and_changes_nothing(client):
    first, second = make_helper(), make_helper()
    help_request = post_request(UserFactory.create())
    offer_accept(offer=pending_offer(help_request, first), actor=first.user)
    late = Offer.objects.get(help_request=help_request, helper=second)
    _logged_in(client, second.user)
    response = client.post(f"/helper/offers/{late.public_id}/accept", follow=True)
    assert "Another helper was a little quicker" in response.content.decode()
    assert not Booking.objects.filter(helper=second).exists()


def test_declining_records_the_reason(client):
    helper = make_helper()
    offer = pending_offer(post_request(UserFactory.create()), helper)
    _logged_in(client, helper.user)
    client.post(f"/helper/offers/{offer.public_id}/decline", {"reason": "too_far"})
    offer.refresh_from_db()
    assert (offer.status, offer.decline_reason) == (OfferStatus.DECLINED, "too_far")


@pytest.mark.parametrize("sent", [{"reason": "bored"}, {}])
def test_a_decline_without_a_valid_reason_is_refused_and_the_offer_stays_open(client, sent):
    helper = make_helper()
    other = pending_offer(post_request(UserFactory.create()), helper)
    offer = pending_offer(post_request(UserFactory.create()), helper)
    _logged_in(client, helper.user)

    # When the helper declines with a reason that is none of the choices (or none at all)
    response = client.post(f"/helper/offers/{offer.public_id}/decline", sent)

    # Then the offers page is back at its own address, the problem shown once on that offer's
    # decline (opened), and the offer is still open
    html = shown_once(client, response, "/helper/")
    name = f"id_decline_{offer.public_id.hex}_reason"
    assert _errors_of(html, name) == ["Choose one of the options."]
    assert f'<a href="#{name}_0">Why not? Choose one of the options.</a>' in html
    assert html.count("<details open>") == 1
    assert _errors_of(html, f"id_decline_{other.public_id.hex}_reason") == []
    offer.refresh_from_db()
    assert (offer.status, offer.decline_reason) == (OfferStatus.PENDING, "")
    assert Offer.objects.filter(status=OfferStatus.DECLINED).count() == 0


def test_another_helpers_offer_and_visit_do_not_exist(client):
    helper, other = make_helper(), make_helper()
    offer = pending_offer(post_request(UserFactory.create()), other)
    booking = make_booking(helper=other)
    _logged_in(client, helper.user)
    assert client.post(f"/helper/offers/{offer.public_id}/accept").status_code == 404
    assert client.get(f"/helper/visits/{booking.public_id}/").status_code == 404
    assert client.post(f"/helper/visits/{booking.public_id}/propose").status_code == 404
    offer.refresh_from_db()
    assert offer.status == OfferStatus.PENDING


def test_the_helper_drives_the_visit_from_proposal_to_done(client):
    helper = make_helper()
    booking = make_booking(helper=helper)
    window = booking.help_request.windows.get()
    _logged_in(client, helper.user)
    url = f"/helper/visits/{booking.public_id}/"
    start = timezone.localtime(window.starts_at).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url + "propose", {"propose-start_1": start, "propose-length_1": "60"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PROPOSED
    from bookings.services import booking_confirm

    booking_confirm(
        booking=booking,
        actor=booking.help_request.customer,
        proposal=booking.proposals.get(status="proposed"),
    )
    assert client.post(url + "on-my-way", {"go-eta_minutes": "15"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.ON_THE_WAY
    assert "The customer expects you around" in client.get(url).content.decode()
    assert client.post(url + "arrived").status_code == 302
    short = client.post(url + "done", {"done-work_summary": "Fixed"})
    shown = shown_once(client, short, url)
    assert _errors_of(shown, "id_done-work_summary") == [
        "Say in a sentence what you did (at least 10 characters)."
    ]
    assert "\nFixed</textarea>" in shown
    booking.refresh_from_db()
    assert booking.status == BookingStatus.IN_PROGRESS
    done = client.post(
        url + "done",
        {
            "done-work_summary": "Moved the router to the hall.",
            "done-leave_behind_note": "Restart it with the button at the back.",
        },
    )
    assert done.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED
    assert booking.leave_behind_note == "Restart it with the button at the back."


def test_a_time_outside_the_customers_windows_is_refused_next_to_it(client):
    helper = make_helper()
    booking = make_booking(helper=helper)
    _logged_in(client, helper.user)
    outside = (timezone.localtime() + timedelta(days=9)).strftime("%Y-%m-%dT10:00")
    page = f"/helper/visits/{booking.public_id}/"
    response = client.post(page + "propose", {"propose-start_1": outside, "propose-length_1": "60"})
    shown = shown_once(client, response, page)
    assert _errors_of(shown, "id_propose-start_1") == [
        "Choose a time inside the customer&#x27;s times."
    ]
    assert f'value="{outside}"' in shown
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_PROPOSAL


def test_a_time_sent_with_a_nul_byte_is_refused_next_to_it(client):
    # Given a helper with a visit to propose times for
    helper = make_helper()
    booking = make_booking(helper=helper)
    window = booking.help_request.windows.get()
    _logged_in(client, helper.user)
    start = timezone.localtime(window.starts_at).strftime("%Y-%m-%dT%H:%M")
    page = f"/helper/visits/{booking.public_id}/"

    # When the start is sent with a NUL byte after it
    response = client.post(
        page + "propose", {"propose-start_1": f"{start}\x00", "propose-length_1": "60"}
    )

    # Then it is refused next to the field, as a text field refuses it, and nothing is proposed
    shown = shown_once(client, response, page)
    assert _errors_of(shown, "id_propose-start_1") == ["Null characters are not allowed."]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_PROPOSAL
    assert booking.proposals.count() == 0


def test_the_time_pickers_open_on_the_customers_times_and_offer_nothing_outside(client):
    helper = make_helper()
    booking = make_booking(helper=helper)
    window = booking.help_request.windows.get()
    _logged_in(client, helper.user)
    first = timezone.localtime(window.starts_at, ZURICH).strftime("%Y-%m-%dT%H:%M")
    # The latest start still leaves the shortest visit (an hour) before the window closes.
    last = timezone.localtime(window.ends_at - timedelta(hours=1), ZURICH).strftime(
        "%Y-%m-%dT%H:%M"
    )
    url = f"/helper/visits/{booking.public_id}/"

    pickers = re.findall(r'<input type="datetime-local"[^>]*>', client.get(url).content.decode())

    assert len(pickers) == 3
    for picker in pickers:
        assert f'min="{first}"' in picker
        assert f'max="{last}"' in picker
    # Sent back with a problem, the pickers keep their bounds.
    outside = client.post(url + "propose", {"propose-start_1": "", "propose-length_1": "60"})
    shown = shown_once(client, outside, url)
    again = re.findall(r'<input type="datetime-local"[^>]*>', shown)
    assert [f'min="{first}"' in picker and f'max="{last}"' in picker for picker in again] == [
        True,
        True,
        True,
    ]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_PROPOSAL


@pytest.mark.parametrize(
    ("step", "form", "language", "said"),
    [
        ("on-my-way", {"go-eta_minutes": "20"}, "en", "The visit starts in more than 6 hours."),
        (
            "on-my-way",
            {"go-eta_minutes": "20"},
            "de",
            "Der Besuch beginnt erst in mehr als 6 Stunden.",
        ),
        ("arrived", {}, "en", "Check in at most 1 hour before the visit."),
        ("arrived", {}, "fr", "Signalez votre arrivée au plus 1 heure avant la visite."),
        (
            "no-show",
            {"no_show-note": "Nobody opened."},
            "en",
            "A no-show can be reported 30 minutes after the start time.",
        ),
    ],
)
def test_a_step_too_early_says_its_own_rule_and_changes_nothing(client, step, form, language, said):
    helper = make_helper()
    start = (timezone.now() + timedelta(days=2)).replace(second=0, microsecond=0)
    booking = make_booking(BookingStatus.CONFIRMED, helper=helper, start=start)
    _logged_in(client, helper.user, language)
    page = f"/helper/visits/{booking.public_id}/"
    response = client.post(f"{page}{step}", form)
    html = shown_once(client, response, page)
    assert re.findall(r'<div class="form-errors"[^>]*>\s*<p>([^<]*)</p>', html) == [said]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.events.count() == 3


def test_the_customer_not_there_is_reported_after_the_start(client):
    helper = make_helper()
    booking = make_booking(BookingStatus.CONFIRMED, helper=helper)
    _logged_in(client, helper.user)
    with time_machine.travel(booking.starts_at + timedelta(minutes=45)):
        response = client.post(
            f"/helper/visits/{booking.public_id}/no-show", {"no_show-note": "Nobody opened."}
        )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.caused_by) == (BookingStatus.NO_SHOW, "customer")


def test_the_profile_shows_figures_and_saves_a_pause(client):
    helper = make_helper(rating=(2, 9))
    _logged_in(client, helper.user)
    html = client.get("/helper/profile").content.decode()
    assert "4.5 of 5 from 2 reviews" in html
    response = client.post(
        "/helper/profile",
        {
            "skills": ["internet-wifi"],
            "service_radius_km": "12",
            "hourly_rate": "38",
            "languages": ["de"],
            "bio": "",
        },
    )
    assert response.status_code == 302
    helper.refresh_from_db()
    assert (helper.is_accepting_jobs, helper.service_radius_km, helper.hourly_rate_minor) == (
        False,
        12,
        3800,
    )


def test_a_refused_profile_comes_back_on_its_own_address_once_and_saves_nothing(client):
    helper = make_helper()
    _logged_in(client, helper.user)
    before = (helper.service_radius_km, helper.hourly_rate_minor, helper.bio)
    languages = list(User.objects.filter(pk=helper.user_id).values_list("languages", flat=True))

    response = client.post(
        "/helper/profile",
        {
            "skills": ["internet-wifi"],
            "service_radius_km": "80",
            "hourly_rate": "38",
            "languages": ["it"],
            "bio": "Patient with printers.",
        },
    )

    # Back on the profile at its own address: a reload shows the page, it sends nothing again
    shown = shown_once(client, response, "/helper/profile")
    assert _errors_of(shown, "id_service_radius_km") == ["Choose from 1 to 50 km."]
    assert 'value="80"' in shown
    assert "\nPatient with printers.</textarea>" in shown
    helper.refresh_from_db()
    assert (helper.service_radius_km, helper.hourly_rate_minor, helper.bio) == before
    assert list(User.objects.filter(pk=helper.user_id).values_list("languages", flat=True)) == (
        languages
    )


def test_the_manifest_and_the_service_worker_are_served_from_the_root(client):
    manifest = client.get("/manifest.webmanifest")
    assert manifest.headers["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["start_url"] == "/helper/"
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} == {"192x192", "512x512"}
    worker = client.get("/sw.js")
    assert worker.headers["Content-Type"].startswith("text/javascript")
    assert worker.headers["Service-Worker-Allowed"] == "/"
    assert '"/offline"' in worker.content.decode()
    assert client.get("/offline").status_code == 200


@pytest.mark.parametrize(
    ("language", "propose", "on_the_way", "third_person"),
    [
        ("de", "Schlagen Sie Ihre Zeiten vor", "Sie sind unterwegs", "Helferin oder des Helfers"),
        ("fr", "Proposez vos heures", "Vous êtes en route", "de la personne aidante"),
        ("it", "Proponga i suoi orari", "È in viaggio", "dell’aiutante"),
        ("en", "Propose your times", "You are on your way", "the helper"),
    ],
)
def test_the_helpers_visits_speak_to_the_helper(
    client, language, propose, on_the_way, third_person
):
    # Given a visit waiting for the helper's times and one the helper is on the way to
    helper = make_helper()
    make_booking(BookingStatus.AWAITING_PROPOSAL, helper=helper)
    make_booking(
        BookingStatus.ON_THE_WAY,
        helper=helper,
        start=timezone.now().replace(second=0, microsecond=0) + timedelta(hours=4),
    )
    _logged_in(client, helper.user, language)

    # When the helper opens their app
    html = client.get("/helper/").content.decode()

    # Then each visit's state is said to them, never of "the helper"
    states = re.findall(r'<p class="status">([^<]*)</p>', html)
    assert sorted(states) == sorted([propose, on_the_way])
    assert third_person not in html


def test_a_step_not_possible_yet_says_from_when_instead_of_a_button(client):
    # Given a visit confirmed for 14:00 Swiss time in two days
    helper = make_helper()
    local = timezone.localtime() + timedelta(days=2)
    start = local.replace(hour=14, minute=0, second=0, microsecond=0)
    booking = make_booking(BookingStatus.CONFIRMED, helper=helper, start=start)
    _logged_in(client, helper.user, "de")
    with translation.override("de"):
        day = written.day(start)
    page = f"/helper/visits/{booking.public_id}/"

    # When the helper opens it the day before: each step says from when it is possible
    with time_machine.travel(start - timedelta(days=1), tick=False):
        html = client.get(page).content.decode()
    assert re.findall(r'<p class="possible-from">([^<]*)</p>', html) == [
        f"Möglich ab {day}, 08:00 Uhr.",
        f"Möglich ab {day}, 13:00 Uhr.",
    ]
    assert "/on-my-way" not in html
    assert "/arrived" not in html
    assert "/no-show" not in html

    # When it is five hours before: setting off is possible, arriving not yet
    with time_machine.travel(start - timedelta(hours=5), tick=False):
        html = client.get(page).content.decode()
    assert re.findall(r'<p class="possible-from">([^<]*)</p>', html) == [
        f"Möglich ab {day}, 13:00 Uhr.",
    ]
    assert f'action="/helper/visits/{booking.public_id}/on-my-way"' in html


def test_the_helper_reviews_the_customer_on_the_visits_page(client):
    from bookings.models import Review
    from bookings.services import review_submit

    helper = make_helper()
    booking = make_booking(BookingStatus.SIGNED_OFF, helper=helper)
    review_submit(booking=booking, actor=booking.help_request.customer, rating=4, text="Kind.")
    _logged_in(client, helper.user, "de")
    url = f"/helper/visits/{booking.public_id}/"

    page = client.get(url).content.decode()
    assert "Ihre Bewertung der Kundin oder des Kunden" in page
    assert f'action="{url}review"' in page
    # The customer's review stays hidden until the helper has written theirs.
    assert "Kind." not in page

    refused = client.post(url + "review", {"review-rating": "7", "review-text": "Nett."})
    shown = shown_once(client, refused, url)
    assert _errors_of(shown, "id_review-rating") != []
    assert "\nNett.</textarea>" in shown
    assert Review.objects.filter(booking=booking, author=helper.user).count() == 0

    sent = client.post(url + "review", {"review-rating": "5", "review-text": "Sehr freundlich."})
    assert sent.status_code == 302
    mine = Review.objects.get(booking=booking, author=helper.user)
    assert (mine.rating, mine.text, mine.subject_id) == (
        5,
        "Sehr freundlich.",
        booking.help_request.customer_id,
    )
    page = client.get(url).content.decode()
    assert f'action="{url}review"' not in page
    assert "Sie haben 5 Sterne gegeben." in page
    # Both have written theirs: the customer's review is published to the helper.
    assert "Kind." in page
    again = client.post(url + "review", {"review-rating": "1"})
    assert (again.status_code, again["Location"]) == (302, url)
    assert Review.objects.filter(booking=booking, author=helper.user).count() == 1


def test_on_the_visits_day_the_next_step_comes_before_moving_the_visit(client):
    # On a phone the helper setting off finds "I am on my way" on the first screens, not
    # under the three time pickers that move the visit.
    helper = make_helper()
    booking = make_booking(BookingStatus.CONFIRMED, helper=helper)
    _logged_in(client, helper.user)
    url = f"/helper/visits/{booking.public_id}/"

    page = client.get(url).content.decode()

    assert 0 < page.index(f'action="{url}on-my-way"') < page.index(f'action="{url}propose"')


def test_a_confirmed_visits_page_says_when_it_is_and_the_price_agreed(client):
    helper = make_helper()
    booking = make_booking(BookingStatus.CONFIRMED, helper=helper)
    _logged_in(client, helper.user, "de")
    starts, ends = timezone.localtime(booking.starts_at), timezone.localtime(booking.ends_at)

    page = client.get(f"/helper/visits/{booking.public_id}/").content.decode()

    assert f"{starts:%H:%M}–{ends:%H:%M}</p>" in page
    assert f"<p>Vereinbarter Preis: CHF {booking.price_minor // 100}.00</p>" in page


@pytest.mark.parametrize("status", [s for s in ApprovalStatus if s in VETTING_STATUSES])
def test_an_applicants_home_says_what_comes_before_offers_instead_of_empty_lists(client, status):
    applicant = make_helper(approval=status)
    _logged_in(client, applicant.user, "fr")
    html = client.get("/helper/").content.decode()
    section = re.search(r'id="before-first-offer">(.*?)</section>', html, re.S).group(1)
    assert "Avant votre première offre" in section
    assert "dès que la gestion de la communauté a validé votre candidature" in section
    for link in ("/helper/application", "/helper/hours", "/helper/academy/"):
        assert f'href="{link}"' in section
    # No inbox nor visit lists that could never fill while applying
    for heading in ('id="offers-heading"', 'id="today-heading"', 'id="next-heading"'):
        assert heading not in html


def test_an_approved_helpers_home_keeps_the_inbox_and_visits(client):
    helper = make_helper()
    _logged_in(client, helper.user, "fr")
    html = client.get("/helper/").content.decode()
    assert 'id="before-first-offer"' not in html
    for heading in ('id="offers-heading"', 'id="today-heading"', 'id="next-heading"'):
        assert heading in html
