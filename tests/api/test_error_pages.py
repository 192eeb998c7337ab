"""Even the paths and failures no view expects answer in the API's error shape."""

import pytest
from django.test import Client

from mobile_api.views.helpers import CategoryListApi

pytestmark = pytest.mark.django_db


def test_an_unknown_api_path_is_a_json_404():
    response = Client().get("/api/v1/no-such-thing/42")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "not_found",
        "message": "There is no such API endpoint.",
        "fields": {},
    }


def test_an_unexpected_failure_in_the_api_is_a_json_500(monkeypatch):
    def explode(self):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(CategoryListApi, "get_queryset", explode)

    response = Client(raise_request_exception=False).get("/api/v1/categories")

    assert response.status_code == 500
    assert response.json() == {
        "code": "server_error",
        "message": "Something went wrong on our side. Please try again.",
        "fields": {},
    }


def test_an_unexpected_failure_outside_the_api_keeps_the_html_page(monkeypatch, settings):
    settings.ROOT_URLCONF = "tests.api.failing_urls"

    response = Client(raise_request_exception=False).get("/boom")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
