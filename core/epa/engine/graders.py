"""The decisions of every body offering a standard, written out as one Python function for those rulesets.

A cohort runs the same steps for every record and body: each attempt's criteria as bits; for each method, the
attempts counted (each until one is not a fail), each graded from its criteria or by its grade as given; the
combination; the resit rules (the cap as the attempts are read, a window only where one can be missed); gateway
readiness. Written generically, these steps look up each method's attempts and masks, and test, for every record
and body, whether the body asks its own hook, whether a method has a distinction level, and which journey rules
the ruleset has. Written out for the rulesets in force, the record's attempts are read once for every body, each
body's methods unrolled in the loop, and the masks, thresholds and those choices fixed in the text. The text is
kept (``Graders.source``: print it to read what the rulesets run) and shown in tracebacks, each mask commented
with the criterion ids it stands for. Before it is compiled its syntax tree is checked: every name it reads is
defined, and every field it reads of a record or attempt is one the Record and the view of a cohort's line both
have (``UnsoundCode`` otherwise, naming the line); the rules' parts are written by their families
(``epa.rules``).
``tests/test_graders.py`` takes every branch of the template; ``tests/test_decisions.py`` holds the decisions to
``grade``'s for the installed bodies.

For one body whose two methods are graded by the default's rule, the generated ``decide`` reads::

    def decide(record, listed=False):
        g0_0 = g0_1 = None  # each body's grade for each of its methods (body 0, method 0...)
        counted_0 = []  # each body's attempts counted: (attempt, grade)
        failed_0 = again_0 = capped_0 = False  # one it counted failed, was a resit or retake, is capped
        ec0_0 = ec0_1 = False  # the attempt it counted last at each method had exceptional circumstances
        for attempt in record.assessments:
            ids = attempt.criteria_met
            ...  # met: the criteria ids as bits, or None where the attempt gives a grade
            later = (kind := attempt.kind) != 'first'
            ec = attempt.exceptional_circumstances
            method = attempt.method
            if method == 'observation':
                if met is None:  # each distinct default rule the bodies apply to the method, once
                    d0 = attempt.grade
                else:
                    # observation: pass C1, C2, C3; distinction C4, C5 (written after the line: each mask's ids)
                    d0 = FAIL if met & 0x7 != 0x7 else DISTINCTION if (met & 0x18).bit_count() >= 2 else PASS
                if g0_0 is None or g0_0 is FAIL:  # counted until one is not a fail
                    g0_0 = d0
                    counted_0.append((attempt, g0_0))
                    ...  # failed_0, again_0; capped_0 where the cap applies to its kind and is not lifted
                    ec0_0 = ec
            elif method == 'discussion':
                ...
        grades_0 = (g0_0, g0_1)
        ...  # overall_0: the combination, asked of COMBINED_0 where OVERALL_0 has not remembered it
        full_retake_0 = False
        if failed_0 and (again_0 or ...) and MISSED_0(counted_0, again_0):  # a window: the whole EPA again
            overall_0, full_retake_0 = None, True
        elif capped_0 and overall_0 is DISTINCTION:
            overall_0 = PASS
        ready_0 = False not in PROVIDED_0(record.gateway) and not UNMET_0_0(record)
        return [NEW(DECISION, (BODY_0, overall_0, METHODS_0, grades_0, ready_0, capped_0, full_retake_0))]
"""

from __future__ import annotations

import ast
import builtins
import functools
import hashlib
import linecache
import operator
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import attrs
import msgspec

from epa.model.domain import Grade
from epa.rules import grading as component
from epa.rules import history as attempt_history
from epa.rules.workdays import whole_years

# What an ``unmet`` expression may name besides ``record``.
EXPRESSION_NAMES: Mapping[str, Any] = {"WHOLE_YEARS": whole_years}


class CompiledMethod(NamedTuple):
    """How a compiled ruleset grades one method: its id, the bits of its pass and distinction criteria, how
    many distinction criteria a distinction needs, and the body's own grade_component (remembered), if any."""

    id: str
    passes: int
    distinctions: int
    needed: int
    asked: Callable[[int], Grade] | None
    pass_needed: int | None = None  # how many pass criteria a pass needs, where not all (the rule in words says)


class CompiledJourney(NamedTuple):
    """What a compiled ruleset decides beyond the grades, as the generated ``decide`` reads it.

    ``resits(record, counted, failed, again, overall, grades)``: the body's own resit_policy (``asks_resit``), asked
    for every record: (overall, capped, full_retake_required, grades) from the attempts the body counted, (attempt,
    grade) in record order, whether one of them failed and whether one was a resit or retake, and each method's
    grade (lowered where the hook answered nothing and the default caps a method's grade). Otherwise the ruleset's resit
    data is applied in the text: ``cap`` is (the kinds of attempt the cap applies to, whether exceptional
    circumstances lift it), and a distinction is capped at pass where a counted attempt of those kinds is not
    lifted (recorded on it, or on the attempt before it at its method), or, with ``cap_method``, that attempt's own
    distinction is a pass before the combination; ``missed(counted, again)`` says whether a
    window whose miss means the whole EPA again was missed, asked only where a counted attempt failed and either
    a resit or retake was counted or ``spread(record, counted)`` says the attempts span a window counted from the
    first assessment (None: the ruleset has no such window; it is asked only where the record's attempts span at
    least ``spread_days``, the fewest days such a window can). None: the ruleset has no cap, or no window.

    ``gateway(record)``: readiness from the body's own gateway_requirements; else the record is ready unless
    ``provided(record.gateway)`` (a getter of the fields that must not be False) holds False, or one of ``unmet``
    holds: each a predicate, or a Python expression over ``record`` (and ``EXPRESSION_NAMES``) written into the
    text as it stands (``predicate`` makes one a function)."""

    resits: Callable[..., tuple[Grade | None, bool, bool, tuple[Grade | None, ...]]] | None = None
    asks_resit: bool = False
    cap: tuple[tuple[str, ...], bool] | None = None
    cap_method: bool = False  # the cap lowers the capped attempt's own grade, not the overall grade (Cap.caps)
    missed: Callable[[list[tuple[Any, Grade]], bool], bool] | None = None
    spread: Callable[[Any, list[tuple[Any, Grade]]], bool] | None = None
    spread_days: int = 0
    gateway: Callable[[Any], bool] | None = None
    provided: Callable[[Any], tuple[Any, ...]] | None = None
    unmet: Sequence[Callable[[Any], bool] | str] = ()


def predicate(expression: str) -> Callable[[Any], bool]:
    """An ``unmet`` expression as a function of ``record``, evaluated as the written-out text evaluates it."""
    return eval(f"lambda record: {expression}", dict(EXPRESSION_NAMES))  # type: ignore[no-any-return]  # noqa: S307


class Rules(NamedTuple):
    """One body's compiled ruleset, as the written-out code reads it: the body's id, its methods in order, the
    combinations remembered (``overall``) and the combine_grades hook that answers the others (``combined``,
    which remembers its answer there), and its journey rules."""

    body: str
    methods: Sequence[CompiledMethod]
    overall: dict[Any, Grade | None]
    combined: Callable[[tuple[Grade, ...]], Grade | None]
    journey: CompiledJourney


class Graders:
    """The functions written for the rulesets in force for a record (``panel``, in the registry's order), with
    ``bits``: one bit for each criterion id of the standard, and its ``vocabulary``: the ids a record may list.

    - ``grades(record)``: each body's (id, overall grade the combination gives, each method's grade) before the
      resit rules (the overall is None until every method has a grade);
    - ``decide(record, listed=False)``: each body's ``decision`` (``epa.model.results.Decision``): the grades, the
      overall grade after the resit rules, gateway readiness, the cap and a required full retake, as its journey
      says. With ``listed``, the record's criteria ids are checked as they are read as bits, and None is given
      where an attempt repeats one or lists one outside the vocabulary (which the record's schema refuses: a
      caller that has checked everything else leaves this to the bits); without, such an id counts once or not
      at all (a record built in code).

    A record is anything with the Record's attributes these read: ``assessments`` (each attempt's ``method``,
    ``criteria_met``, ``grade`` and ``kind``) and what the journey's callables read.
    """

    def __init__(self, name: str, panel: Sequence[Rules], bits: Mapping[str, int], decision: type,
                 vocabulary: Iterable[str] | None = None):
        known = set(bits) if vocabulary is None else set(vocabulary)
        unlisted = any(c not in known for c in bits)
        named = _named(bits)
        self.source = "\n".join([*_decide(panel, unlisted, named), "", *_grades(panel, named), ""])
        # A file name of its own, its text in linecache: a traceback through these functions shows their lines.
        # (Named by the text, so that the same rules compiled again share one entry rather than add another.)
        filename = f"<epa rules {name} {hashlib.sha256(self.source.encode()).hexdigest()[:12]}>"
        linecache.cache[filename] = (len(self.source), None, self.source.splitlines(True), filename)
        namespace: dict[str, Any] = {
            "FAIL": Grade.FAIL, "PASS": Grade.PASS, "DISTINCTION": Grade.DISTINCTION, "BIT": bits.__getitem__,
            # An id repeated, or one no ruleset knows (a record built in code; a file's is checked): bit by bit.
            "MET": lambda ids: functools.reduce(operator.or_, (bits.get(c, 0) for c in ids), 0),
            # A Decision made as its generated __new__ makes it, without that Python call: a third of the time.
            "DECISION": decision, "NEW": tuple.__new__, **EXPRESSION_NAMES,
            # The bits of ids a ruleset knows that a record may not list (none, as a rule).
            "UNLISTED": functools.reduce(operator.or_, (bit for c, bit in bits.items() if c not in known), 0)}
        for b, rules in enumerate(panel):
            journey = rules.journey
            namespace.update({
                f"BODY_{b}": rules.body, f"METHODS_{b}": tuple(m.id for m in rules.methods),
                **{f"ASKED_{b}_{k}": m.asked for k, m in enumerate(rules.methods)},
                f"OVERALL_{b}": rules.overall, f"COMBINED_{b}": rules.combined, f"RESITS_{b}": journey.resits,
                f"SPREAD_{b}": journey.spread, f"MISSED_{b}": journey.missed,
                f"GATEWAY_{b}": journey.gateway, f"PROVIDED_{b}": journey.provided,
                **{f"UNMET_{b}_{k}": unmet for k, unmet in enumerate(journey.unmet) if not isinstance(unmet, str)}})
        code = compile(_checked(self.source, filename, namespace), filename, "exec")
        exec(code, namespace)  # noqa: S102 (our own text, from numbers and ids, checked by _checked)
        self.decide: Callable[..., list[Any] | None] = namespace["decide"]
        self.grades: Callable[[Any], list[tuple[str, Grade | None, tuple[Grade | None, ...]]]] = namespace["grades"]


class UnsoundCode(ValueError):
    """The text written for a set of rulesets reads a name it does not define, or a field a record does not have
    (a rule naming a field the record schema lacks): refused when compiled, not found by a record that reaches it."""


# What the written text reads a record as: each name it reads fields of, and the types of record it may be
# (the attrs Record, or the view of one a cohort's line is decoded to), by the path from the record.
_READ_AS: Mapping[str, tuple[str, ...]] = {"record": (), "attempt": ("assessments", "[]")}


def _path(node: ast.expr) -> tuple[str, tuple[str, ...]] | None:
    """A chain of fields read from a name (``record.assessments[-1].date``): the name and each step ("[]": an
    item of a sequence); None for anything else."""
    steps: list[str] = []
    while isinstance(node, ast.Attribute | ast.Subscript):
        steps.append(node.attr if isinstance(node, ast.Attribute) else "[]")
        node = node.value
    return (node.id, tuple(reversed(steps))) if isinstance(node, ast.Name) else None


@functools.cache
def _hints(of: type) -> dict[str, Any]:
    return typing.get_type_hints(of)


def _field(of: Any, step: str) -> Any:
    """The type of ``step`` read from a value of type ``of``: None where it is read but not followed (a property
    or method, a value the record schema does not type further); LookupError where it is not there."""
    args = [a for a in typing.get_args(of) if a is not type(None)]
    if isinstance(of, types.UnionType) or typing.get_origin(of) is typing.Union:
        of = args[0] if len(args) == 1 else None
    if step == "[]":
        return typing.get_args(of)[0] if typing.get_origin(of) in (list, tuple) else None
    if not isinstance(of, type) or not (attrs.has(of) or issubclass(of, msgspec.Struct)):
        return None
    hints = _hints(of)
    if step in hints:
        return hints[step]
    if hasattr(of, step):
        return None
    raise LookupError(step)


def _reads(root: str, steps: tuple[str, ...]) -> None:
    """Check that each type of record has every field of ``root`` + ``steps`` (LookupError: one it lacks)."""
    from epa.inputs.fastrecord import RecordView
    from epa.model.domain import Record

    for of in (Record, RecordView):
        for step in (*_READ_AS[root], *steps):
            if of is not None:
                of = _field(of, step)


def _checked(source: str, filename: str, namespace: Mapping[str, Any]) -> ast.Module:
    """The written text's syntax tree, once every name it reads is defined (by the text, ``namespace`` or the
    builtins) and every field it reads of a record or attempt is one both the Record and the view of one have.
    (One walk of the tree: it is made once per set of rules in force, and a cohort's run waits for it.)"""
    tree = ast.parse(source, filename)
    defined = set(namespace) | set(dir(builtins))
    read: list[ast.Name] = []
    fields: dict[tuple[str, tuple[str, ...]], ast.Attribute] = {}  # each chain read, and where first
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Store):
                defined.add(node.id)
            else:
                read.append(node)
        elif isinstance(node, ast.Attribute):
            found = _path(node)
            if found is not None and found[0] in _READ_AS:
                fields.setdefault(found, node)
        elif isinstance(node, ast.FunctionDef):
            defined.add(node.name)
            defined.update(a.arg for a in node.args.args)
    lines = source.splitlines()
    for name in read:
        if name.id not in defined:
            raise UnsoundCode(f"{filename} line {name.lineno} reads {name.id}, which it does not define: "
                              f"{lines[name.lineno - 1].strip()}")
    for (root, steps), node in fields.items():
        try:
            _reads(root, steps)
        except LookupError as missing:
            shown = ".".join(steps).replace(".[]", "[]")
            raise UnsoundCode(f"{filename} line {node.lineno} reads {root}.{shown}, but a record has no field "
                              f"{missing}: {lines[node.lineno - 1].strip()}") from None
    return tree


def _default_grade(method: CompiledMethod) -> str:
    """The default's rule for the method (``defaults.grade_component``), as ``epa.rules.grading`` writes it."""
    return component.expression(method.passes, method.distinctions, method.needed, method.pass_needed)


def _named(bits: Mapping[str, int]) -> Callable[[int], str]:
    """The criterion ids a mask stands for, in bit order, as a comment beside it names them."""
    by_bit = sorted((bit, c) for c, bit in bits.items())

    def named(mask: int) -> str:
        return ", ".join(c for bit, c in by_bit if mask & bit) or "none"
    return named


def _masks(method: CompiledMethod, named: Callable[[int], str]) -> str:
    """A comment naming the criteria each mask of the method's rule stands for."""
    distinctions = f"distinction {named(method.distinctions)}" if method.distinctions else "no distinction criteria"
    return f"  # {method.id}: pass {named(method.passes)}; {distinctions}"


def _loop(panel: Sequence[Rules], named: Callable[[int], str], *, history: bool, unlisted: bool = False) -> list[str]:
    """The record's attempts read once: each body's grade for each of its methods as ``g<body>_<method>``; with
    ``history``, also each body's ``counted_<body>`` (attempt, grade), ``failed_<body>``, ``again_<body>`` (a
    resit or retake was counted) and ``capped_<body>`` (one its cap applies to, not lifted), and with ``listed``
    (an argument of ``decide``) None where an id is repeated or outside the vocabulary (``unlisted``: a ruleset
    knows such an id)."""
    capping = history and any(_cap(rules)[0] for rules in panel)  # the kind of attempt is asked
    lifting = history and any(_cap(rules)[1] for rules in panel)  # its exceptional circumstances are
    lines = []
    for b, rules in enumerate(panel):
        grades = [f"g{b}_{k}" for k in range(len(rules.methods))]
        if grades:
            lines.append(f"    {' = '.join(grades)} = None")
        if history:
            lines += [f"    counted_{b} = []", f"    failed_{b} = again_{b} = capped_{b} = False"]
            if _cap(rules)[1] and grades:  # whether each method's attempt counted last had exceptional circumstances
                lines.append(f"    {' = '.join(f'ec{b}_{k}' for k in range(len(grades)))} = False")
    lines += ["    for attempt in record.assessments:",
              "        ids = attempt.criteria_met",
              "        if ids is None:",
              "            met = None",
              "        else:",
              "            try:  # a sum is an or when no id repeats: as many bits as ids says none did",
              "                met = sum(map(BIT, ids))",
              "                if met.bit_count() != len(ids)" + (" or (listed and met & UNLISTED)" if unlisted else "")
              + ":",
              "                    raise KeyError",
              "            except KeyError:"]
    if history:
        lines += ["                if listed:",
                  "                    return None  # an id repeated, or one a record may not list"]
    lines.append("                met = MET(ids)")
    if history:
        lines.append("        later = (kind := attempt.kind) != 'first'" if capping else
                     "        later = attempt.kind != 'first'")
    if lifting:
        lines.append("        ec = attempt.exceptional_circumstances")
    lines.append("        method = attempt.method")
    # Each method any body grades, once, in the order the bodies first list them; under it, each body grading it.
    graded: dict[str, list[tuple[int, int, CompiledMethod]]] = {}
    for b, rules in enumerate(panel):
        for k, method in enumerate(rules.methods):
            graded.setdefault(method.id, []).append((b, k, method))
    for n, (method_id, by) in enumerate(graded.items()):
        lines.append(f"        {'if' if n == 0 else 'elif'} method == {method_id!r}:")
        # The attempt's grade under each distinct default rule the bodies apply (most share one), worked out once.
        shared: dict[str, str] = {}
        masks: dict[str, str] = {}  # each rule's comment: the criterion ids its masks stand for
        for _, _, method in by:
            if method.asked is None:
                rule = _default_grade(method)
                shared.setdefault(rule, f"d{len(shared)}")
                masks.setdefault(rule, _masks(method, named))
        if shared:
            lines += ["            if met is None:", f"                {' = '.join(shared.values())} = attempt.grade",
                      "            else:"]
            lines += [f"                {name} = {rule}{masks[rule]}" for rule, name in shared.items()]
        for b, k, method in by:
            grade = f"g{b}_{k}"
            counts = attempt_history.counts_expression(grade)
            lines.append(f"            if {counts}:  # counted until one is not a fail")
            if method.asked is None:
                lines.append(f"                {grade} = {shared[_default_grade(method)]}")
            else:
                lines += ["                if met is None:", f"                    {grade} = attempt.grade",
                          "                else:",
                          f"                    {grade} = ASKED_{b}_{k}(met)  # the body's own grade_component"]
            if history:
                lines += [f"                counted_{b}.append((attempt, {grade}))",
                          f"                if {grade} is FAIL:", f"                    failed_{b} = True",
                          "                if later:", f"                    again_{b} = True"]
                kinds, lift = _cap(panel[b])
                if kinds:
                    lines += [f"                    if {attempt_history.capping_test(kinds, lift, f'ec{b}_{k}')}:",
                              f"                        capped_{b} = True"]
                    if panel[b].journey.cap_method:
                        lines += attempt_history.attempt_cap_lines(grade)
                if lift:
                    lines.append(f"                ec{b}_{k} = ec")
    return lines


def _cap(rules: Rules) -> tuple[tuple[str, ...], bool]:
    """The kinds of attempt (other than a first) the body's cap applies to, as the text applies it, and whether
    exceptional circumstances lift it: none where the body has no cap or asks its own resit_policy."""
    cap = rules.journey.cap
    if cap is None or rules.journey.asks_resit:
        return (), False
    kinds = attempt_history.capping_kinds(cap[0])
    return kinds, bool(kinds) and cap[1]


def _combination(b: int, rules: Rules) -> list[str]:
    """``grades_<b>`` and ``overall_<b>``: the combination's answer, None until every method has a grade."""
    names = [f"g{b}_{k}" for k in range(len(rules.methods))]
    grades = "(" + ", ".join(names) + ("," if len(names) == 1 else "") + ")"
    missing = " or ".join(f"{name} is None" for name in names) or "False"
    return [f"    grades_{b} = {grades}", f"    if {missing}:", f"        overall_{b} = None", "    else:",
            f"        overall_{b} = OVERALL_{b}.get(grades_{b}, OVERALL_{b})",
            f"        if overall_{b} is OVERALL_{b}:", f"            overall_{b} = COMBINED_{b}(grades_{b})"]


def _grades(panel: Sequence[Rules], named: Callable[[int], str]) -> list[str]:
    lines = ["def grades(record):", *_loop(panel, named, history=False)]
    for b, rules in enumerate(panel):
        lines += _combination(b, rules)
    found = ", ".join(f"(BODY_{b}, overall_{b}, grades_{b})" for b in range(len(panel)))
    return [*lines, f"    return [{found}]"]


def _journey(b: int, journey: CompiledJourney) -> list[str]:
    """Body ``b``'s resit rules and readiness: ``overall_<b>`` after them, ``capped_<b>`` (from the loop, unless
    the body asks its own resit_policy), ``full_retake_<b>`` and ``ready_<b>``."""
    lines = [f"    full_retake_{b} = False"]
    if journey.resits is not None and journey.asks_resit:
        lines += [f"    overall_{b}, capped_{b}, full_retake_{b}, grades_{b} = RESITS_{b}(record, counted_{b}, "
                  f"failed_{b}, again_{b}, overall_{b}, grades_{b})  # the body's own resit_policy"]
    else:
        # Only a fail opens a window; without a resit or retake, only a window counted from the first assessment
        # governs any attempt (the others govern resits and retakes). A window missed, the cap does not matter.
        capped = "if"
        if journey.missed is not None:
            span = "(record.assessments[-1].date - record.assessments[0].date).days"
            spread = (f" or ({span} >= {int(journey.spread_days)} and SPREAD_{b}(record, counted_{b}))"
                      if journey.spread is not None else "")
            lines += [f"    if failed_{b} and (again_{b}{spread}) and MISSED_{b}(counted_{b}, again_{b}):",
                      f"        overall_{b}, full_retake_{b} = None, True"]
            capped = "elif"
        if journey.cap is not None and not journey.cap_method:  # a method's cap was applied in the loop
            lines += attempt_history.cap_lines(capped, f"capped_{b}", f"overall_{b}")
    if journey.gateway is not None:
        ready = f"GATEWAY_{b}(record)  # the body's own gateway_requirements"
    else:
        tests = [f"False not in PROVIDED_{b}(record.gateway)"] if journey.provided is not None else []
        tests += [f"not ({unmet})" if isinstance(unmet, str) else f"not UNMET_{b}_{k}(record)"
                  for k, unmet in enumerate(journey.unmet)]
        ready = " and ".join(tests) or "True"
    return [*lines, f"    ready_{b} = {ready}"]


def _decide(panel: Sequence[Rules], unlisted: bool, named: Callable[[int], str]) -> list[str]:
    lines = ["def decide(record, listed=False):", *_loop(panel, named, history=True, unlisted=unlisted)]
    for b, rules in enumerate(panel):
        lines += [*_combination(b, rules), *_journey(b, rules.journey)]
    made = ", ".join(f"NEW(DECISION, (BODY_{b}, overall_{b}, METHODS_{b}, grades_{b}, ready_{b}, capped_{b}, "
                     f"full_retake_{b}))" for b in range(len(panel)))
    return [*lines, f"    return [{made}]"]
