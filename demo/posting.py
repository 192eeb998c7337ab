"""Posting a help request for a scenario, planned around a helper who could take it.

A scenario that needs a visit first picks an anchor: a helper near the customer, skilled in the
category and sharing a language, and a slot inside that helper's weekly hours. The request is
posted with time windows around that slot, at a moment before it that the scenario's `Timing`
describes, through `help_request_create`, so matching offers it exactly as it would in use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from backend.places import Place
from bookings import services
from bookings.models import DeclineReason, HelpRequest, Offer
from catalogue.models import ServiceCategory
from demo.community import Community, Helper, Interval, Person, slots_in
from demo.history import (
    AWAKE_TRIES,
    DAY,
    HOUR,
    MINUTE,
    QUARTER,
    ceil_quarter,
    is_awake,
    local_midnight,
)
from demo.texts import texts
from helpers.models import ExceptionKind
from helpers.services import availability_exception_add

# How many customers a scenario tries before it gives up, and how far from home a relative's
# parent lives.
CUSTOMERS_TRIED = 12
PARENT_NEARBY_M = 300.0


Range = tuple[timedelta, timedelta]
NO_TIME = (timedelta(0), timedelta(0))


@dataclass(frozen=True)
class Timing:
    """Where a scenario's visit slot lies and when its request was posted.

    The slot starts within the `slot` range of now; the request is posted `lead` before the
    slot, but at the latest `gap` before now (with no lead, `gap` before now whenever the slot
    is). With `windows_passed`, every time window of the request lies before now: a request
    the sweep will expire.
    """

    slot: Range
    lead: Range = NO_TIME
    gap: Range = NO_TIME
    windows_passed: bool = False


@dataclass
class Posted:
    """A help request posted for a scenario, with what it was planned around."""

    help_request: HelpRequest
    customer: Person
    anchor: Helper
    category: ServiceCategory
    posted_at: datetime
    slot: datetime
    minutes: int
    windows: list[Interval]
    language: str


def description(community: Community, slug: str, language: str) -> str:
    requests = texts().requests
    found = requests.descriptions.get(slug, {}).get(language)
    return community.rng.choice(found) if found else requests.generic_description[language]


def home_address(customer: Person) -> services.AddressInput:
    return services.AddressInput(
        street=customer.user.home_street,
        postal_code=customer.user.home_postal_code,
        locality=customer.user.home_locality,
        point=customer.point,
    )


def post_request(community: Community, timing: Timing) -> Posted | None:
    """Post a request that the anchor helper (near the customer, skilled, sharing a
    language) is free for, with a slot in the timing's range inside their hours."""
    rng, now = community.rng, community.history.now
    limit = community.config.max_open_requests_per_customer
    low, high = now + timing.slot[0], now + timing.slot[1]
    fallback: tuple[Person, Helper, Place | None] | None = None
    for tries, customer in enumerate(community.shuffled_customers()):
        if tries >= CUSTOMERS_TRIED:
            break
        if community.open_requests(customer) >= limit:
            continue
        place: Place | None = None
        if customer.language in texts().names.mothers and rng.random() < 0.15:
            place = community.places.place_near(
                customer.locality, customer.language, PARENT_NEARBY_M
            )
        eligible = (
            community.eligible(place.point, customer.languages)
            if place is not None
            else community.eligible_for(customer)
        )
        if not eligible:
            continue
        anchor = rng.choice(eligible[:5])[1]
        category = rng.choice([c for c in community.categories if c.pk in anchor.skills])
        minutes = category.typical_duration_minutes + rng.choice((0, 0, 0, 30))
        length = timedelta(minutes=minutes)
        starts = [
            start
            for begins, ends in community.occurrences(anchor, low, high + length)
            for start in slots_in([(begins, ends)], minutes, low, high)
            if not community.is_busy(anchor, start, start + length)
        ]
        if not starts:
            fallback = fallback or (customer, anchor, place)
            continue
        slot = rng.choice(starts)
        return _post(community, timing, customer, anchor, category, slot, minutes, place)
    if fallback is None:
        return None
    # Nobody's weekly hours fit (a visit right now, at night): the helper made extra time.
    customer, anchor, place = fallback
    category = rng.choice([c for c in community.categories if c.pk in anchor.skills])
    minutes = category.typical_duration_minutes
    slot = ceil_quarter(low + community.history.span(timedelta(0), high - low))
    if community.is_busy(anchor, slot, slot + timedelta(minutes=minutes)):
        return None
    return _post(
        community, timing, customer, anchor, category, slot, minutes, place, extra_time=True
    )


def _posted_at(community: Community, timing: Timing, slot: datetime) -> datetime:
    history = community.history
    for _ in range(AWAKE_TRIES):
        posted_at = min(
            slot - history.span(*timing.lead),
            history.now - history.span(*timing.gap),
            history.latest,
        ).replace(microsecond=0)
        if is_awake(posted_at):
            break
    return posted_at


def _windows(
    community: Community, timing: Timing, slot: datetime, length: timedelta, posted_at: datetime
) -> list[Interval]:
    """A window around the slot and sometimes a second one, an evening on another day."""
    rng = community.rng
    window_start = max(slot - rng.choice((0, 1, 2, 4, 6)) * QUARTER * 2, ceil_quarter(posted_at))
    window_end = slot + length + rng.choice((0, 1, 2, 4)) * QUARTER * 2
    windows = [(window_start, window_end)]
    if rng.random() < 0.35:
        day = local_midnight(slot) + rng.choice((-2, -1, 1, 2, 3)) * DAY
        extra = (day + 18 * HOUR, day + 20 * HOUR + 30 * MINUTE)
        apart = extra[1] <= window_start or extra[0] >= window_end
        passed = not timing.windows_passed or extra[1] < community.history.latest
        if extra[0] > posted_at and apart and passed:
            windows.append(extra)
    windows.sort()
    return windows


def _for_a_parent(
    community: Community, customer: Person, place: Place, text: str
) -> tuple[str, str, str, services.AddressInput]:
    """The parent's name and landline, the description that says so, and their address."""
    rng, language = community.rng, customer.language
    names, prefixes = texts().names, texts().requests
    is_mother = rng.random() < 0.65
    parent = rng.choice((names.mothers if is_mother else names.fathers)[language])
    surname = customer.user.display_name.split(" ", 1)[-1]
    area = community.places.area_code(customer.locality)
    phone = f"+41 {area} {rng.randint(200, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    prefix = (prefixes.for_mother if is_mother else prefixes.for_father)[language]
    address = services.AddressInput(
        street=place.street,
        postal_code=place.postal_code,
        locality=place.locality,
        point=place.point,
    )
    return f"{parent} {surname}", phone, prefix.format(name=parent) + text, address


def _post(
    community: Community,
    timing: Timing,
    customer: Person,
    anchor: Helper,
    category: ServiceCategory,
    slot: datetime,
    minutes: int,
    place: Place | None,
    *,
    extra_time: bool = False,
) -> Posted:
    length = timedelta(minutes=minutes)
    posted_at = _posted_at(community, timing, slot)
    windows = _windows(community, timing, slot, length, posted_at)
    text = description(community, category.slug, customer.language)
    on_behalf_name = on_behalf_phone = ""
    address = home_address(customer)
    if place is not None:
        on_behalf_name, on_behalf_phone, text, address = _for_a_parent(
            community, customer, place, text
        )
    with community.history.at(posted_at):
        if extra_time:
            availability_exception_add(
                helper=anchor.profile,
                kind=ExceptionKind.AVAILABLE,
                starts_at=slot - 30 * MINUTE,
                ends_at=slot + length + 30 * MINUTE,
                note=texts().helpers.extra_time_note[anchor.person.language],
            )
        help_request = services.help_request_create(
            customer=customer.user,
            category=category,
            description=text,
            address=address,
            windows=windows,
            on_behalf_name=on_behalf_name,
            on_behalf_phone=on_behalf_phone,
        )
        # help_request_create returns the status as posted, before matching moved it.
        help_request.refresh_from_db(fields=["status"])
    return Posted(
        help_request=help_request,
        customer=customer,
        anchor=anchor,
        category=category,
        posted_at=posted_at,
        slot=slot,
        minutes=minutes,
        windows=windows,
        language=customer.language,
    )


def maybe_decline(
    community: Community, posted: Posted, keep: Offer | None, until: datetime
) -> None:
    """Sometimes one helper says no first (never to `keep`); another offer always stays
    pending (declining the only one would leave the request unmatched)."""
    rng = community.rng
    pending = community.pending_offers(posted.help_request)
    others = [o for o in pending if keep is None or o.pk != keep.pk]
    if len(pending) < 2 or not others or rng.random() >= 0.35:
        return
    offer = rng.choice(others)
    moment = community.history.between(posted.posted_at + 2 * MINUTE, until)
    with community.history.at(moment):
        services.offer_decline(
            offer=offer,
            actor=community.helper_of(offer).user,
            reason=rng.choice(DeclineReason.values),
        )
        community.dispatch(posted.help_request)
