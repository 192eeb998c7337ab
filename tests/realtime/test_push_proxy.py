"""A deployment behind an outbound proxy (HTTPS_PROXY or https_proxy) posts its pushes through
it: Quartier resolves the push service's name and checks its addresses as without a proxy, then
asks the proxy for a tunnel to the address checked, never to the name (which the proxy would
resolve again); TLS inside the tunnel names the push service. NO_PROXY naming the push service
sends it directly, to the address checked. The proxy is a real HTTP CONNECT proxy on loopback,
the push service behind it a TLS server with a certificate for its name; DNS is faked
(FakeDns)."""

from __future__ import annotations

import datetime
import select
import socket
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from socketserver import StreamRequestHandler, ThreadingTCPServer
from typing import Any

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from realtime import push
from realtime.push import PushResult, WebPushSender
from realtime.push_address import PushAddressRefused
from tests.factories import UserFactory
from tests.realtime.fake_dns import FakeDns
from tests.realtime.test_push_address import ENDPOINT, NAME, PUBLIC, _stored, vapid  # noqa: F401

LOOPBACK = "127.0.0.1"


class PushServiceWithTls:
    """The push service at NAME, on loopback: a TLS server with a certificate for NAME (in
    `certificate`, which the sender is told to trust); takes every message (201)."""

    def __init__(self, folder: Path) -> None:
        self.received: list[tuple[str, dict[str, str]]] = []
        self.certificate = folder / "push-service.pem"
        key_file = folder / "push-service-key.pem"
        _write_certificate(self.certificate, key_file)
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                self.rfile.read(int(self.headers["Content-Length"]))
                headers = {name.lower(): value for name, value in self.headers.items()}
                service.received.append((self.path, headers))
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate, key_file)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _write_certificate(certificate: Path, key_file: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, NAME)])
    now = datetime.datetime.now(tz=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(NAME)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certificate.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )


class ConnectProxy:
    """An HTTP CONNECT proxy on loopback. It stands for the way out to the internet: every
    tunnel it is asked for ends at the push service (`service_port`). `asked`: the request
    lines it got."""

    def __init__(self, service_port: int) -> None:
        self.asked: list[str] = []
        proxy = self

        class Handler(StreamRequestHandler):
            def handle(self) -> None:
                line = self.rfile.readline().decode("latin-1").strip()
                proxy.asked.append(line)
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                if not line.startswith("CONNECT "):
                    self.wfile.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
                    return
                upstream = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                upstream.connect((LOOPBACK, service_port))
                self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self.wfile.flush()
                _pipe(self.connection, upstream)

        ThreadingTCPServer.daemon_threads = True
        self.server = ThreadingTCPServer((LOOPBACK, 0), Handler)
        self.url = f"http://{LOOPBACK}:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _pipe(client: socket.socket, upstream: socket.socket) -> None:
    with upstream:
        while True:
            readable, _w, _x = select.select([client, upstream], [], [], 5)
            if not readable:
                return
            for source in readable:
                data = source.recv(65536)
                if not data:
                    return
                (upstream if source is client else client).sendall(data)


@pytest.fixture
def service(tmp_path: Path) -> Iterator[PushServiceWithTls]:
    running = PushServiceWithTls(tmp_path)
    yield running
    running.server.shutdown()


@pytest.fixture
def proxy(service: PushServiceWithTls, monkeypatch: pytest.MonkeyPatch) -> Iterator[ConnectProxy]:
    """The proxy, and the sender trusting the push service's certificate."""
    running = ConnectProxy(service.port)
    pinned = push.pinned_session

    def trusting(endpoint: str) -> requests.Session:
        session = pinned(endpoint)
        session.verify = str(service.certificate)
        return session

    monkeypatch.setattr(push, "pinned_session", trusting)
    yield running
    running.server.shutdown()


@pytest.mark.django_db
@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy"])
def test_a_push_goes_through_the_proxy_to_the_address_checked(
    fake_dns: FakeDns,
    vapid: str,  # noqa: F811
    proxy: ConnectProxy,
    service: PushServiceWithTls,
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
) -> None:
    # Given a proxy in the environment, and a name that answers a public address first, then
    # 127.0.0.1 (DNS rebinding)
    monkeypatch.setenv(variable, proxy.url)
    fake_dns.names[NAME] = [[PUBLIC], [LOOPBACK]]
    subscription = _stored(UserFactory.create())

    # When a push is sent
    result = WebPushSender(vapid, "mailto:a@quartier.test").send(subscription, b"{}", ttl=60)

    # Then it went through a tunnel to the address checked, and the push service, named in TLS
    # and in the Host header, took it
    assert result is PushResult.SENT
    assert proxy.asked == [f"CONNECT {PUBLIC}:443 HTTP/1.0"]
    [(path, headers)] = service.received
    assert (path, headers["host"], headers["content-encoding"]) == ("/send/1", NAME, "aes128gcm")
    # And the name was resolved once, by Quartier; nothing but the proxy was connected to
    assert fake_dns.asked == [(NAME, 443), (LOOPBACK, int(proxy.url.rsplit(":", 1)[1]))]
    assert fake_dns.connected == []


@pytest.mark.django_db
def test_a_name_that_resolves_into_the_network_is_refused_before_the_proxy_is_asked(
    fake_dns: FakeDns,
    vapid: str,  # noqa: F811
    proxy: ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    fake_dns.names[NAME] = [["10.0.0.7"]]
    subscription = _stored(UserFactory.create())

    with pytest.raises(PushAddressRefused):
        WebPushSender(vapid, "mailto:a@quartier.test").send(subscription, b"{}", ttl=60)

    assert proxy.asked == []
    assert fake_dns.asked == [(NAME, 443)]


@pytest.mark.django_db
@pytest.mark.parametrize("no_proxy", ["push.example.com", ".example.com"])
def test_no_proxy_naming_the_push_service_connects_to_the_address_checked_directly(
    fake_dns: FakeDns,
    vapid: str,  # noqa: F811
    proxy: ConnectProxy,
    monkeypatch: pytest.MonkeyPatch,
    no_proxy: str,
) -> None:
    # Given a proxy, which is not for the push service's name, and a rebinding name
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    fake_dns.names[NAME] = [[PUBLIC], [LOOPBACK]]
    subscription = _stored(UserFactory.create())

    # When a push is sent (the connection is refused: no test reaches a real machine)
    with pytest.raises(requests.ConnectionError):
        WebPushSender(vapid, "mailto:a@quartier.test").send(subscription, b"{}", ttl=60)

    # Then the proxy was not asked, and the connection went to the address checked
    assert proxy.asked == []
    assert fake_dns.connected == [(PUBLIC, 443)]
