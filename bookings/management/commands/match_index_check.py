"""Compare the match index with the helper tables: `manage.py match_index_check [--fix]`.

Exits 0 when the index is in step and 1 (CommandError) when it is not, so it can run from cron
or a deployment check. `--fix` repairs only what the check found, then checks again.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q

from bookings.management.progress import progress_bar
from bookings.matching.index import (
    IndexProblem,
    match_index_check,
    match_index_rebuild,
    match_index_refresh,
    spatial_index_recreate,
)
from bookings.models import MatchEntry
from catalogue.models import ServiceCategory
from helpers.models import HelperProfile
from helpers.selectors import eligible_helpers

# Every kind `match_index_check` reports, in the order the summary lists them.
PROBLEM_KINDS = {
    "missing": "an eligible helper's skill has no row",
    "stale": "a row differs from the helper tables",
    "extra": "a row the helper tables do not call for",
    "spatial_missing": "a category has no spatial index",
    "spatial_stale": "a category's R*Tree differs from the table",
    "other_settings": "scores stored under other ranking settings (rank cannot use them)",
    "free_time": "a helper's stored free time differs from their calendars",
}
ROW_KINDS = ("missing", "stale", "extra", "free_time")
SPATIAL_KINDS = ("spatial_missing", "spatial_stale")
SHOWN = 20


def counted(number: int, noun: str, plural: str = "") -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def helpers_to_check() -> int:
    """How many helpers the check walks: those indexed and those who should be."""
    return (
        HelperProfile.objects.filter(
            Q(pk__in=eligible_helpers().values("pk"))
            | Q(pk__in=MatchEntry.objects.values("helper_id"))
        )
        .distinct()
        .count()
    )


@transaction.atomic
def repair(problems: Sequence[IndexProblem]) -> tuple[list[int], list[int]]:
    """Recreate the spatial indexes and refresh the helpers the problems name; returns
    (category ids, helper ids). Spatial indexes first: inserting rows fires their triggers.

    Scores stored under other ranking settings call for the whole index to be rebuilt."""
    if any(p.problem == "other_settings" for p in problems):
        match_index_rebuild()
        return (
            list(ServiceCategory.objects.values_list("pk", flat=True)),
            sorted({p.helper_id for p in problems if p.helper_id}),
        )
    category_ids = sorted({p.category_id for p in problems if p.problem in SPATIAL_KINDS})
    for category_id in category_ids:
        spatial_index_recreate(category_id)
    helper_ids = sorted({p.helper_id for p in problems if p.problem in ROW_KINDS})
    match_index_refresh(helper_ids=helper_ids)
    return category_ids, helper_ids


class Command(BaseCommand):
    help = (
        "Check that the match index holds exactly the rows the helper tables call for, and that "
        "each category's spatial index is there (and on SQLite in step). Exits 1 when it is not; "
        "--fix refreshes just the helpers and spatial indexes with problems, then checks again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fix",
            action="store_true",
            help="Repair what the check finds (only those helpers and categories), then re-check.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = self.check_index(options["verbosity"])
        if problems and options["fix"]:
            category_ids, helper_ids = repair(problems)
            if any(problem.problem == "other_settings" for problem in problems):
                self.stdout.write(
                    "Fixed: rebuilt the whole index under the current ranking settings. "
                    "Checking again."
                )
            else:
                self.stdout.write(
                    f"Fixed: refreshed {counted(len(helper_ids), 'helper')}, recreated "
                    f"{counted(len(category_ids), 'spatial index', 'spatial indexes')}. "
                    "Checking again."
                )
            problems = self.check_index(options["verbosity"])
        if problems:
            raise CommandError(
                f"The match index is out of step: {counted(len(problems), 'problem')}"
                + ("." if options["fix"] else "; run with --fix to repair them.")
            )
        self.stdout.write("The match index is in step with the helper tables.")

    def check_index(self, verbosity: int) -> list[IndexProblem]:
        helpers = helpers_to_check()
        started = time.monotonic()
        with progress_bar(
            self.stderr, total=helpers, desc="checking", unit=" helpers", verbosity=verbosity
        ) as bar:
            problems = match_index_check(progress=bar.update)
        self.stdout.write(
            f"Checked {counted(helpers, 'helper')} in {time.monotonic() - started:.1f} s: "
            f"{counted(len(problems), 'problem')}."
        )
        if problems:
            self.summarise(problems)
        return problems

    def summarise(self, problems: Sequence[IndexProblem]) -> None:
        counts = Counter(problem.problem for problem in problems)
        kinds = [*PROBLEM_KINDS, *sorted(set(counts) - set(PROBLEM_KINDS))]
        for kind in kinds:
            if counts[kind]:
                meaning = PROBLEM_KINDS.get(kind, "")
                self.stdout.write(f"  {kind:<16}{counts[kind]:>8}  {meaning}")
        slugs = dict(ServiceCategory.objects.values_list("pk", "slug"))
        shown = problems[:SHOWN]
        self.stdout.write(f"First {len(shown)} of {len(problems)}:")
        for problem in shown:
            if problem.problem == "free_time":
                category = "free time"
            elif problem.category_id:
                category = slugs.get(problem.category_id, f"category {problem.category_id}")
            else:
                category = "the whole index"
            who = f"helper {problem.helper_id}, " if problem.helper_id else ""
            self.stdout.write(f"  {who}{category}: {problem.problem}")
