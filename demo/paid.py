"""The demo's money: visits paid by card, through the payments services, against the local
Stripe emulator (`python -m stripe_emulator`, which `manage.py run` starts before the demo).

Once the history is played, every helper it counted as able to take charges goes through the
payout onboarding at the emulator's own onboarding page (a Stripe Express account that can
take payments and pay out), so that a visit booked with any of them is held by card and paid;
without the emulator none can, and each is left not ready (no paid offers; their start page
says to finish the payout account). Then two stories, played after all the others: a visit
paid by card, signed off, captured and settled with its receipt; and a confirmed visit whose
card is held. The history's visits still to come (or under way) with a price get the
customer's card too, held as the real flow holds it, so that none waits for a payment that
cannot come. The customer's card is a PaymentMethod made on the helper's account, as
Stripe.js makes it in the browser. Nothing here moves money itself:
the hold, the capture, the ledger and the receipt are the payments services' own work.

With Stripe keys set the demo makes no paid visit (it would charge at Stripe), and without an
emulator answering it cannot: `unavailable()` says which, for seed_demo to print.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from urllib.parse import urlsplit

import requests

from backend.config import config
from backend.exceptions import ApplicationError
from bookings.models import Booking, BookingStatus
from demo.community import Community
from demo.history import DAY, HOUR, MINUTE, CutShort
from demo.people import demo_users
from demo.posting import Timing
from demo.visits import Visit, accept_offer
from helpers.models import HelperProfile
from helpers.services import helper_takes_payments_set
from payments import payouts, stripe_gateway
from payments import services as payments
from payments.models import Payment, PaymentStatus, PayoutAccount

# The emulator's test card that any hold succeeds on.
DEMO_CARD = "4242424242424242"
# How often each paid story is tried before the demo goes without it.
TRIES = 8
# A settled visit some days ago, and one confirmed for the next days: each confirmed at most
# four days ahead, so that its card is held at once (not by the task two days before).
SETTLED_TIMING = Timing(slot=(-20 * DAY, -2 * DAY), lead=(DAY, 4 * DAY))
HELD_TIMING = Timing(slot=(10 * HOUR, 4 * DAY), lead=(DAY, 3 * DAY), gap=(10 * HOUR, 2 * DAY))
# Where the emulator's onboarding page sends the helper back (the web app's page).
ONBOARDING_RETURN = "http://127.0.0.1:8000/helper/payouts/back"


def unavailable() -> str | None:
    """Why the demo cannot make paid visits now, or None when it can."""
    settings = config()
    if settings.stripe_secret_key:
        return (
            "Stripe keys are set: the demo makes no paid visits (they would be charged at "
            "Stripe); unset QUARTIER_STRIPE_SECRET_KEY for the emulator's."
        )
    address = urlsplit(settings.stripe_api_base)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    try:
        socket.create_connection((host, port), timeout=1.0).close()
    except OSError:
        return (
            f"The Stripe emulator does not answer at {settings.stripe_api_base}: the demo has "
            "no paid visits (manage.py run starts the emulator first; or run "
            "`python -m stripe_emulator` and seed_demo --reset)."
        )
    return None


def onboard(helper: HelperProfile) -> PayoutAccount:
    """The helper connects a payout account and completes the emulator's onboarding page."""
    account = PayoutAccount.objects.filter(helper=helper).first()
    if account is not None and account.can_take_payments:
        return account
    account, url = payouts.payout_account_onboard(
        actor=helper.user, return_url=ONBOARDING_RETURN, refresh_url=ONBOARDING_RETURN
    )
    answer = requests.get(url, allow_redirects=False, timeout=config().stripe_timeout_seconds)
    answer.raise_for_status()
    synced = payouts.payout_account_sync(stripe_account_id=str(account.stripe_account_id))
    assert synced is not None  # noqa: S101 - the row was made just above
    return synced


def connect_payout_accounts(
    community: Community, *, paid: bool, tick: Callable[[int], object] = lambda _n: None
) -> int:
    """Every demo helper the history counted as able to take charges (demo.people), who
    charges for their work, connects a payout account at the emulator (`paid`); without it
    none can, and each is told apart as not ready: no paid offers come to them. Returns how
    many were connected."""
    counted = HelperProfile.objects.filter(
        pk__in=[helper.profile.pk for helper in community.helpers],
        takes_payments=True,
        hourly_rate_minor__gt=0,
    ).select_related("user")
    by_pk = {helper.pk: helper for helper in counted}
    connected = 0
    # One tick for each of the community's helpers, counted or not (the progress bar's total).
    for pk in sorted(helper.profile.pk for helper in community.helpers):
        helper = by_pk.get(pk)
        if helper is not None and paid:
            onboard(helper)
            connected += 1
        elif helper is not None:
            helper_takes_payments_set(helper_id=helper.pk, takes_payments=False)
        tick(1)
    return connected


# The history's visits still to come or under way: a visit with a price goes ahead only once
# the customer's card is held.
COMING = (BookingStatus.CONFIRMED, BookingStatus.ON_THE_WAY, BookingStatus.IN_PROGRESS)


def coming_payments(community: Community) -> list[Payment]:
    """The payments of the history's coming (or under way) visits with a price, which no card
    holds yet: in the history no helper had a payout account."""
    return list(
        Payment.objects.filter(
            booking__help_request__customer_id__in=[c.user.pk for c in community.customers],
            booking__status__in=COMING,
            status=PaymentStatus.REQUIRES_PAYMENT_METHOD,
            payment_method_id="",
        )
        .select_related("booking__help_request__customer", "booking__helper__user")
        .order_by("pk")
    )


def hold_coming_visits(
    waiting: list[Payment], *, tick: Callable[[int], object] = lambda _n: None
) -> int:
    """Each of those visits is held as the real flow holds it: its helper's payout account is
    connected at the emulator (every helper who charges is, by now), and the customer gives a
    card on it, held at once, or by the task two days before a visit further out than a hold
    lasts. Returns how many got a card."""
    for payment in waiting:
        booking = payment.booking
        account = onboard(booking.helper)
        payments.payment_method_set(
            booking=booking,
            actor=booking.help_request.customer,
            payment_method_id=_card(account),
        )
        tick(1)
    return len(waiting)


def _card(account: PayoutAccount) -> str:
    """The customer's card on the helper's account, as Stripe.js would make it."""
    method = stripe_gateway.client().v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": DEMO_CARD, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        },
        {"stripe_account": str(account.stripe_account_id)},
    )
    return str(method.id)


def _paid_and_confirmed(community: Community, timing: Timing) -> Visit | None:
    """A visit with a price whose customer gave a card and confirmed: the card is held."""
    visit = accept_offer(community, timing)
    if visit is None or not visit.helper.profile.hourly_rate_minor:
        return None
    account = onboard(visit.helper.profile)
    visit.propose()
    with community.history.at(visit.last + MINUTE):
        payments.payment_method_set(
            booking=visit.booking, actor=visit.customer, payment_method_id=_card(account)
        )
    visit.last += MINUTE
    visit.confirm()
    payment = Payment.objects.get(booking=visit.booking)
    with community.history.at(visit.last):
        payments.payment_authorise(payment=payment)
    payment.refresh_from_db()
    if payment.status != PaymentStatus.AUTHORISED:
        return None
    return visit


def settled_visit(community: Community, timing: Timing = SETTLED_TIMING) -> bool:
    """Paid by card, done, signed off, captured and settled; True when it got there."""
    visit = _paid_and_confirmed(community, timing)
    if visit is None:
        return False
    history = community.history
    arrival = visit.plan_arrival()
    visit.start_journey(history.between(visit.slot - 45 * MINUTE, visit.slot - 15 * MINUTE))
    visit.check_in(arrival)
    visit.check_out()
    signed_off_at = visit.sign_off()
    with history.at(signed_off_at):
        payments.payment_capture(payment=Payment.objects.get(booking=visit.booking))
    visit.reviews(signed_off_at)
    visit.booking.refresh_from_db()
    return visit.booking.status == BookingStatus.SETTLED


def held_visit(community: Community, timing: Timing = HELD_TIMING) -> bool:
    """Confirmed for the next days with the card held; True when it got there."""
    return _paid_and_confirmed(community, timing) is not None


def _try(community: Community, story: Callable[[Community], bool]) -> bool:
    for _ in range(TRIES):
        try:
            if story(community):
                return True
        except (CutShort, ApplicationError):
            continue
    return False


def play_paid_visits(community: Community) -> dict[str, bool]:
    """Both paid stories (their helpers' payout accounts connected before); which of them came
    out as planned."""
    return {
        "settled": _try(community, settled_visit),
        "held": _try(community, held_visit),
    }


def paid_bookings() -> tuple[Booking | None, Booking | None]:
    """The demo's settled paid visit and its confirmed visit with a held card (or None)."""
    demo = Booking.objects.filter(help_request__customer__in=demo_users())
    settled = (
        demo.filter(status=BookingStatus.SETTLED, payment__status=PaymentStatus.CAPTURED)
        .select_related("help_request__customer", "helper__user")
        .order_by("pk")
        .first()
    )
    held = (
        demo.filter(status=BookingStatus.CONFIRMED, payment__status=PaymentStatus.AUTHORISED)
        .select_related("help_request__customer", "helper__user")
        .order_by("pk")
        .first()
    )
    return settled, held
