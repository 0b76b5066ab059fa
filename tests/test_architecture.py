"""The code is laid out as docs/architecture.md says: stages, no import up the chain, no cycle."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gpmb_gis"
DOC = ROOT / "docs" / "architecture.md"
#: "No module over about 600 lines": the limit a test holds.
MAX_LINES = 650


def _modules() -> dict[str, Path]:
    """Every module of the package by its name in the doc (``io.book``, ``gpmb_gis``)."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts) or "gpmb_gis"
        found[name] = path
    return found


def _stages() -> dict[str, int]:
    """The doc's table: module → the number of its stage."""
    rows = re.findall(r"^\| (\d+) [^|]*\| `([\w.]+)` \|", DOC.read_text(encoding="utf-8"), re.M)
    return {module: int(stage) for stage, module in rows}


def _dotted(name: str) -> str:
    return "gpmb_gis" if name == "gpmb_gis" else f"gpmb_gis.{name}"


def _runtime_imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules a module imports when it runs (``TYPE_CHECKING`` aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(block.test)
                   for node in ast.walk(block)}  # fmt: skip
    dotted = {_dotted(name): name for name in modules}
    found = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gpmb_gis"):
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(dotted[sub] if sub in dotted else dotted[node.module])
        elif isinstance(node, ast.Import):
            found |= {dotted[a.name] for a in node.names if a.name in dotted}
    return found


def test_the_doc_names_every_module_and_only_modules_that_exist():
    modules, stages = _modules(), _stages()
    assert len(stages) > 30  # the table was read
    assert sorted(set(modules) - set(stages)) == [], "modules missing from docs/architecture.md"
    assert sorted(set(stages) - set(modules)) == [], "the doc names modules that do not exist"


def test_no_module_imports_a_higher_stage():
    modules, stages = _modules(), _stages()
    upward = [f"{name} (stage {stages[name]}) imports {other} (stage {stages[other]})"
              for name, path in modules.items() for other in _runtime_imports(path, modules)
              if stages[other] > stages[name]]  # fmt: skip
    assert upward == []


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle of the import graph (its modules, the first repeated at the end), or None."""
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> list[str] | None:
        if name in path:
            return [*path[path.index(name) :], name]
        if name in done:
            return None
        for other in sorted(graph[name]):
            found = visit(other, [*path, name])
            if found:
                return found
        done.add(name)
        return None

    for name in sorted(graph):
        found = visit(name, [])
        if found:
            return found
    return None


def test_no_import_cycle():
    modules = _modules()
    graph = {name: _runtime_imports(path, modules) - {name} for name, path in modules.items()}
    # a package imports its own modules; its modules importing it back is no cycle of ours
    graph = {name: {o for o in deps if not name.startswith(f"{o}.")} for name, deps in
             graph.items()}  # fmt: skip
    assert _cycle(graph) is None


def test_the_walk_reads_runtime_imports_and_finds_a_cycle(tmp_path):
    a = tmp_path / "a.py"
    a.write_text("from gpmb_gis.report import x\nif TYPE_CHECKING:\n    from gpmb_gis import cli\n"
                 "def f():\n    from gpmb_gis import measure\n")  # fmt: skip
    modules = {"a": a, "report": a, "cli": a, "measure": a}
    assert _runtime_imports(a, modules) == {"report", "measure"}
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("name", sorted(_modules()))
def test_every_module_is_small_and_says_what_it_exports(name):
    path = _modules()[name]
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.name}: {lines} lines"
    if name == "__main__":
        return
    module = importlib.import_module(_dotted(name))
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert [n for n in exported if not hasattr(module, n)] == []
