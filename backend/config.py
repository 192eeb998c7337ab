"""Quartier's own settings, typed and checked once when the process starts.

`settings.QUARTIER` holds one `QuartierConfig`, read from the environment by
`QuartierConfig.from_env()`; a bad value stops the start with a message naming the variable.
Code reads it through `config()`, which follows `override_settings` in tests.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

T = TypeVar("T")

# TWINT's own payment page (its code to scan, or the button that opens the TWINT app), where
# Stripe's live TWINT redirect leads the customer on to.
TWINT_PAYMENT_PAGE = "https://pay.twint.ch"

# The settings with a lower bound, and that bound.
_AT_LEAST: tuple[tuple[str, float], ...] = (
    ("offer_batch_size", 1),
    ("offer_ttl_minutes", 1),
    ("match_initial_radius_km", 0.1),
    ("match_radius_step_km", 0.1),
    ("rating_prior_mean", 1),
    ("rating_prior_weight", 0),
    ("score_weight_distance", 0),
    ("score_weight_rating", 0),
    ("score_weight_reliability", 0),
    ("fairness_margin", 0),
    ("fairness_band_limit", 0),
    ("fairness_new_helper_bonus", 0),
    ("fairness_new_helper_days", 0),
    ("fairness_new_helper_visits", 0),
    ("max_open_requests_per_customer", 1),
    ("max_requests_per_customer_per_day", 1),
    ("max_windows_per_request", 1),
    ("max_request_days_ahead", 1),
    ("max_rematches_per_request", 0),
    ("late_cancellation_hours", 0),
    ("no_show_grace_minutes", 0),
    ("auto_sign_off_hours", 1),
    ("review_window_days", 1),
    ("max_request_body_bytes", 1024),
    ("trusted_proxies", 0),
    ("login_failures_per_client", 1),
    ("login_failures_per_account", 1),
    ("account_emails_per_hour", 1),
    ("stripe_timeout_seconds", 0.1),
    ("stripe_webhook_tolerance_seconds", 1),
    ("cancellation_fee_percent", 0),
    ("stripe_fee_fixed_minor", 0),
    ("hold_max_days_ahead", 1),
    ("hold_days_before_visit", 0),
    ("tip_min_minor", 1),
    ("vetting_target_days", 1),
    ("document_max_bytes", 1024),
    ("document_uploads_per_day", 1),
    ("document_bytes_per_applicant", 1024),
    ("document_retention_days", 0),
)

# The links in e-mails, and the part each must contain.
_LINK_PARTS = (
    ("verify_email_url", "{token}"),
    ("request_page_url", "{public_id}"),
    ("visit_page_url", "{public_id}"),
)


@dataclass(frozen=True)
class QuartierConfig:
    # Matching and offers
    offer_batch_size: int = 3
    offer_ttl_minutes: int = 30
    match_initial_radius_km: float = 5.0
    match_radius_step_km: float = 5.0
    match_max_radius_km: float = 25.0
    rating_prior_mean: float = 4.0
    rating_prior_weight: float = 5.0
    score_weight_distance: float = 0.5
    score_weight_rating: float = 0.3
    score_weight_reliability: float = 0.2
    # Fairness: helpers whose scores lie within this margin count as equally good: those with
    # the fewest offers today are asked first, and nobody scoring more than this above a helper
    # asked is passed over (0 turns it off; README "Benchmarks" has the trade-off).
    fairness_margin: float = 0.075
    # How many of the equally good (within the margin) fairness weighs besides the best
    # offer_batch_size: the nearest so many. It bounds the work of a request where helpers are
    # dense (0: all of them; README "Benchmarks" has the trade-off).
    fairness_band_limit: int = 16
    # A fair start: helpers approved in the last N days with fewer than M completed visits get
    # this much added to their score (0 turns it off).
    fairness_new_helper_bonus: float = 0.05
    fairness_new_helper_days: int = 30
    fairness_new_helper_visits: int = 3
    # Customers
    max_open_requests_per_customer: int = 3
    # Requests one customer posts within 24 hours, withdrawn ones too: each is offered to
    # helpers at once (a push each), so posting and withdrawing again and again would pester them.
    max_requests_per_customer_per_day: int = 10
    max_windows_per_request: int = 5
    max_request_days_ahead: int = 60
    # How often a customer's change of place, times or languages may make matching start over
    # for one request (each time the pending offers are withdrawn and new helpers asked).
    max_rematches_per_request: int = 3
    # Visits
    late_cancellation_hours: int = 24
    no_show_grace_minutes: int = 30
    auto_sign_off_hours: int = 48
    review_window_days: int = 7
    currency: str = "CHF"
    # Requests: the largest body the server reads at all (bytes). Keep the reverse proxy's own
    # cap (nginx: client_max_body_size) at the same value.
    max_request_body_bytes: int = 10 * 1024 * 1024
    # How many reverse proxies in front of Quartier append to X-Forwarded-For; the client is
    # the address the outermost of them saw. 0: the header is ignored (a client can write it).
    trusted_proxies: int = 0
    # Failed log-ins before a lock: from one client for one account (the lock grows with each
    # repetition), and for one account from all clients together (clients that logged in to
    # the account before are not locked by it).
    login_failures_per_client: int = 5
    login_failures_per_account: int = 20
    # Account e-mails (sign-up links and notices, password-reset links) to one address within an
    # hour, however many times someone asks for them (backend/mail_limits.py).
    account_emails_per_hour: int = 5
    # Links in e-mails: the pages of the web or phone app that finish a sign-up (they post the
    # token to /api/v1/auth/verify-email) and that reset a forgotten password.
    verify_email_url: str = "http://127.0.0.1:8000/verify-email?token={token}"
    password_reset_url: str = "http://127.0.0.1:8000/password-reset"  # noqa: S105 - a page
    # The web page of a customer's request, linked from the e-mails about it.
    request_page_url: str = "http://127.0.0.1:8000/requests/{public_id}/"
    # The web page of a helper's visit, linked from the e-mails to the helper about it.
    visit_page_url: str = "http://127.0.0.1:8000/helper/visits/{public_id}/"
    # The applicant's page (the steps, the documents, the way to the code-of-conduct test),
    # linked from the e-mails that ask them to do the next step.
    helper_application_url: str = "http://127.0.0.1:8000/helper/application"
    # Payments (Stripe). Without a secret key Quartier talks to the local emulator
    # (`python -m stripe_emulator`, started by `manage.py run`) at stripe_api_base.
    stripe_secret_key: str = ""
    stripe_publishable_key: str = "pk_test_quartier"
    stripe_api_base: str = "http://127.0.0.1:8420"
    stripe_webhook_secret: str = "whsec_quartier_development"  # noqa: S105 - development only
    # Where the pages load Stripe.js from; empty: Stripe's own (https://js.stripe.com/v3/) with
    # a secret key, else the emulator's (<stripe_api_base>/js.stripe.com/v3/). The pages' CSP
    # allows exactly this script's origin (and the API's for the calls it makes).
    stripe_js_url: str = ""
    # Seconds a call to Stripe may take; seconds a webhook's timestamp may be old.
    stripe_timeout_seconds: float = 20.0
    stripe_webhook_tolerance_seconds: int = 300
    # What a customer's late cancellation or no-show pays the helper, in percent of the price.
    cancellation_fee_percent: int = 50
    # Who bears Stripe's processing fee on a direct charge: "helper" (the charge is the price,
    # the helper receives the price less the fee) or "customer" (the charge is grossed up so
    # that the helper receives exactly the price). Quartier's fee is 0 either way.
    stripe_fee_paid_by: str = "helper"
    # Stripe's published card price, to gross a charge up: tenths of a percent, and fixed.
    # The fee a receipt shows is always Stripe's actual one, from the balance transaction.
    stripe_fee_percent_tenths: int = 29
    stripe_fee_fixed_minor: int = 30
    # Card holds expire after about 7 days: a visit further out than this many days is held
    # by a task this many days before it starts.
    hold_max_days_ahead: int = 5
    hold_days_before_visit: int = 2
    # A tip after sign-off (once per visit, all of it to the helper): the least and the most
    # a customer may give, in minor units (Rappen).
    tip_min_minor: int = 100
    tip_max_minor: int = 20000
    # Vetting: whether every applicant is interviewed before approval, and how many days an
    # application should wait at most for the manager (the queue shows each against it).
    vetting_interview_required: bool = False
    vetting_target_days: int = 3
    # Applicants' documents: the largest upload (bytes), how many days after the decision on
    # the application the files are deleted, where they
    # are stored (a directory the web server never serves; settings.py sets the default under
    # var/), and the Fernet key(s) that encrypt them: comma-separated, the first encrypts,
    # all decrypt (key rotation). Without a key, development derives one from the secret key.
    document_max_bytes: int = 5 * 1024 * 1024
    # An applicant's uploads: how many within 24 hours, and how many bytes their documents in
    # force hold together (an upload counted without the document it replaces): re-uploads
    # must not fill the disk or keep the checks busy.
    document_uploads_per_day: int = 10
    document_bytes_per_applicant: int = 10 * 1024 * 1024
    document_retention_days: int = 30
    document_dir: str = ""
    document_key: str = ""
    # The manager's map: the tile server ({z}/{x}/{y} placeholders, {s} for a subdomain) and
    # the attribution its licence asks for. The Content-Security-Policy allows its images.
    map_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_tile_attribution: str = "© OpenStreetMap contributors"

    def __post_init__(self) -> None:
        problems = [
            f"QUARTIER_{name.upper()} {why}" for name, why in self._problems() if why is not None
        ]
        if problems:
            raise ImproperlyConfigured("; ".join(problems))

    def _problems(self) -> list[tuple[str, str | None]]:
        def at_least(name: str, low: float) -> tuple[str, str | None]:
            value = getattr(self, name)
            return name, None if value >= low else f"must be at least {low:g}, got {value!r}"

        checks = [at_least(name, low) for name, low in _AT_LEAST]
        if self.hold_days_before_visit > self.hold_max_days_ahead:
            checks.append(
                ("hold_days_before_visit", "must not exceed QUARTIER_HOLD_MAX_DAYS_AHEAD")
            )
        if self.tip_max_minor < self.tip_min_minor:
            checks.append(("tip_max_minor", "must not be below QUARTIER_TIP_MIN_MINOR"))
        if self.stripe_fee_paid_by not in ("helper", "customer"):
            checks.append(("stripe_fee_paid_by", "must be helper or customer"))
        if not 0 <= self.stripe_fee_percent_tenths < 1000:
            checks.append(("stripe_fee_percent_tenths", "must be from 0 to 999"))
        if self.cancellation_fee_percent > 100:
            checks.append(("cancellation_fee_percent", "must be at most 100"))
        if self.document_key and not _fernet_keys_valid(self.document_key):
            checks.append(
                (
                    "document_key",
                    "must be Fernet keys (32 url-safe base64-encoded bytes each), comma-separated",
                )
            )
        if not self.map_tile_url.startswith(("https://", "http://")) or not all(
            part in self.map_tile_url for part in ("{z}", "{x}", "{y}")
        ):
            checks.append(("map_tile_url", "must be an http(s) URL with {z}, {x} and {y}"))
        if self.match_max_radius_km < self.match_initial_radius_km:
            checks.append(
                ("match_max_radius_km", "must not be smaller than QUARTIER_MATCH_INITIAL_RADIUS_KM")
            )
        if self.rating_prior_mean > 5:
            checks.append(("rating_prior_mean", f"must be at most 5, got {self.rating_prior_mean}"))
        weights = self.score_weight_distance + self.score_weight_rating
        if weights + self.score_weight_reliability <= 0:
            checks.append(("score_weight_distance", "and the other score weights are all 0"))
        for link, part in _LINK_PARTS:
            if part not in getattr(self, link):
                checks.append((link, f"must contain {part}"))
        if self.currency not in {"CHF", "EUR"}:
            checks.append(("currency", f"must be CHF or EUR, got {self.currency!r}"))
        return checks

    @property
    def stripe_js(self) -> str:
        """Stripe.js's address: the setting, Stripe's own with a secret key, else the
        emulator's."""
        if self.stripe_js_url:
            return self.stripe_js_url
        if self.stripe_secret_key:
            return "https://js.stripe.com/v3/"
        return f"{self.stripe_api_base.rstrip('/')}/js.stripe.com/v3/"

    @property
    def stripe_js_sources(self) -> dict[str, list[str]]:
        """What a page with Stripe.js adds to its Content-Security-Policy: Stripe.js's origin
        for the script (and, for Stripe's own, its card frames), and the API it calls."""
        script = _origin(self.stripe_js)
        api = "https://api.stripe.com" if self.stripe_secret_key else _origin(self.stripe_api_base)
        sources = {"script-src": [script], "connect-src": [api]}
        if self.stripe_secret_key:
            sources["frame-src"] = [script]
        return sources

    @property
    def stripe_redirect_sources(self) -> dict[str, list[str]]:
        """What a page whose form leads on to Stripe's own pages (the payout account's
        onboarding, TWINT) adds to its Content-Security-Policy: a browser follows a form's
        redirect only to an origin its form-action names. Stripe's pages with a secret key,
        else the emulator's."""
        if self.stripe_secret_key:
            return {"form-action": ["https://*.stripe.com"]}
        return {"form-action": [_origin(self.stripe_api_base)]}

    @property
    def twint_redirect_sources(self) -> dict[str, list[str]]:
        """What the page whose forms pay or tip with TWINT adds to its Content-Security-Policy.

        With Stripe itself the form's redirect goes on from Stripe's page
        (`next_action.redirect_to_url`) to TWINT's own payment page, where the customer scans
        the code or opens the TWINT app; a browser checks every hop of a form's redirects
        against form-action, so TWINT's origin is named too. The emulator has no such page."""
        sources = self.stripe_redirect_sources
        if self.stripe_secret_key:
            return {"form-action": [*sources["form-action"], TWINT_PAYMENT_PAGE]}
        return sources

    @property
    def map_tile_origin(self) -> str:
        """The tile server's origin as a Content-Security-Policy source ({s} as a wildcard)."""
        scheme, _, rest = self.map_tile_url.partition("://")
        host = rest.split("/", 1)[0].replace("{s}", "*")
        return f"{scheme}://{host}"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> QuartierConfig:
        """Each field from `QUARTIER_<FIELD>` when set, else its default."""
        environ = dict(os.environ if environ is None else environ)
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = environ.get(f"QUARTIER_{field.name.upper()}", "").strip()
            if raw:
                values[field.name] = _parse(f"QUARTIER_{field.name.upper()}", raw, field.type)
        return cls(**values)

    def with_values(self, **values: Any) -> QuartierConfig:
        """A copy with some values changed (names in lower or upper case), checked again."""
        lowered = {name.lower(): value for name, value in values.items()}
        unknown = set(lowered) - {field.name for field in fields(self)}
        if unknown:
            raise KeyError(f"not Quartier settings: {', '.join(sorted(unknown))}")
        return replace(self, **lowered)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _origin(url: str) -> str:
    """scheme://host[:port] of a URL."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _fernet_keys_valid(keys: str) -> bool:
    try:
        for key in keys.split(","):
            if len(base64.urlsafe_b64decode(key.strip().encode("ascii"))) != 32:
                return False
    except (ValueError, binascii.Error):
        return False
    return True


def development_document_key(secret_key: str) -> str:
    """The documents' Fernet key when none is set: derived from the (development) secret key,
    so it stays the same between starts. Never used in production (settings.py refuses)."""
    digest = hashlib.sha256(f"quartier-documents:{secret_key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")


def _parse_bool(raw: str) -> bool:
    lowered = raw.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(raw)


def _parse(name: str, raw: str, kind: Any) -> Any:
    parsers: dict[str, Callable[[str], Any]] = {
        "int": int,
        "float": float,
        "str": str,
        "bool": _parse_bool,
    }
    try:
        return parsers[str(kind)](raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a {kind}, got {raw!r}") from exc


def config() -> QuartierConfig:
    """The settings in force (read afresh, so `override_settings` in tests is honoured)."""
    value = settings.QUARTIER
    if not isinstance(value, QuartierConfig):
        raise ImproperlyConfigured("settings.QUARTIER must be a backend.config.QuartierConfig")
    return value
