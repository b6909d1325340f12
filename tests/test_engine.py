"""The fast engine gives the answers the plain one gave: the compiled record check agrees with jsonschema,
the ruleset indexes with a scan, the bank-holiday calendar with the holidays package, the rules cache with
reading the files; and start-up imports only what a command uses. (Speed itself is measured by
bench/engine_bench.py and bench/startup_bench.py, never asserted here.)"""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import holidays
import jsonschema
import pytest
from dateutil.relativedelta import relativedelta

from conftest import offering
from epa import cache
from epa.errors import InputError
from epa.inputs.documents import Source, schema
from epa.inputs.record import load_record
from epa.inputs.validation import compiled
from epa.model.domain import Ruleset
from epa.rules import load as rules
from epa.rules import workdays
from epa.testing import dump_record, registry

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def _examples() -> list[dict[str, Any]]:
    return [_plain(p) for p in sorted(EXAMPLES.glob("*.yaml"))]


def _plain(path: Path) -> dict[str, Any]:
    """An example record as the record schema sees it (dates as strings)."""
    from epa.inputs.documents import read

    return read(path)[0]


def _mutations(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Records one change away from a valid one: most invalid, some still valid."""
    out = []

    def changed(fn: Any) -> None:
        data = copy.deepcopy(record)
        fn(data)
        out.append(data)

    changed(lambda d: d.pop("standard"))
    changed(lambda d: d.update(standard=71))
    changed(lambda d: d.update(extra=True))
    changed(lambda d: d["apprentice"].update(id=""))
    changed(lambda d: d["apprentice"].update(english="level9"))
    changed(lambda d: d["apprentice"].update(ehcp="yes"))
    changed(lambda d: d["gateway"].update(date="2025-02-30"))
    changed(lambda d: d["gateway"].update(date="2025-2-3"))
    changed(lambda d: d["gateway"].update(date="２０２５-01-01"))
    changed(lambda d: d["gateway"].update(portfolio_pieces=-1))
    changed(lambda d: d["gateway"].update(portfolio_pieces=3.5))
    changed(lambda d: d["gateway"].update(portfolio_pieces=True))
    changed(lambda d: d["gateway"].update(photo_id=1))
    changed(lambda d: d.update(document_versions={"x": 1}))
    changed(lambda d: d.update(schedule={"discussion": "tomorrow"}))
    for i in range(len(record.get("assessments", []))):
        changed(lambda d, i=i: d["assessments"][i].update(grade="merit"))
        changed(lambda d, i=i: d["assessments"][i].update(grade="pass", criteria_met=["K1.1"]))
        changed(lambda d, i=i: d["assessments"][i].pop("date"))
        changed(lambda d, i=i: d["assessments"][i].update(kind="again"))
        changed(lambda d, i=i: d["assessments"][i].update(duration_minutes=-5))
        changed(lambda d, i=i: d["assessments"][i].update(duration_minutes=0))
        changed(lambda d, i=i: d["assessments"][i].update(words="many"))
        changed(lambda d, i=i: d["assessments"][i].update(criteria_met=["K1.1", "K1.1"]))
        changed(lambda d, i=i: d["assessments"][i].update(exceptional_circumstances=None))
        changed(lambda d, i=i: d["assessments"][i].pop("grade", None) and d["assessments"][i].pop("criteria_met",
                                                                                                   None))
    return out


def test_the_compiled_record_check_agrees_with_jsonschema() -> None:
    check = compiled("record")
    if check is None:
        pytest.skip("fastjsonschema is not installed: records are validated by jsonschema alone")
    reference = jsonschema.Draft202012Validator(schema("record"), format_checker=jsonschema.FormatChecker())
    cases = [m for r in _examples() for m in [r, *_mutations(r)]]
    invalid = 0
    for data in cases:
        before = json.dumps(data, sort_keys=True)
        assert check(data) == reference.is_valid(data), json.dumps(data)[:300]
        assert json.dumps(data, sort_keys=True) == before, "the check must not fill in defaults"
        invalid += not reference.is_valid(data)
    assert invalid > len(cases) // 2  # the mutations do reach the invalid side


def test_a_schema_using_a_2020_12_keyword_is_left_to_jsonschema() -> None:
    assert "dependentRequired" in json.dumps(schema("journey"))
    assert compiled("journey") is None


def test_an_invalid_record_still_names_its_line_and_path(tmp_path: Path) -> None:
    record = _plain(EXAMPLES / "st0071-observation-distinction.yaml")
    record["gateway"]["date"] = "2025-02-30"
    path = dump_record(tmp_path, record)
    with pytest.raises(InputError) as caught:
        load_record(path, registry())
    assert "$.gateway.date" in str(caught.value) and f"{path}:" in str(caught.value)


def test_a_valid_history_does_not_parse_the_file_again(monkeypatch: pytest.MonkeyPatch) -> None:
    def where(self: Source, parts: Any) -> str:
        raise AssertionError(f"Source.where({parts}) asked for a valid record")

    monkeypatch.setattr(Source, "where", where)
    record = load_record(EXAMPLES / "st0071-journey.yaml", offering("ST0071", "the standard of examples/st0071-journey.yaml"))
    assert any(a.kind == "resit" for a in record.assessments)


def _rulesets() -> list[Ruleset]:
    """The installed bodies' rulesets (skipping, with the reason, where there are none to index)."""
    found = [r for b in registry().bodies for r in b.body.rulesets]
    if not found:
        pytest.skip("no body is installed, so there is no ruleset to index")
    return found


def test_the_ruleset_indexes_answer_as_a_scan_does() -> None:
    for r in _rulesets():
        for c in r.criteria:
            assert r.criterion(c.id) == next(x for x in r.criteria if x.id == c.id)
        for m in {c.method for c in r.criteria} | {"nothing"}:
            for level in (None, "pass", "distinction", "merit"):
                assert r.criteria_for(m, level) == tuple(
                    c for c in r.criteria if c.method == m and (level is None or c.level == level))
        assert r.criterion("NOT-A-CRITERION") is None
        assert r.method_ids == tuple(m.id for m in r.methods)


def test_an_evolved_ruleset_has_its_own_index() -> None:
    r = _rulesets()[0]
    fewer = attrs.evolve(r, criteria=r.criteria[1:])
    assert fewer.criterion(r.criteria[0].id) is None  # ids are unique in a ruleset (load_ruleset checks)
    assert len(fewer.criteria_for(r.criteria[0].method)) == len(r.criteria_for(r.criteria[0].method)) - 1
    assert fewer != r and attrs.evolve(r) == r


def test_working_days_and_months_agree_with_the_holidays_package_and_dateutil() -> None:
    bank = holidays.country_holidays("GB", subdiv="ENG")
    rng = random.Random(9)
    start = dt.date(workdays.FIRST_YEAR - 3, 1, 1)
    for _ in range(3000):  # inside the precomputed span and either side of it
        day = start + dt.timedelta(days=rng.randrange(366 * (workdays.LAST_YEAR - workdays.FIRST_YEAR + 6)))
        assert workdays.is_working_day(day) == (day.weekday() < 5 and day not in bank), day
        other = day + dt.timedelta(days=rng.randrange(-40, 40))
        low, high = sorted((day, other))
        span = (low + dt.timedelta(days=n) for n in range(1, (high - low).days + 1))
        assert workdays.bank_holidays_between(day, other) == [(d, bank[d]) for d in span
                                                              if d.weekday() < 5 and d in bank]
        months = rng.randrange(-30, 30)
        assert workdays.add_months(day, months) == day + relativedelta(months=months)


def test_whole_months_between_two_dates_agree_with_dateutil() -> None:
    """The cohort engine counts ages and months on programme with whole_months; grading with relativedelta.
    Month ends and leap days are where counting months can go wrong: half the dates are drawn from them."""
    rng = random.Random(11)
    days = [dt.date(2000, 1, 1) + dt.timedelta(days=n) for n in range(366 * 30)]
    edges = [d for d in days if d.day >= 28 or d.day == 1]
    for _ in range(20000):
        later, earlier = (rng.choice(edges if rng.random() < 0.5 else days) for _ in range(2))
        span = relativedelta(later, earlier)
        assert workdays.whole_months(later, earlier) == span.years * 12 + span.months, (later, earlier)
    assert workdays.whole_months(dt.date(2025, 2, 28), dt.date(2008, 2, 29)) == 17 * 12  # a leap-day birthday


def test_ten_working_days_skip_christmas() -> None:
    from epa.model.domain import Offset

    # 19 Dec 2025 (Fri) + 10 working days: 25, 26 Dec and 1 Jan are bank holidays.
    assert workdays.shift(dt.date(2025, 12, 19), Offset(working_days=10)) == dt.date(2026, 1, 7)


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("EPA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("EPA_NO_CACHE", raising=False)
    return tmp_path / "cache"


def _rules_folder() -> Path:
    r = next((r for r in _rulesets() if r.source_file), None)
    if r is None:
        pytest.skip("no installed body loads its rules from files")
    return Path(r.source_file).parent  # type: ignore[arg-type]


def test_rulesets_from_the_cache_equal_those_read_from_the_files(cache_dir: Path) -> None:
    folder = _rules_folder()
    first = rules.load_rulesets(folder)
    assert list(cache_dir.glob("rulesets-*.pickle"))
    again = rules.load_rulesets(folder)
    assert again == first and [r.source_file for r in again] == [r.source_file for r in first]
    assert identical(again, first)  # field by field, of the same types: a tuple is no list, a Grade no str


def identical(a: Any, b: Any, path: str = "$") -> bool:
    """The same value of the same type all the way down (``==`` takes 1 for 1.0 and "pass" for Grade.PASS), the
    fields attrs leaves out of ``==`` (a Ruleset's index of its criteria) included."""
    import attrs

    assert type(a) is type(b), (path, type(a), type(b))
    if attrs.has(type(a)):
        return all(identical(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}") for f in attrs.fields(type(a)))
    if hasattr(type(a), "__slots__") and not isinstance(a, (tuple, str)):  # the index: its slots
        return all(identical(getattr(a, n), getattr(b, n), f"{path}.{n}") for n in type(a).__slots__)
    if isinstance(a, (tuple, list)):
        assert len(a) == len(b), path
        return all(identical(x, y, f"{path}[{i}]") for i, (x, y) in enumerate(zip(a, b, strict=True)))
    if isinstance(a, dict):
        assert list(a) == list(b), path
        return all(identical(a[k], b[k], f"{path}.{k}") and identical(k, k2, path) for k, k2 in zip(a, b, strict=True))
    assert a == b, (path, a, b)
    return True


def test_standards_from_the_cache_equal_those_read_from_the_files(cache_dir: Path) -> None:
    from importlib.resources import files

    for file in sorted(p for p in (files("epa") / "rules" / "standards").iterdir() if p.name.endswith(".yaml")):
        first = rules.load_standard(file)
        assert identical(rules.load_standard(file), first)
    assert list(cache_dir.glob("standard-*.pickle"))


def test_a_corrupt_cache_entry_is_read_again(cache_dir: Path) -> None:
    folder = _rules_folder()
    first = rules.load_rulesets(folder)
    entries = list(cache_dir.glob("rulesets-*.pickle"))
    assert entries
    for entry in entries:
        entry.write_text('[{"body": 1}]' if entry.stat().st_size % 2 else "{not json", encoding="utf-8")
    assert rules.load_rulesets(folder) == first


def test_changed_rules_are_not_served_from_the_cache(cache_dir: Path, tmp_path: Path) -> None:
    import shutil

    folder = shutil.copytree(_rules_folder(), tmp_path / "rules")
    before = rules.load_rulesets(folder)
    changed = next(p for p in sorted(folder.glob("*.yaml")) if not p.name.endswith(rules.JOURNEY_SUFFIX))
    lines = changed.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("title:"))
    head, _, value = lines[at].partition("title:")
    lines[at] = head + "title:" + value.swapcase()  # same size, same second, and still valid YAML
    changed.write_text("".join(lines), encoding="utf-8")
    after = rules.load_rulesets(folder)
    assert {r.document.title for r in after} != {r.document.title for r in before}


def test_epa_no_cache_writes_nothing(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EPA_NO_CACHE", "1")
    rules.load_rulesets(_rules_folder())
    assert cache.key("rulesets") is None and not cache_dir.exists()


def test_an_unwritable_cache_is_no_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("EPA_CACHE_DIR", str(blocker / "cache"))
    assert rules.load_rulesets(_rules_folder())


def test_start_up_imports_only_what_the_command_uses() -> None:
    code = ("import sys, epa.cli; heavy = {'rich', 'jsonschema', 'yaml', 'holidays', 'icalendar', 'cattrs', "
            "'fastjsonschema', 'epa.model.domain', 'epa.engine.explained', 'epa.registry'}; print(sorted(heavy & set(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert done.stdout.strip() == "[]"


def test_the_public_api_is_there_for_plugins() -> None:
    import epa

    assert {"Body", "hookimpl", "load_rulesets", "Grade", "Ruleset"} <= set(dir(epa))
    assert epa.Body.__name__ == "Body" and callable(epa.load_rulesets) and epa.hookimpl.project_name == "epa"
    with pytest.raises(AttributeError):
        epa.NoSuchThing  # noqa: B018


def test_the_cache_keeps_only_the_newest_entries_of_a_kind(cache_dir: Path) -> None:
    for i in range(cache.KEEP + 5):
        cache.put(f"probe-{i:040d}", [i])
    cache.put("other-1", [])
    assert len(list(cache_dir.glob("probe-*.json"))) == cache.KEEP
    assert (cache_dir / "other-1.json").exists() and cache.get(f"probe-{cache.KEEP + 4:040d}") == [cache.KEEP + 4]
