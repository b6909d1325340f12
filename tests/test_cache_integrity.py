"""The cache is only ever a faster way to the same answer: whatever is done to its entries (an edit, a deletion of
rows, an empty list, deep nesting, a huge file, a FIFO, a symlink, garbage, a copy signed elsewhere), every command
gives what it gives with ``EPA_NO_CACHE=1``, and exits 0.

The commands run in a subprocess, as a user's would: a start reads the cache once, so an in-process run would not
read an entry the test changed. Each has a timeout (a FIFO that blocks fails the test rather than hanging the
suite) and an address-space limit (a huge entry that is read whole fails the test rather than the machine).
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import pickle
import resource
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest
import yaml

from conftest import EXAMPLES, offering
from epa import cache
from epa.model.domain import Grade, Ruleset
from epa.rules import load as rules
from epa.testing import requires

RECORD = str(EXAMPLES / "st0071-observation-distinction.yaml")
COHORT = str(EXAMPLES / "st0071-cohort.jsonl")
COMPARE = ("compare", RECORD, "--format", "json")
TIMELINE = ("timeline", RECORD, "--format", "json")
BATCH = ("compare", "--batch", COHORT, "--format", "csv")
COMMANDS = (COMPARE, TIMELINE, BATCH)
WHY = "the standard of examples/st0071-observation-distinction.yaml and st0071-cohort.jsonl, which the commands read"
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
    offering("ST0071", WHY)
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
    offering("ST0071", WHY)
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
    found = sorted([*cache_dir.glob(f"{kind}*.json"), *cache_dir.glob(f"{kind}*{cache.OBJECTS}")])
    assert found, f"no {kind or 'cache'} entries in {cache_dir}"
    return found


def hit(entry: Path) -> Any:
    """What the cache gives for an entry (None: a miss), JSON or the rules' objects, as epa asks for it."""
    if entry.suffix == cache.OBJECTS:
        return cache.get_objects(entry.stem, rules._model_classes())
    return cache.get(entry.stem)


def edit(entry: Path, change: Callable[[Any], None]) -> None:
    """Change an entry's JSON as a person with an editor would: any first line that is not JSON is kept as it was.
    An entry of objects (the rules, the entry points, the calendar) is changed as pickle reads and writes it."""
    data = entry.read_bytes()
    if entry.suffix == cache.OBJECTS:
        first, _, payload = data.partition(b"\n")
        value = pickle.loads(payload)  # noqa: S301 - the test's own cache
        change(value)
        entry.write_bytes(first + b"\n" + pickle.dumps(value, protocol=cache.PICKLE_PROTOCOL))
        return
    head = b""
    if not data.startswith((b"[", b"{")):
        first, _, data = data.partition(b"\n")
        head = first + b"\n"
    value = json.loads(data)
    change(value)
    entry.write_bytes(head + json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def objects(entry: Path) -> Any:
    """An entry of objects as pickle reads it (trusted here: the test's own cache)."""
    return pickle.loads(entry.read_bytes().partition(b"\n")[2])  # noqa: S301


def tqual_entry(cache_dir: Path) -> Path:
    return next(e for e in entries(cache_dir, "rulesets-") if any(r.body == "tqual" for r in objects(e)))


def overall_pass(rulesets: tuple[Ruleset, ...]) -> tuple[Ruleset, ...]:
    """TQUK's rules with the combination row for observation distinction, project pass, discussion pass (overall
    distinction: 003 § Overall Grading) made to say pass."""
    when = {"observation": "distinction", "project": "pass", "discussion": "pass"}
    changed = []
    for r in rulesets:
        rows = r.combination.rows
        if r.body == "tqual":
            assert [row.overall for row in rows if row.when == when] == [Grade.DISTINCTION]
            rows = tuple(attrs.evolve(row, overall=Grade.PASS) if row.when == when else row for row in rows)
        changed.append(attrs.evolve(r, combination=attrs.evolve(r.combination, rows=rows)))
    return tuple(changed)


@requires("tqual")
def test_an_edited_combination_row_changes_no_grade(warm: Path, filled: tuple[Path, Path],
                                                    uncached: dict[tuple[str, ...], str]) -> None:
    entry = tqual_entry(warm)
    head = entry.read_bytes().partition(b"\n")[0]  # the digest of the entry as written
    entry.write_bytes(head + b"\n" + pickle.dumps(overall_pass(objects(entry)), protocol=cache.PICKLE_PROTOCOL))
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
    rulesets = overall_pass(objects(entry))
    monkeypatch.setenv("EPA_CACHE_DIR", str(warm))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "elsewhere"))
    monkeypatch.delenv("EPA_NO_CACHE", raising=False)
    cache.put_objects(entry.stem, rulesets, rules._model_classes())
    assert hit(entry) == rulesets  # valid where it was written
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
        assert not entry.is_symlink() and entry.is_file(), entry.name
        if entry.suffix == cache.OBJECTS:  # (a frozenset is pickled in an order each process's hashing picks)
            assert objects(entry) == objects(filled[0] / entry.name), entry.name
        else:
            assert entry.read_bytes() == (filled[0] / entry.name).read_bytes(), entry.name


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
    assert all(hit(entry) is not None for entry in entries(cache_dir))
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


def test_no_home_for_the_cache_folder_is_no_cache_not_a_failure(cache_env: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # The secret kept under XDG_STATE_HOME, no EPA_CACHE_DIR nor XDG_CACHE_HOME, and no home directory to be found
    # (a service account without one): on 095f814 Path.home()'s RuntimeError went through every start, exit 1.
    monkeypatch.delenv("EPA_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    cache.put("probe-homeless", [1])
    assert cache.get("probe-homeless") is None
    assert list(tmp_path.glob("**/probe-homeless*")) == []


@pytest.mark.parametrize(("variable", "value", "kept_in"), [
    ("EPA_CACHE_DIR", "~/epa-cache", "home/epa-cache"), ("EPA_CACHE_DIR", "~", "home"),
    ("XDG_CACHE_HOME", "relative", "home/.cache/epa")])
def test_the_cache_folder_is_where_the_variable_means(variable: str, value: str, kept_in: str, cache_env: Path,
                                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """EPA_CACHE_DIR='~/epa-cache' (quoted, in an env file or a unit file: no shell expands it) is the home folder's;
    an XDG_CACHE_HOME that is not absolute is ignored, as the XDG specification says. On e56ed49 each made its
    folder in the working directory, a folder named '~' there among them (which `rm -r ~` then removes a home)."""
    monkeypatch.delenv("EPA_CACHE_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv(variable, value)
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    cache.put("probe-where", [1])
    assert cache.get("probe-where") == [1] and (tmp_path / kept_in / "probe-where.json").is_file()
    assert list((tmp_path / "work").iterdir()) == []


def test_a_cache_folder_named_for_no_user_s_home_is_no_cache(cache_env: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPA_CACHE_DIR", "~no-such-user-of-epa/cache")
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    cache.put("probe-nobody", [1])
    assert cache.get("probe-nobody") is None and list((tmp_path / "work").iterdir()) == []


def test_keeping_the_newest_entries_removes_no_file_of_the_user_s(cache_env: Path) -> None:
    """The cache folder is the user's to name (EPA_CACHE_DIR=~ among them); past KEEP entries of a kind the oldest
    are removed, and only entries: on e56ed49 any file whose name began with the kind's and ended with its suffix
    was one, and the user's oldest such file was removed with them."""
    cache_env.mkdir(parents=True)
    mine = [cache_env / "probe-notes.json", cache_env / "probe-2025-12.json", cache_env / f"probe-{'x' * 40}.json"]
    for path in mine:
        path.write_text("[]", encoding="utf-8")
        os.utime(path, ns=(0, 0))  # the oldest in the folder
    for i in range(cache.KEEP + 1):
        cache.put(f"probe-{i:040x}", [i])
    assert [path.name for path in mine if not path.exists()] == []
    assert len(list(cache_env.glob("probe-" + "?" * 40 + ".json"))) == cache.KEEP + 1  # (one of them the user's)


def _fails(code: int, message: str) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, message)
    return fail


@pytest.mark.parametrize(("where", "code"), [("replace", errno.ENOSPC), ("replace", errno.EIO),
                                             ("mkstemp", errno.EROFS), ("mkstemp", errno.EDQUOT)])
def test_a_disk_that_fails_as_an_entry_is_written_changes_no_rules(where: str, code: int, cache_env: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk, an I/O error, a read-only file system or a quota met as an entry is written: the rules are those
    read without the cache, nothing is raised, and no file is left half-written (a guard: e56ed49 did this too)."""
    import tempfile

    from epa.testing import registry

    whole = [r for b in registry().bodies for r in b.body.rulesets if r.source_file]
    if not whole:
        pytest.skip("no installed body to lend its rules")
    folder = Path(str(whole[0].source_file)).parent
    monkeypatch.setenv("EPA_NO_CACHE", "1")
    expected = rules.load_rulesets(folder)
    monkeypatch.delenv("EPA_NO_CACHE")
    cache._secret()  # (the secret made first: the failure is the entry's)
    monkeypatch.setattr(os if where == "replace" else tempfile, where, _fails(code, os.strerror(code)))
    assert rules.load_rulesets(folder) == expected
    assert [p.name for p in cache_env.glob("*")] == []


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


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="a system without users and file modes")
@pytest.mark.parametrize("how", ["others may write", "group may write", "others may read", "another user's"])
def test_a_secret_others_could_use_is_replaced_and_its_entries_are_misses(how: str, cache_env: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The secret's file was used whatever its owner and mode: one others can write (or read) lets them sign
    entries this user's starts trust (found by session 15's review). Such a secret is replaced with one of the
    user's own, readable by them alone, and what the old one signed is a miss."""
    secret = cache.secret_file()
    secret.parent.mkdir(parents=True)
    old = b"k" * cache.SECRET_BYTES
    secret.write_bytes(old)
    secret.chmod({"others may write": 0o602, "group may write": 0o620, "others may read": 0o604}.get(how, 0o600))
    if how == "another user's":  # (no test can make a file another user's without root: this user is another)
        real = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: real + 1)
    signed = b"[1]"
    cache_env.mkdir()
    (cache_env / "probe-forged.json").write_bytes(cache._header(old, "probe-forged", signed) + b"\n" + signed)
    cache._secrets.clear()
    assert cache.get("probe-forged") is None
    made = secret.read_bytes()
    assert len(made) == cache.SECRET_BYTES and made != old
    assert secret.stat().st_mode & 0o777 == 0o600
    monkeypatch.undo()  # the user's own uid: the new secret is theirs and used
    monkeypatch.setenv("EPA_CACHE_DIR", str(cache_env))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    cache._secrets.clear()
    cache.put("probe-own", [2])
    assert cache.get("probe-own") == [2] and secret.read_bytes() == made
    cache._secrets.clear()


# --- entries of objects ---------------------------------------------------------------------------------------


class _Opens:
    """Pickled, it asks the unpickler for ``open`` and to call it: a file made is code run."""

    def __init__(self, path: Path):
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return open, (str(self.path), "w")


def test_a_signed_entry_naming_another_callable_is_a_miss_and_runs_nothing(cache_env: Path, tmp_path: Path) -> None:
    """Someone holding the secret could sign anything; an entry of objects can still make only the model's
    classes: one asking for ``open`` is a miss, and no file is made."""
    cache.put_objects("probe-objects", (Grade.PASS,), rules._model_classes())
    assert cache.get_objects("probe-objects", rules._model_classes()) == (Grade.PASS,)
    made = tmp_path / "made-by-the-cache"
    payload = pickle.dumps((Grade.PASS, _Opens(made)), protocol=cache.PICKLE_PROTOCOL)
    secret = cache.read_bounded(cache.secret_file(), cache.SECRET_BYTES)
    assert secret is not None
    entry = cache_env / f"probe-objects{cache.OBJECTS}"
    entry.write_bytes(cache._header(secret, "probe-objects", payload) + b"\n" + payload)
    assert cache.get_objects("probe-objects", rules._model_classes()) is None
    assert not made.exists()


def test_objects_that_do_not_read_back_are_not_stored(cache_env: Path, tmp_path: Path) -> None:
    cache.put_objects("probe-unlisted", (Grade.PASS, tmp_path), rules._model_classes())  # a Path is no model class
    assert not (cache_env / f"probe-unlisted{cache.OBJECTS}").exists()


def test_a_json_entry_is_never_read_as_objects_nor_objects_as_json(cache_env: Path) -> None:
    cache.put("probe-kind", ["pass"])
    cache.put_objects("probe-kind-objects", ("pass",), rules._model_classes())
    assert cache.get_objects("probe-kind", rules._model_classes()) is None
    assert cache.get("probe-kind-objects") is None


def test_another_attrs_makes_other_object_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """attrs writes and restores the model's objects (their __getstate__): another version installed, another
    key, so no entry one attrs wrote is read by another."""
    from attr import _make

    stand_in = tmp_path / "_make.py"
    stand_in.write_text("# attrs\n", encoding="utf-8")
    monkeypatch.setattr(_make, "__file__", str(stand_in))
    cache.objects_key.cache_clear()
    try:
        before = cache.objects_key()
        stand_in.write_text("# attrs, another version\n", encoding="utf-8")
        cache.objects_key.cache_clear()
        assert cache.objects_key() != before
    finally:
        cache.objects_key.cache_clear()


# --- the installed plugins, found without importlib.metadata on a warm start ----------------------------------

ACME = '''
"""acme: the rules of the installed body ACME_SOURCE names, as its own."""
import os

import attrs

import epa
from epa.registry import Registry, installed_candidates

_source = Registry(installed_candidates([os.environ["ACME_SOURCE"]])).body(os.environ["ACME_SOURCE"]).body


@epa.hookimpl
def register_body():
    return epa.Body(id="acme", name="Acme", rulesets=tuple(attrs.evolve(r, body="acme") for r in _source.rulesets))
'''


def bodies_listed(site: Path, cache_dir: Path, state: Path, source: str) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("EPA_DEBUG", "EPA_NO_CACHE", "EPA_BODIES")}
    env.update(EPA_CACHE_DIR=str(cache_dir), XDG_STATE_HOME=str(state), PYTHONWARNINGS="ignore", ACME_SOURCE=source,
               PYTHONPATH=os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
    done = subprocess.run([sys.executable, "-m", "epa", "bodies", "--format", "json"], capture_output=True,
                          text=True, timeout=TIMEOUT, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return sorted(b["id"] for b in json.loads(done.stdout))


def test_a_plugin_installed_or_removed_is_seen_with_the_cache_warm(tmp_path: Path) -> None:
    """The installed plugins' entry points are cached; installing one (a dist-info folder appears on sys.path)
    or removing it is seen at the next start, as importlib.metadata would see it."""
    from epa.testing import install_plugin, registry

    if not registry().bodies:
        pytest.skip("no installed body to lend its rules")
    source = registry().bodies[0].body.id
    site, cache_dir, state = tmp_path / "site", tmp_path / "cache", tmp_path / "state"
    site.mkdir()
    before = bodies_listed(site, cache_dir, state, source)
    assert "acme" not in before and list(cache_dir.glob(f"entry-points-*{cache.OBJECTS}"))
    assert bodies_listed(site, cache_dir, state, source) == before  # from the cache
    install_plugin(site, "acme_found", ACME, "acme = acme_found")
    assert bodies_listed(site, cache_dir, state, source) == sorted([*before, "acme"])
    shutil.rmtree(site / "acme_found-0.1.dist-info")
    assert bodies_listed(site, cache_dir, state, source) == before


def test_an_entry_point_edited_in_place_is_seen(tmp_path: Path) -> None:
    """An egg-info's entry_points.txt edited where it lies (a development install): the next start reads it."""
    from epa import discovery

    site = tmp_path / "site"
    info = site / "acme_found.egg-info"
    info.mkdir(parents=True)
    (info / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: acme-found\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[epa]\nacme = acme_found\n", encoding="utf-8")
    sys.path.insert(0, str(site))
    try:
        before = discovery.fingerprint()
        (info / "entry_points.txt").write_text("[epa]\nacme = acme_found:plugin\n", encoding="utf-8")
        assert discovery.fingerprint() != before
    finally:
        sys.path.remove(str(site))


def test_the_entry_points_are_importlib_metadata_s(cache_env: Path) -> None:
    """Cold (importlib.metadata asked) and warm (the cache read) give the same entry points, as importlib.metadata
    gives them."""
    from importlib.metadata import entry_points

    from epa import discovery

    expected = [(ep.name, ep.value, ep.dist.name if ep.dist else None, ep.dist.version if ep.dist else None)
                for ep in entry_points(group="epa")]
    cold = discovery.entry_points("epa")
    assert list(cache_env.glob(f"entry-points-*{cache.OBJECTS}"))
    warm = discovery.entry_points("epa")
    assert [tuple(e) for e in cold] == [tuple(e) for e in warm] == expected
    assert [(e.dist.name, e.dist.version) if e.dist else None for e in warm] == [(e[2], e[3]) for e in expected]


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


def _a_tick_after(changed: Path, probe: Path) -> None:
    """Wait until a file changed now gets a later change time than ``changed`` has (the kernel's clock ticks every
    few ms; 2 s on FAT): an edit made after a start stamped ``changed`` is one, as a person's or a script's is."""
    while True:
        probe.write_bytes(b"")
        if probe.stat().st_ctime_ns > changed.stat().st_ctime_ns:
            return


def _edited_keeping_size_and_time(path: Path, how: str, probe: Path) -> None:
    """``path`` given other text of the same length and its old modification time back: in place, as ``cp -p``
    onto it or an editor then ``touch -r`` do; or replaced by a new file, as ``rsync -t`` does (its folder's time
    set back too)."""
    before, folder = path.stat(), path.parent.stat()
    _a_tick_after(path, probe)
    text = path.read_bytes()
    edited = text.replace(b"1", b"2")
    assert edited != text and len(edited) == len(text)
    if how == "in place":
        path.write_bytes(edited)
    else:
        (path.parent / f".{path.name}.tmp").write_bytes(edited)
        os.replace(path.parent / f".{path.name}.tmp", path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    os.utime(path.parent, ns=(folder.st_atime_ns, folder.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)


@pytest.mark.parametrize("how", ["in place", "replaced"])
def test_code_edited_keeping_its_size_and_time_changes_the_key(how: str, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A module edited to text of the same length whose modification time is then set back (``cp -p``, ``rsync
    -t``, ``touch -r``): on e56ed49 the key was the files' sizes and modification times alone, and the entries the
    old code made were served to the new. Here a start made seconds after the edit (``SETTLED_NS`` 0: no file is
    too new to trust) is the one that must not find them."""
    monkeypatch.setattr(cache, "SETTLED_NS", 0, raising=False)
    package = tmp_path / "epa"
    (package / "rules").mkdir(parents=True)
    for name in ("__init__.py", "rules/__init__.py", "rules/workdays.py"):
        (package / name).write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache, "_CORE", package)
    before = cache._code.__wrapped__()  # type: ignore[attr-defined]
    _edited_keeping_size_and_time(package / "rules" / "workdays.py", how, tmp_path / "probe")
    assert cache._code.__wrapped__() != before  # type: ignore[attr-defined]


@pytest.mark.parametrize("how", ["in place", "replaced"])
def test_a_plugin_s_entry_points_edited_keeping_size_and_time_are_found_afresh(how: str, tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed plugin's entry_points.txt edited to the same length, its time set back: on e56ed49 the cached
    entry points (the old module's name) were the new key's too."""
    from epa import discovery

    monkeypatch.setattr(cache, "SETTLED_NS", 0, raising=False)
    info = tmp_path / "site" / "acme_found-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-found\nVersion: 0.1\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[epa]\nacme = acme_found1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    before = discovery.fingerprint()
    _edited_keeping_size_and_time(info / "entry_points.txt", how, tmp_path / "probe")
    assert discovery.fingerprint() != before


def test_a_start_right_after_an_edit_to_the_code_uses_no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file changed within a tick of its clock can be changed again keeping every time stamp: a start between the
    two edits would key what the first text made by a stamp the second text has too. So a start that finds a
    module changed in the last SETTLED_NS (2 s) neither reads nor writes an entry: it computes, as
    EPA_NO_CACHE=1 does. On e56ed49 it cached (and an edit in the same tick, same length, kept its key)."""
    monkeypatch.setenv("EPA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("EPA_NO_CACHE", raising=False)
    package = tmp_path / "epa"
    package.mkdir()
    (package / "__init__.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(cache, "_CORE", package)
    monkeypatch.setattr(cache, "_code", cache._code.__wrapped__)  # type: ignore[attr-defined]
    name = cache.key("probe-fresh", ())
    cache.put(name, [1])
    assert name is None and cache.get(name) is None and not (tmp_path / "cache").exists()


@pytest.mark.parametrize(("clock_behind_s", "unsettled"), [(0, True), (1, True), (3600, False)])
def test_a_change_dated_ahead_of_the_clock_turns_the_cache_off_only_near_now(tmp_path, monkeypatch, clock_behind_s,
                                                                            unsettled):
    """A clock set back, or a network file system's skew, dates every file's change after "now": the first version
    of the 2 s rule counted each such file as just changed and turned the cache off at every start for as long as
    the clocks differed (an hour here), each start paying the whole load. Only a change within 2 s of the clock,
    either side, is unsettled."""
    path = tmp_path / "module.py"
    path.write_text("x = 1\n", encoding="utf-8")
    changed = os.stat(path).st_ctime_ns
    monkeypatch.setattr(cache.time, "time_ns", lambda: changed - clock_behind_s * 1_000_000_000)
    assert cache.stamp(path).endswith(cache.UNSETTLED) is unsettled


def test_the_cached_rules_are_keyed_by_the_libraries_that_read_them(tmp_path, monkeypatch):
    """Rules read by one PyYAML, jsonschema, fastjsonschema or cattrs are not another's: an upgrade (which writes
    the package's files afresh) makes the cached rules a miss, read again by the new library. Here a package of
    each name first on sys.path stands in for one, rewritten as an upgrade rewrites it."""
    from epa import cache

    for package in cache.RULE_READERS:
        folder = tmp_path / package
        folder.mkdir()
        (folder / "__init__.py").write_text("__version__ = '1.0'\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    cache.objects_key.cache_clear()
    before = cache.objects_key()
    for package in cache.RULE_READERS:
        (tmp_path / package / "__init__.py").write_text("__version__ = '1.0.1'\n", encoding="utf-8")
        cache.objects_key.cache_clear()
        after = cache.objects_key()
        assert after != before, package
        before = after
    cache.objects_key.cache_clear()


def test_the_cached_rules_are_keyed_by_an_upgrade_leaving_a_readers_init_as_it_was(tmp_path, monkeypatch):
    """An upgrade (or reinstall) of jsonschema rewriting its validators but not its ``__init__.py``, or of a library
    jsonschema reads schemas with (referencing, rpds, jsonschema_specifications), was not seen: the key stamped
    each reader's ``__init__.py`` alone. Each installer rewrites the distribution's RECORD (found by session 15's
    review). Here a package of each name first on sys.path, with its metadata folder beside it."""
    from epa import cache

    distributions = {"yaml": "PyYAML", "rpds": "rpds_py", "jsonschema_specifications": "jsonschema_specifications"}
    for package in ("jsonschema", "referencing", "rpds", "jsonschema_specifications"):
        assert package in cache.RULE_READERS, package
    for package in cache.RULE_READERS:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("from ._core import *\n", encoding="utf-8")
        meta = tmp_path / f"{distributions.get(package, package)}-1.0.dist-info"
        meta.mkdir()
        (meta / "RECORD").write_text(f"{package}/__init__.py,sha256=a,20\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    cache.objects_key.cache_clear()
    cache._installed_here.cache_clear()
    before = cache.objects_key()
    for package in cache.RULE_READERS:
        meta = tmp_path / f"{distributions.get(package, package)}-1.0.dist-info"
        (meta / "RECORD").write_text(f"{package}/__init__.py,sha256=a,20\n{package}/_core.py,sha256=b,99\n",
                                     encoding="utf-8")
        cache.objects_key.cache_clear()
        after = cache.objects_key()
        assert after != before, package
        before = after
    cache.objects_key.cache_clear()
    cache._installed_here.cache_clear()


# --- the rules files: the text a start keys its entry by is the text it reads -----------------------------------


def _retitled(path: Path, field: str, title: str) -> None:
    """The file as an editor would save it with one text field changed (and nothing else the rules say)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    (data["document"] if field == "title" else data)[field] = title
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _saved_while_read(monkeypatch: pytest.MonkeyPatch, kind: str, path: Path, field: str) -> None:
    """Save ``path`` edited in the moment after a start has asked the cache for its ``kind`` entry (keyed by the
    file as it was) and before it reads the file, as an editor or a ``git checkout`` may."""
    asked = cache.get_objects

    def get_objects(name: str | None, allowed: dict[tuple[str, str], type]) -> Any:
        found = asked(name, allowed)
        if name is not None and name.startswith(f"{kind}-") and found is None:
            monkeypatch.setattr(cache, "get_objects", asked)  # once
            _retitled(path, field, "saved while it was read")
        return found

    monkeypatch.setattr(cache, "get_objects", get_objects)


def test_rules_saved_while_they_are_read_are_not_kept_for_the_text_before(cache_env: Path, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A start keys its entry by the rules files' text, then reads them. Saved between the two, the rules it read
    were kept under the text before: that text put back (an undo, a checkout), every later start answered with the
    rules of the text that had replaced it (on 0382bff: the title 'saved while it was read')."""
    from epa.testing import registry

    whole = [r for b in registry().bodies for r in b.body.rulesets if r.based_on is None and r.source_file]
    if not whole:
        pytest.skip("no installed body to lend its rules")
    source = Path(whole[0].source_file)  # type: ignore[arg-type]
    folder = Path(shutil.copytree(source.parent, tmp_path / "rules"))
    file = folder / source.name
    written = file.read_bytes()
    title = yaml.safe_load(written)["document"]["title"]  # what the file says, as any YAML reader reads it
    _saved_while_read(monkeypatch, "rulesets-objects", file, "title")
    rules.load_rulesets(folder)  # either text's rules: the file changed while it was read
    assert yaml.safe_load(file.read_bytes())["document"]["title"] == "saved while it was read"  # (it was saved)
    file.write_bytes(written)  # put back
    again = {Path(r.source_file).name: r for r in rules.load_rulesets(folder)}  # type: ignore[arg-type]
    assert again[source.name].document.title == title


def test_a_standard_saved_while_it_is_read_is_not_kept_for_the_text_before(cache_env: Path, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """As the rules: a standard's definition (the core's ST0071.yaml, copied) saved between the key and the read."""
    file = Path(shutil.copy(Path(rules.__file__).parent / "standards" / "ST0071.yaml", tmp_path / "ST0071.yaml"))
    written = file.read_bytes()
    name = yaml.safe_load(written)["name"]
    _saved_while_read(monkeypatch, "standard-objects", file, "name")
    rules.load_standard(file)
    file.write_bytes(written)
    assert rules.load_standard(file).name == name


def test_a_rules_file_too_large_is_refused_as_without_the_cache(tmp_path: Path) -> None:
    """A rules folder holding a 2 GiB file: refused as too large (the reader stops past 16 MiB), with the cache
    as without it. On 0382bff the cache's key read the whole file first: out of memory, a traceback."""
    folder = tmp_path / "rules"
    folder.mkdir()
    with (folder / "ST0071.yaml").open("wb") as file:
        file.truncate(2 * 1024 ** 3)  # sparse: no disk used
    script = ("import sys\nfrom pathlib import Path\nfrom epa.errors import InputError\n"
              "from epa.rules.load import load_rulesets\n"
              "try:\n    load_rulesets(Path(sys.argv[1]))\nexcept InputError as exc:\n    print(exc.message)\n")
    for no_cache in ("1", "0"):
        env = {k: v for k, v in os.environ.items() if k not in ("EPA_DEBUG",)}
        env.update(EPA_CACHE_DIR=str(tmp_path / "cache"), XDG_STATE_HOME=str(tmp_path / "state"), EPA_NO_CACHE=no_cache)
        done = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True,
                              timeout=TIMEOUT, preexec_fn=_limit_memory, env=env)
        assert (done.returncode, done.stdout.strip()) == (0, "the file is larger than 16 MiB"), done.stderr[-2000:]


def test_rules_on_a_path_that_is_not_utf8_are_cached_as_read(cache_env: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A folder named in bytes that are not UTF-8 (a home directory named in Latin-1: 'latén' as b'lat\\xe9n'), which
    Python holds as a lone surrogate: its rules read with the cache as without it, and cached. On 0382bff the key
    could not encode the path: UnicodeEncodeError with the cache on, the rules with EPA_NO_CACHE=1."""
    from epa.testing import registry

    whole = [r for b in registry().bodies for r in b.body.rulesets if r.source_file]
    if not whole:
        pytest.skip("no installed body to lend its rules")
    try:
        folder = Path(shutil.copytree(Path(whole[0].source_file).parent,  # type: ignore[arg-type]
                                      tmp_path / os.fsdecode(b"lat\xe9n") / "rules"))
    except (OSError, UnicodeError):
        pytest.skip("this file system names no file in bytes that are not UTF-8")
    monkeypatch.setenv("EPA_NO_CACHE", "1")
    uncached = rules.load_rulesets(folder)
    monkeypatch.delenv("EPA_NO_CACHE")
    assert rules.load_rulesets(folder) == uncached  # cold: read, and kept
    assert list(cache_env.glob(f"rulesets-objects-*{cache.OBJECTS}"))
    assert rules.load_rulesets(folder) == uncached  # warm
    assert [r.source_file for r in rules.load_rulesets(folder)] == [r.source_file for r in uncached]


def test_two_folders_whose_files_run_together_alike_are_keyed_apart(cache_env: Path, tmp_path: Path) -> None:
    """The key is made of each file's path and text in turn. On 0ff2ba6 one ran into the next (a newline, the path,
    a newline, the text): the first file holding the second's path on a line of its own and the second's text after
    it, the second deleted, made the key of the two files as they were, and was answered with their rules, where
    read it is refused (a line of no YAML)."""
    from epa.errors import InputError
    from epa.testing import registry

    with_journey = [r for b in registry().bodies for r in b.body.rulesets if r.source_file and r.journey
                    and r.based_on is None]
    if not with_journey:
        pytest.skip("no installed body with journey rules to lend its rules")
    source = Path(with_journey[0].source_file)  # type: ignore[arg-type]
    folder = tmp_path / "rules"
    folder.mkdir()
    for name in (f"{with_journey[0].standard}.journey.yaml", source.name):
        shutil.copy(source.parent / name, folder / name)
    first, second = sorted(folder.iterdir())  # (in the order they are keyed in)
    assert rules.load_rulesets(folder)  # read, and kept
    first.write_bytes(first.read_bytes() + f"\n{second}\n".encode() + second.read_bytes())
    second.unlink()
    with pytest.raises(InputError):
        rules.load_rulesets(folder)
