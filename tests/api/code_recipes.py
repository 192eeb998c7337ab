"""The recipes that provoke the API's documented error codes (tests/api/test_every_code_provoked.py).

Every (operation, status, code) the OpenAPI document lists is provoked by one recipe:

- a **generic** recipe for what any operation of its kind can meet (no credentials, a wrong
  token, an Accept it cannot meet, a body that cannot be read, a throttle, a lost race, ...);
- a **field** recipe derived from the operation's input serializer: a valid body (`BODIES`)
  with one field made wrong (null, too long, a NUL character, not a list, ...);
- a **domain** recipe for a service's own code (test_every_code_provoked.py).

A recipe sends real requests through Django's test client against a small shared world.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from unittest import mock

from django.db import OperationalError
from django.urls import resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework import fields as drf_fields
from rest_framework import serializers
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from backend.devices import device_sign_in
from backend.exceptions import RAISES_ATTRIBUTE
from backend.models import Device, User
from bookings.models import Booking, HelpRequest, Offer
from helpers.models import AvailabilityException, ExceptionKind, HelperProfile
from tests.factories import (
    PASSWORD,
    ManagerFactory,
    UserFactory,
    device_token,
    make_booking,
    make_helper,
    next_slot_start,
    pending_offer,
    post_request,
)

Operation = tuple[str, str]  # (method, OpenAPI path)
Triple = tuple[str, str, int, str]  # (method, OpenAPI path, status, code)


@dataclass
class World:
    """The people and objects every recipe can use (each case runs in a rolled-back savepoint)."""

    customer: User
    helper: HelperProfile
    manager: User
    help_request: HelpRequest
    offer: Offer
    booking: Booking
    exception: AvailabilityException
    device: Device
    users: dict[str, User | None] = field(default_factory=dict)
    # Path parameters an operation's cases use instead (a booking in the state its step needs).
    overrides: dict[str, str] = field(default_factory=dict)
    # The proposal the confirm body names (one of the booking's current times, once set).
    proposal: str = field(default_factory=lambda: str(uuid.uuid4()))

    @classmethod
    def build(cls) -> World:
        customer = UserFactory.create()
        helper = make_helper()
        manager = ManagerFactory.create()
        help_request = post_request(customer)
        offer = pending_offer(help_request, helper)
        booking = make_booking(customer=customer, helper=helper)
        start = next_slot_start(days=3)
        exception = AvailabilityException.objects.create(
            helper=helper,
            kind=ExceptionKind.UNAVAILABLE,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
        device = device_sign_in(user=customer, name="Phone")[0]
        world = cls(customer, helper, manager, help_request, offer, booking, exception, device)
        world.users = {
            "anonymous": None,
            "customer": customer,
            "helper": helper.user,
            "manager": manager,
            "stranger": UserFactory.create(),
        }
        return world

    def params(self) -> dict[str, str]:
        return {
            "booking_id": str(self.booking.public_id),
            "request_id": str(self.help_request.public_id),
            "offer_id": str(self.offer.public_id),
            "helper_id": str(self.helper.public_id),
            "exception_id": str(self.exception.pk),
            "device_id": str(self.device.public_id),
            **self.overrides,
        }


# Who calls each operation when nothing else is said (who may call it).
ROLE_BY_PREFIX = (
    ("/api/v1/auth/logout", "customer"),
    ("/api/v1/auth/", "anonymous"),
    ("/api/v1/helper/", "helper"),
    ("/api/v1/offers", "helper"),
    ("/api/v1/manager/", "manager"),
)
HELPER_STEPS = ("propose", "on-my-way", "check-in", "check-out", "extra")
MANAGER_STEPS = ("resolve-dispute", "refunds")
MANAGER_VETTING_STEPS = (
    "check-documents",
    "conduct-test-passed",
    "invite-to-interview",
    "reject",
    "request-information",
)


def default_role(operation: Operation) -> str:
    method, path = operation
    if operation == ("post", "/api/v1/helper/profile"):
        return "customer"  # a customer applies to be a helper
    last = path.rsplit("/", 1)[-1]
    if last in HELPER_STEPS:
        return "helper"
    if last in MANAGER_STEPS:
        return "manager"
    for prefix, role in ROLE_BY_PREFIX:
        if path.startswith(prefix):
            return role
    return "customer"


def _future(days: int = 2, hours: int = 1) -> dict[str, str]:
    start = next_slot_start(days=days)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=hours)).isoformat()}


# A body each operation's serializer accepts field by field (the services may still refuse it).
def bodies(world: World) -> dict[Operation, dict[str, Any]]:
    from tests.api.academy_recipes import academy_bodies  # noqa: PLC0415 - it imports us
    from tests.api.conduct_test_recipes import publish_body  # noqa: PLC0415 - it imports us

    address = {"street": "Bahnhofstrasse 1", "postal_code": "8001", "locality": "Zürich"}
    profile = {
        "skills": ["internet-wifi"],
        "service_radius_km": 10,
        "hourly_rate_minor": 4000,
        "bio": "I fix routers.",
    }
    v1 = "/api/v1"
    booking = v1 + "/bookings/{booking_id}"
    return {
        ("post", v1 + "/auth/register"): {
            "email": "new.person@example.ch",
            "password": "a-long-and-good-password-42",
            "display_name": "New Person",
            "languages": ["de"],
            "home_street": "Bahnhofstrasse 1",
            "home_location": {"type": "Point", "coordinates": [8.54, 47.37]},
        },
        ("post", v1 + "/auth/token"): {"email": world.customer.email, "password": PASSWORD},
        ("post", v1 + "/auth/verify-email"): {"token": "not-a-token"},
        ("post", v1 + "/auth/password-reset"): {"email": world.customer.email},
        ("post", v1 + "/auth/password-reset/confirm"): {
            "token": "not-a-token",
            "password": "a-new-and-long-passphrase-7",
        },
        ("post", v1 + "/me/password"): {
            "current_password": PASSWORD,
            "new_password": "a-new-and-long-passphrase-7",
        },
        ("patch", v1 + "/me"): {
            "display_name": "Renamed Person",
            "languages": ["de"],
            "home_location": {"type": "Point", "coordinates": [8.54, 47.37]},
        },
        ("post", booking + "/cancel"): {"reason": "Not needed any more", "caused_by": "customer"},
        ("post", booking + "/check-out"): {"work_summary": "Replaced the router."},
        ("post", booking + "/confirm"): {"proposal": world.proposal},
        ("post", booking + "/dispute"): {"reason": "The Wi-Fi still drops."},
        ("post", booking + "/request-new-times"): {"reason": "None of these suit me."},
        ("post", booking + "/no-show"): {"note": "Nobody came", "caused_by": "helper"},
        ("post", booking + "/on-my-way"): {"eta_minutes": 20},
        ("post", booking + "/payment/method"): {"payment_method": "pm_card_visa"},
        ("post", booking + "/payment/pay"): {"return_url": "https://app.example/paid"},
        ("post", booking + "/payment/refunds"): {"amount_minor": 100, "reason": "Late arrival"},
        ("post", booking + "/tip"): {"amount_minor": 500},
        ("post", booking + "/extra"): {"minutes": 20, "material_minor": 1550},
        ("post", booking + "/extra/answer"): {"consent": True},
        ("post", booking + "/propose"): {"slots": [_future()], "reason": "Here are my times."},
        ("post", booking + "/resolve-dispute"): {
            "outcome": "visit_stands",
            "note": "Looked at the photos.",
            "caused_by": "helper",
        },
        ("post", booking + "/reviews"): {"rating": 5, "text": "Very kind and quick."},
        ("post", booking + "/reports"): {"category": "safety", "text": "He shouted at me."},
        ("post", v1 + "/manager/reports/{report_id}/decide"): {
            "outcome": "warning",
            "note": "Talked to both sides.",
        },
        ("post", v1 + "/help-requests"): {
            "category": "internet-wifi",
            "description": "The Wi-Fi drops every evening.",
            "windows": [_future(hours=3)],
            "languages": ["de"],
            "location": {"type": "Point", "coordinates": [8.54, 47.37]},
            "on_behalf_name": "Anna Muster",
            "on_behalf_phone": "+41 79 123 45 67",
            **address,
        },
        ("patch", v1 + "/help-requests/{request_id}"): {
            "description": "The Wi-Fi drops every evening, since Monday.",
            "windows": [_future(hours=3)],
            "languages": ["de"],
            "location": {"type": "Point", "coordinates": [8.54, 47.37]},
            "on_behalf_name": "Anna Muster",
            "on_behalf_phone": "+41 79 123 45 67",
            **address,
        },
        ("post", v1 + "/help-requests/{request_id}/withdraw"): {"reason": "Fixed it myself."},
        ("post", v1 + "/helper/availability/exceptions"): {
            "kind": "unavailable",
            "note": "Holiday",
            **_future(days=5),
        },
        ("put", v1 + "/helper/availability/weekly"): {
            "intervals": [{"weekday": 0, "start_time": "09:00", "end_time": "12:00"}]
        },
        ("post", v1 + "/helper/payout-account"): {
            "return_url": "https://app.quartier.example/done",
            "refresh_url": "https://app.quartier.example/again",
        },
        ("post", v1 + "/helper/profile"): profile,
        ("patch", v1 + "/helper/profile"): {**profile, "is_accepting_jobs": True},
        ("post", v1 + "/manager/helpers/{helper_id}/approve"): {"note": "Checked."},
        ("post", v1 + "/manager/helpers/{helper_id}/suspend"): {"note": "Complaints."},
        ("post", v1 + "/offers/{offer_id}/decline"): {"reason": "too_far", "note": "Too far."},
        ("post", booking + "/messages"): {"text": "I am on the second floor."},
        ("post", booking + "/messages/read"): {"message": 1},
        ("post", v1 + "/push-subscriptions"): {
            "endpoint": "https://push.example.com/send/abc",
            "keys": {
                "p256dh": "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA",
                "auth": "tBHItJI5svbpez7KI4CCXg",
            },
            "device_name": "My phone",
        },
        ("post", v1 + "/push-subscriptions/remove"): {
            "endpoint": "https://push.example.com/send/abc"
        },
        ("post", v1 + "/waivers/accept"): {
            "version": 1,
            "language": "de",
            "text_sha256": "0" * 64,
            "on_behalf_name": "Anna Muster",
        },
        **{
            ("post", v1 + "/manager/applications/{helper_id}/" + step): {"note": "Checked."}
            for step in MANAGER_VETTING_STEPS
        },
        ("post", v1 + "/manager/helpers/{helper_id}/offboard"): {"note": "Moved away."},
        ("post", v1 + "/helper/conduct-test/attempts/{attempt_id}/submit"): {
            "answers": [{"question": 1, "option": 1}]
        },
        ("post", v1 + "/manager/conduct-test/versions"): publish_body(),
        ("post", v1 + "/helper/appeals"): {"text": "The bus was late; it will not happen again."},
        ("post", v1 + "/manager/appeals/{appeal_id}/decide"): {
            "outcome": "uphold",
            "note": "Third time this month.",
        },
        **academy_bodies(),
    }


# --- Sending ------------------------------------------------------------------------------------


@dataclass
class Call:
    """One request of an operation: who sends what, with which headers."""

    world: World
    operation: Operation
    role: str | None = None
    params: dict[str, str] | None = None
    query: str = ""
    body: Any = None
    raw: bytes | None = None
    content_type: str = "application/json"
    extra: dict[str, str] = field(default_factory=dict)
    client: APIClient | None = None

    def url(self) -> str:
        path = self.operation[1]
        for name, value in (self.params or self.world.params()).items():
            path = path.replace("{" + name + "}", value)
        return path + (f"?{self.query}" if self.query else "")

    def send(self) -> Any:
        client = self.client or APIClient(raise_request_exception=False)
        user = self.world.users[self.role or default_role(self.operation)]
        if user is not None and self.client is None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {token_of(user)}")
        method = self.operation[0]
        data = self.raw
        if data is None and self.body is not None:
            data = json.dumps(self.body).encode()
        if data is None and method in {"post", "put", "patch"}:
            data = b"{}"
        extra: dict[str, Any] = self.extra
        return client.generic(
            method.upper(),
            self.url(),
            data or b"",  # type: ignore[arg-type]
            content_type=self.content_type,
            **extra,
        )


def token_of(user: User) -> str:
    return device_token(user)


def view_class(operation: Operation, world: World) -> type:
    return resolve(Call(world, operation).url().split("?")[0]).func.view_class  # type: ignore[attr-defined]


# --- Generic recipes: what any operation of its kind can meet -----------------------------------

Recipe = Callable[[World, Operation], Any]


def _body_call(world: World, operation: Operation, **kwargs: Any) -> Any:
    base = bodies(world).get(operation)
    return Call(world, operation, body=base, **kwargs).send()


def send(
    world: World,
    operation: Operation,
    *,
    role: str | None = None,
    params: dict[str, str] | None = None,
    **changes: Any,
) -> Any:
    """The operation's valid body with `changes` (DELETE removes a key), as `role`."""
    body = dict(bodies(world).get(operation) or {})
    for key, value in changes.items():
        if value is DELETE:
            body.pop(key, None)
        else:
            body[key] = value
    merged = {**world.params(), **(params or {})}
    return Call(world, operation, role=role, params=merged, body=body).send()


def _failing_handler(error: Exception) -> Recipe:
    def recipe(world: World, operation: Operation) -> Any:
        cls = view_class(operation, world)

        def fail(*args: Any, **kwargs: Any) -> Any:
            raise error

        with mock.patch.object(cls, operation[0], fail):
            return _body_call(world, operation)

    return recipe


def _throttled(world: World, operation: Operation) -> Any:
    with mock.patch.object(SimpleRateThrottle, "get_rate", return_value="1/hour"):
        _body_call(world, operation)
        return _body_call(world, operation)


def _csrf(world: World, operation: Operation) -> Any:
    client = APIClient(enforce_csrf_checks=True, raise_request_exception=False)
    user = world.users[default_role(operation)]
    assert user is not None
    client.force_login(user)
    return Call(world, operation, body=bodies(world).get(operation), client=client).send()


def _too_large(world: World, operation: Operation) -> Any:
    from backend.asgi import application
    from backend.config import config

    url = Call(world, operation).url()
    length = config().max_request_body_bytes + 1
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": operation[0].upper(),
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-length", str(length).encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(application(scope, receive, send))
    return AsgiAnswer(sent)


class AsgiAnswer:
    """An ASGI answer, read like the test client's response."""

    def __init__(self, sent: list[dict[str, Any]]) -> None:
        start = next(message for message in sent if message["type"] == "http.response.start")
        self.status_code = start["status"]
        self.content = b"".join(m.get("body", b"") for m in sent if "body" in m)

    def json(self) -> Any:
        return json.loads(self.content)


def _many_files(world: World, operation: Operation) -> Any:
    boundary = "quartierboundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="f{index}"; '
        f'filename="f{index}.txt"\r\nContent-Type: text/plain\r\n\r\nx\r\n'
        for index in range(101)
    ]
    raw = ("".join(parts) + f"--{boundary}--\r\n").encode()
    return Call(
        world, operation, raw=raw, content_type=f"multipart/form-data; boundary={boundary}"
    ).send()


def _many_fields(world: World, operation: Operation) -> Any:
    # DRF reads the query string of every request (its `?format=` override).
    return Call(world, operation, query="&".join(f"f{index}=1" for index in range(1001))).send()


def _wrong_party(world: World, operation: Operation) -> Any:
    """The step sent by each other party of the booking: the first that is not theirs."""
    answer = None
    for role in ("customer", "helper", "manager"):
        answer = _body_call(world, operation, role=role)
        if answer.status_code == 403:
            return answer
    return answer


def _key_reused(world: World, operation: Operation) -> Any:
    """A first request under a key (a body that is not an object: refused before any work
    that could fail with a 5xx, an answer that is kept), then another request (another query)
    under the same key."""
    key = {"HTTP_IDEMPOTENCY_KEY": "the-same-key"}
    Call(world, operation, raw=b"[]", extra=key).send()
    return Call(world, operation, query="another=request", raw=b"[]", extra=key).send()


def _key_too_long(world: World, operation: Operation) -> Any:
    """A key of 201 characters: refused before the request is read. (Other operations document
    `max_length` for a field of their body, which the field recipes provoke.)"""
    return Call(world, operation, raw=b"[]", extra={"HTTP_IDEMPOTENCY_KEY": "k" * 201}).send()


def _key_in_progress(world: World, operation: Operation) -> Any:
    """The same request twice under one key while the first has not kept its answer yet."""
    key = {"HTTP_IDEMPOTENCY_KEY": "running"}
    with mock.patch("payments.idempotency.idempotency_key_answer"):
        Call(world, operation, raw=b"[]", extra=key).send()
    return Call(world, operation, raw=b"[]", extra=key).send()


GENERIC: dict[tuple[int, str], Recipe] = {
    (400, "bad_request"): lambda w, o: Call(w, o, extra={"HTTP_HOST": "attacker.example"}).send(),
    (400, "too_many_fields"): _many_fields,
    (400, "too_many_files"): _many_files,
    (400, "parse_error"): lambda w, o: Call(w, o, raw=b'{"a": ').send(),
    (400, "too_deeply_nested"): lambda w, o: Call(w, o, raw=b"[" * 1000 + b"]" * 1000).send(),
    (400, "validation_invalid"): lambda w, o: Call(w, o, body=[]).send(),
    (400, "max_length"): _key_too_long,
    (401, "not_authenticated"): lambda w, o: Call(w, o, role="anonymous").send(),
    (401, "authentication_failed"): lambda w, o: Call(
        w, o, role="anonymous", extra={"HTTP_AUTHORIZATION": "Token not-a-real-token"}
    ).send(),
    (403, "permission_denied"): _csrf,
    (404, "not_found"): lambda w, o: (
        Call(w, o, query="page=999").send()
        if "{" not in o[1]
        else Call(
            w, o, params={k: str(uuid.uuid4()) for k in w.params()}, body=bodies(w).get(o)
        ).send()
    ),
    (403, "not_allowed_for_role"): _wrong_party,
    (404, "not_a_helper"): lambda w, o: _body_call(w, o, role="customer"),
    (406, "not_acceptable"): lambda w, o: Call(w, o, extra={"HTTP_ACCEPT": "text/csv"}).send(),
    (409, "try_again"): _failing_handler(OperationalError("database is locked")),
    (409, "idempotency_request_in_progress"): _key_in_progress,
    (413, "payload_too_large"): _too_large,
    (422, "idempotency_key_reused"): _key_reused,
    (415, "unsupported_media_type"): lambda w, o: Call(
        w, o, raw=b"hello", content_type="text/plain"
    ).send(),
    (429, "throttled"): _throttled,
    (500, "server_error"): _failing_handler(RuntimeError("an unexpected failure")),
}


# --- Field recipes: a valid body with one field made wrong --------------------------------------

DELETE = object()


@functools.cache
def _request_serializers() -> dict[Operation, serializers.Serializer]:
    generator = SchemaGenerator()
    generator._initialise_endpoints()
    found: dict[Operation, serializers.Serializer] = {}
    endpoints: list[tuple[str, str, str, Any]] = list(generator.endpoints or ())  # type: ignore[arg-type]
    for path, _regex, method, callback in endpoints:
        view = generator.create_view(callback, method)
        serializer = view.schema.get_request_serializer()
        if serializer is not None and method in {"POST", "PUT", "PATCH"}:
            instance = serializer() if isinstance(serializer, type) else serializer
            found[(method.lower(), path)] = instance
    return found


def request_serializer(operation: Operation) -> serializers.Serializer | None:
    return _request_serializers().get(operation)


def _fields(
    serializer: serializers.Serializer, prefix: tuple[Any, ...] = ()
) -> Iterator[tuple[tuple[Any, ...], drf_fields.Field]]:
    for name, item in serializer.fields.items():
        if item.read_only:
            continue
        yield (*prefix, name), item
        child = getattr(item, "child", None)
        if isinstance(child, serializers.Serializer):
            yield from _fields(child, (*prefix, name, 0))


# What makes a field of our own refuse its value with the code it declares.
DECLARED_VALUES = {
    "forbidden_characters": "Hello \u202eworld",
    "nothing_visible": "\u200b",
    "invalid_geojson": "not a point",
    "unknown_category": "no-such-category",
}


def _bad_values(code: str, item: drf_fields.Field) -> Iterator[Any]:  # noqa: C901, PLR0912
    text = isinstance(item, serializers.CharField)
    many = isinstance(item, serializers.ListField | serializers.ListSerializer)
    integer = isinstance(item, serializers.IntegerField)
    declared = {str(code) for code in getattr(item, RAISES_ATTRIBUTE, ())}
    if code in DECLARED_VALUES and (code in declared or text):
        yield DECLARED_VALUES[code]
    if code == "validation_null" and not item.allow_null:
        yield None
    elif code == "validation_required" and item.required:
        yield DELETE
    elif code == "validation_blank" and text and not item.allow_blank:  # type: ignore[attr-defined]
        yield ""
    elif code == "max_length" and getattr(item, "max_length", None) is not None:
        yield ("a" * (item.max_length + 1)) if not many else [None] * (item.max_length + 1)  # type: ignore[attr-defined]
    elif code == "null_characters_not_allowed" and text:
        yield "ab\x00cd"
    elif code == "surrogate_characters_not_allowed" and text:
        yield "ab\ud800cd"
    elif code == "invalid_choice" and isinstance(item, serializers.ChoiceField):
        yield "no-such-choice"
    elif (
        code == "invalid_choice"
        and many
        and isinstance(getattr(item, "child", None), serializers.ChoiceField)
    ):
        yield ["no-such-choice"]
    elif code == "not_a_list" and many:
        yield "not a list"
    elif code == "max_string_length" and integer:
        yield "1" * 1001
    elif code == "min_value" and getattr(item, "min_value", None) is not None:
        yield item.min_value - 1  # type: ignore[attr-defined]
    elif code == "timezone_required" and isinstance(item, serializers.DateTimeField):
        yield "2030-03-31T02:30:00"  # without an offset (and not even a time Zurich has)
    elif code == "overflow" and isinstance(item, serializers.DateTimeField):
        yield "9999-12-31T23:59:59-14:00"
    elif code == "validation_invalid":
        if integer:
            yield "not a number"
        elif isinstance(item, serializers.DateTimeField | serializers.TimeField):
            yield "not a time"


def _with(body: Any, path: tuple[Any, ...], value: Any) -> Any | None:
    changed = copy.deepcopy(body)
    target = changed
    for step in path[:-1]:
        try:
            target = target[step]
        except (KeyError, IndexError, TypeError):
            return None
    if value is DELETE:
        if path[-1] not in target:
            return None
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


def field_cases(world: World, operation: Operation, code: str) -> Iterator[Call]:
    """Calls that each send the operation's valid body with one field made wrong for `code`."""
    base = bodies(world).get(operation)
    serializer = request_serializer(operation)
    if base is None or serializer is None:
        return
    for path, item in _fields(serializer):
        for value in _bad_values(code, item):
            body = _with(base, path, value)
            if body is not None:
                yield Call(world, operation, body=body)


# --- Filter recipes: a list's query string with one bad value -----------------------------------

# The codes the field and filter recipes provoke (from the input serializer, or the query string).
FIELD_CODES = frozenset(
    {
        "validation_null",
        "validation_required",
        "validation_blank",
        "validation_invalid",
        "max_length",
        "null_characters_not_allowed",
        "surrogate_characters_not_allowed",
        "invalid_choice",
        "not_a_list",
        "max_string_length",
        "min_value",
        "timezone_required",
        "overflow",
        "datetime_out_of_range",
        "forbidden_characters",
        "nothing_visible",
        "invalid_geojson",
        "unknown_category",
    }
)

FILTER_VALUES = {
    "invalid_choice": "no-such-choice",
    "validation_invalid": "not-a-value",
    "datetime_out_of_range": "0001-01-01T00:00:00%2B01:00",
    "timezone_required": "2026-05-04T10:00:00",
}


def filter_cases(world: World, operation: Operation, code: str) -> Iterator[Call]:
    if operation[0] != "get" or code not in FILTER_VALUES:
        return
    filterset = getattr(view_class(operation, world), "filterset_class", None)
    for name in getattr(filterset, "base_filters", {}):
        yield Call(world, operation, query=f"{name}={FILTER_VALUES[code]}")
