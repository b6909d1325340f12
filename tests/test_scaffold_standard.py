"""Issue 20, the scaffold starts from the standard: `epa plugin new` writes the standard's criterion ids in the
methods and at the levels its cited lists place them, or (`--from BODY`) an installed body's catalogue, each entry
marked for the author to confirm; its README installs the core from where it was installed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from test_author_kit import fill_in, load
from test_plugin_new import generate

from conftest import ROOT, any_body
from epa import cli, conformance, scaffold
from epa.registry import core_standards
from epa.rules.sources import normalise
from epa.testing import fails, ok_json, registry, run, source_text

KIT = "002_a4f677c7c4e5fdb6.txt"  # Highfield's kit: its criteria are the assessment plan's (INDEX.md)


def criteria(folder: Path, body_id: str, standard: str = "ST0071") -> list[dict]:
    return yaml.safe_load((folder / f"epa_{body_id}/rules/{standard}.yaml").read_text(encoding="utf-8"))["criteria"]


def standard(standard_id: str):
    return next(s for s in core_standards() if s.id == standard_id)


def test_the_generated_criteria_are_the_standards_in_their_methods_and_levels(tmp_path):
    written = {c["id"]: (c["method"], c["level"]) for c in criteria(generate(tmp_path, "upsilon"), "upsilon")}
    # 002 § Work-based project (supported by an interview) criteria: "To pass, the following must be evidenced.
    # K1.1 Evidences that they understand ..."; its practical observation's distinction list has S1.2.
    assert written["K1.1"] == ("project", "pass")
    assert written["K1.3"] == ("project", "distinction")
    assert written["S1.2"] == ("observation", "distinction")
    assert written == {t.id: (t.method, t.level) for t in standard("ST0071").criteria}


def test_another_standards_criteria_are_its_own(tmp_path):
    folder = generate(tmp_path, "phi", "--standard", "ST0072")
    written = {c["id"]: (c["method"], c["level"]) for c in criteria(folder, "phi", "ST0072")}
    # 001's descriptors, numbered by epa SH/OB/DI .P<n> (pass) and .D<n> (distinction) in printed order
    assert written["SH.P1"] == ("showcase", "pass") and written["OB.D1"] == ("observation", "distinction")
    assert set(written) == {t.id for t in standard("ST0072").criteria}


def test_each_generated_criterion_is_marked_for_the_author_to_confirm(tmp_path):
    folder = generate(tmp_path, "chi")
    terms = {t.id: t for t in standard("ST0071").criteria}
    for c in criteria(folder, "chi"):
        assert c["text"] == f"PLACEHOLDER (from the standard): {' '.join(terms[c['id']].text.split())}"
    (outcome,) = conformance.run(load(folder, "chi"), only=["placeholders"])
    flagged = {f.entry for f in outcome.failures}
    assert {f"$.criteria[{i}].text" for i in range(len(terms))} <= flagged


def test_the_standards_placements_are_the_cited_lists(tmp_path):
    """Each placement the standard takes from the kit is the list the kit prints it in: the method's criteria
    section it cites, under "To pass" or "To gain a distinction"."""
    lines = [line.strip().replace("*", "") for line in source_text(KIT).splitlines()]
    st = standard("ST0071")
    names = {m.id: m.name for m in st.methods}
    checked = 0
    for term in st.criteria:
        file, _, section = term.citation.partition(" § ")
        if file != KIT:
            continue
        assert section.startswith(names[term.method]), term.id
        start = max(i for i, line in enumerate(lines) if normalise(line) == normalise(section))
        level = None
        for line in lines[start:]:
            if line.startswith("To pass"):
                level = "pass"
            elif line.startswith("To gain a distinction"):
                level = "distinction"
            elif line.startswith(f"{term.id} "):
                break
        assert level == term.level, term.id
        checked += 1
    assert checked == 61  # every K, S and B criterion the kit numbers (20 + 16 + 12 pass, 2 + 9 + 2 distinction)


def test_a_standard_placing_a_criterion_in_a_method_it_lacks_is_refused(tmp_path):
    from epa.errors import InputError
    from epa.rules.load import load_standard

    text = (Path(scaffold.__file__).parent / "rules" / "standards" / "ST0072.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "ST0072.yaml"
    broken.write_text(text.replace("method: showcase", "method: showcse", 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_standard(broken)
    said = info.value.render()
    assert "'showcse'" in said and "did you mean 'showcase'?" in said


# --- --from BODY ---------------------------------------------------------------------------------------------


def test_from_an_installed_body_its_catalogue_each_entry_marked(tmp_path):
    source = registry().body(any_body("ST0071"))
    rules = source.ruleset("ST0071")
    folder = generate(tmp_path, "psi", "--from", source.body.name)
    written = criteria(folder, "psi")
    assert [(c["id"], c["method"], c["level"]) for c in written] == [(c.id, c.method, c.level) for c in rules.criteria]
    for c, theirs in zip(written, rules.criteria, strict=True):
        assert c["text"] == f"PLACEHOLDER (from {source.body.name}): {' '.join(theirs.text.split())}"
    (outcome,) = conformance.run(load(folder, "psi"), only=["placeholders"])
    assert {f"$.criteria[{i}].text" for i in range(len(written))} <= {f.entry for f in outcome.failures}


def test_from_names_the_body_by_id_too_and_refuses_one_not_installed_or_not_offering_the_standard(tmp_path):
    source = registry().body(any_body("ST0071"))
    generate(tmp_path, "omega", "--from", source.body.id)
    said = fails("plugin", "new", "beta", "--from", source.body.id + "x", "--dir", str(tmp_path / "b"))
    assert f"did you mean {source.body.id!r}?" in said and not (tmp_path / "b").exists()
    if "ST0072" in source.body.standards:
        pytest.skip(f"{source.body.id} offers ST0072 too")
    said = fails("plugin", "new", "gamma", "--from", source.body.id, "--standard", "ST0072",
                 "--dir", str(tmp_path / "g"))
    assert "does not offer ST0072" in said and not (tmp_path / "g").exists()


# --- the README's install instructions ----------------------------------------------------------------------


class _Dist:
    def __init__(self, direct_url: str | None):
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return self.direct_url if name == "direct_url.json" else None


@pytest.mark.parametrize(("recorded", "command"), [
    ('{"url": "file:///home/me/src/epa", "dir_info": {"editable": true}}', "pip install /home/me/src/epa"),
    ('{"url": "file:///home/me/my%20epa", "dir_info": {}}', "pip install '/home/me/my epa'"),
    ('{"url": "https://example.org/epa.git", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}',
     "pip install 'epa @ git+https://example.org/epa.git@abc123'"),
    (None, "pip install PATH/TO/epa"),
])
def test_the_readme_installs_the_core_from_where_it_was_installed(tmp_path, monkeypatch, recorded, command):
    monkeypatch.setattr(scaffold, "distribution", lambda name: _Dist(recorded))
    folder = generate(tmp_path, "delta")
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert f"    {command}\n    pip install -e '.[test]'\n" in readme


# --- a document without a version --------------------------------------------------------------------------


def test_the_generated_version_is_a_placeholder_the_author_keeps_or_deletes(tmp_path):
    folder = generate(tmp_path, "epsilon")
    (outcome,) = conformance.run(load(folder, "epsilon"), only=["placeholders"])
    assert "$.document.version" in {f.entry for f in outcome.failures}  # never a made-up "1.0" that passes


def without_version(tmp_path: Path, body_id: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A generated plugin filled in from an undated document (a web page): its version line deleted, as the
    generated file says to; the CLI sees it alone."""
    folder = generate(tmp_path, body_id, "--name", "Skillsfirst")
    sources = tmp_path / "sources"
    sources.mkdir()
    fill_in(folder, body_id, sources)
    rules = folder / f"epa_{body_id}/rules/ST0071.yaml"
    kept = [line for line in rules.read_text(encoding="utf-8").splitlines() if not line.startswith("  version: ")]
    rules.write_text("\n".join(kept) + "\n", encoding="utf-8")
    reg = load(folder, body_id)
    monkeypatch.setattr(cli, "_registry", lambda: reg)
    monkeypatch.setattr(cli, "_load", lambda only, keep_going=False: reg)
    return sources


def test_a_document_without_a_version_loads_conforms_and_is_shown_without_one(tmp_path, monkeypatch):
    sources = without_version(tmp_path, "zeta2", monkeypatch)
    (rules,) = cli._registry().body("zeta2").body.rulesets
    assert rules.document.version is None
    data = ok_json("conformance", "zeta2", "--sources", str(sources), definition="conformance")
    assert data["passed"] is True
    record = str(ROOT / "examples" / "st0071-observation-distinction.yaml")
    (result,) = ok_json("compare", record, definition="compare")["results"]
    assert result["document"]["version"] is None
    assert {d["label"] for d in result["documents"].values()} == {"Skillsfirst"}
    table = run("grade", "--body", "zeta2", record)
    assert table.exit_code == 0, table.stderr
    said = " ".join(table.stdout.split())
    assert "Skillsfirst (zeta2) · Skillsfirst " in said and "Skillsfirst § Grading" in said
    assert "Skillsfirst v" not in said and "None" not in said
    for command in (("bodies",), ("plugins",), ("criteria", "--standard", "ST0071", "--body", "zeta2")):
        shown = run(*command)
        assert shown.exit_code == 0, command
        assert "None" not in shown.stdout and not re.search(r" v(\s|$)", shown.stdout), command
    assert re.search(r"ST0071: Skillsfirst\s+│", run("bodies").stdout)  # the document's label, no version
    ics = tmp_path / "t.ics"
    assert run("timeline", str(ROOT / "examples" / "st0071-journey.yaml"), "--ics", str(ics)).exit_code == 0
    assert "version None" not in ics.read_text(encoding="utf-8")


def test_a_version_file_of_a_document_without_a_version_is_refused(tmp_path):
    from epa.errors import InputError
    from epa.rules.load import load_rulesets

    folder = generate(tmp_path, "eta2")
    rules = folder / "epa_eta2/rules"
    text = (rules / "ST0071.yaml").read_text(encoding="utf-8")
    (rules / "ST0071.yaml").write_text("\n".join(line for line in text.splitlines()
                                                 if not line.startswith("  version: ")) + "\n", encoding="utf-8")
    (rules / "ST0071-v2.yaml").write_text(
        "based_on: ST0071.yaml\ndocument:\n  file: eta2-st0071.txt\n  title: Eta 2\n  publisher: Eta\n  version: '2'\n"
        "  sha256: null\n  effective_from: '2025-01-01'\n  effective_from_citation: eta2-st0071.txt § Grading\n"
        "changes:\n- {op: set, path: level, value: 3, citation: eta2-st0071.txt § Grading, says: Level 3}\n",
        encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_rulesets(rules)
    said = info.value.render()
    assert "ST0071-v2.yaml" in said and "give their versions" in said and "Traceback" not in said
