"""The conformance suite as pytest tests, for a body plugin's own repository.

In the plugin's ``tests/``::

    from epa.testing.contract import conformance_tests

    test_acme_conforms = conformance_tests("acme")

or, with no file at all, ``pytest --epa-body acme`` (the ``epa`` pytest plugin adds this module's
``test_epa_conformance`` for each body named). Each check is one test: it fails with every
counterexample the suite found, skips with the reason when the check does not apply, and passes otherwise. A
check that applies but could not be made (a source document not at hand: ``--epa-sources DIR`` or
``EPA_SOURCES``) fails, as ``epa conformance`` exits 4 for it (not a pass): an author's CI running pytest alone
is as strict as the command. ``allow_unchecked=True``, or ``pytest --epa-allow-unchecked``, makes it a skip.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable

import pytest

from epa.conformance import CHECKS, CheckOutcome, not_checked, run
from epa.registry import Registry

skip_unchecked = False  # set by `pytest --epa-allow-unchecked` (epa.testing.plugin): a check not made is a skip


@functools.cache
def _registry() -> Registry:
    # Loaded once per test session, not once per check: keep_going so a broken plugin fails `loads`.
    return Registry.installed(keep_going=True)


def _outcomes(body_id: str, check_id: str) -> list[CheckOutcome]:
    registry = _registry()
    if body_id not in registry.failed and body_id not in {b.body.id for b in registry.bodies}:
        pytest.skip(f"the body plugin {body_id!r} is not installed (or is left out by EPA_BODIES)")
    return run(registry, [body_id], only=[check_id])


def assert_conforms(body_id: str, check_id: str, *, allow_unchecked: bool = False) -> None:
    """Run one check against one installed body: fail listing every counterexample, or naming what it could not
    check (unless ``allow_unchecked``, or ``pytest --epa-allow-unchecked``: then a skip), or skip with the reason
    it does not apply."""
    outcomes = _outcomes(body_id, check_id)
    failed = [o for o in outcomes if o.status == "fail"]
    if failed:
        lines = []
        for o in failed:
            for f in o.failures:
                file = f"{f.file}:{f.line}" if f.file and f.line else f.file
                where = " ".join(p for p in (o.standard, o.version and f"v{o.version}", file, f.entry) if p)
                lines.append(f"{where}: {f.message}\n    expected: {f.expected}")
                if f.record:
                    lines.append("    shown by the record: " + json.dumps(f.record))
        pytest.fail(f"{check_id} fails for {body_id}:\n" + "\n".join(lines), pytrace=False)
    unmade = [o for o in outcomes if o.unchecked]
    if unmade and not (allow_unchecked or skip_unchecked):
        pytest.fail(f"{check_id} could not be made for {body_id}, which is not a pass (`epa conformance` exits 4):\n"
                    + "\n".join(not_checked(unmade)) + "\n(conformance_tests(..., allow_unchecked=True) or pytest "
                    "--epa-allow-unchecked makes this a skip)", pytrace=False)
    if unmade:
        pytest.skip("; ".join(dict.fromkeys(o.reason or "" for o in unmade)))
    if outcomes and all(o.status == "skip" for o in outcomes):
        pytest.skip("; ".join(dict.fromkeys(o.reason or "" for o in outcomes)))


def conformance_tests(body_id: str, *, allow_unchecked: bool = False) -> Callable[[str], None]:
    """A test function, parametrized over every check of the suite, for one body (``allow_unchecked``: as
    ``assert_conforms`` takes it)."""

    @pytest.mark.parametrize("check_id", [c.id for c in CHECKS])
    def test_conforms(check_id: str) -> None:
        assert_conforms(body_id, check_id, allow_unchecked=allow_unchecked)

    return test_conforms


def test_epa_conformance(epa_body: str, epa_check: str) -> None:
    """Collected only with ``pytest --epa-body ID``; parametrized by the epa pytest plugin."""
    assert_conforms(epa_body, epa_check)
