"""Synthetic cohorts for the benchmarks: apprentice records as the record schema has them, made from the
installed bodies' criteria, deterministic for a seed.

``journey=True`` gives each record the journey a provider records (gateway evidence, journey dates,
durations, some resits); ``journey=False`` gives only what grading needs (standard, apprentice, gateway date,
one attempt per method).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from epa.registry import Registry


def _criteria_by_method(registry: Registry, standard: str) -> dict[str, list[str]]:
    """Every criterion id some body assesses in each method (ids are shared by every body for a standard)."""
    found: dict[str, set[str]] = {m: set() for m in registry.method_ids(standard)}
    for loaded in registry.offering(standard):
        for ruleset in loaded.body.rulesets_for(standard):
            for c in ruleset.criteria:
                found.setdefault(c.method, set()).add(c.id)
    known = registry.criterion_ids(standard)
    return {m: sorted(ids & known) for m, ids in found.items()}


def records(registry: Registry, n: int, *, journey: bool = True, standard: str = "ST0071",
            seed: int = 9) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    by_method = _criteria_by_method(registry, standard)
    methods = list(by_method)
    for i in range(n):
        start = dt.date(2023, 9, 1) + dt.timedelta(days=rng.randrange(400))
        gateway = start + dt.timedelta(days=370 + rng.randrange(60))
        data: dict[str, Any] = {
            "standard": standard,
            "apprentice": {"id": f"A-{i:07d}"},
            "gateway": {"date": gateway.isoformat()},
        }
        day = gateway + dt.timedelta(days=7 + rng.randrange(20))
        attempts = []
        for m in rng.sample(methods, len(methods)):
            attempt: dict[str, Any] = {"method": m, "date": day.isoformat()}
            if rng.random() < 0.7:  # criteria met: most, sometimes all, of those some body assesses here
                ids = by_method[m]
                attempt["criteria_met"] = [c for c in ids if rng.random() < 0.93]
            else:
                attempt["grade"] = rng.choice(["fail", "pass", "pass", "distinction"])
            attempts.append(attempt)
            day += dt.timedelta(days=1 + rng.randrange(10))
        if journey:
            data["apprentice"].update({
                "date_of_birth": (start - dt.timedelta(days=365 * 16 + rng.randrange(365 * 10))).isoformat(),
                "start_date": start.isoformat(), "english": rng.choice(["level1", "level2", "level3"]),
                "maths": rng.choice(["entry3", "level1", "level2"])})
            data["gateway"].update({"portfolio_pieces": rng.randrange(6, 16), "portfolio": True,
                                    "project_proposal": True, "project_proposal_words": rng.randrange(150, 400),
                                    "photo_id": rng.random() < 0.9, "gateway_form": True})
            data["dates"] = {"registered": (gateway - dt.timedelta(days=rng.randrange(30, 150))).isoformat(),
                             "planning_meeting": (gateway + dt.timedelta(days=rng.randrange(1, 10))).isoformat()}
            for a in attempts:
                d = dt.date.fromisoformat(a["date"])
                a["notified"] = (d + dt.timedelta(days=rng.randrange(0, 12))).isoformat()
                if a["method"] == "observation":
                    a["duration_minutes"] = rng.randrange(50, 72)
                    a["questioning_minutes"] = rng.randrange(5, 14)
            failed = next((a for a in attempts if a.get("grade") == "fail"), None)
            if failed is not None:  # resat a few weeks after the fail was notified
                notified = dt.date.fromisoformat(failed["notified"])
                last = dt.date.fromisoformat(attempts[-1]["date"])
                redo = max(notified, last) + dt.timedelta(days=14 + rng.randrange(60))
                attempts.append({"method": failed["method"], "date": redo.isoformat(), "kind": "resit",
                                 "notified": redo.isoformat(), "grade": rng.choice(["pass", "distinction"])})
        data["assessments"] = attempts
        yield data


def write_jsonl(path: Path, registry: Registry, n: int, *, journey: bool = True) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for data in records(registry, n, journey=journey):
            out.write(json.dumps(data, separators=(",", ":")) + "\n")
    return path
