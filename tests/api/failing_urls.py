"""A URLconf with one page that fails, for the error-page tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

handler500 = "mobile_api.errors.server_error"


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


urlpatterns = [path("boom", boom)]
