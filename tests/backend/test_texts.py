"""visible_text: what one user writes is what another reads."""

from __future__ import annotations

import pytest

from backend.exceptions import ValidationFailed
from backend.texts import visible_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("  Ruth Keller ", "Ruth Keller", id="outer white space"),
        pytest.param("Rene\u0301", "René", id="NFC"),
        pytest.param("\u05e9\u05e8\u05d4 \u200fכהן", "\u05e9\u05e8\u05d4 \u200fכהן", id="RLM kept"),
        pytest.param("Zoë 🧑‍💻", "Zoë 🧑‍💻", id="emoji with a joiner"),
        pytest.param("Anna\u200b Meier", "Anna\u200b Meier", id="a zero-width space inside"),
    ],
)
def test_a_visible_text_is_kept_normalised(value, expected):
    assert visible_text(value, field="display_name") == expected


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("Ruth\u202eKeller", id="right-to-left override"),
        pytest.param("Ruth\u202dKeller", id="left-to-right override"),
        pytest.param("Ruth\u2067Keller\u2069", id="right-to-left isolate"),
        pytest.param("Ruth\u202bKeller", id="embedding"),
        pytest.param("\x1b[31mRuth\x1b[0m", id="terminal escape"),
        pytest.param("Ruth\nKeller", id="line break in a name"),
        pytest.param("Ruth\x00", id="NUL"),
        pytest.param("Ruth\ud800", id="lone surrogate"),
    ],
)
def test_control_and_direction_characters_are_refused(value):
    with pytest.raises(ValidationFailed) as refused:
        visible_text(value, field="display_name")
    assert refused.value.code == "forbidden_characters"
    assert list(refused.value.fields) == ["display_name"]


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("\u200b", id="zero-width space"),
        pytest.param("\u200b\u200c\u200d\u2060\ufeff", id="zero-width characters"),
        pytest.param("\u3164", id="Hangul filler"),
        pytest.param("\u2800\u2800", id="blank Braille"),
        pytest.param("\u0301", id="a combining accent alone"),
        pytest.param("\u00a0\u3000", id="no-break and ideographic spaces"),
        pytest.param("", id="empty"),
    ],
)
def test_a_text_with_nothing_visible_is_refused(value):
    with pytest.raises(ValidationFailed) as refused:
        visible_text(value, field="display_name")
    assert refused.value.code == "nothing_visible"
    assert list(refused.value.fields) == ["display_name"]


def test_an_optional_text_may_be_empty_but_not_invisible():
    assert visible_text("  ", field="note", required=False) == ""
    with pytest.raises(ValidationFailed) as refused:
        visible_text("\u200b", field="note", required=False)
    assert refused.value.code == "nothing_visible"


def test_a_multiline_text_keeps_its_line_breaks_and_tabs():
    text = "Router reset.\r\n\tNew password on the fridge."
    assert visible_text(text, field="work_summary", multiline=True) == (
        "Router reset.\n\tNew password on the fridge."
    )
    with pytest.raises(ValidationFailed):
        visible_text("Router\x07 reset", field="work_summary", multiline=True)


def test_the_length_is_checked_once_normalised():
    assert visible_text("e\u0301" * 3, field="display_name", max_length=3) == "é" * 3
    with pytest.raises(ValidationFailed) as refused:
        visible_text("abcd", field="display_name", max_length=3)
    assert refused.value.code == "max_length"
