"""Requests no client should send: oversized, over-nested, malformed. Every one is answered in
the API's error shape, with DEBUG on or off, and never reaches a view half-read."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.api_assertions import API, assert_error, row_counts
from tests.factories import UserFactory, device_token

pytestmark = pytest.mark.django_db

BOUNDARY = "quartier-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _session_client(*, csrf_checks: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf_checks, raise_request_exception=False)
    client.force_login(UserFactory.create())
    return client


def _multipart_fields(count: int, *, files: bool = False) -> bytes:
    filename = b'; filename="note.txt"\r\nContent-Type: text/plain' if files else b""
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="field%d"%s\r\n\r\n1\r\n'
        % (BOUNDARY.encode(), index, filename)
        for index in range(count)
    ]
    return b"".join(parts) + b"--%s--\r\n" % BOUNDARY.encode()


# --- The catch-all under /api/v1/ -----------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/bookings/not-a-uuid/cancel",
        f"{API}/no-such-thing",
        f"{API}/help-requests/42/withdraw",
    ],
)
def test_a_post_to_an_unknown_api_path_with_a_session_is_the_json_404(path):
    # Given a client logged in with a session cookie (CSRF checks on, as in a browser)
    client = _session_client(csrf_checks=True)

    # When it posts, without a CSRF token, to a path no endpoint has
    response = client.post(path, {"reason": "testing"})

    # Then it is the API's 404, not Django's HTML CSRF page
    assert response["Content-Type"] == "application/json"
    assert_error(response, 404, "not_found", set())


def test_a_post_to_an_unknown_api_path_with_a_token_is_the_json_404():
    # Given a client with an API token
    token = device_token(UserFactory.create())
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {token}")

    # When it posts to a malformed booking id
    response = client.post(f"{API}/bookings/not-a-uuid/cancel", {})

    # Then it is the API's 404
    assert_error(response, 404, "not_found", set())


def test_known_endpoints_still_enforce_csrf_for_session_clients():
    # Given a client logged in with a session cookie, without a CSRF token
    client = _session_client(csrf_checks=True)
    before = row_counts()

    # When it posts to a real endpoint
    response = client.post(
        f"{API}/help-requests", {"category": "internet-wifi"}, content_type="application/json"
    )

    # Then the CSRF check still refuses it, in the API's shape, and nothing is written
    assert_error(response, 403, "permission_denied", set())
    assert row_counts() == before


# --- Django's own request limits, in the API's shape ----------------------------------------------

OVER_LIMIT_PATHS = [
    pytest.param(f"{API}/help-requests", True, id="authenticated endpoint"),
    pytest.param(f"{API}/auth/token", False, id="anonymous endpoint"),
]


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG on", "DEBUG off"])
@pytest.mark.parametrize(("path", "logged_in"), OVER_LIMIT_PATHS)
def test_a_body_over_the_upload_limit_is_a_json_413(settings, debug, path, logged_in):
    # Given a client, with DEBUG on or off
    settings.DEBUG = debug
    client = _session_client() if logged_in else Client(raise_request_exception=False)
    before = row_counts()

    # When it posts a JSON body over Django's limit (a 3 MB description)
    body = '{"description": "%s"}' % ("x" * 3_000_000)
    response = client.post(path, data=body, content_type="application/json")

    # Then it is 413 payload_too_large in the API's shape, and nothing was written
    assert response["Content-Type"] == "application/json"
    assert_error(response, 413, "payload_too_large", set(), documented_in=("post", path))
    assert row_counts() == before


@pytest.mark.parametrize("debug", [True, False], ids=["DEBUG on", "DEBUG off"])
@pytest.mark.parametrize(("path", "logged_in"), OVER_LIMIT_PATHS)
@pytest.mark.parametrize(
    ("content_type", "body", "code"),
    [
        pytest.param(
            "application/x-www-form-urlencoded",
            "&".join(f"field{index}=1" for index in range(1200)).encode(),
            "too_many_fields",
            id="1,200 form fields",
        ),
        pytest.param(MULTIPART, _multipart_fields(1200), "too_many_fields", id="1,200 parts"),
        pytest.param(
            MULTIPART, _multipart_fields(120, files=True), "too_many_files", id="120 files"
        ),
        pytest.param(
            MULTIPART,
            b'--%s\r\nContent-Disposition: form-data; name="a"; filename="x"\r\n'
            b"Content-Transfer-Encoding: base64\r\n\r\n!!!\r\n--%s--\r\n"
            % (BOUNDARY.encode(), BOUNDARY.encode()),
            "parse_error",
            id="undecodable part",
        ),
        pytest.param("multipart/form-data", b"no boundary at all", "parse_error", id="no boundary"),
    ],
)
def test_a_malformed_or_overfull_form_is_a_json_400(
    settings, debug, path, logged_in, content_type, body, code
):
    # Given a client, with DEBUG on or off
    settings.DEBUG = debug
    client = _session_client() if logged_in else Client(raise_request_exception=False)
    before = row_counts()

    # When it posts a form Django refuses to parse
    response = client.generic("POST", path, body, content_type=content_type)

    # Then it is a 400 in the API's shape, and nothing was written
    assert response["Content-Type"] == "application/json"
    assert_error(response, 400, code, set(), documented_in=("post", path))
    assert row_counts() == before


def test_a_request_django_refuses_before_any_view_is_a_json_400_under_the_api(settings):
    # Given production settings (DEBUG off)
    settings.DEBUG = False

    # When a request names a host the site does not serve
    api = Client(HTTP_HOST="attacker.example").get(f"{API}/categories")
    admin = Client(HTTP_HOST="attacker.example").get("/admin/login/")

    # Then under /api/ it is a 400 in the API's shape; elsewhere Django's page is kept
    assert_error(api, 400, "bad_request", set())
    assert admin.status_code == 400
    assert admin["Content-Type"].startswith("text/html")


# --- Nesting depth ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        pytest.param("[" * 1000, id="1,000 open arrays"),
        pytest.param("[" * 1000 + "]" * 1000, id="1,000 closed arrays"),
        pytest.param('{"a": ' * 1000 + "1" + "}" * 1000, id="1,000 objects"),
        pytest.param('{"email": ' + "[" * 32 + "]" * 32 + "}", id="just over the limit"),
    ],
)
@pytest.mark.parametrize(("path", "logged_in"), OVER_LIMIT_PATHS)
def test_json_nested_too_deeply_is_a_400_before_it_is_parsed(body, path, logged_in):
    # Given a client, anonymous or logged in
    client = _session_client() if logged_in else Client(raise_request_exception=False)
    before = row_counts()

    # When it posts JSON nested deeper than any request of the API
    response = client.post(path, data=body, content_type="application/json")

    # Then it is a 400 too_deeply_nested, not a RecursionError
    assert_error(response, 400, "too_deeply_nested", set(), documented_in=("post", path))
    assert row_counts() == before


def test_brackets_inside_strings_do_not_count_as_nesting():
    # Given an anonymous client
    client = Client(raise_request_exception=False)

    # When a string of the body holds many brackets, escaped quotes and escaped backslashes
    # (the JSON text [{\"\\ 500 times), in a field the endpoint ignores
    text = '[{\\"\\\\' * 500
    response = client.post(
        f"{API}/auth/token",
        data=f'{{"email": "nobody@example.ch", "password": "x", "note": "{text}"}}',
        content_type="application/json",
    )

    # Then the body is parsed: the answer is about the credentials, not the nesting
    assert_error(response, 401, "invalid_credentials", set())


def test_json_at_the_depth_limit_is_parsed():
    # Given an anonymous client
    client = Client(raise_request_exception=False)

    # When a body is nested exactly as deep as the limit allows
    body = '{"email": "nobody@example.ch", "password": "x", "extra": %s}' % ("[" * 31 + "]" * 31)
    response = client.post(f"{API}/auth/token", data=body, content_type="application/json")

    # Then it is parsed (the extra field is ignored): the answer is about the credentials
    assert_error(response, 401, "invalid_credentials", set())


@pytest.mark.parametrize(
    ("charset", "body", "code"),
    [
        pytest.param(
            "utf-16", ("[" * 1000).encode("utf-16"), "too_deeply_nested", id="nested, in UTF-16"
        ),
        pytest.param("utf-8", b'{"email": "\xff\xfe"}', "parse_error", id="not UTF-8"),
    ],
)
def test_json_in_an_odd_charset_is_a_400(charset, body, code):
    # When an anonymous client posts JSON in another character set, or not in the declared one
    response = Client(raise_request_exception=False).generic(
        "POST", f"{API}/auth/token", body, content_type=f"application/json; charset={charset}"
    )

    # Then it is a 400 in the API's shape
    assert_error(response, 400, code, set())
