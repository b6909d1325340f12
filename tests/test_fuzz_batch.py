"""Fuzzing stays (issue 16): a cohort of valid and mutated lines, deterministic for a seed, through the real
`epa compare --batch` in a child process, in every output format, with one worker and two, as JSON Lines and
as CSV, with and without a body plugin whose hook misbehaves on some records. The generator, the runs and the
invariants are bench/fuzzing.py's (bench/fuzz_bench.py runs the same at 100,000 lines and more); a failure
lists each broken invariant with the run, the line and the mutation.
"""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT, any_body

sys.path.insert(0, str(ROOT / "bench"))
import fuzzing  # noqa: E402

RECORDS = 320  # two chunks (batch.CHUNK is 256), so two workers share them; each mutation several times
TIMEOUT = 30  # seconds a run may take (a few when it holds; one that hangs is killed, with its workers)


@pytest.fixture(scope="module")
def cohorts(registry, tmp_path_factory) -> dict[str, fuzzing.Cohort]:
    any_body("ST0071")
    folder = tmp_path_factory.mktemp("fuzz")
    return {kind: fuzzing.write_cohort(folder / f"cohort.{kind}", registry, RECORDS) for kind in ("jsonl", "csv")}


@pytest.fixture(scope="module")
def hooks_env(registry, tmp_path_factory) -> dict[str, str]:
    return fuzzing.install_hooks(tmp_path_factory.mktemp("plugin"), registry)


def _env(hooks: bool, hooks_env: dict[str, str]) -> dict[str, str]:
    return hooks_env if hooks else {}


@pytest.mark.parametrize("hooks", [False, True], ids=["bodies", "misbehaving_hook"])
@pytest.mark.parametrize("kind", ["jsonl", "csv"])
def test_every_format_and_worker_count_holds_the_invariants_on_a_fuzzed_cohort(kind, hooks, cohorts, hooks_env):
    cohort = cohorts[kind]
    runs = [fuzzing.run_batch(cohort, fmt, workers, _env(hooks, hooks_env), TIMEOUT)
            for workers in (1, 2) for fmt in fuzzing.FORMATS]
    findings = fuzzing.check(cohort, hooks, runs)
    assert not findings, f"{len(findings)} findings on {cohort.path.name}:\n{fuzzing.report(findings)}"


@pytest.mark.parametrize("hooks", [False, True], ids=["bodies", "misbehaving_hook"])
def test_single_record_runs_on_mutated_lines_exit_cleanly_as_the_batch_decided(hooks, cohorts, hooks_env, tmp_path):
    cohort = cohorts["jsonl"]
    env = _env(hooks, hooks_env)
    batch = fuzzing.run_batch(cohort, "json", 1, env, TIMEOUT)
    findings = fuzzing.check_single(cohort, hooks, fuzzing.sample(cohort, hooks), tmp_path, env, batch, TIMEOUT)
    assert not findings, fuzzing.report(findings)


def test_the_checks_name_a_lost_record_a_wrong_grade_and_a_wrong_exit(cohorts):
    """The checker itself: outputs made up here, from the cohort's plan, are faulted in three known ways."""
    cohort = cohorts["jsonl"]
    expected = cohort.expect(hooks=False)
    graded = {p.line: fuzzing.Verdict(p.apprentice, (("acme", "pass"),)) for p in expected.values()
              if p.expect == fuzzing.GRADED}
    errors = {p.line: fuzzing.Verdict(None, None, "refused") for p in expected.values() if p.expect != fuzzing.GRADED}
    lost, changed = sorted(graded)[:2]

    def run(fmt: str, verdicts: dict[int, fuzzing.Verdict], code: int = 2) -> fuzzing.Run:
        seen = fuzzing.Seen(verdicts=verdicts, counts=(len(expected), len(graded), len(errors)))
        return fuzzing.Run(fmt, 1, code, seen, "", 0.0)

    whole = {**graded, **errors}
    assert fuzzing.check(cohort, False, [run("json", whole), run("csv", whole)]) == []
    faulted = {**whole, changed: fuzzing.Verdict(expected[changed].apprentice, (("acme", "fail"),))}
    del faulted[lost]
    found = fuzzing.check(cohort, False, [run("json", whole, code=1), run("csv", faulted)])
    assert {(f.invariant, f.where) for f in found} == {
        ("exit code", "json --workers 1"),
        ("lost", f"csv --workers 1, line {lost} ({expected[lost].mutation})"),
        ("formats agree", f"--workers 1, line {changed} ({expected[changed].mutation})"),
    }


def test_the_cohort_is_the_same_for_the_same_seed(registry, cohorts, tmp_path):
    again = fuzzing.write_cohort(tmp_path / "cohort.csv", registry, RECORDS)
    assert len(again.planted) == RECORDS
    assert again.planted == cohorts["csv"].planted
    assert again.path.read_bytes() == cohorts["csv"].path.read_bytes()
