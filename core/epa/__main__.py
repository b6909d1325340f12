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
    # Ctrl-C, SIGTERM and SIGHUP are epa's from here (epa.interrupts imports nothing costly), not from when the
    # command line has been imported: that takes a third of a second, and a signal meanwhile was Python's traceback
    # (SIGINT) or a silent death, exit 143 (SIGTERM), where README "Exit codes" promises one line and 130.
    from epa import interrupts

    interrupts.install()
    try:
        try:
            from epa.cli import main as run

            run()
        except KeyboardInterrupt:  # met before epa.cli.main's own handling starts, or after it ends: nothing is done
            _stopped()
    finally:  # (its exit code on its way: a signal as the interpreter exits changes nothing; see finished)
        interrupts.finished()


def _stopped() -> None:
    from epa import errors

    try:
        sys.stderr.write("interrupted: epa stopped before finishing; any output is incomplete\n")
        sys.stderr.flush()
    except (OSError, AttributeError):  # standard error full or closed (None): the exit code says it alone
        pass
    sys.exit(errors.EXIT_INTERRUPTED)


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
