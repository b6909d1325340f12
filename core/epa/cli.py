"""The ``epa`` command line: every command prints a table for a person, or JSON with --format json."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from epa import report, tables
from epa.errors import InputError, PluginError
from epa.grading import grade as grade_record
from epa.record import load_record
from epa.registry import Registry

FORMAT = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
                      show_default=True, help="table for a person, json for a program")


def _reader_gone() -> None:
    """The reader (e.g. `| head`) stopped reading: not a failure. Point stdout at devnull so that
    Python's final flush does not fail too, and exit 0."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    raise SystemExit(0)


class _Console(Console):
    def on_broken_pipe(self) -> None:  # rich's own handler would exit 1
        _reader_gone()


def _emit(fmt: str, data: Any, render: Callable[[Console], None]) -> None:
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        # piped or captured: rich's default 80 columns would fold every citation
        render(_Console(soft_wrap=False, width=None if sys.stdout.isatty() else 140))


def _registry() -> Registry:
    return Registry.installed()


@click.group()
@click.version_option(package_name="epa")
def cli() -> None:
    """Compare what each awarding body's End-Point Assessment rules would award an apprentice, and why.

    Every rule is encoded from the body's published document and cites it as
    '<file> § <section>'.
    """


@cli.command()
@FORMAT
def bodies(fmt: str) -> None:
    """List the installed awarding bodies, their standards and document versions."""
    data = report.bodies(_registry())
    _emit(fmt, data, lambda c: tables.bodies(c, data))


@cli.command()
@FORMAT
def standards(fmt: str) -> None:
    """List the standards the installed bodies offer."""
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
    registry = _registry()
    registry.offering(standard)
    data = report.criteria(registry, standard, body, version)
    _emit(fmt, data, lambda c: tables.criteria(c, data, per_body=body is not None))


@cli.command()
@click.option("--body", help="only this body's")
@FORMAT
def ambiguities(body: str | None, fmt: str) -> None:
    """List where the documents are ambiguous, garbled or contradictory, and the reading encoded."""
    data = report.ambiguities(_registry(), body)
    _emit(fmt, data, lambda c: tables.ambiguities(c, data))


@cli.command()
@click.option("--body", required=True, help="the awarding body's id (see `epa bodies`)")
@click.argument("record", type=click.Path(path_type=Path))
@FORMAT
def grade(body: str, record: Path, fmt: str) -> None:
    """Grade an apprentice RECORD (YAML or JSON) by one body's rules."""
    registry = _registry()
    loaded = registry.body(body)
    rec = load_record(record, registry)
    if rec.standard not in loaded.body.standards:
        raise InputError(f"{body} does not offer {rec.standard}", where=str(record),
                         hint="bodies offering it: " + ", ".join(b.body.id for b in registry.offering(rec.standard)))
    res = grade_record(loaded, rec)
    _emit(fmt, report.result(res), lambda c: tables.result(c, res))


@cli.command()
@click.argument("record", type=click.Path(path_type=Path))
@FORMAT
def compare(record: Path, fmt: str) -> None:
    """Grade an apprentice RECORD by every body that offers its standard, side by side."""
    registry = _registry()
    rec = load_record(record, registry)
    results = [grade_record(b, rec) for b in registry.offering(rec.standard)]
    differing = report.disagreements(results)
    data = {"standard": rec.standard, "record": str(record), "apprentice": rec.apprentice.id,
            "differences": differing, "results": [report.result(r) for r in results]}
    _emit(fmt, data, lambda c: tables.compare(c, results, differing))


def main(argv: list[str] | None = None) -> None:
    """Entry point: bad input exits 2 and a plugin or internal failure exits 1, each with a message,
    never a traceback (set EPA_DEBUG=1 to see one)."""
    try:
        cli.main(args=argv, prog_name="epa", standalone_mode=False)
    except click.exceptions.Abort:
        sys.exit(1)
    except BrokenPipeError:  # click.echo's, for JSON output
        _reader_gone()
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except InputError as exc:
        click.echo(f"error: {exc.render()}", err=True)
        sys.exit(2)
    except PluginError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except Exception as exc:
        if os.environ.get("EPA_DEBUG"):
            raise
        click.echo(f"internal error: {type(exc).__name__}: {exc} (set EPA_DEBUG=1 for a traceback)", err=True)
        sys.exit(1)
