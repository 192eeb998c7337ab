"""Quartier's icon where browsers look for it without being told: /favicon.ico (asked for a
receipt's PDF, an API answer), kept a week by the browser; and the back office's pages name
the icon the web app's pages name."""

from __future__ import annotations

import re

import pytest

from tests.factories import ManagerFactory

pytestmark = pytest.mark.django_db


def test_favicon_answers_with_quartiers_icon_kept_a_week(client):
    client.force_login(ManagerFactory.create())

    response = client.get("/favicon.ico")

    body = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response["Cache-Control"] == "max-age=604800, public"
    assert body[:6] == b"\x00\x00\x01\x00\x03\x00"  # an icon file with three sizes


def test_the_back_office_pages_name_the_web_apps_icon(client):
    client.force_login(ManagerFactory.create())
    web_page = client.get("/").content.decode()
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', web_page)
    assert icon is not None

    for path in ("/admin/", "/admin/login/", "/admin/bookings/booking/"):
        page = client.get(path, follow=True).content.decode()
        assert page.count(icon.group(0)) == 1, path
