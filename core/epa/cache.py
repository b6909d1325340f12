"""A cache of work every start would otherwise repeat: rules already read and validated, and the bank-holiday
calendar. Never needed for a correct answer, only for a fast one.

Each entry is a JSON file (never pickle: nothing in it is executed) named by a hash of everything its value
depends on: the contents of the data files it was made from, the epa version, and the size and modification
time of epa's own modules and schemas (so that editing the code or a schema in a checkout invalidates it).
A file that cannot be read or written, or holds anything unexpected, is a miss: the work is done again.

Where: ``$EPA_CACHE_DIR``, else ``$XDG_CACHE_HOME/epa``, else ``~/.cache/epa``. ``EPA_NO_CACHE=1`` turns it
off.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

_CORE = Path(__file__).resolve().parent


def enabled() -> bool:
    return os.environ.get("EPA_NO_CACHE", "").strip() in ("", "0")


def directory() -> Path:
    if os.environ.get("EPA_CACHE_DIR"):
        return Path(os.environ["EPA_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "epa"


@cache
def _code() -> str:
    """What epa's code and schemas are: its version, and every module's and schema's size and mtime."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        parts = [version("epa")]
    except PackageNotFoundError:  # pragma: no cover - run from a source tree
        parts = ["unknown"]
    schemas = _CORE / "schemas"
    folders = [_CORE, _CORE / "standards", schemas if schemas.is_dir() else _CORE.parents[1] / "schemas"]
    for folder in folders:
        with contextlib.suppress(OSError):
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if entry.is_file() and entry.name.endswith((".py", ".json", ".yaml")):
                    stat = entry.stat()
                    parts.append(f"{entry.path}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def key(kind: str, files: Iterable[Path] = (), *extra: str) -> str | None:
    """The entry's name: a hash of its kind, the code, ``extra`` and each file's path and contents.
    None when caching is off or a file cannot be read."""
    if not enabled():
        return None
    digest = hashlib.sha256(f"{kind}\n{_code()}\n{extra}".encode())
    try:
        for path in files:
            digest.update(f"\n{path}\n".encode())
            digest.update(Path(path).read_bytes())
    except OSError:
        return None
    return f"{kind}-{digest.hexdigest()[:40]}"


def get(name: str | None) -> Any | None:
    if name is None:
        return None
    try:
        with (directory() / f"{name}.json").open("rb") as file:
            return json.load(file)
    except (OSError, ValueError):
        return None


def put(name: str | None, value: Any) -> None:
    """Store atomically (a half-written entry is never read); any failure leaves no entry."""
    if name is None:
        return
    import tempfile

    folder = directory()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as file:
                json.dump(value, file, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
            os.replace(temporary, folder / f"{name}.json")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except (OSError, TypeError, ValueError):
        return
    _prune(folder, name.rsplit("-", 1)[0])


KEEP = 32  # entries of each kind: the newest are kept, so edited rules do not fill the disk


def _prune(folder: Path, kind: str) -> None:
    with contextlib.suppress(OSError):
        entries = [e for e in os.scandir(folder) if e.name.startswith(f"{kind}-") and e.name.endswith(".json")]
        if len(entries) > KEEP:
            entries.sort(key=lambda e: (e.stat().st_mtime_ns, e.name))
            for old in entries[:-KEEP]:
                with contextlib.suppress(OSError):
                    os.unlink(old.path)
