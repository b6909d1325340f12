"""The cache is only ever a faster way to the same answer: whatever is done to its entries (an edit, a deletion of
rows, an empty list, deep nesting, a huge file, a FIFO, a symlink, garbage, a copy signed elsewhere), every command
gives what it gives with ``EPA_NO_CACHE=1``, and exits 0.

The commands run in a subprocess, as a user's would: a start reads the cache once, so an in-process run would not
read an entry the test changed. Each has a timeout (a FIFO that blocks fails the test rather than hanging the
suite) and an address-space limit (a huge entry that is read whole fails the test rather than the machine).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLES
from epa import cache
from epa.testing import requires

RECORD = str(EXAMPLES / "st0071-observation-distinction.yaml")
COHORT = str(EXAMPLES / "st0071-cohort.jsonl")
COMPARE = ("compare", RECORD, "--format", "json")
TIMELINE = ("timeline", RECORD, "--format", "json")
BATCH = ("compare", "--batch", COHORT, "--format", "csv")
COMMANDS = (COMPARE, TIMELINE, BATCH)
TIMEOUT = 60  # seconds: a guard against a hang, not a measure of speed
MEMORY = 1024 ** 3  # 1 GiB of address space: reading a 2 GiB entry whole fails


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def epa(*args: str, cache_dir: Path, state: Path, no_cache: bool = False) -> tuple[int, str, str]:
    """``epa ARGS`` in a subprocess with this cache folder and secret (under ``state``): exit code, stdout, stderr."""
    env = {k: v for k, v in os.environ.items() if k not in ("EPA_DEBUG", "EPA_NO_CACHE")}
    env.update(EPA_CACHE_DIR=str(cache_dir), XDG_STATE_HOME=str(state), PYTHONWARNINGS="ignore")
    if no_cache:
        env["EPA_NO_CACHE"] = "1"
    done = subprocess.run([sys.executable, "-m", "epa", *args], capture_output=True, timeout=TIMEOUT,
                          preexec_fn=_limit_memory, env=env)
    return done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")


@pytest.fixture(scope="module")
def uncached(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, ...], str]:
    """Each command's stdout with the cache off: the answer every cached run must give."""
    folder = tmp_path_factory.mktemp("uncached")
    answers = {}
    for command in COMMANDS:
        code, out, err = epa(*command, cache_dir=folder / "cache", state=folder / "state", no_cache=True)
        assert code == 0, err
        answers[command] = out
    assert not (folder / "cache").exists()
    return answers


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A cache every command has filled, and the state folder holding the secret it was written with."""
    folder = tmp_path_factory.mktemp("filled")
    for command in COMMANDS:
        code, _, err = epa(*command, cache_dir=folder / "cache", state=folder / "state")
        assert code == 0, err
    return folder / "cache", folder / "state"


@pytest.fixture
def warm(filled: tuple[Path, Path], tmp_path: Path) -> Path:
    """A copy of the filled cache, for one test to spoil."""
    return Path(shutil.copytree(filled[0], tmp_path / "cache"))


def same_answers(cache_dir: Path, state: Path, uncached: dict[tuple[str, ...], str],
                 commands: tuple[tuple[str, ...], ...] = COMMANDS) -> None:
    for command in commands:
        code, out, err = epa(*command, cache_dir=cache_dir, state=state)
        assert (code, "Traceback" in err) == (0, False), (command, code, err[-2000:])
        assert out == uncached[command], command


def entries(cache_dir: Path, kind: str = "") -> list[Path]:
    found = sorted(cache_dir.glob(f"{kind}*.json"))
    assert found, f"no {kind or 'cache'} entries in {cache_dir}"
    return found


def edit(entry: Path, change: Callable[[Any], None]) -> None:
    """Change an entry's JSON as a person with an editor would: any first line that is not JSON is kept as it was."""
    data = entry.read_bytes()
    head = b""
    if not data.startswith((b"[", b"{")):
        first, _, data = data.partition(b"\n")
        head = first + b"\n"
    value = json.loads(data)
    change(value)
    entry.write_bytes(head + json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def payload(entry: Path) -> Any:
    data = entry.read_bytes()
    return json.loads(data if data.startswith((b"[", b"{")) else data.partition(b"\n")[2])


def tqual_entry(cache_dir: Path) -> Path:
    return next(e for e in entries(cache_dir, "rulesets-") if any(r["body"] == "tqual" for r in payload(e)))


def observation_distinction_rows(rulesets: list[dict]) -> list[dict]:
    """TQUK's combination rows for observation distinction, project pass, discussion pass (overall distinction:
    003 § Overall Grading)."""
    return [row for r in rulesets if r["body"] == "tqual" for row in r["combination"]["rows"]
            if row["when"] == {"observation": "distinction", "project": "pass", "discussion": "pass"}]


@requires("tqual")
def test_an_edited_combination_row_changes_no_grade(warm: Path, filled: tuple[Path, Path],
                                                    uncached: dict[tuple[str, ...], str]) -> None:
    def overall_pass(rulesets: list[dict]) -> None:
        rows = observation_distinction_rows(rulesets)
        assert [row["overall"] for row in rows] == ["distinction"]
        rows[0]["overall"] = "pass"

    edit(tqual_entry(warm), overall_pass)
    code, out, err = epa(*COMPARE, cache_dir=warm, state=filled[1])
    assert code == 0, err
    tqual = next(r for r in json.loads(out)["results"] if r["body"] == "tqual")
    assert tqual["overall"] == "distinction"
    assert out == uncached[COMPARE]


@requires("tqual")
def test_an_entry_signed_with_another_secret_is_not_trusted(warm: Path, filled: tuple[Path, Path], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            uncached: dict[tuple[str, ...], str]) -> None:
    """A cache folder copied in from elsewhere (a CI cache, a shared folder) whose writer recomputed the digest
    with its own secret: a miss here, whose secret it is not."""
    entry = tqual_entry(warm)
    rulesets = payload(entry)
    observation_distinction_rows(rulesets)[0]["overall"] = "pass"
    monkeypatch.setenv("EPA_CACHE_DIR", str(warm))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "elsewhere"))
    monkeypatch.delenv("EPA_NO_CACHE", raising=False)
    cache.put(entry.stem, rulesets)
    assert cache.get(entry.stem) == rulesets  # valid where it was written
    same_answers(warm, filled[1], uncached, (COMPARE,))


@requires("nqual")
def test_holidays_deleted_from_the_calendar_move_no_deadline(warm: Path, filled: tuple[Path, Path],
                                                            uncached: dict[tuple[str, ...], str]) -> None:
    christmas = {"2025-12-25", "2025-12-26", "2026-01-01"}  # Christmas Day, Boxing Day, New Year's Day
    ordinals = {dt.date.fromisoformat(day).toordinal() for day in christmas}

    def delete(pairs: list[list]) -> None:
        assert ordinals <= {ordinal for ordinal, _ in pairs}
        pairs[:] = [pair for pair in pairs if pair[0] not in ordinals]

    (calendar,) = entries(warm, "bank-holidays-")
    edit(calendar, delete)
    code, out, err = epa(*TIMELINE, cache_dir=warm, state=filled[1])
    assert code == 0, err
    nqual = next(r for r in json.loads(out)["results"] if r["body"] == "nqual")
    form = next(d for d in nqual["deadlines"] if d["id"] == "gateway-form-10-working-days")
    # 10 working days before the first assessment, Monday 2026-01-12 (000 § GATEWAY), counted back by hand:
    # Jan 9, 8, 7, 6, 5, 2 (six; Thursday 1 January is New Year's Day), Dec 31, 30, 29 (nine; Friday 26 and
    # Thursday 25 December are Boxing Day and Christmas Day), Wednesday 24 December (ten). Without those three
    # bank holidays it would be Monday 29 December.
    assert form["date"] == "2025-12-24"
    assert out == uncached[TIMELINE]


def _deep(entry: Path, original: bytes) -> None:
    entry.write_bytes(b"[" * 100_000 + b"]" * 100_000)


def _large(entry: Path, original: bytes) -> None:
    with entry.open("wb") as file:  # 2 GiB, sparse: costs no disk, and cannot be read whole under MEMORY
        file.write(b"[")
        file.truncate(2 * 1024 ** 3)


def _fifo(entry: Path, original: bytes) -> None:
    os.mkfifo(entry)  # opening it for reading blocks until a writer comes: none does


def _symlink_to_fifo(entry: Path, original: bytes) -> None:
    target = entry.parent.parent / f"{entry.name}.fifo"
    os.mkfifo(target)
    entry.symlink_to(target)


def _symlink_to_endless(entry: Path, original: bytes) -> None:
    if not os.path.exists("/dev/zero"):
        pytest.skip("needs /dev/zero")
    entry.symlink_to("/dev/zero")


SPOILERS: dict[str, Callable[[Path, bytes], None]] = {
    "empty list": lambda entry, original: entry.write_bytes(b"[]"),
    "empty object": lambda entry, original: entry.write_bytes(b"{}"),
    "nested 100,000 deep": _deep,
    "2 GiB": _large,
    "a FIFO": _fifo,
    "a symlink to a FIFO": _symlink_to_fifo,
    "a symlink to /dev/zero": _symlink_to_endless,
    "binary garbage": lambda entry, original: entry.write_bytes(bytes(range(256)) * 16),
    "cut short": lambda entry, original: entry.write_bytes(original[: len(original) // 2]),
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symlinks (POSIX)")
@pytest.mark.parametrize("spoil", SPOILERS.values(), ids=SPOILERS.keys())
def test_a_spoiled_entry_is_a_miss_and_is_written_again(spoil: Callable[[Path, bytes], None], warm: Path,
                                                        filled: tuple[Path, Path],
                                                        uncached: dict[tuple[str, ...], str]) -> None:
    spoiled = entries(warm)
    for entry in spoiled:
        original = entry.read_bytes()
        entry.unlink()
        spoil(entry, original)
    same_answers(warm, filled[1], uncached)
    for entry in spoiled:  # each was a miss, so its work was done again and the entry written as it was
        assert not entry.is_symlink() and entry.read_bytes() == (filled[0] / entry.name).read_bytes(), entry.name


def test_concurrent_writers_leave_a_clean_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                uncached: dict[tuple[str, ...], str]) -> None:
    """Starts racing on an empty cache and no secret yet: every one gives the uncached answer, and what they
    leave is whole entries, each a hit, and no temporary files."""
    cache_dir, state = tmp_path / "cache", tmp_path / "state"
    env = {k: v for k, v in os.environ.items() if k not in ("EPA_DEBUG", "EPA_NO_CACHE")}
    env.update(EPA_CACHE_DIR=str(cache_dir), XDG_STATE_HOME=str(state), PYTHONWARNINGS="ignore")
    starts = [subprocess.Popen([sys.executable, "-m", "epa", *COMPARE], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env) for _ in range(8)]
    done = [(start.communicate(timeout=TIMEOUT * 4), start.returncode) for start in starts]
    assert [code for _, code in done] == [0] * len(starts), [err[-500:] for (_, err), _ in done]
    assert all(out.decode() == uncached[COMPARE] for (out, _), _ in done)
    left = [p.name for p in [*cache_dir.iterdir(), *state.rglob("*")] if p.name.startswith(".")]
    assert left == []  # no temporary file of an entry or of the secret
    monkeypatch.setenv("EPA_CACHE_DIR", str(cache_dir))
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    monkeypatch.delenv("EPA_NO_CACHE", raising=False)
    assert all(cache.get(entry.stem) is not None for entry in entries(cache_dir))
    same_answers(cache_dir, state, uncached, (COMPARE,))


# --- the bounds, in process --------------------------------------------------------------------------------------


@pytest.fixture
def cache_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EPA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("EPA_NO_CACHE", raising=False)
    return tmp_path / "cache"


def test_an_entry_at_the_size_bound_is_kept_and_one_past_it_is_not(cache_env: Path) -> None:
    cache.put("probe-at", "")
    overhead = (cache_env / "probe-at.json").stat().st_size  # the first line and the JSON quotes
    cache.put("probe-at", "x" * (cache.MAX_BYTES - overhead))
    assert (cache_env / "probe-at.json").stat().st_size == cache.MAX_BYTES
    assert cache.get("probe-at") == "x" * (cache.MAX_BYTES - overhead)
    cache.put("probe-past", "x" * (cache.MAX_BYTES - overhead + 1))
    assert not (cache_env / "probe-past.json").exists() and cache.get("probe-past") is None


def test_an_entry_renamed_to_another_name_is_a_miss(cache_env: Path) -> None:
    cache.put("probe-one", [1])
    os.replace(cache_env / "probe-one.json", cache_env / "probe-two.json")
    assert cache.get("probe-two") is None


def test_an_entry_from_an_older_format_is_a_miss(cache_env: Path) -> None:
    cache.put("probe-old", [1])
    (cache_env / "probe-old.json").write_text("[2]", encoding="utf-8")  # as epa wrote entries before: bare JSON
    assert cache.get("probe-old") is None


def test_too_deep_is_a_miss_even_when_signed(cache_env: Path) -> None:
    """Someone holding the secret could sign anything; an entry nested past what the parser goes is still a miss."""
    cache.put("probe-deep", [])
    deep = b"[" * 100_000 + b"]" * 100_000
    secret = cache.read_bounded(cache.secret_file(), cache.SECRET_BYTES)
    assert secret is not None
    (cache_env / "probe-deep.json").write_bytes(cache._header(secret, "probe-deep", deep) + b"\n" + deep)
    assert cache.get("probe-deep") is None


def test_an_unusable_secret_is_replaced(cache_env: Path, tmp_path: Path) -> None:
    secret = cache.secret_file()
    secret.parent.mkdir(parents=True)
    secret.write_bytes(b"short")
    cache.put("probe-secret", [1])
    assert cache.get("probe-secret") == [1] and len(secret.read_bytes()) == cache.SECRET_BYTES


@pytest.mark.parametrize("where", ["cli.py", "consistency/cohort.py", "rules/families/window.py",
                                   "standards/ST0071.yaml"])
def test_an_edit_to_any_module_of_the_package_changes_the_key(where: str, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """The key names the code that made an entry, so an edit anywhere in the package, however deep (a module in a
    subpackage such as consistency/, or in a subpackage of one), makes old entries misses: an entry made by the old
    code would otherwise be served to the new, a silent wrong answer. The key is computed afresh for a copy of a
    package laid out like epa's (``_code`` itself is computed once per process)."""
    package = tmp_path / "epa"
    for name in ("__init__.py", "cli.py", "consistency/__init__.py", "consistency/cohort.py",
                 "rules/__init__.py", "rules/families/__init__.py", "rules/families/window.py",
                 "standards/ST0071.yaml"):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache, "_CORE", package)
    before = cache._code.__wrapped__()  # type: ignore[attr-defined]
    assert cache._code.__wrapped__() == before  # type: ignore[attr-defined]
    (package / where).write_text("x = 12\n", encoding="utf-8")  # one byte longer: the size alone differs
    assert cache._code.__wrapped__() != before  # type: ignore[attr-defined]
