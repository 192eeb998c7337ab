"""What localstripe lacks for Quartier's direct charges, added to its own app and classes.

`install(state_dir)` runs once, in the emulator's process, before the server starts.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import os
import pickle
import re
import sys
import time
import typing
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import stripe.params
from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError

from stripe_emulator import twint
from stripe_emulator.accounts import (
    Account,
    _account_link_create,
    _deauthorize_account,
    _onboarding_page,
    _set_account_state,
    refusal,
)
from stripe_emulator.declines import install_declines

# The connected account a request acts for (its Stripe-Account header), None: the platform.
current_account: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "stripe_account", default=None
)

# Stripe's Swiss card price for domestic cards: 2.9 % + CHF 0.30.
FEE_PERCENT_TENTHS = 29
FEE_FIXED_MINOR = 30


def stripe_fee(amount: int) -> int:
    """Stripe's processing fee on a captured amount, rounded half up to a minor unit."""
    return (amount * FEE_PERCENT_TENTHS + 500) // 1000 + FEE_FIXED_MINOR


# --- The store: a file in the state folder, scoped by account ----------------------------------


class _StoreState:
    path: Path | None = None
    last_dump = 0.0


def _visible(obj: Any) -> bool:
    if isinstance(obj, Account):
        return True
    owner = getattr(obj, "_account", None)
    return owner == current_account.get()


def _store_get(self: resources.Store, key: str, default: Any = None) -> Any:
    obj = dict.get(self, key, default)
    if obj is not default and not _visible(obj):
        return default
    return obj


def _store_items(self: resources.Store) -> list[tuple[str, Any]]:
    return [(key, obj) for key, obj in dict.items(self) if _visible(obj)]


def _store_setitem(self: resources.Store, key: str, value: Any) -> None:
    dict.__setitem__(self, key, value)


def _store_delitem(self: resources.Store, key: str) -> None:
    dict.__delitem__(self, key)


def _store_dump(self: resources.Store, *, force: bool = False) -> None:
    # localstripe pickles the whole store after every write; once a second is enough here
    # (and once more when the emulator stops).
    if _StoreState.path is None:
        return
    now = time.monotonic()
    if not force and now - _StoreState.last_dump < 1.0:
        return
    _StoreState.last_dump = now
    partial = _StoreState.path.with_suffix(".partial")
    with partial.open("wb") as file:
        pickle.dump(dict(dict.items(self)), file, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(_StoreState.path)


def _store_load(self: resources.Store) -> None:
    if _StoreState.path is None or not _StoreState.path.exists():
        return
    with _StoreState.path.open("rb") as file:
        saved = pickle.load(file)  # noqa: S301 - the emulator's own file in its own folder
    dict.clear(self)
    dict.update(self, saved)
    _index_refunds()


# --- Objects remember their account; events name it --------------------------------------------

_original_init = resources.StripeObject.__init__


def _init_with_account(self: Any, id: str | None = None) -> None:  # noqa: A002 - localstripe's
    _original_init(self, id)
    self._account = current_account.get()


_original_event_init = resources.Event.__init__


def _event_init(self: Any, type: str, data: Any) -> None:  # noqa: A002 - localstripe's
    _original_event_init(self, type, data)
    self.account = current_account.get()
    self.api_version = stripe.api_version
    self.request = {"id": None, "idempotency_key": None}
    self.pending_webhooks = 1


# --- Balance transactions with Stripe's fee ----------------------------------------------------

_original_txn_init = resources.BalanceTransaction.__init__


def _txn_init(self: Any, **kwargs: Any) -> None:
    _original_txn_init(self, **kwargs)
    self.balance_type = "payments"
    if self.type == "charge":
        self.fee = stripe_fee(self.amount)
        self.fee_details = [
            {
                "amount": self.fee,
                "application": None,
                "currency": self.currency,
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ]


# --- Charges: a partial capture captures that much and releases the rest ------------------------


def _charge_capture(self: Any, amount: Any, on_success: Callable[[], None] | None = None) -> None:
    amount = self.amount if amount is None else resources.try_convert_to_int(amount)
    if not (isinstance(amount, int) and 0 < amount <= self.amount):
        raise UserError(
            400,
            f"The amount to capture must be between 1 and {self.amount}.",
            {"code": "amount_too_large", "param": "amount_to_capture"},
        )
    if self.captured or self.status != "succeeded":
        raise UserError(
            400,
            "This PaymentIntent could not be captured because it has a status of "
            f"{'succeeded' if self.captured else self.status}.",
            {"code": "payment_intent_unexpected_state"},
        )
    self.captured = True
    self._amount_captured = amount
    txn = resources.BalanceTransaction(
        amount=amount,
        currency=self.currency,
        description=self.description,
        exchange_rate=1.0,
        reporting_category="charge",
        source=self.id,
        type="charge",
    )
    self.balance_transaction = txn.id
    if on_success is not None:
        on_success()


def _amount_captured(self: Any) -> int:
    if not self.captured:
        return 0
    return getattr(self, "_amount_captured", None) or self.amount


def _amount_refunded(self: Any) -> int:
    refunds = sum(refund.amount for refund in self.refunds._list)
    return refunds + (self.amount - self._amount_captured_value if self.captured else 0)


# Refunds by charge: localstripe finds a charge's refunds by scanning the whole store, several
# times per charge it shows, which grows slower with every object the emulator holds.
_refunds_by_charge: dict[str, list[Any]] = {}


def _charge_refunds(self: Any) -> Any:
    found = resources.List(f"/v1/charges/{self.id}/refunds")
    found._list = sorted(
        _refunds_by_charge.get(self.id, []), key=lambda refund: refund.date, reverse=True
    )
    return found


def _index_refunds() -> None:
    _refunds_by_charge.clear()
    for obj in dict.values(resources.store):
        if isinstance(obj, resources.Refund):
            _refunds_by_charge.setdefault(obj.charge, []).append(obj)


def _refunded(self: Any) -> bool:
    return self.captured and self.amount_refunded >= self.amount


_original_refund_init = resources.Refund.__init__


def _refund_init(
    self: Any,
    charge: Any = None,
    payment_intent: Any = None,
    reason: str | None = None,
    **kwargs: Any,
) -> None:
    if reason not in (None, "duplicate", "fraudulent", "requested_by_customer"):
        raise UserError(400, f"Invalid reason: {reason}", {"param": "reason"})
    amount = resources.try_convert_to_int(kwargs.get("amount"))
    charge_obj = None
    if payment_intent is not None:
        intent = resources.PaymentIntent._api_retrieve(payment_intent)
        charge_obj = intent.latest_charge
    elif charge is not None:
        charge_obj = resources.Charge._api_retrieve(charge)
    if charge_obj is not None:
        if not charge_obj.captured:
            raise UserError(
                400,
                "This charge has not been captured; cancel the PaymentIntent instead.",
                {"code": "charge_not_captured"},
            )
        refunded = sum(refund.amount for refund in charge_obj.refunds._list)
        left = charge_obj._amount_captured_value - refunded
        wanted = left if amount is None else amount
        if left <= 0:
            raise UserError(
                400, "This charge has been refunded already.", {"code": "charge_already_refunded"}
            )
        if isinstance(wanted, int) and wanted > left:
            raise UserError(
                400,
                f"Refund amount ({wanted}) is greater than unrefunded amount on charge ({left}).",
                {"code": "amount_too_large", "param": "amount"},
            )
        kwargs["amount"] = wanted
    _original_refund_init(self, charge=charge, payment_intent=payment_intent, **kwargs)
    self.reason = reason
    _refunds_by_charge.setdefault(self.charge, []).append(self)
    charge_obj = resources.Charge._api_retrieve(self.charge)
    resources.schedule_webhook(resources.Event("charge.refunded", charge_obj))


# --- PaymentIntents: the events and fields of manual capture ----------------------------------

_original_pi_init = resources.PaymentIntent.__init__


def _pi_init(self: Any, description: str | None = None, **kwargs: Any) -> None:
    if "application_fee_amount" in kwargs and current_account.get() is None:
        raise UserError(
            400,
            "Can only apply an application_fee_amount when the PaymentIntent is attempting a "
            "direct payment (using an OAuth key or Stripe-Account header).",
            {"param": "application_fee_amount"},
        )
    fee = resources.try_convert_to_int(kwargs.pop("application_fee_amount", None))
    _original_pi_init(self, **kwargs)
    self.description = description
    self.application_fee_amount = fee


_original_create_charge = resources.PaymentIntent._create_charge


def _pi_create_charge(self: Any, on_failure_now: Callable[[], None]) -> None:
    _original_create_charge(self, on_failure_now)
    if self.status == "requires_capture":
        resources.schedule_webhook(
            resources.Event("payment_intent.amount_capturable_updated", self)
        )


_original_pi_cancel = resources.PaymentIntent._api_cancel.__func__


def _pi_cancel(cls: Any, id: str, cancellation_reason: str | None = None, **kwargs: Any) -> Any:  # noqa: A002
    obj = _original_pi_cancel(cls, id, **kwargs)
    obj.cancellation_reason = cancellation_reason
    resources.schedule_webhook(resources.Event("payment_intent.canceled", obj))
    return obj


def _pi_amount_capturable(self: Any) -> int:
    return self.amount if self.status == "requires_capture" else 0


def _pi_amount_received(self: Any) -> int:
    charge = self.latest_charge
    return charge._amount_captured_value if charge is not None and charge.captured else 0


# --- Faults on demand --------------------------------------------------------------------------


class _Fault:
    def __init__(self, path: str, mode: str, count: int, seconds: float) -> None:
        self.path = re.compile(path)
        self.mode = mode
        self.count = count
        self.seconds = seconds


_faults: list[_Fault] = []


async def _configure_faults(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    if data.get("clear"):
        _faults.clear()
        return web.Response()
    mode = data.get("mode")
    if mode not in ("error", "timeout"):
        raise UserError(400, "mode is error or timeout")
    _faults.append(
        _Fault(
            str(data.get("path", ".*")),
            mode,
            int(data.get("count", 1)),
            float(data.get("seconds", 5)),
        )
    )
    return web.Response()


def _fault_for(request: web.Request) -> _Fault | None:
    for fault in _faults:
        if fault.count > 0 and fault.path.search(f"{request.method} {request.path}"):
            fault.count -= 1
            return fault
    return None


# --- Parameters checked against the SDK's typed definitions -------------------------------------

_PARAMS: list[tuple[str, str, str]] = [
    ("POST", r"^/v1/payment_intents$", "PaymentIntentCreateParams"),
    ("POST", r"^/v1/payment_intents/[^/]+/capture$", "PaymentIntentCaptureParams"),
    ("POST", r"^/v1/payment_intents/[^/]+/cancel$", "PaymentIntentCancelParams"),
    ("POST", r"^/v1/payment_intents/[^/]+/confirm$", "PaymentIntentConfirmParams"),
    ("POST", r"^/v1/payment_methods$", "PaymentMethodCreateParams"),
    ("POST", r"^/v1/refunds$", "RefundCreateParams"),
    ("POST", r"^/v1/accounts$", "AccountCreateParams"),
    ("POST", r"^/v1/account_links$", "AccountLinkCreateParams"),
    ("POST", r"^/v1/customers$", "CustomerCreateParams"),
]
# Keys the SDK's request options add to the TypedDicts; they are headers, never parameters.
_OPTION_KEYS = {"api_key", "stripe_account", "stripe_version", "idempotency_key", "headers"}
# localstripe's Stripe.js sends these along with the parameters.
_CLIENT_KEYS = {"key", "payment_user_agent", "referrer"}


def _typed_params(name: str) -> type:
    return typing.cast(type, getattr(stripe.params, name))


def _unknown_keys(params: type, data: dict[str, Any], prefix: str = "") -> list[str]:
    """The keys of `data` (nested dictionaries too) that `params` does not define."""
    known = set(getattr(params, "__required_keys__", set())) | set(
        getattr(params, "__optional_keys__", set())
    )
    unknown = []
    for key, value in data.items():
        if not prefix and key in _CLIENT_KEYS:
            continue
        if key not in known or key in _OPTION_KEYS:
            unknown.append(f"{prefix}[{key}]" if prefix else key)
            continue
        nested = _nested_params(params, key)
        if nested is not None and isinstance(value, dict):
            unknown += _unknown_keys(nested, value, f"{prefix}[{key}]" if prefix else key)
    return unknown


def _nested_params(params: type, key: str) -> type | None:
    """The TypedDict a key of `params` holds, when its annotation names one."""
    annotation = params.__annotations__.get(key)
    text = annotation if isinstance(annotation, str) else getattr(annotation, "__forward_arg__", "")
    if not text:
        text = str(annotation)
    module = sys.modules[params.__module__]
    for name in re.findall(r"[A-Z][A-Za-z0-9]*Params[A-Za-z0-9]*", text):
        candidate = getattr(module, name, None)
        if candidate is not None and typing.is_typeddict(candidate):
            return typing.cast(type, candidate)
    return None


async def _check_params(request: web.Request) -> None:
    if request.method != "POST":
        return
    for method, pattern, name in _PARAMS:
        if method == request.method and re.match(pattern, request.path):
            data = dict(await server.get_post_data(request, remove_auth=False) or {})
            if request.path in _PUBLISHABLE_KEY_PATHS:
                # What Stripe.js adds beside the parameters: the publishable key.
                data.pop("key", None)
                data.pop("payment_user_agent", None)
            unknown = _unknown_keys(_typed_params(name), data)
            if unknown:
                raise UserError(
                    400,
                    f"Received unknown parameter: {unknown[0]}",
                    {"code": "parameter_unknown", "param": unknown[0]},
                )
            return


# --- Idempotency and account scoping, around every request --------------------------------------

_in_flight: set[str] = set()


def _replayed(stored: tuple[str, int, bytes]) -> web.Response:
    _, status, body = stored
    response = web.Response(body=body, status=status, content_type="application/json")
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _account_in_path(request: web.Request) -> str | None:
    """The account a `/v1/accounts/{id}` request is about."""
    parts = request.path.split("/")
    return parts[3] if len(parts) >= 4 and parts[1:3] == ["v1", "accounts"] else None


@web.middleware
async def connect_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    # Stripe.js (the emulator's, see stripe-connect.js) names the account in the query.
    current_account.set(
        request.headers.get("Stripe-Account") or request.query.get("_stripe_account") or None
    )
    if "_stripe_account" in request.query:
        # Read above; localstripe would take it for one of the call's parameters.
        kept = {k: v for k, v in request.query.items() if k != "_stripe_account"}
        request = request.clone(rel_url=request.rel_url.with_query(kept))
    twint.current_base.set(f"{request.scheme}://{request.host}")
    if request.path.startswith(
        ("/_config/", "/connect/", "/js.stripe.com/", twint.REDIRECT_PREFIX)
    ):
        try:
            return await handler(request)
        except UserError as error:
            return error.to_response()
    refused = refusal(current_account.get() or _account_in_path(request))
    if refused is not None:
        return refused.to_response()
    fault = _fault_for(request)
    if fault is not None and fault.mode == "error":
        return server.json_response(
            {"error": {"type": "api_error", "message": "An unknown error occurred (emulated)."}},
            status=500,
        )
    try:
        await _check_params(request)
    except UserError as error:
        return error.to_response()
    key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
    if key is None:
        response = await handler(request)
    else:
        body = await request.read()
        digest = hashlib.sha256(request.method.encode() + request.path.encode() + body).hexdigest()
        slot = f"_idempotency:{current_account.get()}:{key}"
        stored = dict.get(resources.store, slot)
        if stored is not None:
            if stored[0] != digest:
                return server.json_response(
                    {
                        "error": {
                            "type": "idempotency_error",
                            "message": "Keys for idempotent requests can only be used with the "
                            "same parameters they were first used with.",
                        }
                    },
                    status=400,
                )
            return _replayed(stored)
        if slot in _in_flight:
            return server.json_response(
                {
                    "error": {
                        "type": "idempotency_error",
                        "message": "There is currently another in-progress request using "
                        "this Stripe-Account and Idempotency-Key.",
                    }
                },
                status=409,
            )
        _in_flight.add(slot)
        try:
            response = await handler(request)
        finally:
            _in_flight.discard(slot)
        if isinstance(response, web.Response) and response.status < 500:
            dict.__setitem__(resources.store, slot, (digest, response.status, response.body))
    if fault is not None and fault.mode == "timeout":
        # Done, but the answer comes later than the client waits.
        await asyncio.sleep(fault.seconds)
    return response


# What Stripe.js may do with the publishable key alone (beside localstripe's own list).
_PUBLISHABLE_KEY_PATHS = ("/v1/payment_methods",)


@web.middleware
async def _auth_unless_onboarding(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    if request.path.startswith(("/connect/", twint.REDIRECT_PREFIX)):
        return await handler(request)
    if request.method == "POST" and request.path in _PUBLISHABLE_KEY_PATHS:
        data = await server.get_post_data(request, remove_auth=False) or {}
        key = data.get("key")
        if server.get_api_key(request) is None and isinstance(key, str) and key.startswith("pk_"):
            return await handler(request)
    return await server.auth_middleware(request, handler)


async def _stripe_js(request: web.Request) -> web.Response:
    """localstripe's Stripe.js with Quartier's additions (Connect, createPaymentMethod)."""
    here = Path(__file__).resolve().parent
    script = (Path(server.__file__).resolve().parent / "localstripe-v3.js").read_text()
    script += "\n" + (here / "stripe-connect.js").read_text()
    return web.Response(text=script, content_type="application/javascript")


# --- Installation -------------------------------------------------------------------------------


def install(state_dir: Path | None) -> web.Application:
    """Patch localstripe's classes and app; returns the app to run."""
    _StoreState.path = None if state_dir is None else state_dir / "localstripe.pickle"
    store_cls = resources.Store
    store_cls.get = _store_get
    store_cls.items = _store_items
    store_cls.__setitem__ = _store_setitem
    store_cls.__delitem__ = _store_delitem
    store_cls.dump_to_disk = _store_dump
    store_cls.try_load_from_disk = _store_load

    resources.StripeObject.__init__ = _init_with_account
    resources.Event.__init__ = _event_init
    resources.BalanceTransaction.__init__ = _txn_init
    resources.Charge._capture = _charge_capture
    resources.Charge._amount_captured_value = property(_amount_captured)
    resources.Charge.amount_captured = property(_amount_captured)
    resources.Charge.amount_refunded = property(_amount_refunded)
    resources.Charge.refunded = property(_refunded)
    resources.Charge.refunds = property(_charge_refunds)
    resources.Refund.__init__ = _refund_init
    resources.PaymentIntent.__init__ = _pi_init
    resources.PaymentIntent._create_charge = _pi_create_charge
    resources.PaymentIntent._api_cancel = classmethod(_pi_cancel)
    resources.PaymentIntent.amount_capturable = property(_pi_amount_capturable)
    resources.PaymentIntent.amount_received = property(_pi_amount_received)
    app = server.app
    twint.install_twint(app)
    install_declines()
    # The extra API routes were bound to the old cancel and confirm when localstripe registered
    # them.
    rebound = {
        "/v1/payment_intents/{id}/cancel": resources.PaymentIntent._api_cancel,
        "/v1/payment_intents/{id}/confirm": resources.PaymentIntent._api_confirm,
    }
    for resource in app.router.resources():
        info = resource.get_info()
        if info.get("formatter") in rebound:
            for route in resource:
                route._handler = server.api_extra(rebound[info["formatter"]], "")

    for method, url, make in (
        ("POST", "/v1/accounts", server.api_create),
        ("GET", "/v1/accounts/{id}", server.api_retrieve),
        ("POST", "/v1/accounts/{id}", server.api_update),
        ("GET", "/v1/accounts", server.api_list_all),
    ):
        app.router.add_route(method, url, make(Account, url))
    app.router.add_post("/v1/account_links", _account_link_create)
    app.router.add_get("/connect/onboarding/{id}", _onboarding_page)
    app.router.add_post("/_config/accounts/{id}", _set_account_state)
    app.router.add_post("/_config/accounts/{id}/deauthorize", _deauthorize_account)
    app.router.add_post("/_config/faults", _configure_faults)
    for resource in app.router.resources():
        if resource.get_info().get("path") == "/js.stripe.com/v3/":
            for route in resource:
                route._handler = _stripe_js
    # Stripe's hosted onboarding page needs no API key; localstripe's auth check would refuse it.
    index = list(app.middlewares).index(server.auth_middleware)
    app.middlewares[index] = _auth_unless_onboarding
    app.middlewares.insert(0, connect_middleware)

    async def dump_on_stop(_app: web.Application) -> None:
        _store_dump(resources.store, force=True)

    app.on_shutdown.append(dump_on_stop)
    os.environ.setdefault("TZ", "UTC")
    return app
