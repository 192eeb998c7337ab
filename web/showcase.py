"""What the home page shows of a demo installation: the log-ins to try, per role.

The demo data is built by the `demo` app, which sits above the web app: it registers a
provider here in its AppConfig.ready(). Without demo data the provider returns nothing and the
home page shows no log-ins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoLogIn:
    role: str  # "customer", "helper" or "manager"
    email: str
    password: str


_providers: list[Callable[[], list[DemoLogIn]]] = []


def register_demo_log_ins(provider: Callable[[], list[DemoLogIn]]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def demo_log_ins() -> list[DemoLogIn]:
    return [log_in for provider in _providers for log_in in provider()]
