"""A refused form answered with post/redirect/get: the POST leads back to the page at its own
address, whose next GET shows the form once, with its problems above it and the values sent."""

from __future__ import annotations

from typing import Any


def refused_on_page(response: Any, client: Any, page: str) -> str:
    """The page a refused POST's `response` leads back to, as its next GET shows it (the form
    with its problems, once: the GET after that shows no problem)."""
    assert (response.status_code, response["Location"]) == (302, page)
    html: str = client.get(page).content.decode()
    assert html.count("data-error-summary") == 1
    assert "data-error-summary" not in client.get(page).content.decode()
    return html
