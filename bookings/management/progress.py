"""Progress bars for management commands: tqdm on the command's stderr, silent at verbosity 0."""

from __future__ import annotations

from typing import Any

from django.core.management.base import OutputWrapper
from tqdm import tqdm


class Unterminated:
    """tqdm writes carriage returns; Django's OutputWrapper would end every write with a newline."""

    def __init__(self, wrapper: OutputWrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> int:
        self._wrapper.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self._wrapper.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapper, name)


def progress_bar(
    stderr: OutputWrapper, *, total: int | None, desc: str, unit: str, verbosity: int
) -> tqdm:
    """A bar on the command's stderr, so stdout keeps only the results; none at verbosity 0."""
    return tqdm(
        total=total,
        desc=desc,
        unit=unit,
        file=Unterminated(stderr),
        disable=verbosity == 0,
    )
