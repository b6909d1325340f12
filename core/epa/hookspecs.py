"""The hooks a body plugin may implement.

Each installed body gets its own plugin manager holding the core defaults
(``epa.defaults``, registered ``trylast``) and that body's plugin, so a body
overrides a hook simply by implementing it: for ``firstresult`` hooks the
body's answer wins and the default is never called. A body implements only
what its document changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pluggy

from epa.model.domain import Body, Grade, Record, Ruleset, Standard
from epa.model.results import ComponentResult, Deadline, GradedAttempt, Outcome, Requirement, ResitDecision

hookspec = pluggy.HookspecMarker("epa")


@hookspec(firstresult=True)
def register_body() -> Body:
    """Describe the awarding body this plugin encodes.

    Return an :class:`epa.Body`: its id (the plugin's entry-point name, e.g.
    ``"tqual"``), display name, and the rulesets it ships, usually loaded from
    the plugin's own data files with :func:`epa.load_rulesets`. One ruleset per
    standard and document version.

    Called once, when the body is loaded. First result wins; there is no
    default, so every body plugin must implement it.
    """


@hookspec
def register_standards() -> list[Standard]:
    """Define standards the core does not know, so that this body can ship rules for them.

    Return a list of :class:`epa.Standard`: the methods, grade scale and
    criterion vocabulary every body offering the standard shares, usually
    loaded with :func:`epa.load_standard`. A definition of a standard the core
    (or another plugin) already defines must be identical, or loading fails
    naming both. Called once, when the body is loaded; all results are
    collected. Default: none (the core defines ST0071 and ST0072).
    """


@hookspec(firstresult=True)
def grade_component(
    ruleset: Ruleset, method: str, criteria_met: frozenset[str]
) -> ComponentResult:
    """Grade one assessment method from the criteria the apprentice met.

    ``ruleset`` is the body's rules in force for the record; ``method`` one of
    ``ruleset.method_ids``; ``criteria_met`` the ids met in that method that
    the body assesses there (the core has already set aside, with a note, ids
    this body does not assess in this method).

    Return an :class:`epa.ComponentResult` for ``method`` (its ``method`` field
    that method: an answer about another is the plugin's failure) whose steps
    cite the rules applied. The answer must depend on the arguments alone: a
    cohort's engine (``epa.engine.compiled``) asks once per distinct set of
    criteria and reuses it,
    and explaining (``epa.engine.plans``) remembers it, steps included.
    First result wins. Default: pass when every pass criterion is met (or as
    many as ``ruleset.component_rules[method].pass_threshold`` says);
    distinction when, as well, every distinction criterion is met, or as many
    as ``ruleset.component_rules[method].distinction_threshold`` says.
    """


@hookspec(firstresult=True)
def combine_grades(ruleset: Ruleset, components: Mapping[str, Grade]) -> Outcome:
    """Combine one grade per method into the overall EPA grade.

    ``components`` maps every method id of ``ruleset`` to its grade (the core
    calls this only once every method has a grade).

    Return an :class:`epa.Outcome` whose steps cite the rules applied.
    The answer must depend on the arguments alone: a cohort's engine asks
    once per combination of grades and reuses it, and explaining
    (``epa.engine.plans``) remembers it, steps included.
    First result wins. Default: the first row of ``ruleset.combination.rows``
    that matches, in printed order; where the printed table has no row, the
    rule in words the ruleset states as data (``rule_in_words.decides``), or
    without it the core's default pattern (any fail fails; all distinctions
    make a distinction; otherwise a pass), cited to the
    ruleset's ``combination.rule_in_words``. A body's own implementation is
    described (``epa plugins``, ``epa consistency``, explanations) as its own
    rule, quoting ``rule_in_words.text``, and compared by what it gives.
    """


@hookspec
def gateway_requirements(ruleset: Ruleset, record: Record) -> list[Requirement]:
    """List what the apprentice needs at gateway with this body, evaluated against the record.

    Return a list of :class:`epa.Requirement`: id, name, whether it is
    mandatory (its ``strength``: mandatory, recommended or optional, and
    ``stage``: gateway or before_assessment), its status (``met``, ``unmet``,
    ``unknown`` when the record holds no evidence, ``deferred`` when the
    document defers to someone else, ``not_applicable``), what was found and
    the citation. ``mandatory`` is True exactly where ``strength`` is
    mandatory: an answer whose two disagree is the plugin's failure
    (``epa.contracts.requirement_disagrees``). All results are collected and
    concatenated, so a body adds requirements its data cannot state. Default:
    the ``gateway`` list of the ruleset's journey rules, evaluated.
    """


@hookspec
def deadlines(ruleset: Ruleset, record: Record) -> list[Deadline]:
    """List the dates the body's document sets for this record, outside resits.

    Return a list of :class:`epa.Deadline`: the date (None when the record
    lacks the date it counts from, named in ``needs``), and whether the record
    shows it ``met``, ``missed`` or still ``open``, or ``unknown`` naming in
    ``needs`` the date the verdict needs; a deadline whose date, status and
    needs disagree is the plugin's failure (``epa.contracts.deadline_disagrees``),
    one in a resit decision's deadlines too. All results are collected
    and concatenated. Default: the ``deadlines`` of the ruleset's journey
    rules, each counted from its anchor with working days that skip England
    and Wales bank holidays.
    """


@hookspec(firstresult=True)
def resit_policy(ruleset: Ruleset, record: Record, history: Sequence[GradedAttempt]) -> ResitDecision | None:
    """Apply the body's rules for what follows a fail to the record's attempt history.

    ``history`` is every attempt the body counts, in date order, each with the
    grade this body gives it (a resit after a pass is already set aside).
    Return an :class:`epa.ResitDecision`: whether the overall grade is capped,
    whether a missed window means the whole EPA must be taken again, the cited
    steps, and the resit, retake and rework deadlines. First result wins:
    None is no answer, and the default then decides the history exactly as
    for a body without the hook (a cap on a method's own grade lowers that
    method's grade before the combination). Default: the ``resit`` rules of the ruleset's journey, or ``None`` when the
    body encodes none, which the core reports rather than guessing.
    """
