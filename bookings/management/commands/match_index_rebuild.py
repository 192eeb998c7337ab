"""Rebuild the match index from the helper tables: `manage.py match_index_rebuild`."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import Count

from bookings.management.progress import progress_bar
from bookings.matching.index import match_index_rebuild
from bookings.models import MatchEntry
from catalogue.models import ServiceCategory
from helpers.selectors import eligible_helpers


def rows_per_category() -> list[tuple[str, int]]:
    """(category slug, index rows) for every category, inactive ones and empty ones included."""
    counts = dict(
        MatchEntry.objects.order_by()
        .values("category_id")
        .annotate(rows=Count("pk"))
        .values_list("category_id", "rows")
    )
    return [
        (slug, counts.get(pk, 0))
        for pk, slug in ServiceCategory.objects.order_by("position", "slug").values_list(
            "pk", "slug"
        )
    ]


class Command(BaseCommand):
    help = (
        "Rebuild the whole match index (one row per eligible helper and skill, and each "
        "category's spatial index) from the helper tables, in one transaction. Searches see the "
        "old index until it commits."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        # The bar counts helpers; the same eligibility as the rebuild itself, so it ends at 100 %.
        helpers = eligible_helpers().count()
        started = time.monotonic()
        with progress_bar(
            self.stderr, total=helpers, desc="helpers", unit=" helpers", verbosity=verbosity
        ) as bar:
            rows = match_index_rebuild(progress=bar.update)
        seconds = time.monotonic() - started
        if verbosity == 0:
            return
        indexed = MatchEntry.objects.values("helper_id").distinct().count()
        self.stdout.write(
            f"Rebuilt the match index: {rows} rows for {indexed} helpers in {seconds:.1f} s."
        )
        per_category = rows_per_category()
        width = max((len(slug) for slug, _ in per_category), default=0) + 2
        for slug, count in per_category:
            self.stdout.write(f"  {slug.ljust(width)}{count:>8}")
