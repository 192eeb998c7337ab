"""Help requests: posting, changing and withdrawing them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from backend import clock
from backend.config import config
from backend.exceptions import ValidationFailed, codes_raised_by, raises
from backend.geo import Point
from backend.languages import validate_languages
from backend.models import User
from backend.outbox import emit
from backend.places import Place, resolve_place
from backend.prepared import Prepared, PreparedInsert
from backend.roles import ActorRole
from backend.texts import phone_number, visible_text
from bookings.errors import BookingError
from bookings.events import HelpRequestChanged, HelpRequestPosted
from bookings.exceptions import OpenRequestLimit, RematchLimitReached, RequestNotEditable
from bookings.models import HelpRequest, HelpRequestStatus, TimeWindow, WithdrawalCause
from bookings.services.moves import help_request_move
from bookings.services.offers import (
    offers_dispatch,
    offers_dispatch_locked,
    offers_withdraw,
    pending_offers_of,
)
from catalogue.errors import CatalogueError
from catalogue.models import ServiceCategory

Window = tuple[datetime, datetime]
# The longest texts of a request, as the model holds them.
DESCRIPTION_MAX_LENGTH = HelpRequest._meta.get_field("description").max_length
ON_BEHALF_NAME_MAX_LENGTH = HelpRequest._meta.get_field("on_behalf_name").max_length
MIN_WINDOW_MINUTES = 30
MAX_WINDOW_HOURS = 24
EDITABLE_STATUSES = (HelpRequestStatus.OPEN, HelpRequestStatus.UNMATCHED)
# The trail's note of a request withdrawn without a reason (a reason given is kept instead).
WITHDRAWN_WITHOUT_REASON = "withdrawn by the customer"


def _validate_window(index: int, starts_at: datetime, ends_at: datetime, now: datetime) -> None:
    field_name = f"windows[{index}]"
    latest = now + timedelta(days=config().max_request_days_ahead)
    if starts_at >= ends_at:
        raise ValidationFailed.for_field(
            field_name, _("The window ends before it starts."), code=BookingError.WINDOW_INVERTED
        )
    if starts_at < now:
        raise ValidationFailed.for_field(
            field_name, _("The window starts in the past."), code=BookingError.WINDOW_IN_PAST
        )
    if starts_at > latest:
        raise ValidationFailed.for_field(
            field_name,
            ngettext(
                "Windows may start at most %(days)d day ahead.",
                "Windows may start at most %(days)d days ahead.",
                config().max_request_days_ahead,
            )
            % {"days": config().max_request_days_ahead},
            code=BookingError.WINDOW_TOO_FAR_AHEAD,
        )
    length = ends_at - starts_at
    if length < timedelta(minutes=MIN_WINDOW_MINUTES):
        raise ValidationFailed.for_field(
            field_name,
            _("A window is at least %(minutes)d minutes long.") % {"minutes": MIN_WINDOW_MINUTES},
            code=BookingError.WINDOW_TOO_SHORT,
        )
    if length > timedelta(hours=MAX_WINDOW_HOURS):
        raise ValidationFailed.for_field(
            field_name,
            _("A window is at most %(hours)d hours long.") % {"hours": MAX_WINDOW_HOURS},
            code=BookingError.WINDOW_TOO_LONG,
        )


@raises(
    BookingError.WINDOWS_REQUIRED,
    BookingError.TOO_MANY_WINDOWS,
    BookingError.WINDOW_INVERTED,
    BookingError.WINDOW_IN_PAST,
    BookingError.WINDOW_TOO_FAR_AHEAD,
    BookingError.WINDOW_TOO_SHORT,
    BookingError.WINDOW_TOO_LONG,
    BookingError.WINDOWS_OVERLAP,
)
def validate_windows(windows: Sequence[Window], *, now: datetime) -> list[Window]:
    """A request's time windows, ordered: one to `max_windows_per_request`, each ahead, not
    too far ahead, of a sensible length, none overlapping another."""
    if not windows:
        raise ValidationFailed.for_field(
            "windows", _("Give at least one time window."), code=BookingError.WINDOWS_REQUIRED
        )
    limit = config().max_windows_per_request
    if len(windows) > limit:
        raise ValidationFailed.for_field(
            "windows",
            _("At most %(count)d time windows.") % {"count": limit},
            code=BookingError.TOO_MANY_WINDOWS,
        )
    for index, (starts_at, ends_at) in enumerate(windows):
        _validate_window(index, starts_at, ends_at, now)
    ordered = sorted(windows)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after[0] < before[1]:
            raise ValidationFailed.for_field(
                "windows", _("Time windows must not overlap."), code=BookingError.WINDOWS_OVERLAP
            )
    return ordered


@raises(BookingError.ON_BEHALF_INCOMPLETE, phone_number, visible_text)
def validate_on_behalf(name: str, phone: str) -> tuple[str, str]:
    """The person the helper meets when someone books for them: both their name and phone,
    or neither."""
    name = visible_text(
        name, field="on_behalf_name", required=False, max_length=ON_BEHALF_NAME_MAX_LENGTH
    )
    phone = phone.strip()
    if bool(name) != bool(phone):
        missing = "on_behalf_phone" if name else "on_behalf_name"
        raise ValidationFailed.for_field(
            missing,
            _("When booking for someone else, give their name and phone so the helper can call."),
            code=BookingError.ON_BEHALF_INCOMPLETE,
        )
    return name, phone_number(phone, field="on_behalf_phone")


@raises(BookingError.DESCRIPTION_TOO_SHORT, visible_text)
def validate_description(description: str) -> str:
    """What the customer needs help with: a visible text of at least 10 characters."""
    description = visible_text(
        description, field="description", multiline=True, max_length=DESCRIPTION_MAX_LENGTH
    )
    if len(description) < 10:
        raise ValidationFailed.for_field(
            "description",
            _("Describe the problem in a few words (at least 10 characters)."),
            code=BookingError.DESCRIPTION_TOO_SHORT,
        )
    return description


def _customer_row(customer_id: int) -> QuerySet[User, tuple[int]]:
    """The customer's row, locked where the database can (their posts queue on it)."""
    return User.objects.select_for_update().filter(pk=customer_id).order_by().values_list("pk")


def _request_counts(customer_id: int, since: datetime) -> QuerySet[HelpRequest, tuple[int, int]]:
    """The customer's open or unmatched requests, and those posted after `since` (no row when
    they have none)."""
    return (
        HelpRequest.objects.filter(customer_id=customer_id)
        .order_by()
        .values("customer_id")
        .annotate(
            open=Count("pk", filter=Q(status__in=EDITABLE_STATUSES)),
            posted=Count("pk", filter=Q(created_at__gt=since)),
        )
        .values_list("open", "posted")
    )


# Every post sends them: built once per database, as the matching pass's own reads.
CUSTOMER_LOCK = Prepared(_customer_row, customer_id=int)
REQUEST_COUNTS = Prepared(_request_counts, customer_id=int, since=datetime)


@raises(BookingError.OPEN_REQUEST_LIMIT)
def validate_open_request_limit(customer: User) -> None:
    """The customer may post another request: fewer than `max_open_requests_per_customer` of
    theirs are open or unmatched, and fewer than `max_requests_per_customer_per_day` were
    posted in the last 24 hours, withdrawn ones too. (Posting checks it again under the lock
    on the customer.)"""
    counts = REQUEST_COUNTS.rows(customer_id=customer.pk, since=clock.now() - timedelta(hours=24))
    open_count, posted = counts[0] if counts else (0, 0)
    if open_count >= config().max_open_requests_per_customer:
        raise OpenRequestLimit(
            _("You already have %(count)d open requests; withdraw one or wait for a helper.")
            % {"count": open_count},
        )
    if posted >= config().max_requests_per_customer_per_day:
        raise OpenRequestLimit(
            _(
                "You have posted %(count)d requests in the last 24 hours. Post the next one "
                "tomorrow, or change the times or place of an open one."
            )
            % {"count": posted},
        )


# What a help request's own fields can be refused for, on creation and on every edit.
HELP_REQUEST_INPUT = codes_raised_by(
    validate_description, validate_windows, validate_on_behalf, validate_languages, resolve_place
)


@dataclass(frozen=True)
class AddressInput:
    street: str = ""
    postal_code: str = ""
    locality: str = ""
    point: Point | None = None

    def resolve(self) -> Place:
        return resolve_place(
            street=self.street,
            postal_code=self.postal_code,
            locality=self.locality,
            point=self.point,
        )


# Every post writes a request and its windows: the INSERTs are written once per database and
# number of rows (building them cost more than storing the rows).
REQUEST_INSERT = PreparedInsert(HelpRequest)
WINDOW_INSERT = PreparedInsert(TimeWindow)


def _set_windows(help_request: HelpRequest, windows: Sequence[Window]) -> None:
    WINDOW_INSERT.insert(
        [TimeWindow(help_request=help_request, starts_at=s, ends_at=e) for s, e in windows]
    )


@transaction.atomic
@raises(BookingError.OPEN_REQUEST_LIMIT, CatalogueError.UNKNOWN_CATEGORY, *HELP_REQUEST_INPUT)
def help_request_create(
    *,
    customer: User,
    category: ServiceCategory,
    description: str,
    address: AddressInput,
    windows: Sequence[Window],
    languages: Sequence[str] | None = None,
    on_behalf_name: str = "",
    on_behalf_phone: str = "",
) -> HelpRequest:
    """Post a request for help and send the first offers.

    Validates everything before writing anything, so a refused request leaves no row.
    """
    now = clock.now()
    if not category.is_active:
        raise ValidationFailed.for_field(
            "category", _("This category is not offered."), code=CatalogueError.UNKNOWN_CATEGORY
        )
    description = validate_description(description)
    ordered_windows = validate_windows(windows, now=now)
    chosen_languages = validate_languages(
        languages if languages is not None else (customer.languages or ["de"])
    )
    name, phone = validate_on_behalf(on_behalf_name, on_behalf_phone)
    place = address.resolve()

    # Serialise this customer's posts so two at once cannot both slip under the limit.
    CUSTOMER_LOCK.rows(customer_id=customer.pk)
    validate_open_request_limit(customer)

    help_request = HelpRequest(
        customer=customer,
        category=category,
        description=description,
        languages=chosen_languages,
        on_behalf_name=name,
        on_behalf_phone=phone,
        search_radius_km=config().match_initial_radius_km,
    )
    place.apply_to(help_request)
    REQUEST_INSERT.insert([help_request])
    _set_windows(help_request, ordered_windows)
    # Open, with every window ahead, no offers yet, and written by this transaction: the first
    # offers go out without reading any of that back. What they change of the request (radius,
    # round, status) they set on `help_request` too, so it is returned as stored. The post's
    # event is stored first, with the offers' events (no handler runs on it in the
    # transaction, so nothing reads the event log between the two).
    posted = HelpRequestPosted(
        help_request_id=help_request.pk, customer_id=customer.pk, category_id=category.pk
    )
    offers_dispatch_locked(help_request=help_request, so_far=[], now=now, leading=[posted])
    return help_request


@dataclass
class _Edit:
    """What an edit changes, worked out before anything is written."""

    fields: list[str] = field(default_factory=list)
    new_windows: list[Window] | None = None
    # Whether the change could change whom matching finds: then it starts over.
    rematch: bool = False


def _plan_edit(
    help_request: HelpRequest,
    *,
    description: str | None,
    address: AddressInput | None,
    windows: Sequence[Window] | None,
    languages: Sequence[str] | None,
    on_behalf_name: str | None,
    on_behalf_phone: str | None,
) -> _Edit:
    """Validate the edit and set the new values on `help_request` (unsaved)."""
    edit = _Edit()
    if description is not None:
        help_request.description = validate_description(description)
        edit.fields.append("description")
    if windows is not None:
        ordered = validate_windows(windows, now=clock.now())
        current = list(
            help_request.windows.order_by("starts_at").values_list("starts_at", "ends_at")
        )
        if ordered != current:
            edit.new_windows, edit.rematch = ordered, True
    if languages is not None:
        chosen = validate_languages(languages)
        # Only which languages are asked for matters to matching, not their order.
        edit.rematch |= set(chosen) != set(help_request.languages)
        help_request.languages = chosen
        edit.fields.append("languages")
    if on_behalf_name is not None or on_behalf_phone is not None:
        name, phone = validate_on_behalf(
            on_behalf_name if on_behalf_name is not None else help_request.on_behalf_name,
            on_behalf_phone if on_behalf_phone is not None else help_request.on_behalf_phone,
        )
        help_request.on_behalf_name, help_request.on_behalf_phone = name, phone
        edit.fields += ["on_behalf_name", "on_behalf_phone"]
    if address is not None:
        place = address.resolve()
        # A new street at the same place is not a reason to ask other helpers.
        edit.rematch |= place.point != Point(help_request.latitude, help_request.longitude)
        edit.fields += place.apply_to(help_request)
    return edit


@transaction.atomic
@raises(BookingError.REQUEST_NOT_EDITABLE, BookingError.REMATCH_LIMIT_REACHED, *HELP_REQUEST_INPUT)
def help_request_update(
    *,
    help_request: HelpRequest,
    description: str | None = None,
    address: AddressInput | None = None,
    windows: Sequence[Window] | None = None,
    languages: Sequence[str] | None = None,
    on_behalf_name: str | None = None,
    on_behalf_phone: str | None = None,
) -> HelpRequest:
    """Edit a request nobody has accepted yet.

    A change that could change whom matching finds (the place moved, other time windows, other
    languages) withdraws the pending offers and matches again from the initial radius; an
    unmatched request becomes open again. That happens at most MAX_REMATCHES_PER_REQUEST
    times; offers withdrawn so do not count against their helpers.
    """
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if help_request.status not in EDITABLE_STATUSES:
        raise RequestNotEditable(_("A helper has accepted, or the request is closed."))
    edit = _plan_edit(
        help_request,
        description=description,
        address=address,
        windows=windows,
        languages=languages,
        on_behalf_name=on_behalf_name,
        on_behalf_phone=on_behalf_phone,
    )
    if edit.rematch:
        limit = config().max_rematches_per_request
        if help_request.rematch_count >= limit:
            raise RematchLimitReached(
                _(
                    "This request was matched anew %(limit)d times already: withdraw it and "
                    "post a new one, or keep its place, times and languages."
                )
                % {"limit": limit}
            )
        help_request.search_radius_km = config().match_initial_radius_km
        help_request.rematch_count += 1
        edit.fields += ["search_radius_km", "rematch_count"]
    if edit.new_windows is not None:
        help_request.windows.all().delete()
        _set_windows(help_request, edit.new_windows)
        edit.fields.append("windows")
    if not edit.fields:
        return help_request
    help_request.save(update_fields=[f for f in edit.fields if f != "windows"] + ["updated_at"])
    emit(
        HelpRequestChanged(
            help_request_id=help_request.pk, fields=edit.fields, rematched=edit.rematch
        )
    )
    if edit.rematch:
        _match_again(help_request)
    return help_request


def _match_again(help_request: HelpRequest) -> None:
    offers_withdraw(
        offers=pending_offers_of(help_request),
        cause=WithdrawalCause.REQUEST_CHANGED,
        reason="request changed",
        role=ActorRole.CUSTOMER,
    )
    if help_request.status == HelpRequestStatus.UNMATCHED:
        help_request_move(
            help_request=help_request,
            expected=HelpRequestStatus.UNMATCHED,
            to=HelpRequestStatus.OPEN,
            role=ActorRole.CUSTOMER,
            reason="request changed",
        )
    offers_dispatch(help_request=help_request)
    help_request.refresh_from_db()


@transaction.atomic
# Only an open or unmatched request is withdrawn, and both may move to withdrawn (under the row
# lock): the move is never illegal.
@raises(BookingError.REQUEST_NOT_EDITABLE)
def help_request_withdraw(*, help_request: HelpRequest, reason: str = "") -> HelpRequest:
    """The customer takes the request back before anyone accepted."""
    help_request = HelpRequest.objects.select_for_update().get(pk=help_request.pk)
    if help_request.status == HelpRequestStatus.ASSIGNED:
        raise RequestNotEditable(_("A helper has already accepted; cancel the booking instead."))
    if help_request.status not in EDITABLE_STATUSES:  # withdrawn, expired or closed
        raise RequestNotEditable(_("This request is closed already: there is nothing to withdraw."))
    help_request_move(
        help_request=help_request,
        expected=help_request.status,
        to=HelpRequestStatus.WITHDRAWN,
        role=ActorRole.CUSTOMER,
        reason=reason or WITHDRAWN_WITHOUT_REASON,
    )
    offers_withdraw(
        offers=pending_offers_of(help_request),
        cause=WithdrawalCause.REQUEST_WITHDRAWN,
        reason="request withdrawn",
        role=ActorRole.CUSTOMER,
    )
    return help_request
