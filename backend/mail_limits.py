"""How many account e-mails one address receives: the sign-up link, the notice that someone
tried to sign up with a taken address, and the link to choose a new password.

Anyone can ask for these by typing an address into a form (the web pages or the API), so
without a bound they would be a way to flood someone's inbox. The API's per-client throttle
does not cover the web pages, nor a guesser with many clients; this bound is per address,
whoever asks and however: at most QUARTIER_ACCOUNT_EMAILS_PER_HOUR in each hour of the clock.
Past it the request is answered as always (the answer tells nothing about the address) and
nothing is sent or changed.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.core.cache import cache

from backend import clock
from backend.config import config

WINDOW = timedelta(hours=1)


def _key(email: str) -> str:
    # The address is hashed (cache keys must be short and plain, and need not show it); the
    # window is the current one on Quartier's clock, so each window counts afresh.
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    window = int(clock.now().timestamp() // WINDOW.total_seconds())
    return f"account-mail:{window}:{digest}"


def account_mail_allowed(*, email: str) -> bool:
    """Count one account e-mail to `email`; False once the window's allowance is used up (the
    caller then sends nothing)."""
    key, seconds = _key(email), int(2 * WINDOW.total_seconds())
    cache.add(key, 0, timeout=seconds)
    try:
        sent = cache.incr(key)
    except ValueError:  # the cache dropped the key between the two calls
        cache.set(key, 1, timeout=seconds)
        sent = 1
    return sent <= config().account_emails_per_hour
