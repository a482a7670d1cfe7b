"""The import graph of `etl/` and `dashboard/`: data flows one way and no module imports itself
back, not even from inside a function.

Every `.py` file is parsed with `ast` (nothing is imported). An edge A → B is any import of B
by A: at module level or inside a function, `import a.b`, `from a import b`, the relative forms
(`from . import x`, `from ..y import z`), and `importlib.import_module` of a module named by a
string literal in A. Importing `a.b.c` also runs the `__init__` of `a` and `a.b`, so it is an
edge to those as well (except to the importer's own packages, which are always set up first).

Cycles are looked for twice: between modules, and between a subpackage taken as one piece
(`etl/extract/`) and the modules beside it (`etl/validate.py`), so a package that imports a
module which imports the package back is a cycle even when no single module closes it.

Run as a script to print the graph's problems, or the whole graph with `--graph`:

    python -m tests.unit.test_architecture [--graph]
"""

from __future__ import annotations

import ast
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("etl", "dashboard")
LOWER, UPPER = "etl", "dashboard"  # data flows from LOWER to UPPER, never back

# Cycles that exist today and are being taken apart. Each entry is the set of modules that import
# each other round (a strongly connected component). Remove an entry when its cycle is gone: the
# test fails both on a cycle missing here and on an entry that no longer matches a cycle.
KNOWN_CYCLES_TO_REMOVE: set[frozenset[str]] = set()


@dataclass(frozen=True)
class Edge:
    """One import of `imported` by `importer`, and where it is written."""

    importer: str
    imported: str
    line: int
    where: str  # "module level", "in function name" or "package __init__ of a.b.c"

    def describe(self) -> str:
        return f"{self.importer} → {self.imported} ({module_path(self.importer)}:{self.line}, " \
               f"{self.where})"


def module_path(name: str) -> str:
    """`dashboard.export.report` → `dashboard/export/report.py` (or the package's __init__)."""
    path = ROOT / Path(*name.split("."))
    return str((path / "__init__.py" if path.is_dir() else path.with_suffix(".py"))
               .relative_to(ROOT))


def discover_modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the packages by dotted name; a package is named by its `__init__`."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _ancestors(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


class _ImportCollector(ast.NodeVisitor):
    """The imports of one module, each with its line and the function it is written in."""

    def __init__(self, name: str, is_package: bool, modules: set[str]) -> None:
        self.name = name
        self.package = name if is_package else name.rpartition(".")[0]
        self.modules = modules
        self.functions: list[str] = []
        self.found: list[tuple[str, int, str]] = []
        self.strings: list[tuple[str, int]] = []
        self.imports_dynamically = False

    def _where(self) -> str:
        return f"in function {self.functions[-1]}" if self.functions else "module level"

    def _add(self, target: str, line: int) -> None:
        if target.split(".")[0] not in PACKAGES:
            return
        while target not in self.modules and "." in target:  # a name inside a module
            target = target.rpartition(".")[0]
        if target in self.modules:
            self.found.append((target, line, self._where()))

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_FunctionDef = _visit_function
    visit_AsyncFunctionDef = _visit_function

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base_parts = self.package.split(".")
            base_parts = base_parts[: len(base_parts) - (node.level - 1)]
            base = ".".join([*base_parts, node.module] if node.module else base_parts)
        else:
            base = node.module or ""
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            self._add(submodule if submodule in self.modules else base, node.lineno)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if called in ("import_module", "__import__"):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                self._add(first.value, node.lineno)
            else:
                self.imports_dynamically = True
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and node.value in self.modules:
            self.strings.append((node.value, node.lineno))


def import_edges(root: Path = ROOT) -> list[Edge]:
    """Every import between the modules of `etl/` and `dashboard/`."""
    modules = discover_modules(root)
    names = set(modules)
    edges = []
    for name, path in modules.items():
        collector = _ImportCollector(name, path.name == "__init__.py", names)
        collector.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        found = list(collector.found)
        if collector.imports_dynamically:  # import_module(name) over a list of module names
            found += [(target, line, "importlib.import_module of a listed name")
                      for target, line in collector.strings]
        own_packages = {*_ancestors(name), name}
        for target, line, where in found:
            if target != name:
                edges.append(Edge(name, target, line, where))
            edges += [Edge(name, package, line, f"package __init__ of {target}")
                      for package in _ancestors(target) if package not in own_packages]
    return list(dict.fromkeys(edges))


def back_arrows(edges: list[Edge]) -> list[Edge]:
    """Imports of the upper package by the lower one (each once, without its packages)."""
    return [e for e in edges if e.importer.split(".")[0] == LOWER
            and e.imported.split(".")[0] == UPPER and not e.where.startswith("package")]


def same_module(name: str) -> str:
    return name


def layer(name: str) -> str:
    """A subpackage counts as one piece beside its sibling modules: `etl.extract.kolada` →
    `etl.extract`, while `etl.validate` stays itself."""
    return ".".join(name.split(".")[:2])


LEVELS = {"modules": same_module, "packages": layer}


def strongly_connected(edges: list[Edge], node=same_module) -> list[frozenset[str]]:
    """The groups of nodes (`node(module)`) that import each other round, largest first."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        source, target = node(edge.importer), node(edge.imported)
        graph.setdefault(source, set())
        graph.setdefault(target, set())
        if source != target:
            graph[source].add(target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups = []

    def visit(name: str) -> None:  # Tarjan's algorithm
        index[name] = low[name] = len(index)
        stack.append(name)
        on_stack.add(name)
        for target in sorted(graph[name]):
            if target not in index:
                visit(target)
                low[name] = min(low[name], low[target])
            elif target in on_stack:
                low[name] = min(low[name], index[target])
        if low[name] == index[name]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == name:
                    break
            if len(group) > 1:
                groups.append(frozenset(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph) + 100))
    for name in sorted(graph):
        if name not in index:
            visit(name)
    return sorted(groups, key=lambda g: (-len(g), sorted(g)))


def cycle_path(group: frozenset[str], edges: list[Edge], node=same_module) -> list[Edge]:
    """A shortest round of imports through the group, starting at its first member by name."""
    inside = sorted((e for e in edges if node(e.importer) in group and node(e.imported) in group
                     and node(e.importer) != node(e.imported)),
                    key=lambda e: (e.where.startswith("package"), e.importer, e.imported, e.line))
    start = min(group)
    came_by: dict[str, Edge] = {}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        for edge in inside:
            if node(edge.importer) != current:
                continue
            target = node(edge.imported)
            if target == start:
                path = [edge]
                while node(path[0].importer) != start:
                    path.insert(0, came_by[node(path[0].importer)])
                return path
            if target not in came_by:
                came_by[target] = edge
                queue.append(target)
    raise AssertionError(f"no cycle through {sorted(group)}")  # not a strongly connected group


def describe_cycle(group: frozenset[str], edges: list[Edge], node=same_module) -> str:
    path = cycle_path(group, edges, node)
    round_trip = " → ".join([node(path[0].importer), *(node(e.imported) for e in path)])
    steps = "\n".join(f"      {e.describe()}" for e in path)
    return f"  {round_trip}\n    in the cycle: {', '.join(sorted(group))}\n{steps}"


def cycles(edges: list[Edge]) -> list[tuple[str, frozenset[str]]]:
    """The cycles between modules, then those between a subpackage and the modules beside it
    that are not just a cycle between modules seen from further away."""
    between_modules = strongly_connected(edges, same_module)
    seen_from_afar = {frozenset(layer(m) for m in group) for group in between_modules}
    between_packages = [group for group in strongly_connected(edges, layer)
                        if group not in seen_from_afar]
    return ([("modules", group) for group in between_modules]
            + [("packages", group) for group in between_packages])


def problems(edges: list[Edge] | None = None) -> list[str]:
    """Everything wrong with the import graph, as messages; empty when all is well."""
    edges = import_edges() if edges is None else edges
    found = []
    for edge in back_arrows(edges):
        found.append(f"{LOWER} imports {UPPER} (data flows {LOWER} → {UPPER} only):\n"
                     f"  {edge.describe()}")
    groups = cycles(edges)
    for level, group in groups:
        if group not in KNOWN_CYCLES_TO_REMOVE:
            found.append(f"Import cycle between {level} (move the shared piece down into a "
                         "module both can import):\n"
                         + describe_cycle(group, edges, LEVELS[level]))
    for known in sorted(KNOWN_CYCLES_TO_REMOVE - {group for _, group in groups}, key=sorted):
        found.append("KNOWN_CYCLES_TO_REMOVE lists a cycle that no longer exists as such; "
                     f"remove or update the entry: {sorted(known)}")
    return found


# --- Tests ----------------------------------------------------------------------------------------


def test_lower_package_never_imports_the_upper_one():
    arrows = back_arrows(import_edges())
    assert not arrows, "\n".join(e.describe() for e in arrows)


def test_no_import_cycles_beyond_the_known_ones():
    """Also fails on a known cycle that is gone, so KNOWN_CYCLES_TO_REMOVE only ever shrinks."""
    found = [p for p in problems() if "cycle" in p]
    assert not found, "\n\n".join(found)


def test_the_graph_sees_every_form_of_import(tmp_path, monkeypatch):
    """A small tree with each form of import: the checker must see them all."""
    files = {
        "etl/__init__.py": "",
        "etl/extract/__init__.py": "from . import reader\n",
        "etl/extract/reader.py": "def read():\n    from etl import check\n",
        "etl/check.py": "import etl.extract.reader\n",
        "etl/quiet.py": "from .extract.reader import read\n",
        "dashboard/__init__.py": "",
        "dashboard/page.py": "import importlib\nNAMES = ('dashboard.card',)\n"
                             "def load():\n    for n in NAMES:\n"
                             "        importlib.import_module(n)\n",
        "dashboard/card.py": "def draw():\n    from . import page\n",
        "etl/up.py": "def f():\n    import dashboard.card\n",
        "dashboard/words.py": "from dashboard.parts.codes import CODES\n",
        "dashboard/parts/__init__.py": "",
        "dashboard/parts/codes.py": "CODES = ()\n",
        "dashboard/parts/box.py": "from dashboard import words\n",
    }
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(text)
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    edges = import_edges(tmp_path)
    pairs = {(e.importer, e.imported) for e in edges}
    assert ("etl.extract", "etl.extract.reader") in pairs  # __init__ importing a submodule
    assert ("etl.extract.reader", "etl.check") in pairs  # inside a function
    assert ("etl.check", "etl.extract.reader") in pairs  # import a.b.c
    assert ("etl.check", "etl.extract") in pairs  # ...runs the package __init__ too
    assert ("etl.quiet", "etl.extract.reader") in pairs  # relative import
    assert ("dashboard.page", "dashboard.card") in pairs  # import_module over listed names
    assert [(e.importer, e.imported) for e in back_arrows(edges)] == [("etl.up", "dashboard.card")]
    assert cycles(edges) == [
        ("modules", frozenset({"etl.extract", "etl.extract.reader", "etl.check"})),
        ("modules", frozenset({"dashboard.card", "dashboard.page"})),
        ("packages", frozenset({"dashboard.parts", "dashboard.words"})),  # no module closes it
    ]
    text = "\n".join(problems(edges))
    assert "etl.check → etl.extract.reader → etl.check" in text
    assert "dashboard.parts → dashboard.words → dashboard.parts" in text
    assert "etl/up.py:2, in function f" in text


def main(argv: list[str]) -> int:
    edges = import_edges()
    if "--graph" in argv:
        for edge in sorted(edges, key=lambda e: (e.importer, e.imported, e.line)):
            print(edge.describe())
        print()
    found = problems(edges)
    known = [g for g in strongly_connected(edges) if g in KNOWN_CYCLES_TO_REMOVE]
    modules = {e.importer for e in edges} | {e.imported for e in edges}
    print(f"{len(edges)} imports between {len(modules)} modules of {', '.join(PACKAGES)}.")
    for group in known:
        print("Known cycle, still to remove:\n" + describe_cycle(group, edges))
    for problem in found:
        print(problem)
    print("No problems." if not found else f"{len(found)} problem(s).")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
