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


@pytest.mark.parametrize(
    "path", ["/api/v1/bookings/%0A", "/api/v1/no-such-thing%0D%0A/42", "/api/v1/%0A"]
)
def test_an_unknown_api_path_with_a_line_break_is_the_json_404_too(path):
    response = Client().get(path)

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


class _DeadlockDetected(Exception):
    sqlstate = "40P01"


def test_a_deadlock_lost_to_another_transaction_is_a_clean_409_to_retry(monkeypatch):
    from django.db import OperationalError

    def lose_the_race(self):
        raise OperationalError("deadlock detected") from _DeadlockDetected()

    monkeypatch.setattr(CategoryListApi, "get_queryset", lose_the_race)

    response = Client(raise_request_exception=False).get("/api/v1/categories")

    assert response.status_code == 409
    assert response.json() == {
        "code": "try_again",
        "message": "Someone changed this at the same moment. Nothing was saved: try again.",
        "fields": {},
    }


def test_other_database_failures_stay_server_errors(monkeypatch):
    from django.db import OperationalError

    def fail(self):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(CategoryListApi, "get_queryset", fail)

    response = Client(raise_request_exception=False).get("/api/v1/categories")

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
