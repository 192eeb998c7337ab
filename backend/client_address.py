"""Who is asking: the client's IP address, trusting X-Forwarded-For only as far as configured."""

from __future__ import annotations

from django.http import HttpRequest

from backend.config import config


def client_ip(request: HttpRequest) -> str:
    """The client's address, as DRF's throttles see it (NUM_PROXIES = QUARTIER_TRUSTED_PROXIES).

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    with N of them the client is the N-th entry from the right; anything further left was
    written by the client. With none, the header is ignored and the peer address counts.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    proxies = config().trusted_proxies
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies == 0 or not forwarded:
        return remote
    addresses = [address.strip() for address in str(forwarded).split(",")]
    return addresses[-min(proxies, len(addresses))] or remote
