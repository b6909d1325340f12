"""Loading that fails loudly: a misspelt hook, disagreeing ids, two distributions for one id and an import
error each name the plugin; --bodies and EPA_BODIES pick bodies; standards do not depend on who is installed."""

from __future__ import annotations

import functools
import os
import shutil
import types
from pathlib import Path

import attrs
import pytest

import epa
from epa import registry as registry_module
from epa.errors import InputError, PluginError
from epa.registry import Registry
from epa.testing import fails, make_plugin, registry, requires, run, write


@attrs.frozen
class FakeDist:
    name: str
    version: str = "1.0"


@attrs.frozen
class FakeEntryPoint:
    """What importlib.metadata yields for an installed plugin: enough of it for the loader."""

    name: str
    target: object
    dist: FakeDist | None = None
    value: str = "fake_module"

    def load(self):
        if isinstance(self.target, Exception):
            raise self.target
        return self.target


def installed(monkeypatch, *eps):
    """Pretend these are the installed plugins (and that EPA_BODIES picks none of the real ones)."""
    monkeypatch.setattr(registry_module, "entry_points", lambda group: list(eps))
    monkeypatch.delenv("EPA_BODIES", raising=False)


def plugin_for(body_id, **hooks):
    offering = [b for b in registry().bodies if "ST0071" in b.body.standards]
    if not offering:
        pytest.skip("no installed body offers ST0071")
    return make_plugin(body_id, [offering[0].ruleset("ST0071")], **hooks)


def test_a_misspelt_hook_is_rejected_naming_plugin_hook_and_the_nearest_hook():
    def combine_grade(self, ruleset, components):
        return None

    with pytest.raises(PluginError) as info:
        Registry([("acme", plugin_for("acme", combine_grade=combine_grade))])
    assert info.value.plugin == "acme" and info.value.hook == "combine_grade"
    assert "did you mean 'combine_grades'?" in str(info.value)


def test_a_hook_with_an_argument_its_spec_lacks_is_rejected():
    def grade_component(self, ruleset, method, criteria_met, apprentice):
        return None

    with pytest.raises(PluginError, match="apprentice"):
        Registry([("acme", plugin_for("acme", grade_component=grade_component))])


def test_the_entry_point_name_must_be_the_body_id():
    with pytest.raises(PluginError, match="body id 'acme' disagrees with its entry-point name 'acme_assessment'"):
        Registry([("acme_assessment", plugin_for("acme"))])


def test_each_rulesets_body_must_be_the_body_id():
    p = plugin_for("acme")
    wrong = attrs.evolve(p.register_body().rulesets[0], body="other")

    class Plugin:
        @epa.hookimpl
        def register_body(self):
            return epa.Body(id="acme", name="Acme", rulesets=(wrong,))

    with pytest.raises(PluginError, match="says body 'other', but the plugin's body id is 'acme'"):
        Registry([("acme", Plugin())])


def test_two_distributions_claiming_one_body_id_are_both_named(monkeypatch):
    installed(monkeypatch, FakeEntryPoint("acme", plugin_for("acme"), FakeDist("epa-acme")),
              FakeEntryPoint("acme", plugin_for("acme"), FakeDist("acme-rules")))
    with pytest.raises(PluginError) as info:
        Registry.installed()
    assert "epa-acme" in str(info.value) and "acme-rules" in str(info.value)
    # epa conformance reports it as the body failing to load, rather than stopping
    assert "acme-rules" in str(Registry.installed(keep_going=True).failed["acme"])


def test_an_import_error_names_the_distribution(monkeypatch):
    installed(monkeypatch, FakeEntryPoint("acme", ModuleNotFoundError("No module named 'yaml2'"), FakeDist("epa-acme")))
    with pytest.raises(PluginError) as info:
        Registry.installed()
    assert info.value.plugin == "acme" and info.value.hook == "import"
    assert "epa-acme" in str(info.value) and "yaml2" in str(info.value)


def test_a_broken_installed_plugin_exits_1_and_can_be_left_out(monkeypatch):
    def combine_grade(self, ruleset, components):
        return None

    installed(monkeypatch, FakeEntryPoint("acme", plugin_for("acme", combine_grade=combine_grade), FakeDist("epa-acme")),
              FakeEntryPoint("good", plugin_for("good"), FakeDist("epa-good")))
    monkeypatch.setattr(epa.cli, "_load", epa.cli._load.__wrapped__)  # no cache across fake installs
    assert "combine_grade" in fails("bodies", code=1)
    result = run("--bodies", "good", "bodies", "--format", "json")
    assert result.exit_code == 0 and [b["id"] for b in result.json()] == ["good"]
    monkeypatch.setenv("EPA_BODIES", "good")
    assert [b["id"] for b in run("bodies", "--format", "json").json()] == ["good"]


def test_an_unknown_body_in_bodies_is_bad_input_with_a_suggestion(monkeypatch):
    installed(monkeypatch, FakeEntryPoint("acme", plugin_for("acme"), FakeDist("epa-acme")))
    monkeypatch.setattr(epa.cli, "_load", epa.cli._load.__wrapped__)
    assert "did you mean 'acme'?" in fails("--bodies", "acne", "bodies")
    monkeypatch.setenv("EPA_BODIES", "acne")
    with pytest.raises(InputError, match="did you mean 'acme'"):
        Registry.installed()


# --- standards ----------------------------------------------------------------------------------------------


def test_the_core_defines_the_standards_whoever_is_installed():
    reg = Registry([])
    assert reg.method_ids("ST0071") == ("observation", "project", "discussion")
    assert reg.method_ids("ST0072") == ("showcase", "observation", "discussion")
    # Highfield's kit numbers the ST0071 criteria K1.1 ... B5.2 (002 § The Customer Service Specialist
    # apprenticeship standard); the two ids other documents add are in the vocabulary too.
    assert {"K1.1", "B5.2", "X.PROFESSIONAL-IMAGE", "NQ.PRJ.P1"} <= reg.criterion_ids("ST0071")


@requires("tqual")
def test_a_record_naming_another_bodys_criterion_is_valid_with_any_bodies_installed(tmp_path, monkeypatch):
    # NQ.PRJ.P1 is NQual's alone; with only TQUK loaded the record is still valid, and the id is noted, not counted.
    path = write(tmp_path, """standard: ST0071
apprentice: {id: A1}
gateway: {date: 2025-06-02}
assessments:
  - {method: project, date: 2025-06-16, criteria_met: [NQ.PRJ.P1]}
""")
    monkeypatch.setenv("EPA_BODIES", "tqual")
    assert [b["id"] for b in run("bodies", "--format", "json").json()] == ["tqual"]
    result = run("grade", "--body", "tqual", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert any("NQ.PRJ.P1" in n["says"] and "not counted" in n["says"] for n in result.json()["notes"])


def test_a_standard_defined_twice_differently_names_both():
    core = Registry([]).standard("ST0071")
    other = attrs.evolve(core, methods=core.methods[:2])

    class Plugin:
        @epa.hookimpl
        def register_body(self):
            return epa.Body(id="acme", name="Acme", rulesets=())

        @epa.hookimpl
        def register_standards(self):
            return [other]

    with pytest.raises(PluginError, match="defines standard ST0071 differently from epa's definition"):
        Registry([("acme", Plugin())])


def test_rules_for_a_standard_nobody_defines_are_rejected():
    p = plugin_for("acme")
    rules = attrs.evolve(p.register_body().rulesets[0], standard="ST9998")

    class Plugin:
        @epa.hookimpl
        def register_body(self):
            return epa.Body(id="acme", name="Acme", rulesets=(rules,))

    with pytest.raises(PluginError, match="ST9998, a standard neither the core nor the plugin defines"):
        Registry([("acme", Plugin())])


def _acme_rules() -> tuple[epa.Ruleset, ...]:
    """The first installed ST0071 body's rules, as acme's (skipping, saying why, where none is installed)."""
    offering = [b for b in registry().bodies if "ST0071" in b.body.standards]
    if not offering:
        pytest.skip("no installed body offers ST0071")
    return (attrs.evolve(offering[0].ruleset("ST0071"), body="acme"),)


def _module_plugin(**attributes: object) -> types.ModuleType:
    """A body plugin as an entry point loads one, a module: its ``register_body`` gives ``_acme_rules``, and
    ``attributes`` (hooks, imports, constants) stand beside it."""
    rules = _acme_rules()
    module = types.ModuleType("acme_plugin")

    @epa.hookimpl
    def register_body():
        return epa.Body(id="acme", name="Acme", rulesets=rules)

    module.register_body = register_body
    for name, value in attributes.items():
        setattr(module, name, value)
    return module


def test_a_hook_pluggy_would_skip_for_what_wraps_it_is_refused_naming_it():
    # pluggy (1.6 on) takes plain functions, methods and static or class methods as hooks, and skips anything else
    # without a word: on b39950b a body whose combine_grades was wrapped by functools.cache loaded, own hooks
    # ('register_body',), and the default combination graded its records in place of the body's own rule.
    @epa.hookimpl
    @functools.cache
    def combine_grades(ruleset, components):
        return None

    with pytest.raises(PluginError) as info:
        Registry([("acme", _module_plugin(combine_grades=combine_grades))])
    assert info.value.plugin == "acme" and info.value.hook == "combine_grades"
    # (the wrapper's class named as Python names it: its name is functools' own, not ours to assert)
    assert f"'combine_grades' is marked @hookimpl, but it is a {type(combine_grades).__name__}, not a function" \
        in str(info.value)


def test_a_module_plugin_with_a_plain_hook_and_marked_helpers_loads():
    # A module's imports and constants are no hooks, marked or not; its marked functions are.
    @epa.hookimpl
    def combine_grades(ruleset, components):
        return None

    module = _module_plugin(combine_grades=combine_grades, attrs=attrs, LIMIT=3)
    assert Registry([("acme", module)]).body("acme").own_hooks == ("combine_grades", "register_body")


def test_a_hook_marked_with_a_specname_loads_under_the_hook_it_names():
    # pluggy's @hookimpl(specname=...) lets a function of another name implement a hook: pluggy takes it, and the
    # check for marks pluggy skipped looked for the function's own name among the hooks, refusing the body with
    # "'my_combination' is marked @hookimpl, but it is a function, not a function" (on 006c38a).
    @epa.hookimpl(specname="combine_grades")
    def my_combination(ruleset, components):
        return None

    module = _module_plugin(my_combination=my_combination)
    assert Registry([("acme", module)]).body("acme").own_hooks == ("combine_grades", "register_body")


def test_a_plugin_object_s_method_pluggy_would_skip_is_refused_too():
    # docs/plugins.md: a hook may be "a method of a plugin object", and one pluggy would skip is an error at load.
    # On 006c38a only the object's own attributes were looked at, not its class's, so a method wrapped by
    # functools.cache loaded silently (own hooks: register_body alone) and the default combination graded in its place.
    rules = _acme_rules()

    class Acme:
        @epa.hookimpl
        def register_body(self):
            return epa.Body(id="acme", name="Acme", rulesets=rules)

    class Cached:
        @epa.hookimpl
        @functools.cache  # noqa: B019 - the wrapping refused here
        def combine_grades(self, ruleset, components):
            return None

    class CachedAcme(Acme, Cached):  # the wrapped method found on a base class, too
        pass

    for plugin in (Cached(), CachedAcme(), CachedAcme):
        with pytest.raises(PluginError) as info:
            Registry([("acme", plugin)])
        assert info.value.plugin == "acme" and info.value.hook == "combine_grades"
    assert Registry([("acme", Acme())]).body("acme").own_hooks == ("register_body",)


def test_an_editor_s_or_a_copy_s_hidden_files_beside_the_rules_are_not_rules(tmp_path):
    """A rules folder being edited or copied holds hidden files its author never wrote as rules: Emacs's lock on a
    file being edited (``.#ST0071.yaml``, a symlink to nowhere) and macOS's AppleDouble file (``._ST0071.yaml``,
    binary) on a copy. Like ``*.yaml`` in a shell, they are not the folder's rules files: the rules are the files'
    own. On 0382bff each was read as one: 'no such file', and 'not UTF-8 text'."""
    whole = [r for b in registry().bodies for r in b.body.rulesets if r.source_file]
    if not whole:
        pytest.skip("no installed body to lend its rules")
    folder = Path(shutil.copytree(Path(whole[0].source_file).parent, tmp_path / "rules"))
    expected = [r.document for r in epa.load_rulesets(folder)]
    name = Path(whole[0].source_file).name
    os.symlink(f"someone@host.{os.getpid()}:1700000000", folder / f".#{name}")
    (folder / f"._{name}").write_bytes(b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \xff\xfe")
    assert [r.document for r in epa.load_rulesets(folder)] == expected


def _renamed_rules_file(tmp_path: Path, written: str) -> tuple[Path, Path, dict[str, str]]:
    """A copy of an installed body's rules folder with one file renamed to ``written`` ({standard}, {stem}: its
    ruleset's journey file, or the ruleset itself): the folder, the renamed file, and the names filled in."""
    with_journey = [r for b in registry().bodies for r in b.body.rulesets if r.source_file and r.journey
                    and r.based_on is None]
    if not with_journey:
        pytest.skip("no installed body with journey rules to lend its rules")
    ruleset = with_journey[0]
    folder = Path(shutil.copytree(Path(ruleset.source_file).parent, tmp_path / "rules"))
    original = Path(ruleset.source_file).name if "{stem}" in written else f"{ruleset.standard}.journey.yaml"
    names = {"standard": ruleset.standard, "stem": Path(ruleset.source_file).stem}
    renamed = folder / written.format(**names)
    (folder / original).rename(renamed)
    return folder, renamed, names


@pytest.mark.parametrize(("written", "meant"), [
    ("{standard}.journey.YAML", "{standard}.journey.yaml"), ("{standard}.journey.Yml", "{standard}.journey.yaml"),
    ("{standard}.journey.yml", "{standard}.journey.yaml"), ("{standard}.Journey.yaml", "{standard}.journey.yaml"),
    ("{standard}.journey.json", "{standard}.journey.yaml"), ("{stem}.YAML", "{stem}.yaml"),
    ("{stem}.Yml", "{stem}.yaml"), ("{stem}.JSON", "{stem}.yaml"), ("{stem}.json", "{stem}.yaml")])
def test_a_rules_file_named_otherwise_is_refused_not_left_out(tmp_path, written, meant):
    """The folder's rules are its ``*.yaml`` (and ``*.yml``) files, as in a shell; a file named as one but for its
    suffix's case (``ST0071.journey.YAML``, as a case-blind file system lets it be written), or JSON, or a journey
    file named ``.yml``, is one its author meant as rules. On 0ff2ba6 each but the last was left out: a body loaded
    without its journey rules (no deadline, no gateway requirement), or without a ruleset; ``.journey.yml`` was read
    as a ruleset, its errors those of a ruleset lacking methods."""
    folder, renamed, names = _renamed_rules_file(tmp_path, written)
    with pytest.raises(InputError) as info:
        epa.load_rulesets(folder)
    assert info.value.place is not None and info.value.place.file == str(renamed)
    assert info.value.hint is not None and f"rename it {meant.format(**names)}" in info.value.hint


@pytest.mark.parametrize(("written", "meant"), [
    ("{standard}.journey.YAML", "{standard}.journey.yaml"), ("{standard}.journey.yml", "{standard}.journey.yaml"),
    ("{standard}.journey.json", "{standard}.journey.yaml"), ("{stem}.YAML", "{stem}.yaml"),
    ("{stem}.Yml", "{stem}.yaml"), ("{stem}.JSON", "{stem}.yaml"), ("{stem}.json", "{stem}.yaml"),
    ("{stem}.txt", "{stem}.yaml"), (".{stem}.yaml", "{stem}.yaml")])
def test_check_rules_refuses_a_file_its_folder_would_not_read_as_rules(tmp_path, written, meant):
    """`epa check-rules` checks a file as its body loads it: one named so that loading its folder refuses it or
    leaves it out is that problem, with the name to give it. On e56ed49 ST0071.YAML, .Yml, .JSON, .json, .txt and
    a hidden copy passed ("ok: 1 file") where the body refused them or loaded without them, and a journey file so
    named was checked as a ruleset (its errors a ruleset's lacking methods)."""
    folder, renamed, names = _renamed_rules_file(tmp_path, written)
    result = run("check-rules", str(renamed), "--sources", str(tmp_path))
    assert (result.exit_code, "Traceback" in result.stderr) == (1, False)
    assert result.stdout.startswith(f"{renamed}: {renamed.name} is not read as rules")
    assert f"rename it {meant.format(**names)}" in result.stdout
    assert result.stdout.endswith("1 problem in 1 of 1 file\n")


def test_two_rules_files_of_one_document_version_are_refused(tmp_path):
    """A copy or a draft left beside a body's rules (``ST0071_new.yaml``, ``ST0071 copy.yaml``) is read as rules too:
    two rulesets of one standard and document version, of which a record naming the version was graded under one
    (the first in file-name order) and a record naming none under the other (the last). On 0ff2ba6 the body loaded
    with both; which grades is the author's to say."""
    whole = [r for b in registry().bodies for r in b.body.rulesets if r.source_file and r.based_on is None]
    if not whole:
        pytest.skip("no installed body to lend its rules")
    source = Path(whole[0].source_file)
    folder = Path(shutil.copytree(source.parent, tmp_path / "rules"))
    copy = folder / f"{source.stem}_new.yaml"
    shutil.copy(folder / source.name, copy)
    with pytest.raises(InputError) as info:
        epa.load_rulesets(folder)
    assert info.value.place is not None and info.value.place.file == str(copy)
    assert info.value.place.path == "$.document.version"
    assert source.name in info.value.message and copy.name in info.value.message
