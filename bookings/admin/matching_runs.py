"""The matching runs: whom each pass of the matching considered, and why each was or was not offered.

The tables here are also shown on a help request's page (`help_requests.py`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import F, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backend.admin import ViewOnlyMixin, admin_link
from backend.formats import written
from bookings.models import MatchingRun
from bookings.selectors import helpers_considered_in
from helpers.models import HelperProfile


def offers_made_text(run: MatchingRun) -> str:
    return gettext("%(offered)d of %(wanted)d") % {"offered": run.offered, "wanted": run.wanted}


def considered_table(run: MatchingRun, helpers: dict[int, HelperProfile]) -> str:
    """The helpers a matching run considered, as a table: who, how far, score, and why.

    `helpers` are the helpers named by the run, by primary key (`helpers_considered_in`).
    """
    if not run.considered:
        return format_html("<p>{}</p>", gettext("No helper was considered."))
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                considered_helper_link(helpers.get(entry["helper_id"]), entry["helper_id"]),
                f"{entry['distance_m'] / 1000:.1f} km",
                "—" if entry["score"] is None else f"{entry['score']:.4f}",
                gettext("yes") if entry["offered"] else gettext("no"),
                entry["reason"],
            )
            for entry in run.considered
        ),
    )
    return format_html(
        "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
        "<tbody>{}</tbody></table>",
        gettext("helper"),
        gettext("distance"),
        gettext("score"),
        gettext("offered"),
        gettext("why"),
        rows,
    )


def considered_helper_link(helper: HelperProfile | None, helper_id: int) -> str:
    if helper is None:
        return gettext("helper #%(id)d (no longer exists)") % {"id": helper_id}
    return admin_link(helper, helper.user.display_name)


def matching_run_heading(run: MatchingRun) -> str:
    return gettext(
        "%(when)s · within %(radius)s km · %(offers)s offers made · %(examined)d helpers examined"
    ) % {
        "when": written.moment(run.created_at),
        "radius": f"{run.radius_km:g}",
        "offers": offers_made_text(run),
        "examined": run.examined_count,
    }


class MatchingOutcomeFilter(admin.SimpleListFilter):
    title = _("outcome")
    parameter_name = "outcome"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            ("none", gettext("No offer made")),
            ("fewer", gettext("Fewer offers than wanted")),
            ("all", gettext("Every offer wanted made")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "none":
            return queryset.filter(offered=0)
        if self.value() == "fewer":
            return queryset.filter(offered__gt=0, offered__lt=F("wanted"))
        if self.value() == "all":
            return queryset.filter(offered__gte=F("wanted"))
        return queryset


@admin.register(MatchingRun)
class MatchingRunAdmin(ViewOnlyMixin, admin.ModelAdmin):
    """Written by the matching for every pass: the manager reads them, nothing else."""

    list_display = (
        "created_at",
        "help_request_link",
        "category",
        "search_radius",
        "offers_made",
        "examined_count",
    )
    list_select_related = ("help_request__category",)
    list_filter = (
        MatchingOutcomeFilter,
        "radius_km",
        "help_request__category",
        "help_request__status",
        "created_at",
    )
    search_fields = ("help_request__public_id",)
    ordering = ("-created_at", "-id")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "help_request_link",
        "created_at",
        "search_radius",
        "offers_made",
        "examined_count",
        "considered_helpers",
    )
    readonly_fields = fields

    @admin.display(description=_("help request"))
    def help_request_link(self, run: MatchingRun) -> str:
        return admin_link(run.help_request, run.help_request.public_id)

    @admin.display(description=_("category"), ordering="help_request__category__position")
    def category(self, run: MatchingRun) -> str:
        return run.help_request.category.name

    @admin.display(description=_("search radius"), ordering="radius_km")
    def search_radius(self, run: MatchingRun) -> str:
        return f"{run.radius_km:g} km"

    @admin.display(description=_("offers made (of wanted)"), ordering="offered")
    def offers_made(self, run: MatchingRun) -> str:
        return offers_made_text(run)

    @admin.display(description=_("considered helpers"))
    def considered_helpers(self, run: MatchingRun) -> str:
        return considered_table(run, helpers_considered_in([run]))
