"""The databases `bench.matching` measures: one synthetic Switzerland, in SQLite and PostgreSQL.

Both databases hold the same rows: `helpers` real User, HelperProfile and HelperSkill rows drawn
by bench/synthetic_switzerland.py (homes around real localities, radius 2-25 km lognormal with
a median of 10 km, 70 % approved, 90 % accepting jobs, languages of the locality), 12 service
categories (the 9 of the data migration and 3 added here, each helper skilled in 1-4 of them)
and no weekly hours. A few approved helpers (`NEWCOMER_SHARE`) were approved in the last
`NEWCOMER_MAX_DAYS` days and have no visits yet: the newcomers fairness gives a bonus.

The rows are generated once and written to both databases in batches: `executemany` on SQLite,
`COPY` on PostgreSQL, with Django's own field conversions. The match index is then filled by the
real `bookings.matching.index.match_index_rebuild`, timed, on a fresh connection with the
project's own settings.

A million helpers take many minutes, so both databases are kept (the SQLite file and the
PostgreSQL database named by the caller) with a one-row `bench_meta` table written last, and
reused while helpers, seed and `BUILD_FORMAT` match. When only the modules that build the index
changed (`INDEX_MODULES`), the index alone is rebuilt. Import this module only after
`django.setup()`.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, models, transaction
from tqdm import tqdm

from backend.models import User
from bench.synthetic_switzerland import (
    BENCH_PASSWORD,
    SwissMixture,
    _profile,
    _user,
    helper_languages,
)
from bookings.matching import index, postgres, sqlite
from bookings.models import MatchEntry
from catalogue.models import ServiceCategory
from helpers.models import ApprovalStatus, HelperProfile, HelperSkill

SQLITE = "default"
POSTGRES = "postgres"
ALIASES = (SQLITE, POSTGRES)
LABELS = {SQLITE: "SQLite", POSTGRES: "PostgreSQL"}

# What builds the match index (rows, spatial indexes): a change to one rebuilds it.
_INDEX_MODULES = (index, sqlite, postgres)
INDEX_MODULES = tuple(f"bookings/matching/{Path(m.__file__ or '').name}" for m in _INDEX_MODULES)

# Bump whenever what is generated changes: kept databases of another format are rebuilt.
BUILD_FORMAT = 1
META_TABLE = "bench_meta"
BATCH_SIZE = 20_000

# Three more categories on top of the data migration's nine, so that there are twelve.
EXTRA_CATEGORIES: tuple[tuple[str, str, int], ...] = (
    ("bench-photos-video", "Photos & video", 60),
    ("bench-game-consoles", "Game consoles", 60),
    ("bench-e-banking", "E-banking & payments", 45),
)
SKILLS_PER_HELPER = (1, 4)
NEWCOMER_SHARE = 0.03  # of the approved helpers
NEWCOMER_MAX_DAYS = 25  # within FAIRNESS_NEW_HELPER_DAYS (30)
SETTLED_DAYS = (60, 1500)  # when the other approved helpers were approved

# Fields Django must convert for the database (the others go in as they are).
_CONVERTED_TYPES = frozenset({"UUIDField", "JSONField", "DateTimeField", "DateField"})


@dataclass
class BuildMeta:
    """What a kept database holds; stored as JSON in `bench_meta`."""

    format: int
    helpers: int
    seed: int
    anchor: str  # ISO time the data was built "at": approval dates count back from it
    approved_accepting: int
    newcomers: int
    skill_rows: int
    generate_seconds: float  # shared by both databases
    write_seconds: float  # this database's own writes
    index_source: str = ""  # sha256 of the INDEX_MODULES the index was built with
    index_seconds: float = 0.0
    index_rows: int = 0
    index_built_at: str = ""
    analyze_seconds: float = 0.0

    @property
    def anchor_time(self) -> datetime:
        return datetime.fromisoformat(self.anchor)


@dataclass
class Prepared:
    """The two databases, ready: their build records and what this run had to do."""

    meta: dict[str, BuildMeta]
    category_ids: list[int]
    rebuilt: bool = False
    reindexed: list[str] = field(default_factory=list)


def match_index_source_hash() -> str:
    digest = hashlib.sha256()
    for module in _INDEX_MODULES:
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()


# --- the meta table ---------------------------------------------------------------------------


def read_meta(alias: str) -> BuildMeta | None:
    connection = connections[alias]
    if META_TABLE not in connection.introspection.table_names():
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT value FROM {META_TABLE} WHERE key = %s", ["build"])
        row = cursor.fetchone()
    if row is None:
        return None
    stored = json.loads(row[0])
    known = {f.name for f in fields(BuildMeta)}
    if set(stored) - known or stored.get("format") != BUILD_FORMAT:
        return None
    try:
        return BuildMeta(**stored)
    except TypeError:
        return None


def write_meta(alias: str, meta: BuildMeta) -> None:
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {META_TABLE} (key VARCHAR(40) PRIMARY KEY, value TEXT)"
        )
        cursor.execute(f"DELETE FROM {META_TABLE} WHERE key = %s", ["build"])
        cursor.execute(
            f"INSERT INTO {META_TABLE} (key, value) VALUES (%s, %s)",
            ["build", json.dumps(asdict(meta))],
        )


# --- categories -------------------------------------------------------------------------------


def ensure_categories() -> list[int]:
    """The same 12 categories, with the same primary keys, in both databases.

    The extra three are added on SQLite; anything PostgreSQL lacks is copied from there with
    its key. (The data migration writes its categories through the default database only, so
    a second database migrated in the same process has none of its own.)
    """
    for position, (slug, name, minutes) in enumerate(EXTRA_CATEGORIES, start=100):
        ServiceCategory.objects.using(SQLITE).get_or_create(
            slug=slug,
            defaults={"name": name, "typical_duration_minutes": minutes, "position": position},
        )
    source = list(ServiceCategory.objects.using(SQLITE).order_by("pk"))
    present = set(ServiceCategory.objects.using(POSTGRES).values_list("slug", flat=True))
    missing = [category for category in source if category.slug not in present]
    if missing:
        ServiceCategory.objects.using(POSTGRES).bulk_create(missing)
        _reset_sequences(POSTGRES, [ServiceCategory])
    keys = {
        alias: dict(ServiceCategory.objects.using(alias).values_list("slug", "pk"))
        for alias in ALIASES
    }
    if keys[SQLITE] != keys[POSTGRES]:
        raise RuntimeError(f"the two databases' categories differ: {keys}")
    category_ids = sorted(
        ServiceCategory.objects.using(SQLITE).filter(is_active=True).values_list("pk", flat=True)
    )
    if len(category_ids) != 9 + len(EXTRA_CATEGORIES):
        raise RuntimeError(f"expected 12 active categories, found {len(category_ids)}")
    return category_ids


def _reset_sequences(alias: str, model_list: Sequence[type[models.Model]]) -> None:
    connection = connections[alias]
    statements = connection.ops.sequence_reset_sql(no_style(), list(model_list))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# --- generating and writing the helpers ---------------------------------------------------------


@dataclass(frozen=True)
class HelperBatch:
    users: list[User]
    profiles: list[HelperProfile]
    skills: list[tuple[int, int, int]]  # (id, helper id, category id)


@dataclass
class GenerationCounts:
    approved_accepting: int = 0
    newcomers: int = 0
    skill_rows: int = 0


def generate_helpers(
    *,
    count: int,
    seed: int,
    category_ids: Sequence[int],
    anchor: datetime,
    counts: GenerationCounts,
    batch_size: int = BATCH_SIZE,
) -> Iterator[HelperBatch]:
    """`count` helpers with primary keys 1..count, the same for a given seed.

    Homes, languages and profiles come from bench/synthetic_switzerland.py; skills are 1-4 of
    the categories; newcomers are approved within `NEWCOMER_MAX_DAYS` of `anchor` and have no
    visits or reviews yet, the other approved helpers were approved long before.
    """
    rng = random.Random(seed)
    mixture = SwissMixture(rng)
    password = make_password(BENCH_PASSWORD)
    skill_pk = 0
    for first in range(1, count + 1, batch_size):
        users: list[User] = []
        profiles: list[HelperProfile] = []
        skills: list[tuple[int, int, int]] = []
        for pk in range(first, min(first + batch_size, count + 1)):
            home = mixture.draw()
            user = _user(
                email=f"helper{pk}@bench.quartier.test",
                name=f"Helper {pk}",
                home=home,
                languages=helper_languages(home.locality, rng),
                password=password,
            )
            user.pk = pk
            profile = _profile(user, rng)
            profile.pk = pk
            if profile.approval_status == ApprovalStatus.APPROVED:
                if rng.random() < NEWCOMER_SHARE:
                    days = rng.uniform(0.5, NEWCOMER_MAX_DAYS)
                    profile.rating_count = profile.rating_sum = profile.completed_visits = 0
                    profile.cancellations_caused = profile.no_shows_caused = 0
                    counts.newcomers += profile.is_accepting_jobs
                else:
                    days = rng.uniform(*SETTLED_DAYS)
                profile.approval_changed_at = anchor - timedelta(days=days)
                counts.approved_accepting += profile.is_accepting_jobs
            users.append(user)
            profiles.append(profile)
            for category_id in rng.sample(list(category_ids), rng.randint(*SKILLS_PER_HELPER)):
                skill_pk += 1
                skills.append((skill_pk, pk, category_id))
        counts.skill_rows += len(skills)
        yield HelperBatch(users, profiles, skills)


def _constant(value: Any) -> Callable[[Any], Any]:
    def get(obj: Any) -> Any:
        return value

    return get


def _converted(model_field: models.Field[Any, Any], connection: Any) -> Callable[[Any], Any]:
    get = attrgetter(model_field.attname)
    prep = model_field.get_db_prep_save

    def convert(obj: Any) -> Any:
        return prep(get(obj), connection=connection)

    return convert


class TableWriter:
    """Writes model instances (or plain rows) to one table of one database, fast.

    Every concrete field is written; Django converts the values that need it (UUIDs, JSON,
    date-times), `auto_now` fields get the build's anchor time.
    """

    def __init__(self, model: type[models.Model], alias: str, *, anchor: datetime) -> None:
        connection = connections[alias]
        self.alias = alias
        self.table = model._meta.db_table
        concrete = list(model._meta.concrete_fields)
        self.columns = [str(f.column) for f in concrete]
        self._getters: list[Callable[[Any], Any]] = []
        for model_field in concrete:
            if getattr(model_field, "auto_now", False) or getattr(
                model_field, "auto_now_add", False
            ):
                self._getters.append(_constant(model_field.get_db_prep_save(anchor, connection)))
            elif model_field.get_internal_type() in _CONVERTED_TYPES:
                self._getters.append(_converted(model_field, connection))
            else:
                self._getters.append(attrgetter(model_field.attname))
        self.anchor_value = next(
            (
                f.get_db_prep_save(anchor, connection)
                for f in concrete
                if f.get_internal_type() == "DateTimeField"
            ),
            None,
        )

    def rows_of(self, objects: Sequence[Any]) -> list[tuple[Any, ...]]:
        getters = self._getters
        return [tuple(get(obj) for get in getters) for obj in objects]

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        connection = connections[self.alias]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in self.columns)
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            raw = connection.connection
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {quote(self.table)} ({columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {quote(self.table)} ({columns}) VALUES ({marks})", rows
                )


def _load_helpers(
    *, helpers: int, seed: int, category_ids: Sequence[int], anchor: datetime
) -> tuple[GenerationCounts, float, dict[str, float]]:
    """Generate once, write to both databases; (counts, generate seconds, write seconds)."""
    writers = {
        alias: (
            TableWriter(User, alias, anchor=anchor),
            TableWriter(HelperProfile, alias, anchor=anchor),
            TableWriter(HelperSkill, alias, anchor=anchor),
        )
        for alias in ALIASES
    }
    for alias in ALIASES:
        if connections[alias].vendor == "sqlite":
            # Only for the bulk load: the connection is closed (and these undone) afterwards.
            with connections[alias].cursor() as cursor:
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA cache_size = -262144")
    counts = GenerationCounts()
    generate_seconds = 0.0
    write_seconds = dict.fromkeys(ALIASES, 0.0)
    batches = generate_helpers(
        count=helpers, seed=seed, category_ids=category_ids, anchor=anchor, counts=counts
    )
    with tqdm(total=helpers, desc="helpers → SQLite + PostgreSQL", unit="helper") as bar:
        while True:
            started = time.perf_counter()
            batch = next(batches, None)
            generate_seconds += time.perf_counter() - started
            if batch is None:
                break
            for alias in ALIASES:
                users, profiles, skills = writers[alias]
                started = time.perf_counter()
                created = skills.anchor_value
                with transaction.atomic(using=alias):
                    users.write(users.rows_of(batch.users))
                    profiles.write(profiles.rows_of(batch.profiles))
                    skills.write([(*row, created) for row in batch.skills])
                write_seconds[alias] += time.perf_counter() - started
            bar.update(len(batch.users))
    _reset_sequences(POSTGRES, [User, HelperProfile, HelperSkill])
    return counts, generate_seconds, write_seconds


def newcomer_ids(alias: str, anchor: datetime) -> set[int]:
    """The helpers `generate_helpers` made newcomers: approved (and accepting jobs) within
    `NEWCOMER_MAX_DAYS` before the build."""
    return set(
        HelperProfile.objects.using(alias)
        .filter(
            approval_status=ApprovalStatus.APPROVED,
            is_accepting_jobs=True,
            approval_changed_at__gte=anchor - timedelta(days=NEWCOMER_MAX_DAYS),
        )
        .values_list("pk", flat=True)
    )


# --- the match index and statistics ------------------------------------------------------------


def analyze(alias: str) -> float:
    """PostgreSQL: VACUUM ANALYZE the bench's tables, as autovacuum soon would (and so that it
    does not start in the middle of the timing); SQLite: nothing. Returns seconds."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (User, HelperProfile, HelperSkill, MatchEntry):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    return time.perf_counter() - started


def build_index(alias: str, *, expected_helpers: int) -> tuple[float, int]:
    """`match_index_rebuild` on a fresh connection, timed: (seconds, index rows)."""
    connections[alias].close()
    with tqdm(total=expected_helpers, desc=f"match index, {LABELS[alias]}", unit="helper") as bar:
        started = time.perf_counter()
        rows = index.match_index_rebuild(using=alias, progress=bar.update)
        seconds = time.perf_counter() - started
    return seconds, rows


def _index_and_record(alias: str, meta: BuildMeta, source: str) -> None:
    meta.index_seconds, meta.index_rows = build_index(
        alias, expected_helpers=meta.approved_accepting
    )
    meta.analyze_seconds = analyze(alias)
    meta.index_source = source
    meta.index_built_at = datetime.now(UTC).isoformat(timespec="seconds")
    write_meta(alias, meta)


# --- putting it together ---------------------------------------------------------------------


def migrate(alias: str) -> None:
    call_command("migrate", database=alias, verbosity=0, interactive=False)


def prepare(
    *,
    helpers: int,
    seed: int,
    rebuild: bool,
    reindex: bool,
    wipe: Callable[[str], None],
) -> Prepared:
    """Both databases built (or kept), migrated, with 12 categories and a current match index.

    `wipe(alias)` empties one database (deletes the file, or drops and recreates the database);
    Django's connection to it is closed first.
    """
    kept = {alias: read_meta(alias) for alias in ALIASES}
    fresh = rebuild or any(
        meta is None or (meta.helpers, meta.seed) != (helpers, seed) for meta in kept.values()
    )
    if fresh:
        for alias in ALIASES:
            connections[alias].close()
            wipe(alias)
    for alias in ALIASES:
        migrate(alias)
    category_ids = ensure_categories()
    source = match_index_source_hash()
    if not fresh:
        metas = {alias: meta for alias, meta in kept.items() if meta is not None}
        stale = [alias for alias in ALIASES if reindex or metas[alias].index_source != source]
        for alias in stale:
            _index_and_record(alias, metas[alias], source)
        return Prepared(metas, category_ids, rebuilt=False, reindexed=stale)

    anchor = datetime.now(UTC).replace(microsecond=0)
    counts, generate_seconds, write_seconds = _load_helpers(
        helpers=helpers, seed=seed, category_ids=category_ids, anchor=anchor
    )
    metas = {}
    for alias in ALIASES:
        connections[alias].close()  # the bulk-load pragmas end with the connection
        analyze(alias)  # the helper tables, before the index is built from them
        metas[alias] = BuildMeta(
            format=BUILD_FORMAT,
            helpers=helpers,
            seed=seed,
            anchor=anchor.isoformat(),
            approved_accepting=counts.approved_accepting,
            newcomers=counts.newcomers,
            skill_rows=counts.skill_rows,
            generate_seconds=generate_seconds,
            write_seconds=write_seconds[alias],
        )
        _index_and_record(alias, metas[alias], source)
    return Prepared(metas, category_ids, rebuilt=True, reindexed=list(ALIASES))
