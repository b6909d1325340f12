"""epa plugins: each plugin's distribution, its own hooks, what it ships, and the variants its data sets apart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import needs_a_body
from epa.testing import install_plugin, ok_json, registry, requires, run

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "st0071-criteria.yaml"


def plugin(data, body_id):
    return next(p for p in data if p["id"] == body_id)


def variants(data, body_id, standard="ST0071"):
    return [v for r in plugin(data, body_id)["rulesets"] if r["standard"] == standard for v in r["variants"]]


def test_every_loaded_body_is_listed_with_its_hooks_and_rules():
    data = ok_json("plugins", definition="plugins")
    assert [p["id"] for p in data] == [b.body.id for b in registry().bodies]
    for p in data:
        assert "register_body" in p["hooks"]  # every body implements it; the rest are the defaults'
        assert p["rulesets"]


@needs_a_body("with none, `epa plugins` prints no table (tests/test_cli.py)")
def test_table_runs():
    result = run("plugins")
    assert result.exit_code == 0 and "Body plugins" in result.stdout


@requires("tqual")
def test_tquk_observation_led_table():
    # 003 § Overall Grading, as read (ambiguity tqual-overall-grading-table-garbled): with nothing failed, the
    # overall grade is the observation's, so observation distinction with passes elsewhere is a distinction.
    (v,) = [v for v in variants(ok_json("plugins", definition="plugins"), "tqual") if v["kind"] == "combination"]
    assert "observation distinction, project pass, discussion pass gives distinction" in v["says"]
    assert v["citation"].endswith("§ Overall Grading")


@requires("gateway_quals")
def test_gateway_qualifications_three_month_resit_window():
    # 004: a resit or retake within three months of the fail notification.
    windows = [v for v in variants(ok_json("plugins", definition="plugins"), "gateway_quals") if v["kind"] == "window"]
    assert windows and all("3 months from fail notified" in v["says"] for v in windows)


@requires("highfield")
def test_highfield_one_month_project_rework():
    # 002 § Retake and resit information: a failed work-based project is reworked within one month.
    rework = [v for v in variants(ok_json("plugins", definition="plugins"), "highfield") if v["kind"] == "rework"]
    assert len(rework) == 1 and "project reworked within 1 month of the fail" in rework[0]["says"]


@requires("nqual")
def test_a_cap_whose_document_names_no_exception_says_so():
    # 000 § Re-sit / Re-take and 001's: "the apprentice will be awarded a maximum EPA grade of Pass", no exception
    # named; "not lifted by exceptional circumstances" alone read as though the packs had ruled them out
    caps = [v["says"] for s in ("ST0071", "ST0072")
            for v in variants(ok_json("plugins", definition="plugins"), "nqual", s) if v["kind"] == "cap"]
    assert len(caps) == 2
    assert all(c.endswith("; not lifted by exceptional circumstances (the document names no exception)") for c in caps)


@requires("highfield")
def test_a_cap_the_tool_reads_from_an_ambiguous_sentence_names_its_readings():
    # 002 § Retake and resit information: "The maximum grade awarded to a resit will be pass, unless Highfield
    # identifies exceptional circumstances accounting for the original fail." A resit only, and its own grade, are
    # the tool's readings of it (ambiguities highfield-resit-cap-resit-only, highfield-maximum-grade-of-a-resit,
    # rules [resit.cap]): "resit capped at pass (its own grade ...)" alone said them as the kit's words
    (cap,) = [v["says"] for v in variants(ok_json("plugins", definition="plugins"), "highfield") if v["kind"] == "cap"]
    assert cap.endswith("lifted by exceptional circumstances (on the tool's reading: highfield-resit-cap-resit-only, "
                        "highfield-maximum-grade-of-a-resit)"), cap


@requires("nqual")
def test_nqual_level_2_distinction_thresholds():
    # 001 § Assessment Breakdown: "Distinction: All Pass Criteria Achieved Plus: Apprentice Showcase - 7 out of 10",
    # "Observation - 4 out of 5", "Professional Discussion - 3 out of 4".
    found = {v["says"] for v in variants(ok_json("plugins", definition="plugins"), "nqual", "ST0072")
             if v["kind"] == "threshold"}
    assert found == {"showcase: distinction with 7 of 10 distinction criteria",
                     "observation: distinction with 4 of 5 distinction criteria",
                     "discussion: distinction with 3 of 4 distinction criteria"}


@requires("tqual")
def test_tquk_table_departs_from_the_pattern_not_from_words_its_document_does_not_state():
    # 003 § Overall Grading states no distinction rule in words: "the grades are combined as described in the
    # table below"; only the table speaks of distinction. Its table departs from the core's default pattern, not
    # from a rule in words of its own (which would be a contradiction in the document).
    (v,) = [v for v in variants(ok_json("plugins", definition="plugins"), "tqual") if v["kind"] == "combination"]
    assert "rule in words" not in v["says"]
    assert v["says"].startswith("its printed table grades 3 combinations otherwise than the core's default pattern")
    found = run("consistency", "--standard", "ST0071", "--format", "json").json()["findings"]
    (reference,) = [f for f in found if f["id"] == "reference.tqual.combination"]
    assert "rule in words" not in reference["summary"]


@requires("highfield", "tqual")
def test_a_resit_window_the_document_only_advises_is_listed_as_advice():
    # 002 § Retake and resit information: "apprentices should complete retake/resits within 12 months";
    # 003 § Resits and Retakes: "the apprentice should complete this within 12 months".
    data = ok_json("plugins", definition="plugins")
    for body in ("highfield", "tqual"):
        (window,) = [v for v in variants(data, body) if v["kind"] == "window"]
        assert "12 months from first fail notified, the tool's reading: the document does not say which date this " \
               "counts from (advice)" in window["says"]


@requires("nqual")
def test_a_window_counted_from_a_date_its_document_does_not_state_is_listed_as_the_tools_reading():
    """000 § Re-sit / Re-take: "All assessment methods must be taken within a 12-month period, otherwise the entire EPA
    will need to be resat / retaken." The 12 months are the document's, the first assessment they count from the
    tool's reading (from_reading): on e56ed49 `epa plugins` listed "12 months from first assessment" as though the
    document named that date. It says so in the words the timeline uses (deadlines.FROM_READING)."""
    from epa.rules.deadlines import FROM_READING

    (window,) = [v for v in variants(ok_json("plugins", definition="plugins"), "nqual") if v["kind"] == "window"]
    assert window["says"].startswith(f"All assessment methods within a 12-month period: 12 months from first "
                                     f"assessment{FROM_READING}; missed: the whole EPA again")


@requires("gateway_quals")
def test_a_window_whose_date_the_document_states_is_not_called_a_reading():
    # 004 § 4. Re-sits and re-takes: "within three months of the fail notification": the date is the document's.
    windows = [v for v in variants(ok_json("plugins", definition="plugins"), "gateway_quals") if v["kind"] == "window"]
    assert windows and not any("tool's reading" in v["says"] for v in windows)


@requires("gateway_quals")
def test_a_missed_window_exceptional_circumstances_lift_says_so():
    # 004 § 4. Re-sits and re-takes: "... otherwise the entire EPA must be taken again, unless in the opinion of
    # Gateway Qualifications exceptional circumstances apply outside the control of the apprentice or their employer."
    windows = [v for v in variants(ok_json("plugins", definition="plugins"), "gateway_quals") if v["kind"] == "window"]
    assert windows and all(v["says"].endswith("missed: the whole EPA again; exceptional circumstances lift it")
                           for v in windows)
    # NQual's 12 months (000 § Re-sit / Re-take) gives no exception, and is a requirement ("must"), not advice.
    if "nqual" in {b.body.id for b in registry().bodies}:
        (nqual,) = [v for v in variants(ok_json("plugins", definition="plugins"), "nqual") if v["kind"] == "window"]
        assert nqual["says"].endswith("missed: the whole EPA again") and "(advice)" not in nqual["says"]


def _broken_site(tmp_path: Path) -> dict[str, str]:
    """Two installed plugins whose entry points cannot be imported: a module importing one that is not there, and an
    object the module does not have. The environment sees them, EPA_BODIES unset (every installed body)."""
    install_plugin(tmp_path, "epa_brokenimp", "import no_such_module_for_epa\n", "brokenimp = epa_brokenimp")
    env = install_plugin(tmp_path, "epa_noattr", "x = 1\n", "noattr = epa_noattr:plugin")
    env.pop("EPA_BODIES", None)
    return env


def _epa(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "epa", *args], env=env, capture_output=True, text=True, timeout=120)


def test_plugins_names_every_plugin_that_does_not_load_and_lists_the_others(tmp_path):
    """`epa plugins`, the command to find out what is installed, stopped at the first plugin that did not import,
    naming it alone, and listed none of the plugins that load."""
    done = _epa(_broken_site(tmp_path), "plugins", "--format", "json")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    listed = {p["id"] for p in json.loads(done.stdout)}
    assert {b.body.id for b in registry().bodies} <= listed and not listed & {"brokenimp", "noattr"}
    said = done.stderr
    assert "error: plugin 'brokenimp' failed in hook 'import': cannot import entry point " \
        "'brokenimp = epa_brokenimp' (distribution epa-brokenimp): ModuleNotFoundError" in said
    assert "error: plugin 'noattr' failed in hook 'import': cannot import entry point " \
        "'noattr = epa_noattr:plugin' (distribution epa-noattr): AttributeError" in said
    assert "2 plugins did not load" in said and "--bodies" in said


@needs_a_body("another body's record is graded with --bodies")
def test_a_plugin_that_does_not_import_stops_a_command_saying_how_to_go_on(tmp_path):
    """Every command stops, as a body left out unasked would be an answer without it, naming the entry point and
    what to do: choose the bodies (which then grade as ever) or uninstall it."""
    env = _broken_site(tmp_path)
    done = _epa(env, "compare", str(EXAMPLE), "--format", "json")
    assert done.returncode == 1 and done.stdout == "" and "Traceback" not in done.stderr, done.stderr
    assert "cannot import entry point 'brokenimp = epa_brokenimp'" in done.stderr
    assert "  hint: every command stops while 'brokenimp' does not load: name the bodies you use with --bodies" \
        in done.stderr and "or uninstall epa-brokenimp" in done.stderr
    offering = [b.body.id for b in registry().bodies if "ST0071" in b.body.standards]
    if offering:  # (the example record is ST0071's)
        chosen = _epa(env, "--bodies", offering[0], "compare", str(EXAMPLE), "--format", "json")
        assert chosen.returncode == 0 and json.loads(chosen.stdout)["results"], chosen.stderr
