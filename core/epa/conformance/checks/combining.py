"""Combining components: any fail fails, the printed table decides, better never lowers, the rule in words agrees."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from epa.conformance import witness
from epa.conformance.checks.base import (
    RANK,
    CheckedBody,
    Failure,
    NotChecked,
    Skip,
    check,
    combinations,
    show,
)
from epa.model.domain import Grade, OverallInWords, Ruleset
from epa.rules import combination

# --- combining components ----------------------------------------------------------------------------------


@check("any-fail-fails", "a fail in any method fails the EPA, and only a fail does")
def any_fail_fails(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    for combo in combinations(s.rules):
        failed = Grade.FAIL in combo.values()
        got = s.combine(combo)
        if failed != (got == Grade.FAIL):
            entry = _row_entry(s, combo, got)
            expected = "fail" if failed else "pass or distinction"
            if entry == "combine_grades":  # the hook at fault: the rule it broke, where the document states it
                row = next((row for row in r.combination.rows if row.matches(dict(combo))), None)
                cited = row.citation if row is not None else r.combination.rule_in_words.citation
                expected += f": {'a fail in any method fails' if failed else 'only a fail fails'}, as {cited} states"
            yield s.failure(f"{show(combo)} gives {got}", expected, entry, witness.recorded(s.body_id, r, combo))


@check("table", "the combination table decides every combination, and no two rows that match one disagree "
       "(a table the ruleset calls complete has a row for each)")
def table(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    for combo in combinations(r):
        rows = [i for i, row in enumerate(r.combination.rows) if row.matches(combo)]
        overalls = {r.combination.rows[i].overall for i in rows}
        if len(overalls) > 1:
            yield s.failure(f"{show(combo)} matches {_rows(r, rows)}", "rows that agree",
                            f"$.combination.rows[{rows[1]}]", witness.recorded(s.body_id, r, combo))
        if not rows and r.combination.complete:
            yield s.failure(f"no row of the table matches {show(combo)}, but the ruleset says the table is "
                            "complete", "a row for every combination, or complete: false with the gap recorded",
                            "$.combination.rows", witness.recorded(s.body_id, r, combo))
        got = s.combine(combo)
        if got is None:
            yield s.failure(f"{show(combo)} is left undecided", "an overall grade", "combine_grades",
                            witness.recorded(s.body_id, r, combo))
        elif len(overalls) == 1 and got not in overalls:
            # A printed row decides it, whatever decides: a combine_grades of the plugin's own that gives another
            # grade contradicts the document's own table (the default takes the row, so only a hook can).
            (printed,) = overalls
            yield s.failure(f"{show(combo)} gives {got.value}, where row {rows[0] + 1} of the table, counting from 1 "
                            f"($.combination.rows[{rows[0]}]), gives {printed.value}",
                            f"{printed.value}, as the printed row says", "combine_grades",
                            witness.recorded(s.body_id, r, combo))


@check("better-never-lowers-overall", "a better grade in one method never lowers the overall grade")
def better_never_lowers(s: CheckedBody) -> Iterator[Failure]:
    r = s.rules
    overall = {tuple(c.values()): s.combine(c) for c in combinations(r)}
    for combo in combinations(r):
        for method, grade in combo.items():
            if grade == Grade.DISTINCTION:
                continue
            better = {**combo, method: Grade.DISTINCTION if grade == Grade.PASS else Grade.PASS}
            before, after = overall[tuple(combo.values())], overall[tuple(better.values())]
            if before and after and RANK[after] < RANK[before]:
                yield s.failure(f"{show(combo)} gives {before}, but with {method} {better[method]} it gives {after}",
                                f"at least {before}", _row_entry(s, better, after),
                                witness.recorded(s.body_id, r, better))


@check("rule-in-words", "the rule in words, the data that decides the combinations no printed row covers "
       "(rule_in_words.decides) and a combine_grades hook of the plugin's own agree")
def rule_in_words(s: CheckedBody) -> Iterator[Failure]:
    from epa.conformance.words import stated, unread

    r = s.rules
    words, methods = r.combination.rule_in_words, r.method_ids
    said = stated(words.text)
    hooked = "combine_grades" in s.loaded.own_hooks
    sentence = unread(words.text)
    if sentence is not None and not (hooked and words.decides):
        raise NotChecked(f"not checked: the rule in words states a count of methods this check cannot read "
                         f"(“{sentence}”; it reads “at least N methods”, “N or more methods”, “all methods”), so "
                         "nothing holds it to what decides: state it in rule_in_words.decides and see that the "
                         "explanations say what the document says")
    if said is None and not (hooked and words.decides):
        raise Skip("nothing to hold together: the rule in words states no count of methods this check reads"
                   + ("" if words.decides or not hooked else
                      ", and the plugin's combine_grades states its rule in code alone (state it as data in "
                      "rule_in_words.decides where the vocabulary can, and this check holds the hook to it)"))
    if said is not None and (words.decides is not None or not hooked):
        rule, phrase = said
        combo = next((c for c in combinations(r) if rule.decide(c) != words.rule.decide(c)), None)
        if combo is not None:
            data = "its data decides" if words.decides else "without decides it is read as the core's default pattern"
            yield s.failure(f"the rule in words says “{phrase}” ({rule.says(methods)}), but {data}: "
                            f"{words.rule.says(methods)}; {show(combo)} gives {words.rule.decide(combo).value}",
                            f"decides: {_decides(rule)}, as the text says (or a text that says what decides)",
                            "$.combination.rule_in_words.decides" if words.decides else
                            "$.combination.rule_in_words", witness.recorded(s.body_id, r, combo))
    if not hooked:
        return
    # The hook against the rule the ruleset states: its data where it has decides, else what the text says.
    if words.decides is not None:
        stated_as = f"the ruleset's rows and rule in words ({words.rule.says(methods)})"
    else:
        assert said is not None  # (the Skip above)
        stated_as = f"the rule in words “{said[1]}” ({said[0].says(methods)})"

    def want(c: dict[str, Grade]) -> Grade:
        if words.decides is None and said is not None:
            return said[0].decide(c)
        return combination.decide(r.combination, c)

    differ = [(c, got) for c in combinations(r) if (got := s.combine(c)) != want(c)]
    if differ:
        combo, got = differ[0]
        more = f" ({len(differ)} combinations differ)" if len(differ) > 1 else ""
        yield s.failure(f"the plugin's combine_grades gives {got.value if got else got} for {show(combo)}, where "
                        f"{stated_as} gives {want(combo).value}{more}", "a hook that decides as its rule in words "
                        "says", "combine_grades", witness.recorded(s.body_id, r, combo))


def _decides(rule: OverallInWords) -> str:
    """The rule as a ruleset writes it in rule_in_words.decides."""
    distinction = (f"{{methods: [{', '.join(rule.methods)}]}}" if rule.methods is not None else
                   f"{{at_least: {rule.at_least}}}" if rule.at_least is not None else "all")
    return f"{{fail: any, distinction: {distinction}}}"


def _rows(r: Ruleset, rows: list[int]) -> str:
    """Rows of the table as its author counts them, in order, each with the grade it gives: "rows 1 (distinction)
    and 6 (fail) of the table, counting from 1 ($.combination.rows[0], [5])"."""
    said = [f"{i + 1} ({r.combination.rows[i].overall.value})" for i in rows]
    listed = ", ".join(said[:-1]) + f" and {said[-1]}" if len(said) > 1 else said[0]
    paths = ", ".join(f"[{i}]" for i in rows[1:])
    return f"rows {listed} of the table, counting from 1 ($.combination.rows[{rows[0]}]{', ' + paths if paths else ''})"



def _row_entry(s: CheckedBody, combo: Mapping[str, Grade], got: Grade | None) -> str:
    """What decided a combination's grade: the first row that matches it where that row gives the grade, else a
    combine_grades hook of the plugin's own, else the row, else the rule in words the default applies."""
    rows = s.rules.combination.rows
    row = next((i for i, row in enumerate(rows) if row.matches(dict(combo))), None)
    if row is not None and rows[row].overall == got:
        return f"$.combination.rows[{row}]"
    if "combine_grades" in s.loaded.own_hooks:
        return "combine_grades"
    return f"$.combination.rows[{row}]" if row is not None else "$.combination.rule_in_words"
