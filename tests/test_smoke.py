from conftest import EXAMPLES, run


def test_compare_example_runs():
    result = run("compare", str(EXAMPLES / "st0071-observation-distinction.yaml"), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert {r["body"] for r in result.json()["results"]} == {"nqual", "highfield", "tqual", "gateway_quals"}
