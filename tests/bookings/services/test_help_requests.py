"""help_request_create, help_request_update and help_request_withdraw, called directly."""

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from backend import clock
from backend.exceptions import ApplicationError
from bookings import services
from bookings.matching.explain import offers_today_counter
from bookings.models import HelpRequest, HelpRequestStatus, MatchingRun, Offer, OfferStatus
from tests.factories import (
    ZURICH,
    UserFactory,
    make_helper,
    next_slot_start,
    offset,
    post_request,
)

pytestmark = pytest.mark.django_db


def test_posting_with_nobody_in_reach_returns_the_request_as_unmatched():
    # Given no helper anywhere
    customer = UserFactory.create()

    # When the customer posts
    help_request = post_request(customer)

    # Then the returned object already says what the database says
    stored = HelpRequest.objects.get(pk=help_request.pk)
    assert help_request.status == stored.status == HelpRequestStatus.UNMATCHED
    assert help_request.search_radius_km == stored.search_radius_km == 25.0
    assert help_request.status_reason == (
        "No helper is available within 25 km in your time windows."
    )


def test_posting_with_a_helper_in_reach_returns_the_first_round():
    make_helper()

    help_request = post_request(UserFactory.create())

    assert help_request.status == HelpRequestStatus.OPEN
    assert help_request.matching_round == 1
    assert help_request.search_radius_km == 5.0


def _fields(help_request: HelpRequest) -> dict[str, object]:
    return {f.attname: getattr(help_request, f.attname) for f in HelpRequest._meta.concrete_fields}


@pytest.mark.parametrize("helpers", [0, 1, 4])
@pytest.mark.parametrize("located", [True, False])
def test_the_posted_request_returned_is_the_one_stored_field_by_field(helpers, located):
    # Given nobody, one helper or more than a batch of offers in reach
    for n in range(helpers):
        make_helper(point=offset(ZURICH, north_m=150.0 * n))

    # When a customer posts (at a point, or at an address)
    help_request = post_request(UserFactory.create(), point=ZURICH if located else None)

    # Then what the service returns is what a fresh read finds, in every field
    assert _fields(help_request) == _fields(HelpRequest.objects.get(pk=help_request.pk))
    assert help_request.status == (
        HelpRequestStatus.OPEN if helpers else HelpRequestStatus.UNMATCHED
    )


# --- Changing a request: re-matching only when it could change the answer, and bounded -----


def _offers(help_request: HelpRequest) -> list[tuple[int, str, str]]:
    return list(
        Offer.objects.filter(help_request=help_request)
        .order_by("pk")
        .values_list("helper_id", "status", "withdrawal_cause")
    )


def test_an_edit_that_cannot_change_the_answer_does_not_match_again():
    # Given a request offered to a helper, asking for German and English
    helper = make_helper(languages=("de", "en"))
    help_request = post_request(UserFactory.create(), point=ZURICH, languages=["de", "en"])
    windows = list(help_request.windows.values_list("starts_at", "ends_at"))
    runs = MatchingRun.objects.filter(help_request=help_request).count()

    # When the customer sends the same languages in another order, the same windows, and a new
    # street at the same place
    services.help_request_update(
        help_request=help_request,
        languages=["en", "de"],
        windows=windows,
        address=services.AddressInput(street="Bahnhofplatz 2", point=ZURICH),
    )

    # Then the offer stays pending and nobody was matched again
    assert _offers(help_request) == [(helper.pk, OfferStatus.PENDING, "")]
    assert MatchingRun.objects.filter(help_request=help_request).count() == runs
    help_request.refresh_from_db()
    assert (help_request.street, help_request.rematch_count) == ("Bahnhofplatz 2", 0)


def test_a_request_is_matched_anew_at_most_the_configured_number_of_times(quartier_settings):
    # Given at most two re-matchings per request, and a request offered to a helper
    quartier_settings(MAX_REMATCHES_PER_REQUEST=2)
    make_helper()
    help_request = post_request(UserFactory.create(), point=ZURICH)
    moves = [offset(ZURICH, east_m=100 * n) for n in (1, 2, 3)]

    # When the customer moves the address twice, then a third time
    for point in moves[:2]:
        services.help_request_update(
            help_request=help_request, address=services.AddressInput(point=point)
        )
    before = (
        HelpRequest.objects.values().get(pk=help_request.pk),
        _offers(help_request),
        MatchingRun.objects.count(),
    )
    with pytest.raises(ApplicationError) as refused:
        services.help_request_update(
            help_request=help_request, address=services.AddressInput(point=moves[2])
        )

    # Then the third is refused and changed nothing
    assert (refused.value.code, refused.value.status) == ("rematch_limit_reached", 409)
    assert (
        HelpRequest.objects.values().get(pk=help_request.pk),
        _offers(help_request),
        MatchingRun.objects.count(),
    ) == before
    assert before[0]["rematch_count"] == 2


def test_offers_withdrawn_by_an_edit_do_not_count_against_the_helper():
    # Given a helper offered a request, which the customer then moves a little
    helper = make_helper()
    help_request = post_request(UserFactory.create(), point=ZURICH)
    services.help_request_update(
        help_request=help_request, address=services.AddressInput(point=offset(ZURICH, east_m=50))
    )
    assert _offers(help_request) == [
        (helper.pk, OfferStatus.WITHDRAWN, "request_changed"),
        (helper.pk, OfferStatus.PENDING, ""),
    ]

    # Then the helper received one offer, not two: lifetime and for today's fairness count
    helper.refresh_from_db()
    assert helper.offers_received == 1
    count_today = offers_today_counter(clock.now())
    assert count_today([helper.pk]) == {helper.pk: 1}


def test_withdrawing_a_request_withdraws_its_offers_for_that_cause():
    # Given a request offered to a helper
    helper = make_helper()
    help_request = post_request(UserFactory.create(), point=ZURICH)

    # When the customer withdraws it
    services.help_request_withdraw(help_request=help_request, reason="Fixed it myself.")

    # Then the request and the offer are withdrawn, and the offer still counts as received
    help_request.refresh_from_db()
    assert (help_request.status, help_request.status_reason) == (
        HelpRequestStatus.WITHDRAWN,
        "Fixed it myself.",
    )
    assert _offers(help_request) == [(helper.pk, OfferStatus.WITHDRAWN, "request_withdrawn")]
    helper.refresh_from_db()
    assert helper.offers_received == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"description": "The Wi-Fi drops. " + "x" * 1984}, "description"),
        ({"on_behalf_name": "H" * 81, "on_behalf_phone": "+41 79 555 01 02"}, "on_behalf_name"),
    ],
    ids=["description", "on-behalf name"],
)
def test_a_text_longer_than_the_request_holds_is_refused_and_nothing_is_posted(extra, field):
    # Given a customer
    customer = UserFactory.create()

    # When they post a request with a text one character longer than it holds
    with pytest.raises(ApplicationError) as refused:
        post_request(customer, point=ZURICH, **extra)

    # Then it is refused on that field, as the API refuses it, and no request exists
    assert (refused.value.code, list(refused.value.fields)) == ("max_length", [field])
    assert not HelpRequest.objects.filter(customer=customer).exists()


def test_the_open_request_limit_counts_only_open_and_unmatched_requests(quartier_settings):
    # Given a limit of two, and a customer with one open request, one unmatched and one withdrawn
    quartier_settings(MAX_OPEN_REQUESTS_PER_CUSTOMER=2)
    make_helper()
    customer = UserFactory.create()
    withdrawn = post_request(customer)
    services.help_request_withdraw(help_request=withdrawn)
    post_request(customer, start=next_slot_start(days=2))
    post_request(customer, slug="tv-streaming", start=next_slot_start(days=3))  # nobody skilled
    assert sorted(
        HelpRequest.objects.filter(customer=customer).values_list("status", flat=True)
    ) == [
        HelpRequestStatus.OPEN,
        HelpRequestStatus.UNMATCHED,
        HelpRequestStatus.WITHDRAWN,
    ]
    before = (HelpRequest.objects.count(), Offer.objects.count(), MatchingRun.objects.count())

    # When they post a fourth, then another customer posts
    with pytest.raises(ApplicationError) as refused:
        post_request(customer, start=next_slot_start(days=4))
    other = post_request(UserFactory.create())

    # Then the customer's is refused, naming the two that count, and nothing of it was written;
    # the other customer's is not held back by it
    assert refused.value.code == "open_request_limit"
    assert str(refused.value) == (
        "You already have 2 open requests; withdraw one or wait for a helper."
    )
    assert (
        HelpRequest.objects.count() - 1,
        Offer.objects.filter(~Q(help_request=other)).count(),
        MatchingRun.objects.filter(~Q(help_request=other)).count(),
    ) == before


def test_posting_locks_the_customer_reading_nothing_else_of_them():
    # Given a customer who posted before
    customer = UserFactory.create()
    post_request(customer)

    # When they post again
    with CaptureQueriesContext(connection) as queries:
        post_request(customer, start=next_slot_start(days=2))

    # Then their row is read once, for its lock: its id and none of their other columns
    reads = [q["sql"] for q in queries.captured_queries if 'FROM "backend_user"' in q["sql"]]
    assert len(reads) == 1
    assert reads[0].startswith('SELECT "backend_user"."id" AS "pk" FROM "backend_user" WHERE')
