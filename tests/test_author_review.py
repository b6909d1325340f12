"""Issue 20's review, a rules author's path again: `epa check-rules` checks what `epa conformance` checks of a
file's own text, every problem at its file, line and JSON path; errors are worded for what happened."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import attrs
import pytest
from test_author_kit import fill_in, load
from test_conformance import ST0071, base_rules, check, failures
from test_plugin_new import generate
from test_rules_in_words import base, in_words

import epa.testing
from epa import Grade, cli, conformance, defaults, scaffold
from epa.conformance import witness
from epa.engine.explained import grade
from epa.errors import InputError, PluginError
from epa.model.domain import OverallInWords
from epa.registry import Registry, names_of
from epa.rules.load import load_ruleset, load_rulesets
from epa.testing import make_plugin, registry, run


def filled(tmp_path: Path, body_id: str) -> tuple[Path, Path]:
    """A scaffolded plugin with every placeholder replaced and its document in tmp_path: (rules file, journey)."""
    folder = generate(tmp_path, body_id)
    fill_in(folder, body_id, tmp_path)
    rules = folder / f"epa_{body_id}/rules"
    return rules / "ST0071.yaml", rules / "ST0071.journey.yaml"


def said(result) -> str:
    return " ".join(result.stdout.split())


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


# --- 1. check-rules checks the hash and the placeholders, as conformance does -------------------------------


def test_check_rules_passes_a_filled_in_file_as_conformance_does(tmp_path):
    rules, journey = filled(tmp_path, "kap")
    assert run("check-rules", str(rules), str(journey), "--sources", str(tmp_path)).exit_code == 0
    outcomes = conformance.run(load(rules.parent.parent.parent, "kap"), sources=tmp_path)
    assert [o for o in outcomes if o.status == "fail"] == []


def test_check_rules_fails_a_null_sha256_saying_the_hash_to_declare(tmp_path):
    rules, _ = filled(tmp_path, "kb")
    digest = hashlib.sha256((tmp_path / "kb-st0071.txt").read_bytes()).hexdigest()
    rules.write_text(rules.read_text(encoding="utf-8").replace(f"sha256: {digest}", "sha256: null"), encoding="utf-8")
    result = run("check-rules", str(rules), "--sources", str(tmp_path))
    assert result.exit_code == 1
    assert f"{rules}:{line_of(rules, 'sha256: null')}: $.document.sha256: kb-st0071.txt declares no sha256" in said(result)
    assert f"expected: sha256: {digest}" in said(result)
    assert "1 problem in 1 of 1 file" in said(result)  # one problem, though two conformance checks see it


def test_check_rules_fails_a_sha256_that_is_not_the_documents(tmp_path):
    rules, _ = filled(tmp_path, "kc")
    (tmp_path / "kc-st0071.txt").write_text("Another text\nGrading\n", encoding="utf-8")
    result = run("check-rules", str(rules), "--sources", str(tmp_path))
    assert result.exit_code == 1
    assert f"{rules}:{line_of(rules, 'sha256: ')}: $.document.sha256:" in said(result)
    assert "the citations were written against" in said(result)


def test_check_rules_fails_a_placeholder_with_its_line_even_when_the_document_is_absent(tmp_path):
    rules, _ = filled(tmp_path, "kd")
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("  title: ", "  title: 'PLACEHOLDER: the title' # ", 1), encoding="utf-8")
    for sources in (tmp_path, tmp_path / "absent"):
        result = run("check-rules", str(rules), "--sources", str(sources))
        assert result.exit_code == 1, result.stdout
        assert (f"{rules}:{line_of(rules, 'PLACEHOLDER: the title')}: $.document.title: still a placeholder: "
                "'PLACEHOLDER: the title'") in said(result)
    assert "its hash and the citations of kd-st0071.txt were not checked" in said(result)  # (the absent folder)


def test_check_rules_checks_a_journey_files_placeholders(tmp_path):
    _, journey = filled(tmp_path, "ke")
    text = journey.read_text(encoding="utf-8")
    journey.write_text(text.replace("text: ", "text: 'PLACEHOLDER: words' # ", 1), encoding="utf-8")
    result = run("check-rules", str(journey), "--sources", str(tmp_path))
    assert result.exit_code == 1
    assert f"{journey}:{line_of(journey, 'PLACEHOLDER: words')}: $.gateway[0].text: still a placeholder" in said(result)


# --- 2. every problem at its file, line and JSON path; the summary counts them truly ---------------------------


def test_check_rules_names_a_missing_section_by_line_and_path(tmp_path):
    rules, journey = filled(tmp_path, "kf")
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("§ Grading", "§ nowhere 1", 1), encoding="utf-8")
    result = run("check-rules", str(rules), "--sources", str(tmp_path))
    assert result.exit_code == 1
    assert (f"{rules}:{line_of(rules, 'nowhere 1')}: $.methods[0].citation: cites section 'nowhere 1', which is "
            "not a line of kf-st0071.txt") in said(result)
    journey.write_text(journey.read_text(encoding="utf-8").replace("§ Grading", "§ nowhere 2", 1), encoding="utf-8")
    result = run("check-rules", str(journey), "--sources", str(tmp_path))
    assert f"{journey}:{line_of(journey, 'nowhere 2')}: $.gateway[0].citation: cites section" in said(result)


def test_check_rules_counts_every_schema_error(tmp_path):
    rules, _ = filled(tmp_path, "kg")
    text = rules.read_text(encoding="utf-8")
    wrong = text.count("level: pass")
    assert wrong > 5  # more than a load error lists
    rules.write_text(text.replace("level: pass", "level: pas"), encoding="utf-8")
    result = run("check-rules", str(rules), "--sources", str(tmp_path), "--limit", "0")
    assert result.exit_code == 1
    assert f"{wrong} problems in 1 of 1 file" in said(result)
    assert said(result).count("'pas' is not allowed here") == wrong
    assert f"{rules}:{line_of(rules, 'level: pas')}:" in said(result)


# --- 5. a wrong section heading at the citation's own line, one path ----------------------------------------


def test_conformance_names_a_wrong_journey_section_at_the_citations_line(tmp_path):
    rules, journey = filled(tmp_path, "kh")
    journey.write_text(journey.read_text(encoding="utf-8").replace("§ Grading", "§ nowhere", 1), encoding="utf-8")
    (outcome,) = conformance.run(load(rules.parent.parent.parent, "kh"), sources=tmp_path, only=["sources"])
    (found,) = outcome.failures
    assert (Path(found.file).name, found.entry, found.line) == \
        ("ST0071.journey.yaml", "$.gateway[0].citation", line_of(journey, "§ nowhere"))
    assert "$.journey" not in found.message


# --- 3. a hook that raises is named at the line of the plugin's code that raised -----------------------------


def _award(components):
    return components["x"]  # a bug: no method is called x (the line the failure names)


RAISED_AT = _award.__code__.co_firstlineno + 1


def test_a_hook_that_raises_is_named_at_the_line_that_raised_in_conformance():
    def combine_grades(self, ruleset, components):
        return _award(components)

    rules = base_rules()
    found = failures(check(("broken", make_plugin("broken", [rules], combine_grades=combine_grades)),
                           "any-fail-fails"))
    assert found
    for failure in found:
        assert (Path(failure.file).name, failure.line) == (Path(__file__).name, RAISED_AT)
        assert "KeyError: 'x'" in failure.message and "says it returns" not in failure.expected
        assert "raise" in failure.expected


def test_a_hook_that_raises_is_named_at_the_line_that_raised_when_grading():
    def combine_grades(self, ruleset, components):
        return _award(components)

    rules = base_rules()
    reg = Registry([("broken", make_plugin("broken", [rules], combine_grades=combine_grades))])
    record = witness.samples("broken", rules)[0]
    with pytest.raises(PluginError) as info:
        grade(reg.body("broken"), witness.structure(record))
    said = str(info.value)
    assert "'combine_grades'" in said and "KeyError: 'x'" in said
    # named from the plugin's package folder (here a lone module: its file's name), never the checkout's path
    assert f"(raised at {Path(__file__).name}:{RAISED_AT})" in said
    assert (info.value.file, info.value.line) == (Path(__file__).name, RAISED_AT)


# --- 4. the rule-in-words vocabulary's mistakes name its forms, with an example -----------------------------


@pytest.mark.parametrize("distinction, shown", [("two", "'two'"), ("{at_least: 0}", "{at_least: 0}"),
                                                ("{method: [observation]}", "{method: [observation]}")])
def test_a_rule_in_words_outside_the_vocabulary_names_its_forms(tmp_path, distinction, shown):
    rules, _ = filled(tmp_path, "ki")
    text = rules.read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(n for n, line in enumerate(lines) if line.strip() == "rule_in_words:")
    generated = next(n for n, line in enumerate(lines) if line == "    decides:")  # the scaffold's, replaced
    del lines[generated:generated + 3]
    lines.insert(at + 1, f"    decides: {{fail: any, distinction: {distinction}}}")
    rules.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_ruleset(rules)
    said = info.value.render()
    assert f"{rules}:{at + 2}:" in said and "$.combination.rule_in_words.decides.distinction" in said
    assert f"distinction: {shown} is none of its forms" in said
    for form in ("all", "{at_least: N} with N a whole number from 1", "{methods: [..]}"):
        assert form in said
    assert "e.g. distinction: {at_least: 2}" in said
    assert "is not valid under any" not in said and "{'" not in said


# --- 6. a malformed citation's example is of the author's own document ------------------------------------


def test_a_malformed_journey_citation_is_shown_with_the_authors_own_document(tmp_path):
    _, journey = filled(tmp_path, "kj")
    text = journey.read_text(encoding="utf-8")
    journey.write_text(text.replace("kj-st0071.txt § Grading", "Grading", 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_rulesets(journey.parent)
    said = info.value.render()
    assert "'Grading' is not a citation" in said and "e.g. 'kj-st0071.txt § " in said
    assert "003_3692b76548845e1c" not in said


# --- 7. a rule in words the check cannot read is named as not checked, never "all checks pass" alone ---------


def test_a_rule_in_words_the_check_cannot_read_is_named_in_the_summary(tmp_path, monkeypatch):
    rules, _ = filled(tmp_path, "kk")
    text = rules.read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(n for n, line in enumerate(lines) if line.strip() == "rule_in_words:")
    assert lines[at + 1].strip().startswith("text:")
    lines[at + 1] = "    text: Fail if any method fails; Distinction in any two of the three methods."
    rules.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reg = load(rules.parent.parent.parent, "kk")
    (outcome,) = conformance.run(reg, sources=tmp_path, only=["rule-in-words"])
    assert (outcome.status, outcome.unchecked) == ("skip", True)
    assert "Distinction in any two of the three methods." in outcome.reason
    monkeypatch.setattr(cli, "_load", lambda only, keep_going=False: reg)
    result = run("conformance", "kk", "--sources", str(tmp_path))
    assert result.exit_code == 4, result.stdout  # not checked is not a pass (README "Exit codes")
    said = " ".join(result.stdout.split())
    assert "no check fails, but rule-in-words was not checked for kk ST0071" in said
    assert said.endswith("(see the skips above): not a pass")


def test_a_rule_in_words_that_states_no_count_of_methods_is_not_called_unchecked():
    rules = base_rules()
    words = attrs.evolve(rules.combination.rule_in_words, text="The overall grade is given by the table below.")
    plain = attrs.evolve(rules, combination=attrs.evolve(rules.combination, rule_in_words=words))
    (outcome,) = check(("plain", make_plugin("plain", [plain])), "rule-in-words")
    assert (outcome.status, outcome.unchecked) == ("skip", False)


# --- 8. the small things -----------------------------------------------------------------------------------


def test_combine_without_a_method_names_it():
    body = next((b for b in registry().bodies if ST0071 in b.body.standards), None)
    if body is None:
        pytest.skip("no installed body offers ST0071")
    methods = body.ruleset(ST0071).method_ids
    with pytest.raises(TypeError) as info:
        epa.testing.combine(body.body.id, ST0071, **{m: "pass" for m in methods[1:]})
    assert f"no grade for {methods[0]}" in str(info.value)
    with pytest.raises(TypeError) as info:
        epa.testing.combine(body.body.id, ST0071, **{m: "pass" for m in methods}, nowhere="pass")
    assert "nowhere is not a method of it" in str(info.value)


def test_one_method_of_the_three_is_distinction_in_the_explanation():
    rules = in_words(base(), decides=OverallInWords(at_least=2))
    methods = rules.method_ids
    components = {methods[0]: Grade.PASS, methods[1]: Grade.PASS, methods[2]: Grade.DISTINCTION}
    outcome = defaults.combine_grades(rules, components)
    assert outcome.grade == Grade.PASS  # one distinction of three, two needed
    assert "as 1 of the 3 methods is distinction (2 needed)" in outcome.steps[-1].says
    assert "at least 1 of the 3 methods is distinction" in OverallInWords(at_least=1).says(methods)


def test_pytest_epa_body_takes_a_bodys_acronym_as_body_does(tmp_path):
    by_acronym = [(b.body.id, n) for b in registry().bodies for n in sorted(names_of(b.body))
                  if n.isupper() and n != b.body.id and registry().named(n).body.id == b.body.id]
    if not by_acronym:
        pytest.skip("no installed body has an acronym of its own")
    body_id, acronym = by_acronym[0]
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--epa-body", acronym,
                           "-k", "loads"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout  # the body's `loads` check, collected under its id


def test_plugin_new_from_a_body_says_which_document_version_its_criteria_come_from():
    body = next((b for b in registry().bodies if ST0071 in b.body.standards), None)
    if body is None:
        pytest.skip("no installed body offers ST0071")
    doc = body.ruleset(ST0071).document
    catalogue = scaffold.from_body(body, registry().standard(ST0071))
    header = scaffold.files("omega", "Omega", registry().standard(ST0071), catalogue)["epa_omega/rules/ST0071.yaml"]
    shown = f"v{doc.version}" if doc.version else doc.title
    first = next(line for line in header.splitlines() if "The criteria are" in line)
    assert body.body.name in first and shown in first and doc.file in first


@pytest.mark.parametrize("body_id", ["om", "omega_with_a_long_id"])
def test_the_generated_readmes_comments_are_in_one_column(body_id):
    readme = scaffold.files(body_id, "Omega", registry().standard(ST0071))["README.md"]
    commented = [line for line in readme.splitlines() if line.startswith("    ") and "  # " in line]
    assert len(commented) == 3
    assert len({line.index("# ") for line in commented}) == 1


@pytest.mark.parametrize("text", [b"Another text\nGrading\n", "Grading\ncaf\xe9\n".encode("latin-1")],
                         ids=["another-text", "not-utf8"])
def test_check_rules_does_not_check_a_journey_file_against_another_text(tmp_path, text):
    """The journey file's citations are of the document its ruleset declares by SHA-256. Another text in the
    sources folder under that name is not it: its citations are not checked against it, and it is said why, as
    for an absent document. On 0382bff the citations were checked against it (here: 'ok: 1 file', the citations
    being lines of it too), and a text that is not UTF-8 was an internal error (UnicodeDecodeError)."""
    rules, journey = filled(tmp_path, "kf")
    document = tmp_path / "kf-st0071.txt"
    declared = hashlib.sha256(document.read_bytes()).hexdigest()
    document.write_bytes(text)
    result = run("check-rules", str(journey), "--sources", str(tmp_path))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert (f"skip {journey}: {document} has SHA-256 {hashlib.sha256(text).hexdigest()}, not the {declared} "
            f"{rules.name} declares; the document was not checked") in said(result)
    assert "not a line of" not in said(result)
    result = run("check-rules", str(rules), "--sources", str(tmp_path))  # the ruleset's own hash: a problem
    assert result.exit_code == 1 and "the citations were written against" in said(result)


def test_a_document_that_cannot_be_read_is_not_checked_saying_why(tmp_path, monkeypatch):
    """A source document there but unreadable (its permissions, a failing disk): its hash and citations are not
    checked, and the skip says why, by check-rules (the placeholders still checked) and conformance alike. On
    0382bff: an internal error (PermissionError)."""
    rules, journey = filled(tmp_path, "kg")
    document = tmp_path / "kg-st0071.txt"
    read_bytes = Path.read_bytes

    def refused(self: Path) -> bytes:
        if self.name == document.name:
            raise PermissionError(13, "Permission denied", str(self))
        return read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", refused)
    text = rules.read_text(encoding="utf-8")
    rules.write_text(text.replace("  title: ", "  title: 'PLACEHOLDER: the title' # ", 1), encoding="utf-8")
    reason = f"{document} cannot be read (Permission denied); the document was not checked"
    result = run("check-rules", str(rules), str(journey), "--sources", str(tmp_path))
    assert result.exit_code == 1, result.stderr
    assert f"skip {rules}: {reason}" in said(result) and f"skip {journey}: {reason}" in said(result)
    assert f"{rules}:{line_of(rules, 'PLACEHOLDER: the title')}: $.document.title" in said(result)
    rules.write_text(text, encoding="utf-8")
    outcomes = conformance.run(load(rules.parent.parent.parent, "kg"), sources=tmp_path)
    [sources] = [o for o in outcomes if o.check == "sources"]
    assert (sources.status, sources.unchecked, sources.reason) == ("skip", True, reason), sources


@pytest.mark.parametrize(("old", "new", "path", "expected", "hint"), [
    ("sha256: {digest}", "sha256: {upper}", "$.document.sha256", "a SHA-256: 64 hexadecimal digits, in lowercase",
     "the document's SHA-256 in lowercase"),
    ("  file: kh-st0071.txt", "  file: seeds/kh-st0071.txt", "$.document.file", "a file name alone, with no folder",
     "e.g. "),
    ("standard: ST0071", "standard: st0071", "$.standard", "a standard's reference: ST and four digits", "e.g. ST0071"),
], ids=["sha256-in-capitals", "file-in-a-folder", "standard-in-lowercase"])
def test_a_value_not_of_its_form_says_the_form_in_words_not_a_pattern(tmp_path, old, new, path, expected, hint):
    """A rules file's value that is not of its field's form is refused with what the form is, in words, and an
    example or what to do; never a regular expression nor jsonschema's 'is not valid under any of the given
    schemas' (on 0382bff: "does not match '^ST[0-9]{4}$'", and the SHA-256 in capitals: not valid under any)."""
    rules, _ = filled(tmp_path, "kh")
    text = rules.read_text(encoding="utf-8")
    digest = hashlib.sha256((tmp_path / "kh-st0071.txt").read_bytes()).hexdigest()
    old, new = (s.format(digest=digest, upper=digest.upper()) for s in (old, new))
    assert old in text
    rules.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_ruleset(rules)
    assert info.value.where.startswith(f"{rules}:{line_of(rules, new.strip())}:") and info.value.where.endswith(path)
    assert f"is not {expected}" in info.value.message
    assert info.value.hint is not None and hint in info.value.hint
    assert "does not match" not in info.value.render() and "is not valid under any" not in info.value.render()
