"""TWINT, which localstripe lacks: a payment method that cannot be held, paid through a redirect.

As at Stripe: a PaymentIntent created with `allowed_payment_method_types=["twint"]` (CHF only,
no manual capture) waits in `requires_payment_method`; confirming it with
`payment_method_data[type]=twint` and a `return_url` answers `requires_action` with
`next_action.redirect_to_url`; the customer authorises (or fails) the payment on the emulator's
stand-in for TWINT's page, which takes the charge at once (with its balance transaction and
Stripe's fee), sends `payment_intent.succeeded` (or `payment_intent.payment_failed`) and sends
the customer back to the `return_url` with `payment_intent`, `payment_intent_client_secret` and
`redirect_status`, as Stripe does.
"""

from __future__ import annotations

import contextvars
import html
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from localstripe import resources
from localstripe.errors import UserError

# Where the emulator answers (scheme://host of the request), for the redirect URLs it makes.
current_base: contextvars.ContextVar[str] = contextvars.ContextVar(
    "emulator_base", default="http://127.0.0.1:8420"
)

REDIRECT_PREFIX = "/pm-redirects/"
_SUPPORTED_TYPES = ("card", "twint")


# --- PaymentMethods of type twint ---------------------------------------------------------------

_original_pm_init = resources.PaymentMethod.__init__


def _pm_init(self: Any, type: str | None = None, **kwargs: Any) -> None:  # noqa: A002 - Stripe's
    if type != "twint":
        _original_pm_init(self, type=type, **kwargs)
        return
    twint = kwargs.pop("twint", None)
    billing_details = kwargs.pop("billing_details", None)
    metadata = kwargs.pop("metadata", None)
    if kwargs:
        raise UserError(400, f"Received unknown parameter: {next(iter(kwargs))}")
    if twint not in (None, {}) and not isinstance(twint, dict):
        raise UserError(400, "Invalid twint", {"param": "twint"})
    resources.StripeObject.__init__(self)
    self.type = "twint"
    self.twint = {}
    self.billing_details = billing_details or {}
    self.customer = None
    self.metadata = metadata or {}


# --- PaymentIntents that allow twint ------------------------------------------------------------


def _types_of(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, dict):
        value = [value[key] for key in sorted(value, key=int)]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise UserError(
            400, "Invalid allowed_payment_method_types", {"param": "allowed_payment_method_types"}
        )
    for name in value:
        if name not in _SUPPORTED_TYPES:
            raise UserError(
                400,
                f"The payment method type {name!r} is invalid.",
                {
                    "code": "payment_intent_invalid_parameter",
                    "param": "allowed_payment_method_types",
                },
            )
    return value


def wrap_pi_init(previous: Any) -> Any:
    def _pi_init(self: Any, **kwargs: Any) -> None:
        types = _types_of(kwargs.pop("allowed_payment_method_types", None))
        if types is not None and "twint" in types:
            if str(kwargs.get("currency", "")).lower() != "chf":
                raise UserError(
                    400,
                    f"The currency provided ({kwargs.get('currency')}) is invalid for twint: "
                    "it takes chf only.",
                    {"code": "payment_intent_invalid_parameter", "param": "currency"},
                )
            if kwargs.get("capture_method") == "manual":
                raise UserError(
                    400,
                    "The payment method type twint does not support capture_method=manual.",
                    {"code": "payment_intent_invalid_parameter", "param": "capture_method"},
                )
        previous(self, **kwargs)
        self.allowed_payment_method_types = types
        self.payment_method_types = types or ["card"]

    return _pi_init


def _is_twint(intent: Any) -> bool:
    return "twint" in (getattr(intent, "payment_method_types", None) or [])


def wrap_pi_confirm(previous: Any) -> Any:
    def _pi_confirm(
        cls: Any,
        id: str,  # noqa: A002 - localstripe's
        payment_method_data: Any = None,
        return_url: str | None = None,
        **kwargs: Any,
    ) -> Any:
        intent = cls._api_retrieve(id)
        if not _is_twint(intent):
            if payment_method_data is not None or return_url is not None:
                raise UserError(400, "Not implemented for cards in the emulator")
            return previous(cls, id, **kwargs)
        if kwargs:
            raise UserError(400, f"Received unknown parameter: {next(iter(kwargs))}")
        if intent.status not in ("requires_payment_method", "requires_confirmation"):
            raise UserError(
                400,
                "You cannot confirm this PaymentIntent because it has a status of "
                f"{intent.status}.",
                {"code": "payment_intent_unexpected_state"},
            )
        if not isinstance(payment_method_data, dict) or payment_method_data.get("type") != "twint":
            raise UserError(
                400,
                "payment_method_data[type] must be twint for this PaymentIntent.",
                {"code": "payment_intent_invalid_parameter", "param": "payment_method_data"},
            )
        if not return_url:
            raise UserError(
                400,
                "A return_url must be specified because this PaymentIntent uses a payment "
                "method that redirects the customer.",
                {"code": "parameter_missing", "param": "return_url"},
            )
        method = resources.PaymentMethod(type="twint")
        intent.payment_method = method.id
        intent._authentication_failed = False
        intent.next_action = {
            "type": "redirect_to_url",
            "redirect_to_url": {
                "return_url": return_url,
                "url": f"{current_base.get()}{REDIRECT_PREFIX}twint/{intent.id}",
            },
        }
        resources.schedule_webhook(resources.Event("payment_intent.requires_action", intent))
        return intent

    return _pi_confirm


# --- The stand-in for TWINT's authorisation page ------------------------------------------------


def _intent_for_page(request: web.Request) -> Any:
    intent = dict.get(resources.store, "payment_intent:" + request.match_info["id"])
    if intent is None or not _is_twint(intent):
        raise web.HTTPNotFound(text="No such TWINT payment.")
    return intent


async def twint_page(request: web.Request) -> web.StreamResponse:
    """GET: the page the customer's browser is sent to; POST `action=authorize|fail`: the
    customer's answer in the TWINT app, then back to the `return_url`."""
    from stripe_emulator.connect import current_account

    intent = _intent_for_page(request)
    current_account.set(getattr(intent, "_account", None))
    waiting = (
        intent.status == "requires_action"
        and (intent.next_action or {}).get("type") == "redirect_to_url"
    )
    if request.method == "GET":
        amount = f"{intent.amount / 100:.2f} {str(intent.currency).upper()}"
        state = "" if waiting else f"<p>This payment is {html.escape(intent.status)}.</p>"
        buttons = (
            '<form method="post"><button name="action" value="authorize">'
            "Authorize test payment</button> "
            '<button name="action" value="fail">Fail test payment</button></form>'
            if waiting
            else ""
        )
        return web.Response(
            content_type="text/html",
            text=(
                '<!doctype html><html lang="en"><head><meta charset="utf-8">'
                "<title>TWINT test payment</title></head><body><main>"
                f"<h1>TWINT test payment</h1><p>Amount: {html.escape(amount)}</p>"
                f"{state}{buttons}</main></body></html>"
            ),
        )
    form = await request.post()
    action = form.get("action")
    if action not in ("authorize", "fail"):
        raise UserError(400, "action is authorize or fail")
    if not waiting:
        raise UserError(
            400,
            f"This PaymentIntent is {intent.status}, not waiting for the customer.",
            {"code": "payment_intent_unexpected_state"},
        )
    return_url = str(intent.next_action["redirect_to_url"]["return_url"])
    intent.next_action = None
    if action == "authorize":
        intent._create_charge(on_failure_now=intent._report_failure)
        status = "succeeded"
    else:
        intent._authentication_failed = True
        intent.payment_method = None
        resources.schedule_webhook(resources.Event("payment_intent.payment_failed", intent))
        status = "failed"
    query = urlencode(
        {
            "payment_intent": intent.id,
            "payment_intent_client_secret": intent.client_secret,
            "redirect_status": status,
        }
    )
    raise web.HTTPSeeOther(f"{return_url}{'&' if '?' in return_url else '?'}{query}")


def install_twint(app: web.Application) -> None:
    resources.PaymentMethod.__init__ = _pm_init
    resources.PaymentIntent.__init__ = wrap_pi_init(resources.PaymentIntent.__init__)
    confirm = wrap_pi_confirm(resources.PaymentIntent._api_confirm.__func__)
    resources.PaymentIntent._api_confirm = classmethod(confirm)
    app.router.add_route("*", f"{REDIRECT_PREFIX}twint/{{id}}", twint_page)
