"""Terms and waivers accepted on a page, by a customer before confirming a visit and by a helper
before getting offers: each version as the page showed it (its text's SHA-256), all or none,
with the address and the browser they were accepted from."""

from __future__ import annotations

from django.http import HttpRequest

from backend.client_address import client_ip
from backend.models import User
from catalogue.services import legal_accept_all
from web.forms import WaiversForm


def terms_accept_shown(
    request: HttpRequest, user: User, form: WaiversForm, *, on_behalf_name: str = ""
) -> None:
    """Raises the service's refusal (a text changed since the page was shown, a name refused)."""
    legal_accept_all(
        user=user,
        shown=form.shown(),
        language=form.language,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        on_behalf_name=on_behalf_name,
    )
