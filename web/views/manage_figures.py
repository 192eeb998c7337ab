"""The console's figures: visits by state page by page, requests per day and the match rate
over a chosen period, and the map of helpers and requests by locality (with its GeoJSON)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from backend.config import config
from bookings.console import (
    MAP_TABLE_ROWS,
    as_geojson,
    helpers_by_locality,
    helpers_geojson,
    requests_by_locality,
)
from bookings.models import BookingStatus
from bookings.selectors import bookings_visible_to
from catalogue.models import ServiceCategory
from web.helper_forms import MapFilterForm
from web.views.helper import me_of
from web.views.manage import DEFAULT_PERIOD, PAGE, manager_only, period_of


def _category(form: MapFilterForm) -> ServiceCategory | None:
    return form.cleaned_data["category"] if form.is_valid() else None


@manager_only
@require_GET
def bookings(request: HttpRequest) -> HttpResponse:
    shown = request.GET.get("state", "")
    if shown not in BookingStatus.values:
        shown = BookingStatus.CONFIRMED
    found = (
        bookings_visible_to(me_of(request))
        .filter(status=shown)
        .select_related(None)
        .select_related("help_request__category", "helper__user")
        .prefetch_related(None)
        .order_by("-created_at", "-id")
    )
    page = Paginator(found, PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "shown": shown, "states": BookingStatus.values}
    return render(request, "web/manage/bookings.html", context)


@manager_only
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("days", str(DEFAULT_PERIOD))
    form = MapFilterForm(data)
    days = (form.cleaned_data["days"] or DEFAULT_PERIOD) if form.is_valid() else DEFAULT_PERIOD
    category = _category(form)
    query = f"days={days}" + (f"&category={category.slug}" if category else "")
    context = {
        "form": form,
        "days": days,
        "helpers_at": helpers_by_locality(me_of(request), category=category, limit=MAP_TABLE_ROWS),
        "table_rows": MAP_TABLE_ROWS,
        "requests_at": requests_by_locality(me_of(request), days=days),
        "query": query,
        "tile_url": config().map_tile_url,
        "tile_attribution": config().map_tile_attribution,
    }
    return render(request, "web/manage/map.html", context)


@manager_only
@require_GET
def map_helpers(request: HttpRequest) -> HttpResponse:
    category = _category(MapFilterForm(request.GET))
    return HttpResponse(
        helpers_geojson(me_of(request), category=category), content_type="application/json"
    )


@manager_only
@require_GET
def map_requests(request: HttpRequest) -> JsonResponse:
    return JsonResponse(as_geojson(requests_by_locality(me_of(request), days=period_of(request))))
