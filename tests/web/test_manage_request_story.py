"""A request's page in the manager's console tells each visit's whole story: its timeline (the
times proposed, the time confirmed, on the way, arrived, signed off, a cancellation with who,
when and whether late, a no-show), its money from Quartier's books and both reviews, each
marked while the other side cannot read it yet. Managers only, in a bounded number of queries
however many visits, steps and reviews."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bookings import services
from bookings.models import Booking, BookingEvent, BookingStatus, HelpRequest, Review
from payments.models import Payment
from tests.factories import (
    ManagerFactory,
    UserFactory,
    make_booking,
    make_helper,
    paid_on_paper,
    pending_offer,
)
from tests.web.test_pages import _logged_in

pytestmark = pytest.mark.django_db


def _page(help_request: HelpRequest) -> str:
    return f"/manage/requests/{help_request.public_id}/"


def _section(html: str, section_id: str) -> str:
    """The markup of the element with this id, to the end of its section."""
    return html.split(f'id="{section_id}"', 1)[1].split(">", 1)[1].split("</section>", 1)[0]


def _text(html: str) -> str:
    """The words of some markup, each run of white space one space (words within a line keep
    their punctuation: "…, 10:00.")."""
    inline = re.sub(r"</?(?:time|strong|a)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline)).strip()


def _lines(html: str, key: str) -> list[str]:
    """The steps of the visit `key` (1, 2, …) as words, the moment's markup left out."""
    timeline = _section(html, f"timeline-heading-{key}")
    lines = re.findall(r"<li>(.*?)</li>", timeline, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", line)).strip() for line in lines]


def _moment(event: BookingEvent) -> str:
    """A step's moment as the page writes it in English (Swiss time)."""
    local = timezone.localtime(event.created_at)
    return f"{local.day} {local:%B} {local.year}, {local:%H:%M}"


def _second_visit(first: Booking) -> Booking:
    """After the first helper cancelled, another helper takes the reopened request: at the
    same time, done, signed off and paid."""
    help_request = first.help_request
    customer = help_request.customer
    other = make_helper()
    services.offers_dispatch(help_request=help_request)
    booking = services.offer_accept(offer=pending_offer(help_request, other), actor=other.user)
    start, end = first.proposals.get().starts_at, first.proposals.get().ends_at
    booking = services.booking_propose(
        booking=booking, actor=other.user, slots=[services.SlotInput(start, end)]
    )
    booking = services.booking_confirm(
        booking=booking, actor=customer, proposal=booking.proposals.get()
    )
    booking = services.booking_start_journey(booking=booking, actor=other.user, eta_minutes=20)
    booking = services.booking_check_in(booking=booking, actor=other.user)
    booking = services.booking_check_out(
        booking=booking, actor=other.user, work_summary="New router.", leave_behind_note=""
    )
    booking = services.booking_sign_off(booking=booking, actor=customer)
    paid_on_paper(booking)
    return booking


def _story() -> tuple[Booking, Booking]:
    """A request whose first helper cancelled late, and whose second came and was paid."""
    first = make_booking(BookingStatus.CONFIRMED)
    first = services.booking_cancel(booking=first, actor=first.helper.user, reason="I am ill.")
    return first, _second_visit(first)


def test_the_request_page_tells_each_visits_timeline(client):
    first, second = _story()
    help_request = first.help_request
    customer = help_request.customer
    _logged_in(client, ManagerFactory.create(), "en")

    html = client.get(_page(help_request)).content.decode()

    helper = first.helper.user.display_name
    events = list(BookingEvent.objects.filter(booking=first))
    proposal = first.proposals.get()
    starts, ends = timezone.localtime(proposal.starts_at), timezone.localtime(proposal.ends_at)
    span = f"{starts:%A} {starts.day} {starts:%B %Y}, {starts:%H:%M}–{ends:%H:%M}"
    price = f"CHF {proposal.price_minor // 100}.{proposal.price_minor % 100:02d}"
    assert _lines(html, "1") == [
        f"{_moment(events[0])}: The helper accepted the offer (by the helper, {helper})",
        f"{_moment(events[1])}: The helper proposed times (by the helper, {helper} · {span})",
        f"{_moment(events[2])}: The customer confirmed a time "
        f"(by the customer, {customer.display_name} · {span} · {price})",
        f"{_moment(events[3])}: The visit was cancelled (by the helper, {helper} · "
        "caused by the helper · a late cancellation · “I am ill.”)",
    ]
    steps = [line.split(": ", 1)[1] for line in _lines(html, "2")]
    other = second.helper.user.display_name
    assert steps == [
        f"The helper accepted the offer (by the helper, {other})",
        f"The helper proposed times (by the helper, {other} · {span})",
        f"The customer confirmed a time (by the customer, {customer.display_name} · {span} · "
        f"{price})",
        f"The helper set off (by the helper, {other} · expected in 20 minutes)",
        f"The helper arrived (by the helper, {other})",
        f"The helper finished the work (by the helper, {other})",
        f"The visit was signed off (by the customer, {customer.display_name})",
    ]
    visit = _text(_section(html, "visit-heading-1"))
    assert visit.startswith(f"The visit with {helper} Cancelled (late) Helper {helper}")
    assert f"Customer {customer.display_name} Time {span} Price {price}" in visit
    # Each visit's parts are told apart on the page: no id twice
    ids = re.findall(r' id="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_a_cancellation_in_good_time_and_a_no_show_say_who_caused_them(client):
    soon = timezone.now().replace(second=0, microsecond=0) + timedelta(days=3)
    kept_away = make_booking(BookingStatus.CONFIRMED, start=soon)
    services.booking_cancel(booking=kept_away, actor=kept_away.help_request.customer, reason="Away")
    missed = make_booking(BookingStatus.NO_SHOW)
    _logged_in(client, ManagerFactory.create(), "en")

    cancelled = _lines(client.get(_page(kept_away.help_request)).content.decode(), "1")[-1]
    no_show = _lines(client.get(_page(missed.help_request)).content.decode(), "1")[-1]

    customer = kept_away.help_request.customer.display_name
    assert cancelled.endswith(
        f": The visit was cancelled (by the customer, {customer} · caused by the customer · "
        "cancelled in good time · “Away”)"
    )
    reporter = missed.help_request.customer.display_name
    assert no_show.endswith(
        f": The visit did not take place (by the customer, {reporter} · caused by the helper · "
        "no-show reported)"
    )


def test_a_confirmed_visit_moved_at_short_notice_says_so(client):
    booking = make_booking(BookingStatus.CONFIRMED)
    customer = booking.help_request.customer
    services.booking_request_new_times(booking=booking, actor=customer, reason="Stuck at work")
    _logged_in(client, ManagerFactory.create(), "en")

    lines = _lines(client.get(_page(booking.help_request)).content.decode(), "1")

    assert lines[-1].endswith(
        f": The customer asked for other times (by the customer, {customer.display_name} · "
        "moved late · “Stuck at work”)"
    )


def test_the_money_is_read_from_quartiers_books_without_card_details(client):
    first, second = _story()
    _logged_in(client, ManagerFactory.create(), "en")

    html = client.get(_page(first.help_request)).content.decode()

    payment = Payment.objects.get(booking=second)
    price = payment.amount_minor
    chf = f"CHF {price // 100}.{price % 100:02d}"
    first_price = first.price_minor
    waited = f"CHF {first_price // 100}.{first_price % 100:02d}"
    # The first visit was cancelled before the customer gave a card: nothing was held, and
    # no card is waited for any more
    assert _text(_section(html, "money-heading-1")) == (
        f"Money No card was held: nothing of the {waited} was charged, and nothing will be. "
        "Held on the customer's card CHF 0.00 Captured CHF 0.00 Released CHF 0.00 "
        "Refunded CHF 0.00 Tip CHF 0.00 Stripe fee CHF 0.00 Quartier fee CHF 0.00 "
        "The payment in Quartier's books Never held: nothing was charged Paid with Card "
        f"Amount of the payment {waited} Stripe payment –"
    )
    assert _text(_section(html, "money-heading-2")) == (
        f"Money Held on the customer's card {chf} Captured {chf} Released CHF 0.00 "
        "Refunded CHF 0.00 Tip CHF 0.00 Stripe fee CHF 1.46 Quartier fee CHF 0.00 "
        f"The payment in Quartier's books Captured Paid with Card Amount of the payment {chf} "
        f"Stripe payment {payment.payment_intent_id}"
    )
    assert payment.payment_method_id not in html
    # No form to refund from here: the dispute's page has it
    assert 'name="refund-amount"' not in html


def test_both_reviews_are_shown_and_marked_while_the_other_side_cannot_read_them(client):
    first, second = _story()
    customer = second.help_request.customer
    services.review_submit(booking=second, actor=customer, rating=5, text="Very patient.")
    manager = ManagerFactory.create()
    _logged_in(client, manager, "en")
    page = _page(second.help_request)

    hidden = _text(_section(client.get(page).content.decode(), "reviews-heading-2"))
    services.review_submit(booking=second, actor=second.helper.user, rating=4, text="Thanks.")
    published = _text(_section(client.get(page).content.decode(), "reviews-heading-2"))

    assert hidden == (
        "Reviews The customer's review of the helper 5 stars: “Very patient.” "
        "Not yet visible to the other side Reviews are shown once both sides have written "
        "theirs, or when the time for reviews is over."
    )
    published_at = Review.objects.get(author=customer).published_at  # with the second
    assert published_at is not None
    local = timezone.localtime(published_at)
    when = f"{local.day} {local:%B} {local.year}, {local:%H:%M}"
    assert published == (
        "Reviews The customer's review of the helper 5 stars: “Very patient.” "
        f"Visible to both sides: published on {when}. "
        "The helper's review of the customer 4 stars: “Thanks.” "
        f"Visible to both sides: published on {when}."
    )
    # The cancelled visit was never reviewable: it has no reviews part
    assert 'id="reviews-heading-1"' not in client.get(page).content.decode()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("de", "Für die andere Seite noch nicht sichtbar"),
        ("fr", "Pas encore visible pour l’autre partie"),
        ("it", "Non ancora visibile all’altra parte"),
    ],
)
def test_the_story_is_told_in_the_managers_language(client, language, said):
    first, second = _story()
    services.review_submit(booking=second, actor=second.help_request.customer, rating=5)
    _logged_in(client, ManagerFactory.create(), language)

    html = client.get(_page(first.help_request)).content.decode()

    assert said in html
    assert "The helper" not in html
    assert "caused by" not in html


@pytest.mark.parametrize("who", ["customer", "helper", "other helper", "stranger"])
def test_nobody_but_a_manager_reads_a_requests_story(client, who):
    first, second = _story()
    services.review_submit(booking=second, actor=second.help_request.customer, rating=2)
    user = {
        "customer": first.help_request.customer,
        "helper": first.helper.user,
        "other helper": second.helper.user,
        "stranger": UserFactory.create(),
    }[who]
    _logged_in(client, user)

    response = client.get(_page(first.help_request))

    assert response.status_code == 404
    assert "Not yet visible" not in response.content.decode()


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_story_costs_the_same_queries_with_one_visit_or_many(
    client, django_assert_max_num_queries
):
    one = make_booking(BookingStatus.SIGNED_OFF)
    paid_on_paper(one)
    services.review_submit(booking=one, actor=one.help_request.customer, rating=5, text="Good")
    first, second = _story()
    services.review_submit(booking=second, actor=second.help_request.customer, rating=5)
    services.review_submit(booking=second, actor=second.helper.user, rating=4, text="Thanks")
    _logged_in(client, ManagerFactory.create())

    with django_assert_max_num_queries(15):
        client.get(_page(one.help_request))
    with django_assert_max_num_queries(15):
        client.get(_page(first.help_request))
    assert _queries(client, _page(first.help_request)) == _queries(client, _page(one.help_request))


def test_the_customers_file_and_a_reports_visit_open_the_visits_story(client):
    booking = make_booking(BookingStatus.IN_PROGRESS)
    report = services.safety_report_file(
        booking=booking, actor=booking.helper.user, category="harassment", text="Rude."
    )
    _logged_in(client, ManagerFactory.create())
    story = f"/manage/requests/{booking.help_request.public_id}/#visit-{booking.public_id}"

    customer_file = client.get(f"/manage/customers/{booking.help_request.customer.public_id}/")
    report_page = client.get(f"/manage/reports/{report.public_id}/")

    assert f'href="{story}"' in _section(customer_file.content.decode(), "visits-heading")
    assert f'href="{story}"' in _section(report_page.content.decode(), "visit-heading")


@pytest.mark.parametrize(
    ("status", "state", "words"),
    [
        (
            BookingStatus.CONFIRMED,
            "No card yet: nothing of the {price} is held on the customer's card.",
            "Waiting for a card",
        ),
        (
            BookingStatus.SIGNED_OFF,
            "No card was held: nothing of the {price} was charged, and nothing will be.",
            "Never held: nothing was charged",
        ),
        (
            BookingStatus.NO_SHOW,
            "No card was held: nothing of the {price} was charged, and nothing will be.",
            "Never held: nothing was charged",
        ),
    ],
)
def test_a_visit_over_without_a_card_waits_for_none(client, status, state, words):
    booking = make_booking(status)
    payment = Payment.objects.get(booking=booking)
    assert (payment.status, payment.payment_method_id) == ("requires_payment_method", "")
    _logged_in(client, ManagerFactory.create(), "en")

    html = client.get(_page(booking.help_request)).content.decode()

    price = f"CHF {payment.amount_minor // 100}.{payment.amount_minor % 100:02d}"
    money = _text(_section(html, "money-heading-1"))
    assert money.startswith(f"Money {state.format(price=price)} Held on the customer's card")
    assert f"The payment in Quartier's books {words} Paid with Card" in money
    assert ("Waiting for a card" in html) is (status == BookingStatus.CONFIRMED)
