"""Start-up pays only for what a command uses (issue 18): `epa --version` is answered before click and the
command line are imported, with what click would print; the timings are bench/startup_bench.py's."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

from epa import errors

# Run as the console script runs it; report, on standard error, which of the costly modules were imported.
VERSION_RUN = """
import sys
sys.argv = ["epa", "--version"]
from epa.__main__ import main
try:
    main()
except SystemExit as exc:
    code = exc.code
print(code, sorted({"click", "epa.cli", "importlib.metadata", "rich", "yaml"} & set(sys.modules)), file=sys.stderr)
"""


def test_epa_version_imports_neither_click_nor_the_command_line() -> None:
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
