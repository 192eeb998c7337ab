"""The home page, the language switch, and small answers the pages ask for through htmx."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from backend.digits import is_digits
from backend.localities import by_postal_code
from backend.models import LANGUAGE_CODES, User
from backend.services import user_update_profile
from web.next_page import go_on
from web.showcase import demo_log_ins


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"demo_log_ins": demo_log_ins()})


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Switch the pages' language; a logged-in user keeps it on their account."""
    language = request.POST.get("language", "")
    response = go_on(request, "/")
    if language not in LANGUAGE_CODES:
        return response
    if isinstance(request.user, User) and request.user.is_authenticated:
        user_update_profile(user=request.user, preferred_language=language)
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response


@require_GET
def locality_suggestions(request: HttpRequest) -> HttpResponse:
    """The localities of a postcode, from the offline directory, as options for a datalist."""
    postal_code = request.GET.get("home_postal_code") or request.GET.get("postal_code") or ""
    postal_code = postal_code.strip()
    names: list[str] = []
    if len(postal_code) == 4 and is_digits(postal_code):
        names = sorted({row.name for row in by_postal_code(postal_code) if row.is_in_switzerland})
    return render(request, "web/partials/locality_options.html", {"names": names})
