"""The codes of the guards added to the visit (the card held, the waivers accepted) and of the
booking's chat: the state each rule needs, then the request that meets it (used by
tests/api/test_every_code_provoked.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine

from bookings.models import Booking, BookingStatus, ProposalStatus
from catalogue.models import LegalDocument, LegalDocumentKind
from payments.models import Payment, PaymentStatus
from realtime.chat import CHAT_MESSAGES_PER_WINDOW
from realtime.models import ChatMessage
from tests.api.code_recipes import Call, Operation, World, send
from tests.api.domain_recipes import (
    BOOKING,
    V1,
    Recipe,
    _add,
    _ids,
    as_role,
    body,
    booking_in,
)
from tests.api.payment_recipes import payout_account
from tests.factories import publish


def _card_not_held(status: str, *, before: timedelta) -> Recipe:
    """The step, `before` the visit starts, on a paid visit whose card is not held yet."""

    def recipe(world: World, operation: Operation) -> Any:
        booking = booking_in(world, status)
        assert booking.price_minor is not None
        Payment.objects.update_or_create(
            booking=booking,
            defaults={
                "payout_account": payout_account(world),
                "status": PaymentStatus.REQUIRES_PAYMENT_METHOD,
                "currency": booking.currency,
                "amount_minor": booking.price_minor,
            },
        )
        starts_at = booking.starts_at or booking.help_request.windows.get().starts_at
        with time_machine.travel(starts_at - before, tick=False):
            return send(world, operation, params=_ids(booking))

    return recipe


def _waivers_not_accepted(world: World, operation: Operation) -> Any:
    """Terms in force when the booking was made, which its customer has not accepted."""
    booking = booking_in(world, BookingStatus.PROPOSED)
    terms = LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS)
    publish(terms, world.manager)
    proposal = booking.proposals.get(status=ProposalStatus.PROPOSED)
    return send(world, operation, params=_ids(booking), proposal=str(proposal.public_id))


def query(text: str) -> Recipe:
    """The operation with this query string."""
    return lambda world, operation: Call(world, operation, query=text).send()


def _accept(*, name: str = "Anna Muster", newer: bool = False, wrong_hash: bool = False) -> Recipe:
    """Accepting a published version of the terms (an older one, or with another text's hash)."""

    def recipe(world: World, operation: Operation) -> Any:
        terms = LegalDocument.objects.create(slug="terms", kind=LegalDocumentKind.CUSTOMER_TERMS)
        version = publish(terms, world.manager)
        if newer:
            publish(terms, world.manager, text="The terms, amended.")
        digest = "0" * 64 if wrong_hash else version.sha256_in("de")
        return send(world, operation, version=version.pk, text_sha256=digest, on_behalf_name=name)

    return recipe


def _chat_closed(world: World, operation: Operation) -> Any:
    booking: Booking = booking_in(world, BookingStatus.CANCELLED)
    return send(world, operation, params=_ids(booking))


_add(
    "post",
    BOOKING + "/on-my-way",
    {
        (409, "payment_not_held"): _card_not_held(
            BookingStatus.CONFIRMED, before=timedelta(minutes=20)
        )
    },
)
_add(
    "post",
    BOOKING + "/check-in",
    {
        (409, "payment_not_held"): _card_not_held(
            BookingStatus.CONFIRMED, before=timedelta(minutes=5)
        )
    },
)
_add("post", BOOKING + "/confirm", {(409, "waivers_not_accepted"): _waivers_not_accepted})


def _chat_flooded(world: World, operation: Operation) -> Any:
    """Both sides of a confirmed visit wrote the most messages the chat takes in a while."""
    booking: Booking = booking_in(world, BookingStatus.CONFIRMED)
    ChatMessage.objects.bulk_create(
        ChatMessage(booking=booking, author=author, author_role=role, text="Hello?")
        for author, role in ((world.customer, "customer"), (booking.helper.user, "helper"))
        for _ in range(CHAT_MESSAGES_PER_WINDOW)
    )
    return send(world, operation, params=_ids(booking))


_add(
    "post",
    BOOKING + "/messages",
    {(409, "chat_closed"): _chat_closed, (429, "rate_limited"): _chat_flooded},
)
_add("post", BOOKING + "/messages/read", {(404, "no_such_message"): body(message=2_000_000_000)})
_add("get", V1 + "/events", {(400, "invalid_cursor"): query("after=the-start")})
_add(
    "post",
    V1 + "/push-subscriptions",
    {
        (400, "not_a_dict"): body(keys="not a dict"),
        (400, "invalid_subscription"): body(endpoint="http://push.example.com/send/abc"),
    },
)
_add("get", V1 + "/waivers", {(400, "invalid_choice"): query("audience=nobody")})
_add(
    "get",
    V1 + "/manager/vetting-funnel",
    {
        (400, "validation_required"): query("since=2026-01-01"),
        (400, "validation_invalid"): query("since=2026-01-01&until=not-a-date"),
    },
)
_add(
    "post",
    V1 + "/waivers/accept",
    {
        (400, "forbidden_characters"): _accept(name="Hello \u202eworld"),
        (400, "nothing_visible"): _accept(name="\u200b"),
        (400, "text_hash_mismatch"): _accept(wrong_hash=True),
        (409, "waiver_version_not_current"): _accept(newer=True),
        (404, "not_found"): body(version=2_000_000_000),
    },
)
_add(
    "get",
    V1 + "/manager/applications",
    {
        (400, "invalid_choice"): query("step=no-such-step"),
        (400, "invalid_postal_code"): query("postal_code=80a"),
        (404, "not_found"): as_role("customer"),
    },
)
_add("get", V1 + "/manager/vetting-funnel", {(404, "not_found"): as_role("customer")})
