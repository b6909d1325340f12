"""epa plugin new: the generated plugin is complete; as generated it installs and is listed, and fails conformance
(and its own tests) on its placeholders alone, until the author replaces them."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import re
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from epa import cli, conformance
from epa.registry import Registry
from epa.testing import fails, ok_json, run


def generate(tmp_path: Path, body_id: str = "zeta", *args: str) -> Path:
    target = tmp_path / f"epa-{body_id}"
    result = run("plugin", "new", body_id, "--name", "Zeta Assessment", "--dir", str(target), *args)
    assert result.exit_code == 0, result.stderr
    return target


def load_generated(folder: Path, body_id: str):
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module(f"epa_{body_id}")
    finally:
        sys.path.remove(str(folder))


def test_generates_an_installable_package(tmp_path):
    folder = generate(tmp_path)
    names = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert names == {"pyproject.toml", "README.md", ".gitignore", "epa_zeta/__init__.py", "epa_zeta/rules/ST0071.yaml",
                     "epa_zeta/rules/ST0071.journey.yaml", "tests/test_zeta_conformance.py", "tests/test_zeta_rules.py"}
    pyproject = (folder / "pyproject.toml").read_text()
    assert '[project.entry-points.epa]\nzeta = "epa_zeta"' in pyproject
    assert '"epa>=0.' in pyproject and ",<" in pyproject  # a compatible-release pin of the core
    assert "PLACEHOLDER" in (folder / "epa_zeta/rules/ST0071.yaml").read_text()
    assert ".venv/" in (folder / ".gitignore").read_text().splitlines()
    assert "pypi.org/project/epa" not in (folder / "README.md").read_text()  # another project of that name


def test_as_generated_it_loads_and_fails_the_placeholders_check_alone(tmp_path, monkeypatch):
    module = load_generated(generate(tmp_path), "zeta")
    reg = Registry([("zeta", module)], keep_going=True)
    outcomes = conformance.run(reg)
    (failed,) = [o for o in outcomes if o.status == "fail"]
    assert failed.check == "placeholders"
    assert {f.entry for f in failed.failures} >= {"$.document.title", "$.document.sha256", "$.criteria[0].text",
                                                  "$.criteria[0].citation", "$.gateway[0].citation"}
    # No source document for the placeholder: the citation checks skip, saying why, and never pass.
    assert {o.status for o in outcomes if o.check == "sources"} == {"skip"}
    monkeypatch.setattr(cli, "_registry", lambda: reg)
    assert [b["id"] for b in ok_json("bodies", definition="bodies")] == ["zeta"]


def test_another_standard(tmp_path):
    module = load_generated(generate(tmp_path, "eta", "--standard", "ST0072"), "eta")
    (ruleset,) = Registry([("eta", module)]).body("eta").body.rulesets
    assert ruleset.standard == "ST0072" and ruleset.method_ids == ("showcase", "observation", "discussion")


def test_bad_requests_are_clear_errors(tmp_path):
    assert "not a body id" in fails("plugin", "new", "Zeta-1", "--dir", str(tmp_path / "x"))
    generate(tmp_path)
    assert "not empty" in fails("plugin", "new", "zeta", "--dir", str(tmp_path / "epa-zeta"))
    assert "did you mean 'ST0071'?" in fails("plugin", "new", "zeta", "--standard", "ST071",
                                              "--dir", str(tmp_path / "y"))


def seeing_these_packages(env_dir: Path) -> None:
    """Let a new environment import every package this one can (the installed core, its plugins, pip,
    hatchling, pytest), without network. `system_site_packages` is no use when this is itself a virtual
    environment: it shows the base interpreter's packages, not this environment's. A .pth line starting
    with `import` runs at start-up; addsitedir also reads the .pth files there, as editable installs need."""
    here = [*site.getsitepackages(), *([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])]
    dirs = [d for d in dict.fromkeys(here) if Path(d).is_dir()]
    purelib = subprocess.run([str(python_in(env_dir)), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             capture_output=True, text=True, check=True).stdout.strip()
    Path(purelib, "_epa_test_sees_the_running_environment.pth").write_text(
        f"import site; list(map(site.addsitedir, {dirs!r}))\n", encoding="utf-8")


def python_in(env_dir: Path) -> Path:
    return env_dir / ("Scripts" if os.name == "nt" else "bin") / "python"


def test_installed_into_a_fresh_environment_it_fails_on_its_placeholders_until_they_are_replaced(tmp_path):
    """The generated plugin, pip-installed into a new environment beside the installed core (no network:
    the environment sees this one's packages, and hatchling builds it without isolation): listed; conformance
    and its own tests fail naming the placeholders; filled in from its document, both pass."""
    for needed, why in (("hatchling", "it is in epa's test extra"), ("pip", "it installs the plugin")):
        if importlib.util.find_spec(needed) is None:
            pytest.skip(f"{needed} is not installed ({why}): the plugin cannot be built and installed offline")
    folder = generate(tmp_path)
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(env_dir)  # pip comes from this environment, not a fresh copy
    seeing_these_packages(env_dir)
    python = str(python_in(env_dir))
    environ = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    environ.pop("EPA_BODIES", None)

    def ok(*args: str, cwd: Path = tmp_path, code: int = 0) -> str:
        done = subprocess.run(args, cwd=cwd, env=environ, capture_output=True, text=True, timeout=300)
        assert done.returncode == code, f"{args}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    install = (python, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-deps", "--force-reinstall",
               str(folder))
    ok(*install)
    listed = ok(python, "-m", "epa", "bodies", "--format", "json")
    assert '"id": "zeta"' in listed
    said = " ".join(ok(python, "-m", "epa", "conformance", "zeta", code=1).split())
    assert "FAIL zeta placeholders" in said and "$.document.sha256" in said and "some checks fail" in said
    tested = ok(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=folder, code=1)
    assert "placeholders fails for zeta" in tested and "still a placeholder" in tested

    sources = tmp_path / "sources"
    sources.mkdir()
    fill_in(folder, sources)
    ok(*install)
    said = " ".join(ok(python, "-m", "epa", "conformance", "zeta", "--sources", str(sources)).split())
    assert said.endswith("all checks pass")
    tested = ok(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--epa-sources", str(sources), cwd=folder)
    assert " passed" in tested and "failed" not in tested


def fill_in(folder: Path, sources: Path) -> None:
    """What the author does: the document in a sources folder, every placeholder replaced with its words (here
    one section heading), and its hash set."""
    document = sources / "zeta-st0071.txt"
    document.write_text("Zeta EPA document\nGrading\nThe rules, in words.\n", encoding="utf-8")
    digest = hashlib.sha256(document.read_bytes()).hexdigest()
    for path in (folder / "epa_zeta" / "rules").glob("*.yaml"):
        text = path.read_text(encoding="utf-8").replace("PLACEHOLDER section heading", "Grading")
        text = text.replace("PLACEHOLDER: ", "").replace("sha256: null", f"sha256: {digest}")
        text = re.sub(r"PLACEHOLDER \(from .*?\): ", "", text)  # each criterion confirmed as the standard words it
        path.write_text(text, encoding="utf-8")
