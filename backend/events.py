"""Domain events: what happened, typed, and who listens.

A domain event is a frozen dataclass with JSON-safe fields that names its aggregate (the
object whose history it belongs to: a booking, an offer, a helper...). The one transition
function of each aggregate emits its events through `backend.outbox.emit`, which

1. stores one outbox row per event in the same transaction (the event log; its primary key is
   the global sequence number), and
2. runs the handlers subscribed to run *inside* that transaction: projections that must never
   be out of step with the change (the match index, the helpers' figures) and the scheduling
   of worker tasks (django-tasks-db's task rows commit with the transaction).

Handlers subscribed to run *after commit* get each stored event from the relay
(`backend.relay`), at least once and in order per aggregate, from the task worker.

Apps subscribe in their `AppConfig.ready()` (never with Django's model signals): a lower layer
emits, a higher one listens, so no import runs upwards. An event class whose events can change
what matching sees says so with `affects_matching = True`; a test checks that each of them has
a match index handler.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, TypeVar

E = TypeVar("E", bound="DomainEvent")


class DomainEvent:
    """Base of every domain event. Subclasses are frozen dataclasses with JSON-safe fields."""

    # The kind of object whose history this event is part of ("booking", "offer", "helper"...).
    aggregate_type: ClassVar[str] = ""
    # Whether events of this class can change whom matching finds or how it ranks them.
    affects_matching: ClassVar[bool] = False
    # A base class that only shares fields: never emitted itself, not registered by name.
    abstract: ClassVar[bool] = True

    def __init_subclass__(cls, *, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.abstract = abstract
        if abstract:
            return
        name = cls.__name__
        known = _EVENT_TYPES.get(name)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise TypeError(f"two domain event classes are named {name}")
        _EVENT_TYPES[name] = cls

    @property
    def aggregate_id(self) -> int:
        raise NotImplementedError

    @classmethod
    def type_name(cls) -> str:
        """The name stored in the event log; renaming a class needs a data migration."""
        return cls.__name__

    def payload(self) -> dict[str, Any]:
        if not dataclasses.is_dataclass(self):
            raise TypeError(f"{type(self).__name__} must be a dataclass")
        return {field.name: getattr(self, field.name) for field in dataclasses.fields(self)}


_EVENT_TYPES: dict[str, type[DomainEvent]] = {}


def event_types() -> list[type[DomainEvent]]:
    """Every concrete event class that has been imported, by name."""
    return [cls for _, cls in sorted(_EVENT_TYPES.items())]


def decode(type_name: str, payload: dict[str, Any]) -> DomainEvent:
    """The event a stored row holds."""
    try:
        cls = _EVENT_TYPES[type_name]
    except KeyError as exc:
        raise LookupError(f"no domain event class is named {type_name}") from exc
    return cls(**payload)


class Phase(Enum):
    IN_TRANSACTION = "in_transaction"
    AFTER_COMMIT = "after_commit"


@dataclass(frozen=True)
class Subscription:
    handler: Callable[..., None]
    event_types: tuple[type[DomainEvent], ...]
    phase: Phase
    # The handler's stable name: deliveries are recorded under it.
    name: str

    def wants(self, event: DomainEvent) -> bool:
        return isinstance(event, self.event_types)


_subscriptions: list[Subscription] = []


def _name_of(handler: Callable[..., None]) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def subscribe(
    handler: Callable[..., None],
    *event_types: type[DomainEvent],
    phase: Phase = Phase.IN_TRANSACTION,
) -> Subscription:
    """Have `handler` hear events of `event_types` (subclasses included).

    In the transaction: `handler(events)` with every matching event of one `emit` call, in the
    order emitted (one call per batch, so a projection refreshes many rows at once). After
    commit: `handler(event, sequence=n)` once per stored event; it must be idempotent (the
    relay delivers at least once), e.g. by keying what it does on `sequence`.
    Subscribing the same handler to the same events twice is harmless.
    """
    if not event_types:
        raise ValueError("subscribe to at least one event class")
    subscription = Subscription(handler, tuple(event_types), phase, _name_of(handler))
    if subscription not in _subscriptions:
        _subscriptions.append(subscription)
    return subscription


def unsubscribe(subscription: Subscription) -> None:
    if subscription in _subscriptions:
        _subscriptions.remove(subscription)


@contextmanager
def subscribed(
    handler: Callable[..., None],
    *event_types: type[DomainEvent],
    phase: Phase = Phase.IN_TRANSACTION,
) -> Iterator[Subscription]:
    """Subscribe for the duration of a block (tests, one-off scripts)."""
    subscription = subscribe(handler, *event_types, phase=phase)
    try:
        yield subscription
    finally:
        unsubscribe(subscription)


def subscriptions(phase: Phase) -> list[Subscription]:
    return [s for s in _subscriptions if s.phase == phase]


def listeners(event: DomainEvent, phase: Phase) -> list[Subscription]:
    return [s for s in _subscriptions if s.phase == phase and s.wants(event)]


def batches(events: Sequence[DomainEvent]) -> Iterable[tuple[Subscription, list[DomainEvent]]]:
    """Each in-transaction subscription with the events of `events` it wants, in order."""
    for subscription in subscriptions(Phase.IN_TRANSACTION):
        wanted = [event for event in events if subscription.wants(event)]
        if wanted:
            yield subscription, wanted


def of_type(events: Iterable[DomainEvent], cls: type[E]) -> list[E]:
    """The events of one class (subclasses included), typed for the handler that reads them."""
    return [event for event in events if isinstance(event, cls)]


# --- The core's own events: accounts ----------------------------------------------------------


@dataclass(frozen=True)
class UserEvent(DomainEvent, abstract=True):
    aggregate_type: ClassVar[str] = "user"

    user_id: int

    @property
    def aggregate_id(self) -> int:
        return self.user_id


@dataclass(frozen=True)
class UserRegistered(UserEvent):
    pass


@dataclass(frozen=True)
class DevicesSignedOut(UserEvent):
    """Devices of the user lost their tokens: whatever they still hold open (a live socket)
    is closed. `devices` are the devices' public ids."""

    devices: list[str]


@dataclass(frozen=True)
class UserProfileChanged(UserEvent):
    # A helper's languages and home are in the match index.
    affects_matching: ClassVar[bool] = True

    fields: list[str]


@dataclass(frozen=True)
class UserActivationChanged(UserEvent):
    # Inactive accounts are not matched.
    affects_matching: ClassVar[bool] = True

    is_active: bool


@dataclass(frozen=True)
class CustomerFiguresChanged(UserEvent):
    """A customer's rating and reliability counters moved by `deltas` (field → change)."""

    deltas: dict[str, int]
