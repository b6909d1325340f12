"""A later document version stored as its predecessor plus cited changes (``based_on``, ``document``,
``changes``), and ``epa diff``: what changed between two versions of one body's rules.

Every ruleset here is written to a tmp_path rules folder, so these tests hold whichever bodies are installed.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import attrs
import pytest
import yaml

import epa
from epa import cli
from epa.errors import InputError
from epa.registry import Registry
from epa.rules import versions
from epa.testing import fails, make_plugin, ok_json, registry, run

CITE = "acme-st0071.txt § 3 Criteria"
LOG = "acme-st0071.txt § Version history"

BASE = f"""\
body: acme
standard: ST0071
level: 3
document: {{file: acme-st0071.txt, title: Acme EPA Specification, publisher: Acme Assessment, version: '1.0',
            sha256: null, effective_from: '2024-01-01', effective_from_citation: '{LOG}'}}
methods:
- {{id: observation, name: Observation, citation: '{CITE}'}}
- {{id: project, name: Project, citation: '{CITE}'}}
- {{id: discussion, name: Discussion, citation: '{CITE}'}}
criteria:
- {{id: K1.1, method: observation, level: pass, text: Observes one, citation: '{CITE}'}}
- {{id: K1.2, method: observation, level: distinction, text: Observes two, citation: '{CITE}'}}
- {{id: K1.3, method: project, level: pass, text: Projects one, citation: '{CITE}'}}
- {{id: K1.4, method: project, level: distinction, text: Projects two, citation: '{CITE}'}}
- {{id: K2.1, method: discussion, level: pass, text: Discusses one, citation: '{CITE}'}}
- {{id: K2.2, method: discussion, level: distinction, text: Discusses two, citation: '{CITE}'}}
component_rules:
  project: {{text: Two distinctions needed, citation: '{CITE}', distinction_threshold: 1}}
combination:
  citation: '{CITE}'
  complete: false
  rows:
  - {{when: {{observation: fail, project: any, discussion: any}}, overall: fail, citation: '{CITE}'}}
  - {{when: {{observation: pass, project: pass, discussion: pass}}, overall: pass, citation: '{CITE}'}}
  rule_in_words: {{text: Any fail fails., citation: '{CITE}'}}
ambiguities:
- {{id: acme-garbled, citation: '{CITE}', text_says: 'x | y', reading: x then y, why: the table is garbled}}
"""

HEAD = f"""\
based_on: ST0071-v1.0.yaml
document:
  file: acme-st0071.txt
  title: Acme EPA Specification
  publisher: Acme Assessment
  version: '1.1'
  sha256: null
  effective_from: '2024-05-01'
  effective_from_citation: '{LOG}'
changes:
"""


def folder(tmp_path: Path, changes: str, head: str = HEAD, name: str = "ST0071-v1.1.yaml") -> Path:
    """A rules folder: the whole V1.0 and a version file of these changes (YAML list items)."""
    rules = tmp_path / "rules"
    rules.mkdir(exist_ok=True)
    (rules / "ST0071-v1.0.yaml").write_text(BASE, encoding="utf-8")
    (rules / name).write_text(head + textwrap.dedent(changes), encoding="utf-8")
    return rules / name


def change(op: str, path: str, value: object = None, **more: object) -> str:
    """One change as a YAML list item, cited."""
    item: dict[str, object] = {"op": op, "path": path, **({"value": value} if value is not None else {}), **more}
    item.update(citation=LOG, says=f"the change log: {op} {path}")
    return yaml.safe_dump([item], sort_keys=False, width=1000)


def ids(r: epa.Ruleset) -> list[tuple[str, str, str]]:
    return [(c.id, c.method, c.level) for c in r.criteria]


# --- the loader applies set, add and remove ------------------------------------------------------------------


def test_set_a_field_of_an_entry_named_by_id(tmp_path):
    r = epa.load_ruleset(folder(tmp_path, change("set", "criteria[K1.2].method", "discussion")))
    assert r.criterion("K1.2").method == "discussion"
    assert [c.id for c in r.criteria] == ["K1.1", "K1.2", "K1.3", "K1.4", "K2.1", "K2.2"]  # in place
    assert r.document.version == "1.1" and r.based_on == "1.0"
    (c,) = r.changes
    assert (c.op, c.path, c.value, c.entry, c.citation) == ("set", "criteria[K1.2].method", "discussion", "K1.2", LOG)
    assert c.says == "the change log: set criteria[K1.2].method"


def test_set_a_whole_entry_a_ruleset_field_a_row_by_position_and_a_component_rule(tmp_path):
    k11 = {"id": "K1.1", "method": "observation", "level": "pass", "text": "Observes one, reworded", "citation": CITE}
    r = epa.load_ruleset(folder(tmp_path, change("set", "criteria[K1.1]", k11) + change("set", "level", 4)
                                + change("set", "combination.rows[1].overall", "distinction")
                                + change("set", "component_rules.project.distinction_threshold", 2)))
    assert r.criterion("K1.1").text == "Observes one, reworded"
    assert r.level == 4
    assert r.combination.rows[1].overall == epa.Grade.DISTINCTION
    assert r.component_rules["project"].distinction_threshold == 2
    assert [c.entry for c in r.changes] == ["K1.1", None, "observation=pass project=pass discussion=pass", "project"]


def test_add_entries_at_the_end_before_and_after_and_new_fields(tmp_path):
    def crit(cid: str, method: str) -> dict:
        return {"id": cid, "method": method, "level": "pass", "text": f"{cid} words", "citation": CITE}

    row = {"when": {"observation": "distinction", "project": "distinction", "discussion": "distinction"},
           "overall": "distinction", "citation": CITE}
    r = epa.load_ruleset(folder(tmp_path, change("add", "criteria", crit("K2.3", "discussion"))
                                + change("add", "criteria", crit("K2.4", "project"), before="K1.3")
                                + change("add", "criteria", crit("K2.5", "observation"), after="K1.1")
                                + change("add", "combination.rows", row, after=0)
                                + change("add", "criteria[K1.1].note", "a note")
                                + change("add", "component_rules.observation", {"text": "All", "citation": CITE})))
    assert [c.id for c in r.criteria] == ["K1.1", "K2.5", "K1.2", "K2.4", "K1.3", "K1.4", "K2.1", "K2.2", "K2.3"]
    assert [x.overall for x in r.combination.rows] == ["fail", "distinction", "pass"]
    assert r.criterion("K1.1").note == "a note"
    assert r.component_rules["observation"].text == "All"
    assert r.changes[1].before == "K1.3" and r.changes[3].after == "0"
    assert [c.entry for c in r.changes][:3] == ["K2.3", "K2.4", "K2.5"]


def test_remove_an_entry_and_an_optional_field(tmp_path):
    r = epa.load_ruleset(folder(tmp_path, change("remove", "criteria[K1.4]") + change("remove", "ambiguities[acme-garbled]")
                                + change("remove", "component_rules.project.distinction_threshold")))
    assert r.criterion("K1.4") is None
    assert r.ambiguities == ()
    assert r.component_rules["project"].distinction_threshold is None
    assert [c.entry for c in r.changes] == ["K1.4", "acme-garbled", "project"]


def test_a_move_as_remove_then_add_puts_the_entry_where_the_new_version_prints_it(tmp_path):
    moved = {"id": "K1.2", "method": "discussion", "level": "pass", "text": "Observes two", "citation": CITE}
    r = epa.load_ruleset(folder(tmp_path, change("remove", "criteria[K1.2]")
                                + change("add", "criteria", moved, after="K2.1")))
    assert ids(r)[3:5] == [("K2.1", "discussion", "pass"), ("K1.2", "discussion", "pass")]


def test_a_chain_of_versions_is_resolved_and_each_records_its_own_changes(tmp_path):
    path = folder(tmp_path, change("set", "criteria[K1.2].level", "pass"))
    head = HEAD.replace("ST0071-v1.0.yaml", "ST0071-v1.1.yaml").replace("'1.1'", "'1.2'").replace("2024-05", "2024-09")
    (path.parent / "ST0071-v1.2.yaml").write_text(head + change("remove", "criteria[K2.2]"), encoding="utf-8")
    rulesets = {r.document.version: r for r in epa.load_rulesets(path.parent)}
    assert sorted(rulesets) == ["1.0", "1.1", "1.2"]
    v12 = rulesets["1.2"]
    assert v12.based_on == "1.1" and [c.path for c in v12.changes] == ["criteria[K2.2]"]
    assert v12.criterion("K1.2").level == "pass" and v12.criterion("K2.2") is None
    assert v12.source_file.endswith("ST0071-v1.2.yaml")
    assert epa.load_ruleset(path.parent / "ST0071-v1.2.yaml") == v12  # one file on its own loads the same
    # what load_rulesets gives is what a plugin's body lists, oldest first
    body = epa.Body(id="acme", name="Acme", rulesets=tuple(rulesets.values()))
    assert [r.document.version for r in body.rulesets_for("ST0071")] == ["1.0", "1.1", "1.2"]


def test_a_version_file_with_no_changes_in_effect_equals_its_predecessor_but_for_its_document(tmp_path):
    path = folder(tmp_path, change("set", "criteria[K1.1].text", "Observes one"))
    v10, v11 = sorted(epa.load_rulesets(path.parent), key=lambda r: r.document.version)
    strip = {"document": None, "source_file": None, "based_on": None, "changes": ()}
    assert attrs.evolve(v10, **strip) == attrs.evolve(v11, **strip)


# --- errors name the version file, the line and the change --------------------------------------------------


def where(path: Path, key: str, index: int = 0) -> re.Pattern[str]:
    """``<file>:<line>:<col>: $.changes[<index>].<key>: ``, where that change's key's value starts."""
    root = yaml.compose(path.read_text(encoding="utf-8"))
    changes = next(v for k, v in root.value if k.value == "changes")
    node = next(v for k, v in changes.value[index].value if k.value == key)
    mark = node.start_mark
    return re.compile(rf"^{re.escape(str(path))}:{mark.line + 1}:{mark.column + 1}: \$\.changes\[{index}\]\.{key}: ")


BAD = [
    # (changes, the change's key at fault, what the message says, the hint)
    pytest.param(change("set", "criteria[K9.9].method", "project"), "path",
                 "set criteria[K9.9].method: criteria has no entry with id 'K9.9'", "K1.1", id="unknown-id"),
    pytest.param(change("set", "criteria[K1.1].methd", "project"), "path",
                 "criteria[K1.1] has no field 'methd'", "did you mean 'method'?", id="unknown-field"),
    pytest.param(change("set", "critera[K1.1].text", "x"), "path", "no field 'critera'",
                 "did you mean 'criteria'?", id="unknown-root"),
    pytest.param(change("set", "document.version", "2"), "path", "'document' cannot be changed", None,
                 id="document"),
    pytest.param(change("set", "criteria.K1", "x"), "path", "criteria is a list: name one of its entries in brackets",
                 None, id="list-named-by-dot"),
    pytest.param(change("set", "criteria[K1.1", "x"), "path", "a [ is not closed", None, id="unclosed"),
    pytest.param(change("set", "combination.rows[5].overall", "pass"), "path",
                 "combination.rows has 2 entries, so no [5]", None, id="position-out-of-range"),
    pytest.param(change("set", "combination.rows[first].overall", "pass"), "path",
                 "the entries of combination.rows have no ids", None, id="rows-by-id"),
    pytest.param(change("add", "criteria", {"id": "K1.1", "method": "project", "level": "pass", "text": "t",
                                            "citation": CITE}), "value",
                 "criteria already has an entry with id 'K1.1'", None, id="add-an-id-already-there"),
    pytest.param(change("add", "criteria[K1.1].text", "t"), "path", "criteria[K1.1].text is already there", None,
                 id="add-a-field-already-there"),
    pytest.param(change("add", "criteria", {"id": "K2.3", "method": "project", "level": "pass", "text": "t",
                                            "citation": CITE}, after="K9.9"), "after",
                 "criteria has no entry with id 'K9.9'", None, id="after-an-unknown-id"),
    pytest.param(change("set", "criteria[K1.1].text", "t", before="K1.2"), "before",
                 "before places an entry that add inserts", None, id="before-with-set"),
    pytest.param(change("remove", "criteria[K1.1]", "x"), "value", "remove takes no value", None,
                 id="remove-with-a-value"),
    pytest.param(change("set", "criteria[K1.1].note", "x"), "path", "(to give it one, use op add)", None,
                 id="set-a-field-not-there"),
    pytest.param(change("set", "criteria[K1.1].level", "passs"), "value",
                 "set criteria[K1.1].level leaves the ruleset invalid: criteria[K1.1].level: 'passs' is not allowed",
                 "did you mean 'pass'?", id="invalid-value"),
    pytest.param(change("remove", "criteria[K1.1].text"), "path",
                 "leaves the ruleset invalid: criteria[K1.1]: 'text' is a required property", None,
                 id="remove-a-required-field"),
    pytest.param(change("set", "criteria[K1.1].method", "interview"), "value",
                 "leaves the ruleset invalid: criteria[K1.1].method: criterion names method 'interview', which the "
                 "ruleset does not declare", None, id="undeclared-method"),
]


@pytest.mark.parametrize("changes,key,says,hint", BAD)
def test_a_bad_change_is_an_input_error_naming_file_line_and_change(tmp_path, changes, key, says, hint):
    path = folder(tmp_path, changes)
    with pytest.raises(InputError) as info:
        epa.load_ruleset(path)
    assert where(path, key).match(info.value.render()), info.value.render()
    assert says in info.value.message
    if hint:
        assert hint in (info.value.hint or "")


def test_the_change_named_is_the_one_that_made_the_ruleset_invalid(tmp_path):
    # the first change is fine; the second removes the only discussion criteria's method
    changes = change("set", "criteria[K1.1].text", "fine") + change("remove", "methods[discussion]")
    path = folder(tmp_path, changes)
    with pytest.raises(InputError) as info:
        epa.load_ruleset(path)
    assert where(path, "path", index=1).match(info.value.render()), info.value.render()
    assert info.value.message == ("remove methods[discussion] leaves the ruleset invalid: criteria[K2.1].method: "
                                  "criterion names method 'discussion', which the ruleset does not declare")


def test_a_change_an_earlier_one_makes_invalid_and_a_later_one_mends_is_not_blamed(tmp_path):
    # removing K1.1 then adding it back is fine, whatever the ruleset looked like in between
    k11 = {"id": "K1.1", "method": "project", "level": "pass", "text": "t", "citation": CITE}
    r = epa.load_ruleset(folder(tmp_path, change("remove", "criteria[K1.1]") + change("add", "criteria", k11)))
    assert r.criterion("K1.1").method == "project"


def test_based_on_a_cycle_is_refused(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    for name, other in (("a.yaml", "b.yaml"), ("b.yaml", "a.yaml")):
        (rules / name).write_text(HEAD.replace("ST0071-v1.0.yaml", other) + change("remove", "criteria[K1.1]"))
    with pytest.raises(InputError) as info:
        epa.load_rulesets(rules)
    assert info.value.message == "based_on makes a cycle: a.yaml → b.yaml → a.yaml"
    assert re.match(rf"^{re.escape(str(rules / 'b.yaml'))}:1:\d+: \$\.based_on$", info.value.where)


def test_based_on_itself_is_a_cycle(tmp_path):
    path = folder(tmp_path, change("remove", "criteria[K1.1]"), head=HEAD.replace("ST0071-v1.0.yaml", "ST0071-v1.1.yaml"))
    with pytest.raises(InputError, match="based_on makes a cycle: ST0071-v1.1.yaml → ST0071-v1.1.yaml"):
        epa.load_ruleset(path)


def test_based_on_a_file_that_is_not_there(tmp_path):
    path = folder(tmp_path, change("remove", "criteria[K1.1]"), head=HEAD.replace("ST0071-v1.0.yaml", "ST0071-v1.O.yaml"))
    with pytest.raises(InputError) as info:
        epa.load_ruleset(path)
    assert "based_on names 'ST0071-v1.O.yaml', which is not a ruleset file" in info.value.message
    assert info.value.hint == "did you mean 'ST0071-v1.0.yaml'?"
    assert info.value.where.startswith(f"{path}:1:")


@pytest.mark.parametrize("head,field,says", [
    pytest.param(HEAD + change("remove", "criteria[K1.1]") + "methods: []\n", "methods",
                 "a version file holds only based_on, document, changes and log; 'methods' comes from ST0071-v1.0.yaml",
                 id="a-whole-ruleset-field"),
    pytest.param(HEAD.replace("'1.1'", "'1.0'"), "document.version", "version '1.0' is ST0071-v1.0.yaml's too",
                 id="the-same-version"),
    pytest.param(HEAD.replace("2024-05-01", "2023-12-01"), "document.effective_from",
                 "effective_from 2023-12-01 is not after ST0071-v1.0.yaml's (2024-01-01)", id="not-later"),
    pytest.param(HEAD.replace("  effective_from: '2024-05-01'\n", ""), "document",
                 "'effective_from' is a required property", id="no-effective-date"),
    pytest.param(HEAD.replace("based_on: ST0071-v1.0.yaml\n", ""), "changes",
                 "changes belong to a version file, which names the ruleset it changes: add based_on", id="no-based-on"),
])
def test_a_bad_version_file(tmp_path, head, field, says):
    body = "" if "methods: []" in head else change("remove", "criteria[K1.1]")
    path = folder(tmp_path, body, head=head)
    with pytest.raises(InputError) as info:
        epa.load_ruleset(path)
    assert says in info.value.message
    assert re.match(rf"^{re.escape(str(path))}:\d+:\d+: \$\.{re.escape(field)}$", info.value.where), info.value.where


def test_the_schema_documents_the_version_file_form():
    from epa.inputs.documents import schema

    ruleset = schema("ruleset")
    assert {"based_on", "changes"} <= set(ruleset["properties"])
    change_def = ruleset["$defs"]["change"]
    assert change_def["properties"]["op"]["enum"] == ["set", "add", "remove"]
    for example in ("criteria[S1.5].method", "combination.rows[2].overall"):
        assert example in ruleset["properties"]["changes"]["description"]


# --- diff -------------------------------------------------------------------------------------------------


def both(tmp_path: Path, changes: str) -> tuple[epa.Ruleset, epa.Ruleset]:
    path = folder(tmp_path, changes)
    older, newer = sorted(epa.load_rulesets(path.parent), key=lambda r: r.document.version)
    return older, newer


def kinds(found: list[dict]) -> list[tuple[str, str]]:
    return [(d["kind"], d["id"]) for d in found]


EVERYTHING = (change("set", "criteria[K1.2].method", "discussion") + change("set", "criteria[K2.1].text", "Talks")
              + change("remove", "criteria[K1.4]")
              + change("add", "criteria", {"id": "K2.3", "method": "project", "level": "pass", "text": "New",
                                           "citation": CITE})
              + change("set", "combination.rows[1].overall", "distinction")
              + change("add", "combination.rows", {"when": {"observation": "pass", "project": "pass",
                                                            "discussion": "distinction"},
                                                   "overall": "pass", "citation": CITE})
              + change("set", "component_rules.project.distinction_threshold", 2)
              + change("set", "methods[project].name", "Work-based project")
              + change("set", "ambiguities[acme-garbled].reading", "y then x")
              + change("add", "ambiguities", {"id": "acme-new", "citation": CITE, "text_says": "?", "reading": "r",
                                              "why": "w"})
              + change("set", "combination.complete", True)
              + change("set", "level", 4))


def test_diff_lists_every_kind_of_change_each_with_the_change_declared(tmp_path):
    older, newer = both(tmp_path, EVERYTHING)
    found = versions.diff(older, newer)
    assert kinds(found) == [
        ("document", "version"), ("document", "effective_from"), ("level", "level"),
        ("method_renamed", "project"),
        ("criterion_moved", "K1.2"), ("criterion_reworded", "K2.1"), ("criterion_added", "K2.3"),
        ("criterion_removed", "K1.4"),
        ("threshold_changed", "project"),
        ("combination_changed", "complete"),
        ("combination_row_changed", "observation=pass project=pass discussion=pass"),
        ("combination_row_added", "observation=pass project=pass discussion=distinction"),
    ]
    # the recorded ambiguities are the encoders' readings, not the document: bookkeeping beside the differences
    assert kinds(versions.readings_changed(older, newer)) == [("ambiguity_changed", "acme-garbled"),
                                                               ("ambiguity_added", "acme-new")]
    by = {(d["kind"], d["id"]): d for d in found}
    moved = by["criterion_moved", "K1.2"]
    assert (moved["from"], moved["to"]) == ({"method": "observation", "level": "distinction"},
                                            {"method": "discussion", "level": "distinction"})
    assert moved["citation"] == CITE
    assert moved["declared"] == [{"op": "set", "path": "criteria[K1.2].method", "citation": LOG,
                                  "says": "the change log: set criteria[K1.2].method"}]
    assert by["threshold_changed", "project"]["from"] == 1 and by["threshold_changed", "project"]["to"] == 2
    assert by["combination_row_changed", "observation=pass project=pass discussion=pass"]["to"] == "distinction"
    assert by["document", "effective_from"]["citation"] == LOG
    # every change the file declares to the rules is behind some difference
    declared = {c["path"] for d in found for c in d["declared"]}
    assert declared == {c.path for c in newer.changes if not c.path.startswith("ambiguities")}


def test_diff_of_versions_stored_as_whole_files_finds_the_same_differences(tmp_path):
    older, newer = both(tmp_path, EVERYTHING)
    whole = tmp_path / "whole.yaml"
    data = yaml.safe_load(BASE)
    stored = yaml.safe_load((tmp_path / "rules" / "ST0071-v1.1.yaml").read_text())
    for c in stored["changes"]:
        versions.apply_change(data, c)
    data["document"] = stored["document"]
    whole.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    as_file = epa.load_ruleset(whole)
    assert as_file.changes == () and as_file.based_on is None
    found = versions.diff(older, as_file)
    assert kinds(found) == kinds(versions.diff(older, newer))
    assert all(d["declared"] == [] for d in found)


def test_diff_of_a_version_with_itself_is_empty(tmp_path):
    older, newer = both(tmp_path, EVERYTHING)
    assert versions.diff(newer, newer, [older, newer]) == []
    assert versions.diff(older, older) == []


def test_diff_backwards_lists_the_reverse_and_declares_nothing(tmp_path):
    older, newer = both(tmp_path, change("set", "criteria[K1.2].method", "discussion"))
    found = versions.diff(newer, older, [older, newer])
    assert kinds(found) == [("document", "version"), ("document", "effective_from"), ("criterion_moved", "K1.2")]
    assert found[2]["to"] == {"method": "observation", "level": "distinction"}
    assert all(d["declared"] == [] for d in found)


def test_diff_across_a_chain_cites_every_file_between(tmp_path):
    path = folder(tmp_path, change("set", "criteria[K1.2].method", "discussion"))
    head = HEAD.replace("ST0071-v1.0.yaml", "ST0071-v1.1.yaml").replace("'1.1'", "'1.2'").replace("2024-05", "2024-09")
    (path.parent / "ST0071-v1.2.yaml").write_text(head + change("remove", "criteria[K2.2]"), encoding="utf-8")
    v10, v11, v12 = sorted(epa.load_rulesets(path.parent), key=lambda r: r.document.version)
    found = {d["id"]: d for d in versions.diff(v10, v12, [v10, v11, v12])}
    assert [c["path"] for c in found["K1.2"]["declared"]] == ["criteria[K1.2].method"]  # from v1.1's file
    assert [c["path"] for c in found["K2.2"]["declared"]] == ["criteria[K2.2]"]  # from v1.2's file
    # without the file between, v1.2's own changes do not reach back to v1.0
    assert all(d["declared"] == [] for d in versions.diff(v10, v12, [v10, v12]))


def test_a_declared_change_that_changes_nothing_compared_is_listed_on_its_own(tmp_path):
    older, newer = both(tmp_path, change("add", "criteria[K1.1].note", "an encoder's note"))
    found = versions.diff(older, newer)
    assert kinds(found)[-1] == ("declared", "K1.1")
    assert found[-1]["declared"][0]["path"] == "criteria[K1.1].note"


# --- epa diff ---------------------------------------------------------------------------------------------


@pytest.fixture
def acme(tmp_path, monkeypatch):
    """`epa` with one body, acme, whose rules are V1.0 and V1.1 = V1.0 + EVERYTHING (none of the installed)."""
    path = folder(tmp_path, EVERYTHING)
    plugin = make_plugin("acme", epa.load_rulesets(path.parent))
    monkeypatch.setattr(cli, "_load", lambda only, keep_going=False: Registry([("acme", plugin)]))
    return path


def test_epa_diff_json_matches_its_schema_and_cites_the_declared_changes(acme):
    data = ok_json("diff", "--body", "acme", "--from", "1.0", "--to", "1.1", definition="diff")
    assert (data["body"], data["standard"]) == ("acme", "ST0071")
    assert (data["from"]["version"], data["to"]["version"], data["to"]["based_on"]) == ("1.0", "1.1", "1.0")
    moved = next(d for d in data["differences"] if d["kind"] == "criterion_moved")
    assert moved["id"] == "K1.2" and moved["declared"][0]["citation"] == LOG


def test_epa_diff_table_shows_each_difference_and_its_declared_change(acme):
    result = run("diff", "--body", "acme", "--from", "1.0", "--to", "1.1")
    assert result.exit_code == 0, result.stderr
    assert "acme ST0071: v1.0 → v1.1 (v1.1 is stored as v1.0 plus changes)" in result.stdout
    assert result.stdout.count("criterion_moved") == 1 and "K1.2 moves" in result.stdout
    assert "set criteria[K1.2].method" in result.stdout  # brackets are shown, not read as markup


def test_epa_diff_of_a_version_with_itself(acme):
    assert ok_json("diff", "--body", "acme", "--from", "1.1", "--to", "1.1", definition="diff")["differences"] == []
    assert "no differences" in run("diff", "--body", "acme", "--from", "1.1", "--to", "1.1").stdout


@pytest.mark.parametrize("args,says,hint", [
    (["--body", "acm", "--from", "1.0", "--to", "1.1"], "unknown body 'acm'", "did you mean 'acme'?"),
    (["--body", "acme", "--from", "1.O", "--to", "1.1"], "acme has no document version '1.O' for ST0071",
     "did you mean"),
    (["--body", "acme", "--from", "1.0", "--to", "2.0"], "acme has no document version '2.0'", "did you mean"),
    (["--body", "acme", "--from", "1.0", "--to", "1.1", "--standard", "ST0072"], "acme does not offer ST0072",
     "did you mean 'ST0071'?"),
])
def test_epa_diff_bad_input_exits_2_with_a_hint(acme, args, says, hint):
    stderr = fails("diff", *args)
    assert says in stderr and f"hint: {hint}" in stderr


def test_epa_diff_on_the_installed_bodies_needs_a_known_body():
    known = [b.body.id for b in registry().bodies]
    stderr = fails("diff", "--body", "no_such_body", "--from", "1", "--to", "2")
    assert "unknown body 'no_such_body'" in stderr
    if not known:
        pytest.skip("no body installed to diff")
    loaded = registry().bodies[0]
    standard = loaded.body.standards[0]
    newest = loaded.ruleset(standard).document.version
    data = ok_json("diff", "--body", loaded.body.id, "--standard", standard, "--from", newest, "--to", newest,
                   definition="diff")
    assert data["differences"] == []


# --- a version's readings are held as a whole ruleset's are ---------------------------------------------------

NEEDED_AT = {"id": "acme-placed", "citation": CITE, "text_says": "K1.2", "reading": "a distinction criterion",
             "why": "the methods table places it under the discussion", "criteria": ["K1.2"],
             "criteria_otherwise": "needed_at", "needed_at": {"method": "discussion", "level": "pass"}}


def reading(**over: object) -> dict:
    """NEEDED_AT with these fields given otherwise (None: left out)."""
    return {k: v for k, v in {**NEEDED_AT, **over}.items() if v is not None}


@pytest.mark.parametrize(("changes", "said", "at"), [
    # V1.0's reading (K1.2 needed at the discussion, read otherwise) made void by V1.1 moving K1.2 there as a pass
    # criterion: no record tells the two readings apart any more
    (change("add", "ambiguities", NEEDED_AT) + change("set", "criteria[K1.2]", {
        "id": "K1.2", "method": "discussion", "level": "pass", "text": "Observes two", "citation": CITE}),
     "K1.2 is a pass criterion of discussion already", "$.changes[1].value"),
    (change("add", "ambiguities", reading(needed_at=None)),
     "criteria_otherwise needed_at names no needed_at", "$.changes[0].value"),
    (change("add", "ambiguities", reading(criteria=["K1.2", "K2.2"], criteria_otherwise="alternatives", needed_at=None,
                                          criteria_sets=[["K1.2"], ["K1.2", "K2.2"]])),
     "the sets hold ['K1.2', 'K1.2', 'K2.2'], not the reading's criteria", "$.changes[0].value"),
])
def test_a_version_files_readings_are_held_to_needed_at_and_criteria_sets(tmp_path, changes, said, at):
    """A version stored as changes (Gateway Qualifications' V1.1) is held, once resolved, to what a whole ruleset's
    readings are (a needed_at where the criterion is not needed as much already, criteria_sets dividing the
    criteria): as it loads, and in check-rules, at the change that broke it. (Held on 6b31b37 already: the brief's
    gap was not found; this keeps it.)"""
    path = folder(tmp_path, changes)
    with pytest.raises(InputError) as info:
        epa.load_rulesets(path.parent)
    assert said in info.value.message and info.value.place is not None and info.value.place.path == at
    checked = run("check-rules", "--sources", str(tmp_path), str(path))
    assert checked.exit_code == 1 and said in checked.stdout
