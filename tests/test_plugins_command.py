"""epa plugins: each plugin's distribution, its own hooks, what it ships, and the variants its data sets apart."""

from __future__ import annotations

from epa.testing import ok_json, registry, requires, run


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
def test_nqual_level_2_distinction_thresholds():
    # 001 § Assessment Breakdown: "Distinction: All Pass Criteria Achieved Plus: Apprentice Showcase - 7 out of 10",
    # "Observation - 4 out of 5", "Professional Discussion - 3 out of 4".
    found = {v["says"] for v in variants(ok_json("plugins", definition="plugins"), "nqual", "ST0072")
             if v["kind"] == "threshold"}
    assert found == {"showcase: distinction with 7 of 10 distinction criteria",
                     "observation: distinction with 4 of 5 distinction criteria",
                     "discussion: distinction with 3 of 4 distinction criteria"}
