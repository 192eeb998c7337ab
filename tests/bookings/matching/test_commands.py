"""`manage.py match_index_rebuild` and `manage.py match_index_check [--fix]`."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F

from bench.nearest import nearest
from bookings.matching.index import IndexProblem, match_index_check
from bookings.models import FreeTime, MatchEntry
from catalogue.models import ServiceCategory
from helpers.models import ApprovalStatus, HelperProfile
from helpers.services import helper_profile_update
from tests.factories import ZURICH, category, make_helper, offset

pytestmark = pytest.mark.django_db

SQLITE_ONLY = pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="the R*Tree is SQLite's spatial index"
)
ROW_FIELDS = tuple(
    field.attname for field in MatchEntry._meta.concrete_fields if field.attname != "id"
)
SECONDS = r"\d+\.\d s"


def run(*args: str, **options: Any) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command(*args, **options, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def index_rows() -> list[tuple[Any, ...]]:
    """Every index row, all columns but the id, in a stable order."""
    return list(MatchEntry.objects.order_by("helper_id", "category_id").values_list(*ROW_FIELDS))


def row_ids() -> dict[tuple[int, int], int]:
    return {
        (helper_id, category_id): pk
        for pk, helper_id, category_id in MatchEntry.objects.values_list(
            "pk", "helper_id", "category_id"
        )
    }


@pytest.fixture
def helpers() -> dict[str, HelperProfile]:
    """Two indexed helpers (three rows), and two who must not be indexed."""
    resting = make_helper(point=offset(ZURICH, north_m=900))
    helper_profile_update(helper=resting, is_accepting_jobs=False)
    return {
        "wifi_and_tv": make_helper(skills=("internet-wifi", "tv-streaming")),
        "printer": make_helper(
            point=offset(ZURICH, east_m=2_000), skills=("computer-printer",), languages=("fr",)
        ),
        "suspended": make_helper(approval=ApprovalStatus.SUSPENDED),
        "resting": resting,
    }


def indexed_pairs() -> list[tuple[int, str]]:
    return list(
        MatchEntry.objects.order_by("helper_id", "category__slug").values_list(
            "helper_id", "category__slug"
        )
    )


def per_category(output: str) -> dict[str, int]:
    """The per-category lines of the rebuild's output: slug → rows."""
    counts = {}
    for line in output.splitlines()[1:]:
        slug, rows = line.split()
        counts[slug] = int(rows)
    return counts


# --- match_index_rebuild ------------------------------------------------------------------------


def test_rebuild_restores_exactly_the_rows_the_helper_tables_call_for(helpers):
    # Given an index in step, which is then emptied
    wifi_and_tv, printer = helpers["wifi_and_tv"], helpers["printer"]
    assert indexed_pairs() == [
        (wifi_and_tv.pk, "internet-wifi"),
        (wifi_and_tv.pk, "tv-streaming"),
        (printer.pk, "computer-printer"),
    ]
    before = index_rows()
    MatchEntry.objects.all().delete()
    assert sorted(problem.problem for problem in match_index_check()) == ["missing"] * 3

    # When the index is rebuilt
    out, err = run("match_index_rebuild")

    # Then it holds exactly the rows it held before, and is in step, spatial indexes included
    assert index_rows() == before
    assert match_index_check() == []
    assert re.fullmatch(
        rf"Rebuilt the match index: 3 rows for 2 helpers in {SECONDS}\.", out.splitlines()[0]
    )
    assert per_category(out) == {
        slug: {"internet-wifi": 1, "tv-streaming": 1, "computer-printer": 1}.get(slug, 0)
        for slug in ServiceCategory.objects.values_list("slug", flat=True)
    }
    # And the progress bar went over both eligible helpers, on stderr
    assert "helpers: 100%" in err
    assert "2/2" in err


def test_rebuild_drops_rows_the_helper_tables_no_longer_call_for(helpers):
    # Given a row for a suspended helper, written behind the services' back
    suspended = helpers["suspended"]
    MatchEntry.objects.filter(helper=helpers["printer"]).update(helper=suspended)

    # When the index is rebuilt
    run("match_index_rebuild")

    # Then only eligible helpers are indexed
    assert indexed_pairs() == [
        (helpers["wifi_and_tv"].pk, "internet-wifi"),
        (helpers["wifi_and_tv"].pk, "tv-streaming"),
        (helpers["printer"].pk, "computer-printer"),
    ]
    assert match_index_check() == []


def test_rebuild_is_silent_at_verbosity_zero(helpers):
    before = index_rows()

    out, err = run("match_index_rebuild", verbosity=0)

    assert (out, err) == ("", "")
    assert index_rows() == before


# --- match_index_check --------------------------------------------------------------------------


def test_check_on_a_healthy_index_exits_zero(helpers):
    out, err = run("match_index_check")

    assert re.fullmatch(
        rf"Checked 2 helpers in {SECONDS}: 0 problems\.\n"
        r"The match index is in step with the helper tables\.\n",
        out,
    )
    assert "checking: 100%" in err


def _drop_row(helpers: dict[str, HelperProfile]) -> IndexProblem:
    helper, tv = helpers["wifi_and_tv"], category("tv-streaming")
    MatchEntry.objects.filter(helper=helper, category=tv).delete()
    return IndexProblem(helper.pk, tv.pk, "missing")


def _move_row(helpers: dict[str, HelperProfile]) -> IndexProblem:
    helper = helpers["printer"]
    MatchEntry.objects.filter(helper=helper).update(latitude=F("latitude") + 0.01)
    return IndexProblem(helper.pk, category("computer-printer").pk, "stale")


def _index_suspended_helper(helpers: dict[str, HelperProfile]) -> IndexProblem:
    suspended, wifi = helpers["suspended"], category("internet-wifi")
    values = MatchEntry.objects.values(*ROW_FIELDS).get(
        helper=helpers["wifi_and_tv"], category=wifi
    )
    MatchEntry.objects.create(**{**values, "helper_id": suspended.pk})
    return IndexProblem(suspended.pk, wifi.pk, "extra")


def _drop_rtree_row(helpers: dict[str, HelperProfile]) -> IndexProblem:
    helper, wifi = helpers["wifi_and_tv"], category("internet-wifi")
    entry = MatchEntry.objects.get(helper=helper, category=wifi)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM match_rtree_{wifi.pk} WHERE id = %s", [entry.pk])  # noqa: S608
    return IndexProblem(helper.pk, wifi.pk, "spatial_stale")


def _orphan_rtree_row(helpers: dict[str, HelperProfile]) -> IndexProblem:
    # A row the table does not have: refreshing the helper cannot remove it, rebuilding can.
    helper, wifi = helpers["wifi_and_tv"], category("internet-wifi")
    entry = MatchEntry.objects.get(helper=helper, category=wifi)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO match_rtree_{wifi.pk} SELECT 999999, min_lat, max_lat, min_lon, "  # noqa: S608
            f"max_lon, min_score, max_score, helper_id, latitude, longitude, service_radius_km, languages_mask, "
            f"rating_sum, rating_count, completed_visits, cancellations_caused, no_shows_caused, "
            f"offers_answered, offers_expired, response_seconds_total, approved_epoch "
            f"FROM match_rtree_{wifi.pk} WHERE id = %s",
            [entry.pk],
        )
    return IndexProblem(helper.pk, wifi.pk, "spatial_stale")


def _drop_spatial_index(helpers: dict[str, HelperProfile]) -> IndexProblem:
    wifi = category("internet-wifi")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX match_geog_{wifi.pk}")
        else:
            cursor.execute(f"DROP TABLE match_rtree_{wifi.pk}")
    return IndexProblem(0, wifi.pk, "spatial_missing")


def _drop_free_time(helpers: dict[str, HelperProfile]) -> IndexProblem:
    helper = helpers["printer"]
    assert FreeTime.objects.filter(helper=helper).delete()[0] > 0
    return IndexProblem(helper.pk, 0, "free_time")


BREAKAGES: list[Any] = [
    pytest.param(_drop_row, id="missing"),
    pytest.param(_move_row, id="stale"),
    pytest.param(_index_suspended_helper, id="extra"),
    pytest.param(_drop_rtree_row, id="spatial_stale", marks=SQLITE_ONLY),
    pytest.param(_orphan_rtree_row, id="spatial_stale_orphan", marks=SQLITE_ONLY),
    pytest.param(_drop_spatial_index, id="spatial_missing"),
    pytest.param(_drop_free_time, id="free_time"),
]


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_check_names_the_problem_and_exits_non_zero(
    helpers, breakage: Callable[[dict[str, HelperProfile]], IndexProblem]
):
    # Given an index broken in one way
    expected = breakage(helpers)

    # When it is checked
    assert match_index_check() == [expected]
    stdout = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("match_index_check", stdout=stdout, stderr=io.StringIO())

    # Then the command exits 1, counting and naming the one problem
    assert refused.value.returncode == 1
    assert str(refused.value) == (
        "The match index is out of step: 1 problem; run with --fix to repair them."
    )
    lines = stdout.getvalue().splitlines()
    assert re.fullmatch(rf"Checked \d helpers in {SECONDS}: 1 problem\.", lines[0])
    assert lines[1].split()[:2] == [expected.problem, "1"]
    who = f"helper {expected.helper_id}, " if expected.helper_id else ""
    slug = (
        "free time"
        if expected.problem == "free_time"
        else ServiceCategory.objects.get(pk=expected.category_id).slug
    )
    assert lines[2:] == ["First 1 of 1:", f"  {who}{slug}: {expected.problem}"]


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_fix_repairs_the_problem_and_touches_nobody_else(
    helpers, breakage: Callable[[dict[str, HelperProfile]], IndexProblem]
):
    # Given an index broken in one way
    before = index_rows()
    ids_before = row_ids()
    expected = breakage(helpers)

    # When the check runs with --fix
    out, _ = run("match_index_check", fix=True)

    # Then it repaired what it found and the re-check passes
    refreshed = 1 if expected.problem in ("missing", "stale", "extra", "free_time") else 0
    recreated = 1 - refreshed
    assert re.search(
        rf"Fixed: refreshed {refreshed} helpers?, recreated {recreated} spatial index(es)?\. "
        r"Checking again\.\nChecked 2 helpers in [0-9.]+ s: 0 problems\.\n"
        r"The match index is in step with the helper tables\.\n$",
        out,
    )
    assert match_index_check() == []
    assert index_rows() == before
    # And only the helper with the problem had its rows written again
    untouched = {key: pk for key, pk in row_ids().items() if key[0] != expected.helper_id}
    assert untouched == {key: pk for key, pk in ids_before.items() if key[0] != expected.helper_id}


def test_fix_repairs_every_kind_at_once_and_searches_work_again(helpers):
    # Given an index broken in several ways at once (the spatial index last: on SQLite its
    # triggers refuse every write to the table while the R*Tree is gone)
    expected = [
        _drop_row(helpers),
        _move_row(helpers),
        _index_suspended_helper(helpers),
        _drop_spatial_index(helpers),
    ]
    assert sorted(match_index_check(), key=repr) == sorted(expected, key=repr)

    # When the check runs with --fix
    out, _ = run("match_index_check", fix=True)

    # Then everything is repaired in one pass
    assert "Fixed: refreshed 3 helpers, recreated 1 spatial index. Checking again." in out
    assert out.endswith("The match index is in step with the helper tables.\n")
    assert match_index_check() == []
    # And the recreated spatial index answers searches
    found = nearest(
        category_id=category("internet-wifi").pk, center=ZURICH, radius_m=5_000.0, limit=5
    )
    assert [item.row.helper_id for item in found] == [helpers["wifi_and_tv"].pk]


def test_fix_on_a_healthy_index_changes_nothing(helpers):
    ids_before = row_ids()

    out, _ = run("match_index_check", fix=True)

    assert "Fixed" not in out
    assert out.endswith("The match index is in step with the helper tables.\n")
    assert row_ids() == ids_before


def test_check_lists_only_the_first_twenty_problems():
    # Given 21 eligible helpers whose rows are all gone
    for east_m in range(21):
        make_helper(point=offset(ZURICH, east_m=100.0 * east_m))
    MatchEntry.objects.all().delete()

    stdout = io.StringIO()
    with pytest.raises(CommandError, match="21 problems"):
        call_command("match_index_check", stdout=stdout, stderr=io.StringIO())

    lines = stdout.getvalue().splitlines()
    assert lines[1].split()[:2] == ["missing", "21"]
    assert lines[2] == "First 20 of 21:"
    assert len(lines) == 23
