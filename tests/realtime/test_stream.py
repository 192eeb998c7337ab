"""The per-user stream: who hears what, numbered per user, written with the change, and
published by the relay; caught up over REST."""

from __future__ import annotations

from io import StringIO

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from backend.events import UserRegistered
from backend.exceptions import ApplicationError
from backend.models import OutboxEvent
from backend.outbox import emit, sequence_of
from backend.relay import relay_pending
from bookings import services
from bookings.events import OfferMade
from bookings.models import BookingStatus, Offer, OfferStatus
from realtime.models import StreamCounter, StreamEvent
from realtime.publish import user_group
from realtime.stream import Entry, stream_append
from tests.api.api_assertions import API, assert_error, client_for
from tests.concurrency import race
from tests.factories import UserFactory, make_booking, make_helper, post_request
from tests.realtime.helpers import stream_of

pytestmark = pytest.mark.django_db

WHOLE_BOOKING_CUSTOMER = [
    ("help_request.status", "assigned"),
    ("booking.status", "awaiting_proposal"),
    ("booking.status", "proposed"),
    ("booking.proposals_made", ""),
    ("booking.status", "confirmed"),
    ("booking.proposal_chosen", ""),
    ("booking.status", "on_the_way"),
    ("booking.status", "in_progress"),
    ("booking.status", "completed"),
    ("booking.status", "signed_off"),
    ("help_request.status", "closed"),
]


def test_each_party_hears_exactly_its_own_events_over_a_whole_booking() -> None:
    customer = UserFactory.create()
    helper = make_helper()
    bystander = make_helper(skills=("tv-streaming",))
    booking = make_booking(BookingStatus.SIGNED_OFF, customer=customer, helper=helper)

    assert stream_of(customer) == WHOLE_BOOKING_CUSTOMER
    helper_stream = stream_of(helper.user)
    assert helper_stream[:2] == [("offer.made", "pending"), ("offer.accepted", "accepted")]
    # The helper hears the booking's moves, not the customer's request.
    assert helper_stream[2:] == [e for e in WHOLE_BOOKING_CUSTOMER if e[0] != "help_request.status"]
    assert stream_of(bystander.user) == []
    on_the_way = StreamEvent.objects.get(user=customer, data__status="on_the_way")
    assert on_the_way.data == {
        "booking": str(booking.public_id),
        "help_request": str(booking.help_request.public_id),
        "status": "on_the_way",
        "from_status": "confirmed",
        "by": "helper",
        "eta_minutes": 20,
    }
    # Pushed to the side that did not make the move.
    assert on_the_way.push is True
    assert StreamEvent.objects.get(user=helper.user, data__status="on_the_way").push is False


def test_the_race_lost_is_heard_and_the_refused_acceptance_writes_nothing() -> None:
    first, second = make_helper(), make_helper()
    help_request = post_request(UserFactory.create())
    offers = {o.helper_id: o for o in Offer.objects.filter(help_request=help_request)}
    assert set(offers) == {first.pk, second.pk}
    services.offer_accept(offer=offers[first.pk], actor=first.user)
    assert stream_of(second.user) == [("offer.made", "pending"), ("offer.withdrawn", "withdrawn")]
    rows_before = StreamEvent.objects.count()
    events_before = OutboxEvent.objects.count()

    with pytest.raises(ApplicationError) as refused:
        services.offer_accept(offer=Offer.objects.get(pk=offers[second.pk].pk), actor=second.user)

    assert refused.value.status == 409
    assert StreamEvent.objects.count() == rows_before
    assert OutboxEvent.objects.count() == events_before
    assert Offer.objects.get(pk=offers[second.pk].pk).status == OfferStatus.WITHDRAWN


def test_a_rolled_back_change_leaves_no_stream_row_and_no_number_used() -> None:
    helper = make_helper()
    help_request = post_request(UserFactory.create())
    offer = Offer.objects.get(help_request=help_request)
    before = StreamCounter.objects.get(user=helper.user).last_seq

    def change_that_fails() -> None:
        with transaction.atomic():
            emit(
                OfferMade(
                    offer_id=offer.pk,
                    help_request_id=help_request.pk,
                    helper_id=helper.pk,
                    round=2,
                    expires_at="2030-01-01T00:00:00+00:00",
                )
            )
            raise RuntimeError("the change fails after the event")

    with pytest.raises(RuntimeError):
        change_that_fails()

    assert StreamCounter.objects.get(user=helper.user).last_seq == before
    assert StreamEvent.objects.filter(user=helper.user).count() == before


def test_sequence_of_is_only_for_the_events_being_handled() -> None:
    offer_made = OfferMade(
        offer_id=1, help_request_id=1, helper_id=1, round=1, expires_at="2030-01-01T00:00:00+00:00"
    )
    with pytest.raises(LookupError):
        sequence_of(offer_made)


def test_stream_append_numbers_each_user_on_from_their_last_number() -> None:
    one, two = UserFactory.create(), UserFactory.create()
    with transaction.atomic():
        (event,) = emit(UserRegistered(user_id=one.pk))
        rows = stream_append(
            [
                (event.pk, Entry(one.pk, "x", {})),
                (event.pk, Entry(two.pk, "x", {})),
                (event.pk, Entry(one.pk, "y", {})),
            ]
        )
    assert [(row.user_id, row.seq, row.type) for row in rows] == [
        (one.pk, 1, "x"),
        (two.pk, 1, "x"),
        (one.pk, 2, "y"),
    ]


def test_the_relay_publishes_each_row_to_its_users_group_only() -> None:
    helper, other = make_helper(), make_helper(skills=("tv-streaming",))
    layer = get_channel_layer()
    assert layer is not None
    mine = async_to_sync(layer.new_channel)()
    theirs = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(helper.user.pk), mine)
    async_to_sync(layer.group_add)(user_group(other.user.pk), theirs)

    post_request(UserFactory.create())
    relay_pending()

    message = async_to_sync(layer.receive)(mine)
    row = StreamEvent.objects.get(user=helper.user)
    assert message == {
        "type": "stream.event",
        "frame": {
            "id": row.pk,
            "seq": 1,
            "event": "offer.made",
            "data": row.data,
            # Swiss time to the microsecond, as every answer
            "at": timezone.localtime(row.created_at).isoformat(timespec="microseconds"),
        },
    }
    assert OutboxEvent.objects.filter(relayed_at__isnull=True).count() == 0
    async_to_sync(layer.group_discard)(user_group(helper.user.pk), mine)
    async_to_sync(layer.group_discard)(user_group(other.user.pk), theirs)
    # Nothing was sent to the other helper's group.
    async_to_sync(layer.send)(theirs, {"type": "marker"})
    assert async_to_sync(layer.receive)(theirs) == {"type": "marker"}


def test_catching_up_over_rest_returns_exactly_what_came_after() -> None:
    customer = UserFactory.create()
    make_booking(BookingStatus.CONFIRMED, customer=customer)
    client = client_for(customer)

    everything = client.get(f"{API}/events").json()
    later = client.get(f"{API}/events", {"after": 3}).json()

    assert [e["seq"] for e in everything["events"]] == [1, 2, 3, 4, 5, 6]
    assert everything["last_seq"] == 6
    assert everything["has_more"] is False
    assert later["events"] == everything["events"][3:]
    assert client.get(f"{API}/events", {"after": 6}).json()["events"] == []
    assert_error(
        client.get(f"{API}/events", {"after": -1}),
        400,
        "invalid_cursor",
        {"after"},
        documented_in=("get", "/api/v1/events"),
    )
    assert client_for(None).get(f"{API}/events").status_code == 401


# "²" passes str.isdigit() but not int(), "٣" passes both (as 3), "--1" has a sign too many,
# and 5000 digits are more than int() reads from a string.
@pytest.mark.parametrize("after", ["²", "٣", "--1", "9" * 5000, "the-start"])
def test_catching_up_after_anything_but_a_sequence_number_is_refused(after) -> None:
    customer = UserFactory.create()
    make_booking(BookingStatus.CONFIRMED, customer=customer)

    response = client_for(customer).get(f"{API}/events", {"after": after})

    assert_error(response, 400, "invalid_cursor", {"after"})


def test_manage_py_relay_delivers_what_waits() -> None:
    helper = make_helper()
    post_request(UserFactory.create())
    out = StringIO()

    call_command("relay", "--once", stdout=out)

    assert out.getvalue().strip().endswith("events delivered")
    assert OutboxEvent.objects.filter(relayed_at__isnull=True).count() == 0
    assert StreamEvent.objects.filter(user=helper.user).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_appends_racing_for_the_same_streams_number_them_without_a_gap_or_a_repeat() -> None:
    """Eight transactions append to the same two streams at once, in real threads, before the
    users' counters exist: each number is handed out once, one after the other."""
    one, two = UserFactory.create(), UserFactory.create()
    threads_count = 8

    def append() -> None:
        with transaction.atomic():
            (event,) = emit(UserRegistered(user_id=one.pk))
            stream_append(
                [
                    (event.pk, Entry(one.pk, "x", {})),
                    (event.pk, Entry(two.pk, "x", {})),
                    (event.pk, Entry(one.pk, "y", {})),
                ]
            )

    outcomes = race([append] * threads_count)

    assert [outcome for outcome in outcomes if outcome[0] != "ok"] == []
    for user, count in ((one, 2 * threads_count), (two, threads_count)):
        numbers = list(
            StreamEvent.objects.filter(user=user).order_by("seq").values_list("seq", flat=True)
        )
        assert numbers == list(range(1, count + 1))
        assert StreamCounter.objects.get(user=user).last_seq == count
    # Each transaction's two rows for the first user are consecutive, "x" then "y".
    rows = list(
        StreamEvent.objects.filter(user=one).order_by("seq").values_list("type", "outbox_event_id")
    )
    for first, second in zip(rows[::2], rows[1::2], strict=True):
        assert (first[0], second[0]) == ("x", "y")
        assert first[1] == second[1]
