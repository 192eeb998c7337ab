"""Where a push is posted: only to the public internet.

A subscription's endpoint names its push service by a domain name on https's port
(`realtime.push`), but a name resolves to whatever its owner says: 127.0.0.1, an address of
the network Quartier runs in, the cloud's metadata service. So the name is resolved, every
address it gives must be public, and the request then connects to the address checked, never
to an answer the name gives a moment later (DNS rebinding): `pinned_session` hands pywebpush a
requests session whose connections go to that address, while TLS still names the push
service (SNI) and checks its certificate against the name, and the `Host` header names it too.
The session follows no redirects (a push service answers, it does not send Quartier on).

Behind an outbound proxy (HTTPS_PROXY or https_proxy, unless NO_PROXY / no_proxy names the push
service) the proxy is what connects: Quartier still resolves the name and checks every address
it gives, then asks the proxy for a tunnel to the address checked (`CONNECT 203.0.113.5:443`),
never to the name, which the proxy would resolve again, out of our sight; TLS inside the tunnel
still names the push service and checks its certificate. The proxy's own address is
configuration, not checked: it is usually a machine of Quartier's own network.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies, prepend_scheme_if_needed, select_proxy
from urllib3.connectionpool import HTTPConnectionPool

HTTPS_PORT = 443


class PushAddressRefused(Exception):
    """The endpoint's name leads to an address Quartier must not post to (or to none)."""


def is_public_address(address: str) -> bool:
    """Whether `address` (an IP address as getaddrinfo writes it) lies on the public internet:
    not loopback, private, link-local, shared, reserved, multicast or unspecified, nor an IPv6
    address that carries such an IPv4 address (mapped, 6to4, Teredo)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # an IPv6 zone ("fe80::1%eth0")
    if isinstance(ip, ipaddress.IPv6Address):
        carried = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if carried is not None and not is_public_address(str(carried)):
            return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_reserved
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
    )


def public_addresses(host: str, port: int = HTTPS_PORT) -> list[str]:
    """The addresses `host` resolves to, if every one is public (the name's owner chooses
    which one a client takes: a single internal one is enough to refuse the name). Raises
    `PushAddressRefused` otherwise, and OSError (socket.gaierror) when the name does not
    resolve."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(str(answer[4][0]) for answer in answers))
    if not addresses:
        raise PushAddressRefused(f"{host} resolves to no address")
    refused = [address for address in addresses if not is_public_address(address)]
    if refused:
        raise PushAddressRefused(f"{host} resolves to an address that is not public")
    return addresses


def environment_proxy(endpoint: str) -> str | None:
    """The outbound proxy the environment names for `endpoint` (HTTPS_PROXY, ALL_PROXY, in
    capitals or not), None when there is none or NO_PROXY lists the endpoint's name."""
    proxy = select_proxy(endpoint, get_environ_proxies(endpoint))
    return prepend_scheme_if_needed(proxy, "http") if proxy else None


class _PinnedAdapter(HTTPAdapter):
    """Sends every request of its session to one checked address, naming the host in TLS
    (SNI, certificate check) and in the `Host` header as if it had been resolved there;
    through `proxy`, when given, by a tunnel to that address."""

    def __init__(self, hostname: str, address: str, proxy: str | None = None) -> None:
        self.hostname = hostname
        self.address = address
        self.proxy = proxy
        super().__init__(max_retries=0)

    def get_connection_with_tls_context(
        self,
        request: requests.PreparedRequest,
        verify: Any,
        proxies: Any = None,
        cert: Any = None,
    ) -> HTTPConnectionPool:
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        host = str(host_params["host"]).rstrip(".")
        if host_params["scheme"] != "https" or host != self.hostname:
            raise PushAddressRefused(f"{request.url} is not the push service checked")
        pool_kwargs = {
            **pool_kwargs,
            "server_hostname": self.hostname,
            "assert_hostname": self.hostname,
        }
        # A proxy manager's https pool tunnels to the host it is given: the address checked.
        manager = self.proxy_manager_for(self.proxy) if self.proxy else self.poolmanager
        pool: HTTPConnectionPool = manager.connection_from_host(
            host=self.address,
            port=host_params["port"] or HTTPS_PORT,
            scheme="https",
            pool_kwargs=pool_kwargs,
        )
        return pool

    def add_headers(self, request: requests.PreparedRequest, **kwargs: Any) -> None:
        request.headers["Host"] = self.hostname


def pinned_session(endpoint: str) -> requests.Session:
    """A requests session that posts to `endpoint`'s push service at an address checked now
    (`public_addresses`, the first one), through the environment's proxy if it names one for
    the endpoint (`environment_proxy`). Raises `PushAddressRefused` when the name leads to an
    address that is not public, or to none (a name that does not resolve is refused too: the
    post could not go anywhere)."""
    hostname = (urlsplit(endpoint).hostname or "").rstrip(".")
    try:
        address = public_addresses(hostname)[0]
    except OSError as exc:
        raise PushAddressRefused(f"{hostname} does not resolve") from exc
    session = requests.Session()
    # The proxy is read here, once: requests' own reading of the environment would ask the
    # proxy for the name.
    session.trust_env = False
    session.max_redirects = 0
    adapter = _PinnedAdapter(hostname, address, environment_proxy(endpoint))
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
