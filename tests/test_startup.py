"""Start-up pays only for what a command uses (issue 18): `epa --version` is answered before click and the
command line are imported, with what click would print; the timings are bench/startup_bench.py's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from conftest import EXAMPLES, offering, prints_a_list
from epa import cli, errors
from epa.testing import registry

# Run as the console script runs it; report, on standard error, which of the costly modules were imported.
VERSION_RUN = """
import sys
sys.argv = ["epa", "--version"]
from epa.__main__ import main
try:
    main()
except SystemExit as exc:
    code = exc.code
print(code, sorted({"attrs", "click", "difflib", "epa.cli", "importlib.metadata", "rich", "yaml"}
                   & set(sys.modules)),
      file=sys.stderr)
"""


def _warm_table(tmp_path: Path, script: str, command: tuple[str, ...]) -> str:
    """``script`` run warm on ``command`` and the example record (``{body}`` a body offering its standard), as
    ``_warm_runs`` runs it: what the warm run said on standard error, its table checked to be the cold run's."""
    offering("ST0071", "the standard of examples/st0071-observation-distinction.yaml")
    body = next(b.body.id for b in registry().bodies if "ST0071" in b.body.standards)
    args = [c.format(body=body) for c in command] + [str(EXAMPLES / "st0071-observation-distinction.yaml")]
    runs = _warm_runs(tmp_path, script, *args)
    assert runs[0].stdout == runs[1].stdout and runs[1].stdout
    return runs[1].stderr.strip()


def _warm_runs(tmp_path: Path, script: str, *args: str) -> list[subprocess.CompletedProcess[str]]:
    """``script`` run twice in a fresh interpreter with ``args``, on a cache of its own (the first run fills it, so
    the second starts warm)."""
    env = {**os.environ, "EPA_CACHE_DIR": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state")}
    env.pop("EPA_NO_CACHE", None)
    return [subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env,
                           timeout=120) for _ in range(2)]


def test_epa_version_imports_neither_click_nor_the_command_line() -> None:
    # nor difflib: errors.did_you_mean imports it when a name is misspelt, not when epa.errors is imported; nor attrs
    # (epa.errors' Place as an attrs class took `epa --version` from 2.5x a bare interpreter to 4.7x)
    done = subprocess.run([sys.executable, "-c", VERSION_RUN], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip() == f"{errors.EXIT_OK} []"
    assert done.stdout == f"epa, version {version('epa')}\n"  # the installed distribution's version


def test_epa_version_prints_what_click_prints_when_it_reads_the_arguments() -> None:
    # `--bodies x --version` is not the lone `--version`, so click reads it, through epa.cli
    fast = subprocess.run([sys.executable, "-m", "epa", "--version"], capture_output=True, text=True, timeout=60)
    slow = subprocess.run([sys.executable, "-m", "epa", "--bodies", "nqual", "--version"], capture_output=True,
                          text=True, timeout=60)
    assert fast.returncode == slow.returncode == errors.EXIT_OK
    assert fast.stdout == slow.stdout == f"epa, version {version('epa')}\n"
    assert fast.stderr == slow.stderr == ""


# Run `epa compare RECORD` in this process and report, on standard error, which of the costly modules it imported.
COMPARE_RUN = """
import sys
from epa.cli import main
code = 0
try:
    main(["compare", sys.argv[1]])
except SystemExit as exc:
    code = exc.code
print(code, sorted({"jsonschema", "icalendar", "holidays", "epa.views.html_report"} & set(sys.modules)), file=sys.stderr)
"""


def test_a_warm_compare_of_a_valid_record_does_not_import_jsonschema(tmp_path: Path) -> None:
    # jsonschema words what is wrong with a document; a valid record is checked by the compiled check alone,
    # and the rules come validated from the cache
    offering("ST0071", "the standard of examples/st0071-observation-distinction.yaml")
    record = str(EXAMPLES / "st0071-observation-distinction.yaml")
    runs = _warm_runs(tmp_path, COMPARE_RUN, record)
    assert runs[0].stdout == runs[1].stdout and runs[1].stdout.startswith("A-0001 · ")  # (the record's heading)
    assert runs[1].stderr.strip() == f"{errors.EXIT_OK} []"


# Run `epa ARGS` in this process and report, on standard error, which of the modules a warm start does without.
COMMAND_RUN = """
import sys
from epa.cli import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(code, sorted({"cattrs", "csv", "difflib", "epa.model.convert", "importlib.metadata", "importlib.resources",
                    "fastjsonschema", "jsonschema", "rich._emoji_codes", "shlex", "zipfile"} & set(sys.modules)),
      file=sys.stderr)
"""


@pytest.mark.parametrize("command", [("compare",), ("compare", "--show", "all"), ("grade", "--body", "{body}"),
                                     ("gateway",), ("timeline",)], ids=lambda c: " ".join(c))
def test_a_warm_start_on_one_record_finds_the_bodies_reads_the_rules_and_the_record_without_their_libraries(
        command: tuple[str, ...], tmp_path: Path) -> None:
    """With the cache warm, a table for one valid record needs neither importlib.metadata (the installed bodies
    come from the cache), nor cattrs (the rules are cached as objects, the record is read by the typed decoder,
    and a table is drawn from the results themselves), nor a schema check compiled (the typed decoder vouches
    for the record); nor difflib (a did-you-mean for a misspelt name), csv (a cohort given as a record) nor shlex
    (the command to grade it, quoted), which only a refusal needs; nor importlib.resources and zipfile (the bodies' rules are read from their folders, and
    the cached rules need no reading at all); nor rich's table of emoji codes (nothing printed is read as one)."""
    assert _warm_table(tmp_path, COMMAND_RUN, command) == f"{errors.EXIT_OK} []"


# Run `epa ARGS` as the console script runs it (epa.__main__), and report, on standard error, whether the cyclic
# garbage collector was on when the command ended.
COLLECTOR_RUN = """
import gc, sys
sys.argv = ["epa", *sys.argv[1:]]
from epa.__main__ import main
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code
print(code, gc.isenabled(), file=sys.stderr)
"""


def _collector_on(tmp_path: Path, *args: str) -> tuple[int, bool]:
    env = {**os.environ, "EPA_CACHE_DIR": str(tmp_path / "cache"), "XDG_STATE_HOME": str(tmp_path / "state")}
    done = subprocess.run([sys.executable, "-c", COLLECTOR_RUN, *args], capture_output=True, text=True, env=env,
                          timeout=120)
    code, on = done.stderr.split()[-2:]
    return int(code), on == "True"


def test_a_one_record_command_starts_and_ends_with_the_collector_off(tmp_path: Path) -> None:
    # starting (imports, classes, the rules read from the cache) is nearly all of such a command's work, and the
    # collector's scans of it find nearly nothing: epa.__main__ turns it off, and a bounded command leaves it so
    offering("ST0071", "the standard of examples/st0071-observation-distinction.yaml")
    record = str(EXAMPLES / "st0071-observation-distinction.yaml")
    assert _collector_on(tmp_path, "compare", record) == (errors.EXIT_OK, False)
    assert _collector_on(tmp_path, "bodies", "--format", "json") == (errors.EXIT_OK, False)


def test_the_commands_keeping_the_collector_off_are_commands() -> None:
    """A command renamed or removed must not linger in cli.BOUNDED (a new command is on the growing side by
    default, and the test below runs every one of those)."""
    assert cli.BOUNDED - set(cli.cli.commands) == set()


@pytest.mark.parametrize("args", [("compare", "--batch", "{cohort}", "--format", "csv"), ("plugin", "new", "--help"),
                                  *((name, "--help") for name in sorted(set(cli.cli.commands) - cli.BOUNDED))],
                         ids=lambda a: " ".join(a))
def test_a_command_whose_work_grows_with_its_input_runs_with_the_collector_on(args: tuple[str, ...],
                                                                              tmp_path: Path) -> None:
    # a cohort, an audit, the analyses, the service: their garbage is collected as usual (cli.BOUNDED names the
    # commands that keep it off, and `compare --batch` turns it on though `compare` is one of them)
    if "{cohort}" in args:
        offering("ST0071", "the standard of examples/st0071-cohort.jsonl")
    cohort = str(EXAMPLES / "st0071-cohort.jsonl")
    assert _collector_on(tmp_path, *(a.format(cohort=cohort) for a in args)) == (errors.EXIT_OK, True)


# Run `epa compare RECORD --format json` in this process and report, on standard error, which modules it imported.
JSON_RUN = """
import sys
from epa.cli import main
code = 0
try:
    main(["compare", sys.argv[1], "--format", "json"])
except SystemExit as exc:
    code = exc.code
print(code, sorted({"csv", "difflib", "pickle"} & set(sys.modules)), file=sys.stderr)
"""


def test_a_warm_compare_in_json_reads_the_cached_rules_without_the_pickle_module(tmp_path: Path) -> None:
    # the cache's entries are read by CPython's own unpickler (_pickle), which pickle.Unpickler is: the pickle
    # module around it (its pure-Python pickler, 1.5 ms to import) is for writing an entry, after a miss
    offering("ST0071", "the standard of examples/st0071-observation-distinction.yaml")
    record = str(EXAMPLES / "st0071-observation-distinction.yaml")
    runs = _warm_runs(tmp_path, JSON_RUN, record)
    assert runs[0].stdout == runs[1].stdout and '"results"' in runs[1].stdout
    assert runs[1].stderr.strip() == f"{errors.EXIT_OK} []"


# Run `epa ARGS` in this process and report, on standard error, whether it imported PyYAML.
YAML_RUN = """
import sys
from epa.cli import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(code, "yaml" in sys.modules, file=sys.stderr)
"""


@pytest.mark.parametrize("command", [("bodies",), ("standards", "--format", "json"), ("plugins",),
                                     ("compare", "{record}"), ("gateway", "{record}", "--format", "json")],
                         ids=lambda c: " ".join(c))
def test_a_warm_start_that_reads_no_yaml_does_not_import_pyyaml(command: tuple[str, ...], tmp_path: Path) -> None:
    """PyYAML is imported to read YAML text: with the rules from the cache, a command given no file, or a record
    written as JSON, reads none."""
    prints_a_list(command)
    if "{record}" in command:
        offering("ST0071", "the standard of examples/st0071-observation-distinction.yaml")
    from epa.inputs.documents import read

    record = tmp_path / "record.json"  # the example record, as JSON (its dates as the text YAML read them as)
    record.write_text(json.dumps(read(EXAMPLES / "st0071-observation-distinction.yaml")[0]), encoding="utf-8")
    args = [c.format(record=record) for c in command]
    runs = _warm_runs(tmp_path, YAML_RUN, *args)
    assert runs[0].stdout == runs[1].stdout and runs[1].stdout
    assert runs[1].stderr.strip() == f"{errors.EXIT_OK} False"


# Run `epa ARGS` in this process and report, on standard error, which of the standard modules that a table for one
# record has no use for epa imported: the libraries a table is drawn with are imported first, and what they import
# themselves is left out (a new release of one may import json: that is not epa's doing).
STANDARD_RUN = """
import sys
UNUSED = {"_hashlib", "calendar", "hashlib", "hmac", "json", "signal"}
import click, attrs, pluggy, yaml, msgspec, rich.console, rich.table
theirs = UNUSED & set(sys.modules)
from epa.cli import main
code = 0
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(code, sorted(UNUSED & set(sys.modules) - theirs), file=sys.stderr)
"""


@pytest.mark.parametrize("command", [("compare",), ("grade", "--body", "{body}"), ("gateway",)],
                         ids=lambda c: " ".join(c))
def test_a_warm_table_for_one_record_imports_no_openssl_json_signal_enums_or_calendar(command: tuple[str, ...],
                                                                                    tmp_path: Path) -> None:
    """The cache signs and names its entries with CPython's BLAKE2 (hashlib and hmac load OpenSSL's libcrypto);
    its entries a warm start reads are objects, not JSON, and a table is no JSON (json is imported by --format json
    and a JSON file); the fence and the Ctrl-C handler use _signal (signal makes enums at import); a month's length
    (calendar) is asked only of a date past the 28th moved by months, which this record's rules do not ask."""
    assert _warm_table(tmp_path, STANDARD_RUN, command) == f"{errors.EXIT_OK} []"
