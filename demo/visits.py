"""A visit, step by step: accepted, proposed, confirmed, on the way, checked in and out,
signed off or disputed, reviewed; or cancelled, or missed.

`accept_offer` posts a request and has a helper accept one of its offers; each method of
`Visit` is then one step, written through the booking services at a moment after the one
before. The scenarios (`demo.scenarios`) chain these steps and stop where their story ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.models import User
from bookings import services
from bookings.models import Booking, HelpRequestStatus, Offer, Party, ProposalStatus
from demo.community import Community, Helper, slots_in
from demo.history import DAY, HOUR, MINUTE, CutShort, History
from demo.posting import Posted, Timing, maybe_decline, post_request
from demo.texts import texts
from demo.waivers import accept_customer_waivers
from helpers.availability import AvailabilityIndex


@dataclass
class Visit:
    community: Community
    posted: Posted
    helper: Helper
    slot: datetime
    booking: Booking
    language: str  # the one customer and helper write to each other in
    # When the last step happened: the next one comes after it.
    last: datetime
    # Whether the helper holds the slot (confirmed, until cancelled).
    holds_slot: bool = False

    @property
    def history(self) -> History:
        return self.community.history

    @property
    def customer(self) -> User:
        return self.posted.customer.user

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.posted.minutes)

    def propose(self) -> None:
        """The helper proposes the slot, sometimes with alternatives."""
        rng, history = self.community.rng, self.history
        proposed_at = history.between(
            self.last + 20 * MINUTE, min(self.last + 3 * HOUR, self.slot - 90 * MINUTE)
        )
        alternatives = [
            s
            for s in slots_in(
                self.posted.windows, self.posted.minutes, proposed_at + HOUR, self.slot + 30 * DAY
            )
            if abs(s - self.slot) >= HOUR
            and not self.community.is_busy(self.helper, s, s + self.length)
        ]
        extra = rng.sample(alternatives, min(len(alternatives), rng.choice((0, 0, 1, 2))))
        slots = [services.SlotInput(s, s + self.length) for s in sorted([self.slot, *extra])]
        with history.at(proposed_at):
            self.booking = services.booking_propose(
                booking=self.booking, actor=self.helper.user, slots=slots
            )
        self.last = proposed_at

    def confirm(self) -> None:
        """The customer confirms the slot, at times after asking for other times first."""
        rng, history = self.community.rng, self.history
        if rng.random() < 0.1 and self.slot - self.last > 6 * HOUR:
            asked_at = history.between(self.last + 30 * MINUTE, self.last + 2 * HOUR)
            with history.at(asked_at):
                self.booking = services.booking_request_new_times(
                    booking=self.booking,
                    actor=self.customer,
                    reason=texts().requests.new_times_reason[self.posted.language],
                )
            self.last = history.between(asked_at + 20 * MINUTE, asked_at + 2 * HOUR)
            with history.at(self.last):
                self.booking = services.booking_propose(
                    booking=self.booking,
                    actor=self.helper.user,
                    slots=[services.SlotInput(self.slot, self.slot + self.length)],
                )
        confirmed_at = history.between(
            self.last + 10 * MINUTE, min(self.last + 8 * HOUR, self.slot - HOUR)
        )
        with history.at(confirmed_at):
            accept_customer_waivers(
                self.customer,
                self.booking.help_request.category,
                self.booking.help_request.on_behalf_name,
            )
            proposal = self.booking.proposals.get(
                starts_at=self.slot, status=ProposalStatus.PROPOSED
            )
            self.booking = services.booking_confirm(
                booking=self.booking, actor=self.customer, proposal=proposal
            )
        self.last = confirmed_at
        self.community.hold(self.helper, self.slot, self.slot + self.length)
        self.holds_slot = True

    def cancel(self, *, by_helper: bool, moment: datetime) -> None:
        """Cancelled with a reason; a helper's cancellation sends the request to others."""
        visits = texts().visits
        reasons = (
            visits.helper_cancel_reasons[self.language]
            if by_helper
            else visits.customer_cancel_reasons[self.posted.language]
        )
        with self.history.at(moment):
            services.booking_cancel(
                booking=self.booking,
                actor=self.helper.user if by_helper else self.customer,
                reason=self.community.rng.choice(reasons),
            )
            if self.holds_slot:
                self.community.release(self.helper, self.slot, self.slot + self.length)
                self.holds_slot = False
            if by_helper:
                self.community.dispatch(self.posted.help_request)

    def helper_missing(self) -> None:
        """Nobody came: the customer reports it, and the request goes to others."""
        history = self.history
        with history.at(history.between(self.slot + 35 * MINUTE, self.slot + 90 * MINUTE)):
            services.booking_report_no_show(
                booking=self.booking,
                actor=self.customer,
                note=texts().visits.no_show_by_customer[self.posted.language],
            )
            self.community.dispatch(self.posted.help_request)

    def customer_missing(self) -> None:
        """Nobody opened: the helper reports it."""
        history = self.history
        with history.at(history.between(self.slot + 35 * MINUTE, self.slot + 50 * MINUTE)):
            services.booking_report_no_show(
                booking=self.booking,
                actor=self.helper.user,
                note=texts().visits.no_show_by_helper[self.language],
            )

    def plan_arrival(self) -> datetime:
        """When the helper will check in: around the start of the slot."""
        return self.slot + self.history.span(-10 * MINUTE, 5 * MINUTE)

    def start_journey(self, moment: datetime) -> None:
        """The helper sets off and tells the customer when they will be there."""
        minutes = round((self.slot - moment).total_seconds() / 60) + self.community.rng.randint(
            -5, 5
        )
        with self.history.at(moment):
            self.booking = services.booking_start_journey(
                booking=self.booking, actor=self.helper.user, eta_minutes=max(1, min(240, minutes))
            )
        self.last = moment

    def check_in(self, moment: datetime) -> None:
        with self.history.at(moment):
            self.booking = services.booking_check_in(booking=self.booking, actor=self.helper.user)
        self.last = moment

    def check_out(self) -> None:
        """The helper checks out with a work summary and, for many categories, a note."""
        checked_out_at = self.history.between(
            self.last + self.length - 10 * MINUTE, self.last + self.length + 25 * MINUTE
        )
        category = self.posted.category
        visits = texts().visits
        with self.history.at(checked_out_at):
            self.booking = services.booking_check_out(
                booking=self.booking,
                actor=self.helper.user,
                work_summary=self.community.rng.choice(visits.work_summaries[self.language]).format(
                    category=category.name_in(self.language)
                ),
                leave_behind_note=visits.leave_behind.get(category.slug, {}).get(self.language, ""),
            )
        self.last = checked_out_at

    def sign_off(self) -> datetime:
        """The customer signs the visit off; returns when."""
        signed_off_at = self.history.between(self.last + 30 * MINUTE, self.last + 30 * HOUR)
        with self.history.at(signed_off_at):
            self.booking = services.booking_sign_off(booking=self.booking, actor=self.customer)
        self.last = signed_off_at
        return signed_off_at

    def dispute(self) -> datetime:
        """The customer disputes the visit; returns when."""
        disputed_at = self.history.between(self.last + HOUR, self.last + 20 * HOUR)
        with self.history.at(disputed_at):
            self.booking = services.booking_dispute(
                booking=self.booking,
                actor=self.customer,
                reason=texts().visits.dispute_reason[self.posted.language],
            )
        self.last = disputed_at
        return disputed_at

    def resolve_dispute(self, *, stands: bool) -> datetime:
        """The community manager settles the dispute a day or more later; returns when."""
        resolved_at = self.history.between(self.last + DAY, self.last + 3 * DAY)
        visits = texts().visits
        with self.history.at(resolved_at):
            if stands:
                self.booking = services.booking_resolve_dispute(
                    booking=self.booking,
                    actor=self.community.manager,
                    outcome=services.DisputeOutcome.VISIT_STANDS,
                    note=visits.visit_stands_note[self.language],
                )
            else:
                self.booking = services.booking_resolve_dispute(
                    booking=self.booking,
                    actor=self.community.manager,
                    outcome=services.DisputeOutcome.VISIT_VOID,
                    note=visits.visit_void_note[self.language],
                    caused_by=self.community.rng.choice((Party.HELPER, Party.NOBODY)),
                )
        self.last = resolved_at
        return resolved_at

    def reviews(self, signed_off_at: datetime) -> None:
        """Both sides, one side (hidden until the window closes) or nobody."""
        rng, history = self.community.rng, self.history
        reviews = texts().reviews
        sides = rng.choices(("both", "customer", "helper", "none"), weights=(50, 20, 10, 20))[0]
        window_end = signed_off_at + timedelta(days=self.community.config.review_window_days) - HOUR
        if sides in ("both", "customer"):
            rating = rng.choices((5, 4, 3, 2, 1), weights=(60, 28, 8, 3, 1))[0]
            by_rating = reviews.by_customer[self.posted.language]
            text = rng.choice(by_rating[rating if rating >= 3 else 1])
            try:
                moment = history.between(
                    signed_off_at + HOUR, min(signed_off_at + 3 * DAY, window_end)
                )
            except CutShort:
                return
            with history.at(moment):
                services.review_submit(
                    booking=self.booking, actor=self.customer, rating=rating, text=text
                )
        if sides in ("both", "helper"):
            rating = rng.choices((5, 4, 3), weights=(70, 25, 5))[0]
            text = rng.choice(reviews.by_helper[self.language][rating])
            try:
                moment = history.between(
                    signed_off_at + 2 * HOUR, min(signed_off_at + 5 * DAY, window_end)
                )
            except CutShort:
                return
            with history.at(moment):
                services.review_submit(
                    booking=self.booking, actor=self.helper.user, rating=rating, text=text
                )


def accept_offer(community: Community, timing: Timing) -> Visit | None:
    """Post a request and have a helper accept one of its offers; None when it did not come
    out that way (nobody to offer it to, matching found nobody, no slot left)."""
    posted = post_request(community, timing)
    if posted is None or posted.help_request.status != HelpRequestStatus.OPEN:
        return None  # unmatched after all: a believable case, but not this one
    now = community.history.now
    choice = _choose_offer(community, posted, now + timing.slot[0], now + timing.slot[1])
    if choice is None:
        return None
    offer, helper, slot = choice
    language = _text_language(posted, helper)
    maybe_decline(community, posted, offer, posted.posted_at + 5 * MINUTE)
    history = community.history
    accepted_at = history.between(posted.posted_at + 6 * MINUTE, posted.posted_at + 25 * MINUTE)
    with history.at(accepted_at):
        booking = services.offer_accept(offer=offer, actor=helper.user)
    return Visit(community, posted, helper, slot, booking, language, accepted_at)


def _choose_offer(
    community: Community, posted: Posted, low: datetime, high: datetime
) -> tuple[Offer, Helper, datetime] | None:
    """The pending offer to accept and its visit slot: the anchor's if it got one, else
    the first helper with a free slot in the timing's range."""
    offers = community.pending_offers(posted.help_request)
    offers.sort(key=lambda o: (o.helper_id != posted.anchor.profile.pk, o.rank))
    length = timedelta(minutes=posted.minutes)
    for offer in offers:
        helper = community.helper_of(offer)
        if helper is posted.anchor and not community.is_busy(
            helper, posted.slot, posted.slot + length
        ):
            return offer, helper, posted.slot
        starts = [
            s
            for s in slots_in(posted.windows, posted.minutes, low, high)
            if not community.is_busy(helper, s, s + length)
        ]
        if not starts:
            continue
        index = AvailabilityIndex([helper.profile.pk], posted.windows[0][0], posted.windows[-1][1])
        free = [s for s in starts if index.is_free(helper.profile.pk, s, s + length)]
        return offer, helper, community.rng.choice(free or starts)
    return None


def _text_language(posted: Posted, helper: Helper) -> str:
    if posted.language in helper.person.languages:
        return posted.language
    shared = sorted(posted.customer.languages & helper.person.languages)
    return shared[0] if shared else "en"
