"""`epa compare --batch` on CSV cohorts: rows per second as epa's own columns and values write them, and the same
records as a provider's export writes them (a UTF-8 byte-order mark, CRLF, headers such as `Apprentice ID` and
`Date of Birth`, UK dates, `Distinction` and `Level 2`, an `Employer` column epa does not read), in one run.

    python bench/csv_bench.py                        # 10,000 and 100,000 rows
    python bench/csv_bench.py --sizes 100000 --canonical-only   # the form every version of epa reads

The records are bench/cohort.py's (journey included), one attempt per method as a CSV row holds them. Each file is
graded by the installed command in a child process (`--summary-only --format json`), and the summary's counts are
checked: every row read and graded.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cohort import records  # noqa: E402

from epa.registry import Registry  # noqa: E402

CANONICAL = ["standard", "apprentice", "date_of_birth", "start_date", "english", "maths", "gateway_date",
             "portfolio_pieces", "photo_id", "gateway_form", "registered", "planning_meeting"]
PROVIDER = ["Standard", "Apprentice ID", "Employer", "Date of Birth", "Start Date", "English Level", "Maths Level",
            "Gateway Date", "Portfolio Pieces", "Photo ID", "Gateway Form", "Registration Date",
            "Planning Meeting Date"]
_LEVELS = {"entry3": "Entry 3", "level1": "Level 1", "level2": "Level 2", "level3": "Level 3"}


def _uk(day: str) -> str:
    return dt.date.fromisoformat(day).strftime("%d/%m/%Y")


def rows(registry: Registry, n: int, methods: list[str], provider: bool) -> list[list[str]]:
    out = []
    for data in records(registry, n):
        a, g, d = data["apprentice"], data["gateway"], data["dates"]
        first = {}
        for attempt in data["assessments"]:
            first.setdefault(attempt["method"], attempt)  # a CSV row holds one attempt per method
        cells = [data["standard"], a["id"], a["date_of_birth"], a["start_date"], a["english"], a["maths"], g["date"],
                 str(g["portfolio_pieces"]), "yes" if g["photo_id"] else "no", "yes", d["registered"],
                 d["planning_meeting"]]
        per_method = []
        for m in methods:
            attempt = first[m]
            grade = attempt.get("grade", "")
            criteria = ";".join(attempt.get("criteria_met", []))
            per_method += [grade, criteria, attempt["date"]]
        if provider:
            cells = [cells[0], cells[1], "Acme Retail Ltd", _uk(cells[2]), _uk(cells[3]), _LEVELS[cells[4]],
                     _LEVELS[cells[5]], _uk(cells[6]), cells[7], cells[8].title(), "Y", _uk(cells[10]), _uk(cells[11])]
            per_method = [v.title() if i % 3 == 0 else _uk(v) if i % 3 == 2 else v for i, v in enumerate(per_method)]
        out.append(cells + per_method)
    return out


def write(path: Path, header: list[str], body: list[list[str]], provider: bool) -> None:
    with path.open("w", encoding="utf-8-sig" if provider else "utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n" if provider else "\n")
        writer.writerow(header)
        writer.writerows(body)
        if provider:
            f.write(",," * (len(header) // 2) + "\r\n")  # Excel's empty trailing rows
            f.write("," * (len(header) - 1) + "\r\n")


def grade(path: Path) -> tuple[float, dict]:
    command = [sys.executable, "-m", "epa", "compare", "--batch", str(path), "--summary-only", "--format", "json"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    try:
        return seconds, json.loads(done.stdout.decode().strip().rsplit("\n", 1)[-1])["summary"]
    except (ValueError, KeyError, IndexError):
        sys.exit(f"no summary (exit {done.returncode}): {done.stderr.decode()[-2000:]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated row counts")
    parser.add_argument("--canonical-only", action="store_true", help="epa's own columns only (any version reads it)")
    args = parser.parse_args()
    registry = Registry.installed()
    methods = list(registry.method_ids("ST0071"))
    forms = [("canonical", False)] + ([] if args.canonical_only else [("provider", True)])
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            speeds = {}
            for form, provider in forms:
                header = PROVIDER if provider else CANONICAL
                header = header + [f"{m.title()} {s}" if provider else f"{m}{t}"
                                   for m in methods for s, t in (("Grade", ""), ("Criteria", "_criteria"),
                                                                 ("Date", "_date"))]
                path = Path(tmp) / f"{form}-{n}.csv"
                write(path, header, rows(registry, n, methods, provider), provider)
                seconds, summary = grade(path)
                graded = summary["records_read"] == summary["results_written"] == n
                ok &= graded
                speeds[form] = n / seconds
                print(f"{n:>9,} rows, {form:>9}: {seconds:6.1f} s, {n / seconds:>8,.0f} rows/s; read "
                      f"{summary['records_read']:,}, graded {summary['results_written']:,}"
                      f"{'' if graded else '  NOT ALL GRADED'}", flush=True)
            if len(speeds) == 2:
                print(f"{'':>9}  provider's export at {speeds['provider'] / speeds['canonical']:.2f}× the canonical "
                      "form's rows per second")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
