"""The helper's app as an installable web app: its manifest, its service worker (served from
the site's root so that its scope is the whole site) and the page it shows when offline."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

# The app's own files the service worker keeps (static URLs: hashed names in production).
CACHED = (
    "web/app.css",
    "web/app.js",
    "web/vendor/alpine-csp-3.17.4.min.js",
    "django_htmx/htmx-2.min.js",
    "web/icons/quartier.svg",
    "web/icons/app-192.png",
)


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": _("Quartier for helpers"),
        "short_name": "Quartier",
        "description": _("Offers, visits and your hours, on your phone."),
        "start_url": reverse("web:helper-home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#1b4d8c",
        "icons": [
            {"src": static("web/icons/app-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("web/icons/app-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("web/icons/app-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    files = [static(path) for path in CACHED]
    version = hashlib.sha256("\n".join(files).encode()).hexdigest()[:12]
    response = render(
        request,
        "web/pwa/sw.js",
        {"files": files, "version": version, "icon": static("web/icons/app-192.png")},
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    return render(request, "web/pwa/offline.html")
