"""Answers alike in every process: a plugin's own hooks asked the same in another Python process, with another hash
seed, answer as they do here. ``epa compare --batch`` grades a cohort in worker processes, and every command is a
process of its own: a hook answering by ``hash()`` of a string (seeded per process), by chance or by the time it
starts would grade alike records differently by which process grades them, and the ``output`` check, asking twice
in one process, cannot see it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from epa.conformance import witness
from epa.conformance.checks.base import (
    CheckedBody,
    Failure,
    NotChecked,
    Skip,
    check,
    combinations,
    everything,
    first_change,
)
from epa.model.convert import unstructure
from epa.registry import LoadedBody, Registry

SEEDS = ("0", "1")  # PYTHONHASHSEED of each other process
TIMEOUT = 300.0  # seconds for another process to load the plugin and answer
HOOKS = ("grade_component", "combine_grades", "gateway_requirements", "deadlines", "resit_policy")
_CHILD = ("import json, sys\n"
          "from epa.registry import Registry\n"
          "from epa.conformance.checks.processes import answers\n"
          "registry = Registry.installed([sys.argv[1]])\n"
          "print(json.dumps([a for _, _, a in answers(registry.body(sys.argv[1]), registry)]))\n")


def answers(loaded: LoadedBody, registry: Registry) -> list[tuple[str, dict[str, Any], Any]]:
    """(what was asked, a record that shows it, the answer as JSON data) for each of the body's rulesets: each witness
    record explained, and each question of its own grading hooks asked directly."""
    out: list[tuple[str, dict[str, Any], Any]] = []
    own = set(loaded.own_hooks)
    for r in loaded.body.rulesets:
        subject = CheckedBody(loaded, r, registry, Path("."))
        named = f"{r.standard} version {r.document.version}"
        records = [*witness.samples(loaded.body.id, r), witness.resit(loaded.body.id, r, r.method_ids[0], "resit"),
                   witness.full(loaded.body.id, r)]
        out += [(f"{named}: a record explained", data, _plain(unstructure(subject.explain(data))))
                for data in records]
        if "grade_component" in own:
            for method in r.method_ids:
                passes = frozenset(c.id for c in r.criteria_for(method, "pass"))
                for met in (frozenset(), passes, everything(r, method)):
                    answer = loaded.call("grade_component", ruleset=r, method=method, criteria_met=met)
                    out.append((f"{named}: grade_component for {method} with {len(met)} criteria met",
                                witness.criteria(loaded.body.id, r, {method: met}), _plain(unstructure(answer))))
        if "combine_grades" in own:
            for combo in combinations(r):
                answer = loaded.call("combine_grades", ruleset=r, components=combo)
                out.append((f"{named}: combine_grades for " + ", ".join(f"{m}={g.value}" for m, g in combo.items()),
                            witness.recorded(loaded.body.id, r, combo), _plain(unstructure(answer))))
    return out


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, sort_keys=True, default=str))


@check("processes", "a plugin's own hooks answer alike in other Python processes (other hash seeds): each ruleset's "
       "witness records explained, and its own grading hooks' questions answered, the same as here", "body")
def processes(s: CheckedBody) -> Iterator[Failure]:
    own = [h for h in HOOKS if h in s.loaded.own_hooks]
    if not own:
        raise Skip("the plugin implements no hook but register_body: the core's defaults answer, from the data")
    if s.loaded.distribution is None:
        raise NotChecked("not checked: the plugin was not loaded from an installed distribution, so no other process "
                         "can load it")
    here = answers(s.loaded, s.registry)
    for seed in SEEDS:
        there = _elsewhere(s.body_id, seed)
        for (asked, data, mine), theirs in zip(here, there, strict=False):
            path = first_change(mine, theirs)
            if path is not None:
                hook = own[0] if len(own) == 1 else None
                yield s.failure(f"{asked}: the answer here and in another process (PYTHONHASHSEED={seed}) differ, "
                                f"first at {path}", "the same answer in every process: no hash() of a string, chance "
                                "or time in what a hook answers", hook, data)
                return
        if len(there) != len(here):
            yield s.failure(f"another process (PYTHONHASHSEED={seed}) was asked {len(there)} questions, not "
                            f"{len(here)}: it loads other rulesets", "the same rulesets in every process")
            return


def _elsewhere(body_id: str, seed: str) -> list[Any]:
    """The answers of another process with this hash seed, loading the installed body afresh."""
    env = {**os.environ, "PYTHONHASHSEED": seed}
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD, body_id], capture_output=True, text=True, env=env,
                              timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise NotChecked(f"not checked: another process could not be run to ask it ({exc})") from None
    if done.returncode != 0:
        said = (done.stderr.strip().splitlines() or ["(nothing on standard error)"])[-1]
        raise NotChecked(f"not checked: another process loading {body_id} failed (exit {done.returncode}: {said})")
    answered: list[Any] = json.loads(done.stdout)
    return answered
