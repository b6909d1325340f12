"""Start-up as a user meets it: `epa --version` and `epa compare` on one record, timed in a fresh virtual
environment with epa installed as the README says (`python -m venv`, then `pip install . ./plugins/*`, not
editable), each beside that environment's own bare interpreter (`python -c pass`) as a ratio, with the issue's
targets (3x and 10x) beside.

Why a fresh environment: the interpreter a developer runs may start slower than a user's (a site-packages
`.pth` file importing certifi at every start costs 26 ms here), which makes every ratio look better than a
user's. `epa compare` is timed with epa's cache warm (the usual case: an earlier run read and validated the
rules) and cold (EPA_NO_CACHE=1). Runs of every command are interleaved, so a machine whose speed drifts slows
them alike; the minimum and the median of the runs are shown, hyperfine-style. Beside the time each run took
(wall clock, what the targets are judged on) is the processor time it used (user + system, from the kernel's
count for the child): on a machine shared with other work the wall clock of a run waits its turn for a core,
its processor time much less, so that column says how much of a spread is the machine's.

Run:
    python bench/startup_bench.py                  # builds a venv in a temporary folder (about 15 s), then times
    python bench/startup_bench.py --venv DIR       # builds DIR once, reinstalls epa into it on later runs
    python bench/startup_bench.py --against REF    # the same, for the git commit REF too, side by side
    python bench/startup_bench.py --imports        # what each command imports, costliest first (-X importtime)

Beside the commands is the floor under the compare target: the interpreter importing only the libraries a warm
`epa compare` draws its table with (click, attrs, pluggy, PyYAML, msgspec, rich), none of epa's own code.

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = "examples/st0071-observation-distinction.yaml"
# What a warm `epa compare` cannot start without: the libraries it draws its table with (the design card names them),
# imported as the console script imports them, and nothing of epa's. Its ratio is the floor the target sits above.
LIBRARIES = "import re, click, attrs, pluggy, yaml, msgspec, rich.console, rich.table"
COMMANDS = [  # label, epa's arguments (None: the bare interpreter; "-c": the interpreter too), cold cache, target
    ("python -c pass (baseline)", None, False, None),
    ("epa --version", ["--version"], False, 3),
    ("epa compare (one record, cache warm)", ["compare", RECORD], False, 10),
    ("epa compare (one record, EPA_NO_CACHE=1)", ["compare", RECORD], True, None),
    ("compare's libraries alone (no epa code)", ["-c", LIBRARIES], False, None),
]


def install(venv: Path, project: Path) -> None:
    """Make `venv` (once) and install `project`'s core and bodies into it as a user would: not editable."""
    python = venv / "bin" / "python"
    packages = [".", *sorted(f"plugins/{p.name}" for p in (project / "plugins").iterdir() if p.is_dir())]
    if not python.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        options = []
    else:  # the dependencies are in place: only epa and its bodies, afresh, as this checkout has them
        options = ["--no-deps", "--force-reinstall"]
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", *options, *packages],
                   cwd=project, check=True, stdout=subprocess.DEVNULL)


def export(ref: str, into: Path) -> Path:
    """The files of commit `ref` (no .git), to install the code as it was."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


class Setup:
    """One installed epa: its venv, its own cache folder, and the command lines to time."""

    def __init__(self, name: str, venv: Path, cache: Path):
        self.name, self.venv, self.cache = name, venv, cache

    def command(self, arguments: list[str] | None) -> list[str]:
        bin_ = self.venv / "bin"
        if arguments is None:
            return [str(bin_ / "python"), "-c", "pass"]
        return [str(bin_ / "python"), *arguments] if arguments[0] == "-c" else [str(bin_ / "epa"), *arguments]

    def environment(self, cold: bool) -> dict[str, str]:
        # as a user's shell has it: no PYTHON* settings of this one (PYTHONDONTWRITEBYTECODE, PYTHONPATH, ...)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYTHON", "EPA_")) and k not in ("VIRTUAL_ENV", "COLUMNS")}
        env["EPA_CACHE_DIR"] = str(self.cache)
        if cold:
            env["EPA_NO_CACHE"] = "1"
        return env


def run_once(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """The run's wall-clock seconds and its processor seconds (user + system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    return seconds, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def measure(setups: list[Setup], runs: int) -> dict[tuple[str, str], list[tuple[float, float]]]:
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for setup in setups:  # prime each cache, and warm the file system for every command
        for _, arguments, cold, _ in COMMANDS:
            run_once(setup.command(arguments), setup.environment(cold))
    for _ in range(runs):
        for setup in setups:
            for label, arguments, cold, _ in COMMANDS:
                seconds = run_once(setup.command(arguments), setup.environment(cold))
                samples.setdefault((setup.name, label), []).append(seconds)
    return samples


def processor() -> str:
    """The CPU's model name where Linux says it, else the architecture."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            return next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        return platform.processor() or platform.machine()


def report(setups: list[Setup], samples: dict[tuple[str, str], list[tuple[float, float]]], runs: int) -> None:
    print(f"{processor()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end, "
          f"python {platform.python_version()}, {runs} runs each, interleaved; a fresh venv per epa")
    for setup in setups:
        print(f"\n{setup.name}: {setup.venv}")
        bare = [wall for wall, _ in samples[(setup.name, COMMANDS[0][0])]]
        bare_cpu = [cpu for _, cpu in samples[(setup.name, COMMANDS[0][0])]]
        print(f"  {'wall clock':<42} {'min':>8} {'median':>8}   ratio to the baseline (min, median)"
              f"{'':<27}processor time: min, median, ratio (median)")
        for label, _, _, target in COMMANDS:
            times = [wall for wall, _ in samples[(setup.name, label)]]
            cpu = [cpu for _, cpu in samples[(setup.name, label)]]
            low, mid = min(times), statistics.median(times)
            line = f"  {label:<42} {low * 1e3:6.1f}ms {mid * 1e3:6.1f}ms"
            if label != COMMANDS[0][0]:
                line += f"   {low / min(bare):5.1f}x {mid / statistics.median(bare):5.1f}x"
                met = "" if not target else "met" if mid / statistics.median(bare) <= target else "not met"
                line += f"   {f'target <= {target}x: {met}' if target else '':<24}"
            else:
                line += f"   {'':<38}"
            line += f"   {min(cpu) * 1e3:6.1f}ms {statistics.median(cpu) * 1e3:6.1f}ms"
            if label != COMMANDS[0][0]:
                line += f" {statistics.median(cpu) / statistics.median(bare_cpu):5.1f}x"
            print(line)


def imports(setup: Setup, top: int = 25) -> None:
    """Each command's imports by their own time (-X importtime), costliest first: what to defer."""
    for label, arguments, cold, _ in COMMANDS[1:]:
        if arguments is not None and arguments[0] == "-c":
            continue
        command = setup.command(arguments)
        command = [str(setup.venv / "bin" / "python"), "-X", "importtime", *command[:1], *command[1:]]
        done = subprocess.run(command, capture_output=True, text=True, env=setup.environment(cold), cwd=ROOT)
        rows = []
        for line in done.stderr.splitlines():
            if line.startswith("import time:") and "|" in line and "self [us]" not in line:
                own, cumulative, name = line[len("import time:"):].split("|")
                rows.append((int(own), int(cumulative), name.rstrip()))
        total = sum(own for own, _, _ in rows)
        print(f"\n{label}: {len(rows)} modules, {total / 1e3:.1f} ms importing (as -X importtime counts it)")
        for own, cumulative, name in sorted(rows, reverse=True)[:top]:
            print(f"  {own / 1e3:6.1f} ms own {cumulative / 1e3:6.1f} ms with its imports  {name}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20, help="runs per command (min and median shown)")
    parser.add_argument("--venv", type=Path, help="the venv to build once and reuse (default: a temporary one)")
    parser.add_argument("--against", metavar="REF", help="a git commit to install and time beside this checkout")
    parser.add_argument("--imports", action="store_true", help="list what each command imports")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="epa-startup-") as scratch:
        work = Path(scratch)
        setups = [Setup("this checkout", args.venv or work / "venv", work / "cache")]
        install(setups[0].venv, ROOT)
        if args.against:
            venv = args.venv.with_name(args.venv.name + "-against") if args.venv else work / "venv-against"
            install(venv, export(args.against, work / "against"))
            setups.append(Setup(f"commit {args.against}", venv, work / "cache-against"))
        samples = measure(setups, args.runs)
        report(setups, samples, args.runs)
        if args.imports:
            for setup in setups:
                print(f"\n== imports, {setup.name}")
                imports(setup)


if __name__ == "__main__":
    main()
