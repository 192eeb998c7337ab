"""A file's size as each language writes it: "5 MB", "5 Mo" in French (not Django's "5,0 Mio"),
a decimal only where there is one, the number and its unit held on one line."""

from __future__ import annotations

import pytest
from django.utils import translation

from backend.file_sizes import file_size_words

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("language", "five_megabytes", "one_and_a_bit", "one_and_a_half_kilobytes", "bytes_"),
    [
        ("de", "5\xa0MB", "1,2\xa0MB", "1,5\xa0KB", "500 Bytes"),
        ("fr", "5\xa0Mo", "1,2\xa0Mo", "1,5\xa0Ko", "500 octets"),
        ("it", "5\xa0MB", "1,2\xa0MB", "1,5\xa0KB", "500 byte"),
        ("en", "5\xa0MB", "1.2\xa0MB", "1.5\xa0KB", "500 bytes"),
    ],
)
def test_each_language_writes_a_file_size_its_own_way(
    language, five_megabytes, one_and_a_bit, one_and_a_half_kilobytes, bytes_
):
    with translation.override(language):
        assert file_size_words(5 * MB) == five_megabytes
        assert file_size_words(int(1.2 * MB)) == one_and_a_bit
        assert file_size_words(1536) == one_and_a_half_kilobytes
        assert file_size_words(500) == bytes_


def test_one_byte_is_singular():
    with translation.override("fr"):
        assert file_size_words(1) == "1 octet"
