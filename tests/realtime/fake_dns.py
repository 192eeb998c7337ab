"""Name resolution for the push tests, faked where every connection starts: socket.getaddrinfo.
The machine running the tests may have no network, and a test must not depend on what a real
name resolves to today."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

HTTPS_PORT = 443


class FakeDns:
    """Answers each name from `names` (a list of answers per name: each lookup takes the next,
    the last one stays, so a name can change its answer between two lookups as a rebinding
    attacker's does); an address stands for itself; other names do not resolve. Every lookup
    is recorded in `asked`, every connection to https's port in `connected` (`connect_for`), and
    refused: no test reaches a real machine."""

    def __init__(self) -> None:
        self.names: dict[str, list[list[str]]] = {}
        self.asked: list[tuple[str, int]] = []
        self.connected: list[tuple[str, int]] = []

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        name = host.decode() if isinstance(host, bytes) else str(host)
        self.asked.append((name, int(port)))
        try:
            ipaddress.ip_address(name)
        except ValueError:
            pass
        else:
            return [_answer(name, int(port))]
        answers = self.names.get(name)
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]
        return [_answer(address, int(port)) for address in addresses]

    def connect_for(self, connect: Any) -> Any:
        """`socket.socket.connect` that records and refuses connections to port 443 (the
        database's and Redis's connections go on)."""

        def refusing(sock: socket.socket, address: Any) -> Any:
            if isinstance(address, tuple) and address[1] == HTTPS_PORT:
                self.connected.append((str(address[0]), HTTPS_PORT))
                raise ConnectionRefusedError(111, "Connection refused (no network in the tests)")
            return connect(sock, address)

        return refusing


def _answer(address: str, port: int) -> tuple[Any, ...]:
    if ipaddress.ip_address(address).version == 6:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
