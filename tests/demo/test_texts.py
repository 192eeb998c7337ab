"""The demo's texts, read from data/demo/*.toml."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_django import Settings

from catalogue.models import ServiceCategory
from demo.texts import LANGUAGES, data_dir, texts


@pytest.fixture
def fresh_texts() -> Iterator[None]:
    """Texts read anew in the test, and again by whoever comes next."""
    texts.cache_clear()
    yield
    texts.cache_clear()


@pytest.mark.django_db
def test_every_category_has_its_own_descriptions_and_note_in_every_language():
    slugs = set(ServiceCategory.objects.filter(is_active=True).values_list("slug", flat=True))
    loaded = texts()

    assert len(slugs) == 9
    assert set(loaded.requests.descriptions) == slugs
    assert set(loaded.visits.leave_behind) == slugs
    for slug in slugs:
        assert set(loaded.requests.descriptions[slug]) == set(LANGUAGES)
        assert all(len(found) == 2 for found in loaded.requests.descriptions[slug].values())
        assert set(loaded.visits.leave_behind[slug]) == set(LANGUAGES)


def test_the_texts_keep_their_placeholders_and_ratings():
    loaded = texts()

    assert loaded.requests.for_mother["fr"] == "Pour ma mère {name} : "
    assert all("{skills}" in bio for bio in loaded.helpers.bio.values())
    assert all(
        "{category}" in summary
        for summaries in loaded.visits.work_summaries.values()
        for summary in summaries
    )
    for language in LANGUAGES:
        assert set(loaded.reviews.by_customer[language]) == {5, 4, 3, 1}
        assert set(loaded.reviews.by_helper[language]) == {5, 4, 3}
    assert loaded.places.cities[0] == ("Zürich", 420)
    assert loaded.places.area_codes["TI"] == "91"


def test_a_table_missing_a_language_stops_the_demo_naming_file_and_table(
    tmp_path: Path, settings: Settings, fresh_texts: None
):
    copy = tmp_path / "data" / "demo"
    shutil.copytree(data_dir(), copy)
    helpers = copy / "helpers.toml"
    text = helpers.read_text(encoding="utf-8")
    helpers.write_text(re.sub(r"(?m)^it = .*\n", "", text, count=1), encoding="utf-8")
    settings.BASE_DIR = tmp_path

    with pytest.raises(ValueError, match=r"helpers\.toml: \[bios\] has the languages"):
        texts()
