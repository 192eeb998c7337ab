"""What the customer's page of one request shows: where it stands, its visit, the forms of
each next step (each bound with its errors when it comes back refused), and whether the page is
live while the customer waits for someone else. The actions of the page are in `requests`."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import get_language

from backend.config import config
from backend.exceptions import NotFound
from backend.models import User
from bookings.models import (
    SLOT_HOLDING_STATUSES,
    Booking,
    BookingStatus,
    HelpRequest,
    HelpRequestStatus,
    OfferStatus,
    ProposalStatus,
)
from bookings.selectors import (
    booking_events,
    booking_reportable,
    bookings_visible_to,
    cancellation_late,
    current_proposals,
    helper_is_blocked,
    offers_of_request,
    own_help_request_for,
    reviews_visible_to,
    safety_report_open_by,
)
from bookings.step_words import customer_timeline
from bookings.transitions import helper_paid_at
from catalogue.models import LegalDocumentVersion, legal_language
from catalogue.selectors import waivers_missing
from payments.models import PayWith
from payments.selectors import (
    cancellation_fee_owed,
    card_step,
    extra_of,
    payment_lost_ahead,
    payment_state,
    tip_of,
    twint_choosable,
    visit_payment,
)
from payments.tips import TIPPABLE, tip_card_account
from payments.warnings import payout_warning
from realtime.stream import stream_last_seq
from web.forms import (
    CardForm,
    ReasonForm,
    ReviewForm,
    SafetyReportForm,
    TimesForm,
    TipForm,
    WaiversForm,
)
from web.views.chat_parts import chat_context
from web.words import booking_words, request_words, visit_cancelled_words

# While the customer waits for someone else, the page asks for news: first after this many
# seconds, then twice as long each time, up to the longest pause.
FIRST_POLL_SECONDS = 3
LONGEST_POLL_SECONDS = 60
WAITING_REQUEST = (HelpRequestStatus.OPEN,)
WAITING_BOOKING = (
    BookingStatus.AWAITING_PROPOSAL,
    BookingStatus.CONFIRMED,
    BookingStatus.ON_THE_WAY,
    BookingStatus.IN_PROGRESS,
)
VISIT_STANDS = (HelpRequestStatus.ASSIGNED, HelpRequestStatus.CLOSED)
CANCELLABLE = (
    BookingStatus.AWAITING_PROPOSAL,
    BookingStatus.PROPOSED,
    BookingStatus.CONFIRMED,
    BookingStatus.ON_THE_WAY,
)


def me_of(request: HttpRequest) -> User:
    """The person logged in (the views that call it require a log-in)."""
    assert isinstance(request.user, User)  # noqa: S101 - login_required
    return request.user


def own_request(request: HttpRequest, public_id: UUID) -> HelpRequest:
    try:
        return own_help_request_for(me_of(request), public_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def current_booking(me: User, help_request: HelpRequest) -> Booking | None:
    booking = (
        bookings_visible_to(me)
        # The helper's payout account, for the card step of a paid visit; extra time asked.
        .select_related("helper__payout_account", "extra_charge")
        # The request (its windows read) is the page's own: not read a second time.
        .prefetch_related(None)
        .prefetch_related(current_proposals())
        .filter(help_request=help_request)
        .order_by("-created_at", "-id")
        .first()
    )
    if booking is not None:
        booking.help_request = help_request
    return booking


def _next_poll(request: HttpRequest) -> int:
    try:
        waited = int(request.GET.get("wait", "0"))
    except ValueError:
        waited = 0
    if waited <= 0:
        return FIRST_POLL_SECONDS
    return min(waited * 2, LONGEST_POLL_SECONDS)


def request_context(
    request: HttpRequest, help_request: HelpRequest, **bound: forms.Form
) -> dict[str, Any]:
    me = me_of(request)
    # Read before the page's data: the live socket resumes after it, so an event that comes
    # while the page is being rendered is heard, not lost. (A closed request is never live.)
    live = help_request.status in (*WAITING_REQUEST, HelpRequestStatus.ASSIGNED)
    live_seq = stream_last_seq(me.pk) if live else None
    booking = current_booking(me, help_request)
    pending_offers = 0
    if help_request.status == HelpRequestStatus.OPEN:
        pending_offers = offers_of_request(help_request).filter(status=OfferStatus.PENDING).count()
    visit = _visit_parts(me, booking, bound)
    looking_again = (
        booking is not None
        and booking.status == BookingStatus.CANCELLED
        and help_request.status not in VISIT_STANDS
    )
    # Not while the customer types a card in: a refresh would clear the card's fields.
    waiting = visit["card"] is None and (
        help_request.status in WAITING_REQUEST
        or (
            booking is not None
            and help_request.status == HelpRequestStatus.ASSIGNED
            and booking.status in WAITING_BOOKING
        )
        # Signed off: the receipt, or the button to pay with TWINT, comes once the worker
        # has taken the payment or made it due.
        or visit["settling"]
    )
    return {
        # Where the request stands: once a helper took it, where its visit stands.
        "status_words": booking_words(booking, visit["events"])
        if booking is not None and help_request.status in VISIT_STANDS
        else request_words(help_request, pending_offers),
        "can_cancel": booking is not None and booking.status in CANCELLABLE,
        # While the visit is ahead or under way, a link adds it to the customer's calendar
        "can_add_to_calendar": booking is not None and booking.status in SLOT_HOLDING_STATUSES,
        "help_request": help_request,
        "booking": booking,
        # Cancelled while other helpers are asked: no longer presented as the customer's
        # helper, but said who cancelled.
        "helper": None if looking_again else booking.helper if booking else None,
        "cancelled_words": visit_cancelled_words(booking, visit["events"])
        if booking is not None and looking_again
        else "",
        "pending_offers": pending_offers,
        "late_cancellation_hours": config().late_cancellation_hours,
        "cancellation_fee_percent": config().cancellation_fee_percent,
        "late_now": booking is not None and cancellation_late(booking),
        "review_window_days": config().review_window_days,
        # Stripe.js is let in where the card step is, and where a redraw of the live page may
        # bring it (a helper's times to confirm, a hold to mend): card.js loads it then.
        "stripe_js": config().stripe_js
        if visit["card"] is not None
        or (visit["can_tip"] and visit["tip_card_account"])
        or (waiting and card_may_come(help_request, booking, visit))
        else "",
        # While the customer waits for someone else, the page is live (and polls as well).
        "poll_seconds": _next_poll(request) if waiting else None,
        "live_seq": live_seq if waiting else None,
        "new_times_form": bound.get("new_times_form") or ReasonForm(prefix="new_times"),
        "cancel_form": bound.get("cancel_form") or ReasonForm(prefix="cancel"),
        "withdraw_form": bound.get("withdraw_form") or ReasonForm(prefix="withdraw"),
        # Nobody was free: other times can be given (matching starts again)
        "times_form": bound.get("times_form")
        or (
            TimesForm(prefix="times")
            if help_request.status == HelpRequestStatus.UNMATCHED
            else None
        ),
        "dispute_form": bound.get("dispute_form") or ReasonForm(prefix="dispute"),
        "review_form": bound.get("review_form") or ReviewForm(prefix="review"),
        "safety_form": bound.get("safety_form") or SafetyReportForm(prefix="safety"),
        **visit,
        # The messages with the helper, once there is one
        **(chat_context(request, booking, form=bound.get("chat_form")) if booking else {}),
    }


def card_may_come(
    help_request: HelpRequest, booking: Booking | None, visit: dict[str, Any]
) -> bool:
    """Whether a live redraw of the page may bring the card step: a helper may still accept
    and propose times, or the card given is still to be held (the hold may fail)."""
    if help_request.status in WAITING_REQUEST:
        return True
    if booking is None or help_request.status != HelpRequestStatus.ASSIGNED:
        return False
    return booking.status == BookingStatus.AWAITING_PROPOSAL or (
        booking.status in WAITING_BOOKING and (visit["holding"] or visit["hold_from"] is not None)
    )


# The visit's side of the page while no time is proposed yet.
_NO_VISIT_PARTS: dict[str, Any] = {
    "events": (),
    "reviews": (),
    "my_review": None,
    "can_report": False,
    "report_open": False,
    "helper_blocked": False,
    "receipt": None,
    "pay_due": False,
    "card_held": False,
    "tip": None,
    "extra": None,
    "card": None,
    "payment_lost_ahead": False,
    "payout_warning": None,
    "paid_by_twint": False,
    "tip_card_account": "",
    "settling": False,
    "holding": False,
    "hold_from": None,
    "late_fee_minor": 0,
    "twint_choosable": False,
    "called_off": False,
    "fee_owed": False,
}


def _visit_parts(me: User, booking: Booking | None, bound: dict[str, forms.Form]) -> dict[str, Any]:
    """The visit's side of the page: its timeline and reviews, safety, the terms to accept
    before confirming, the card step, the receipt and the tip."""
    if booking is None:
        parts: dict[str, Any] = dict(_NO_VISIT_PARTS)
    else:
        # Read once: where it stands, the card step and whether TWINT may be chosen.
        payment = visit_payment(booking)
        state = payment_state(booking, payment)
        receipt = state.receipt
        reviews = list(reviews_visible_to(me, booking))
        parts = {
            "events": list(booking_events(booking)),
            "reviews": reviews,
            "my_review": next((review for review in reviews if review.author_id == me.pk), None),
            "can_report": booking_reportable(booking),
            "report_open": safety_report_open_by(me, booking),
            "helper_blocked": helper_is_blocked(me, booking.helper_id),
            "receipt": receipt,
            "pay_due": state.due,
            "card_held": state.held,
            # The helper's payout account was disconnected: the card will not be charged.
            "payment_lost_ahead": payment_lost_ahead(booking, payment),
            "payout_warning": payout_warning(booking, payment, me.pk),
            "tip": tip_of(booking) if receipt is not None else None,
            # The helper reconnected their payout account: a card for the tip is given there.
            "tip_card_account": tip_card_account(payment) if receipt is not None else "",
            "extra": extra_of(booking),
            "card": card_step(booking, payment),
            # A visit paid with TWINT is tipped with TWINT too, on its payment page.
            "paid_by_twint": receipt is not None and receipt.payment.pay_with == PayWith.TWINT,
            "settling": state.settling,
            # Confirmed: the card's hold being placed by the worker now, or from when it is
            "holding": state.holding,
            "hold_from": state.hold_from,
            # Said before the button that cancels: what a late cancellation costs
            "late_fee_minor": state.late_fee_minor
            if booking.status != BookingStatus.PROPOSED
            else 0,
            # Offered while the customer picks a time, only where paying through Quartier can be.
            "twint_choosable": booking.status == BookingStatus.PROPOSED
            and twint_choosable(booking, payment),
            # Cancelled, or nobody came: what it costs, not the price of a visit to come
            "called_off": booking.status in (BookingStatus.CANCELLED, BookingStatus.NO_SHOW),
            "fee_owed": cancellation_fee_owed(booking),
        }
    # Before a time can be confirmed: the terms and waivers the customer has still to accept
    waivers = waivers_to_accept(me, booking)
    # A relative's request names the person met: the terms are accepted for that person
    for_whom = booking.help_request.on_behalf_name if booking is not None else ""
    tippable = (
        parts["receipt"] is not None
        and parts["tip"] is None
        and booking is not None
        and booking.status in TIPPABLE
    )
    return parts | {
        "timeline": customer_timeline(booking, parts["events"]),
        "unpayable_proposals": unpayable_proposals(booking),
        "other_reviews": [review for review in parts["reviews"] if review.author_id != me.pk],
        "can_tip": tippable and not parts["paid_by_twint"],
        "can_tip_by_twint": tippable and parts["paid_by_twint"],
        "tip_form": bound.get("tip_form") or TipForm(prefix="tip"),
        "waivers_form": bound.get("waivers_form")
        or (
            WaiversForm(
                waivers,
                legal_language(get_language()),
                prefix="waivers",
                initial={"on_behalf_name": for_whom},
            )
            if waivers
            else None
        ),
        "card_form": bound.get("card_form") or CardForm(prefix="card"),
        "stripe_publishable_key": config().stripe_publishable_key,
        "tip_min_minor": config().tip_min_minor,
        "tip_max_minor": config().tip_max_minor,
    }


def unpayable_proposals(booking: Booking | None) -> set[int]:
    """The proposed times the customer could not confirm because the helper cannot take
    payments yet (the rule confirming applies, `helper_paid_at`): the page offers no button for
    them. The helper was read with the booking: no query."""
    if booking is None or booking.status != BookingStatus.PROPOSED:
        return set()
    return {
        proposal.pk
        for proposal in booking.current_proposals  # type: ignore[attr-defined]
        if proposal.status == ProposalStatus.PROPOSED
        and not helper_paid_at(
            booking.helper_id, proposal.price_minor, takes_payments=booking.helper.takes_payments
        )
    }


def waivers_to_accept(me: User, booking: Booking | None) -> list[LegalDocumentVersion]:
    """The terms and waivers of the visit's category `me` has still to accept before
    confirming one of its proposed times (none before times are proposed or after)."""
    if booking is None or booking.status != BookingStatus.PROPOSED:
        return []
    return waivers_missing(
        user=me, category=booking.help_request.category, in_force_at=booking.created_at
    )


def with_stripe_js(response: HttpResponse, context: dict[str, Any]) -> HttpResponse:
    """A page with the card form, or whose live redraw may bring it, lets Stripe.js (and only
    it) in: its origin, from the settings, and the API it calls."""
    if context.get("stripe_js"):
        response._csp_update = config().stripe_js_sources  # type: ignore[attr-defined]
    return response
