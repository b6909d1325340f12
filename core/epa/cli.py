"""The ``epa`` command line: every command prints a table for a person, or JSON with --format json."""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import os
import sys
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from epa import __version__, answers, errors, interrupts
from epa.errors import InputError, OutputError, PluginError, did_you_mean
from epa.views import outputs

# Start-up pays only for what a command uses: `epa --help` imports click and this module, nothing more (`epa
# --version` is answered before either, by epa.__main__).
# The heavy modules (rich, jsonschema, yaml, holidays, icalendar, the rules and the grading engine) are
# imported by the commands that need them, through the accessors below.
if TYPE_CHECKING:
    from rich.console import Console

    from epa.model.domain import Record, Standard
    from epa.model.results import BodyResult
    from epa.registry import Registry
    from epa.views import report, tables


class _LazyModule:
    """A module imported on first attribute access."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(import_module(self._name), attr)


if not TYPE_CHECKING:
    report = _LazyModule("epa.views.report")
    tables = _LazyModule("epa.views.tables")


def load_record(path: Path, registry: Registry, body: str | None = None) -> Record:
    """The record at ``path``; a cohort given in its place is sent to `epa compare --batch`, with ``--bodies`` for a
    command given one body (`epa grade --body B`)."""
    from epa.inputs.record import COMPARE, Cohorts, load_record

    return load_record(path, registry, Cohorts(f"epa --bodies {body} compare --batch") if body else COMPARE)


def write_ics(path: Path, record: Record, results: list[BodyResult]) -> int:
    from epa.views.ics import write

    return write(path, record, results)


def core_standards() -> tuple[Standard, ...]:
    from epa.registry import core_standards

    return core_standards()

FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                      show_default=True, help="table for a person, json for a program")


@functools.cache
def _console_class() -> type[Console]:
    from rich.console import Console

    class PipeSafeConsole(Console):
        def on_broken_pipe(self) -> None:  # rich's own handler would exit 1: the command says what it means
            self.quiet = True  # (as rich's: nothing more is printed)
            raise BrokenPipeError

        def print(self, *objects: Any, **options: Any) -> None:
            # A line of text with a word wider than the console is wrapped on its words, that word printed whole
            # (README "Tables fit the width"), not broken over two lines ('employer-confirms-re', 'ady') as rich
            # folds it; any other is rich's to wrap. (A table's cells are print_table's to fit.)
            from rich.cells import cell_len
            from rich.text import Text

            if len(objects) != 1 or not isinstance(objects[0], str | Text) or "overflow" in options:
                super().print(*objects, **options)
                return
            text = objects[0] if isinstance(objects[0], Text) else \
                self.render_str(objects[0], highlight=options.pop("highlight", None))
            if max((cell_len(word) for word in text.plain.split()), default=0) <= self.width:
                super().print(text, **options)
                return
            for line in text.split("\n"):
                for piece in tables.on_words(line, self.width):
                    super().print(piece, **options, overflow="ignore", crop=False)

    return PipeSafeConsole


def _Console(**options: Any) -> Console:  # a function, so that rich is imported only when a table is printed
    # No markup or emoji codes read in what is printed: a record's values, a plugin's words and a file's name are
    # shown as they are ("[/x]" in a cell would stop the command, ":thumbs_up:" would show as an emoji). The views
    # style text with rich's Text, never markup.
    console = _console_class()(markup=False, emoji=False, **options)
    console.push_render_hook(tables.TrimEveryLine())  # no line of any table ends in spaces, the summary's too
    return console


def _emit(fmt: str, data: Any, render: Callable[[Console], None], registry: Registry | None = None) -> None:
    """Print data as JSON, or render it as tables; ``registry``: the bodies already loaded, if any."""
    if fmt == "json":
        _echo(_dumps(data))
    else:
        titles = {}
        with contextlib.suppress(PluginError):  # citations in tables name the document by its short title
            titles = tables.document_titles(registry or _registry())
        with outputs.writing_stdout(), tables.citing(titles):
            render(_Console(soft_wrap=False, width=_width()))


def _listed(fmt: str, data: Any, render: Callable[[Console], None], registry: Registry) -> None:
    """A list of the bodies' things (bodies, plugins, ambiguities). With no body to list them from, an empty
    table would look like an answer: a person is told why on standard error instead (a program still reads
    ``[]``), and it is no failure: exit 0, a list with nothing in it (README, "Exit codes")."""
    if registry.bodies:
        _emit(fmt, data, render, registry)
        return
    if fmt == "json":
        _emit(fmt, data, render, registry)
    if _named() is None:
        _warn("note: no body is installed, so there is nothing to list\n"
              "  hint: install a body plugin with pip, or start one of your own with `epa plugin new`")
    else:
        _warn("note: --bodies (or EPA_BODIES) chooses no body, so there is nothing to list\n"
              "  hint: name an installed body, or leave --bodies out for every one")


def _dumps(data: Any) -> str:
    """What --format json prints. (json is imported here, not at every start: a table needs none of it.)"""
    import json

    return json.dumps(data, indent=2, ensure_ascii=False)


def _echo(text: str) -> None:
    """Print a line on standard output; OutputError (exit 3) when it is closed or cannot be written."""
    with outputs.writing_stdout():
        click.echo(text)


def _warn(text: str) -> None:
    """A note or an error on standard error, its control characters left out (``errors.printable``): it names
    files, columns and a plugin's words as they are."""
    click.echo(errors.printable(text), err=True)


def _width() -> int | None:
    """The table width: COLUMNS when set, else the terminal's width (None: rich measures it), else 80."""
    columns = os.environ.get("COLUMNS", "").strip()
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return None if sys.stdout.isatty() else 80


@functools.cache
def _load(only: tuple[str, ...] | None, keep_going: bool = False) -> Registry:
    # Installed plugins do not change while a process runs; loading them (about 60 ms) once is enough
    # even when main() runs many times in one process, as in the tests.
    from epa.registry import Registry

    return Registry.installed(only, keep_going=keep_going)


def _named() -> tuple[str, ...] | None:
    """The bodies --bodies (or EPA_BODIES) names, as the user wrote them: ids, names or acronyms."""
    ctx = click.get_current_context(silent=True)
    chosen = (ctx.find_root().params.get("bodies") if ctx else None) or os.environ.get("EPA_BODIES", "").strip()
    return tuple(chosen.split(",")) if chosen else None


def _chosen() -> tuple[str, ...] | None:
    """The ids of the bodies --bodies (or EPA_BODIES) names (for a batch's workers), or None: every one."""
    return None if _named() is None else tuple(b.body.id for b in _registry().bodies)


def _registry() -> Registry:
    """The bodies this run uses: every installed one, or those --bodies (or EPA_BODIES) names."""
    return _load(_named())


class _ReadsArguments(click.Command):
    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        # --help and --version print while the arguments are read: a full disk there is exit 3 too, and a reader
        # gone exit 0 (click's main would make it 1)
        try:
            with outputs.writing_stdout():
                return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            outputs.reader_gone()


# The commands whose work is bounded by one record or the installed rules: for these the collector epa.__main__
# turned off stays off to the end (see there); any other command turns it on as it is chosen, and so does
# `compare --batch`. A command added later collects garbage as usual unless it is named here.
BOUNDED = frozenset({"compare", "grade", "gateway", "timeline", "bodies", "standards", "criteria", "ambiguities",
                     "journey", "diff", "plugins"})


class _Group(_ReadsArguments, click.Group):
    command_class = _ReadsArguments
    group_class = type  # a group inside it (`epa plugin`) is one of these too

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                          list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if name not in BOUNDED:
            gc.enable()
        return name, command, rest

    def invoke(self, ctx: click.Context) -> Any:
        # click's own main() turns a closed pipe into exit 1, and Ctrl-C into a blank line and Abort, before ours
        # can see them: catch them first
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            outputs.reader_gone()
        except KeyboardInterrupt as exc:
            raise SystemExit(_interrupted(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="epa")  # as epa.__main__ prints it
@click.option("--bodies", metavar="ID,ID", help="load only these installed bodies, each by id, name or acronym "
              "(default: EPA_BODIES, else all)")
@click.option("--hook-timeout", type=click.FloatRange(min=0, max=86400), envvar="EPA_HOOK_TIMEOUT", metavar="SECONDS",
              help="a plugin's hook that runs longer fails, naming plugin and hook (default: EPA_HOOK_TIMEOUT, "
                   "else 10; 0: no limit)")
def cli(bodies: str | None, hook_timeout: float | None) -> None:
    """Compare what each awarding body's End-Point Assessment rules would award an apprentice, and why;
    whether the apprentice is ready for gateway; and every deadline, resit window and grade cap that follows.

    Every rule is encoded from the body's published document and cites it as
    '<file> § <section>' (tables name the document by its short title and version instead;
    JSON gives each cited file's title and version in `documents`). A body may be named by
    its id, name or acronym (`--body TQUK`).
    """
    from epa import fence

    fence.set_time_limit(hook_timeout)


@cli.command()
@FORMAT
def bodies(fmt: str) -> None:
    """List the installed awarding bodies, their standards and document versions."""
    registry = _registry()
    data = report.bodies(registry)
    _listed(fmt, data, lambda c: tables.bodies(c, data), registry)


@cli.command()
@FORMAT
def standards(fmt: str) -> None:
    """List every defined standard (the core's and any a plugin adds): its methods and the bodies offering it."""
    data = report.standards(_registry())
    _emit(fmt, data, lambda c: tables.standards(c, data))


@cli.command()
@click.option("--standard", required=True, help="e.g. ST0071")
@click.option("--body", help="one body's catalogue; without it, every body side by side")
@click.option("--version", "version", help="with --body: a document version (default: the newest)")
@FORMAT
def criteria(standard: str, body: str | None, version: str | None, fmt: str) -> None:
    """List the grading criteria of a standard: each with its method, level, words and citation."""
    if version and not body:
        raise click.UsageError("--version names a version of one body's document: give --body too")
    data = answers.criteria(_registry(), standard, body, version)
    _emit(fmt, data, lambda c: tables.criteria(c, data, per_body=body is not None))


@cli.command()
@click.option("--body", help="only this body's")
@FORMAT
def ambiguities(body: str | None, fmt: str) -> None:
    """List where the documents are ambiguous, garbled or contradictory, and the reading encoded."""
    registry = _registry()
    data = report.ambiguities(registry, body)
    _listed(fmt, data, lambda c: tables.ambiguities(c, data), registry)


@cli.command()
@click.option("--body", required=True, help="the awarding body: its id, name or acronym (see `epa bodies`)")
@click.option("--from", "from_version", required=True, metavar="VERSION", help="the older document version")
@click.option("--to", "to_version", required=True, metavar="VERSION", help="the newer document version")
@click.option("--standard", help="e.g. ST0071 (default: the body's one standard)")
@FORMAT
def diff(body: str, from_version: str, to_version: str, standard: str | None, fmt: str) -> None:
    """List what changed between two versions of one body's document: criteria added, removed, moved or
    reworded, combination rows, grading rules, methods, ambiguities and the document's own details, each
    cited, with the changes a version file declares (and the document's words for them)."""
    data = answers.diff(_registry(), body, from_version, to_version, standard)
    _emit(fmt, data, lambda c: tables.diff(c, data))


def _graded(record: Path, body: str | None) -> tuple[Record, list[BodyResult]]:
    """Load a record and grade it by one body (checked to offer its standard) or every body that offers it."""
    registry = _registry()
    named = registry.named(body).body.id if body else None  # an unknown body is refused before the record is read
    rec = load_record(record, registry, named)
    return rec, answers.graded(registry, rec, body, str(record))


def _name(record: Path) -> str:
    return "<stdin>" if str(record) == "-" else str(record)  # `-`: stdin


def _about(rec: Record, record: Path) -> dict[str, Any]:
    return answers.about(rec, _name(record))


RECORD = click.argument("record", type=click.Path(path_type=Path))


def _output_file(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """A file the command will write: refused before any work when it cannot be (exit 3), not after. ``-`` is
    refused (exit 2): as a record ``-`` is standard input and ``--summary`` with no file standard output, so a file
    named ``-`` written in its place would be a surprise; its whole path names that file."""
    if value is not None and str(value) == "-":
        raise click.BadParameter("'-' would write a file named '-': the output goes to standard output when the "
                                 "option is left out (to write a file named '-', give its whole path, as \"$PWD/-\")")
    if value is not None:
        outputs.check_file(value)
        if (ctx.info_name, param.name) not in BESIDE_NOTHING_PRINTED:
            _not_stdout(value, f"--{(param.name or '').replace('_', '-')}")
    return value


# The files that may be the one standard output is sent to: serve's decision log is appended to, never replaced, and
# consistency prints nothing on standard output when it writes --out (`--out /dev/stdout > report.html`).
BESIDE_NOTHING_PRINTED = {("serve", "decision_log"), ("consistency", "out")}


def _not_stdout(written: Path, option: str) -> None:
    """A file the command replaces whole that is the regular file standard output is sent to (``--summary s.txt >
    s.txt``, ``--out /dev/stdout > rows.csv``) is a usage error: put in place, it would take the file's name from
    what was printed there, which would be lost without a word (the rows of ``--format json --summary``, the
    summary's table after ``--out``, timeline's table beside ``--ics``). (A terminal or a pipe is written to in
    place, as the output comes: README "A device or a pipe".)"""
    import stat

    try:
        printed, named = os.fstat(sys.stdout.fileno()), os.stat(written)
    except (OSError, ValueError, AttributeError):  # not there yet, closed, or no descriptor (a test's stream)
        return
    if stat.S_ISREG(printed.st_mode) and (printed.st_dev, printed.st_ino) == (named.st_dev, named.st_ino):
        raise click.UsageError(f"{option} {written} is the file standard output is sent to: written in its place, "
                               "it would replace what is printed there; give another file, or send standard "
                               "output elsewhere")


SHOWN = ("deadlines", "gateway", "criteria", "checks")


def _show(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    """--show deadlines,gateway,...: validated, each with a did-you-mean; 'all' is every one."""
    chosen = [v.strip() for v in (value or "").split(",") if v.strip()]
    for v in chosen:
        if v not in (*SHOWN, "all"):
            hint = did_you_mean(v, [*SHOWN, "all"])
            raise click.BadParameter(f"{v!r} is not one of {', '.join(SHOWN)}, all" + (f" ({hint})" if hint else ""))
    return SHOWN if "all" in chosen else tuple(v for v in SHOWN if v in chosen)


SHOW = click.option("--show", callback=_show, metavar="WHAT,WHAT",
                    help="table format: also show deadlines, gateway (each requirement), criteria (met and "
                         "missing per method), checks (durations and word counts), or all")
# What each status word in the tables means (README, "Status words"); the help of every command that shows them.
STATUS_HELP = """\b
Status words in the tables:
  met             the record shows the requirement met, or the deadline kept
  unmet           the record shows a gateway requirement not met
  unknown         the record holds no evidence either way (a check: its
                  limit needs a duration the record lacks)
  deferred        the document defers the requirement to someone else
                  (e.g. the funding rules)
  not applicable  the requirement does not apply to this apprentice
                  (JSON: not_applicable)
  open            the record does not show the deadline's event yet;
                  when its date has passed the table says so
  missed          the record shows the event after the deadline
  within          a recorded duration or word count inside the tolerance
  outside         a recorded duration or word count outside it
  no tolerance stated
                  the document gives a figure and no tolerance: the value
                  is shown beside it (JSON: no_tolerance_stated)
  (advice)        the rule is advice ('should'): never a failure
  must, should, optional
                  how strongly the document asks for a gateway requirement
  gateway ready   no mandatory gateway requirement is shown unmet
  gateway unknown compare's table: how many gateway requirements the record
                  holds no evidence for (--show gateway lists them)
  capped at pass  a resit or retake caps the overall grade at pass (or,
                  where the document caps the resit's own grade, that
                  method's grade: the combination then decides)
  whole EPA again a window with a full-retake consequence was missed
  ≠               the bodies differ on this row
"""
ONE_BODY = click.option("--body", help="only this body, by id, name or acronym (see `epa bodies`); without it, "
                                       "every body side by side")


@cli.command(epilog=STATUS_HELP)
@click.option("--body", required=True, help="the awarding body: its id, name or acronym (see `epa bodies`)")
@RECORD
@SHOW
@FORMAT
def grade(body: str, record: Path, show: tuple[str, ...], fmt: str) -> None:
    """Grade an apprentice RECORD (YAML or JSON; - reads standard input) by one body's rules: the grade, why,
    and the gateway, resit and deadline answers around it (their detail with --show)."""
    rec, (res,) = _graded(record, body)
    data = report.result(res) if fmt == "json" else None  # (a table is drawn from the result itself)
    _emit(fmt, data, lambda c: tables.result(c, res, _about(rec, record), show))


BATCH_HELP = """\b
A cohort, with --batch FILE (.jsonl, .csv, or .xlsx: an Excel workbook's
visible worksheet, or --sheet NAME of several, read as CSV) or --batch -
(standard input: a workbook by its first bytes; else JSON Lines when the
first non-blank line starts with '{', else CSV): each
record is graded by every body offering its standard and written as it is
graded, in input order. --format json: one JSON line per record (the result
with its line, or {"line": N, "error": {"message", "path", "hint"}});
--format csv: one row per record and body, a column per method of the
standards the cohort holds; --format table (the default): the summary
only (--out FILE: the rows to FILE, the summary on screen). CSV rows and
the summary need only the decisions and come from rules compiled once
per run; JSON explains every record, so it is many times slower. A bad
record becomes an error row and the run goes on, as does a record a
plugin (or epa) fails on; the exit code is 0 when every record was graded,
2 when any was rejected, 1 when a plugin or epa failed on any, 3 when an
output could not be written (the run stops), 130 when interrupted (Ctrl-C,
SIGTERM or SIGHUP).

\b
CSV columns (a header row names them; an empty cell says nothing; names
are matched after folding case, spaces, punctuation and _, and the names
MIS exports use are read too: Apprentice ID, Learner Ref, ULN, DOB, Gateway
Date, Photo ID, ... (README "CSV columns")):
  standard, apprentice (the id), date_of_birth, start_date, english, maths,
  ehcp, bsl; gateway_date and the other gateway fields by name:
  portfolio_pieces, project_proposal_words, photo_id, gateway_form,
  portfolio, project_proposal, portfolio_declaration,
  english_maths_declaration; the journey dates by name: registered,
  evidence_submitted, epa_start, planning_meeting, proposal_rejected,
  proposal_resubmitted, portfolio_submitted, project_report_submitted,
  observation_notice; per method M (e.g. observation): M, a component
  grade (fail|pass|distinction), or M_criteria, the criteria met separated
  by ';'; and M_date, the attempt's date (a date alone: booked).
Any other column is named on stderr and not read (--strict: an error);
--column "NAME=FIELD" reads it, --column "NAME=" leaves it out. Dates are
ISO or day first (08/12/2025, 8/12/25), never month first; grades, levels
(Level 2, L2) and yes/no in any case. A row of empty cells is no record.
"""


@cli.command(epilog=BATCH_HELP + "\n" + STATUS_HELP)
@click.argument("record", type=click.Path(path_type=Path), required=False)
@SHOW
@click.option("--batch", "batch_file", metavar="FILE|-", help="grade a cohort: JSON Lines, CSV or .xlsx (see below)")
@click.option("--sheet", metavar="NAME",
              help="with --batch FILE.xlsx: the worksheet to read (needed when more than one is visible)")
@click.option("--summary", "summary_to", is_flag=False, flag_value="-", metavar="[FILE]",
              help="with --batch: the summary too; alone: --format json ends with a {\"summary\": ...} line, "
                   "--format csv prints the table on stderr; FILE: write it there (.json: JSON, else the table)")
@click.option("--summary-only", is_flag=True, help="with --batch: print only the summary")
@click.option("--out", type=click.Path(path_type=Path), callback=_output_file, metavar="FILE",
              help="with --batch: write the rows (--format csv or json, else by the suffix: .csv, .jsonl) to this "
                   "file, the table summary to stdout")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="with --batch: grade in N processes (same output, byte for byte)")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="table for a person, json for a program; csv with --batch")
@click.option("--column", "column_pairs", multiple=True, metavar='"NAME=FIELD"',
              help="with a CSV or .xlsx --batch: read column NAME as FIELD (NAME= leaves it out); repeatable")
@click.option("--columns", "columns_file", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="with a CSV or .xlsx --batch: a YAML map of column names to fields (Learner Ref: apprentice)")
@click.option("--strict", is_flag=True, help="with a CSV or .xlsx --batch: a column epa does not read is an error")
def compare(record: Path | None, show: tuple[str, ...], batch_file: str | None, summary_to: str | None,
            summary_only: bool, out: Path | None, workers: int, fmt: str, column_pairs: tuple[str, ...],
            columns_file: Path | None, strict: bool, sheet: str | None) -> None:
    """Grade an apprentice RECORD (- reads standard input) by every body that offers its standard, side by
    side; or a cohort of
    records with --batch, with a summary of how often the bodies agree."""
    if show and (batch_file is not None or record is None):
        raise click.UsageError("--show goes with one RECORD, not --batch")
    if batch_file is not None or record is None:
        _compare_batch(record, batch_file, Rows.chosen(fmt, out, summary_to, summary_only), workers, column_pairs,
                       columns_file, strict, sheet)
        return
    if (fmt == "csv" or summary_to or summary_only or out or workers != 1 or column_pairs or columns_file or strict
            or sheet is not None):
        raise click.UsageError("--format csv, --summary, --summary-only, --out, --workers, --column, --columns, "
                               "--strict and --sheet go with --batch")
    rec, results = _graded(record, None)
    # A table is drawn from the results themselves: their JSON (cattrs) is made only for --format json.
    data = answers.compare(rec, results, _name(record), _registry()) if fmt == "json" else \
        {**_about(rec, record), **answers.differences(rec, results, _registry())}
    _emit(fmt, data, lambda c: tables.compare(c, results, data["differences"], data, show))


class Rows:
    """Where `compare --batch` writes what: the rows' format ("csv", "json", or "table": none), the rows' file (None:
    standard output), the summary's file, and whether the summary goes with the output as well."""

    def __init__(self, fmt: str, out: Path | None, summary_file: Path | None, summary: bool, summary_only: bool):
        self.fmt, self.out, self.summary_file, self.summary, self.summary_only = \
            fmt, out, summary_file, summary, summary_only

    @classmethod
    def chosen(cls, fmt: str, out: Path | None, summary_to: str | None, summary_only: bool) -> Rows:
        """The options as given, checked: refused (a usage error) where they ask for two things at once."""
        if summary_only and (fmt == "csv" or out):
            raise click.UsageError("--summary-only prints the summary alone, a table or JSON: not with --format csv "
                                   "or --out (use --summary FILE beside the rows)")
        if out is not None and fmt == "table":
            kinds = {".csv": "csv", ".jsonl": "json", ".ndjson": "json"}
            if out.suffix.lower() not in kinds:
                raise click.UsageError(f"--out {out}: name it .csv or .jsonl, or give --format csv or --format json, "
                                       "to say which rows to write")
            fmt = kinds[out.suffix.lower()]
        summary_file = None if summary_to in (None, "-") else Path(summary_to)
        if summary_file is not None:
            outputs.check_file(summary_file)
            _not_stdout(summary_file, "--summary")
        if summary_file is not None and out is not None and _same_file(summary_file, out):
            raise click.UsageError(f"--out and --summary both name {out}: give them different files")
        return cls(fmt, out, summary_file, summary_to == "-", summary_only)

    def table_to(self) -> str | None:
        """Where the summary's table is printed: "stdout", "stderr" (CSV rows hold stdout), or None."""
        if self.fmt == "table" or self.out is not None or (self.summary_only and self.fmt != "json"):
            return "stdout"
        return "stderr" if self.summary and self.fmt == "csv" else None

    def rows_in(self) -> str | None:
        """Where the table says each rejected record's error row is (None: nowhere yet)."""
        if self.fmt == "table" or self.summary_only:
            return None
        return str(self.out) if self.out is not None else "the rows on standard output"


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: by its path, links followed, or (a hard link) by the file itself."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them is not there (yet)
        return False


def _in_place(out: Path) -> bool:
    """Whether ``--out`` names what is written to in place as the rows come (a device, a pipe: see
    outputs.streaming_file), not a file replaced whole at the end, so that an interruption leaves what was written."""
    import stat

    try:
        return not stat.S_ISREG(os.stat(out).st_mode)
    except OSError:  # nothing there yet: a file
        return False


def _replaced(out: Path | None) -> bool:
    """Whether ``--out`` names a file replaced whole at the end (left as it was by a failure), not written in place."""
    return out is not None and not _in_place(out)


def _left(count: int, items: str, verb: str, out: Path | None, rows_unwritten: bool, line: int, source: str,
          closing: str, closing_file: Path | None = None) -> str:
    """What a cohort command (``compare --batch``, ``audit``) stopped after ``count`` ``items`` left written: a file
    replaced whole at the end (``--out``) is left as it was; rows written as they came (standard output, or an
    ``--out`` written in place) are whole up to the last counted, which ended at ``line`` of ``source``; the
    ``closing`` part (the summary, the table) never: named where it has a file of its own (``closing_file``, left as
    it was). A write the signal cut short may have put out part of the next items' output too, so only the counted
    ones are said to be whole."""
    unwritten = _unwritten(closing, closing_file)
    if out is not None and not _in_place(out):
        return f"{count} {items} {verb}, nothing written to {out} (left as it was), {unwritten}"
    if rows_unwritten:
        return f"{count} {items} {verb}, {unwritten}"
    # (none counted: part of the first's output may be out, cut short, so none is said to be whole)
    whole = f"the first {count} {items}' output is written in full" if count else \
        f"no {items[:-1]}'s output is known to be written in full"
    return whole + (f" to {out}" if out is not None else "") + (f" (to line {line} of {source})" if count else "") + \
        (f", {unwritten}" if out is not None or closing_file is not None else "")


def _unwritten(closing: str, closing_file: Path | None) -> str:
    """The ``closing`` part (the summary, the table) said not written; its file, where it has one, left as it was."""
    return f"no {closing} written" + (f" to {closing_file} (left as it was)" if closing_file is not None else "")


def _not_put_in_place(exc: OutputError, done: bool, out: Path | None, said: str, closing: str) -> NoReturn:
    """``exc`` re-raised, saying what the user has where it is the ``--out`` file failing to be put in place once
    the work was ``done`` (its last buffer written, synced or renamed: a disk full at the end, the folder gone): the
    old file left as it was, and what else was not written (``closing``), as a failure part way says."""
    if done and out is not None and exc.output == str(out) and _replaced(out):
        raise OutputError(exc.output, f"{exc.reason}; {said}, nothing written to {out} (left as it was), {closing}; "
                                      "the output is incomplete") from None
    raise exc


def _not_read(written: Path | None, option: str, read: str | Path | None, what: str) -> None:
    """A file the command writes that names a file it reads (which the output would replace) is a usage error: by
    its path, or (``read`` "-") as the file standard input is (``--out cohort.csv < cohort.csv``, ``--out
    /dev/stdin``)."""
    if written is None or read is None:
        return
    if str(read) == "-":
        if _standard_input_is(written):
            raise click.UsageError(f"{option} {written} is {what} (standard input): give another file")
    elif _same_file(written, Path(read)):
        raise click.UsageError(f"{option} {written} is {what}: give another file")


def _standard_input_is(path: Path) -> bool:
    """Whether standard input is the regular file ``path`` names (links followed)."""
    import stat

    try:
        given, named = os.fstat(sys.stdin.fileno()), os.stat(path)
    except (OSError, ValueError, AttributeError):  # not there yet, closed, or no descriptor (a test's stream)
        return False
    return stat.S_ISREG(given.st_mode) and (given.st_dev, given.st_ino) == (named.st_dev, named.st_ino)


def _stdout_not_read(read: str | None, what: str) -> None:
    """Standard output that is the file being read (``epa … cohort.csv >> cohort.csv``) is a usage error: each row
    written would be read back as another record, the file growing without end (as ``cat f >> f`` would, which cat
    refuses), and with ``>`` the shell has emptied it already."""
    import stat

    if read is None:
        return
    try:
        written = os.fstat(sys.stdout.fileno())
        given = os.fstat(sys.stdin.fileno()) if read == "-" else os.stat(read)
    except (OSError, ValueError, AttributeError):  # no such file (refused as input later), or no descriptor
        return
    if stat.S_ISREG(written.st_mode) and (written.st_dev, written.st_ino) == (given.st_dev, given.st_ino):
        # (with >, the user's file is gone before epa starts: said, lest it be read again as it was)
        emptied = "; it is empty now (a shell's > empties a file before the command starts)" if not given.st_size \
            else ""
        raise click.UsageError(f"standard output is {what}: send it to another file (or use --out FILE){emptied}")


def _redrawn(stream: Any) -> bool:
    """Whether a progress bar can be drawn on ``stream``: a terminal that can redraw a line (TERM=dumb cannot: rich
    draws nothing there, and left a blank line where the bar was)."""
    return stream.isatty() and os.environ.get("TERM", "").lower() != "dumb"


def _rows_on_screen(rows: Rows) -> bool:
    """Whether the cohort's rows are written to a terminal: a bar redrawn there would be drawn over them (rows are
    written as bytes, under anything a bar does to the text stream)."""
    return rows.fmt != "table" and rows.out is None and not rows.summary_only and sys.stdout.isatty()


def _compare_batch(record: Path | None, batch_file: str | None, rows: Rows, workers: int,
                   column_pairs: tuple[str, ...] = (), columns_file: Path | None = None, strict: bool = False,
                   sheet: str | None = None) -> None:
    from epa.batch import cohort as batch
    from epa.inputs.cohort_input import column_map

    gc.enable()  # a cohort's work grows with it: the collector runs (see BOUNDED)
    if record is not None or batch_file is None:
        raise click.UsageError("give a RECORD, or a cohort with --batch FILE|-, not both" if record
                               else "missing a RECORD (or a cohort: --batch FILE|-)")
    for given, option in ((rows.out, "--out"), (rows.summary_file, "--summary")):
        _not_read(given, option, batch_file, "the cohort being read")
        _not_read(given, option, columns_file, "the column map being read")
    _stdout_not_read(batch_file, "the cohort being read")
    from epa.errors import EXIT_FAILURE, EXIT_INTERRUPTED

    mapped = column_map(columns_file, column_pairs, strict)
    headers = []

    def heard(header: Any) -> None:  # the CSV header, read: its columns not read are named once, before any row
        headers.append(header)
        for note in header.notes():
            _warn(f"note: {batch_file}: {note}")
        if header.ignored and strict:  # (only columns without a name: see strict_columns)
            _warn("  hint: a column without a name cannot be mapped: --strict refuses a row holding a value in one")
        elif header.ignored:
            _warn('  hint: read one with --column "NAME=FIELD", leave it out with --column "NAME="; --strict '
                       "refuses a cohort with columns epa does not read")

    graded = False
    try:
        with contextlib.ExitStack() as files:
            to_file = files.enter_context(outputs.streaming_file(rows.out)) if rows.out else None
            data = batch.run(batch_file, rows.fmt, summary=rows.summary and rows.summary_file is None,
                             summary_only=rows.summary_only, workers=workers, only=_chosen(), registry=_registry(),
                             write=to_file or outputs.write_stdout,
                             write_bytes=to_file or outputs.write_stdout_bytes,  # (JSON lines, as bytes)
                             progress=_redrawn(sys.stderr) and not _rows_on_screen(rows), column_map=mapped,
                             on_header=heard, sheet=sheet,
                             on_duplicates=lambda said: _warn(f"note: {batch_file}: {said}"))
            graded = True
    except batch.ReaderGone as exc:  # (`| head`): the records graded by then say the exit code
        if exc.code or rows.summary_file is not None:
            failed = f", {exc.failed} failed in a plugin or epa" if exc.failed else ""
            unwritten = f"; no summary written to {rows.summary_file}" if rows.summary_file is not None else ""
            _warn(f"note: standard output's reader stopped reading: {exc.records} records graded by then (to line "
                  f"{exc.line} of the cohort), {exc.rejected} of them rejected{failed}; any after them were not"
                  f"{unwritten}")
        outputs.reader_gone(exc.code)
    except (batch.Interrupted, batch.WorkerDied) as exc:
        # What was written is out; a closed or full stdout is not news here, nor a reader gone (a Ctrl-C to `| head`
        # reaches both): flush_stdout points it at devnull then, so that Python's own flush at exit cannot fail too.
        with contextlib.suppress(OutputError, ValueError):
            outputs.flush_stdout()
        stopped = "interrupted" if isinstance(exc, batch.Interrupted) else f"error: {exc.reason}"
        done = _left(exc.records, "records", "graded", rows.out, rows.fmt == "table" or rows.summary_only, exc.line,
                     "the cohort", "summary", rows.summary_file)
        held = getattr(exc, "failed", None)  # a write that failed as the signal was held
        _warn(f"{stopped}: {done}; the output is incomplete" + (f" (and {held})" if held else ""))
        raise SystemExit(EXIT_INTERRUPTED if isinstance(exc, batch.Interrupted) else EXIT_FAILURE) from None
    except errors.OutputCutShort as exc:
        # A file replaced whole at the end has none of the output: how many were graded is said (the chunk whose
        # write failed too); rows written as they came are whole up to the last counted (a first chunk's write cut
        # short: some of it may be out, none known whole).
        no_rows = rows.fmt == "table" or rows.summary_only
        if _replaced(rows.out) or exc.done:
            done = _left(exc.graded if _replaced(rows.out) else exc.done, "records", "graded", rows.out, no_rows,
                         exc.line, "the cohort", "summary", rows.summary_file)
        elif exc.graded:  # (none whole: where that is, and the summary's file, said as an interruption says them)
            done = f"{exc.graded} records graded, " + _left(0, "records", "graded", rows.out, no_rows, 0,
                                                            "the cohort", "summary", rows.summary_file)
        else:  # the CSV's header row, written before the first record is graded ("0 records graded" alone read as
            # a cohort of none, and named neither the output nor the summary left as it was)
            done = "no record graded: the CSV's header row, written before the first, could not be written" + \
                (f" to {rows.out}" if rows.out is not None else "") + \
                (f", {_unwritten('summary', rows.summary_file)}" if rows.out or rows.summary_file else "")
        raise OutputError(exc.output, f"{exc.reason}; {done}; the output is incomplete") from None
    except OutputError as exc:
        _not_put_in_place(exc, graded, rows.out, "every record was graded",
                          f"no summary written to {rows.summary_file} (left as it was)"
                          if rows.summary_file is not None else "no summary written")
    except outputs.FileInterrupted as exc:  # every record graded, as the rows' file was put in place
        summary = f"no summary written to {rows.summary_file} (left as it was)" if rows.summary_file is not None \
            else "no summary written"
        done = f"every record's output is written in full to {exc.output}; {summary}" if exc.whole else \
            f"every record was graded, nothing written to {exc.output} (left as it was), {summary}"
        _warn(f"interrupted: {done}; the output is incomplete")
        raise SystemExit(EXIT_INTERRUPTED) from None
    summary_written = False
    try:
        if rows.summary_file is not None:
            try:
                _write_summary(rows.summary_file, data, batch_file, rows.rows_in())
                summary_written = True
            except OutputError as exc:
                if rows.rows_in() is None:  # no rows: the summary was all there was to write
                    raise
                # The rows are out already: said, lest the user take the whole cohort for lost and grade it again.
                raise OutputError(exc.output, f"{exc.reason} (every record's output is written in full to "
                                              f"{rows.rows_in()}; only the summary is missing)") from None
        try:
            if rows.table_to() == "stdout":
                _emit("table", data, lambda c: batch.render_summary(c, data, batch_file, rows.rows_in()))
            outputs.flush_stdout()
        except BrokenPipeError:  # (`| head`): every record was graded, and the exit code says so
            outputs.reader_gone(batch.exit_code(data))
        except OutputError as exc:
            if rows.out is None and summary_written:  # (said, lest the user take the whole cohort for lost)
                raise OutputError(exc.output, f"{exc.reason} (every record was graded, the summary written in full "
                                              f"to {rows.summary_file}; only its table is missing)") from None
            if rows.out is None or exc.output == str(rows.out):
                raise
            # The rows' file is in place: said, lest the user take the whole cohort for lost and grade it again.
            written = f"every record's output is written in full to {rows.out}" + \
                (f", the summary to {rows.summary_file}" if summary_written else "")
            raise OutputError(exc.output, f"{exc.reason} ({written}; only the summary's table is missing)") from None
        if rows.table_to() == "stderr":
            # The rows are written: a standard error that cannot take the summary loses only it (exit 3: see main)
            with contextlib.suppress(OSError):
                batch.render_summary(_Console(stderr=True, soft_wrap=False, width=_width()), data, batch_file,
                                     rows.rows_in())
    except KeyboardInterrupt as exc:
        _warn(f"interrupted: {_summary_interrupted(rows, exc, summary_written)}")
        raise SystemExit(EXIT_INTERRUPTED) from None
    if not headers and (column_pairs or columns_file or strict):
        _warn(f"note: {batch_file} is not CSV: --column, --columns and --strict name CSV columns, and were not "
                   "used")
    note = batch.failure_note(data)
    if note:
        _warn(f"error: {note}")
    if batch.exit_code(data):
        raise SystemExit(batch.exit_code(data))


def _summary_interrupted(rows: Rows, stop: KeyboardInterrupt, summary_written: bool) -> str:
    """What a cohort's outputs hold where Ctrl-C or SIGTERM came after every record was graded and written: as the
    summary's file was put in place (``stop`` a FileInterrupted: written in full or left as it was; its table, printed
    after it, not begun), or after it (``summary_written``), as its table was printed."""
    said = [f"every record's output is written in full to {rows.out or outputs.STDOUT}" if rows.rows_in() else
            "every record was graded"]
    table = rows.table_to()
    if isinstance(stop, outputs.FileInterrupted):
        said.append(f"the summary is written in full to {stop.output}" if stop.whole else
                    f"no summary written to {stop.output} (left as it was)")
        complete = stop.whole and table is None
    else:
        if summary_written:
            said.append(f"the summary is written in full to {rows.summary_file}")
        if table is not None:
            said.append(f"the summary's table on {outputs.STDOUT if table == 'stdout' else 'standard error'} may "
                        "be cut short")
        complete = table is None
    return "; ".join(said) + ("" if complete else "; the output is incomplete")


SUMMARY_WIDTH = 100  # the columns of a summary's table written to a file


def _write_summary(path: Path, data: dict[str, Any], source: str, rows_in: str | None) -> None:
    """The summary, to its own file: JSON (as the last line of --format json --summary) when it is named .json, else
    the table as text."""
    from epa.batch import cohort as batch

    if path.suffix.lower() == ".json":
        text = _dumps({"summary": data})
    else:
        written = io.StringIO()
        batch.render_summary(_Console(soft_wrap=False, width=SUMMARY_WIDTH, file=written, color_system=None), data,
                             source, rows_in)
        text = "\n".join(line.rstrip() for line in written.getvalue().splitlines())
    outputs.write_file(path, (text + "\n").encode("utf-8"))


@cli.command(epilog=STATUS_HELP)
@ONE_BODY
@RECORD
@FORMAT
def gateway(body: str | None, record: Path, fmt: str) -> None:
    """Is the apprentice in RECORD ready for gateway? Each body's requirements: met, unmet or unknown."""
    rec, results = _graded(record, body)
    data = answers.gateway(rec, results, _name(record)) if fmt == "json" else _about(rec, record)  # as compare's
    _emit(fmt, data, lambda c: tables.gateway(c, results, data))


@cli.command(epilog=STATUS_HELP)
@ONE_BODY
@click.option("--ics", type=click.Path(path_type=Path), callback=_output_file,
              help="also write the dated deadlines to this iCalendar file")
@RECORD
@FORMAT
def timeline(body: str | None, ics: Path | None, record: Path, fmt: str) -> None:
    """Every deadline each body's document sets for RECORD (EPA window, notice, submissions, results,
    resit, retake and rework), kept or missed, and recorded durations and word counts against tolerances."""
    _not_read(ics, "--ics", record, "the record being read")
    rec, results = _graded(record, body)
    data = answers.timeline(rec, results, _name(record)) if fmt == "json" else _about(rec, record)  # as compare's
    if not ics:
        _emit(fmt, data, lambda c: tables.timeline(c, results, data))
        return
    count = write_ics(ics, rec, results)  # first: the calendar does not depend on standard output
    try:
        _emit(fmt, data, lambda c: tables.timeline(c, results, data))
    finally:  # said even when standard output fails or its reader has gone
        _warn(f"wrote {count} deadlines to {ics}")


@cli.command()
@click.option("--standard", required=True, help="e.g. ST0071")
@click.option("--body", help="one body's; without it, every body that offers the standard")
@FORMAT
def journey(standard: str, body: str | None, fmt: str) -> None:
    """List each body's journey rules for a standard, with citations: gateway requirements, deadlines,
    resit and retake policy, and tolerances."""
    rules, data = answers.journey(_registry(), standard, body)
    _emit(fmt, data, lambda c: tables.journey(c, rules))


@cli.command()
@click.argument("body_ids", metavar="[BODY]...", nargs=-1)
@click.option("--sources", type=click.Path(file_okay=False, path_type=Path),
              help="folder of the source documents the citation checks read (default: EPA_SOURCES, "
                   "else ../shared/seeds); absent documents make those checks skip, never pass")
@click.option("--check", "checks", multiple=True, metavar="ID", help="run only this check (repeatable)")
@FORMAT
def conformance(body_ids: tuple[str, ...], sources: Path | None, checks: tuple[str, ...], fmt: str) -> None:
    """Run the conformance suite: every check against every installed body (or the BODY ids given).

    Prints a matrix of bodies against checks (pass: the check holds; fail: it does not; skip: it does not apply,
    or it applies but could not be made, e.g. the source document is absent, with the reason), then each failure
    with the ruleset file and entry, what was expected, and a record `epa grade` reproduces it with. Exits 0 when
    every check that applies was made and holds, 1 when any check fails, 4 when none fails but some that apply
    were not made (named on standard error: not a pass), 2 on bad input or when no body is installed.
    """
    from epa import conformance as suite

    registry = _load(_named(), keep_going=True)
    # a body that failed to load is named by its id; one that loaded, by anything it answers to
    body_ids = tuple(b if b in registry.failed else registry.named(b).body.id for b in body_ids)
    for check_id in checks:
        if check_id not in {c.id for c in suite.CHECKS}:
            raise InputError(f"no check {check_id!r}", hint=did_you_mean(check_id, [c.id for c in suite.CHECKS]))
    if not registry.bodies and not registry.failed:  # an empty matrix is no pass: a script must not read it as one
        raise InputError("no body is installed, so nothing was checked",
                         hint="install a body plugin with pip, or start one of your own with `epa plugin new`")
    outcomes = suite.run(registry, body_ids or None, sources, checks or None)
    data = suite.as_data(outcomes, sources)
    _emit(fmt, data, lambda c: tables.conformance(c, data), registry)
    if data["failed"]:
        raise SystemExit(errors.EXIT_FAILURE)
    if not data["complete"]:  # no failure, but no pass either: a script must tell the two apart
        unmade = suite.not_checked(outcomes)
        said = f"not a pass: no check fails, but {len(unmade)} of the checks that apply could not be made (exit 4)"
        _warn(f"{said}; the skips above say which and why" if fmt == "table" else
              f"{said}:\n" + "\n".join(f"  {line}" for line in unmade))
        raise SystemExit(errors.EXIT_UNCHECKED)


@cli.command("check-rules")
@click.argument("files", metavar="RULES.yaml...", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--sources", type=click.Path(file_okay=False, path_type=Path),
              help="folder of the source documents the citations name (default: EPA_SOURCES, else ../shared/seeds)")
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True, metavar="N",
              help="list at most N problems, then how many there are in all (0: every one)")
def check_rules(files: tuple[Path, ...], sources: Path | None, limit: int) -> None:
    """Check rules files on their own, before any plugin is installed: each ruleset or journey file
    (STANDARD.journey.yaml, loaded with the rulesets beside it) as epa loads it (the JSON Schema, unique ids,
    methods and deadlines named), then as `epa conformance` checks its text: no placeholder left, the sha256 of
    the document in the sources folder the one declared, every cited section a line of it, each criterion's
    words in it. Each problem is named by file, line and JSON path.

    As `epa conformance` does, a file whose source document is not there has its hash and citations skipped,
    saying so: not checked, never passed. Exits 1 when any file has a problem, 0 when none has.
    """
    from epa import check_rules as checker

    lines, failed = checker.report([checker.check_file(f, sources) for f in files], limit)
    _echo("\n".join(lines))
    if failed:
        raise SystemExit(1)


@cli.command()
@click.option("--standard", required=True, help="e.g. ST0071")
@click.option("--bodies", "body_ids", metavar="ID,ID", help="only these bodies (default: every one offering it)")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "html"]), default="table", show_default=True,
              help="table for a person, json for a program, html: one self-contained report to look at")
@click.option("--out", type=click.Path(path_type=Path), callback=_output_file,
              help="write to this file, not the screen")
@click.option("--cohort", "cohort_file", metavar="FILE",
              help="a cohort (as --batch reads it): the share of its records each finding touches")
def consistency(standard: str, body_ids: str | None, fmt: str, out: Path | None, cohort_file: str | None) -> None:
    """Find every divergence between the bodies offering a STANDARD: grades, criteria, gateway, resits,
    deadlines, tolerances, recommendations, each body's self-consistency and versions. Each finding says
    what differs, the bodies on each side with their citations, and the smallest record (a file
    `epa compare` reproduces it with)."""
    _not_read(out, "--out", cohort_file, "the cohort being read")
    registry = _registry()
    data = answers.consistency(registry, standard, body_ids)
    if cohort_file is not None:
        from epa.consistency.cohort import touched

        data["cohort"] = touched(registry, standard, data["findings"], cohort_file)
    if fmt == "html":
        from epa.views.html_report import render

        text = render(data)
    elif fmt == "json":
        text = _dumps(data)
    else:
        console = _Console(soft_wrap=False, width=140 if out else _width(),
                           record=True, file=io.StringIO() if out else None)
        with outputs.writing_stdout(), tables.citing(tables.document_titles(registry)):
            tables.consistency(console, data)
        if not out:
            return
        text = console.export_text()
    if out is None:
        _echo(text)
        return
    outputs.write_file(out, (text + "\n").encode("utf-8"))
    _warn(f"wrote {len(data['findings'])} findings to {out}")


AUDIT_HELP = """\b
Columns (a header row names them; matched as a cohort's are, after folding
case, spaces, punctuation and _; README "Audit of recorded outcomes"):
  standard (StandardID), apprentice (ULN, or CandidateIdentifierOther),
  body (AwardingOrganisation, EPAO: an id, name or acronym) or body_id
  (AwardingOrganisationID, EPAOrgID; mapped with --body-id), overall (the overall
  grade recorded; Withdrawn, Void, Cancelled, Deferred or Break in learning:
  not audited, and counted), per method M: M (its grade) and M_attempt
  (first, resit or retake); gateway_date or document_version (which version
  of the rules is in force), exceptional_circumstances (yes/no), plan_version
  (AssessmentPlanVersionNumber: chooses the rules written for that plan
  where the body's rules give it; one none is written for is refused).
Exit codes: 0 every row audited (or not graded yet, or not audited as its EPA
ended without a grade) and every recorded grade follows; 1 some recorded
grade does not follow (or a plugin or epa failed on a row); 2 some row was
rejected (its error row says why) or the input was bad; 3 an output could
not be written; 130 interrupted (Ctrl-C, SIGTERM or SIGHUP).
"""


@cli.command(epilog=AUDIT_HELP)
@click.argument("outcomes", metavar="FILE")
@click.option("--body", help="the body that recorded every row (a file with no body column): id, name or acronym")
@click.option("--body-id", "body_id_pairs", multiple=True, metavar='"EPAxxxx=BODY"',
              help="the body an EPAO id (AwardingOrganisationID) names; repeatable, each id to one body (no "
                   "document states one)")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True,
              help="table: counts per body and the rows that do not follow; csv or json: one row per input row")
@click.option("--out", type=click.Path(path_type=Path), callback=_output_file, metavar="FILE",
              help="write the rows (--format csv or json, else by the suffix: .csv, .jsonl) here, the table to stdout")
@click.option("--sheet", metavar="NAME", help="with a workbook (.xlsx): the worksheet to read")
@click.option("--column", "column_pairs", multiple=True, metavar='"NAME=FIELD"',
              help="read column NAME as FIELD (NAME= leaves it out); repeatable")
@click.option("--columns", "columns_file", type=click.Path(path_type=Path, dir_okay=False), metavar="FILE",
              help="a YAML map of column names to fields")
@click.option("--strict", is_flag=True, help="a column epa does not read is an error")
def audit(outcomes: str, body: str | None, body_id_pairs: tuple[str, ...], fmt: str, out: Path | None,
          sheet: str | None, column_pairs: tuple[str, ...], columns_file: Path | None, strict: bool) -> None:
    """Audit recorded outcomes: does each row's overall grade follow from its component grades under the
    recording body's rules in force? FILE (CSV or .xlsx; - reads standard input) holds one row per apprentice;
    each row is answered with the grade its body's rules give, and the rule and citation."""
    from epa import audit as audits
    from epa.inputs.cohort_input import column_map

    rows_fmt = fmt  # what the rows are written as ("table": none)
    if out is not None and fmt == "table":
        kinds = {".csv": "csv", ".jsonl": "json", ".ndjson": "json"}
        if out.suffix.lower() not in kinds:
            raise click.UsageError(f"--out {out}: name it .csv or .jsonl, or give --format csv or --format json")
        rows_fmt = kinds[out.suffix.lower()]
    _not_read(out, "--out", outcomes, "the file being read")
    _not_read(out, "--out", columns_file, "the column map being read")
    _stdout_not_read(outcomes, "the file being read")
    ids = []  # (pairs, not a map: an id given twice is refused by audits.epao_map, not the last one taken)
    for pair in body_id_pairs:
        epao, equals, named = pair.partition("=")
        if not equals or not epao.strip() or not named.strip():
            raise click.UsageError(f'--body-id {pair!r}: expected "EPAxxxx=BODY"')
        ids.append((epao.strip(), named.strip()))
    mapped = column_map(columns_file, column_pairs, strict)
    audited = False
    try:
        with contextlib.ExitStack() as files:
            write = files.enter_context(outputs.streaming_file(out)) if out else outputs.write_stdout
            data = audits.run(outcomes, rows_fmt, _registry(), write, body=body, body_ids=ids, column_map=mapped,
                              sheet=sheet)
            audited = True
    except audits.AuditInterrupted as exc:
        # What was written is out; a closed or full stdout is not news here, nor a reader gone (a Ctrl-C to `| head`
        # reaches both): flush_stdout points it at devnull then, so that Python's own flush at exit cannot fail too.
        with contextlib.suppress(OutputError, ValueError):
            outputs.flush_stdout()
        done = _left(exc.rows, "rows", "audited", out, rows_fmt == "table", exc.line,
                     "standard input" if outcomes == "-" else str(outcomes), "table")
        _warn(f"interrupted: {done}; the output is incomplete")
        raise SystemExit(errors.EXIT_INTERRUPTED) from None
    except errors.OutputCutShort as exc:
        source = "standard input" if outcomes == "-" else str(outcomes)
        done = _left(exc.done, "rows", "audited", out, rows_fmt == "table", exc.line, source, "table")
        raise OutputError(exc.output, f"{exc.reason}; {done}; the output is incomplete") from None
    except OutputError as exc:
        _not_put_in_place(exc, audited, out, "every row was audited", "no table written")
    except audits.AuditReaderGone as exc:  # (`| head`): the rows audited by then say the exit code
        code, seen = audits.exit_code(exc.data), exc.data
        if code:
            _warn(f"note: standard output's reader stopped reading: {seen['rows']} rows audited by then, "
                  f"{seen['disagree']} not following, {seen['rejected']} rejected, {seen['failed']} failed; any "
                  "after them were not")
        outputs.reader_gone(code)
    if fmt == "table" or out is not None:
        try:
            _emit("table", data, lambda c: audits.render(c, data))
        except BrokenPipeError:  # (`| head`): every row was audited, and the exit code says so
            outputs.reader_gone(audits.exit_code(data))
        except OutputError as exc:
            if out is None or exc.output == str(out):
                raise
            # The rows' file is in place: said, lest the user take the whole audit for lost (as compare --batch).
            raise OutputError(exc.output, f"{exc.reason} (every row's output is written in full to {out}; only the "
                                          "table is missing)") from None
    else:
        outputs.flush_stdout()
        for note in data["notes"]:
            _warn(f"note: {outcomes}: {note}")
    code = audits.exit_code(data)
    if code:
        raise SystemExit(code)


@cli.command(epilog="""\b
Exit codes: 0 stopped by SIGTERM or Ctrl-C, the requests in flight answered;
1 a plugin or epa failed; 2 bad options, or the address cannot be listened
on (e.g. the port is in use); 3 the --decision-log file cannot be written, or
standard error could not take its log (the server serves on).""")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="the address to listen on: this machine only, unless another is given (0.0.0.0: every one)")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="0: any free port")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="server processes")
@click.option("--decision-log", type=click.Path(path_type=Path, dir_okay=False), callback=_output_file,
              metavar="FILE", help="append a JSON line per decision: time, record digest, rules digest, result "
                                   "(apprentice ids masked)")
@click.option("--log-identities", is_flag=True, help="with --decision-log: write apprentice ids as they are")
@click.option("--max-body", type=click.IntRange(1), default=16 * 1024 * 1024, show_default=True, metavar="BYTES",
              help="the largest record a request may send (413 above it)")
@click.option("--max-batch-body", type=click.IntRange(1), default=64 * 1024 * 1024, show_default=True,
              metavar="BYTES", help="the largest cohort POST /batch may send (413 above it)")
@click.option("--batch-seconds", type=click.FloatRange(min=0.001), default=300.0, show_default=True,
              help="a batch still grading after this long is stopped, its output ending in an error line; a "
                   "request's body not sent within it is refused (408)")
@click.option("--memo", type=click.IntRange(0), default=1000, show_default=True, metavar="N",
              help="remember the last N whole answers (0: none): the same request under the same rules is answered "
                   "from memory (no answer depends on today's date)")
@click.option("--max-connections", type=click.IntRange(1, 100_000), default=None, metavar="N",
              show_default="1000, or what ulimit -n allows",
              help="connections each worker process holds at once; one more is answered 503 (Retry-After) and closed")
def serve(host: str, port: int, workers: int, decision_log: Path | None, log_identities: bool, max_body: int,
          max_batch_body: int, batch_seconds: float, memo: int, max_connections: int | None) -> None:
    """Serve the commands' answers over HTTP (README, "Serve"): each endpoint answers with the JSON the matching
    command prints with --format json; GET /openapi.json describes them, /docs to read."""
    from epa.serve.run import run
    from epa.serve.settings import DEFAULT_CONNECTIONS, Settings

    if log_identities and decision_log is None:
        raise click.UsageError("--log-identities goes with --decision-log")
    run(host, port, workers, Settings(max_body=max_body, max_batch_body=max_batch_body, batch_seconds=batch_seconds,
                                      decision_log=str(decision_log) if decision_log else None,
                                      log_identities=log_identities, memo=memo, bodies=_named(),
                                      max_connections=max_connections or DEFAULT_CONNECTIONS),
        fit_connections=max_connections is None)


@cli.command()
@FORMAT
def plugins(fmt: str) -> None:
    """List the installed body plugins: distribution and version, the hooks each implements itself, the
    standards and document versions it ships, and the variants its data sets apart from the defaults. Each plugin
    that does not load is named on standard error with why (every one, not the first alone), after the list of
    those that load: exit 1."""
    registry = _load(_named(), keep_going=True)
    data = report.plugins(registry)
    if registry.bodies or not registry.failed:
        _listed(fmt, data, lambda c: tables.plugins(c, data), registry)
    elif fmt == "json":
        _emit(fmt, data, lambda c: tables.plugins(c, data), registry)
    if registry.failed:
        for exc in registry.failed.values():
            _warn(f"error: {exc}")
        _warn(f"  hint: {len(registry.failed)} plugin{'s' * (len(registry.failed) != 1)} did not load; every other "
              "command stops while one does not: leave "
              f"{'them' if len(registry.failed) != 1 else 'it'} out with --bodies (or EPA_BODIES), or uninstall "
              f"{'them' if len(registry.failed) != 1 else 'it'}")
        raise SystemExit(errors.EXIT_FAILURE)


@cli.group()
def plugin() -> None:
    """Tools for writing a body plugin."""


@plugin.command("new")
@click.argument("body_id")
@click.option("--name", help="the awarding body's name (default: from the id)")
@click.option("--standard", default="ST0071", show_default=True, help="the standard its first ruleset is for")
@click.option("--from", "start_from", metavar="BODY",
              help="start from this installed body's criteria (its id, name or acronym), not the standard's")
@click.option("--dir", "target", type=click.Path(file_okay=False, path_type=Path),
              help="where to write it (default: ./epa-BODY_ID)")
def plugin_new(body_id: str, name: str | None, standard: str, start_from: str | None, target: Path | None) -> None:
    """Generate a complete, installable body plugin BODY_ID: rules with placeholders, tests, a README.

    Its criteria are the standard's, each in the method and at the level the standard places it (with --from, an
    installed body's), each marked for you to confirm against your document. As generated it installs (pip
    install -e DIR) and appears in `epa bodies`; `epa conformance` fails, listing each PLACEHOLDER by file and
    line, until you replace them with what your document says. An id or distribution name an installed plugin
    has already is refused.
    """
    from epa import scaffold

    # The core's standards need no plugin loaded (a broken one must not stop its author starting afresh).
    known = {s.id: s for s in core_standards()}
    definition = known[standard] if standard in known else _registry().standard(standard)
    catalogue = scaffold.from_body(_registry().named(start_from), definition) if start_from else None
    folder = target or Path(f"epa-{body_id.replace('_', '-')}")
    try:
        written = scaffold.create(body_id, name, definition, folder, catalogue)
    except OSError as exc:
        raise OutputError(str(folder), _not_a_folder(folder) or exc.strerror or str(exc)) from None
    source = f"; the criteria are {catalogue.source}'s, from {catalogue.document}" if catalogue else ""
    try:
        _echo(f"wrote {len(written)} files to {folder}{source}; next: pip install -e {folder} && epa conformance "
              f"{body_id}")
    except OutputError as exc:  # (said, lest the author take the plugin for not written and run it again: refused)
        raise OutputError(exc.output, f"{exc.reason} (the plugin is written in full to {folder}; only this line "
                                      "saying so is missing)") from None


def _not_a_folder(folder: Path) -> str | None:
    """Where a folder on the way to ``folder`` is a file: said so (the system says 'File exists' or 'Not a
    directory', neither naming which)."""
    for above in [folder, *folder.parents]:
        if above.exists() and not above.is_dir():
            return f"{above} is a file, not a folder"
    return None


def main(argv: list[str] | None = None) -> None:
    """Entry point: each failure exits with its code and a message, never a traceback (set EPA_DEBUG=1 to see
    one): bad input 2, an output that cannot be written 3, a plugin or epa itself 1, Ctrl-C or SIGTERM 130
    (README, "Exit codes"). Standard error that cannot take a message (``2>/dev/full``) is an output that could not
    be written: exit 3, whatever else the command met, but an interruption (130)."""
    with outputs.watching_stderr() as stderr:
        try:
            _main(argv)
        except SystemExit as exc:
            if stderr.failed is not None and exc.code != errors.EXIT_INTERRUPTED:
                raise SystemExit(errors.EXIT_OUTPUT) from None
            raise
        if stderr.failed is not None:
            raise SystemExit(errors.EXIT_OUTPUT)


def _main(argv: list[str] | None) -> None:
    interrupts.install()
    outputs.stand_in_if_closed()
    try:
        try:
            cli.main(args=argv, prog_name="epa", standalone_mode=False)
        except SystemExit as exc:
            if exc.code != errors.EXIT_INTERRUPTED:
                outputs.flush_stdout()
            raise
        outputs.flush_stdout()  # a full disk met here is a message and exit 3, not Python's complaint at exit
    except KeyboardInterrupt as exc:
        sys.exit(_interrupted(exc))
    except click.exceptions.Abort as exc:  # click's main turned a Ctrl-C it met (after a blank line) into Abort
        sys.exit(_interrupted(exc.__cause__) if isinstance(exc.__cause__, KeyboardInterrupt) else errors.EXIT_FAILURE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except InputError as exc:
        _warn(f"error: {exc.render()}")
        sys.exit(errors.EXIT_INPUT)
    except OutputError as exc:
        _warn(f"error: {exc}")
        sys.exit(errors.EXIT_OUTPUT)
    except PluginError as exc:
        _warn(f"error: {exc}" + (f"\n  hint: {exc.hint}" if exc.hint else ""))
        sys.exit(errors.EXIT_FAILURE)
    except Exception as exc:
        if os.environ.get("EPA_DEBUG"):
            raise
        cannot = outputs.unshowable(exc) if isinstance(exc, UnicodeEncodeError) else None
        if cannot is not None:  # (a table rich printed: what outputs.write_stdout writes is an OutputError already)
            _warn(f"error: cannot write standard output: {cannot}")
            sys.exit(errors.EXIT_OUTPUT)
        _warn(f"internal error: {type(exc).__name__}: {exc} (set EPA_DEBUG=1 for a traceback)")
        sys.exit(errors.EXIT_FAILURE)


def _interrupted(exc: KeyboardInterrupt) -> int:
    """Ctrl-C or SIGTERM: a short line on standard error, exit 130. Code that said more already (the batch: how
    many records were written) marks the KeyboardInterrupt it re-raises with ``reported = True``, or exits 130
    itself (``SystemExit(errors.EXIT_INTERRUPTED)``), and nothing is added."""
    if isinstance(exc, outputs.FileInterrupted):  # as a file was put in place: which way it went
        said = f"{exc.output} is written in full, but epa stopped before finishing: any other output is incomplete" \
            if exc.whole else f"nothing written to {exc.output} (left as it was); the output is incomplete"
    else:
        said = "epa stopped before finishing; any output is incomplete"
    if not getattr(exc, "reported", False):
        with contextlib.suppress(OSError):  # a closed or full standard error must not turn this into a traceback
            _warn(f"interrupted: {said}")
    return errors.EXIT_INTERRUPTED
