"""A refused form's answer (post/redirect/get): a redirect to the page the form stands on, where
the next GET shows the form once, as it was sent, with its problems."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.test import Client


def refused_page(client: Client, response: HttpResponse, page: str, **headers: Any) -> str:
    """The page a refused POST's `response` leads back to (`page`, its own address: a reload
    sends nothing again), as the next GET (with `headers`) shows it."""
    assert (response.status_code, response["Location"]) == (302, page)
    shown = client.get(page, **headers)
    assert shown.status_code == 200
    return shown.content.decode()


def shown_once(client: Client, response: HttpResponse, page: str, **headers: Any) -> str:
    """`refused_page`, checked to show the form's problems above it (the list that takes the
    focus) and to show them only once: the GET after it shows the page as it stands."""
    html = refused_page(client, response, page, **headers)
    assert html.count("data-error-summary") == 1
    again = client.get(page, **headers)
    assert again.status_code == 200
    assert "data-error-summary" not in again.content.decode()
    return html
