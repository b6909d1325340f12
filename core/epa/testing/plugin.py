"""epa's pytest plugin (the ``pytest11`` entry point): ``pytest --epa-body ID`` runs the conformance suite
against an installed body, in any repository."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from epa.conformance import CHECKS


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("epa", "epa conformance suite")
    group.addoption("--epa-body", action="append", default=[], metavar="ID",
                    help="run epa's conformance suite against this installed body (repeatable)")
    group.addoption("--epa-sources", metavar="DIR",
                    help="the folder of source documents the citation checks read (default: EPA_SOURCES, "
                         "else ../shared/seeds)")
    group.addoption("--epa-allow-unchecked", action="store_true", default=False,
                    help="skip, rather than fail, a conformance check that applies but could not be made (a source "
                         "document absent): `epa conformance` exits 4 for it, not a pass")


def pytest_configure(config: pytest.Config) -> None:
    sources = config.getoption("epa_sources")
    if sources:
        os.environ["EPA_SOURCES"] = str(Path(sources).resolve())
    if config.getoption("epa_allow_unchecked"):
        from epa.testing import contract

        contract.skip_unchecked = True
    bodies = config.getoption("epa_body")
    if bodies:
        bodies[:] = _ids(bodies)
        from epa.testing import contract

        config.args.append(contract.__file__)


def _ids(bodies: list[str]) -> list[str]:
    """The ids of the bodies named, as ``--body`` takes them elsewhere (an id, a name or an acronym:
    ``Registry.named``). A name no installed plugin answers to stops the run, naming it: its checks would all
    skip, and a typo pass."""
    from epa.errors import InputError
    from epa.registry import installed_candidates

    try:
        ids = {c.name for c in installed_candidates()}
        if all(b in ids for b in bodies):
            return list(bodies)
        from epa.testing import registry

        loaded = registry()
        return [b if b in ids else _named(loaded, b, ids) for b in bodies]
    except InputError as exc:
        raise pytest.UsageError(f"--epa-body: {exc.render()}") from None


def _named(registry: Any, name: str, ids: set[str]) -> str:
    """The id of the body a name or acronym names; an unknown one is refused as an unknown id is."""
    from epa.errors import InputError, did_you_mean

    try:
        return str(registry.named(name).body.id)
    except InputError as exc:
        if "unknown body" in exc.message:  # as before: "no installed body", with the nearest id
            raise InputError(f"no installed body {name!r}", hint=exc.hint or did_you_mean(name, ids)) from None
        raise


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "epa_body" in metafunc.fixturenames and "epa_check" in metafunc.fixturenames:
        bodies = metafunc.config.getoption("epa_body")
        cases = [(b, c.id) for b in bodies for c in CHECKS]
        metafunc.parametrize(("epa_body", "epa_check"), cases, ids=[f"{b}-{c}" for b, c in cases])
