"""epa's pytest plugin (the ``pytest11`` entry point): ``pytest --epa-body ID`` runs the conformance suite
against an installed body, in any repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from epa.conformance import CHECKS


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("epa", "epa conformance suite")
    group.addoption("--epa-body", action="append", default=[], metavar="ID",
                    help="run epa's conformance suite against this installed body (repeatable)")
    group.addoption("--epa-sources", metavar="DIR",
                    help="the folder of source documents the citation checks read (default: EPA_SOURCES, "
                         "else ../shared/seeds)")


def pytest_configure(config: pytest.Config) -> None:
    sources = config.getoption("epa_sources")
    if sources:
        os.environ["EPA_SOURCES"] = str(Path(sources).resolve())
    bodies = config.getoption("epa_body")
    if bodies:
        _refuse_unknown(bodies)
        from epa.testing import contract

        config.args.append(contract.__file__)


def _refuse_unknown(bodies: list[str]) -> None:
    """A body id no installed plugin has stops the run, naming it: its checks would all skip, and a typo pass."""
    from epa.errors import InputError
    from epa.registry import installed_candidates

    try:
        installed_candidates(only=bodies)
    except InputError as exc:
        raise pytest.UsageError(f"--epa-body: {exc.render()}") from None


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "epa_body" in metafunc.fixturenames and "epa_check" in metafunc.fixturenames:
        bodies = metafunc.config.getoption("epa_body")
        cases = [(b, c.id) for b in bodies for c in CHECKS]
        metafunc.parametrize(("epa_body", "epa_check"), cases, ids=[f"{b}-{c}" for b, c in cases])
