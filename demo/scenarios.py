"""The stories the demo plays, one function per kind, and how often each is played.

A story posts a request and walks it through the services to where it ends: still open,
withdrawn, expired, unmatched, or a visit stopped at one of its statuses (confirmed, on the way,
signed off and reviewed, cancelled late by the helper, disputed and voided...). It returns True
when it got there, False when it turned out otherwise (matching found nobody, no slot was free),
which is believable too but leaves that status to another try.

To add a story (say, a visit paid by card): write a function `(community, timing) -> bool`
from the steps of `demo.visits` and `demo.posting`, add it to SCENARIOS with the timing of its
slot and request, give it a weight in WEIGHTS, and, if it ends in a status no other story
shows, name it in ENDS_IN so that the build retries it until that status shows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bookings import services
from bookings.models import HelpRequestStatus
from demo.community import Community
from demo.history import DAY, HOUR, MINUTE, local_midnight
from demo.posting import (
    Timing,
    description,
    home_address,
    maybe_decline,
    post_request,
)
from demo.texts import texts
from demo.visits import Visit, accept_offer

Story = Callable[[Community, Timing], bool]


@dataclass(frozen=True)
class Scenario:
    story: Story
    timing: Timing

    def play(self, community: Community) -> bool:
        return self.story(community, self.timing)


# --- requests nobody has accepted (yet) ---------------------------------------------------------


def open_request(community: Community, timing: Timing) -> bool:
    posted = post_request(community, timing)
    if posted is None or posted.help_request.status != HelpRequestStatus.OPEN:
        return False
    if community.history.latest - posted.posted_at >= 2 * MINUTE:
        maybe_decline(community, posted, None, community.history.latest)
    posted.help_request.refresh_from_db(fields=["status"])
    return posted.help_request.status == HelpRequestStatus.OPEN


def expired_request(community: Community, timing: Timing) -> bool:
    posted = post_request(community, timing)
    if posted is None or posted.help_request.status != HelpRequestStatus.OPEN:
        return False
    maybe_decline(community, posted, None, posted.posted_at + 20 * MINUTE)
    return True  # the sweep at the end expires it: every window has passed


def withdrawn_request(community: Community, timing: Timing) -> bool:
    posted = post_request(community, timing)
    if posted is None or posted.help_request.status != HelpRequestStatus.OPEN:
        return False
    maybe_decline(community, posted, None, posted.posted_at + 5 * MINUTE)
    history = community.history
    with history.at(history.between(posted.posted_at + 6 * MINUTE, posted.posted_at + 25 * MINUTE)):
        services.help_request_withdraw(
            help_request=posted.help_request,
            reason=texts().requests.withdraw_reason[posted.language],
        )
    return True


def unmatched_request(community: Community, timing: Timing) -> bool:
    """A request in a category nobody near the customer offers."""
    rng, history = community.rng, community.history
    limit = community.config.max_open_requests_per_customer
    for customer in community.shuffled_customers():
        if community.open_requests(customer) >= limit:
            continue
        covered = {pk for _, helper in community.eligible_for(customer) for pk in helper.skills}
        missing = [c for c in community.categories if c.pk not in covered]
        if not missing:
            continue
        category = rng.choice(missing)
        day = local_midnight(history.now + history.span(*timing.slot))
        start = day + rng.choice((9, 10, 14, 17, 18)) * HOUR
        posted_at = history.between(history.now - timing.gap[1], history.now - timing.gap[0])
        with history.at(posted_at):
            help_request = services.help_request_create(
                customer=customer.user,
                category=category,
                description=description(community, category.slug, customer.language),
                address=home_address(customer),
                windows=[(start, start + 3 * HOUR)],
            )
        # help_request_create returns the status as posted, before matching moved it.
        help_request.refresh_from_db(fields=["status"])
        return help_request.status == HelpRequestStatus.UNMATCHED
    return False


# --- visits, by where they end ------------------------------------------------------------------


def awaiting_proposal(community: Community, timing: Timing) -> bool:
    return accept_offer(community, timing) is not None


def _proposed(community: Community, timing: Timing) -> Visit | None:
    visit = accept_offer(community, timing)
    if visit is not None:
        visit.propose()
    return visit


def proposed(community: Community, timing: Timing) -> bool:
    return _proposed(community, timing) is not None


def cancelled_before_confirming(community: Community, timing: Timing) -> bool:
    visit = _proposed(community, timing)
    if visit is None:
        return False
    history = community.history
    visit.cancel(by_helper=False, moment=history.between(visit.last + HOUR, visit.last + 2 * DAY))
    return True


def _confirmed(community: Community, timing: Timing) -> Visit | None:
    visit = _proposed(community, timing)
    if visit is not None:
        visit.confirm()
    return visit


def confirmed(community: Community, timing: Timing) -> bool:
    return _confirmed(community, timing) is not None


def _cancelled(community: Community, timing: Timing, *, by_helper: bool, late: bool) -> bool:
    """Cancelled after confirming: late is within the last day before the visit."""
    visit = _confirmed(community, timing)
    if visit is None:
        return False
    between, slot = community.history.between, visit.slot
    if late:
        moment = between(max(visit.last + 10 * MINUTE, slot - 20 * HOUR), slot - 15 * MINUTE)
    else:
        moment = between(visit.last + 30 * MINUTE, slot - 25 * HOUR)
    visit.cancel(by_helper=by_helper, moment=moment)
    return True


def cancelled_by_customer(community: Community, timing: Timing) -> bool:
    return _cancelled(community, timing, by_helper=False, late=False)


def cancelled_late_by_customer(community: Community, timing: Timing) -> bool:
    return _cancelled(community, timing, by_helper=False, late=True)


def cancelled_by_helper(community: Community, timing: Timing) -> bool:
    return _cancelled(community, timing, by_helper=True, late=False)


def cancelled_late_by_helper(community: Community, timing: Timing) -> bool:
    return _cancelled(community, timing, by_helper=True, late=True)


def helper_did_not_come(community: Community, timing: Timing) -> bool:
    visit = _confirmed(community, timing)
    if visit is None:
        return False
    visit.helper_missing()
    return True


def customer_was_not_there(community: Community, timing: Timing) -> bool:
    visit = _confirmed(community, timing)
    if visit is None:
        return False
    visit.plan_arrival()
    history = community.history
    visit.start_journey(history.between(visit.slot - 45 * MINUTE, visit.slot - 15 * MINUTE))
    visit.customer_missing()
    return True


def on_the_way(community: Community, timing: Timing) -> bool:
    visit = _confirmed(community, timing)
    if visit is None:
        return False
    visit.plan_arrival()
    history = community.history
    visit.start_journey(
        history.between(max(visit.last + MINUTE, history.now - 10 * MINUTE), history.latest)
    )
    return True


def in_progress(community: Community, timing: Timing) -> bool:
    visit = _confirmed(community, timing)
    if visit is None:
        return False
    history = community.history
    arrival = min(history.latest, visit.plan_arrival())
    if community.rng.random() < 0.8:
        visit.start_journey(arrival - history.span(15 * MINUTE, 35 * MINUTE))
    visit.check_in(arrival)
    return True


def _completed(community: Community, timing: Timing) -> Visit | None:
    """Checked out: mostly with the journey announced, always with a work summary."""
    visit = _confirmed(community, timing)
    if visit is None:
        return None
    arrival = visit.plan_arrival()
    if community.rng.random() < 0.85:
        history = community.history
        visit.start_journey(history.between(visit.slot - 45 * MINUTE, visit.slot - 15 * MINUTE))
    visit.check_in(arrival)
    visit.check_out()
    return visit


def completed(community: Community, timing: Timing) -> bool:
    """Also a visit signed off automatically: with the timing of one, the sweep at the end
    signs it off, 48 hours having passed."""
    return _completed(community, timing) is not None


def signed_off(community: Community, timing: Timing) -> bool:
    visit = _completed(community, timing)
    if visit is None:
        return False
    visit.reviews(visit.sign_off())
    return True


def disputed(community: Community, timing: Timing) -> bool:
    visit = _completed(community, timing)
    if visit is None:
        return False
    visit.dispute()
    return True


def dispute_upheld(community: Community, timing: Timing) -> bool:
    visit = _completed(community, timing)
    if visit is None:
        return False
    visit.dispute()
    visit.reviews(visit.resolve_dispute(stands=True))
    return True


def dispute_void(community: Community, timing: Timing) -> bool:
    visit = _completed(community, timing)
    if visit is None:
        return False
    visit.dispute()
    visit.resolve_dispute(stands=False)
    return True


# --- the table ----------------------------------------------------------------------------------

# In the order each is played once at the start of a build (given enough requests), so that
# every status shows.
SCENARIOS: dict[str, Scenario] = {
    # Requests nobody has accepted (yet).
    "open": Scenario(open_request, Timing(slot=(DAY, 10 * DAY), gap=(2 * MINUTE, 15 * MINUTE))),
    "withdrawn": Scenario(
        withdrawn_request,
        Timing(slot=(-8 * DAY, 10 * DAY), lead=(DAY, 5 * DAY), gap=(2 * HOUR, 3 * DAY)),
    ),
    "expired": Scenario(
        expired_request, Timing(slot=(-14 * DAY, -DAY), lead=(DAY, 5 * DAY), windows_passed=True)
    ),
    # Visits, by where they end up.
    "awaiting_proposal": Scenario(
        awaiting_proposal, Timing(slot=(DAY, 12 * DAY), gap=(40 * MINUTE, 20 * HOUR))
    ),
    "proposed": Scenario(proposed, Timing(slot=(DAY, 10 * DAY), gap=(3 * HOUR, 2 * DAY))),
    "confirmed": Scenario(
        confirmed,
        Timing(slot=(8 * HOUR, 20 * DAY), lead=(2 * DAY, 8 * DAY), gap=(10 * HOUR, 3 * DAY)),
    ),
    "on_the_way": Scenario(
        on_the_way, Timing(slot=(15 * MINUTE, 90 * MINUTE), lead=(DAY, 4 * DAY), gap=(DAY, DAY))
    ),
    "in_progress": Scenario(
        in_progress, Timing(slot=(-40 * MINUTE, 30 * MINUTE), lead=(DAY, 4 * DAY), gap=(DAY, DAY))
    ),
    "completed": Scenario(completed, Timing(slot=(-36 * HOUR, -3 * HOUR), lead=(DAY, 6 * DAY))),
    "signed_off": Scenario(signed_off, Timing(slot=(-30 * DAY, -2 * DAY), lead=(DAY, 7 * DAY))),
    "signed_off_auto": Scenario(completed, Timing(slot=(-25 * DAY, -3 * DAY), lead=(DAY, 7 * DAY))),
    "disputed": Scenario(disputed, Timing(slot=(-9 * DAY, -DAY), lead=(DAY, 6 * DAY))),
    "dispute_upheld": Scenario(
        dispute_upheld, Timing(slot=(-25 * DAY, -6 * DAY), lead=(DAY, 6 * DAY))
    ),
    "dispute_void": Scenario(dispute_void, Timing(slot=(-25 * DAY, -6 * DAY), lead=(DAY, 6 * DAY))),
    "cancelled_customer": Scenario(
        cancelled_by_customer,
        Timing(slot=(-12 * DAY, 14 * DAY), lead=(4 * DAY, 9 * DAY), gap=(12 * HOUR, 3 * DAY)),
    ),
    "cancelled_customer_late": Scenario(
        cancelled_late_by_customer,
        Timing(slot=(-10 * DAY, 18 * HOUR), lead=(2 * DAY, 6 * DAY), gap=(DAY, 2 * DAY)),
    ),
    "cancelled_helper": Scenario(
        cancelled_by_helper,
        Timing(slot=(-12 * DAY, 14 * DAY), lead=(4 * DAY, 9 * DAY), gap=(12 * HOUR, 3 * DAY)),
    ),
    "cancelled_helper_late": Scenario(
        cancelled_late_by_helper,
        Timing(slot=(-10 * DAY, 18 * HOUR), lead=(2 * DAY, 6 * DAY), gap=(DAY, 2 * DAY)),
    ),
    "cancelled_before_confirming": Scenario(
        cancelled_before_confirming,
        Timing(slot=(-10 * DAY, 10 * DAY), lead=(2 * DAY, 6 * DAY), gap=(6 * HOUR, 2 * DAY)),
    ),
    "no_show_helper": Scenario(
        helper_did_not_come, Timing(slot=(-12 * DAY, -2 * HOUR), lead=(DAY, 6 * DAY))
    ),
    "no_show_customer": Scenario(
        customer_was_not_there, Timing(slot=(-12 * DAY, -2 * HOUR), lead=(DAY, 6 * DAY))
    ),
    # A request in a category nobody near the customer offers, posted `gap` before now.
    "unmatched": Scenario(
        unmatched_request, Timing(slot=(DAY, 10 * DAY), gap=(10 * MINUTE, 2 * DAY))
    ),
}

# How common each is among the rest of the requests (drawn in this order).
WEIGHTS: dict[str, int] = {
    "signed_off": 24,
    "signed_off_auto": 8,
    "confirmed": 10,
    "completed": 5,
    "proposed": 5,
    "awaiting_proposal": 5,
    "open": 6,
    "unmatched": 3,
    "withdrawn": 3,
    "expired": 4,
    "disputed": 1,
    "dispute_upheld": 1,
    "dispute_void": 1,
    "cancelled_customer": 4,
    "cancelled_customer_late": 2,
    "cancelled_helper": 2,
    "cancelled_helper_late": 1,
    "cancelled_before_confirming": 2,
    "no_show_helper": 1,
    "no_show_customer": 1,
    "on_the_way": 1,
    "in_progress": 1,
}

# The scenario that ends in each status (booking statuses prefixed), to play again when the
# status is missing after the sweep.
ENDS_IN: dict[str, str] = {
    **{
        f"booking:{status}": status
        for status in (
            "awaiting_proposal",
            "proposed",
            "confirmed",
            "on_the_way",
            "in_progress",
            "completed",
            "disputed",
        )
    },
    "booking:signed_off": "signed_off",
    "booking:cancelled": "cancelled_customer",
    "booking:no_show": "no_show_helper",
    HelpRequestStatus.OPEN: "open",
    HelpRequestStatus.ASSIGNED: "confirmed",
    HelpRequestStatus.UNMATCHED: "unmatched",
    HelpRequestStatus.WITHDRAWN: "withdrawn",
    HelpRequestStatus.EXPIRED: "expired",
    HelpRequestStatus.CLOSED: "signed_off",
}
