"""A cache of work every start would otherwise repeat: rules already read and validated, and the bank-holiday
calendar. Never needed for a correct answer, only for a fast one: no edit to the cache can change an answer.

Each entry is a file named by a hash of everything its value depends on: the contents of the data files it was
made from, the epa version, and the ``stamp`` of each of epa's own modules and schemas (so that editing the code or
a schema in a checkout invalidates it). Most entries are JSON. The rules, read at every start, are
kept as the domain model's objects themselves (``get_objects``/``put_objects``, pickled), because building them
again from JSON (parsing it, then structuring each of about 1,100 objects) cost more than any other step of a
warm start. Unpickling can run code; here it cannot, for two reasons, either enough alone: an entry is
unpickled only once its digest (below) has matched, so only a process holding the user's own secret can have
written it, and such a process can already edit epa itself; and the unpickler can make only the classes its
caller names (the model's), never look up any other callable, so even an entry that got past the digest could
make no more than model objects. Such an entry's name is also keyed by the Python version and the pickle
protocol, by the attrs module that pickles the model's classes (its file's stamp), and by the libraries that read,
check and build the rules (PyYAML, jsonschema with referencing, rpds and jsonschema_specifications,
fastjsonschema, cattrs: their ``__init__.py`` files' stamps and their distributions' ``RECORD``).

A file's stamp is its size, modification time, change time and inode, not its contents (reading and hashing epa's
116 files, 1.6 MB, would add about 7 ms to a warm start, where the stat calls take 1 ms): the modification time
alone can be set back (``cp -p``, ``rsync -t``, ``touch -r``, an unpacked archive), and an edit that keeps the size
then kept the key; the change time cannot be set by any tool, and a file replaced is another inode. A file changed
within ``SETTLED_NS`` of the stamp may be changed again within its time stamps' granularity (a clock tick; 2 s on
FAT) unseen: its stamp is ``UNSETTLED`` and that start uses no cache at all.

An entry's first line is the format and a digest of its name and its payload: BLAKE2b keyed (the MAC it was made
to be, without HMAC's construction) by a secret that lives outside the cache folder
(``$XDG_STATE_HOME/epa/cache-key``, else ``~/.local/state/epa/cache-key``), made on first use. An entry is read
only if it is a regular file of at most MAX_BYTES (never opened otherwise, so a FIFO or device cannot block a start)
whose digest matches; anything else (unreadable, edited, truncated, renamed, from an older format, written with
another secret, too large, too deep) is a miss: the work is done again and the entry written afresh.
With no secret, nothing is cached. A secret file that is not the user's alone (another user's, or one others may
read or write, who could then sign entries) is not used: a new one replaces it, and every entry is a miss once.

Where: ``$EPA_CACHE_DIR`` (``~`` read as the home folder), else ``$XDG_CACHE_HOME/epa`` (where absolute), else
``~/.cache/epa``. ``EPA_NO_CACHE`` set to anything but nothing or ``0`` turns it off.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from stat import S_ISREG
from typing import Any

# CPython's BLAKE2 and constant-time comparison, without hashlib and hmac, which load OpenSSL's libcrypto at import
# (about 2.5 ms, a sixth of what the standard library adds to a warm start); the same functions where those are all
# another Python has.
try:
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - not CPython
    from hashlib import blake2b
try:
    from _operator import _compare_digest as compare_digest
except ImportError:  # pragma: no cover - not CPython
    from hmac import compare_digest  # type: ignore[no-redef]  # (the same function, typed apart)

_CORE = Path(__file__).resolve().parent

FORMAT = b"epa-cache 3"  # the start of every entry's first line; a change of format makes old entries misses
# The largest entry (one body's rulesets) is about 120 kB; a body with many standards and versions could reach a
# few MB. Past this an entry is not written, and a file this large is not read (reading and hashing 16 MB takes
# tens of milliseconds, not the seconds and gigabytes of parsing an unbounded file).
MAX_BYTES = 16 * 1024 * 1024
SECRET_BYTES = 32
# Opening never waits (a FIFO swapped in after the lstat has no writer) and never follows a symlink.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


def enabled() -> bool:
    return os.environ.get("EPA_NO_CACHE", "").strip() in ("", "0")


def directory() -> Path:
    """The cache folder. ``EPA_CACHE_DIR`` may begin with ``~`` (a shell does not expand it in quotes, an env file or
    a unit file), read as the home folder, not as a folder named ``~`` made in the working directory; one naming a
    user there is not is no folder (RuntimeError: nothing cached). ``XDG_CACHE_HOME`` is used only when absolute,
    as its specification says (a relative one is ignored, as ``XDG_STATE_HOME`` is by :func:`secret_file`)."""
    if named := os.environ.get("EPA_CACHE_DIR"):
        expanded = os.path.expanduser(named)
        if expanded.startswith("~"):
            raise RuntimeError(f"EPA_CACHE_DIR {named!r} names no home folder")
        return Path(expanded)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    return (Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache") / "epa"


def secret_file() -> Path:
    """Where the secret that keys every entry's digest is kept: outside the cache folder, so that a cache
    folder copied in from elsewhere (a shared folder, a CI cache another branch wrote) is not trusted."""
    state = os.environ.get("XDG_STATE_HOME", "")
    base = Path(state) if os.path.isabs(state) else Path.home() / ".local" / "state"
    return base / "epa" / "cache-key"


@cache
def _code() -> str:
    """What epa's code and schemas are: its version, and the stamp of every module, schema and data file
    in the package, at any depth (an edit to a module in a subpackage must change the key as surely as one at the
    top), and in the schemas folder."""
    from epa import __version__

    parts = [__version__]
    schemas = _CORE / "schemas"
    for folder in (_CORE, schemas if schemas.is_dir() else _CORE.parents[1] / "schemas"):
        parts.extend(_files(folder))
    said = "\n".join(parts)
    return blake2b(_encoded(said)).hexdigest() + (UNSETTLED if UNSETTLED in said else "")


def _files(folder: Path) -> list[str]:
    """``path:stamp`` of every .py, .json and .yaml file under ``folder``, in a fixed order; none if it is
    unreadable. Bytecode caches are skipped: they are written by running the code, not by editing it."""
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(names):
            if name.endswith((".py", ".json", ".yaml")):
                path = os.path.join(root, name)
                found.append(f"{path}:{stamp(path)}")
    return found


# A file changed this recently may be changed again within its time stamps' granularity (a clock tick; 2 s on FAT)
# and keep its stamp: a start reading it then could key an entry made from one text by the other's stamp.
SETTLED_NS = 2_000_000_000
UNSETTLED = "\0unsettled"  # (no path holds a NUL: never part of a key otherwise)


def stamp(path: str | os.PathLike[str]) -> str:
    """What a file is, for a key (see the module's docstring): ``size:mtime:ctime:inode``, ``-`` where there is no
    file, and ``UNSETTLED`` after it where it changed within ``SETTLED_NS`` of now: a key holding that is no key
    (:func:`key`), so that start neither reads nor writes an entry. A change dated further ahead of this clock (a
    clock set back, a network file system's skew) is no sign of a recent one: counted unsettled, it would turn the
    cache off at every start for as long as the clocks differ."""
    try:
        found = os.stat(path)
    except OSError:
        return "-"
    made = f"{found.st_size}:{found.st_mtime_ns}:{found.st_ctime_ns}:{found.st_ino}"
    return made + UNSETTLED if abs(found.st_ctime_ns - time.time_ns()) < SETTLED_NS else made


def _encoded(text: str) -> bytes:
    """Text to hash, paths among it: a file name in bytes that are not UTF-8 (a folder named in Latin-1) is held by
    Python as lone surrogates, which UTF-8 cannot encode; kept apart from any other text, as surrogates."""
    return text.encode("utf-8", "surrogatepass")


_NAME_DIGEST = 20  # bytes of an entry name's digest


def key(kind: str, contents: Iterable[tuple[Path, bytes]] = (), *extra: str) -> str | None:
    """The entry's name: a hash of its kind, the code, ``extra`` and each data file's path and contents, given as
    the caller read them: the bytes it then makes the entry's value from, never the file read again (saved in
    between, the file would key the old text's entry with the new text's value). None when caching is off, or when
    the code or ``extra`` names a file ``UNSETTLED`` (:func:`stamp`)."""
    if not enabled() or any(UNSETTLED in part for part in (_code(), *extra)):
        return None
    digest = blake2b(_encoded(f"{kind}\n{_code()}\n{extra}"), digest_size=_NAME_DIGEST)
    for path, data in contents:  # each path and text after its length: one file's text never reads as the next's
        name = _encoded(str(path))
        digest.update(b"\n%d:%s%d:" % (len(name), name, len(data)))
        digest.update(data)
    return f"{kind}-{digest.hexdigest()}"


def _signed(name: str | None, suffix: str) -> bytes | None:
    """The payload of the entry ``name`` + ``suffix``, or None (a miss) unless its digest is the one this secret
    gives its name and payload: only then may its bytes be parsed."""
    if name is None or (secret := _secret()) is None:
        return None
    try:
        folder = directory()
    except RuntimeError:  # no home directory to keep it in (nor EPA_CACHE_DIR, XDG_CACHE_HOME): nothing cached
        return None
    data = read_bounded(folder / f"{name}{suffix}", MAX_BYTES)
    if data is None:
        return None
    header, _, payload = data.partition(b"\n")
    return payload if compare_digest(header, _header(secret, name, payload)) else None


def get(name: str | None) -> Any | None:
    """The entry's value, or None (a miss) unless the entry is exactly what ``put`` wrote under this name."""
    payload = _signed(name, ".json")
    if payload is None:
        return None
    import json  # (not at every start: a warm one reads object entries alone)

    try:
        return json.loads(payload)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return None


def put(name: str | None, value: Any) -> None:
    """Store atomically (a half-written entry is never read); any failure leaves no entry."""
    if name is None or (secret := _secret()) is None:
        return
    import json

    try:
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()
    except (TypeError, ValueError, RecursionError):
        return
    _write(secret, name, payload, ".json")


def _write(secret: bytes, name: str, payload: bytes, suffix: str) -> None:
    import tempfile

    try:
        folder = directory()
        entry = _header(secret, name, payload) + b"\n" + payload
        if len(entry) > MAX_BYTES:  # it would never be read back
            return
        folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(entry)
            os.replace(temporary, folder / f"{name}{suffix}")
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except (OSError, RuntimeError):  # (RuntimeError: no home directory for the cache folder)
        return
    _prune(folder, name.rsplit("-", 1)[0], suffix)


# --- entries of objects (see the module's docstring) ----------------------------------------------------------

PICKLE_PROTOCOL = 5
OBJECTS = ".pickle"  # their suffix: a JSON entry is never unpickled, nor an object entry parsed as JSON


# The libraries that read, check and build the rules from their files, and those jsonschema reads schemas with
# (its references and the metaschemas it checks a schema by): another version of one may read them otherwise (or
# refuse them), so the rules it read are not the new one's.
RULE_READERS = ("yaml", "jsonschema", "referencing", "rpds", "jsonschema_specifications", "fastjsonschema", "cattrs")
# Their distributions' names where not the package's, as an installer names their metadata folders.
READER_DISTRIBUTIONS = {"yaml": "pyyaml", "rpds": "rpds_py"}


@cache
def objects_key() -> str:
    """What an object entry depends on besides epa's code: the Python version, the protocol, the attrs module
    that writes and restores the model's objects (another attrs installed, another file), and the libraries that
    read the rules (``RULE_READERS``, as ``_installed`` finds them: an upgrade leaving ``__init__.py`` as it was,
    of jsonschema or of a library it reads schemas with, was not seen). An edit made in place inside an installed
    package, past its ``__init__.py``, is not: stamping each of the readers' hundred files took 2 to 3 ms more at
    every start, and hashing them more still."""
    import sys

    from attr import _make

    return " ".join([f"{sys.version} pickle {PICKLE_PROTOCOL} {_make.__file__}:{stamp(_make.__file__)}",
                     *map(_installed, RULE_READERS)])


def _installed(package: str) -> str:
    """``path:stamp`` of a package's ``__init__.py`` where import would find it (``installed_files``), and of the
    ``RECORD`` of its distribution's metadata folder beside it (``<name>-<version>.dist-info``), which every
    install, upgrade or reinstall writes afresh, whichever of the package's files it changes."""
    folder = _package_folder(package)
    if folder is None:
        return f"{package}:-"
    init = os.path.join(folder, "__init__.py")
    records = [os.path.join(meta, "RECORD") for meta in _installed_here(os.path.dirname(folder)).get(
        _normalised(READER_DISTRIBUTIONS.get(package, package)), ())]
    return " ".join(f"{path}:{stamp(path)}" for path in (init, *records))


def _normalised(distribution: str) -> str:
    return distribution.lower().replace("-", "_").replace(".", "_")


@cache
def _installed_here(place: str) -> dict[str, list[str]]:
    """The metadata folders in ``place`` by distribution, each list sorted (read once per process)."""
    found: dict[str, list[str]] = {}
    try:
        names = sorted(os.listdir(place))
    except OSError:
        return found
    for name in names:
        if name.endswith(".dist-info"):
            found.setdefault(_normalised(name[:-len(".dist-info")].rpartition("-")[0]), []).append(
                os.path.join(place, name))
    return found


def installed_files(package: str, files: Iterable[str]) -> str:
    """``path:stamp`` of each of ``files`` (paths in the package's folder) of the package import would find, found
    without importing it (a warm start imports none of them); ``package:-`` where there is none."""
    folder = _package_folder(package)
    if folder is None:
        return f"{package}:-"
    return " ".join(f"{path}:{stamp(path)}" for path in (os.path.join(folder, name) for name in files))


def _package_folder(package: str) -> str | None:
    """The folder of the top-level package import would find, asked of ``sys.meta_path``'s finders in import's
    order: sys.path's folders (the path finder's), and an editable install's finder, which finds its package where
    no folder on sys.path holds it (a package found elsewhere would key entries by a copy import does not use)."""
    import sys

    try:
        from _frozen_importlib_external import PathFinder  # importlib.machinery's, without importing that
    except ImportError:  # pragma: no cover - not CPython
        from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is PathFinder:  # as it finds a package, without its machinery (a warm start asks this of 5)
            for place in sys.path:
                folder = os.path.join(place or ".", package)
                if os.path.isfile(os.path.join(folder, "__init__.py")):
                    return folder
            continue
        find = getattr(finder, "find_spec", None)
        try:
            spec = find(package, None) if find is not None else None
        except Exception:  # noqa: BLE001 - another's finder failing: this one finds nothing, for the key
            continue
        if spec is not None:
            locations = list(spec.submodule_search_locations or ())
            return locations[0] if locations else None
    return None


def get_objects(name: str | None, allowed: dict[tuple[str, str], type]) -> Any | None:
    """The objects ``put_objects`` stored under this name, or None (a miss): read only once the entry's digest
    matches, by an unpickler that can make only the classes ``allowed`` names (by module and name)."""
    payload = _signed(name, OBJECTS)
    return None if payload is None else _unpickled(payload, allowed)


def put_objects(name: str | None, value: Any, allowed: dict[tuple[str, str], type]) -> None:
    """Store objects, if they read back (with the same ``allowed`` classes) equal to ``value``; else nothing."""
    if name is None or (secret := _secret()) is None:
        return
    import pickle

    try:
        payload = pickle.dumps(value, protocol=PICKLE_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, ValueError, RecursionError):
        return
    if _unpickled(payload, allowed) != value:  # a class not allowed, or an object that does not survive the trip
        return
    _write(secret, name, payload, OBJECTS)


def _unpickled(payload: bytes, allowed: dict[tuple[str, str], type]) -> Any | None:
    import io

    try:  # CPython's unpickler, which pickle.Unpickler is, without pickle's pure-Python half (1.5 ms to import)
        from _pickle import Unpickler as Base
        from _pickle import UnpicklingError
    except ImportError:  # another Python
        from pickle import Unpickler as Base  # type: ignore[assignment]
        from pickle import UnpicklingError

    class Unpickler(Base):
        def find_class(self, module: str, name: str) -> Any:
            try:
                return allowed[(module, name)]
            except KeyError:
                raise UnpicklingError(f"{module}.{name} is not a class an entry may hold") from None

    try:
        return Unpickler(io.BytesIO(payload)).load()
    except Exception:  # noqa: BLE001 - anything at all (a truncated or foreign payload): a miss
        return None


def _header(secret: bytes, name: str, payload: bytes) -> bytes:
    """The entry's first line: the format, and a digest of its name (so an entry moved to another name is a
    miss) and its payload, keyed by the secret."""
    digest = blake2b(name.encode() + b"\n", key=secret, digest_size=32)
    digest.update(payload)
    return FORMAT + b" " + digest.hexdigest().encode()


def read_bounded(path: Path, limit: int, private: bool = False) -> bytes | None:
    """The file's contents if it is a regular file of at most ``limit`` bytes (``private``: the user's own, which
    no one else may read or write), else None; never more than ``limit`` + 1 bytes are read. Anything else (a FIFO,
    a device, a symlink, a folder) is not opened."""
    try:
        if not S_ISREG(os.lstat(path).st_mode):
            return None
        fd = os.open(path, _OPEN_FLAGS)
        with os.fdopen(fd, "rb") as file:
            found = os.fstat(fd)
            if not S_ISREG(found.st_mode) or found.st_size > limit or private and not _private(found):
                return None
            data = file.read(limit + 1)  # the file may have grown since the fstat
    except OSError:
        return None
    return data if len(data) <= limit else None


_secrets: dict[Path, bytes | None] = {}  # per file, so that a test or a changed XDG_STATE_HOME gets its own


def _secret() -> bytes | None:
    """The secret keying every entry's digest, read once per process; made on first use. None (nothing is
    cached) when it can be neither read nor made."""
    try:
        path = secret_file()
    except RuntimeError:  # no home directory to keep it in
        return None
    if path not in _secrets:
        _secrets[path] = _read_secret(path) or _make_secret(path)
    return _secrets[path]


def _read_secret(path: Path) -> bytes | None:
    """The secret in ``path``, or None where there is no usable one: cut short, not a file, or not private to the
    user (another user's file, or one others may read or write: they could sign entries this user's starts then
    trust), which ``_make_secret`` replaces with one of the user's own (every entry then a miss, written afresh)."""
    found = read_bounded(path, SECRET_BYTES, private=True)
    return found if found is not None and len(found) == SECRET_BYTES else None


def _private(found: os.stat_result) -> bool:
    """Whether a file is the user's alone: owned by them, and neither readable nor writable by anyone else (where
    the system has users: not on Windows)."""
    getuid = getattr(os, "getuid", None)
    return getuid is None or (found.st_uid == getuid() and not found.st_mode & 0o077)


def _make_secret(path: Path) -> bytes | None:
    import tempfile

    made = os.urandom(SECRET_BYTES)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".cache-key.")  # readable by the user alone
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(made)
            try:
                os.link(temporary, path)  # only where there is none, whole: two first starts agree on one secret
            except FileExistsError:
                if (found := _read_secret(path)) is not None:
                    return found
                # Not a usable secret (cut short, not a file): replaced. Two starts doing this at once may each
                # keep their own for this run; the entries the loser writes are misses later, then rewritten.
                os.replace(temporary, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    except OSError:
        return None
    return made


KEEP = 32  # entries of each kind: the newest are kept, so edited rules do not fill the disk


def _prune(folder: Path, kind: str, suffix: str = ".json") -> None:
    """Remove all but the newest KEEP entries of ``kind``: files named as :func:`key` names them, and no other (the
    folder is the user's to name, a home folder among them, whose own files may begin with a kind's name)."""
    with contextlib.suppress(OSError):
        entries = [e for e in os.scandir(folder) if _is_entry(e.name, kind, suffix)]
        if len(entries) > KEEP:
            entries.sort(key=lambda e: (e.stat().st_mtime_ns, e.name))
            for old in entries[:-KEEP]:
                with contextlib.suppress(OSError):
                    os.unlink(old.path)


def _is_entry(name: str, kind: str, suffix: str) -> bool:
    digest = name[len(kind) + 1:-len(suffix)]
    return (name.startswith(f"{kind}-") and name.endswith(suffix) and len(digest) == _NAME_DIGEST * 2
            and all(c in "0123456789abcdef" for c in digest))
