"""The package's layers as its imports show them (issue 18): no module imports another that imports it back, however
indirectly, and no module reaches into another's private names.

Read from the source with ``ast``, whatever the layout: every ``import`` a module runs, at its top or inside a
function (a lazy import still ties the two modules together), except those only a type checker reads
(``if TYPE_CHECKING:``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import epa

PACKAGE = Path(epa.__file__).parent


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The ids of the nodes under ``if TYPE_CHECKING:``."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            found.update(id(child) for statement in node.body for child in ast.walk(statement))
    return found


def _imports(path: Path) -> list[tuple[int, str, str | None, str]]:
    """(line, module, name or None, local name) for each epa import the module runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_only(tree)
    found = []
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name, None, a.asname or a.name) for a in node.names if a.name.startswith("epa")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "epa":
            found += [(node.lineno, node.module or "", a.name, a.asname or a.name) for a in node.names]
    return found


def _imported(module: str, name: str | None) -> str:
    """The module an import names: ``from epa.x import y`` is module epa.x.y when that is a module, else epa.x."""
    return f"{module}.{name}" if name is not None and f"{module}.{name}" in MODULES else module


def _graph() -> dict[str, set[str]]:
    return {name: {target for _, module, what, _ in _imports(path)
                   if (target := _imported(module, what)) in MODULES and target != name}
            for name, path in MODULES.items()}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_the_finder_sees_a_cycle_and_a_private_name() -> None:
    """The checks below can fail: a cycle of three is found, and a chain is not one."""
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": {"c"}}) == []
    assert _private("_cited") and not _private("__version__") and not _private("cited")


def test_the_package_is_read_whole() -> None:
    """The modules read include the subpackages' (a check that read only the top would pass vacuously)."""
    assert {"epa", "epa.cli", "epa.registry", "epa.conformance.checks", "epa.testing"} <= set(MODULES)
    assert sum(1 for edges in _graph().values() for _ in edges) > 100


def test_no_module_imports_one_that_imports_it_back() -> None:
    assert _cycles(_graph()) == []


def test_no_module_imports_another_modules_private_name() -> None:
    found = []
    for name, path in MODULES.items():
        for line, module, what, _ in _imports(path):
            if what is not None and _private(what) and _imported(module, what) != name:
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line}: from {module} import {what}")
    assert found == []


def test_no_module_reads_a_private_name_of_a_module_it_imports() -> None:
    """``from epa import grading`` then ``grading._collect``: the same reach, written as an attribute."""
    found = []
    for name, path in MODULES.items():
        aliases = {local for _, module, what, local in _imports(path)
                   if (target := _imported(module, what)) in MODULES and target != name
                   and (what is None or target != module)}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and _private(node.attr)):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value.id}.{node.attr}")
    assert found == []


_MUTATORS = {"append", "add", "clear", "extend", "insert", "pop", "popitem", "remove", "setdefault", "update"}


def _module_state_changed(tree: ast.Module) -> list[str]:
    """Where the module's own functions change state held at module level: a module-level dict, list or set written
    to or cleared, a name rebound through ``global``, or an attribute of a module-level class assigned."""
    containers = {target.id for node in tree.body if isinstance(node, ast.Assign | ast.AnnAssign)
                  and isinstance(node.value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp)
                  for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
                  if isinstance(target, ast.Name)}
    classes = {node.name for node in tree.body if isinstance(node, ast.ClassDef)}
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Global):
                found += [f"{function.name}: global {name}" for name in node.names]
            elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    for part in ast.walk(target):
                        if (isinstance(part, ast.Subscript) and isinstance(part.value, ast.Name)
                                and part.value.id in containers):
                            found.append(f"{function.name}: {part.value.id}[...] =")
                        elif (isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name)
                              and part.value.id in classes):
                            found.append(f"{function.name}: {part.value.id}.{part.attr} =")
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and isinstance(node.func.value, ast.Name) and node.func.value.id in containers
                  and node.func.attr in _MUTATORS):
                found.append(f"{function.name}: {node.func.value.id}.{node.func.attr}()")
    return found


def test_the_state_finder_sees_module_level_state_changed() -> None:
    changed = _module_state_changed(ast.parse(
        "_SEEN = {}\nclass _W:\n    fmt = 'json'\n"
        "def f(k):\n    _SEEN[k] = 1\n    _SEEN.clear()\n    _W.fmt = 'csv'\n"
        "def g():\n    global _N\n    _N = 1\n"
        "def h(seen):\n    seen[1] = 2\n    local = {}\n    local.clear()\n"))
    assert sorted(changed) == ["f: _SEEN.clear()", "f: _SEEN[...] =", "f: _W.fmt =", "g: global _N"]


def test_the_batch_keeps_no_state_at_module_level() -> None:
    """A cohort's run holds what it remembers in an object of its own (made once per run, in each worker process by
    its start): nothing one run leaves behind at module level can change the next run's output."""
    batch = [name for name in MODULES if name.split(".")[1:2] == ["batch"]]
    assert batch
    changed = {name: found for name in batch
               if (found := _module_state_changed(ast.parse(MODULES[name].read_text(encoding="utf-8"))))}
    assert changed == {}


def test_no_two_modules_define_a_class_of_the_same_name() -> None:
    """A name means one thing across the package: the model's Check (a gateway check), Outcome, Method and Journey
    are not also a conformance check, a check's outcome, a compiled method and a compiled journey (issue 18)."""
    defined: dict[str, list[str]] = {}
    for name, path in MODULES.items():
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef):
                defined.setdefault(node.name, []).append(name)
    assert {name: modules for name, modules in defined.items() if len(modules) > 1} == {}


# The explained path is the engine's own: the interpreted oracle its compiled plans are held to. Every command reaches
# it only through the engine (``Engine.explain`` and the questions beside it), so that what the engine compiles
# serves them all; tests may import it, as the oracle (issue 18).
EXPLAINED = "epa.engine.explained"


def _importing(target: str) -> set[str]:
    return {name for name, path in MODULES.items()
            if any(_imported(module, what) == target for _, module, what, _ in _imports(path))}


def test_only_the_engine_imports_the_explained_path() -> None:
    importing = _importing(EXPLAINED)
    assert "epa.engine.compiled" in importing  # the finder sees an import of it (the engine's own)
    assert {name for name in importing if not name.startswith("epa.engine.")} == set()
