from conftest import example, run


def test_compare_example_runs(registry):
    # Every loaded body offering the record's standard grades it, whichever bodies are installed.
    result = run("compare", str(example("st0071-observation-distinction.yaml")), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert {r["body"] for r in result.json()["results"]} == {b.body.id for b in registry.offering("ST0071")}
