"""The match index's write side: one `MatchEntry` row per eligible helper and skill.

Eligible is defined in `helpers.selectors` (approved, accepting jobs, active account, home
address set). `match_index_refresh` is the one function that writes a helper's rows; every
service that changes a helper's eligibility or ranking figures calls it in the same
transaction. `match_index_rebuild` writes them all anew, `match_index_check` compares them with
the helper tables. Each row also stores its static score (the rating and reliability part of
the ranking) under the settings `MatchIndexState` records.

Each category has its own spatial index beside the table (see `protocol.SpatialIndex`), because
a per-skill index stays as fast at a million helpers as at ten thousand: the database backend
modules (`sqlite`, `postgres`) create, drop and search them; this module only says when.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q

from academy.selectors import certified_skills
from backend import clock
from bookings.matching.free_time import (
    free_time_clear,
    free_time_differs,
    free_time_refresh,
    free_time_span,
    free_time_write,
)
from bookings.matching.protocol import languages_mask
from bookings.matching.scoring import Weights
from bookings.matching.search import spatial_index
from bookings.models import UNKNOWN_STATIC_SCORE, MatchEntry, MatchIndexState
from catalogue.models import ServiceCategory
from helpers.models import HelperProfile, HelperSkill
from helpers.selectors import HELPER_MATCHING_FIELDS, eligible_helpers


def _skills_of(helper_ids: list[int], *, using: str) -> dict[int, list[int]]:
    """Each helper's category ids they may be offered, in order: their skills, less those whose
    required certifications they lack (`academy.selectors.certified_skills`)."""
    skills: dict[int, list[int]] = {}
    for helper_id, category_id in (
        HelperSkill.objects.using(using)
        .filter(helper_id__in=helper_ids)
        .order_by("helper_id", "category_id")
        .values_list("helper_id", "category_id")
    ):
        skills.setdefault(helper_id, []).append(category_id)
    # Only the categories they hold every required certification for: matching then needs no
    # query per candidate, and the index is refreshed when a certification changes.
    return certified_skills(skills, using=using)


def _entries_for(
    helper_filter: Q, *, scoring: Weights | None, using: str = DEFAULT_DB_ALIAS
) -> list[MatchEntry]:
    """The index rows the helper tables call for, for the helpers `helper_filter` selects, with
    their static score under `scoring` (or the unknown score, above any, without)."""
    rows = list(
        eligible_helpers().using(using).filter(helper_filter).values_list(*HELPER_MATCHING_FIELDS)
    )
    skills = _skills_of([row[0] for row in rows], using=using) if rows else {}
    entries: list[MatchEntry] = []
    for (
        helper_id,
        latitude,
        longitude,
        radius_km,
        languages,
        rating_sum,
        rating_count,
        completed,
        cancellations,
        no_shows,
        accepted,
        declined,
        expired,
        response_seconds,
        approved_at,
    ) in rows:
        mask = languages_mask(languages or ())
        static = (
            scoring.static_score(
                rating_sum=rating_sum,
                rating_count=rating_count,
                completed=completed,
                cancellations_caused=cancellations,
                no_shows_caused=no_shows,
                offers_answered=accepted + declined,
                offers_expired=expired,
                response_seconds_total=response_seconds,
            )
            if scoring is not None
            else UNKNOWN_STATIC_SCORE
        )
        entries.extend(
            MatchEntry(
                helper_id=helper_id,
                category_id=category_id,
                latitude=latitude,
                longitude=longitude,
                service_radius_km=radius_km,
                languages_mask=mask,
                rating_sum=rating_sum,
                rating_count=rating_count,
                completed_visits=completed,
                cancellations_caused=cancellations,
                no_shows_caused=no_shows,
                offers_answered=accepted + declined,
                offers_expired=expired,
                response_seconds_total=response_seconds,
                approved_at=approved_at,
                static_score=static,
            )
            for category_id in skills.get(helper_id, ())
        )
    return entries


def _index_scoring(*, using: str = DEFAULT_DB_ALIAS) -> Weights | None:
    """The settings to store static scores under: this process's, if the index's stored scores
    are computed under them (or the index has no settings yet, which makes them its own); else
    None, and rows get the unknown score until a rebuild."""
    weights = Weights.current()
    key = weights.static_key()
    state, _ = MatchIndexState.objects.using(using).get_or_create(
        pk=1, defaults={"static_key": key}
    )
    return weights if state.static_key == key else None


def stored_scores_usable(weights: Weights, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether the index's stored static scores were computed under these settings."""
    return (
        MatchIndexState.objects.using(using).filter(pk=1, static_key=weights.static_key()).exists()
    )


@transaction.atomic
def match_index_refresh(*, helper_ids: Collection[int], free_time: bool = True) -> int:
    """Bring the index rows of these helpers in line with the helper tables; returns how many
    rows they now have. Call it in the transaction that changed them. With `free_time` their
    free time too (a change to their figures alone leaves it as it is)."""
    ids = sorted(set(helper_ids))
    if not ids:
        return 0
    # Refreshes of one helper queue on their row, so each reads what the one before committed
    # and two cannot both delete and then insert the same rows.
    list(
        HelperProfile.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    entries = _entries_for(Q(pk__in=ids), scoring=_index_scoring())
    spatial = spatial_index()
    for category_id in {entry.category_id for entry in entries}:
        spatial.ensure(category_id)
    MatchEntry.objects.filter(helper_id__in=ids).delete()
    MatchEntry.objects.bulk_create(entries, batch_size=500)
    if free_time:
        free_time_refresh(helper_ids=ids)
    return len(entries)


def match_index_rebuild(
    *,
    chunk_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """Rebuild the whole index from the helper tables; returns the number of rows.

    The spatial indexes are dropped first and built once at the end from the filled table,
    which is several times faster than keeping them up to date row by row. Runs in one
    transaction: searches see the old index until it commits. The static scores are computed
    under this process's ranking settings, which become the index's. The helpers' free time
    (`free_time`) is written anew too, over the bookable horizon from today on.
    """
    scoring = Weights.current()
    spatial = spatial_index(using)
    span = free_time_span(clock.now())
    with transaction.atomic(using=using):
        MatchIndexState.objects.using(using).update_or_create(
            pk=1, defaults={"static_key": scoring.static_key()}
        )
        free_time_clear(span, using=using)
        spatial.drop_all()
        spatial.clear_table()
        helper_ids = list(
            eligible_helpers().using(using).order_by("pk").values_list("pk", flat=True)
        )
        total = 0
        for start in range(0, len(helper_ids), chunk_size):
            chunk = helper_ids[start : start + chunk_size]
            entries = _entries_for(Q(pk__in=chunk), scoring=scoring, using=using)
            MatchEntry.objects.using(using).bulk_create(entries, batch_size=1000)
            free_time_write(chunk, span, using=using)
            total += len(entries)
            if progress is not None:
                progress(len(chunk))
        for category_id in ServiceCategory.objects.using(using).values_list("pk", flat=True):
            spatial.ensure(category_id)
    return total


def spatial_index_recreate(category_id: int) -> None:
    """Build the category's spatial index again from the table (on SQLite this also clears rows
    the table no longer has, which a helper's refresh cannot reach)."""
    spatial_index().recreate(category_id)


@dataclass(frozen=True)
class IndexProblem:
    helper_id: int
    category_id: int
    # "missing", "stale", "extra", "spatial_missing", "spatial_stale", "other_settings",
    # "free_time" (the helper's stored free time differs from their calendars; category 0)
    problem: str


_COMPARED_FIELDS = tuple(
    name for name in (f.attname for f in MatchEntry._meta.concrete_fields) if name != "id"
)


def match_index_check(
    *, chunk_size: int = 5000, progress: Callable[[int], None] | None = None
) -> list[IndexProblem]:
    """Compare the index with what the helper tables call for; an empty list means in step.

    Looks at every helper that has index rows or should have them, and on SQLite also that
    each category's R*Tree holds exactly the table's rows with the same coordinates, and that
    each helper's stored free time is what their calendars call for. When the
    stored scores were computed under other ranking settings, that is one problem
    ("other_settings", helper and category 0) and the rows are compared without them.
    """
    problems: list[IndexProblem] = []
    state = MatchIndexState.objects.filter(pk=1).first()
    weights = Weights.current()
    scoring: Weights | None = weights
    compared = _COMPARED_FIELDS
    if state is not None and state.static_key != weights.static_key():
        problems.append(IndexProblem(0, 0, "other_settings"))
        scoring = None
        compared = tuple(name for name in _COMPARED_FIELDS if name != "static_score")
    helper_ids = sorted(
        set(eligible_helpers().values_list("pk", flat=True))
        | set(MatchEntry.objects.values_list("helper_id", flat=True).distinct())
    )
    for start in range(0, len(helper_ids), chunk_size):
        chunk = helper_ids[start : start + chunk_size]
        problems.extend(_row_problems(chunk, scoring=scoring, compared=compared))
        problems.extend(IndexProblem(pk, 0, "free_time") for pk in free_time_differs(chunk))
        if progress is not None:
            progress(len(chunk))
    problems.extend(_spatial_problems())
    return problems


def _row_problems(
    helper_ids: list[int], *, scoring: Weights | None, compared: tuple[str, ...]
) -> list[IndexProblem]:
    """The rows of these helpers that are missing, differ from the helper tables, or should not
    be there."""
    wanted = {
        (entry.helper_id, entry.category_id): tuple(getattr(entry, name) for name in compared)
        for entry in _entries_for(Q(pk__in=helper_ids), scoring=scoring)
    }
    actual = {
        (row[0], row[1]): row
        for row in MatchEntry.objects.filter(helper_id__in=helper_ids).values_list(*compared)
    }
    problems = []
    for key, values in wanted.items():
        if key not in actual:
            problems.append(IndexProblem(key[0], key[1], "missing"))
        elif actual[key] != values:
            problems.append(IndexProblem(key[0], key[1], "stale"))
    problems.extend(IndexProblem(key[0], key[1], "extra") for key in actual if key not in wanted)
    return problems


def _spatial_problems() -> list[IndexProblem]:
    problems = []
    spatial = spatial_index()
    for category_id in ServiceCategory.objects.values_list("pk", flat=True):
        if not spatial.exists(category_id):
            # A category nobody has taken yet gets its index with its first helper.
            if MatchEntry.objects.filter(category_id=category_id).exists():
                problems.append(IndexProblem(0, category_id, "spatial_missing"))
            continue
        problems.extend(
            IndexProblem(helper_id, category_id, "spatial_stale")
            for helper_id in spatial.stale_helpers(category_id)
        )
    return problems
