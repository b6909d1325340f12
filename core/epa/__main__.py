"""The ``epa`` command (and ``python -m epa``): ``epa --version`` is answered here, before click and the command
line are imported (they take about three times as long as the interpreter itself to start); anything else runs
:func:`epa.cli.main`, with the cyclic garbage collector off while it starts (see :func:`main`)."""

from __future__ import annotations

import gc
import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        _print_version()
    # Starting allocates tens of thousands of objects that live until exit (modules, classes, the rules read from
    # the cache), and the collector scans them about 70 times over, finding almost nothing: a tenth of a one-record
    # command's time. It stays off for a command whose work is bounded by one record or the installed rules, and
    # is turned on again (epa.cli, as the command is chosen) for every other: a cohort, the service, the analyses.
    gc.disable()
    from epa.cli import main as run

    run()


def _print_version() -> None:
    """Print what ``epa --version`` prints through click, with the command line's exit codes: 0, or 0 when the
    reader has gone (``| head``); 3 when standard output is closed or cannot be written (a full disk)."""
    from epa import __version__, errors
    from epa.views import outputs

    outputs.stand_in_if_closed()
    try:
        try:
            outputs.write_stdout(f"epa, version {__version__}\n")
        except BrokenPipeError:
            outputs.reader_gone()
        outputs.flush_stdout()
    except errors.OutputError as exc:
        if sys.stderr is not None:  # (closed: None, where print would write to standard output)
            try:
                sys.stderr.write(f"error: {exc}\n")
                sys.stderr.flush()
            except OSError:  # standard error full too: the exit code says it alone
                pass
        sys.exit(errors.EXIT_OUTPUT)
    sys.exit(errors.EXIT_OK)


if __name__ == "__main__":
    main()
