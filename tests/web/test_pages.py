"""The web app's pages through Django's test client: what each shows, what a form refuses and
where it says so, and that every write went through the services."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest
from django.core import mail
from django.utils import timezone

from backend.models import User
from backend.password_reset import password_reset_token
from backend.services import email_verification_token
from bookings.models import BookingStatus, HelpRequest, HelpRequestStatus, Review
from helpers.models import ApprovalStatus
from tests.factories import (
    PASSWORD,
    ManagerFactory,
    UserFactory,
    category,
    make_booking,
    make_helper,
)
from tests.web.refusals import refused_page
from tests.worker import run_worker

pytestmark = pytest.mark.django_db


def _logged_in(client, user: User, language: str = "en"):
    """Log `user` in; the pages then speak the language stored on the account."""
    User.objects.filter(pk=user.pk).update(preferred_language=language)
    user.preferred_language = language
    client.force_login(user)
    return client


def _without_csrf(html: bytes) -> str:
    """The page without its CSRF tokens, which are masked afresh on every answer."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html.decode())


def _errors_of(html: str, field_id: str) -> list[str]:
    """The error texts shown right after the field with this id."""
    match = re.search(rf'<ul class="errors" id="{field_id}_error">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", match.group(1)) if match else []


def test_home_says_what_quartier_is_in_the_browser_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Quartier ne garde rien" in html
    assert "Content-Security-Policy" in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_home_shows_someone_good_with_technology_how_to_become_a_helper(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Vous êtes vous-même à l’aise avec la technique ?" in html
    assert '<a href="/helper/apply">Devenir aide</a>' in html


def test_home_lists_no_demo_log_ins_without_demo_data(client):
    assert "quartier-demo" not in client.get("/").content.decode()


def test_language_switch_is_stored_on_the_user(client):
    user = UserFactory.create()
    _logged_in(client, user, "de")
    response = client.post("/language", {"language": "it", "next": "/profile"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/profile"
    user.refresh_from_db()
    assert user.preferred_language == "it"
    assert '<html lang="it">' in client.get("/profile").content.decode()


@pytest.mark.parametrize("language", ["de", "fr", "it", "en"])
def test_language_menu_names_each_language_in_itself(client, language):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    menu = html[html.index('<select id="language-choice"') : html.index("</select>")]
    assert re.findall(r'<option value="(\w+)" lang="\1"[^>]*>([^<]*)</option>', menu) == [
        ("de", "Deutsch"),
        ("fr", "Français"),
        ("it", "Italiano"),
        ("en", "English"),
    ]
    assert f'<option value="{language}" lang="{language}" selected>' in menu


def test_language_switch_refuses_foreign_redirects_and_unknown_languages(client):
    user = UserFactory.create()
    _logged_in(client, user, "de")
    response = client.post("/language", {"language": "xx", "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"
    user.refresh_from_db()
    assert user.preferred_language == "de"


def test_sign_up_sends_a_link_and_answers_the_same_for_a_taken_address(client):
    UserFactory.create(email="taken@example.ch")
    form = {"display_name": "Anna Muster", "password": "a-long-Passphrase-9", "languages": ["de"]}
    new = client.post("/sign-up", {**form, "email": "new@example.ch"}, HTTP_ACCEPT_LANGUAGE="de")
    taken = client.post(
        "/sign-up", {**form, "email": "taken@example.ch"}, HTTP_ACCEPT_LANGUAGE="de"
    )
    assert new.status_code == taken.status_code == 200
    assert _without_csrf(new.content).replace("new@", "X@") == _without_csrf(taken.content).replace(
        "taken@", "X@"
    )
    assert User.objects.get(email="new@example.ch").email_verified_at is None


def test_sign_up_shows_a_weak_password_next_to_the_field_and_keeps_the_rest(client):
    response = client.post(
        "/sign-up",
        {
            "display_name": "Anna",
            "email": "anna@example.ch",
            "password": "12345",
            "languages": ["de"],
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = refused_page(client, response, "/sign-up")
    assert _errors_of(html, "id_password") == [
        "This password is too short. It must contain at least 8 characters.",
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert 'value="anna@example.ch"' in html
    assert not User.objects.filter(email="anna@example.ch").exists()


def test_verify_email_link_confirms_only_on_the_button_and_logs_in(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/sign-up",
            {
                "display_name": "Anna",
                "email": "anna@example.ch",
                "password": "a-long-Passphrase-9",
                "languages": ["de"],
            },
        )
    token = re.search(r"token=(\S+)", mail.outbox[0].body).group(1)
    shown = client.get(f"/verify-email?token={token}")
    assert shown.status_code == 200
    assert User.objects.get(email="anna@example.ch").email_verified_at is None
    confirmed = client.post("/verify-email", {"token": token})
    assert confirmed.headers["Location"] == "/requests/"
    assert User.objects.get(email="anna@example.ch").email_verified_at is not None
    assert client.get("/requests/").status_code == 200


def test_verify_email_lands_a_helper_applicant_in_the_helper_app(client):
    applicant = make_helper(approval=ApprovalStatus.APPLIED).user
    User.objects.filter(pk=applicant.pk).update(email_verified_at=None)
    applicant.refresh_from_db()
    confirmed = client.post("/verify-email", {"token": email_verification_token(applicant)})
    assert confirmed.headers["Location"] == "/helper/"
    assert client.get("/helper/").status_code == 200


def test_log_in_refuses_a_wrong_password_and_an_unconfirmed_address(client):
    user = UserFactory.create(email="anna@example.ch")
    wrong = client.post(
        "/log-in", {"email": "anna@example.ch", "password": "nope-nope"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "The e-mail address or the password is wrong." in refused_page(client, wrong, "/log-in")
    User.objects.filter(pk=user.pk).update(email_verified_at=None)
    pending = client.post(
        "/log-in", {"email": "anna@example.ch", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Confirm your e-mail address first" in refused_page(client, pending, "/log-in")
    assert "_auth_user_id" not in client.session


def test_log_in_is_limited(client, quartier_settings):
    quartier_settings(login_failures_per_client=2)
    UserFactory.create(email="anna@example.ch")
    for _ in range(2):
        client.post("/log-in", {"email": "anna@example.ch", "password": "wrong-one"})
    locked = client.post(
        "/log-in", {"email": "anna@example.ch", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert locked.status_code == 429
    assert "Too many failed log-ins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_log_in_and_out(client):
    UserFactory.create(email="anna@example.ch")
    response = client.post("/log-in", {"email": "Anna@example.ch", "password": PASSWORD})
    assert response.headers["Location"] == "/requests/"
    assert client.get("/requests/").status_code == 200
    client.post("/log-out")
    assert client.get("/requests/").headers["Location"] == "/log-in?next=/requests/"


@pytest.mark.parametrize(
    ("who", "landing"),
    [
        ("customer", "/requests/"),
        ("applicant", "/helper/"),
        ("helper", "/helper/"),
        ("manager", "/manage/"),
    ],
)
def test_log_in_lands_each_on_their_own_start_page(client, who, landing):
    if who == "manager":
        ManagerFactory.create(email="anna@example.ch")
    elif who in ("applicant", "helper"):
        approval = ApprovalStatus.APPLIED if who == "applicant" else ApprovalStatus.APPROVED
        make_helper(email="anna@example.ch", approval=approval)
    else:
        UserFactory.create(email="anna@example.ch")
    response = client.post("/log-in", {"email": "anna@example.ch", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == landing
    assert client.get(landing).status_code == 200


@pytest.mark.parametrize("factory", [ManagerFactory, UserFactory])
def test_log_in_goes_to_the_page_asked_for_before_the_start_page(client, factory):
    factory.create(email="anna@example.ch")
    asked = client.post("/log-in?next=/profile", {"email": "anna@example.ch", "password": PASSWORD})
    assert asked.headers["Location"] == "/profile"
    client.post("/log-out")
    foreign = client.post(
        "/log-in?next=https://evil.example/",
        {"email": "anna@example.ch", "password": PASSWORD},
    )
    assert foreign.headers["Location"] == (
        "/manage/" if factory is ManagerFactory else "/requests/"
    )


# `next` values a link could carry that are no path of this site: a relative word (which
# Django's redirect() would look up as a view's name), a view's name, addresses elsewhere.
NOT_A_PATH_HERE = [
    "profile",
    "web:manage",
    "%0d%0aSet-Cookie:x=1",
    "//evil.example/",
    "/\\evil.example/",
    "https:evil.example",
    "https://evil.example/",
]


@pytest.mark.parametrize("given", NOT_A_PATH_HERE)
def test_log_in_with_a_next_that_is_no_path_here_lands_on_the_start_page(client, given):
    # Given a customer who follows a log-in link whose `next` is no path of this site
    user = UserFactory.create(email="anna@example.ch")

    # When they log in
    response = client.post(
        f"/log-in?next={quote(given, safe='')}", {"email": "anna@example.ch", "password": PASSWORD}
    )

    # Then they are logged in and land on their own start page, never elsewhere (nor on a 500)
    assert response.status_code == 302
    assert response.headers["Location"] == "/requests/"
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("given", NOT_A_PATH_HERE)
def test_language_switch_with_a_next_that_is_no_path_here_goes_home(client, given):
    user = UserFactory.create()
    _logged_in(client, user, "de")

    response = client.post("/language", {"language": "it", "next": given})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user.refresh_from_db()
    assert user.preferred_language == "it"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_password_reset_answers_the_same_and_mails_only_an_account(
    client, django_capture_on_commit_callbacks
):
    UserFactory.create(email="anna@example.ch")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/password-reset", {"email": "anna@example.ch"})
        unknown = client.post("/password-reset", {"email": "nobody@example.ch"})
    assert _without_csrf(known.content) == _without_csrf(unknown.content)
    run_worker()
    assert [message.to for message in mail.outbox] == [["anna@example.ch"]]


def test_password_reset_link_sets_a_new_password_once(client):
    user = UserFactory.create(email="anna@example.ch")
    token = password_reset_token(user)
    done = client.post("/password-reset", {"token": token, "password": "brand-New-secret-7"})
    assert done.headers["Location"] == "/log-in"
    user.refresh_from_db()
    assert user.check_password("brand-New-secret-7")
    again = client.post(
        "/password-reset",
        {"token": token, "password": "other-New-secret-8"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert _errors_of(
        refused_page(client, again, f"/password-reset?{urlencode({'token': token})}"), "id_password"
    ) == ["This link to choose a new password is not valid any more. Ask for a new one."]
    user.refresh_from_db()
    assert user.check_password("brand-New-secret-7")


def test_password_change_needs_the_current_password(client):
    user = UserFactory.create()
    _logged_in(client, user)
    wrong = client.post(
        "/password",
        {"current_password": "not-it-at-all", "new_password": "brand-New-secret-7"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert _errors_of(refused_page(client, wrong, "/password"), "id_current_password") == [
        "This is not your current password."
    ]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    client.post("/password", {"current_password": PASSWORD, "new_password": "brand-New-secret-7"})
    user.refresh_from_db()
    assert user.check_password("brand-New-secret-7")
    assert client.get("/profile").status_code == 200  # still logged in


def test_profile_refuses_a_postcode_that_does_not_match_and_changes_nothing(client):
    user = UserFactory.create()
    _logged_in(client, user)
    response = client.post(
        "/profile",
        {
            "display_name": "New Name",
            "phone": "",
            "languages": ["fr"],
            "preferred_language": "en",
            "home_street": "Rue du Lac 1",
            "home_postal_code": "1003",
            "home_locality": "Zürich",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = refused_page(client, response, "/profile")
    assert _errors_of(html, "id_home_locality") or _errors_of(html, "id_home_postal_code")
    assert 'value="New Name"' in html
    user.refresh_from_db()
    assert (user.display_name, user.home_postal_code, user.languages) != (
        "New Name",
        "1003",
        ["fr"],
    )
    assert user.home_postal_code == "8001"


def test_profile_saves_a_home_address_in_the_directory_spelling(client):
    user = UserFactory.create()
    _logged_in(client, user)
    client.post(
        "/profile",
        {
            "display_name": "Anna",
            "phone": "+41 79 000 00 00",
            "languages": ["fr", "de"],
            "preferred_language": "fr",
            "home_street": "Rue du Lac 1",
            "home_postal_code": "1003",
            "home_locality": "lausanne",
        },
    )
    user.refresh_from_db()
    assert (user.home_postal_code, user.home_locality, user.preferred_language) == (
        "1003",
        "Lausanne",
        "fr",
    )


def test_locality_suggestions_for_a_postcode(client):
    html = client.get("/localities", {"home_postal_code": "1003"}).content.decode()
    assert html.strip() == '<option value="Lausanne"></option>'
    assert client.get("/localities", {"home_postal_code": "12"}).content.decode().strip() == ""
    assert client.get("/localities", {"home_postal_code": "١٠٠٣"}).content.decode().strip() == ""


def _request_form(**changes):
    tomorrow = (timezone.localtime() + timedelta(days=1)).date().isoformat()
    form = {
        "category": category("internet-wifi").pk,
        "description": "The Wi-Fi drops every evening.",
        "day_1": tomorrow,
        "slot_1": "morning",
        "day_2": "",
        "slot_2": "",
        "day_3": "",
        "slot_3": "",
        "place": "home",
        "languages": ["de"],
    }
    form.update(changes)
    return form


def test_posting_a_request_for_someone_else(client):
    customer = UserFactory.create()
    helper = make_helper()
    _logged_in(client, customer)
    response = client.post(
        "/requests/new",
        _request_form(
            for_someone_else="on", on_behalf_name="Rosa Muster", on_behalf_phone="+41 44 123 45 67"
        ),
    )
    help_request = HelpRequest.objects.get(customer=customer)
    assert response.headers["Location"] == f"/requests/{help_request.public_id}/"
    assert (help_request.on_behalf_name, help_request.on_behalf_phone) == (
        "Rosa Muster",
        "+41 44 123 45 67",
    )
    assert help_request.offers.get().helper == helper
    page = client.get(response.headers["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # The helpers asked are near the person met, not near the one who booked
    assert "Your request is posted. We are asking helpers near Rosa Muster." in page
    assert "We asked 1 helper near Rosa Muster." in page
    assert "near you" not in page
    assert 'hx-trigger="load delay:3s"' in page
    _logged_in(client, customer, "it")
    page = client.get(response.headers["Location"]).content.decode()
    assert "Abbiamo chiesto a 1 aiutante vicino a Rosa Muster." in page


def test_a_request_for_someone_else_nobody_can_take_names_where_nobody_is_free(client):
    customer = UserFactory.create()
    _logged_in(client, customer, "it")
    response = client.post(
        "/requests/new",
        _request_form(
            for_someone_else="on", on_behalf_name="Mario Rossi", on_behalf_phone="091 825 12 34"
        ),
        follow=True,
    )
    page = response.content.decode()
    assert (
        "La sua richiesta è salvata, ma in questi orari nessuna persona aiutante vicino a "
        "Mario Rossi è libera." in page
    )
    assert "vicino a lei" not in page


def test_booking_for_someone_else_without_their_name_and_phone_is_refused_not_booked_for_me(
    client,
):
    """The box ticked and the person's fields left empty: the request is not posted as if it
    were for the one who booked; both fields say what is missing, and what was typed stays."""
    customer = UserFactory.create()
    make_helper()
    _logged_in(client, customer)
    response = client.post(
        "/requests/new",
        _request_form(
            description="The printer prints blank pages.",
            for_someone_else="on",
            on_behalf_name="",
            on_behalf_phone="",
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = refused_page(client, response, "/requests/new")
    missing = ["When booking for someone else, give their name and phone so the helper can call."]
    assert _errors_of(html, "id_on_behalf_name") == missing
    assert _errors_of(html, "id_on_behalf_phone") == missing
    assert "The printer prints blank pages.</textarea>" in html
    assert 'name="for_someone_else" id="id_for_someone_else" checked' in html
    assert not HelpRequest.objects.exists()
    response = client.post(
        "/requests/new",
        _request_form(for_someone_else="on", on_behalf_name="  ", on_behalf_phone=""),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert _errors_of(refused_page(client, response, "/requests/new"), "id_on_behalf_name") == (
        missing
    )
    assert not HelpRequest.objects.exists()


def test_request_form_errors_stand_next_to_their_fields_and_nothing_is_written(client):
    customer = UserFactory.create()
    _logged_in(client, customer)
    response = client.post(
        "/requests/new",
        _request_form(
            description="Help", for_someone_else="on", on_behalf_name="Rosa", on_behalf_phone=""
        ),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = refused_page(client, response, "/requests/new")
    assert _errors_of(html, "id_description") == [
        "Describe the problem in a few words (at least 10 characters)."
    ]
    assert "Help</textarea>" in html
    assert not HelpRequest.objects.exists()


def test_request_form_refuses_half_a_window_and_a_day_outside_the_picker(client):
    customer = UserFactory.create()
    _logged_in(client, customer)
    today = timezone.localtime().date().isoformat()
    response = client.post(
        "/requests/new",
        _request_form(day_1=today, day_2=_request_form()["day_1"]),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    html = refused_page(client, response, "/requests/new")
    assert _errors_of(html, "id_day_1")  # today is not offered: the past cannot be picked
    assert _errors_of(html, "id_slot_2") == ["Choose both the day and the time, or neither."]
    assert not HelpRequest.objects.exists()


def test_proposed_times_are_confirmed_from_the_request_page(client):
    booking = make_booking(BookingStatus.PROPOSED)
    customer = booking.help_request.customer
    _logged_in(client, customer)
    url = f"/requests/{booking.help_request.public_id}/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "proposes these times" in page
    assert "hx-trigger" not in page  # the customer acts: no polling
    proposal = booking.proposals.get(status="proposed")
    client.post(url + "confirm", {"proposal": proposal.public_id})
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Cancelling costs nothing up to 24 hours before the visit." in page
    assert page.index("Cancelling costs nothing") < page.index("Cancel the visit</button>")


def test_none_of_the_times_needs_a_reason_shown_next_to_the_field(client):
    booking = make_booking(BookingStatus.PROPOSED)
    _logged_in(client, booking.help_request.customer, "de")  # the pages follow the account
    url = f"/requests/{booking.help_request.public_id}/new-times"
    response = client.post(url, {"new_times-reason": ""}, HTTP_ACCEPT_LANGUAGE="en")
    page = f"/requests/{booking.help_request.public_id}/"
    assert (response.status_code, response["Location"]) == (302, page)
    shown = client.get(page, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert _errors_of(shown, "id_new_times-reason") == ["Dieses Feld ist zwingend erforderlich."]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PROPOSED


def test_sign_off_then_double_blind_review(client):
    booking = make_booking(BookingStatus.COMPLETED)
    customer = booking.help_request.customer
    _logged_in(client, customer)
    url = f"/requests/{booking.help_request.public_id}/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Restart the router with the button at the back." in page
    client.post(url + "sign-off")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.SIGNED_OFF
    client.post(url + "review", {"review-rating": "5", "review-text": "Patient and kind."})
    review = Review.objects.get(booking=booking)
    assert (review.rating, review.text, review.published_at) == (5, "Patient and kind.", None)
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Reviews are shown once both sides have written theirs" in page


def test_someone_elses_request_does_not_exist(client):
    booking = make_booking(BookingStatus.PROPOSED)
    _logged_in(client, UserFactory.create())
    url = f"/requests/{booking.help_request.public_id}/"
    assert client.get(url).status_code == 404
    assert client.post(url + "cancel", {"cancel-reason": "mine now"}).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.PROPOSED


def test_polling_answers_the_fragment_and_backs_off(client):
    booking = make_booking(BookingStatus.AWAITING_PROPOSAL)
    _logged_in(client, booking.help_request.customer)
    url = f"/requests/{booking.help_request.public_id}/"
    fragment = client.get(url + "?wait=12", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="request-main"')
    assert 'hx-trigger="load delay:24s"' in fragment
    longest = client.get(url + "?wait=50", HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="load delay:60s"' in longest


@pytest.mark.parametrize(
    "status",
    [
        BookingStatus.PROPOSED,
        BookingStatus.CONFIRMED,
        BookingStatus.COMPLETED,
        BookingStatus.SIGNED_OFF,
    ],
)
def test_request_page_query_count_is_bounded(client, django_assert_max_num_queries, status):
    booking = make_booking(status)
    _logged_in(client, booking.help_request.customer)
    # 14 with times proposed: which terms and waivers the customer has still to accept (whether
    # TWINT may be chosen comes with the visit's payment, read once); one of them reads the
    # visit's messages with the helper
    with django_assert_max_num_queries(14 if status == BookingStatus.PROPOSED else 13):
        assert client.get(f"/requests/{booking.help_request.public_id}/").status_code == 200


def test_history_query_count_does_not_grow_with_requests(client, django_assert_max_num_queries):
    customer = UserFactory.create()
    helper = make_helper()
    for _ in range(3):
        make_booking(
            BookingStatus.CONFIRMED,
            customer=customer,
            helper=helper,
            start=timezone.now().replace(second=0, microsecond=0) + timedelta(hours=2 + 3 * _),
        )
    _logged_in(client, customer)
    with django_assert_max_num_queries(8):
        response = client.get("/requests/")
    assert response.content.decode().count('class="card"') == 3


def test_nobody_free_says_so_in_the_customers_language(client):
    customer = UserFactory.create()
    _logged_in(client, customer, "de")
    response = client.post("/requests/new", _request_form())
    help_request = HelpRequest.objects.get(customer=customer)
    assert help_request.status == HelpRequestStatus.UNMATCHED
    page = client.get(response.headers["Location"]).content.decode()
    assert (
        "Niemand war frei: Keine Helferin und kein Helfer im Umkreis von 25 km konnte zu Ihren "
        "Zeiten kommen." in page
    )
    assert "hx-trigger" not in page


@pytest.mark.parametrize(
    ("path", "logged_in", "most"),
    [
        ("/", False, 2),
        ("/sign-up", False, 0),
        ("/log-in", False, 0),
        ("/password-reset", False, 0),
        ("/profile", True, 3),
        ("/password", True, 3),
        ("/requests/new", True, 4),
    ],
)
def test_every_other_page_has_a_query_bound(
    client, django_assert_max_num_queries, path, logged_in, most
):
    if logged_in:
        _logged_in(client, UserFactory.create())
    with django_assert_max_num_queries(most):
        assert client.get(path).status_code == 200


def test_home_lists_the_demo_log_ins_per_role_when_the_demo_is_loaded(client):
    from demo.people import DEMO_PASSWORD, MANAGER_EMAIL, SEED_MARKER
    from tests.factories import ManagerFactory

    ManagerFactory.create(email=MANAGER_EMAIL, display_name=SEED_MARKER)
    customer = UserFactory.create(email="demo.customer@example.ch")
    helper = make_helper(email="demo.helper@example.ch")
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = re.findall(
        r"<td>(.*?)</td>\s*<td><code>(.*?)</code></td>\s*<td><code>(.*?)</code>", html
    )
    assert rows == [
        ("Customer", customer.email, DEMO_PASSWORD),
        ("Helper", helper.user.email, DEMO_PASSWORD),
        ("Community manager (back office)", MANAGER_EMAIL, DEMO_PASSWORD),
    ]


def test_an_empty_request_form_says_every_problem_at_once_above_the_form(client):
    """Each problem is listed above the form, linked to its field, the address with the
    others (before, it came only once the rest was mended); nothing is stored."""
    customer = UserFactory.create(home_postal_code="", home_locality="", home_street="")
    _logged_in(client, customer, "de")

    response = client.post("/requests/new", {"place": "other"})

    html = refused_page(client, response, "/requests/new")
    summary = re.search(
        r'<div class="form-errors" role="alert" tabindex="-1" data-error-summary>(.*?)</div>',
        html,
        re.S,
    )
    assert summary is not None
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a></li>', summary.group(1))
    assert [target for target, _text in links] == [
        "id_category_0",
        "id_description",
        "id_day_1",
        "id_slot_1",
        "id_postal_code",
        "id_languages_0",
    ]
    assert "Bitte prüfen Sie diese 6 Felder:" in summary.group(1)
    assert ("id_postal_code", "Postleitzahl: Geben Sie Postleitzahl und Ort an.") in links
    for target, _text in links:
        assert f'id="{target}"' in html, target
    assert _errors_of(html, "id_postal_code") == ["Geben Sie Postleitzahl und Ort an."]
    # Each field names its problem for screen readers: the input points at the list beside it
    assert 'aria-describedby="id_description_helptext id_description_error"' in html
    assert 'aria-describedby="id_postal_code_error"' in html
    assert 'aria-describedby="id_category_error"' in html
    assert not HelpRequest.objects.filter(customer=customer).exists()


def test_a_single_problem_is_said_in_the_singular(client):
    customer = UserFactory.create()
    _logged_in(client, customer, "de")
    response = client.post("/requests/new", _request_form(description=""))
    assert "Bitte prüfen Sie dieses Feld:" in refused_page(client, response, "/requests/new")


def test_a_question_as_a_fields_name_takes_no_colon_in_the_list_of_problems(client):
    _logged_in(client, UserFactory.create(), "de")
    response = client.post("/requests/new", _request_form(category=""))
    assert (
        '<a href="#id_category_0">Wobei brauchen Sie Hilfe? Dieses Feld ist zwingend erforderlich.</a>'
        in refused_page(client, response, "/requests/new")
    )


@pytest.mark.parametrize("path", ["/sign-up", "/profile", "/requests/new"])
def test_language_boxes_stand_in_a_group_each_with_its_label(client, path):
    if path != "/sign-up":
        _logged_in(client, UserFactory.create())
    html = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    groups = re.findall(r"<fieldset[^>]*>\s*<legend>([^<]*)</legend>(.*?)</fieldset>", html, re.S)
    group = next(group for group in groups if 'name="languages"' in group[1])
    boxes = re.findall(
        r'<input type="checkbox" name="languages" value="(\w+)"[^>]* id="(id_languages_\d)"[^>]*>'
        r'\s*<label for="\2">([^<]*)</label>',
        group[1],
    )
    assert [(value, label) for value, _id, label in boxes] == [
        ("de", "Deutsch"),
        ("fr", "Français"),
        ("it", "Italiano"),
        ("en", "English"),
    ]
    assert '<label for="">' not in html


def test_the_password_rules_are_linked_to_the_password(client):
    page = client.get("/sign-up", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r'<input type="password"[^>]*aria-describedby="id_password_helptext"', page)
    assert (
        '<p class="help" id="id_password_helptext">'
        "At least 8 characters, not only digits, not a common password.</p>"
    ) in page
    form = {"display_name": "Anna", "email": "anna@example.ch", "password": "12345"}
    refused = client.post("/sign-up", form, HTTP_ACCEPT_LANGUAGE="en")
    no_language = refused_page(client, refused, "/sign-up", HTTP_ACCEPT_LANGUAGE="en")
    assert re.search(r'<fieldset aria-describedby="id_languages_error">\s*<legend>', no_language)
    assert _errors_of(no_language, "id_languages") == ["This field is required."]


def test_a_phone_that_is_no_number_is_refused_saying_how_to_write_it(client):
    customer = UserFactory.create()
    _logged_in(client, customer, "it")
    response = client.post(
        "/requests/new",
        _request_form(for_someone_else="on", on_behalf_name="Mario Rossi", on_behalf_phone="abc"),
    )
    assert _errors_of(refused_page(client, response, "/requests/new"), "id_on_behalf_phone") == [
        "Questo non è un numero di telefono. Lo scriva con cifre, "
        "per esempio 091 123 45 67 o +41 79 123 45 67."
    ]
    assert not HelpRequest.objects.exists()


def test_the_request_form_asks_when_the_helper_can_come_not_when_the_booker_is_home(client):
    # A relative books from another town: whether she is at home does not matter
    _logged_in(client, UserFactory.create(), "it")
    html = client.get("/requests/new").content.decode()
    assert "Quando può venire l’aiutante?" in html
    assert "Quando è a casa?" not in html


@pytest.mark.parametrize(
    ("language", "phone_label"),
    [("de", "Telefonnummer dieser Person"), ("it", "Numero di telefono di questa persona")],
)
def test_the_phone_of_the_person_met_is_not_labelled_as_the_bookers_own(
    client, language, phone_label
):
    # "Ihre Telefonnummer" and "Il suo numero di telefono" read as "your phone number" to the
    # relative who books, addressed with Sie and Lei
    _logged_in(client, UserFactory.create(), language)
    html = client.get("/requests/new").content.decode()
    assert f'<label for="id_on_behalf_phone">{phone_label}</label>' in html
