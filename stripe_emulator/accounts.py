"""Connect's Express accounts and account links, which localstripe lacks: stateful accounts
in Stripe's object shape, an onboarding page that verifies the account and sends
`account.updated`, a test hook to move an account's verification state, and one to have the
account remove the platform's access (`account.application.deauthorized`)."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

from aiohttp import web
from localstripe import resources, server
from localstripe.errors import UserError

_TEMPLATES_FILE = Path(__file__).with_name("objects.json")


def _template(name: str) -> dict[str, Any]:
    with _TEMPLATES_FILE.open() as file:
        return json.load(file)[name]


ONBOARDING_DUE = [
    "business_profile.mcc",
    "business_profile.url",
    "external_account",
    "individual.dob.day",
    "individual.first_name",
    "individual.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]


class Account(resources.StripeObject):
    object = "account"
    _id_prefix = "acct_"

    def __init__(
        self,
        type: str | None = None,  # noqa: A002 - Stripe's parameter
        country: str | None = None,
        email: str | None = None,
        metadata: dict[str, str] | None = None,
        default_currency: str | None = None,
        **kwargs: Any,
    ) -> None:
        if type not in ("express", "standard", "custom", None):
            raise UserError(400, f"Invalid type: {type}", {"param": "type"})
        super().__init__()
        template = _template("account")
        for key, value in template.items():
            if key not in ("id", "object", "created"):
                setattr(self, key, value)
        self.type = type or "express"
        self.country = (country or "CH").upper()
        self.default_currency = (default_currency or "chf").lower()
        self.email = email
        self.metadata = metadata or {}
        self.capabilities = dict.fromkeys(kwargs.get("capabilities") or {}, "inactive")
        self.external_accounts = {
            "object": "list",
            "data": [],
            "has_more": False,
            "url": f"/v1/accounts/{self.id}/external_accounts",
        }
        self._set_state("details_missing")

    def _set_state(self, state: str) -> None:
        """Move the account as Stripe's verification would: details missing → pending
        verification → charges enabled → payouts enabled."""
        order = ["details_missing", "pending_verification", "charges_enabled", "payouts_enabled"]
        if state not in order:
            raise UserError(400, f"Unknown account state {state}")
        level = order.index(state)
        self.details_submitted = level >= 1
        self.charges_enabled = level >= 2
        self.payouts_enabled = level >= 3
        due = [] if level >= 1 else list(ONBOARDING_DUE)
        self.requirements = {
            "alternatives": [],
            "current_deadline": None,
            "currently_due": due,
            "disabled_reason": (
                "requirements.past_due"
                if level == 0
                else "requirements.pending_verification"
                if level == 1
                else None
            ),
            "errors": [],
            "eventually_due": due,
            "past_due": [],
            "pending_verification": ["individual.verification.document"] if level == 1 else [],
        }
        self.capabilities = dict.fromkeys(
            self.capabilities or ["card_payments", "transfers"],
            "active" if level >= 2 else "pending" if level == 1 else "inactive",
        )
        resources.schedule_webhook(resources.Event("account.updated", self))

    @classmethod
    def _api_list_all(
        cls, url: str, limit: Any = None, starting_after: Any = None, **kwargs: Any
    ) -> Any:
        return super()._api_list_all(url, limit=limit, starting_after=starting_after)


class Application(resources.StripeObject):
    """The platform's Connect application, the object of `account.application.*` events."""

    object = "application"
    _id_prefix = "ca_"

    def __init__(self) -> None:
        super().__init__()
        self.name = "Quartier"


def refusal(account_id: str | None) -> UserError | None:
    """Stripe's answer to a request for an account that removed the platform's access (kept on
    the account, so in the emulator's state file too)."""
    account = resources.store.get(f"account:{account_id}") if account_id else None
    if not getattr(account, "_deauthorized", False):
        return None
    return UserError(
        403,
        f"The provided key does not have access to account '{account_id}' (or that account "
        "does not exist). Application access may have been revoked.",
        {"code": "account_invalid"},
    )


async def _account_link_create(request: web.Request) -> web.Response:
    data = await server.get_post_data(request) or {}
    account_id = data.get("account")
    for name in ("account", "refresh_url", "return_url", "type"):
        if not data.get(name):
            raise UserError(400, f"Missing required param: {name}.", {"param": name})
    if data["type"] not in ("account_onboarding", "account_update"):
        raise UserError(400, f"Invalid type: {data['type']}", {"param": "type"})
    Account._api_retrieve(account_id)
    refused = refusal(account_id)
    if refused is not None:
        raise refused
    now = int(time.time())
    link = _template("account_link")
    link.update(
        {
            "created": now,
            "expires_at": now + 300,
            "url": (
                f"{request.scheme}://{request.host}/connect/onboarding/{account_id}"
                f"?token={secrets.token_urlsafe(12)}&return_url={_quote(data['return_url'])}"
            ),
        }
    )
    return server.json_response(link)


def _quote(value: str) -> str:
    from urllib.parse import quote

    return quote(value, safe="")


async def _onboarding_page(request: web.Request) -> web.Response:
    """The emulator's stand-in for Stripe's hosted onboarding: completing it verifies the
    account (charges and payouts enabled) and sends `account.updated`; then back to Quartier."""
    account = Account._api_retrieve(request.match_info["id"])
    account._set_state(request.query.get("state", "payouts_enabled"))
    return_url = request.query.get("return_url")
    if return_url:
        raise web.HTTPFound(return_url)
    return web.Response(text=f"Account {account.id} is verified.")


async def _set_account_state(request: web.Request) -> web.Response:
    """Test hook: move an account to a verification state (and send `account.updated`)."""
    data = await server.get_post_data(request) or {}
    account = Account._api_retrieve(request.match_info["id"])
    account._set_state(str(data.get("state", "")))
    return server.json_response(account._export())


async def _deauthorize_account(request: web.Request) -> web.Response:
    """Test hook: the account removes the platform's access, as its owner can at Stripe. Every
    later request for it is refused (403 `account_invalid`) and `account.application.deauthorized`
    is sent, naming the account; the answer is that event, as sent."""
    account = Account._api_retrieve(request.match_info["id"])
    account._deauthorized = True
    event = resources.Event("account.application.deauthorized", Application())
    event.account = account.id
    resources.schedule_webhook(event)
    return server.json_response(event._export())
