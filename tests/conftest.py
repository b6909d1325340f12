"""Shared fixtures: the installed bodies, and small helpers to grade and to run the CLI.

The suite holds for any set of installed bodies (``EPA_BODIES`` picks some): a test about one of our
bodies is marked ``requires(...)`` (:mod:`epa.testing`) and skips, with the reason, when it is not loaded;
a test of the core uses whichever body offers what it needs (:func:`any_body`).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
import signal
from collections.abc import Sequence
from pathlib import Path

import pytest

import epa
import epa.testing
from epa import Grade, Ruleset, cli
from epa.registry import Registry

# The CLI and output helpers are the public ones third-party plugins use too.
from epa.testing import Run, dump_record, fails, ok_json, only, run, valid, write  # noqa: F401

# The tests stop epa with signals as a terminal or a service manager would. A runner started in the background by a
# non-interactive shell (`pytest &`, a CI script's job) inherits SIGINT ignored, and every epa it starts keeps an
# inherited ignored stop signal (as Python does), so no Ctrl-C test could stop one. A handler here gives the children
# the default back: an ignored signal is inherited across exec, a handler is reset to the default.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
if signal.getsignal(signal.SIGTERM) is signal.SIG_IGN:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
RECORDS = Path(__file__).resolve().parent / "records"
# The bodies whose plugins this repository ships (plugins/<id>): facts drawn from their documents are
# asserted for these alone, never for whatever else is installed.
OUR_BODIES = ("nqual", "highfield", "tqual", "gateway_quals")


@pytest.fixture(scope="session")
def registry() -> Registry:
    """The loaded bodies (every installed one, or those ``EPA_BODIES`` names)."""
    return epa.testing.registry()


def offered(standard: str) -> bool:
    """Whether some loaded body offers ``standard`` (the core defines ST0071 and ST0072; a body offers them)."""
    return any(standard in b.body.standards for b in epa.testing.registry().bodies)


def offering(standard: str, why: str = "") -> Registry:
    """The loaded bodies, skipping the test where none offers ``standard``; ``why`` says what of the test is of
    that standard (the skip's reason reads "no installed body offers ST0071, <why>")."""
    if not offered(standard):
        pytest.skip(f"no installed body offers {standard}" + (f", {why}" if why else ""))
    return epa.testing.registry()


def needs_offered(standard: str, why: str) -> pytest.MarkDecorator:
    """:func:`offering` as a mark, for a parametrised test or a whole module: ``@needs_offered("ST0071", "the
    standard the commands name")``."""
    return pytest.mark.skipif(not offered(standard), reason=f"no installed body offers {standard}, {why}")


def needs_a_body(why: str = "the command checks the installed bodies") -> pytest.MarkDecorator:
    """Skip unless some body is installed, for a test whose answer is about the installed bodies (``why``)."""
    return pytest.mark.skipif(not epa.testing.registry().bodies, reason=f"no body is installed, and {why}")


# The commands that list the bodies' things: with no body installed they print no table, only a note (exit 0).
LISTING = {("bodies",), ("ambiguities",), ("plugins",)}


def prints_a_list(command: Sequence[str]) -> None:
    """Skip, saying why, a test of what a listing command (LISTING, as a table) prints, where no body is installed."""
    if tuple(command) in LISTING and not epa.testing.registry().bodies:
        pytest.skip(f"no body is installed, so epa {command[0]} prints no table, only a note on standard error")


def needs_its_standards(args: Sequence[str]) -> list[pytest.MarkDecorator]:
    """Marks skipping a command's test, saying why, where no installed body offers a standard the command names
    (``--standard ST0071``) or a record it reads is of (an example file such as ``examples/st0071-journey.yaml``)."""
    needed: dict[str, str] = {}
    for i, arg in enumerate(args):
        if arg == "--standard" and i + 1 < len(args):
            needed.setdefault(args[i + 1], "the standard the command names")
        name = Path(arg).name
        if re.fullmatch(r"st\d{4}-.+", name, flags=re.IGNORECASE):
            needed.setdefault(name.split("-")[0].upper(), f"the standard of examples/{name}")
    return [needs_offered(standard, why) for standard, why in needed.items()]


def example(name: str) -> Path:
    """The example file ``examples/<name>``, skipping the test where no installed body offers its standard (the
    file name's first word: ``st0071-journey.yaml`` is of ST0071)."""
    offering(name.split("-")[0].upper(), f"the standard of examples/{name}")
    return EXAMPLES / name


def any_body(standard: str = "ST0071", prefer: str = "highfield") -> str:
    """A loaded body offering ``standard`` (``prefer`` when it is loaded), for a test of the core that does
    not depend on one body's rules; skips, with the reason, when no loaded body offers the standard."""
    offering = [b.body.id for b in epa.testing.registry().bodies if standard in b.body.standards]
    if not offering:
        pytest.skip(f"needs a body plugin offering {standard} installed")
    return prefer if prefer in offering else offering[0]


def ruleset(registry: Registry, body: str, standard: str, version: str | None = None) -> Ruleset:
    versions = registry.body(body).body.rulesets_for(standard)
    if version is None:
        return versions[-1]
    return next(r for r in versions if r.document.version == version)


def combine(registry: Registry, body: str, standard: str = "ST0071", version: str | None = None,
            **grades: str) -> Grade:
    """The body's overall grade for one grade per method, through its combine_grades hook."""
    rules = ruleset(registry, body, standard, version)
    outcome = registry.body(body).call("combine_grades", ruleset=rules,
                                       components={m: Grade(g) for m, g in grades.items()})
    return outcome.grade


def grade_component(registry: Registry, body: str, method: str, met, standard: str = "ST0071",
                    version: str | None = None) -> Grade:
    rules = ruleset(registry, body, standard, version)
    result = registry.body(body).call("grade_component", ruleset=rules, method=method, criteria_met=frozenset(met))
    return result.grade


def ids(registry: Registry, body: str, method: str, level: str, standard: str = "ST0071",
        version: str | None = None) -> list[str]:
    return [c.id for c in ruleset(registry, body, standard, version).criteria_for(method, level)]


def reused_body(rules_of: str | None = None) -> epa.Body:
    """A loaded body whose rules a test plugin reuses: ``rules_of`` (skipping when it is not loaded) where the
    test depends on that body's rules, else any body offering ST0071 (Highfield's when it is loaded)."""
    if rules_of is not None and not epa.testing.installed(rules_of):
        pytest.skip(f"needs the body plugin {rules_of} installed (the test reuses its rules)")
    return epa.testing.body(rules_of or any_body("ST0071")).body


def body_plugin(rules_of: str | None = None, /, **hooks):
    """A third-party body plugin "broken" reusing a loaded body's ST0071 rules (see :func:`reused_body`),
    with some hooks replaced."""
    return epa.testing.make_plugin("broken", reused_body(rules_of).rulesets_for("ST0071"), **hooks)


def use_plugins(monkeypatch, plugin) -> None:
    """Make the CLI see only this plugin, as if it were the one installed body."""
    name = plugin.register_body().id  # the entry-point name a body is installed under is its id
    monkeypatch.setattr(cli, "_registry", lambda: Registry([(name, plugin)]))


def graded(tmp_path, text: str | bytes, fmt: str, *options: str, name: str = "c.csv") -> tuple[int, list]:
    """Run the batch on a cohort file: the exit code and the output (CSV rows as dicts, or JSON lines)."""
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    result = run("compare", "--batch", str(path), "--format", fmt, *options)
    assert "Traceback" not in result.stderr
    if fmt == "csv":
        return result.exit_code, list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    return result.exit_code, [json.loads(line) for line in result.stdout.splitlines()]


# --- the consistency report of the four bodies' ST0071, as test_readings and test_regulators_claims read it ---------

FOUR = ("gateway_quals", "highfield", "nqual", "tqual")


@functools.cache
def consistency_of_four() -> dict:
    from epa.consistency import analyse

    return analyse(epa.testing.registry(), "ST0071", list(FOUR))


def finding(finding_id: str) -> dict:
    found = [f for f in consistency_of_four()["findings"] if f["id"] == finding_id]
    assert found, f"no finding {finding_id!r} among {[f['id'] for f in consistency_of_four()['findings']]}"
    return found[0]


def side(f: dict, body_id: str) -> dict:
    return next(s for s in f["sides"] if body_id in s["bodies"])
