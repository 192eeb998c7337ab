"""The page to go on to after a form (`next`): a path of this site, or the default.

Log-in and the language switch both follow a `next` that a link chose, so a link from anywhere
can set it. Only a path of this site is followed (it starts with one "/", and Django finds no
other host or scheme in it); anything else, an address elsewhere or a relative word such as
"profile" or "a:b", gives the default page. The answer is a plain redirect to that path:
Django's `redirect()` would read a word without "/" as the name of a view."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def next_page(request: HttpRequest, default: str) -> str:
    """The request's `next` (form field, else query) when it is a path of this site, else
    `default`."""
    given = request.POST.get("next") or request.GET.get("next") or ""
    if given.startswith("/") and url_has_allowed_host_and_scheme(
        given, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return given
    return default


def go_on(request: HttpRequest, default: str) -> HttpResponseRedirect:
    """A redirect to the request's `next` page, else to `default` (a path)."""
    return HttpResponseRedirect(next_page(request, default))
