"""PostgreSQL's searches (`postgres`): plans that walk the category's partial GiST however the
statement is sent, and the center and the sphere exactly as the KNN batches assume them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from backend.geo import Point, haversine_m
from bookings.matching import postgres
from bookings.matching.protocol import TABLE, ScoreBound
from bookings.matching.scoring import Weights
from tests.bookings.matching.world import World
from tests.factories import ZURICH


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_knn_query_uses_the_index_order_when_sent_the_way_django_sends_it(world: World):
    # Given the index (1,500 helpers) and fresh statistics
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
    category_id = world.category_ids[0]

    # When the search's own SQL is explained through Django's cursor: parameters bound on the
    # client, nothing prepared, exactly as the search sends it
    sql, params = postgres.knn_sql(category_id, ZURICH, reach_m=25_160.0, limit=30)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    # Then the plan walks the category's partial GiST in distance order: no sort, no bitmap
    assert f"Index Scan using match_geog_{category_id}" in plan, plan
    assert "Order By: (geog <->" in plan, plan
    assert "Sort" not in plan, plan
    assert "Bitmap" not in plan, plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgis_sphere_distance_is_the_haversine_the_knn_batches_continue_from(world: World):
    # Given every indexed helper and a customer in Zürich
    # When PostGIS measures `<->` to each of them
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT latitude, longitude, geog <-> ST_SetSRID(ST_MakePoint(%s, %s), 4326)"  # noqa: S608
            f"::geography FROM {TABLE}",
            [ZURICH.longitude, ZURICH.latitude],
        )
        measured = cursor.fetchall()

    # Then the haversine on the mean radius agrees far within the slack a batch leaves
    assert len(measured) > 1000
    worst = max(
        abs(haversine_m(ZURICH, Point(lat, lon)) - sphere) / sphere
        for lat, lon, sphere in measured
        if sphere > 1.0
    )
    assert worst < postgres.SPHERE_SLACK / 100


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_knn_query_keeps_the_index_order_as_a_generic_prepared_plan(world: World):
    # Given the index and fresh statistics
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
    category_id = world.category_ids[2]

    # When the search's SQL is prepared with $n parameters, as a server-binding driver or a
    # pooler sends it, and PostgreSQL is made to plan it once for any values
    sql, params = postgres.knn_sql(
        category_id,
        ZURICH,
        reach_m=25_160.0,
        limit=23,
        language_mask=3,
        beyond_m=800.0,
        reach_filter=True,
    )
    numbered = sql
    for number in range(1, len(params) + 1):
        numbered = numbered.replace("%s", f"${number}", 1)
    values = ", ".join(repr(value) for value in params)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE match_knn AS {numbered}")
        cursor.execute(f"EXPLAIN EXECUTE match_knn({values})")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("DEALLOCATE match_knn")

    # Then the generic plan walks the category's partial GiST in distance order too
    assert f"Index Scan using match_geog_{category_id}" in plan, plan
    assert "Order By: (geog <->" in plan, plan
    assert "Sort" not in plan, plan
    # and its filters compare with the center as bound, not a point built again for every row
    assert "Filter: " in plan, plan
    assert "st_makepoint" not in plan.lower(), plan


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_center_is_sent_as_exactly_its_coordinates() -> None:
    center = Point(47.376886999999996, 8.541693999999998)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Y(CAST(%s AS geography)::geometry), ST_X(CAST(%s AS geography)::geometry),"
            " ST_SRID(CAST(%s AS geography))",
            [postgres.center_ewkb(center)] * 3,
        )
        assert cursor.fetchone() == (center.latitude, center.longitude, 4326)


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_range_query_for_a_known_radius_uses_the_categorys_index(world: World):
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
    category_id = world.category_ids[1]
    static_sql, static_params = Weights.current().static_sql(
        postgres.SCORE_DIALECT, bonus=0.05, new_since=timezone.now(), new_visits=3
    )
    bound = ScoreBound(static_sql, static_params, 0.5, 25_000.0)
    stored_sql, stored_params = Weights.current().static_sql(
        postgres.SCORE_DIALECT,
        bonus=0.05,
        new_since=timezone.now(),
        new_visits=3,
        stored="static_score",
    )
    indexed = ScoreBound(stored_sql, stored_params, 0.5, 25_000.0, True, 0.05)
    for with_bound in (None, bound, indexed):
        sql, params = postgres.range_sql(
            category_id, ZURICH, beyond_m=1_500.0, within_m=4_000.0, bound=with_bound, floor=0.9
        )
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert f"match_geog_{category_id}" in plan, plan
        assert "Seq Scan" not in plan, plan
        assert ("CASE WHEN" in plan) == (with_bound is not None), plan
        # With stored scores, the GiST's second column leaves out low scores in the index
        index_conditions = [line for line in plan.splitlines() if "Index Cond" in line]
        assert any("static_score >=" in line for line in index_conditions) == (
            with_bound is indexed
        ), plan
