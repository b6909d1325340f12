"""Combination: how the methods' grades make the overall grade (the default ``combine_grades``).

The first row of the document's combination table that matches the grades decides; where no row matches (the
document prints no table, or an incomplete one), the document's rule in words, stated as data
(``OverallInWords``: a fail in any method fails, then a distinction where its methods are), decides. Stated
here once: ``decide`` gives the overall grade, ``explain`` the cited steps (which printed row, or why the rule in
words decides), and ``table`` every combination's grade, worked out once, for the cohort's compiled code to look
up (``epa.engine.compiled``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence

from epa.model.domain import Combination, CombinationRow, Grade, OverallInWords, Ruleset
from epa.model.results import Outcome, Step


def _printed_rows(rows: Sequence[CombinationRow]) -> Iterator[tuple[int, CombinationRow]]:
    """Number rows as the document prints them: consecutive encoded rows with the same printed text
    (one printed row such as "a fail in any method fails" encoded once per method) share a number."""
    number, previous = 0, None
    for row in rows:
        if row.printed is None or row.printed != previous:
            number += 1
        previous = row.printed
        yield number, row


def matching(combination: Combination, grades: Mapping[str, Grade]) -> tuple[int, CombinationRow] | None:
    """The first row of the table that matches one grade per method, with its printed number; None: no row does,
    and the rule in words decides."""
    components = dict(grades)
    return next(((number, row) for number, row in _printed_rows(combination.rows) if row.matches(components)), None)


def decide(combination: Combination, grades: Mapping[str, Grade]) -> Grade:
    """The overall grade of one grade per method."""
    found = matching(combination, grades)
    return found[1].overall if found else combination.rule_in_words.rule.decide(dict(grades))


def table(ruleset: Ruleset) -> dict[tuple[Grade, ...], Grade | None]:
    """``decide`` for every combination of grades, keyed by the grades in the ruleset's method order (at most
    3^methods)."""
    methods = ruleset.method_ids
    return {grades: decide(ruleset.combination, dict(zip(methods, grades, strict=True)))
            for grades in itertools.product(tuple(Grade), repeat=len(methods))}


def explain(ruleset: Ruleset, components: Mapping[str, Grade]) -> Outcome:
    """The default ``combine_grades``: the grade ``decide`` gives, with its cited steps."""
    combination = ruleset.combination
    overall = decide(combination, components)
    shown = ", ".join(f"{m}={components[m]}" for m in ruleset.method_ids)
    found = matching(combination, components)  # which row decided, for the words
    if found is not None:
        number, row = found
        printed = f" (“{' '.join(row.printed.split())}”)" if row.printed else ""
        return Outcome(overall, (Step(f"{shown}: printed row {number} of the combination table{printed} gives "
                                      f"{overall}{_reading(ruleset, components)}", row.citation),))
    words = combination.rule_in_words
    if not combination.rows:
        gap = "the document prints no combination table for"
    elif not combination.complete:
        gap = "the printed table is incomplete: it has no row for"
    else:
        gap = "no row of the table matches"
    return Outcome(overall, (
        Step(f"{shown}: {gap} this combination", combination.citation),
        Step(f"the document's rule in words decides: {overall}{_why(words.rule, components, ruleset.method_ids)} "
             f"(“{words.text}”){_reading(ruleset, components, by_words=True)}", words.citation),
    ))


# An ambiguity's ``rules`` naming the combination table.
COMBINATION = "combination"


def _reading(ruleset: Ruleset, components: Mapping[str, Grade], by_words: bool = False) -> str:
    """Where the grade of ``components`` is the tool's reading (a recorded ambiguity about the table, ``rules:
    [combination]``, names this combination among those its reading decides), words saying so, naming the
    ambiguity: of a garbled or ambiguous table's printed row, or (``by_words``) of the rule in words applied where
    no row is printed; '' where the document decides it plainly."""
    grades = dict(components)
    named = [a.id for a in ruleset.ambiguities if COMBINATION in a.rules and grades in a.combinations]
    if not named:
        return ""
    what = ("the document does not say plainly which grade this combination gives: the rule in words gives it on "
            "the tool's reading" if by_words else
            "the document's table does not print this combination plainly: the row is the tool's reading of it")
    return f"; {what} (ambiguity {', '.join(named)}, shown by `epa ambiguities`)"


def _why(rule: OverallInWords, components: Mapping[str, Grade], methods: tuple[str, ...]) -> str:
    """Why a rule in words other than every method's distinction gives its grade (that one says it itself)."""
    if rule.every_method or Grade.FAIL in components.values():
        return ""
    if rule.methods is not None:
        named = ", ".join(f"{m} {components[m]}" for m in rule.methods)
        return f", as {named} (distinction in {' and '.join(rule.methods)} needed)"
    count = sum(components[m] == Grade.DISTINCTION for m in methods)
    return f", as {count} of the {len(methods)} methods {'is' if count == 1 else 'are'} distinction " \
           f"({rule.at_least} needed)"
