"""The recipes for the services' own codes: the state each needs, then the request that meets
the rule (used by tests/api/test_every_code_provoked.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone

from bookings import services
from bookings.models import Booking, BookingStatus, HelpRequest, ProposalStatus
from helpers.models import ApprovalStatus
from helpers.services import helper_takes_payments_set
from tests.api.code_recipes import DELETE, Operation, Triple, World, send
from tests.factories import (
    PASSWORD,
    UserFactory,
    make_booking,
    make_helper,
    next_slot_start,
    post_request,
)

Recipe = Callable[[World, Operation], Any]
V1 = "/api/v1"
BOOKING = V1 + "/bookings/{booking_id}"


def booking_in(world: World, status: str, **kwargs: Any) -> Booking:
    """A booking of the world's customer and helper in `status`, its visit a few hours after
    any other the helper has (so that none is double-booked), and never days ahead: a visit more
    than 5 days out is held by a task later, not when its card is given."""
    later = Booking.objects.filter(helper=world.helper).count()
    start = timezone.now() + timedelta(minutes=30) + timedelta(hours=4) * later
    start = kwargs.pop("start", start.replace(second=0, microsecond=0))
    # The helper sets out at most a few hours ahead: the steps from there are taken then.
    with time_machine.travel(max(timezone.now(), start - timedelta(minutes=30)), tick=False):
        return make_booking(
            status, customer=world.customer, helper=world.helper, start=start, **kwargs
        )


def _ids(booking: Booking) -> dict[str, str]:
    return {"booking_id": str(booking.public_id)}


def on(status: str, **changes: Any) -> Recipe:
    """The step on a booking of the world's customer and helper in `status`."""

    def recipe(world: World, operation: Operation) -> Any:
        return send(world, operation, params=_ids(booking_in(world, status)), **changes)

    return recipe


def body(**changes: Any) -> Recipe:
    return lambda world, operation: send(world, operation, **changes)


def as_role(role: str, **changes: Any) -> Recipe:
    return lambda world, operation: send(world, operation, role=role, **changes)


def slot(start: Any, minutes: int = 60) -> dict[str, str]:
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
    }


def _window_start(world: World) -> Any:
    return world.booking.help_request.windows.get().starts_at


def _propose_double_booked(world: World, operation: Operation) -> Any:
    start = _window_start(world) + timedelta(minutes=30)
    booking_in(world, BookingStatus.CONFIRMED, start=start)
    return send(world, operation, slots=[slot(start)])


def _confirm(proposal_of: Callable[[World], Any], *, travel: timedelta | None = None) -> Recipe:
    def recipe(world: World, operation: Operation) -> Any:
        booking, proposal = proposal_of(world)
        params = _ids(booking)
        if travel is None:
            return send(world, operation, params=params, proposal=str(proposal.public_id))
        with time_machine.travel(proposal.starts_at + travel, tick=False):
            return send(world, operation, params=params, proposal=str(proposal.public_id))

    return recipe


def _proposed(world: World) -> tuple[Booking, Any]:
    booking = booking_in(world, BookingStatus.PROPOSED)
    return booking, booking.proposals.get(status=ProposalStatus.PROPOSED)


def _declined(world: World) -> tuple[Booking, Any]:
    """A booking proposed anew after the customer asked for other times: the first times."""
    booking, first = _proposed(world)
    services.booking_request_new_times(booking=booking, actor=world.customer, reason="Not these")
    later = first.starts_at + timedelta(minutes=30)
    services.booking_propose(
        booking=booking,
        actor=world.helper.user,
        slots=[services.SlotInput(later, later + timedelta(hours=1))],
    )
    return booking, first


def _proposed_then_cancelled(world: World) -> tuple[Booking, Any]:
    booking, proposal = _proposed(world)
    services.booking_cancel(booking=booking, actor=world.customer, reason="Not needed")
    return booking, proposal


def _double_booked(world: World) -> tuple[Booking, Any]:
    booking, proposal = _proposed(world)
    other = make_booking(BookingStatus.PROPOSED, helper=world.helper, start=proposal.starts_at)
    services.booking_confirm(
        booking=other,
        actor=other.help_request.customer,
        proposal=other.proposals.get(status=ProposalStatus.PROPOSED),
    )
    return booking, proposal


def _helper_cannot_be_paid(world: World) -> tuple[Booking, Any]:
    """Times proposed, then the helper's payout account stopped taking charges (payments
    records it on the helper so)."""
    booking, proposal = _proposed(world)
    helper_takes_payments_set(helper_id=world.helper.pk, takes_payments=False)
    return booking, proposal


def _early(status: str, *, hours: int, **changes: Any) -> Recipe:
    """The step on a booking whose visit starts `hours` from now."""

    def recipe(world: World, operation: Operation) -> Any:
        start = (timezone.now() + timedelta(hours=hours)).replace(second=0, microsecond=0)
        booking = booking_in(world, status, start=start)
        return send(world, operation, params=_ids(booking), **changes)

    return recipe


def _exception(start_hours: float, end_hours: float) -> dict[str, Any]:
    now = timezone.now().replace(microsecond=0)
    return {
        "starts_at": (now + timedelta(hours=start_hours)).isoformat(),
        "ends_at": (now + timedelta(hours=end_hours)).isoformat(),
    }


def _help_request(status_change: Callable[[HelpRequest, World], Any]) -> Recipe:
    def recipe(world: World, operation: Operation) -> Any:
        help_request = post_request(world.customer)
        status_change(help_request, world)
        return send(world, operation, params={"request_id": str(help_request.public_id)})

    return recipe


def _withdrawn(help_request: HelpRequest, world: World) -> None:
    services.help_request_withdraw(help_request=help_request)


def _booked(help_request: HelpRequest, world: World) -> None:
    offer = help_request.offers.filter(helper=world.helper).get()
    services.offer_accept(offer=offer, actor=world.helper.user)


def _rematched_enough(world: World, operation: Operation) -> Any:
    HelpRequest.objects.filter(pk=world.help_request.pk).update(rematch_count=99)
    return send(world, operation, languages=["fr"])


def _too_many_open(world: World, operation: Operation) -> Any:
    for _index in range(2):  # with the world's own, the most a customer may have open
        post_request(world.customer)
    return send(world, operation)


def _windows(*offsets: tuple[float, float]) -> list[dict[str, str]]:
    start = next_slot_start(days=2)
    return [
        {
            "starts_at": (start + timedelta(hours=begin)).isoformat(),
            "ends_at": (start + timedelta(hours=end)).isoformat(),
        }
        for begin, end in offsets
    ]


def _in_days(days: float, hours: float = 2) -> list[dict[str, str]]:
    start = timezone.now().replace(microsecond=0) + timedelta(days=days)
    return [
        {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=hours)).isoformat()}
    ]


ADDRESS_REQUIRED = {"location": DELETE, "postal_code": "", "street": ""}
HELP_REQUEST_INPUT: dict[tuple[int, str], Recipe] = {
    (400, "address_required"): body(**ADDRESS_REQUIRED),
    (400, "description_too_short"): body(description="Help"),
    (400, "invalid_language"): body(languages=["xx"]),
    (400, "invalid_phone"): body(on_behalf_phone="call me maybe"),
    (400, "invalid_postal_code"): body(location=DELETE, postal_code="80a1"),
    (400, "unknown_postal_code"): body(location=DELETE, postal_code="1111"),
    (400, "postal_code_locality_mismatch"): body(location=DELETE, locality="Bern"),
    (400, "outside_switzerland"): body(
        location={"type": "Point", "coordinates": [2.35, 48.85]}, postal_code="", locality=""
    ),
    (400, "on_behalf_incomplete"): body(on_behalf_phone=""),
    (400, "languages_required"): body(languages=[]),
    (400, "windows_required"): body(windows=[]),
    (400, "too_many_windows"): body(windows=_windows(*[(2 * i, 2 * i + 1) for i in range(6)])),
    (400, "window_inverted"): body(windows=_windows((3, 1))),
    (400, "window_in_past"): body(windows=_in_days(-1)),
    (400, "window_too_far_ahead"): body(windows=_in_days(400)),
    (400, "window_too_short"): body(windows=_windows((0, 0.25))),
    (400, "window_too_long"): body(windows=_windows((0, 30))),
    (400, "windows_overlap"): body(windows=_windows((0, 2), (1, 3))),
}


def _pending(**changes: Any) -> Recipe:
    def recipe(world: World, operation: Operation) -> Any:
        helper = make_helper(approval=ApprovalStatus.APPLIED)
        return send(world, operation, params={"helper_id": str(helper.public_id)}, **changes)

    return recipe


def _customer_without_home(world: World, operation: Operation) -> Any:
    world.customer.home_latitude = None
    world.customer.save(update_fields=["home_latitude"])
    return send(world, operation, role="customer")


def _unverified(world: World, operation: Operation) -> Any:
    user = UserFactory.create(email_verified_at=None)
    return send(world, operation, email=user.email, password=PASSWORD)


def _locked_out(world: World, operation: Operation) -> Any:
    answer = None
    for _attempt in range(30):
        answer = send(world, operation, password="wrong password")
        if answer.status_code == 429:
            break
    return answer


def _password_guessed(world: World, operation: Operation) -> Any:
    answer = None
    for _attempt in range(30):
        answer = send(world, operation, current_password="not the password")
        if answer.status_code == 429:
            break
    return answer


def _expired_verification(world: World, operation: Operation) -> Any:
    from backend.services import email_verification_token

    user = UserFactory.create(email_verified_at=None)
    token = email_verification_token(user)
    with time_machine.travel(timezone.now() + timedelta(days=30), tick=False):
        return send(world, operation, token=token)


def _offer_declined(world: World, operation: Operation) -> Any:
    services.offer_decline(offer=world.offer, actor=world.helper.user)
    return send(world, operation)


def _offer_taken(world: World, operation: Operation) -> Any:
    other = make_helper()
    help_request = post_request(world.customer)
    offers = {offer.helper_id: offer for offer in help_request.offers.all()}
    services.offer_accept(offer=offers[other.pk], actor=other.user)
    return send(world, operation, params={"offer_id": str(offers[world.helper.pk].public_id)})


def _profile_twice(world: World, operation: Operation) -> Any:
    return send(world, operation, role="helper")


def _illegal_propose(world: World, operation: Operation) -> Any:
    booking = booking_in(world, BookingStatus.CANCELLED)
    start = booking.help_request.windows.get().starts_at
    return send(world, operation, params=_ids(booking), slots=[slot(start)])


def _late(status: str, *, role: str | None = None, **changes: Any) -> Recipe:
    """The step on a booking in `status`, 45 minutes after its visit should have started."""

    def recipe(world: World, operation: Operation) -> Any:
        booking = booking_in(world, status)
        starts_at = booking.starts_at or booking.help_request.windows.get().starts_at
        with time_machine.travel(starts_at + timedelta(minutes=45), tick=False):
            return send(world, operation, role=role, params=_ids(booking), **changes)

    return recipe


# Each booking step runs its cases on a booking in the state the step is made from.
STEP_STATES = {
    "confirm": BookingStatus.PROPOSED,
    "request-new-times": BookingStatus.PROPOSED,
    "cancel": BookingStatus.CONFIRMED,
    "no-show": BookingStatus.CONFIRMED,
    "on-my-way": BookingStatus.CONFIRMED,
    "check-in": BookingStatus.ON_THE_WAY,
    "check-out": BookingStatus.IN_PROGRESS,
    "sign-off": BookingStatus.COMPLETED,
    "dispute": BookingStatus.COMPLETED,
    "resolve-dispute": BookingStatus.DISPUTED,
    "reviews": BookingStatus.SIGNED_OFF,
}


def prepare(world: World, operation: Operation) -> None:
    """Put the world in the state the operation's cases start from."""
    method, path = operation
    step = path.rsplit("/", 1)[-1]
    if path.startswith(BOOKING) and method == "post" and step in STEP_STATES:
        booking = booking_in(world, STEP_STATES[step])
        world.overrides["booking_id"] = str(booking.public_id)
        proposal = booking.proposals.filter(status=ProposalStatus.PROPOSED).first()
        if proposal is not None:
            world.proposal = str(proposal.public_id)


def _on_the_way_early(world: World, operation: Operation) -> Any:
    start = (timezone.now() + timedelta(hours=2)).replace(second=0, microsecond=0)
    booking = booking_in(world, BookingStatus.CONFIRMED, start=start)
    services.booking_start_journey(booking=booking, actor=world.helper.user, eta_minutes=20)
    return send(world, operation, params=_ids(booking))


def _review_twice(world: World, operation: Operation) -> Any:
    send(world, operation)
    return send(world, operation)


def _review_late(world: World, operation: Operation) -> Any:
    booking = booking_in(world, BookingStatus.SIGNED_OFF)
    assert booking.signed_off_at is not None
    with time_machine.travel(booking.signed_off_at + timedelta(days=8), tick=False):
        return send(world, operation, params=_ids(booking))


def _slots(*shapes: tuple[int, int]) -> Recipe:
    """Slots as (minutes after the booking's window opens, minutes long)."""

    def recipe(world: World, operation: Operation) -> Any:
        start = _window_start(world)
        made = [slot(start + timedelta(minutes=after), length) for after, length in shapes]
        return send(world, operation, slots=made)

    return recipe


ACTIVE = BookingStatus.CONFIRMED
ILLEGAL = on(BookingStatus.CANCELLED)


def _cancelled_soon(world: World, operation: Operation) -> Any:
    """A cancelled visit that would start in 30 minutes (not too early to set out)."""
    start = (timezone.now() + timedelta(minutes=30)).replace(second=0, microsecond=0)
    booking = booking_in(world, BookingStatus.CANCELLED, start=start)
    return send(world, operation, params=_ids(booking))


DOMAIN: dict[Triple, Recipe] = {}


def _add(method: str, path: str, recipes: dict[tuple[int, str], Recipe]) -> None:
    for (status, code), recipe in recipes.items():
        DOMAIN[(method, path, status, code)] = recipe


_add(
    "post",
    BOOKING + "/propose",
    {
        (400, "slots_required"): body(slots=[]),
        (400, "too_many_slots"): _slots(*[(20 * index, 15) for index in range(6)]),
        (400, "duplicate_slots"): _slots((0, 60), (0, 60)),
        (400, "slot_in_past"): body(slots=[slot(timezone.now() - timedelta(hours=2))]),
        (400, "slot_inverted"): _slots((60, -30)),
        (400, "slot_length"): _slots((0, 5)),
        (400, "slot_outside_windows"): _slots((24 * 60, 60)),
        (400, "reason_required"): on(ACTIVE, reason=DELETE),
        (409, "helper_double_booked"): _propose_double_booked,
        (409, "illegal_transition"): _illegal_propose,
    },
)
_add(
    "post",
    BOOKING + "/confirm",
    {
        (400, "invalid_proposal"): _confirm(_declined),
        (400, "slot_in_past"): _confirm(_proposed, travel=timedelta(minutes=10)),
        (409, "helper_double_booked"): _confirm(_double_booked),
        (409, "helper_cannot_be_paid"): _confirm(_helper_cannot_be_paid),
        (409, "illegal_transition"): _confirm(_proposed_then_cancelled),
    },
)
_add(
    "post",
    BOOKING + "/request-new-times",
    {
        (400, "reason_required"): body(reason=""),
        (409, "illegal_transition"): ILLEGAL,
    },
)
_add(
    "post",
    BOOKING + "/cancel",
    {
        (400, "reason_required"): body(reason=""),
        (400, "caused_by_required"): as_role("manager", caused_by=DELETE),
        (403, "not_allowed_for_role"): on(BookingStatus.DISPUTED),
        (409, "illegal_transition"): ILLEGAL,
    },
)
_add(
    "post",
    BOOKING + "/no-show",
    {
        (400, "caused_by_required"): _late(ACTIVE, role="manager", caused_by=DELETE),
        (403, "not_allowed_for_role"): _late(BookingStatus.ON_THE_WAY),
        (409, "too_early"): body(),
        (409, "illegal_transition"): _late(BookingStatus.CANCELLED),
    },
)
_add(
    "post",
    BOOKING + "/on-my-way",
    {
        (400, "invalid_eta"): body(eta_minutes=0),
        (409, "too_early"): _early(ACTIVE, hours=24),
        (409, "illegal_transition"): _cancelled_soon,
    },
)
_add(
    "post",
    BOOKING + "/check-in",
    {
        (409, "too_early"): _on_the_way_early,
        (409, "illegal_transition"): _cancelled_soon,
    },
)
_add(
    "post",
    BOOKING + "/check-out",
    {
        (400, "summary_too_short"): body(work_summary="Done"),
        (409, "illegal_transition"): ILLEGAL,
    },
)
_add("post", BOOKING + "/sign-off", {(409, "illegal_transition"): ILLEGAL})
_add(
    "post",
    BOOKING + "/dispute",
    {
        (400, "reason_required"): body(reason="Bad"),
        (409, "illegal_transition"): ILLEGAL,
    },
)
_add(
    "post",
    BOOKING + "/resolve-dispute",
    {
        (400, "reason_required"): body(note=""),
        (400, "caused_by_required"): body(outcome="visit_void", caused_by=DELETE),
        (409, "illegal_transition"): ILLEGAL,
    },
)
_add(
    "post",
    BOOKING + "/reviews",
    {
        (400, "invalid_rating"): body(rating=6),
        (409, "not_reviewable"): on(ACTIVE),
        (409, "already_reviewed"): _review_twice,
        (409, "review_window_closed"): _review_late,
    },
)
for _method in ("post", "patch"):
    _path = V1 + "/help-requests" + ("/{request_id}" if _method == "patch" else "")
    _add(_method, _path, HELP_REQUEST_INPUT)
_add("post", V1 + "/help-requests", {(409, "open_request_limit"): _too_many_open})
_add(
    "patch",
    V1 + "/help-requests/{request_id}",
    {
        (409, "rematch_limit_reached"): _rematched_enough,
        (409, "request_not_editable"): _help_request(_withdrawn),
    },
)
_add(
    "post",
    V1 + "/help-requests/{request_id}/withdraw",
    {
        (409, "request_not_editable"): _help_request(_booked),
    },
)
_add(
    "post",
    V1 + "/offers/{offer_id}/accept",
    {
        (409, "offer_not_pending"): _offer_declined,
        (409, "request_already_taken"): _offer_taken,
    },
)
_add("post", V1 + "/offers/{offer_id}/decline", {(409, "offer_not_pending"): _offer_declined})
_add(
    "post",
    V1 + "/helper/availability/exceptions",
    {
        (400, "invalid_availability"): lambda w, o: send(w, o, **_exception(2, 1)),
        (400, "in_the_past"): lambda w, o: send(w, o, **_exception(-48, -47)),
        (400, "outside_bookable_horizon"): lambda w, o: send(
            w, o, **_exception(24 * 400, 24 * 401)
        ),
    },
)
_add(
    "put",
    V1 + "/helper/availability/weekly",
    {
        (400, "invalid_availability"): body(
            intervals=[{"weekday": 0, "start_time": "12:00", "end_time": "09:00"}]
        ),
    },
)
_PROFILE = {
    (400, "unknown_category"): body(skills=["no-such-category"]),
    (400, "skills_required"): body(skills=[]),
    (400, "invalid_radius"): body(service_radius_km=0),
    (400, "invalid_hourly_rate"): body(hourly_rate_minor=1),
}
_add("patch", V1 + "/helper/profile", _PROFILE)
_add(
    "post",
    V1 + "/helper/profile",
    {
        **_PROFILE,
        (400, "home_address_required"): _customer_without_home,
        (409, "helper_profile_exists"): _profile_twice,
    },
)
_add(
    "post",
    V1 + "/manager/helpers/{helper_id}/approve",
    {
        (400, "forbidden_characters"): _pending(note="Hello \u202eworld"),
        (400, "nothing_visible"): _pending(note="\u200b"),
    },
)
_add(
    "post",
    V1 + "/manager/helpers/{helper_id}/suspend",
    {
        (400, "reason_required"): body(note=""),
        (400, "in_the_past"): body(until="2020-01-01T00:00:00Z"),
    },
)
_add(
    "post",
    V1 + "/auth/token",
    {
        (401, "invalid_credentials"): body(password="not the password"),
        (403, "email_not_verified"): _unverified,
        (429, "too_many_attempts"): _locked_out,
    },
)
_add(
    "post",
    V1 + "/auth/verify-email",
    {
        (400, "verification_invalid"): body(token="not-a-token"),
        (400, "verification_expired"): _expired_verification,
    },
)


def _reset_token(world: World, operation: Operation) -> Any:
    from backend.password_reset import password_reset_token

    return send(world, operation, token=password_reset_token(world.customer), password="password")


_add(
    "post",
    V1 + "/auth/password-reset/confirm",
    {
        (400, "reset_link_invalid"): body(token="not-a-token"),
        (400, "weak_password"): _reset_token,
    },
)
_add(
    "post",
    V1 + "/me/password",
    {
        (400, "wrong_password"): body(current_password="not the password"),
        (400, "weak_password"): body(new_password="password"),
        (429, "too_many_attempts"): _password_guessed,
    },
)
_HOME: dict[str, Any] = {"home_location": DELETE, "home_street": "Bahnhofstrasse 1"}
_HOME_INPUT = {
    (400, "address_required"): body(**_HOME, home_postal_code="8001"),
    (400, "invalid_postal_code"): body(**_HOME, home_postal_code="80a1", home_locality="Zürich"),
    (400, "unknown_postal_code"): body(**_HOME, home_postal_code="1111", home_locality="Zürich"),
    (400, "postal_code_locality_mismatch"): body(
        **_HOME, home_postal_code="8001", home_locality="Bern"
    ),
    (400, "outside_switzerland"): body(
        home_location={"type": "Point", "coordinates": [2.35, 48.85]}
    ),
    (400, "invalid_language"): body(languages=["xx"]),
    (400, "invalid_phone"): body(phone="call me maybe"),
}
_add("patch", V1 + "/me", _HOME_INPUT)
_add(
    "post",
    V1 + "/auth/register",
    {**_HOME_INPUT, (400, "weak_password"): body(password="password")},
)
