"""Bad input: a clear message naming the file, line and JSON path, a suggestion where one helps,
exit code 2, and never a traceback. Plugin failures name the plugin and the hook and exit 1.

Whether a record is valid does not depend on which bodies are installed (the standards and their criterion
ids are the core's), so a record is checked through any body offering its standard."""

from __future__ import annotations

import textwrap

import pytest

import epa
from conftest import EXAMPLES, any_body, body_plugin, fails, offering, run, use_plugins, write
from epa.errors import PluginError
from epa.registry import Registry
from epa.testing import requires

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
        criteria_met: [K3.3, K3.4]
""")


def test_the_good_record_is_good(tmp_path):
    assert run("grade", "--body", any_body("ST0071"), write(tmp_path, GOOD)).exit_code == 0


@pytest.mark.parametrize("old,new,expected", [
    # YAML syntax: file, line and column
    ("  id: A-1\n", "  id: [A-1\n", ["YAML syntax error", "record.yaml:"]),
    # schema violations: JSON path, line, and a suggestion
    ("kind: first", "kind: frist", ["$.assessments[0].kind", "record.yaml:11:", "did you mean 'first'?"]),
    ("    notified:", "    notifed:", ["unknown field 'notifed'", "$.assessments[0].notifed", "did you mean 'notified'?"]),
    ("  date: 2025-12-01", "  date: 2025-02-30", ["'2025-02-30' is not a valid date", "$.gateway.date",
                                                  # why, as a CSV cohort's date is told (it said "expected YYYY-MM-DD")
                                                  "February 2025 has no day 30"]),
    ("  date: 2025-12-01", "  date: 2025-13-01", ["'2025-13-01' is not a valid date: there is no month 13"]),
    # digits other than ASCII's are no date's, whatever day they name (on 890f157: "January 2025 has no day 1")
    ("  date: 2025-12-01", "  date: \"\u0662\u0660\u0662\u0665-\u0661\u0662-\u0660\u0661\"",
     ["is not a valid date (expected YYYY-MM-DD)"]),
    ("criteria_met: [K3.3, K3.4]", "criteria_met: [K3.3]\n    grade: pass", ["either criteria_met", "$.assessments[0]"]),
    ("apprentice:\n  id: A-1\n", "apprentice:\n  name: A-1\n", ["unknown field 'name'", "also: ", "'id' is a required property"]),
    # names the rules do not know
    ("standard: ST0071", "standard: ST071", ["unknown standard 'ST071'", "did you mean 'ST0071'?",
                                              "$.standard"]),
    ("method: observation", "method: observaton", ["has no assessment method 'observaton'",
                                                   "did you mean 'observation'?", "$.assessments[0].method"]),
    ("[K3.3, K3.4]", "[K3.3, K3.44]", ["no body knows criterion 'K3.44'", "$.assessments[0].criteria_met[1]",
                                       "did you mean"]),
    # a criterion in another case: that criterion suggested, not the first as close (k3.3 was offered S3.3)
    ("[K3.3, K3.4]", "[K3.3, k3.4]", ["no body knows criterion 'k3.4'", "did you mean 'K3.4'?"]),
    # impossible dates
    ("notified: 2026-01-30", "notified: 2026-01-10", ["notified on 2026-01-10, before the assessment",
                                                      "$.assessments[0].notified"]),
    ("  date: 2025-12-01", "  date: 2024-08-01", ["gateway 2024-08-01 is before the apprenticeship start",
                                                  "$.gateway.date"]),
    ("    date: 2026-01-20", "    date: 2025-11-20", ["before gateway", "$.assessments[0].date"]),
])
def test_bad_record(tmp_path, old, new, expected):
    assert old in GOOD
    message = fails("grade", "--body", any_body("ST0071"), write(tmp_path, GOOD.replace(old, new, 1)))
    for fragment in expected:
        assert fragment in message


# An assessment booked and not graded yet, written under assessments with its date alone: told where it goes
# (the record schema's schedule: "planned dates of methods not yet attempted"); one giving both is not told so.
def test_a_booked_assessment_without_a_grade_is_told_to_go_under_schedule(tmp_path):
    booked = GOOD.replace("    criteria_met: [K3.3, K3.4]\n", "")
    assert booked != GOOD
    message = fails("grade", "--body", any_body("ST0071"), write(tmp_path, booked))
    assert "$.assessments[0]: an assessment gives either criteria_met" in message
    assert "hint: an assessment booked and not graded yet goes under schedule" in message
    both = GOOD.replace("criteria_met: [K3.3, K3.4]", "criteria_met: [K3.3, K3.4]\n    grade: pass")
    message = fails("grade", "--body", any_body("ST0071"), write(tmp_path, both))
    assert "either criteria_met" in message and "schedule" not in message


# A date written otherwise than YYYY-MM-DD: said once (its bounds' pattern fails too, and was an "also:" line
# saying the same), with the days it can name, day first as UK dates are written, never one chosen for the user.
# (A hand reading: 01/12/2025 is 1 December 2025 day first, 12 January 2025 month first; 20251201 is 1 December.)
@pytest.mark.parametrize("new, said, hint", [
    ("  date: '01/12/2025'", "'01/12/2025' is not a valid date (expected YYYY-MM-DD)",
     "write it YYYY-MM-DD: 2025-12-01 if 1 December 2025 is meant or 2025-01-12 if 12 January 2025 is meant"),
    ("  date: '25/12/2025'", "'25/12/2025' is not a valid date (expected YYYY-MM-DD)",
     "write it YYYY-MM-DD: 2025-12-25 if 25 December 2025 is meant"),
    # unquoted, YAML reads a number: quoting it (the hint was 'quote it ("20251201")') gives no date either
    ("  date: 20251201", "20251201 is not a date", "write it YYYY-MM-DD: 2025-12-01 if 1 December 2025 is meant"),
    ("  date: '2025/12/01'", "'2025/12/01' is not a valid date (expected YYYY-MM-DD)",
     "write it YYYY-MM-DD: 2025-12-01 if 1 December 2025 is meant"),
    # year first with dashes, one-digit month and day, or a space after it: the hint was 'e.g. 2025-06-02 for
    # 2 June 2025', as if the form were unknown (found by review)
    ("  date: '2025-12-1'", "'2025-12-1' is not a valid date (expected YYYY-MM-DD)",
     "write it YYYY-MM-DD: 2025-12-01 if 1 December 2025 is meant"),
    ("  date: '2025-12-01 '", "'2025-12-01 ' is not a valid date (expected YYYY-MM-DD)",
     "write it YYYY-MM-DD: 2025-12-01 if 1 December 2025 is meant"),
    # no reading of it is a day: said so, not offered the form alone as if the form were the fault (hand reading:
    # 2025 is no leap year; 29/02 day first is 29 February, month first the 2nd of a month 29)
    ("  date: '29/02/2025'", "'29/02/2025' is not a valid date (expected YYYY-MM-DD)",
     "29/02/2025 is no day of the calendar, day first or month first: write the day meant as YYYY-MM-DD"),
    ("  date: 20250229", "20250229 is not a date", "20250229 is no day of the calendar: write the day meant"),
])
def test_a_date_in_another_form_is_told_once_with_the_days_it_can_name(tmp_path, new, said, hint):
    message = fails("grade", "--body", any_body("ST0071"),
                    write(tmp_path, GOOD.replace("  date: 2025-12-01", new, 1)))
    assert f"$.gateway.date: {said}" in message
    assert f"hint: {hint}" in message
    assert "also:" not in message and "quote it" not in message


@pytest.mark.parametrize("name, text", [
    ("records.json", '[{"standard": "ST0071"}, {"standard": "ST0071"}]'),
    ("records.yaml", "- standard: ST0071\n- standard: ST0071\n"),
])
def test_a_list_of_records_is_told_how_each_command_reads_them(tmp_path, name, text):
    """A JSON array of records was "$: […] (2 items) is not a mapping", with no hint; and given to --batch, told to
    name it .jsonl, which reads each line of the array as a record."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    message = fails("compare", str(path))
    assert "this is a list of 2 records, not one record" in message and "one record a line (.jsonl)" in message
    batch = fails("compare", "--batch", str(path))
    assert "epa compare FILE" in batch and "one record a line (not a JSON array)" in batch


def test_attempts_out_of_order(tmp_path):
    offering("ST0071", "the standard of the record the test writes (the order of attempts is checked once its standard is known)")
    text = GOOD + "  - method: project\n    date: 2026-01-05\n    grade: pass\n"
    message = fails("compare", write(tmp_path, text))
    assert "$.assessments[1].date" in message and "date order" in message


def test_json_syntax_error_has_line_and_column(tmp_path):
    message = fails("compare", write(tmp_path, '{"standard": "ST0071",\n "apprentice": }', "record.json"))
    assert "JSON syntax error" in message and "record.json:2:" in message


def test_json_record_schema_error_has_line(tmp_path):
    text = '{"standard": "ST0071",\n "apprentice": {"id": "A"},\n "gateway": {"date": "tomorrow"}}'
    message = fails("compare", write(tmp_path, text, "record.json"))
    assert "record.json:3:" in message and "$.gateway.date" in message


def test_missing_file():
    assert "no such file" in fails("compare", "no/such/record.yaml")


@requires("tqual", "highfield")
def test_unknown_body_suggests():
    message = fails("grade", "--body", "tqal", str(EXAMPLES / "st0071-criteria.yaml"))
    assert "unknown body 'tqal'" in message and "did you mean 'tqual'?" in message
    assert "did you mean 'tqual'?" in fails("criteria", "--standard", "ST0071", "--body", "tqal")
    assert "did you mean 'highfield'?" in fails("ambiguities", "--body", "highfeld")


def test_unknown_standard_suggests():
    assert "did you mean 'ST0072'?" in fails("criteria", "--standard", "ST0073")


@requires("tqual", "nqual")
def test_body_that_does_not_offer_the_standard():
    message = fails("grade", "--body", "tqual", str(EXAMPLES / "st0072-distinction.yaml"))
    assert "tqual does not offer ST0072" in message and "nqual" in message


@requires("gateway_quals")
def test_unknown_document_version(tmp_path):
    message = fails("grade", "--body", "gateway_quals",
                    write(tmp_path, GOOD + "document_versions: {gateway_quals: '1.2'}\n"))
    assert "no document version '1.2'" in message and "did you mean '1.1'?" in message
    assert "record.yaml:13:" in message and "$.document_versions.gateway_quals" in message
    message = fails("criteria", "--standard", "ST0071", "--body", "gateway_quals", "--version", "2.0")
    assert "no document version '2.0'" in message


def test_usage_errors_exit_2():
    assert "Missing option '--body'" in fails("grade", str(EXAMPLES / "st0071-criteria.yaml"))
    assert "'xml' is not one of" in fails("bodies", "--format", "xml")
    assert "No such command" in fails("grde")
    assert "give --body too" in fails("criteria", "--standard", "ST0071", "--version", "1.0")


# --- plugins that fail --------------------------------------------------------------------------------


def test_plugin_exception_names_plugin_and_hook(monkeypatch):
    def combine_grades(self, ruleset, components):
        raise KeyError("observation")

    use_plugins(monkeypatch, body_plugin(combine_grades=combine_grades))
    message = fails("compare", str(EXAMPLES / "st0071-observation-distinction.yaml"), code=1)
    assert "plugin 'broken' failed in hook 'combine_grades'" in message and "KeyError" in message


def test_plugin_breaking_the_contract_is_a_plugin_error(monkeypatch):
    def grade_component(self, ruleset, method, criteria_met):
        return "pass"  # not an epa.ComponentResult

    use_plugins(monkeypatch, body_plugin(grade_component=grade_component))
    message = fails("grade", "--body", "broken", str(EXAMPLES / "st0071-criteria.yaml"), code=1)
    assert "'grade_component'" in message and "expected epa.ComponentResult" in message


def test_register_body_must_return_a_body():
    class Plugin:
        @epa.hookimpl
        def register_body(self):
            return {"id": "x"}

    with pytest.raises(PluginError, match="register_body"):
        Registry([("x", Plugin())])


def test_bad_ruleset_file_in_a_plugin_is_reported_with_its_path(tmp_path):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "ST0071.yaml").write_text("body: x\nstandard: ST0071\n")

    class Plugin:
        @epa.hookimpl
        def register_body(self):
            return epa.Body(id="x", name="X", rulesets=epa.load_rulesets(rules))

    # A plugin whose own rules file does not load is a plugin failure (exit 1), naming the file.
    with pytest.raises(PluginError) as info:
        Registry([("x", Plugin())])
    assert "ST0071.yaml" in str(info.value) and "required property" in str(info.value)


def _chosen_and_left_out(standard: str) -> tuple[str, str]:
    """A body offering ``standard`` to choose with --bodies, and another installed body to leave out."""
    bodies = [b.body.id for b in epa.testing.registry().bodies]
    chosen = any_body(standard)
    others = [b for b in bodies if b != chosen]
    if not others:
        pytest.skip("needs two installed bodies: one to choose with --bodies, one to leave out")
    return chosen, others[0]


def test_a_record_naming_a_body_left_out_by_bodies_says_so(tmp_path, monkeypatch):
    """The body is installed, so "unknown body" would be false: it is not among those --bodies chose."""
    monkeypatch.delenv("EPA_BODIES", raising=False)
    chosen, left_out = _chosen_and_left_out("ST0071")
    record = write(tmp_path, GOOD + f"document_versions: {{{left_out}: '1.0'}}\n")
    message = fails("--bodies", chosen, "compare", record)
    assert f"$.document_versions.{left_out}" in message and "unknown body" not in message
    assert "not among the bodies chosen with --bodies (or EPA_BODIES)" in message
    assert f"add {left_out} to --bodies" in message
    message = fails("--bodies", chosen, "grade", "--body", left_out, record)
    assert "not among the bodies chosen with --bodies" in message and "unknown body" not in message


def test_a_standard_only_bodies_left_out_offer_says_so(tmp_path, monkeypatch):
    """ST0072 with --bodies naming only bodies that do not offer it: "no installed body offers" would be false
    where an installed body left out offers it."""
    monkeypatch.delenv("EPA_BODIES", raising=False)
    registry = epa.testing.registry()
    offering = {b.body.id for b in registry.bodies if "ST0072" in b.body.standards}
    others = [b.body.id for b in registry.bodies if b.body.id not in offering]
    if not offering or not others:
        pytest.skip("needs an installed body offering ST0072 and one that does not")
    message = fails("--bodies", others[0], "compare", str(EXAMPLES / "st0072-distinction.yaml"))
    assert "no installed body offers" not in message
    assert "no body among those chosen with --bodies (or EPA_BODIES) offers standard 'ST0072'" in message
    assert all(b in message for b in offering)  # the hint names the bodies left out
    named = message.split("offering it: ")[1].split(";")[0].split(", ")
    assert set(named) == offering  # and only those that offer the standard


def test_a_body_left_out_named_by_its_name_says_it_was_left_out(monkeypatch):
    """`--bodies nqual grade --body TQUK` said "unknown body 'TQUK'": a body left out is known by its name and
    acronym too, not only its id."""
    monkeypatch.delenv("EPA_BODIES", raising=False)
    bodies = epa.testing.registry().bodies
    if len(bodies) < 2:
        pytest.skip("needs two installed bodies")
    chosen, other = bodies[0].body, bodies[1].body
    message = fails("--bodies", chosen.id, "grade", "--body", other.name, str(EXAMPLES / "st0071-journey.yaml"))
    assert f"body '{other.id}' is installed but not among the bodies chosen with --bodies" in message


def test_bodies_naming_no_body_does_not_say_none_is_installed(monkeypatch):
    """`--bodies ,` chooses no body: the refusal must say none was chosen, not that no installed body offers the
    standard (a review found it said so with four installed)."""
    monkeypatch.delenv("EPA_BODIES", raising=False)
    offering = [b.body.id for b in epa.testing.registry().bodies if "ST0071" in b.body.standards]
    if not offering:
        pytest.skip("needs an installed body offering ST0071, the example record's standard")
    message = fails("--bodies", ",", "compare", str(EXAMPLES / "st0071-journey.yaml"))
    assert "no installed body offers" not in message
    assert "no body among those chosen with --bodies (or EPA_BODIES) offers standard 'ST0071'" in message
    assert all(b in message for b in offering)


@pytest.mark.parametrize("written, shown, hint", [
    ("no", "false", 'unquoted, no is read as false: quote it ("no")'),  # YAML 1.1's boolean
    ("yes", "true", 'unquoted, yes is read as true: quote it ("yes")'),
    ("12", "12", 'quote it ("12")'),
    ("1.5", "1.5", 'quote it ("1.5")'),
])
def test_a_value_yaml_reads_as_a_boolean_or_number_where_text_is_meant(tmp_path, written, shown, hint):
    """The value as the file holds it in JSON terms, never Python's (False, 'string'), and a hint to quote it."""
    any_body("ST0071")
    message = fails("compare", write(tmp_path, GOOD.replace("id: A-1", f"id: {written}")))
    assert f"$.apprentice.id: {shown} " in message and hint in message
    assert "False" not in message and "True" not in message and "'string'" not in message


def test_a_value_in_json_where_text_is_meant_gets_the_same_words(tmp_path):
    any_body("ST0071")
    text = '{"standard": "ST0071", "apprentice": {"id": false}, "gateway": {"date": "2025-12-01"}}'
    message = fails("compare", write(tmp_path, text, "record.json"))
    assert "$.apprentice.id: false " in message and 'quote it ("false")' in message and "False" not in message


def test_a_list_where_one_value_is_meant_is_shown_as_json(tmp_path):
    """grade: [pass] is a list of one grade: shown as JSON writes it, with the one value to give instead."""
    any_body("ST0071")
    message = fails("compare", write(tmp_path, GOOD.replace("kind: first", "kind: first\n    grade: [pass]")))
    assert '$.assessments[0].grade: ["pass"] ' in message and "['pass']" not in message
    assert "give one value, not a list: 'pass'" in message


@pytest.mark.parametrize("written", ["ST0071 v1.2", "st0071/v1.3", "ST0071 Customer Service Specialist"])
def test_a_standard_s_id_with_more_after_it_is_told_to_give_the_id_alone(tmp_path, written):
    # (found by the stress run: 'ST0071 v1.2' was told "did you mean 'ST0072'?", another standard)
    any_body("ST0071")
    record = GOOD.replace("standard: ST0071", f"standard: {written}")
    result = run("compare", write(tmp_path, record))
    assert result.exit_code == 2 and "give the standard's id alone: 'ST0071'" in result.stderr, result.stderr
    assert "ST0072" not in result.stderr
