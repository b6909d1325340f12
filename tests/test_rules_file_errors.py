"""A rules file's mistakes told in the author's terms: where (file, line, column, JSON path), what the field takes in
words (never the schema's regular expression), and what to do."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

import epa
from epa.errors import InputError
from epa.rules import load as rules
from epa.testing import registry

SCHEMAS = Path(rules.__file__).resolve().parents[3] / "schemas"
INPUTS = ("ruleset", "journey", "standard", "record")  # the schemas of files a person writes


def _patterns(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found.append((path, node))
        for key, value in node.items():
            found += _patterns(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _patterns(value, f"{path}/{i}")
    return found


def _schema(name: str) -> dict[str, Any]:
    bundled = Path(rules.__file__).resolve().parents[1] / "schemas"  # (an installed wheel's copy)
    folder = SCHEMAS if SCHEMAS.is_dir() else bundled
    return json.loads((folder / f"{name}.schema.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", INPUTS)
def test_every_pattern_a_person_can_break_is_told_in_words(name: str) -> None:
    """A value not of its pattern's form is told with the schema's words for the form (x-expected, a citation's
    x-example, a date's x-message: epa.inputs.documents._explain), else with the pattern itself. On 0ff2ba6 a
    journey deadline's from and event ('^[a-z][a-z0-9_]*$') and a standard's citations had none."""
    bare = [path for path, rule in _patterns(_schema(name))
            if not {"x-expected", "x-example", "x-message"} & set(rule)]
    assert bare == []


def _journey_rules() -> Path:
    with_journey = [r for b in registry().bodies for r in b.body.rulesets if r.source_file and r.journey]
    if not with_journey:
        pytest.skip("no installed body with journey rules to lend its rules")
    return Path(with_journey[0].source_file).parent  # type: ignore[arg-type]


def _line(text: str, written: str) -> int:
    return text[: text.index(written)].count("\n") + 1


@pytest.mark.parametrize(("field", "value", "words"), [
    ("from", "EPA-start", "a date the record gives"),
    ("event", "Every method", "the record's date a deadline is checked against")])
def test_a_deadline_s_date_named_otherwise_is_told_in_words(tmp_path: Path, field: str, value: str,
                                                             words: str) -> None:
    folder = Path(shutil.copytree(_journey_rules(), tmp_path / "rules"))
    journey = next(folder.glob("*.journey.yaml"))
    text = journey.read_text(encoding="utf-8")
    deadlines = text.index("\ndeadlines:")
    found = re.compile(rf"^(\s*(?:- )?){field}: \S.*$", re.M).search(text, deadlines)
    if found is None:
        pytest.skip(f"the journey file's deadlines give no {field}")
    index = text[deadlines:found.start()].count("\n- ") - 1  # the deadline's index: the items started before it
    text = text[:found.start()] + f"{found.group(1)}{field}: {value}" + text[found.end():]
    journey.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        epa.load_rulesets(folder)
    said = info.value.render()
    assert info.value.where.startswith(f"{journey}:{_line(text, f'{field}: {value}')}:")
    assert info.value.where.endswith(f"$.deadlines[{index}].{field}")
    assert f"'{value}' is not {words}" in info.value.message
    assert "[a-z]" not in said and "does not match" not in said
    assert info.value.hint is not None and info.value.hint.startswith("e.g. ")


def test_a_standard_s_citation_not_of_its_form_is_told_in_words(tmp_path: Path) -> None:
    standard = Path(shutil.copy(Path(rules.__file__).parent / "standards" / "ST0071.yaml", tmp_path / "ST0071.yaml"))
    text = standard.read_text(encoding="utf-8")
    written = "citation: 002_a4f677c7c4e5fdb6.txt § Assessing the practical observation (with Q&As)"
    assert written in text
    text = text.replace(written, "citation: Assessing the practical observation (with Q&As)", 1)
    standard.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        rules.load_standard(standard)
    assert info.value.where == f"{standard}:{_line(text, 'citation: Assessing')}:13: $.methods[0].citation"
    assert "is not a citation: '<document file> § <section heading>'" in info.value.message
    assert "\\S" not in info.value.render() and "does not match" not in info.value.render()


def _rules_file() -> Path:
    whole = [r for b in registry().bodies for r in b.body.rulesets if r.source_file and r.based_on is None]
    if not whole:
        pytest.skip("no installed body to lend its rules")
    return Path(whole[0].source_file)  # type: ignore[arg-type]


def test_a_rules_file_indented_with_a_tab_says_where_and_what_to_do(tmp_path: Path) -> None:
    """A line of the document block indented with a tab where its neighbours have two spaces: refused at the
    tab's line and column, in the document block's JSON path, saying that YAML indents with spaces and how the
    line above is indented. On 0ff2ba6: the parser's words alone ('found a tab character that violates
    indentation'; without libyaml, 'found character '\\t' that cannot start any token'), and no path."""
    folder = Path(shutil.copytree(_rules_file().parent, tmp_path / "rules"))
    file = folder / _rules_file().name
    lines = file.read_text(encoding="utf-8").split("\n")
    start = lines.index("document:")
    n = next(i for i in range(start + 2, len(lines)) if lines[i].startswith("  ") and lines[i][2] != " ")
    lines[n] = "\t" + lines[n][2:]  # the block's third line or later: the line above it is the block's, at 2
    file.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(InputError) as info:
        epa.load_rulesets(folder)
    assert info.value.where == f"{file}:{n + 1}:1: $.document"
    assert "tab" in info.value.message and "spaces" in info.value.message
    assert info.value.hint is not None and "indented with 2 spaces" in info.value.hint


@pytest.mark.parametrize(("text", "line", "column", "path", "above"), [
    ("a:\n  b: 1\n\tc: 2\n", 3, 1, "$.a", "indented with 2 spaces"),
    ("a:\n\tb: 1\n", 2, 1, "$.a", "not indented"),
    ("a:\n- x: 1\n\ty: 2\n", 3, 1, "$.a[0]", "not indented"),
    ("a:\n  b: 1\n  \tc: 2\n", 3, 3, "$.a", "indented with 2 spaces"),
    ("a:\n  b:\n    c: 1\n\t\td: 2\n", 4, 1, "$.a.b", "indented with 4 spaces"),
    ("methods:\n- id: a\n  name: b\n- id: c\r\n\tname: d\r\n", 5, 1, "$.methods[1]", "not indented"),
], ids=["after-a-key", "a-key-s-value", "in-a-list-item", "after-spaces", "two-tabs", "crlf"])
@pytest.mark.parametrize("parser", ["libyaml", "PyYAML's own"])
def test_a_tab_in_the_indentation_is_told_with_its_place(text: str, line: int, column: int, path: str,
                                                         above: str, parser: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Whichever parser reads it (libyaml reads further ahead before it stops: the place is the same)."""
    from epa.inputs import documents
    from epa.inputs.documents import loads

    made = documents._yaml()
    if parser == "libyaml" and not made.libyaml:
        pytest.skip("PyYAML is installed without libyaml")
    if parser != "libyaml":
        monkeypatch.setattr(documents, "_yaml", lambda: made._replace(loader=made.py_loader, libyaml=False))

    with pytest.raises(InputError) as info:
        loads(text, "rules.yaml")
    assert info.value.where == f"rules.yaml:{line}:{column}: {path}"
    assert "tab" in info.value.message
    assert info.value.hint is not None and above in info.value.hint


@pytest.mark.parametrize(("text", "where"), [
    ("a:\n  b: abc\u2028  c: 2\n", "f.yaml:2:9: $.a.b"),
    ("a: abc\u2028def\nb: 1\n", "f.yaml:1:7: $.a"),
    ("a: 'abc\u2029def'\n", "f.yaml:1:8: $.a"),
    ("text: |\n  abc\x85def\n", "f.yaml:2:6: $.text"),
], ids=["line-separator-making-a-key", "line-separator-in-a-value", "paragraph-separator-quoted", "next-line"])
def test_a_line_break_only_yaml_1_1_reads_as_one_is_refused_where_an_editor_shows_it(text: str, where: str) -> None:
    """U+2028, U+2029 and U+0085 (as text copied from a PDF or a word processor holds) are line breaks to YAML 1.1
    (PyYAML) and characters to YAML 1.2 and to editors. On 0ff2ba6 ``b: abc<U+2028>  c: 2`` was read as two keys (one
    to YAML 1.2: a silent other reading), and an error after one was placed a line below where an editor shows it.
    Refused, at the line and column an editor shows, in its JSON path."""
    from epa.inputs.documents import loads

    with pytest.raises(InputError) as info:
        loads(text, "f.yaml")
    assert info.value.where == where
    assert f"U+{ord(next(c for c in text if c in chr(0x85) + chr(0x2028) + chr(0x2029))):04X}" in info.value.message
    assert info.value.hint is not None and "space" in info.value.hint


def test_a_json_string_holding_a_line_separator_moves_no_line_number() -> None:
    """JSON holds U+2028 in a string as a character: the place of a value after it is the line an editor shows
    (on 0ff2ba6 one line below: the place is found by composing the JSON as YAML, which reads it as a line break)."""
    from epa.inputs.documents import loads

    _, source = loads('{\n"a": "x\u2028y",\n"b": 1\n}\n', "r.json", "json")
    assert str(source.place(["b"])) == "r.json:3:6: $.b"


@pytest.mark.parametrize("part", ["windows", "rework"])
@pytest.mark.parametrize("count", [0, -12])
def test_a_resit_window_or_rework_of_no_length_or_reaching_back_is_refused_where_written(
        tmp_path: Path, part: str, count: int) -> None:
    """A resit window counted from the fail (or the first assessment) spanning 0 months, or -12, loaded and passed
    every conformance check: every resit then missed it, and a window whose consequence is the whole EPA again sent
    every apprentice who resat to retake it. The schema's offset is a deadline's too, which may reach back."""
    import yaml

    found = next(((r, f) for b in registry().bodies for r in b.body.rulesets if r.source_file and r.journey and
                  r.journey.resit and getattr(r.journey.resit, part)
                  and (f := Path(r.source_file).with_name(f"{r.standard}.journey.yaml")).is_file()), None)
    if found is None:
        pytest.skip(f"no installed body's journey file states resit {part}")
    _, journey = found
    folder = Path(shutil.copytree(journey.parent, tmp_path / "rules"))
    data = yaml.safe_load(journey.read_text(encoding="utf-8"))
    data["resit"][part][0]["offset"] = {"months": count}
    (folder / journey.name).write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    with pytest.raises(InputError) as info:
        epa.load_rulesets(folder)
    said = info.value.render()
    rule_id = data["resit"][part][0]["id"]
    assert f"{journey.name}:" in said and f"$.resit.{part}[0].offset.months" in said
    assert f"{rule_id!r} spans {count} months: every " in said and "would miss it" in said
