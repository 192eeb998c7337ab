"""Numbers a client writes (a year, a stream's sequence number, a postcode) are the ASCII digits
0-9 alone. `str.isdigit()` is also true of "²" (which `int()` refuses) and of "٢٠٢٤" (which it
reads as 2024), so it is never the check."""

from __future__ import annotations

# Enough for any number a database integer holds (a bigint has up to 19 digits), few enough
# that `int()` never meets its limit on the digits of a string.
MAX_DIGITS = 18


def is_digits(text: str) -> bool:
    """Whether `text` is one or more of 0-9 and nothing else (no sign, no space)."""
    return text.isascii() and text.isdigit()


def digits_value(text: str) -> int | None:
    """The number `text` writes in at most `MAX_DIGITS` of 0-9 and nothing else, else None."""
    return int(text) if is_digits(text) and len(text) <= MAX_DIGITS else None
