"""Reading a cohort from Excel against CSV: the same records (bench/cohort.py) written as a CSV file and as an .xlsx
workbook (dates as date cells, booleans and numbers as typed cells), then `epa compare --batch FILE --format csv`
end to end on each in a child process, rows a second of its CPU time, and the ratio, in one run. The issue's
target: a workbook within 1.5x of the CSV's time for the same records.

With ``--readers`` it also measures, for the choice of library, each installed reader alone on the same workbook:
rows a second and the peak memory (a child process each): python-calamine (what epa uses), and openpyxl's streaming
mode (read_only=True, values_only=True).

    python bench/xlsx_bench.py [--records 100000] [--readers] [--before DIR]

``--before DIR`` also grades both files with the epa package of another checkout (DIR/core first on PYTHONPATH, and
its bodies, DIR/plugins/*: a clone at an earlier commit), each run in turn with this checkout's, for the ratio before a
change beside after it, and this checkout's times against the CSV of before (issue 17's target: a workbook within
1.5x of the CSV before it, so this checkout's CSV too).

The workbook is written by openpyxl (the test extra has it), which puts each string inline in the sheet's XML and
asks for formulas to be calculated on opening (so epa looks for formulas without values): the slowest form to read;
``--writer xlsxwriter`` (pip install xlsxwriter) shares strings as Excel does. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cohort import records  # noqa: E402

from epa.registry import Registry  # noqa: E402

DATES = ("gateway_date", "date_of_birth", "start_date", "registered", "planning_meeting")
METHODS = ("observation", "project", "discussion")
COLUMNS = ["standard", "apprentice", "gateway_date", "date_of_birth", "start_date", "english", "maths",
           "portfolio_pieces", "portfolio", "project_proposal", "project_proposal_words", "photo_id", "gateway_form",
           "registered", "planning_meeting", *(f"{m}{s}" for m in METHODS for s in ("", "_criteria", "_date"))]


def rows(n: int) -> list[dict[str, object]]:
    """Each record as typed cells (a first attempt per method: a CSV row holds one)."""
    found = []
    for data in records(Registry.installed(), n):
        row: dict[str, object] = {"standard": data["standard"], "apprentice": data["apprentice"]["id"],
                                  "gateway_date": data["gateway"]["date"]}
        row.update({k: v for k, v in data["apprentice"].items() if k != "id"})
        row.update({k: v for k, v in data["gateway"].items() if k != "date"})
        row.update(data.get("dates", {}))
        for attempt in data["assessments"]:
            m = attempt["method"]
            if attempt.get("kind") == "resit" or f"{m}_date" in row:
                continue
            row[f"{m}_date"] = attempt["date"]
            if "grade" in attempt:
                row[m] = attempt["grade"]
            else:
                row[f"{m}_criteria"] = ";".join(attempt["criteria_met"])
        for k in (*DATES, *(f"{m}_date" for m in METHODS)):
            if k in row:
                row[k] = dt.date.fromisoformat(str(row[k]))
        found.append(row)
    return found


def as_csv(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def write(folder: Path, n: int, writer: str) -> tuple[Path, Path]:
    data = rows(n)
    text = folder / "cohort.csv"
    with text.open("w", newline="", encoding="utf-8") as out:
        lines = csv.writer(out)
        lines.writerow(COLUMNS)
        lines.writerows([as_csv(r.get(c, "")) for c in COLUMNS] for r in data)
    workbook = folder / "cohort.xlsx"
    if writer == "xlsxwriter":  # strings shared, as Excel saves them
        import xlsxwriter

        book = xlsxwriter.Workbook(str(workbook), {"constant_memory": True})
        sheet, dates = book.add_worksheet("Cohort"), book.add_format({"num_format": "yyyy-mm-dd"})
        for i, values in enumerate([COLUMNS, *([r.get(c) for c in COLUMNS] for r in data)]):
            for j, value in enumerate(values):
                if isinstance(value, dt.date):
                    sheet.write_datetime(i, j, value, dates)
                elif value is not None:
                    sheet.write(i, j, value)
        book.close()
        return text, workbook
    from openpyxl import Workbook

    book = Workbook(write_only=True)  # each string inline in the sheet: the larger XML, the slower to read
    sheet = book.create_sheet("Cohort")
    sheet.append(COLUMNS)
    for r in data:
        sheet.append([r.get(c) for c in COLUMNS])
    book.save(workbook)
    return text, workbook


def graded(jobs: list[tuple[Path, str | None]]) -> list[tuple[float, bytes]]:
    """`epa compare --batch` on each (file, core) in turn, three times over (so that a busy machine slows each
    alike, this checkout's and another's): its CPU seconds (the best of three) and its output. ``core``: the folder
    of another checkout's epa package to run instead (see _checkout_path), for a figure from before a change beside
    the one after it; None: this checkout's."""
    best, out = [float("inf")] * len(jobs), [b""] * len(jobs)
    for _ in range(3):
        for i, (path, core) in enumerate(jobs):
            env = None
            if core:
                path_before = [*_checkout_path(core), os.environ.get("PYTHONPATH", "")]
                env = {**os.environ, "PYTHONPATH": os.pathsep.join(path_before)}
            with tempfile.TemporaryFile() as said:
                child = subprocess.Popen([sys.executable, "-m", "epa", "compare", "--batch", str(path), "--format",
                                          "csv"], stdout=subprocess.PIPE, stderr=said, env=env)
                out[i] = child.stdout.read() if child.stdout else b""
                _, status, usage = os.wait4(child.pid, 0)
                code = os.waitstatus_to_exitcode(status)
                lines = out[i].count(b"\n")
                if code not in (0, 2) or lines < 2:  # a run that failed or graded nothing times nothing: say so
                    said.seek(0)
                    sys.exit(f"epa compare --batch {path.name}{f' ({core})' if core else ''} exited {code} with "
                             f"{lines} lines out: {said.read().decode(errors='replace')[-500:]}")
            best[i] = min(best[i], usage.ru_utime + usage.ru_stime)
    return list(zip(best, out, strict=True))


def _checkout_path(core: str) -> list[str]:
    """What goes first on PYTHONPATH to run another checkout's epa: its core and its own bodies (plugins/<id>/),
    which shadow this checkout's installed ones (the entry points stay this environment's: the same names), since
    an earlier core may refuse a body's rule files as they are now."""
    plugins = Path(core).parent / "plugins"
    bodies = sorted(str(p) for p in plugins.glob("*") if (p / "pyproject.toml").is_file()) if plugins.is_dir() else []
    return [core, *bodies]


READERS = {
    "python-calamine": "import python_calamine as c\n"
                       "s = c.CalamineWorkbook.from_path(PATH).get_sheet_by_index(0)\n"
                       "n = sum(1 for _ in s.iter_rows())",
    "openpyxl (read_only, values_only)": "import openpyxl\n"
                                         "b = openpyxl.load_workbook(PATH, read_only=True, data_only=True)\n"
                                         "s = b.worksheets[0]\ns.reset_dimensions()\n"
                                         "n = sum(1 for _ in s.iter_rows(values_only=True))",
}


def reader(code: str, path: Path) -> tuple[float, float, int] | None:
    """(seconds of CPU, peak MiB, rows) of a reader alone, in a child process; None if it is not installed."""
    script = (f"import resource, time\nPATH = {str(path)!r}\nt = time.process_time()\n{code}\n"
              "print(time.process_time() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, n)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    if done.returncode:
        return None
    seconds, peak, n = done.stdout.split()
    return float(seconds), float(peak), int(n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--readers", action="store_true", help="also each reader alone: rows a second, peak memory")
    parser.add_argument("--writer", choices=["openpyxl", "xlsxwriter"], default="openpyxl",
                        help="what writes the workbook: openpyxl (strings inline) or xlsxwriter (shared, as Excel)")
    parser.add_argument("--before", metavar="DIR", help="also run the epa of another checkout (e.g. a clone at an "
                                                        "earlier commit) on the same files, for before and after")
    args = parser.parse_args()
    n = args.records
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{n:,} records, {len(COLUMNS)} columns; the workbook written by {args.writer}")
    with tempfile.TemporaryDirectory() as tmp:
        text, workbook = write(Path(tmp), n, args.writer)
        print(f"CSV {text.stat().st_size / 1e6:,.1f} MB, workbook {workbook.stat().st_size / 1e6:,.1f} MB")
        if args.readers:
            for label, code in READERS.items():
                found = reader(code, workbook)
                if found is None:
                    print(f"  {label}: not installed")
                    continue
                seconds, peak, count = found
                print(f"  {label}: {count / seconds:>9,.0f} rows/s alone, peak {peak:,.0f} MiB")
        runs = [("this checkout", None)] + ([(f"before ({args.before})", str(Path(args.before).resolve() / "core"))]
                                            if args.before else [])
        timed = graded([(path, core) for _, core in runs for path in (text, workbook)])
    print("epa compare --batch --format csv, CPU seconds (best of 3, start-up included):")
    for at, (label, _) in enumerate(runs):
        (csv_seconds, csv_out), (xlsx_seconds, xlsx_out) = timed[2 * at:2 * at + 2]
        same = csv_out.replace(str(text).encode(), b"") == xlsx_out.replace(str(workbook).encode(), b"")
        print(f"{label}:\n"
              f"  CSV   {csv_seconds:6.2f} s  {n / csv_seconds:>9,.0f} rows/s\n"
              f"  .xlsx {xlsx_seconds:6.2f} s  {n / xlsx_seconds:>9,.0f} rows/s\n"
              f"  ratio {xlsx_seconds / csv_seconds:.2f} (target: at most 1.50); output "
              f"{'byte-identical' if same else 'DIFFERENT'}")
    if args.before:  # the target: this checkout's reading against the CSV of before, measured alike
        before_csv = timed[2][0]
        print(f"against before's CSV: {timed[1][0] / before_csv:.2f} (target \u2264 1.50) for the .xlsx; "
              f"{timed[0][0] / before_csv:.2f} for this checkout's CSV")

if __name__ == "__main__":
    main()
