"""Front-end files vendored from the npm registry, pinned by a checksum lock (no Node build).

    python scripts/vendor_assets.py           fetch every package in assets.lock.json with
                                              `npm pack`, check the tarball's integrity and each
                                              file's sha256, copy the files into place
    python scripts/vendor_assets.py --check   offline: re-hash the committed files against the
                                              lock and print each file's SRI sha384

To add or upgrade a package, edit assets.lock.json (spec, files and their destinations) with
empty checksums, run the fetch mode with --update, review the diff, commit.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "assets.lock.json"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sri384(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def check(lock: dict) -> list[str]:
    problems = []
    for spec, package in lock["packages"].items():
        for source, entry in package["files"].items():
            target = ROOT / entry["to"]
            if not target.is_file():
                problems.append(f"{spec}: {entry['to']} is missing")
                continue
            data = target.read_bytes()
            if _sha256(data) != entry["sha256"]:
                problems.append(f"{spec}: {entry['to']} differs from {source} in the lock")
                continue
            print(f"ok  {entry['to']}  ({spec} {source})  {_sri384(data)}")
    return problems


def fetch(lock: dict, *, update: bool) -> list[str]:
    problems = []
    with tempfile.TemporaryDirectory() as scratch:
        for spec, package in lock["packages"].items():
            print(f"npm pack {spec} ...", flush=True)
            result = subprocess.run(  # noqa: S603 - a fixed command on the lock's own specs
                ["npm", "pack", spec, "--json", "--pack-destination", scratch],  # noqa: S607
                check=True,
                capture_output=True,
                text=True,
            )
            packed = json.loads(result.stdout)[0]
            if update:
                package["integrity"] = packed["integrity"]
            elif packed["integrity"] != package["integrity"]:
                problems.append(f"{spec}: tarball integrity differs from the lock")
                continue
            with tarfile.open(Path(scratch) / packed["filename"]) as tar:
                for source, entry in package["files"].items():
                    member = tar.extractfile(f"package/{source}")
                    if member is None:
                        problems.append(f"{spec}: no {source} in the tarball")
                        continue
                    data = member.read()
                    if update:
                        entry["sha256"] = _sha256(data)
                    elif _sha256(data) != entry["sha256"]:
                        problems.append(f"{spec}: {source} differs from the lock")
                        continue
                    target = ROOT / entry["to"]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                    print(f"    {source} -> {entry['to']}")
    if update and not problems:
        LOCK.write_text(json.dumps(lock, indent=2) + "\n")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify the committed files offline")
    parser.add_argument("--update", action="store_true", help="write new checksums to the lock")
    args = parser.parse_args()
    lock = json.loads(LOCK.read_text())
    problems = check(lock) if args.check else fetch(lock, update=args.update)
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
