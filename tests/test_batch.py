"""`epa compare --batch`: cohorts in JSON Lines and CSV, streamed out as JSON Lines or CSV, bad records as
error rows at their line, the counts reconciled, the summary, and --workers giving the same bytes."""

from __future__ import annotations

import copy
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

import epa.batch.cohort
import epa.inputs.documents
import epa.testing
from conftest import EXAMPLES, any_body, body_plugin, fails, offering, run, use_plugins, valid
from epa.inputs.documents import read

# --- cohorts -------------------------------------------------------------------------------------------


def offered() -> set[str]:
    return {s for b in epa.testing.registry().bodies for s in b.body.standards}


def base_records() -> list[dict]:
    """The examples whose standard an installed body offers (skip when none is)."""
    records = [read(p)[0] for p in sorted(EXAMPLES.glob("*.yaml"))]
    records = [r for r in records if r["standard"] in offered()]
    if not records:
        pytest.skip("needs a body plugin offering the examples' standards installed")
    return records


GRADES = ("fail", "pass", "distinction")


def variations(n: int) -> list[dict]:
    """n records from the examples: each example in turn, with its own apprentice id and, where it records
    component grades, the grades varied through every combination."""
    base = base_records()
    out = []
    for i in range(n):
        record = copy.deepcopy(base[i % len(base)])
        record["apprentice"]["id"] = f"A-{i:05d}"
        attempts = record.get("assessments", [])
        if all("grade" in a and a.get("kind", "first") == "first" for a in attempts):  # no resit history to keep
            for k, attempt in enumerate(attempts):
                attempt["grade"] = GRADES[(i // len(base) // 3 ** k) % 3]
        out.append(record)
    return out


def corrupt(record: dict, how: str) -> str:
    if how == "json":
        return json.dumps(record)[:40]  # a line cut short
    bad = copy.deepcopy(record)
    if how == "method":
        bad["assessments"][0]["method"] = "obsrvation"
    else:
        bad["gateway"]["date"] = "2025-02-30"
    return json.dumps(bad)


def cohort(tmp_path: Path, n: int = 300, every: int = 100, name: str = "cohort.jsonl") -> tuple[Path, dict[int, str]]:
    """A JSON Lines cohort of n records, every ``every``-th line corrupt (1% by default): broken JSON, an
    unknown method, an impossible date in turn. Returns the file and {line: how} of the corrupt lines."""
    lines, bad = [], {}
    kinds = ("json", "method", "date")
    for i, record in enumerate(variations(n)):
        if i % every == every // 2:
            how = kinds[len(bad) % 3]
            bad[i + 1] = how
            lines.append(corrupt(record, how))
        else:
            lines.append(json.dumps(record))
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, bad


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


# --- JSON Lines in, JSON Lines out ---------------------------------------------------------------------


def test_a_cohort_with_corrupt_lines_completes_with_the_counts_reconciled(tmp_path):
    path, bad = cohort(tmp_path)
    result = run("compare", "--batch", str(path), "--format", "json", "--summary")
    assert result.exit_code == 2, result.stderr  # some records were rejected
    out = json_lines(result.stdout)
    *records, last = out
    assert [r["line"] for r in records] == list(range(1, 301))  # one object per record, in input order
    errors = {r["line"]: r["error"] for r in records if "error" in r}
    assert set(errors) == set(bad)
    for line, how in bad.items():
        error = errors[line]
        if how == "json":
            assert error["message"].startswith("JSON syntax error") and error["path"] is None
        elif how == "method":
            assert error["path"] == "$.assessments[0].method" and "obsrvation" in error["message"]
            assert error["hint"] == "did you mean 'observation'?"
        else:
            assert error["path"] == "$.gateway.date" and "2025-02-30" in error["message"]
    for r in records:
        valid(r, "batch_error" if "error" in r else "batch_result")
        if "error" not in r:
            assert r["record"] == f"{path}:{r['line']}"
    summary = valid(last, "batch_summary")["summary"]
    assert (summary["records_read"], summary["results_written"], summary["errors"]) == (300, 297, 3)
    graded = [r for r in records if "error" not in r]
    for body in summary["overall"]:  # the grade distribution adds up to what was written
        grades = [res["overall"] or "none" for r in graded for res in r["results"] if res["body"] == body["body"]]
        assert body["records"] == len(grades)
        assert body["grades"] == {g: grades.count(g) for g in ("distinction", "pass", "fail", "none")}


def test_each_result_is_what_compare_prints_for_that_record(tmp_path):
    record = base_records()[0]
    single = tmp_path / "one.json"
    single.write_text(json.dumps(record), encoding="utf-8")
    cohort_file = tmp_path / "c.jsonl"
    cohort_file.write_text("\n" + json.dumps(record) + "\n", encoding="utf-8")  # a blank line is no record
    alone = run("compare", str(single), "--format", "json").json()
    (batched,) = json_lines(run("compare", "--batch", str(cohort_file), "--format", "json").stdout)
    assert batched["line"] == 2
    assert batched["record"] == f"{cohort_file}:2"
    assert {k: v for k, v in batched.items() if k not in ("line", "record")} == \
        {k: v for k, v in alone.items() if k != "record"}


@pytest.mark.parametrize("blank", [b"\n", b" \t\r\n", b"\xef\xbb\xbf\n", b"\xef\xbb\xbf  \n"])
def test_a_blank_line_is_no_record_whatever_it_holds(tmp_path, blank):
    """Spaces, tabs, a carriage return or a byte-order mark alone: no record, no error, the lines still counted."""
    record = json.dumps(base_records()[0]).encode()
    path = tmp_path / "c.jsonl"
    path.write_bytes(blank + record + b"\n" + blank.removeprefix(b"\xef\xbb\xbf") + record + b"\n")
    for fmt in ("json", "csv"):
        result = run("compare", "--batch", str(path), "--format", fmt)
        assert result.exit_code == 0, result.stdout
        lines = [r["line"] for r in json_lines(result.stdout)] if fmt == "json" else sorted(
            {int(r["line"]) for r in csv.DictReader(io.StringIO(result.stdout))})
        assert lines == [2, 4]
    path.write_bytes(b"\xef\xbb\xbf")  # a byte-order mark and nothing else: an empty file, no cohort (as a CSV one)
    result = run("compare", "--batch", str(path), "--format", "json", "--summary")
    assert result.exit_code == 2 and " is empty: " in result.stderr


def test_every_record_graded_exits_0_and_summary_only_prints_the_summary(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in variations(5)), encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "json", "--summary-only")
    assert result.exit_code == 0, result.stderr
    (line,) = json_lines(result.stdout)
    assert valid(line, "batch_summary")["summary"]["records_read"] == 5
    table = run("compare", "--batch", str(path))  # the default, a table: the summary
    assert table.exit_code == 0
    assert "5 records read, 5 graded, 0 rejected" in table.stdout
    # a table title wraps to the table's width, narrow when few bodies are installed
    assert "How often each pair of bodies gives the same overall grade" in " ".join(table.stdout.split())


def test_lines_that_are_not_records_are_error_rows_and_the_run_goes_on(tmp_path):
    good = json.dumps(base_records()[0]).encode()
    lines = [
        good,
        b'{"standard": "ST0071", "apprentice": {"id": "caf\xe9"}}',  # Latin-1, not UTF-8
        b"[" * 100_000 + b"]" * 100_000,  # nested past any parser's patience
        b'{"a": NaN}',
        b'{"standard": "ST0071", "standard": "ST0072"}',  # a duplicate key
        b"[1, 2]",  # JSON, not a record
        b"x" * (epa.batch.cohort.MAX_RECORD + 10),  # longer than a record may be
        good,
    ]
    path = tmp_path / "c.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    result = run("compare", "--batch", str(path), "--format", "json", "--summary")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    *records, summary = json_lines(result.stdout)
    assert [r["line"] for r in records] == list(range(1, 9))
    assert "error" not in records[0] and "error" not in records[7]
    messages = [r["error"]["message"] for r in records[1:7]]
    assert "not UTF-8" in messages[0]
    assert f"nest more than {epa.inputs.documents.MAX_DEPTH} deep" in messages[1]
    assert "NaN" in messages[2]
    assert "duplicate key 'standard'" in messages[3]
    assert "is not a mapping" in messages[4]
    assert "longer than" in messages[5]
    assert summary["summary"]["errors"] == 6 and summary["summary"]["results_written"] == 2


def test_a_suffix_that_names_no_format_is_a_usage_error(tmp_path):
    path = tmp_path / "c.dat"
    path.write_text("{}\n", encoding="utf-8")
    assert "name it .jsonl (JSON Lines) or .csv" in fails("compare", "--batch", str(path))
    assert "cannot read the cohort" in fails("compare", "--batch", str(tmp_path / "absent.jsonl"))
    assert "--batch" in fails("compare", "--format", "csv", str(EXAMPLES / "st0071-criteria.yaml"))
    assert "not both" in fails("compare", str(EXAMPLES / "st0071-criteria.yaml"), "--batch", str(path))
    assert "not with --format csv" in fails("compare", "--batch", str(path), "--format", "csv", "--summary-only")


# --- CSV ----------------------------------------------------------------------------------------------

CSV_HEADER = ("standard,apprentice,date_of_birth,start_date,english,maths,ehcp,bsl,gateway_date,portfolio_pieces,"
              "photo_id,observation,observation_date,project,project_date,discussion,discussion_criteria,"
              "discussion_date")


def st0071() -> str:
    any_body("ST0071")
    return "ST0071"


def test_a_csv_row_is_graded_as_the_same_record_in_yaml(tmp_path):
    st0071()
    record = {"standard": "ST0071",
              "apprentice": {"id": "A-1", "date_of_birth": "2006-05-01", "start_date": "2024-09-02",
                             "english": "level2", "maths": "level2", "ehcp": False, "bsl": False},
              "gateway": {"date": "2025-12-01", "portfolio_pieces": 12, "photo_id": True},
              "assessments": [{"method": "project", "date": "2026-01-12", "grade": "pass"},
                              {"method": "discussion", "date": "2026-01-19", "criteria_met": ["K1.5", "K1.6"]},
                              {"method": "observation", "date": "2026-01-20", "grade": "distinction"}]}
    yaml_file = tmp_path / "one.json"
    yaml_file.write_text(json.dumps(record), encoding="utf-8")
    csv_file = tmp_path / "c.csv"
    csv_file.write_text(CSV_HEADER + "\n"  # columns in any order: the attempts go in date order
                        "ST0071,A-1,2006-05-01,2024-09-02,level2,level2,no,false,2025-12-01,12,yes,"
                        "distinction,2026-01-20,pass,2026-01-12,, K1.5 ; K1.6 ,2026-01-19\n", encoding="utf-8")
    alone = run("compare", str(yaml_file), "--format", "json").json()
    (batched,) = json_lines(run("compare", "--batch", str(csv_file), "--format", "json").stdout)
    assert batched["line"] == 2
    assert batched["results"] == alone["results"]


def test_csv_in_csv_out_one_row_per_record_and_body_errors_at_their_line(tmp_path, registry):
    st0071()
    bodies = [b.body.id for b in registry.offering("ST0071")]
    path = tmp_path / "c.csv"
    path.write_text(CSV_HEADER + "\n"
                    "ST0071,A-1,2006-05-01,2024-09-02,level2,level2,,,2025-12-01,12,yes,distinction,2026-01-20,"
                    "pass,2026-01-12,pass,,2026-01-19\n"
                    "\n"
                    "ST0071,A-2,2006-05-01,2024-09-02,level2,level2,,,2025-12-01,maybe,yes,pass,2026-01-20,"
                    "pass,2026-01-12,pass,,2026-01-19\n"
                    "ST0071,A-3,2006-05-01,2024-09-02,level2,level2,,,2025-12-01,12,yes,pass,2026-01-20,"
                    "pass,2026-01-12,,K1.5;Kx1,2026-01-19\n"
                    '"ST0071","A-4\nwith a line break",2006-05-01,2024-09-02,level2,level2,,,2025-12-01,12,yes,'
                    "pass,2026-01-20,pass,2026-01-12,pass,,2026-01-19\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "csv")
    assert result.exit_code == 2, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    methods = list(registry.method_ids("ST0071"))  # the cohort's standard's methods only (no ST0072 showcase)
    assert list(rows[0]) == ["line", "apprentice", "body", "overall", *methods, "gateway_ready", "capped",
                             "full_retake_required", "error"]
    first = [r for r in rows if r["line"] == "2"]
    assert [r["body"] for r in first] == bodies and all(r["error"] == "" for r in first)
    assert {r["observation"] for r in first} == {"distinction"}  # a recorded grade, the same for every body
    assert all(r["gateway_ready"] in ("true", "false") for r in first)
    (bad_integer,) = [r for r in rows if r["line"] == "4"]
    assert bad_integer["apprentice"] == "A-2" and bad_integer["body"] == ""
    assert bad_integer["error"] == "$.gateway.portfolio_pieces: (column portfolio_pieces) 'maybe' is not a whole number"
    (bad_criterion,) = [r for r in rows if r["line"] == "5"]
    assert "(column discussion_criteria) no body knows criterion 'Kx1'" in bad_criterion["error"]
    assert [r["apprentice"] for r in rows if r["line"] == "6"] == ["A-4\nwith a line break"] * len(bodies)


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_a_repeated_or_unknown_criterion_id_is_an_error_row_whatever_the_output(tmp_path, fmt):
    """CSV rows and the summary take a fast path that checks criteria ids as it reads them as bits: a line that
    repeats one, or lists one the standard does not have, is still an error row, as JSON output (the slow path,
    which words it) makes it, and the lines around it are graded."""
    with_criteria = [r for r in base_records() if any("criteria_met" in a for a in r.get("assessments", []))]
    if not with_criteria:
        pytest.skip("needs an example listing criteria for an installed body's standard")
    record = with_criteria[0]
    k = next(k for k, a in enumerate(record["assessments"]) if "criteria_met" in a)
    repeated, unknown = copy.deepcopy(record), copy.deepcopy(record)
    repeated["assessments"][k]["criteria_met"].append(record["assessments"][k]["criteria_met"][0])
    unknown["assessments"][k]["criteria_met"].append("NOT-A-CRITERION")
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (record, repeated, unknown, record)) + "\n", encoding="utf-8")
    explained = json_lines(run("compare", "--batch", str(path), "--format", "json").stdout)
    assert ["error" in r for r in explained] == [False, True, True, False]
    assert all(explained[i]["error"]["path"].startswith(f"$.assessments[{k}].criteria_met") for i in (1, 2))
    result = run("compare", "--batch", str(path), *(["--format", "csv"] if fmt == "csv" else ["--summary-only",
                                                                                              "--format", "json"]))
    assert result.exit_code == 2, result.stderr
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        errors = {int(r["line"]): r["error"] for r in rows if r["error"]}
        assert set(errors) == {2, 3}
        for i in (1, 2):  # the path and message JSON output gives (a hint may follow)
            assert errors[i + 1].startswith(f"{explained[i]['error']['path']}: {explained[i]['error']['message']}")
        assert {int(r["line"]) for r in rows if not r["error"]} == {1, 4}
    else:
        summary = json.loads(result.stdout)["summary"]
        assert (summary["records_read"], summary["results_written"], summary["errors"]) == (4, 2, 2)


def test_an_unknown_csv_column_is_named_with_a_suggestion_and_strict_refuses_it(tmp_path):
    offering("ST0071", "the standard of the cohort the test grades")
    path = tmp_path / "c.csv"
    path.write_text("standard,apprentice,gateway_date,obsrvation\nST0071,A-1,2025-12-01,pass\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "json")
    assert result.exit_code == 0 and result.stdout.count("\n") == 1
    assert f'{path}: 1 column not read (epa has no field for it): "obsrvation" (column 4; did you mean ' \
           "observation?)" in result.stderr
    strict = run("compare", "--batch", str(path), "--format", "json", "--strict")
    assert strict.exit_code == 2 and strict.stdout == ""
    assert f'{path}:1: columns epa does not read (--strict): "obsrvation" (column 4' in strict.stderr
    path.write_text("standard,apprentice\nST0071,A-1\n", encoding="utf-8")
    assert "the header has no column for the gateway date (gateway_date)" in fails("compare", "--batch", str(path))


# --- standard input -----------------------------------------------------------------------------------


def test_dash_reads_standard_input_json_lines_or_csv(tmp_path):
    path, bad = cohort(tmp_path, n=20, every=10)
    from_file = run("compare", "--batch", str(path), "--format", "json").stdout
    piped = subprocess.run([sys.executable, "-m", "epa", "compare", "--batch", "-", "--format", "json"],
                           input=b"\n" + path.read_bytes(), capture_output=True, check=False)
    assert piped.returncode == 2, piped.stderr
    assert piped.stderr == b""  # stderr is not a terminal: no progress bar
    lines = json_lines(piped.stdout.decode())
    assert [r["line"] for r in lines] == list(range(2, 22))  # the leading blank line counts
    assert {r["line"] for r in lines if "error" in r} == {line + 1 for line in bad}
    expected = [r for r in json_lines(from_file) if "error" not in r]
    assert [r["results"] for r in lines if "error" not in r] == [r["results"] for r in expected]
    assert all(r["record"] == f"stdin:{r['line']}" for r in lines if "error" not in r)


def test_dash_sniffs_csv(tmp_path, monkeypatch):
    st0071()
    text = (CSV_HEADER + "\nST0071,A-1,2006-05-01,2024-09-02,level2,level2,,,2025-12-01,12,yes,distinction,"
            "2026-01-20,pass,2026-01-12,pass,,2026-01-19\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    result = run("compare", "--batch", "-", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (line,) = json_lines(result.stdout)
    assert line["line"] == 2 and line["apprentice"] == "A-1"


# --- workers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_two_workers_write_the_same_bytes_as_one(tmp_path, monkeypatch, fmt):
    monkeypatch.setattr(epa.batch.cohort, "CHUNK", 16)  # many chunks in flight, so order is really at stake
    path, _ = cohort(tmp_path, n=120, every=40)
    extra = ["--summary"] if fmt == "json" else []
    one = run("compare", "--batch", str(path), "--format", fmt, *extra, "--workers", "1")
    two = run("compare", "--batch", str(path), "--format", fmt, *extra, "--workers", "2")
    assert one.exit_code == two.exit_code == 2
    assert one.stdout.encode() == two.stdout.encode()
    assert len(one.stdout.splitlines()) > 120


def test_what_the_batch_remembers_stays_bounded_and_changes_nothing(tmp_path, monkeypatch):
    """What each distinct set of decisions comes to, and each decision's CSV row, is forgotten past
    ``OUTPUTS_REMEMBERED`` entries: the same bytes out, CSV rows and summary alike."""
    path, _ = cohort(tmp_path, n=120, every=40)
    graders: list[epa.batch.cohort.Grader] = []  # each run's, in this process (one worker)
    made = epa.batch.cohort.Grader.__init__

    def making(self, *args, **kwargs):
        made(self, *args, **kwargs)
        graders.append(self)
    monkeypatch.setattr(epa.batch.cohort.Grader, "__init__", making)
    runs = [("--summary-only", "--format", "json"), ("--format", "csv")]
    unbounded = [run("compare", "--batch", str(path), *options, "--workers", "1") for options in runs]
    assert len(graders) == 2 and len(graders[-1].remembered) > 2  # the cohort has more than the bound below
    monkeypatch.setattr(epa.batch.cohort, "OUTPUTS_REMEMBERED", 2)
    bounded = []
    for options in runs:
        bounded.append(run("compare", "--batch", str(path), *options, "--workers", "1"))
        assert len(graders[-1].remembered) <= 2 and len(graders[-1].rows) <= 2
    for before, after in zip(unbounded, bounded, strict=True):
        assert before.exit_code == after.exit_code == 2
        assert before.stdout.encode() == after.stdout.encode() and before.stdout


def test_a_run_puts_the_garbage_collector_back_as_it_found_it(tmp_path, monkeypatch):
    """The batch has the collector scan less while it grades (see ``_collecting_less``); a program that calls
    ``batch.run`` gets its own settings back, whether the run ends normally or with a plugin's failure."""
    import gc

    path, _ = cohort(tmp_path, n=40, every=20)
    seen: list[tuple[tuple[int, int, int], int]] = []
    real = epa.batch.cohort._graded_in_order

    def graded(*args, **kwargs):
        for found in real(*args, **kwargs):
            seen.append((gc.get_threshold(), gc.get_freeze_count()))
            yield found
    monkeypatch.setattr(epa.batch.cohort, "_graded_in_order", graded)
    before = gc.get_threshold(), gc.get_freeze_count()
    assert run("compare", "--batch", str(path), "--format", "csv").exit_code == 2
    assert seen and all(threshold != before[0] and frozen > 0 for threshold, frozen in seen)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before

    def combine_grades(self, ruleset, components):
        raise KeyError("observation")
    use_plugins(monkeypatch, body_plugin(combine_grades=combine_grades))
    fails("compare", "--batch", str(path), "--format", "csv", code=1)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_workers_through_the_installed_command(tmp_path):
    path, _ = cohort(tmp_path, n=40, every=20)
    outputs = [subprocess.run([sys.executable, "-m", "epa", "compare", "--batch", str(path), "--format", "json",
                               "--summary", "--workers", w], capture_output=True, check=False) for w in ("1", "2")]
    assert [o.returncode for o in outputs] == [2, 2], outputs[1].stderr
    assert outputs[0].stdout == outputs[1].stdout and outputs[0].stdout


# --- a plugin's failure ---------------------------------------------------------------------------------


def test_a_plugin_failure_is_exit_1_naming_plugin_and_hook(tmp_path, monkeypatch):
    def combine_grades(self, ruleset, components):
        raise KeyError("observation")

    use_plugins(monkeypatch, body_plugin(combine_grades=combine_grades))
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps(read(EXAMPLES / "st0071-observation-distinction.yaml")[0]) + "\n", encoding="utf-8")
    message = fails("compare", "--batch", str(path), "--format", "json", code=1)
    assert "plugin 'broken' failed in hook 'combine_grades'" in message


# --- the summary, on a cohort small enough to work out by hand -----------------------------------------


@epa.testing.requires("tqual", "highfield")
def test_summary_agreement_worked_out_by_hand(tmp_path):
    """Two records: observation distinction with project and discussion pass (TQUK's overall grade follows
    the observation: distinction; Highfield's needs a distinction in every method: pass), and all pass (both:
    pass). A third names a standard neither offers. So the pair agrees on 1 of 2, Highfield gives pass twice,
    TQUK distinction once and pass once, and 'overall' differs in 1 record."""
    base = read(EXAMPLES / "st0071-observation-distinction.yaml")[0]
    all_pass = copy.deepcopy(base)
    all_pass["apprentice"]["id"] = "A-pass"
    next(a for a in all_pass["assessments"] if a["method"] == "observation")["grade"] = "pass"
    other = {**copy.deepcopy(base), "standard": "ST0072"}
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (base, all_pass, other)) + "\n", encoding="utf-8")
    result = run("--bodies", "tqual,highfield", "compare", "--batch", str(path), "--format", "json", "--summary")
    assert result.exit_code == 2
    *records, last = json_lines(result.stdout)
    assert records[2]["error"]["path"] == "$.standard"
    summary = last["summary"]
    assert (summary["records_read"], summary["results_written"], summary["errors"]) == (3, 2, 1)
    assert summary["agreement"] == [{"bodies": ["highfield", "tqual"], "records": 2, "agree": 1, "rate": 0.5}]
    assert summary["overall"] == [
        {"body": "highfield", "records": 2, "grades": {"distinction": 0, "pass": 2, "fail": 0, "none": 0}},
        {"body": "tqual", "records": 2, "grades": {"distinction": 1, "pass": 1, "fail": 0, "none": 0}}]
    assert {"row": "overall", "records": 1} in summary["divergences"]
    assert summary["overall_divergences"] == [
        {"standard": "ST0071", "overall": {"highfield": "pass", "tqual": "distinction"}, "records": 1}]


def test_summary_counts_agree_with_the_rows(tmp_path):
    """On any installed bodies: each pair's agreement is what the written results show."""
    path, _ = cohort(tmp_path, n=60, every=30)
    *records, last = json_lines(run("compare", "--batch", str(path), "--format", "json", "--summary").stdout)
    expected: dict[tuple[str, str], list[int]] = {}
    for r in records:
        grades = sorted((res["body"], res["overall"]) for res in r.get("results", []))
        for i, (a, ga) in enumerate(grades):
            for b, gb in grades[i + 1:]:
                pair = expected.setdefault((a, b), [0, 0])
                pair[0] += 1
                pair[1] += ga == gb
    assert {tuple(p["bodies"]): [p["records"], p["agree"]] for p in last["summary"]["agreement"]} == expected


# --- the progress bar ---------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_on_stderr_only_when_it_is_a_terminal(tmp_path):
    import contextlib

    from epa.cli import main

    path, _ = cohort(tmp_path, n=10, every=10)
    plain = run("compare", "--batch", str(path), "--format", "json")
    assert plain.stderr == ""  # not a terminal: nothing on stderr
    out, err = io.StringIO(), _Terminal()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exit_:
        main(["compare", "--batch", str(path), "--format", "json"])
    assert exit_.value.code == 2
    assert "grading" in err.getvalue() and "records" in err.getvalue()
    assert out.getvalue() == plain.stdout  # the bar never reaches the output


def test_a_csv_row_the_csv_module_cannot_read_is_an_error_row(tmp_path):
    # A bare carriage return in an unquoted cell, and a 200 KB cell (past the csv module's default limit):
    # each is an error row at its line, and the run goes on. The carriage return ends its line (as it ends a line
    # anywhere in a cohort), so that row is two rows, neither a record (neither has a gateway date).
    any_body("ST0071")
    header = "standard,apprentice,gateway_date\n"
    good = "ST0071,A-1,2025-06-02\n"
    path = tmp_path / "c.csv"
    path.write_bytes((header + good + "ST0071,A\r-2,2025-06-02\n" + "ST0071," + "x" * 200_000 + ",2025-06-02\n"
                      + good).encode())
    result = run("compare", "--batch", str(path), "--format", "json")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    lines = json_lines(result.stdout)
    assert [ln["line"] for ln in lines] == [2, 3, 4, 5, 6]
    assert all("error" in ln for ln in lines[1:3])
    assert "error" not in lines[0] and "error" not in lines[4]


def test_a_reader_that_stops_early_is_no_failure(tmp_path):
    # `epa compare --batch … | head -1`: the closed pipe ends the run quietly with exit 0, not click's exit 1.
    any_body("ST0071")
    lines = (EXAMPLES / "st0071-cohort.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines * 100) + "\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "epa", "compare", "--batch", str(path), "--format", "json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline()
    proc.stdout.close()
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert b"Traceback" not in err


def test_no_standard_input_is_bad_input():
    done = subprocess.run(["bash", "-c", f"'{sys.executable}' -m epa compare --batch - <&-"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "no standard input to read" in done.stderr and "Traceback" not in done.stderr


# --- what differs ---------------------------------------------------------------------------------------


def test_the_rows_that_differ_are_named_by_method_not_by_position():
    """The summary's divergences and a record's "differences": the rows whose cells are not all equal,
    read by method id (bodies may list their methods in other orders, or lack one), alike for the engine's
    decisions (tuples) and for explained results (read by attribute)."""
    import dataclasses

    from epa.model.domain import Grade
    from epa.model.results import Decision
    from epa.views.report import disagreements

    @dataclasses.dataclass
    class Explained:  # an explained result's attributes, as BodyResult has them
        body: str
        overall: Grade | None
        components: dict
        gateway_ready: bool
        capped: bool
        full_retake_required: bool

    P, D, F = Grade.PASS, Grade.DISTINCTION, Grade.FAIL

    def decision(body: str, components: dict, overall: Grade | None = P, *journey: bool) -> Decision:
        ready, capped, full_retake = journey or (True, False, False)
        return Decision(body, overall, tuple(components), tuple(components.values()), ready, capped, full_retake)

    a = decision("a", {"observation": P, "project": D})
    cases = [
        ([a, a._replace(body="b")], []),
        ([a, decision("b", {"project": D, "observation": P})], []),
        ([a, decision("b", {"observation": P, "project": F}, D)], ["overall", "project"]),
        ([a, decision("b", {"observation": P})], ["project"]),
        ([a, decision("b", {"project": F, "observation": P})], ["project"]),
        ([a, a._replace(body="b", gateway_ready=False, capped=True)], ["gateway_ready", "capped"]),
        ([a, a, a._replace(full_retake_required=True, overall=None)], ["overall", "full_retake_required"]),
        ([], []),
    ]
    for decisions, expected in cases:
        assert disagreements(decisions) == expected, decisions
        assert disagreements([Explained(d.body, d.overall, d.components, *d[4:]) for d in decisions]) == expected


@pytest.mark.parametrize("ident", ["A-0000001", "Zoë O'Neill", "Smith, J", 'Jo "JJ" Jones', "two\nlines", "cr\r"])
def test_csv_rows_read_back_as_written(ident):
    """Each body's row reads back to its cells whatever the apprentice's id holds (a comma, a quote, a line
    break, a carriage return); rows are written as the csv module writes them, line by line."""
    from epa.model.domain import Grade
    from epa.model.results import Decision

    reg = epa.testing.registry()
    grader = epa.batch.cohort.Grader(reg, "cohort.jsonl", "csv")
    methods = grader.methods
    results = [Decision("a_body", Grade.PASS, methods[:1], (Grade.FAIL,) * len(methods[:1]), True, False, False),
               Decision("b_body", None, (), (), False, True, True)]
    written = epa.batch.cohort._csv_results(12, ident, epa.batch.cohort._decided(grader, "ST0000", results))
    cells = [["12", ident, "a_body", "pass", *(["fail"] + [""] * (len(methods) - 1) if methods else []),
              "true", "false", "false", ""],
             ["12", ident, "b_body", "", *[""] * len(methods), "false", "true", "true", ""]]
    assert list(csv.reader(io.StringIO(written, newline=""))) == cells
    if "\r" not in ident:  # the bytes a csv writer ending rows with "\n" writes
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(cells)
        assert written == out.getvalue()


def test_a_line_is_refused_as_a_record_file_is_with_its_json_path(tmp_path):
    """One JSON reader for record files and cohort lines: a number of 5,000 digits, a duplicate key and 1e400 are
    refused with the path of the field, as `epa compare` gives it for the same record in a file. The batch had a
    reader of its own, whose rows said Python's words ('Exceeds the limit (4300 digits)…') with no path."""
    any_body("ST0071")
    base = '{"standard":"ST0071","apprentice":{"id":"A-1"},"gateway":{"date":"2025-06-02","portfolio_pieces":%s}}'
    texts = [base % ("1" * 5000), base % "1e400", base.replace('"gateway"', '"apprentice":{"id":"A-2"},"gateway"') % 1]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    result = run("compare", "--batch", str(path), "--format", "json")
    assert result.exit_code == 2 and "Traceback" not in result.stderr
    errors = [line["error"] for line in json_lines(result.stdout)]
    assert [e["path"] for e in errors] == ["$.gateway.portfolio_pieces", "$.gateway.portfolio_pieces", "$.apprentice"]
    for text, error in zip(texts, errors, strict=True):
        single = tmp_path / "one.json"
        single.write_text(text, encoding="utf-8")
        alone = run("compare", str(single), "--format", "json")
        assert alone.exit_code == 2
        assert f": {error['path']}: {error['message']}" in alone.stderr


def test_dash_refuses_a_json_array_over_several_lines_naming_it(monkeypatch):
    """A .json file of records piped to --batch -. On 6b31b37 its '[' was read as a CSV header naming none of the
    columns ('columns not read: "["'), which did not say what had been sent."""
    st0071()
    text = '[\n  {"standard": "ST0071", "apprentice": {"id": "A-1"}, "gateway": {"date": "2025-06-02"}}\n]\n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    result = run("compare", "--batch", "-", "--format", "json")
    assert result.exit_code == 2 and result.stdout == "", result.stdout
    assert "stdin:1: this is a JSON array" in result.stderr and "not JSON Lines" in result.stderr, result.stderr
