"""Applicants' documents on disk: what an upload must be, and the encrypted files themselves.

A file's type is read from its first bytes, never from its name or the type the client sent
(a client that names a different type is refused). Only images (JPEG, PNG, WebP) and PDF are
taken; a PDF that carries active content (JavaScript, launch actions, embedded files, forms
that run code) or that is itself encrypted (it cannot be inspected) is refused.

Files are encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under
QUARTIER_DOCUMENT_KEY and stored under a random name in QUARTIER_DOCUMENT_DIR, which is never
below a directory the web server serves. Several comma-separated keys rotate: the first
encrypts, each decrypts.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.utils.translation import gettext as _

from backend import clock
from backend.config import config
from backend.exceptions import ValidationFailed, raises
from backend.file_sizes import file_size_words
from helpers.errors import HelperError

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
ACCEPTED_TYPES = (PDF, JPEG, PNG, WEBP)

# PDF names that make a document do something when opened, or hide other files in it.
_ACTIVE_PDF_NAMES = frozenset(
    {
        b"/JavaScript",
        b"/JS",
        b"/Launch",
        b"/EmbeddedFile",
        b"/EmbeddedFiles",
        b"/RichMedia",
        b"/XFA",
        b"/SubmitForm",
    }
)
_PDF_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)
# A compressed stream is inflated up to this size to be searched; a larger one is refused (a
# decompression bomb, or a document far beyond what an ID scan needs).
_MAX_INFLATED_BYTES = 50 * 1024 * 1024


class UploadRefused(ValidationFailed):
    code = HelperError.INVALID_UPLOAD


def _refuse(message: str, code: HelperError) -> UploadRefused:
    return UploadRefused(message, code=code, fields={"file": [message]})


@dataclass(frozen=True)
class CheckedUpload:
    content: bytes
    content_type: str


def detect_type(content: bytes) -> str | None:
    """The file's type from its first bytes (None: not one we take)."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return WEBP
    return None


def _inflated(stream: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        data = inflater.decompress(stream, _MAX_INFLATED_BYTES)
    except zlib.error:
        # Not a Flate stream (an image, say): its raw bytes were searched already.
        return b""
    if inflater.unconsumed_tail:
        raise _refuse(_("The PDF is too large once unpacked."), HelperError.PDF_TOO_COMPLEX)
    return data


def _names_in(data: bytes) -> set[bytes]:
    """PDF names, with #xx escapes resolved (/J#61vaScript is /JavaScript)."""
    return {
        _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), name)
        for name in _PDF_NAME.findall(data)
    }


def _check_pdf(content: bytes) -> None:
    names = _names_in(content)
    for stream in _PDF_STREAM.findall(content):
        names |= _names_in(_inflated(stream))
    if b"/Encrypt" in names:
        raise _refuse(
            _("The PDF is password-protected or encrypted: upload it without protection."),
            HelperError.PDF_ENCRYPTED,
        )
    if names & _ACTIVE_PDF_NAMES:
        raise _refuse(
            _(
                "The PDF contains scripts or other active content. Print it to a new PDF or"
                " upload a photo instead."
            ),
            HelperError.PDF_ACTIVE_CONTENT,
        )


@raises(HelperError.FILE_TOO_LARGE)
def check_upload_size(size: int | None) -> None:
    """Refuse a file over the limit: an upload's declared size is checked before its bytes
    are read into memory, the bytes again by `check_upload`."""
    limit = config().document_max_bytes
    if size is not None and size > limit:
        raise _refuse(
            _("The file is larger than %(size)s.") % {"size": file_size_words(limit)},
            HelperError.FILE_TOO_LARGE,
        )


@raises(
    HelperError.EMPTY_FILE,
    HelperError.FILE_TOO_LARGE,
    HelperError.UNSUPPORTED_FILE_TYPE,
    HelperError.CONTENT_TYPE_MISMATCH,
    HelperError.PDF_ACTIVE_CONTENT,
    HelperError.PDF_ENCRYPTED,
    HelperError.PDF_TOO_COMPLEX,
)
def check_upload(content: bytes, *, declared_type: str = "") -> CheckedUpload:
    """Refuse what must not be stored; return the content with its detected type."""
    if not content:
        raise _refuse(_("The file is empty."), HelperError.EMPTY_FILE)
    check_upload_size(len(content))
    detected = detect_type(content)
    if detected is None:
        raise _refuse(
            _("Upload a photo (JPEG, PNG, WebP) or a PDF."), HelperError.UNSUPPORTED_FILE_TYPE
        )
    declared = declared_type.split(";")[0].strip().lower()
    if declared and declared not in {detected, "application/octet-stream"}:
        raise _refuse(
            _("The file says it is %(declared)s, but its content is %(detected)s.")
            % {"declared": declared, "detected": detected},
            HelperError.CONTENT_TYPE_MISMATCH,
        )
    if detected == PDF:
        _check_pdf(content)
    return CheckedUpload(content=content, content_type=detected)


# --- Encrypted storage -------------------------------------------------------------------------


def _cipher() -> MultiFernet:
    keys = [key.strip() for key in config().document_key.split(",") if key.strip()]
    return MultiFernet([Fernet(key.encode("ascii")) for key in keys])


def document_dir() -> Path:
    return Path(config().document_dir)


def _path(storage_name: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}\.fernet", storage_name):
        raise ValueError(f"not a document's storage name: {storage_name!r}")
    return document_dir() / storage_name


def store_encrypted(content: bytes) -> str:
    """Encrypt `content` into a new file; returns its storage name. Readable by the owner only."""
    directory = document_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    storage_name = f"{secrets.token_hex(16)}.fernet"
    target = _path(storage_name)
    partial = target.with_suffix(".partial")
    token = _cipher().encrypt(content)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(token)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return storage_name


class DocumentUnreadable(Exception):
    """The file is gone or was encrypted under a key no longer configured."""


def read_decrypted(storage_name: str) -> bytes:
    try:
        token = _path(storage_name).read_bytes()
        return _cipher().decrypt(token)
    except (OSError, InvalidToken) as exc:
        raise DocumentUnreadable(storage_name) from exc


def remove_file(storage_name: str) -> None:
    """Delete the file; one already gone is fine (deletion is retried after a crash)."""
    with contextlib.suppress(FileNotFoundError):
        _path(storage_name).unlink()


def stored_names() -> set[str]:
    directory = document_dir()
    if not directory.is_dir():
        return set()
    return {path.name for path in directory.glob("*.fernet")}


def file_age(storage_name: str) -> timedelta:
    """How long ago the file was last written (zero when it is gone)."""
    try:
        modified = _path(storage_name).stat().st_mtime
    except FileNotFoundError:
        return timedelta(0)
    return clock.now() - datetime.fromtimestamp(modified, tz=UTC)
