"""Hostile input: every file a person or a program could hand `epa` gets a clear exit-2 message (the file, the
line, the JSON path) in bounded time and memory, never a traceback, never an expansion.

Bombs and deep nesting run the CLI in a subprocess with a timeout and an address-space limit, so a regression
fails the test instead of hanging the suite or exhausting the machine. The fuzz tests at the end generate
records from the record schema, and corrupt the example records, and check no input ever escapes as a crash.
"""

from __future__ import annotations

import copy
import io
import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, any_body, fails, offering, run, write
from epa.errors import InputError
from epa.inputs.documents import MAX_ALIASES, MAX_BYTES, MAX_DEPTH, schema
from epa.rules.load import load_standard

GOOD = textwrap.dedent("""\
    standard: ST0071
    apprentice:
      id: A-1
      start_date: 2024-09-02
    gateway:
      date: 2025-12-01
    assessments:
      - method: observation
        date: 2026-01-20
        notified: 2026-01-30
        kind: first
        grade: pass
""")
GOOD_JSON = json.dumps(yaml.load(GOOD, Loader=yaml.BaseLoader), indent=1)  # every value a string, as GOOD's are
MEMORY = 1024 ** 3  # 1 GiB of address space for the CLI in a subprocess
TIMEOUT = 60  # seconds: a guard against a hang, not a measure of speed


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run_limited(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """``epa ARGS`` in a subprocess, its memory capped and its time bounded: a bomb that goes off fails the test
    (MemoryError, exit 1, or the timeout) instead of taking the machine with it."""
    env = {k: v for k, v in os.environ.items() if k != "EPA_DEBUG"}
    done = subprocess.run([sys.executable, "-m", "epa", *args], input=stdin, capture_output=True,
                          timeout=TIMEOUT, preexec_fn=_limit_memory, env=env)
    return subprocess.CompletedProcess(done.args, done.returncode, done.stdout.decode("utf-8", "replace"),
                                       done.stderr.decode("utf-8", "replace"))


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The stderr of a run that must exit 2 with one short message and no traceback."""
    assert result.returncode == 2, (result.returncode, result.stderr[:2000])
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.stderr.startswith("error: ") and len(result.stderr) < 2000, result.stderr[:2000]
    return result.stderr


# --- bombs and nesting, in a subprocess ---------------------------------------------------------------------


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 "lol"']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_alias_bomb_in_a_real_field_is_refused_unexpanded(tmp_path):
    # 9 ** 9 (387 million) strings if expanded; the issue measured over 90 s and 3 GB before this was refused
    text = billion_laughs() + "standard: ST0071\napprentice:\n  id: *a9\n"
    message = refused(run_limited("compare", write(tmp_path, text)))
    assert "aliases" in message and "refused, unexpanded" in message
    assert "record.yaml:" in message and "lol" not in message


def test_few_aliases_that_expand_hugely_are_refused(tmp_path):
    # 60 aliases, well within the alias budget, but 2 ** 30 values once expanded
    lines = ['a0: &a0 "lol"'] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 31)]
    text = "\n".join(lines) + "\nstandard: ST0071\napprentice:\n  id: *a30\n"
    message = refused(run_limited("compare", write(tmp_path, text)))
    assert "10,000 values" in message and "record.yaml:" in message


def test_too_many_aliases_are_refused(tmp_path):
    text = GOOD.replace("  id: A-1", "  id: &i A-1") + "".join(f"x{i}: *i\n" for i in range(MAX_ALIASES + 1))
    message = fails("compare", write(tmp_path, text))
    assert f"more than {MAX_ALIASES} aliases" in message and f"record.yaml:{13 + MAX_ALIASES}:" in message


def test_a_recursive_alias_is_refused(tmp_path):
    message = fails("compare", write(tmp_path, GOOD + "loop: &l [1, *l]\n"))
    assert "*l refers to a list or mapping that contains it" in message and "record.yaml:13:" in message
    assert "$.loop[1]" in message


def test_an_undefined_alias_is_refused(tmp_path):
    message = fails("compare", write(tmp_path, GOOD.replace("id: A-1", "id: *nobody")))
    assert "record.yaml:3:" in message


def test_a_few_small_aliases_are_fine(tmp_path):
    text = GOOD.replace("date: 2026-01-20", "date: &day 2026-01-20").replace("notified: 2026-01-30", "notified: *day")
    assert run("grade", "--body", any_body("ST0071"), write(tmp_path, text)).exit_code == 0


@pytest.mark.parametrize("depth", [1_000, 30_000])
@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_deep_nesting_is_refused_at_the_limit(tmp_path, depth, suffix):
    # 30,000 deep segfaulted libyaml's composer; 1,000 deep gave "internal error: RecursionError", exit 1
    text = '{"standard": "ST0071",\n "apprentice": {"id": ' + "[" * depth + "]" * depth + "}}"
    message = refused(run_limited("compare", write(tmp_path, text, f"record.{suffix}")))
    assert f"nest more than {MAX_DEPTH} deep" in message
    assert f"record.{suffix}:2:" in message and "$.apprentice.id[0][0]" in message and "more)…" in message


def test_deep_block_nesting_is_refused(tmp_path):
    text = GOOD + "".join("  " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 5))
    message = fails("compare", write(tmp_path, text))
    assert f"nest more than {MAX_DEPTH} deep" in message and "$.k0.k1.k2" in message


def test_nesting_within_the_limit_reaches_the_schema(tmp_path):
    text = GOOD.replace("id: A-1", "id: " + "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2))
    message = fails("compare", write(tmp_path, text))
    assert "$.apprentice.id" in message and "is not a string" in message


# --- keys ---------------------------------------------------------------------------------------------


def test_duplicate_key_yaml_names_the_key_and_both_lines(tmp_path):
    # accepted silently before: the last one won, and this graded a distinction
    text = GOOD.replace("    grade: pass\n", "    grade: fail\n    grade: distinction\n")
    message = fails("compare", write(tmp_path, text))
    assert "duplicate key 'grade' (first at line 12, again at line 13)" in message
    assert "record.yaml:13:5: $.assessments[0].grade" in message


def test_duplicate_key_json_names_the_key_and_both_lines(tmp_path):
    text = GOOD_JSON.replace('"id": "A-1",', '"id": "A-1",\n  "id": "A-2",')
    assert text != GOOD_JSON
    message = fails("compare", write(tmp_path, text, "record.json"))
    assert "duplicate key 'id' (first at line 4, again at line 5)" in message
    assert "record.json:5:3: $.apprentice.id" in message


@pytest.mark.parametrize("text,shown,kind,line", [
    ("no: 1\n", "'no'", "a boolean", 1),
    ("1: 2\n", "'1'", "a number", 1),
    ("?\n", "an empty key", "null", 1),
    (GOOD.replace("  id: A-1", "  id: A-1\n  [a, b]: c"), "", "a list or mapping", 4),
    (GOOD.replace("  id: A-1", "  id: A-1\n  ~: c"), "'~'", "null", 4),
], ids=["no", "1", "?", "list", "~"])
def test_non_string_keys_are_refused(tmp_path, text, shown, kind, line):
    # "internal error: TypeError" before
    message = fails("compare", write(tmp_path, text))
    assert f"is read as {kind}" in message and shown in message and f"record.yaml:{line}:" in message
    assert "quote the key" in message or kind == "a list or mapping"


# --- numbers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", ".NaN", "1.0e+999"])
def test_yaml_nan_and_infinities_are_refused(tmp_path, value):
    # accepted before, and --format json then printed Infinity, which is not JSON
    text = GOOD + f"    duration_minutes: {value}\n"
    message = fails("compare", "--format", "json", write(tmp_path, text))
    assert f"'{value}' is not a finite number" in message
    assert "record.yaml:13:23: $.assessments[0].duration_minutes" in message


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_json_nan_and_infinities_are_refused(tmp_path, value):
    text = GOOD_JSON.replace('"grade": "pass"', f'"grade": "pass",\n   "duration_minutes": {value}')
    assert text != GOOD_JSON
    message = fails("compare", "--format", "json", write(tmp_path, text, "record.json"))
    assert f"'{value}' is not a finite number" in message and "$.assessments[0].duration_minutes" in message
    assert "record.json:17:24:" in message


@pytest.mark.parametrize("suffix", ["yaml", "json"])
def test_an_integer_of_thousands_of_digits_is_refused(tmp_path, suffix):
    text = (GOOD + "    duration_minutes: " + "9" * 5000 + "\n" if suffix == "yaml"
            else GOOD_JSON.replace('"grade": "pass"', '"grade": "pass", "duration_minutes": ' + "9" * 5000))
    message = fails("compare", write(tmp_path, text, f"record.{suffix}"))
    assert "a number of 5,000 digits" in message and "$.assessments[0].duration_minutes" in message
    assert "set_int_max_str_digits" not in message


# --- encodings --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,suffix", [(GOOD, "yaml"), (GOOD_JSON, "json")])
def test_a_byte_order_mark_is_accepted_in_json_and_yaml_alike(tmp_path, text, suffix):
    offering("ST0071", "the standard of the record the test grades")
    plain = run("compare", "--format", "json", write(tmp_path, text, f"plain.{suffix}"))
    path = tmp_path / f"bom.{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    marked = run("compare", "--format", "json", str(path))
    assert plain.exit_code == marked.exit_code == 0, marked.stderr
    assert marked.stdout == plain.stdout.replace("plain." + suffix, "bom." + suffix)


def test_undecodable_bytes_name_the_line_and_byte_offset(tmp_path):
    path = tmp_path / "record.yaml"
    path.write_bytes(GOOD.replace("id: A-1", "id: Ren\xe9e").encode("latin-1"))
    message = fails("compare", str(path))
    offset = GOOD.index("A-1") + 3
    assert f"record.yaml:3:10: byte 0xe9 (byte offset {offset}) is not UTF-8 text" in message
    assert "save the file as UTF-8" in message


def test_utf32_is_named(tmp_path):
    """(UTF-16 with its mark is read: tests/test_utf16_exports.py.) UTF-32's mark starts as UTF-16 LE's does."""
    path = tmp_path / "record.json"
    path.write_bytes(GOOD_JSON.encode("utf-32"))
    assert "the file is UTF-32 text" in fails("compare", str(path))


def test_a_control_character_names_the_line(tmp_path):
    message = fails("compare", write(tmp_path, GOOD.replace("id: A-1", "id: A-\x011")))
    assert "record.yaml:3:9" in message and "not allowed in YAML" in message


# --- what a message quotes ----------------------------------------------------------------------------


@pytest.mark.parametrize("old,new,path", [
    ("standard: ST0071", "standard: ST0071\n" + "x" * 1000 + ": 1", "$.xxxx"),       # an unknown field
    ("kind: first", "kind: " + "f" * 100_000, "$.assessments[0].kind"),              # a value not in an enum
    ("id: A-1", "id: [" + ", ".join(["a" * 50] * 2000) + "]", "$.apprentice.id"),   # a list where a string goes
    ("grade: pass", "criteria_met: [" + "K" * 100_000 + "]", "$.assessments[0].criteria_met[0]"),
], ids=["unknown-field", "enum", "list", "criterion"])
def test_a_quoted_value_is_cut_short(tmp_path, old, new, path):
    if "criteria_met" in path:  # a criterion is checked against the rules of a body offering the record's standard
        offering("ST0071", "the standard whose criteria the record's criterion is checked against")
    message = fails("compare", write(tmp_path, GOOD.replace(old, new)))
    assert path in message and "…" in message and len(message) < 1500, message[:3000]


# --- syntax --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text,suffix,expected", [
    (GOOD[: GOOD.index("2025-12-01") + 4] + "\n  x: [1, 2", "yaml", "record.yaml:8:"),
    ('standard: "ST00', "yaml", "record.yaml:1:"),
    (GOOD_JSON[: GOOD_JSON.index("A-1") + 2], "json", "record.json:4:"),
    (GOOD_JSON[: GOOD_JSON.index("gateway") + 3], "json", "record.json:"),
], ids=["yaml-flow", "yaml-quote", "json-string", "json-key"])
def test_a_truncated_file_is_a_syntax_error(tmp_path, text, suffix, expected):
    message = fails("compare", write(tmp_path, text, f"record.{suffix}"))
    assert "syntax error" in message and expected in message


@pytest.mark.parametrize("tag", ["!!binary aGVsbG8=", "!!python/object:os.system {}", "!!set {a, b}", "!custom x"])
def test_tags_beyond_the_json_data_model_are_refused(tmp_path, tag):
    message = fails("compare", write(tmp_path, GOOD.replace("id: A-1", f"id: {tag}")))
    assert "is not allowed here" in message and "record.yaml:3:" in message and "$.apprentice.id" in message


def test_more_than_one_document_is_refused(tmp_path):
    message = fails("compare", write(tmp_path, GOOD + "---\n" + GOOD))
    assert "more than one YAML document" in message and "record.yaml:13:" in message


def test_a_file_too_large_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "record.yaml"
    with path.open("wb") as f:
        f.write(GOOD.encode())
        f.write(b"#" * (MAX_BYTES + 1))
    assert "larger than 16 MiB" in fails("compare", str(path))


def test_rules_files_go_through_the_same_loader(tmp_path):
    path = Path(write(tmp_path, "id: ST9999\n" + billion_laughs(), "standard.yaml"))
    with pytest.raises(InputError, match="refused, unexpanded"):
        load_standard(path)
    path.write_text("id: ST9999\nid: ST9998\n")
    with pytest.raises(InputError, match="duplicate key 'id'"):
        load_standard(path)


# --- standard input -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [GOOD, GOOD_JSON], ids=["yaml", "json"])
def test_dash_reads_standard_input(tmp_path, text):
    offering("ST0071", "the standard of the record the test grades")
    from_file = run_limited("compare", "--format", "json", write(tmp_path, text))
    from_stdin = run_limited("compare", "--format", "json", "-", stdin=text.encode())
    assert from_stdin.returncode == from_file.returncode == 0, from_stdin.stderr
    assert json.loads(from_stdin.stdout) == {**json.loads(from_file.stdout), "record": "<stdin>"}
    body = any_body("ST0071")
    graded = run_limited("grade", "--body", body, "--format", "json", "-", stdin=text.encode())
    assert graded.returncode == 0 and graded.stdout == run("grade", "--body", body, "--format", "json",
                                                           write(tmp_path, text)).stdout


@pytest.mark.parametrize("text,expected", [
    ("   \n\n  {\"standard\": \"ST0071\",\n \"apprentice\": }", "JSON syntax error"),      # sniffed as JSON
    (GOOD.replace("kind: first", "kind: frist"), "did you mean 'first'?"),
    (GOOD + "    grade: fail\n", "duplicate key 'grade'"),
])
def test_standard_input_is_named_in_errors(monkeypatch, text, expected):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    message = fails("compare", "-")
    assert message.startswith("error: <stdin>:") and expected in message


# --- fuzzing ---------------------------------------------------------------------------------------------------


def _no_traceback(result) -> None:
    assert result.exit_code in (0, 2), (result.exit_code, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr[-2000:]
    if result.exit_code == 0:
        json.loads(result.stdout, parse_constant=lambda name: pytest.fail(f"{name} in the JSON output"))
    else:
        assert result.stderr.startswith("error: ") and len(result.stderr) < 5000


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _records():
    """Records drawn from the record schema, narrowed where the schema alone would make nearly every record
    fail the first check after it (an unknown standard, method or criterion; dates in random order): the
    standard is ST0071, methods and criteria are its own, dates come from a few years around the examples."""
    from hypothesis_jsonschema import from_schema

    from epa.registry import core_standards

    st0071 = next(s for s in core_standards() if s.id == "ST0071")
    narrowed = copy.deepcopy(schema("record"))
    narrowed["properties"]["standard"] = {"const": "ST0071"}
    narrowed["$defs"]["date"] = {"enum": [f"{y}-{m:02d}-{d:02d}" for y in (2007, 2024, 2025, 2026, 2027)
                                          for m, d in ((1, 20), (2, 10), (5, 1), (9, 2), (12, 1))]}
    attempt = narrowed["properties"]["assessments"]["items"]
    attempt["properties"]["method"] = {"enum": [m.id for m in st0071.methods]}
    attempt["properties"]["criteria_met"]["items"] = {"enum": [c.id for c in st0071.criteria]}
    narrowed["properties"]["assessments"]["maxItems"] = 4
    narrowed["properties"]["schedule"]["propertyNames"] = {"enum": [m.id for m in st0071.methods]}
    narrowed["properties"]["document_versions"]["maxProperties"] = 0
    return from_schema(narrowed)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(data=st.data())
def test_fuzz_schema_generated_records(fuzz_dir, data):
    """Records drawn from the record schema, as YAML and as JSON: exit 0 or 2 (1 is an internal failure,
    never a record's fault), never a traceback, strict JSON out; the same input twice gives byte-identical
    output, and YAML and JSON of the same record give the same answer."""
    record = data.draw(_records())
    yaml_file = fuzz_dir / "record.yaml"
    json_file = fuzz_dir / "record.json"
    yaml_file.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True), encoding="utf-8")
    json_file.write_text(json.dumps(record, indent=1, ensure_ascii=False), encoding="utf-8")
    first = run("compare", "--format", "json", str(yaml_file))
    _no_traceback(first)
    assert run("compare", "--format", "json", str(yaml_file)) == first
    as_json = run("compare", "--format", "json", str(json_file))
    _no_traceback(as_json)
    assert as_json.exit_code == first.exit_code, (first.stderr, as_json.stderr)
    if first.exit_code == 0:
        assert {**as_json.json(), "record": ""} == {**first.json(), "record": ""}


_EXAMPLES = sorted(EXAMPLES.glob("*.yaml"))


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(example=st.sampled_from(_EXAMPLES), as_json=st.booleans(), cut=st.floats(0, 1),
       flips=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), max_size=4))
def test_fuzz_truncated_and_corrupted_examples(fuzz_dir, example, as_json, cut, flips):
    """An example record (as YAML or JSON) cut anywhere and with bytes overwritten: exit 0 or 2, never a
    traceback."""
    text = example.read_text(encoding="utf-8")
    if as_json:
        text = json.dumps(yaml.load(text, Loader=yaml.BaseLoader), indent=1)  # dates stay strings
    raw = bytearray(text.encode("utf-8")[: max(1, int(len(text) * cut))])
    for where, byte in flips:
        raw[min(len(raw) - 1, int(len(raw) * where))] = byte
    path = fuzz_dir / ("corrupt.json" if as_json else "corrupt.yaml")
    path.write_bytes(bytes(raw))
    _no_traceback(run("compare", "--format", "json", str(path)))


def test_a_merge_key_still_works_and_lines_stay_true(tmp_path):
    from epa.inputs.documents import read

    data, source = read(write(tmp_path, "base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n"))
    assert data["other"] == {"x": 1, "y": 3}
    assert source.where(["other", "y"]).endswith("record.yaml:4:6: $.other.y")


@pytest.mark.parametrize("key", ["x", "date"])
def test_a_merge_of_a_list_keeps_the_first_mappings_value(tmp_path, key):
    """The merge key's specification (yaml.org/type/merge.html): of ``<<: [*a, *b]``, "keys in mapping nodes earlier
    in the sequence override keys specified in later mapping nodes", as the hint for two ``<<`` says ("the first's
    values win"). PyYAML 6.0.4 keeps one of two alike keys by the identity of their strings, not their text: the
    first's for a one-letter key, the last's for ``date`` (found by review: a record following the hint got b's
    date). The mapping's own keys still win, and a merged mapping gives its own values over those it merged."""
    from epa.inputs.documents import read

    data, _ = read(write(tmp_path, f"a: &a {{{key}: 1}}\nb: &b {{{key}: 2}}\nc:\n  <<: [*a, *b]\n"))
    assert data["c"] == {key: 1}
    data, _ = read(write(tmp_path, f"a: &a {{{key}: 1, y: 1}}\nb: &b {{<<: *a, y: 2, z: 2}}\n"
                                   f"c:\n  <<: [*b, {{w: 3, {key}: 9}}]\n  z: 5\n"))
    assert data["b"] == {key: 1, "y": 2, "z": 2} and data["c"] == {key: 1, "y": 2, "w": 3, "z": 5}


def test_two_merge_keys_in_one_mapping_are_a_duplicate_key(tmp_path):
    """``<<`` twice in one mapping is a key given twice, which YAML forbids: which mapping's values win is the
    reader's choice (on 0382bff, silently the first's: x 1). Refused as any duplicate key is, saying how to merge
    two."""
    from epa.inputs.documents import read

    path = write(tmp_path, "a: &a {x: 1}\nb: &b {x: 2}\nc:\n  <<: *a\n  <<: *b\n")
    with pytest.raises(InputError) as refused:
        read(path)
    assert refused.value.where == f"{path}:5:3: $.c.<<"
    assert refused.value.message == "duplicate key '<<' (first at line 4, again at line 5)"
    assert refused.value.hint == "merge several mappings with one key: <<: [*first, *second] (the first's values win)"


@pytest.mark.parametrize("value", ["&s 1\nc:\n  <<: *s", "[1]\nc:\n  <<: [1]"], ids=["scalar", "list-of-scalars"])
def test_a_merge_key_of_what_is_no_mapping_is_refused_at_its_key(tmp_path, value):
    """``<<`` merges a mapping or a list of mappings: anything else is refused at the ``<<`` itself, with its JSON
    path (on 0382bff: at the merged value's line, with no path: 'f:1:4', an anchor's line, for line 3)."""
    from epa.inputs.documents import read

    path = write(tmp_path, f"a: {value}\n")
    with pytest.raises(InputError) as refused:
        read(path)
    assert refused.value.where == f"{path}:3:3: $.c.<<"
    assert refused.value.message.startswith("the merge key << takes a mapping")


def test_a_plain_equals_sign_is_the_text_written(tmp_path):
    """A plain ``=`` is text in YAML 1.2 and to its author (a rule's words, a cell of a table); PyYAML's YAML 1.1
    resolver tags it !!value, a type with no value of its own. On 0382bff: refused as 'the tag !!value is not allowed
    here', a tag the file never wrote."""
    from epa.inputs.documents import read

    data, _ = read(write(tmp_path, "a: =\nb: [=, '=']\n"))
    assert data == {"a": "=", "b": ["=", "="]}


def test_a_file_that_says_yaml_1_2_is_read_as_yaml_1_2(tmp_path):
    """Under a ``%YAML 1.2`` directive the author has said which YAML the file is: there yes, no, on and off are
    text and ``<<`` a key like any other (1.1's booleans and merge key; true and false are booleans in both). On
    0382bff they were read as YAML 1.1 reads them: yes as true, << merged. Without the directive, as before."""
    from epa.inputs.documents import read

    text = "a: yes\nb: [on, Off, NO, true, FALSE]\nc: {<<: {x: 1}, y: 2}\n"
    data, _ = read(write(tmp_path, "%YAML 1.2\n---\n" + text, "declared.yaml"))
    assert data == {"a": "yes", "b": ["on", "Off", "NO", True, False], "c": {"<<": {"x": 1}, "y": 2}}
    data, _ = read(write(tmp_path, text, "undeclared.yaml"))
    assert data == {"a": True, "b": [True, False, False, True, False], "c": {"x": 1, "y": 2}}
