"""A file's size as each language writes it: "5 MB", "5 Mo" (French counts in octets), "1,2 MB".

Django's `filesizeformat` writes French sizes as "5,0 Mio", which French readers do not expect;
Quartier's limits and documents are whole or one-decimal megabytes, written without a ",0".
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import ngettext, pgettext

KILOBYTE = 1024
MEGABYTE = 1024 * KILOBYTE


def _number(value: float) -> str:
    rounded = round(value, 1)
    return formats.number_format(rounded, decimal_pos=0 if rounded.is_integer() else 1)


def file_size_words(size_bytes: int) -> str:
    """The size in the active language, its number and unit held together (no-break space)."""
    if size_bytes < KILOBYTE:
        return ngettext("%(size)d byte", "%(size)d bytes", size_bytes) % {"size": size_bytes}
    if size_bytes < MEGABYTE:
        number, unit = _number(size_bytes / KILOBYTE), pgettext("file size", "KB")
    else:
        number, unit = _number(size_bytes / MEGABYTE), pgettext("file size", "MB")
    return f"{number}\u00a0{unit}"
