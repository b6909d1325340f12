"""Write examples/provider-export.csv: a 300-row ST0071 cohort as a provider's MIS or spreadsheet exports it, the same
bytes for the same seed. A UTF-8 byte-order mark and CRLF line ends; headers such as `Apprentice ID`,
`Date of Birth`, `Gateway Date` and `Photo ID`; UK dates (08/12/2025); grades written `Distinction`, `PASS`, `Pass`;
English and maths as `Level 2`; an `Employer` column epa does not read; assessments booked with a date and no grade
yet; and Excel's trailing rows of empty cells.

    python bench/provider_export.py [PATH] [--rows N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

HEADER = ["Standard", "Apprentice ID", "Employer", "Date of Birth", "Start Date", "English Level", "Maths Level",
          "Gateway Date", "Photo ID", "Portfolio Pieces", "Observation", "Observation Date", "Project", "Project Date",
          "Discussion", "Discussion Date"]
EMPLOYERS = ["Acme Retail Ltd", "Northern Rail Services", "Harbour Hotels", "City Council Contact Centre",
             "Greenfield Housing Association"]
GRADES = {"distinction": ["Distinction", "DISTINCTION", "distinction"], "pass": ["Pass", "PASS", "pass"],
          "fail": ["Fail", "FAIL"]}
LEVELS = {"level1": ["Level 1", "L1"], "level2": ["Level 2", "L2", "level 2"], "level3": ["Level 3"]}
BLANK_ROWS = 4  # Excel's trailing rows: empty cells, as many commas as the header has


def uk(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def rows(n: int, seed: int = 17) -> list[list[str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        start = dt.date(2024, 8, 1) + dt.timedelta(days=rng.randrange(300))
        born = start - dt.timedelta(days=365 * 16 + rng.randrange(365 * 12))
        gateway = start + dt.timedelta(days=372 + rng.randrange(40))
        english = rng.choice(["level2", "level2", "level3", "level1"])
        maths = rng.choice(["level2", "level2", "level1"])
        cells = ["ST0071", f"APP{10001 + i}", rng.choice(EMPLOYERS), uk(born), uk(start),
                 rng.choice(LEVELS[english]), rng.choice(LEVELS[maths]), uk(gateway), rng.choice(["Y", "Yes", "N"]),
                 str(rng.randrange(8, 16))]
        booked = rng.random() < 0.38  # the last method booked, not yet graded
        day = gateway + dt.timedelta(days=14 + rng.randrange(20))
        for m in range(3):
            grade = rng.choice(["pass", "pass", "distinction", "distinction", "fail"])
            if booked and m == 2:
                cells += ["", uk(day)]
            else:
                cells += [rng.choice(GRADES[grade]), uk(day)]
            day += dt.timedelta(days=1 + rng.randrange(9))
        out.append(cells)
    return out


def write(path: Path, n: int = 300) -> None:
    lines = [",".join(HEADER)] + [",".join(r) for r in rows(n)] + ["," * (len(HEADER) - 1)] * BLANK_ROWS
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", nargs="?", type=Path,
                        default=Path(__file__).resolve().parent.parent / "examples" / "provider-export.csv")
    parser.add_argument("--rows", type=int, default=300)
    args = parser.parse_args()
    write(args.path, args.rows)
    print(f"wrote {args.path}: {args.rows} rows and {BLANK_ROWS} of empty cells")


if __name__ == "__main__":
    main()
