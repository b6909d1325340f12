"""Grading a component: a missing pass criterion fails, distinctions are counted, more never lowers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from epa import contracts
from epa.conformance import witness
from epa.conformance.checks.base import (
    RANK,
    CheckedBody,
    Failure,
    check,
    everything,
)
from epa.model.domain import Grade
from epa.rules.grading import Thresholds

# --- grading a component -----------------------------------------------------------------------------------


@check("missing-pass-fails", "a method missing any one pass criterion (or, where its rule needs only some, one "
       "short of that many) fails, with every distinction criterion or none, and names the criterion missing; what a "
       "method's grade says is missing or met is so")
def missing_pass_fails(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    for method in r.method_ids:
        yield from _untold(s, method)
        passes = r.criteria_for(method, "pass")
        rule = r.component_rules.get(method)
        # Where the rule in words needs only some of them, one short of that many: every pass criterion from the
        # one missing on, so that each is named missing once.
        short = max(1, len(passes) - rule.pass_threshold + 1) if rule and rule.pass_threshold else 1
        only_passes = frozenset(p.id for p in passes)
        for i, c in enumerate(passes):
            others = {p.id for p in (passes[i + 1:] + passes[:i])[:short - 1]}
            met = everything(r, method) - {c.id} - others
            got = s.component(method, met)
            if got.grade == Grade.FAIL:
                # and with no distinction criterion: a hook lenient only to an apprentice who met none of them
                # passed, as the one short with every distinction criterion is all that was asked
                bare = only_passes - {c.id} - others
                if (alone := s.component(method, bare)).grade != Grade.FAIL:
                    met, got = bare, alone
            if got.grade != Grade.FAIL:
                missing = f"pass criteria {', '.join(sorted(others | {c.id}))}" if others else f"pass criterion {c.id}"
                none = "" if met & frozenset(d.id for d in r.criteria_for(method, "distinction")) or \
                    not r.criteria_for(method, "distinction") else " and no distinction criterion met"
                yield s.failure(f"{method} graded {got.grade} with {missing} missing{none}",
                                _expected(s, "fail", f"{c.id} is a pass criterion of {method}", c.citation),
                                _at_fault(s, f"$.criteria[{r.criteria.index(c)}]"),
                                witness.criteria(s.body_id, r, {method: met}))
            elif c.id not in got.pass_missing:  # an apprentice told "fail" must be told what to meet
                entry = "grade_component" if "grade_component" in s.loaded.own_hooks else \
                    f"$.criteria[{r.criteria.index(c)}]"
                yield s.failure(f"{method} graded fail with pass criterion {c.id} missing, but its pass_missing "
                                f"{list(got.pass_missing)} does not name it", f"pass_missing naming {c.id}",
                                entry, witness.criteria(s.body_id, r, {method: met}))


def _untold(s: CheckedBody, method: str) -> Iterator[Failure]:
    """What a method's grade tells the apprentice is so: its pass_missing are pass criteria not met, distinction_met
    distinction criteria met, distinction_missing distinction criteria not met (the explanation lists each as the
    body's finding). Asked with nothing met, every pass criterion, and everything; the first untruth is shown."""
    r = s.rules
    passes = frozenset(c.id for c in r.criteria_for(method, "pass"))
    distinctions = frozenset(c.id for c in r.criteria_for(method, "distinction"))
    for met in (frozenset(), passes, passes | distinctions):
        got = s.component(method, met)
        for field, _, _, untrue in contracts.listed_untrue(r, method, met, got):
            what = WHAT[field]
            entry = "grade_component" if "grade_component" in s.loaded.own_hooks else f"$.component_rules.{method}"
            more = f" and {len(untrue) - 3} more" if len(untrue) > 3 else ""
            yield s.failure(f"{method} with {len(met)} of its criteria met is graded {got.grade.value}, its "
                            f"{field} naming {', '.join(untrue[:3])}{more}: not {what}",
                            f"{field} naming only {what.replace('a ', 'each ', 1)}", entry,
                            witness.criteria(s.body_id, r, {method: met}))
            return


# What each list of a grade must name (``contracts.LISTS``), as the failure says it.
WHAT = {"pass_missing": "a pass criterion the record misses", "distinction_met": "a distinction criterion it meets",
        "distinction_missing": "a distinction criterion it misses"}


@check("distinction-count", "with every pass criterion, a method's grade follows the count of distinction criteria "
       "met: pass below the threshold (all of them when none is set), distinction from it, whichever they are")
def distinction_count(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    for method in r.method_ids:
        passes = frozenset(c.id for c in r.criteria_for(method, "pass"))
        distinctions = [c.id for c in r.criteria_for(method, "distinction")]
        rule = r.component_rules.get(method)
        needed = rule.distinction_threshold if rule and rule.distinction_threshold else len(distinctions)
        # The first k in the document's order, then (a threshold below all of them) each other window of the
        # threshold's count, wrapping round: a hook needing particular ones, where the rules say "any N", shows.
        counts = [(k, distinctions[:k]) for k in range(len(distinctions) + 1)]
        counts += [(needed, (distinctions[i:] + distinctions[:i])[:needed])
                   for i in range(1, len(distinctions) if needed < len(distinctions) else 0)]
        for k, chosen in counts:
            met = passes | frozenset(chosen)
            want = Grade.DISTINCTION if distinctions and k >= needed else Grade.PASS
            got = s.grade_component(method, met)
            if got != want:
                entry = _at_fault(s, f"$.component_rules.{method}" if rule else "$.criteria")
                which = f" ({', '.join(chosen)})" if 0 < k < len(distinctions) else ""
                yield s.failure(f"{method}: all pass criteria and {k} of {len(distinctions)} distinction criteria"
                                f"{which} graded {got}",
                                _expected(s, f"{want} ({needed} needed)", f"the rule for a distinction in {method}",
                                          Thresholds.of(r, method).citation),
                                entry, witness.criteria(s.body_id, r, {method: met}))


@check("more-criteria-never-lower", "meeting one more criterion never lowers a method's grade (a sweep from "
       "nothing, all pass criteria and everything, then a property-based search)")
def more_never_lower(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    for method in r.method_ids:
        found = _lowering_sweep(s, method) or _lowering_search(s, method)
        if found is None:
            continue
        met, extra = found
        more = met | {extra}
        yield s.failure(f"{method}: meeting {extra} as well lowers the grade from "
                        f"{s.grade_component(method, met)} to {s.grade_component(method, more)} "
                        f"(the record meets {sorted(more)})", "a grade no lower than without it",
                        _at_fault(s, f"$.criteria[{[c.id for c in r.criteria].index(extra)}]"),
                        witness.criteria(s.body_id, r, {method: more}))


def _at_fault(s: CheckedBody, entry: str) -> str:
    """What gave the grade a failure shows: the plugin's own grade_component where it has one (its file and line,
    not the data's entry, which it need not read), else the data's entry the default read."""
    return "grade_component" if "grade_component" in s.loaded.own_hooks else entry


def _expected(s: CheckedBody, grade: str, rule: str, citation: str) -> str:
    """The grade expected, and, where the plugin's own hook gave another, the rule it broke and where the document
    states it (the data's entry, named otherwise, cites it)."""
    return f"{grade}: {rule}, as {citation} states" if "grade_component" in s.loaded.own_hooks else grade


def _lowers(s: CheckedBody, method: str, met: frozenset[str], extra: str) -> bool:
    return RANK[s.grade_component(method, met | {extra})] < RANK[s.grade_component(method, met)]


def _lowering_sweep(s: CheckedBody, method: str) -> tuple[frozenset[str], str] | None:
    every = everything(s.rules, method)
    passes = frozenset(c.id for c in s.rules.criteria_for(method, "pass"))
    for base in (frozenset(), passes, every):
        for extra in sorted(every):
            if _lowers(s, method, base - {extra}, extra):
                return base - {extra}, extra
    return None


def _lowering_search(s: CheckedBody, method: str) -> tuple[frozenset[str], str] | None:
    """Hypothesis, deterministic and without a database, finds and shrinks a counterexample."""
    from hypothesis import HealthCheck, find, settings
    from hypothesis import strategies as st
    from hypothesis.errors import NoSuchExample

    ids = sorted(everything(s.rules, method))
    quiet = settings(database=None, derandomize=True, max_examples=60, deadline=None,
                     suppress_health_check=list(HealthCheck))
    try:
        with _storage_of_its_own():
            met, extra = find(st.tuples(st.frozensets(st.sampled_from(ids)), st.sampled_from(ids)),
                              lambda case: _lowers(s, method, *case), settings=quiet)
    except NoSuchExample:
        return None
    return met, extra


@contextlib.contextmanager
def _storage_of_its_own() -> Iterator[None]:
    """A folder of its own, removed after, for what Hypothesis stores as it searches: with no database it still
    keeps the constants it collects from local modules in .hypothesis/ under the working folder, and `epa
    conformance` run in an author's or a provider's folder left one there. Where a later Hypothesis names its
    folder otherwise, its own default stands (the search is the same)."""
    import shutil
    import tempfile

    try:
        from hypothesis.configuration import set_hypothesis_home_dir
        folder = tempfile.mkdtemp(prefix="epa-conformance-")
    except (ImportError, OSError):  # (no temporary folder to be had: Hypothesis's own copes with failing to write)
        yield
        return
    set_hypothesis_home_dir(folder)
    try:
        yield
    finally:
        set_hypothesis_home_dir(None)  # (back to HYPOTHESIS_STORAGE_DIRECTORY, else the default)
        shutil.rmtree(folder, ignore_errors=True)
