"""Compile the gettext catalogues (locale/*/LC_MESSAGES/django.po) into the .mo files Django
reads, where a .mo is missing or older than its .po. `make venv` runs it, and so does the test
suite before it starts. Needs `msgfmt` (Debian: gettext)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_messages(*, quiet: bool = False) -> list[Path]:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        raise SystemExit("msgfmt not found: install gettext (apt-get install gettext)")
    compiled = []
    for po in sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        subprocess.run([msgfmt, "--check-format", "-o", str(mo), str(po)], check=True)  # noqa: S603
        compiled.append(mo)
        if not quiet:
            print(f"compiled {mo.relative_to(ROOT)}")
    return compiled


if __name__ == "__main__":
    compile_messages()
    sys.exit(0)
