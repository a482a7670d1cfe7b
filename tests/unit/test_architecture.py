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

And Dash is used by its public API only (`private_dash_names`): no import of a private module
or name of Dash or Flask (`dash._utils`, `from dash import _x`, `from flask import _cv_app`),
no attribute of Dash's own that starts with "_" (`app._callback_list`, `component._type`), read,
written, defined in a class body or named to `getattr`. The files Dash's component generator
writes (they start "# AUTO GENERATED FILE - DO NOT EDIT") are Dash's contract with its own
generated code and are left out.

And `dashboard/` is built as rooms on floors (`ROOMS`, lowest first): the store (`etl/` and
`dashboard/store/`: settings, engine, cached reads), presentation (`dashboard/present/`: words,
numbers, figures, charts, documents; no web framework), background tasks (`dashboard/tasks/`),
the web (`dashboard/web/`: Dash and Flask) and the command line on top (`dashboard/cli.py`,
`launch.py`, `__main__.py`, `worker.py`). A room imports only rooms below it; presentation
imports neither Dash nor Flask; the command line enters the web by `dashboard.web.server`
alone; and only the store opens database connections (`database_readers`).

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


# --- Rooms ----------------------------------------------------------------------------------------

# The floors of the house, lowest first: a module imports only modules of its own room or of a
# room below. Modules of `dashboard/` outside every listed package are the command line.
ROOMS = ("etl", "dashboard.store", "dashboard.present", "dashboard.tasks", "dashboard.web",
         "command line")
PRESENTATION, WEB = "dashboard.present", "dashboard.web"
FRAMEWORKS = ("dash", "flask", "werkzeug")  # the web's own; presentation must not need them
WEB_ENTRY = "dashboard.web.server"  # the one door the command line opens: serve, worker
STORE = ("etl", "dashboard.store")  # the only modules that talk to the database

# Edges that break the rules above and are being taken apart, as (importer, imported) for the
# rooms and the web door, and as module names for the database readers. Remove an entry when
# its edge is gone: the tests fail both on an edge missing here and on an entry that no longer
# matches, so these sets only ever shrink. All three are empty: the rules hold without exception.
KNOWN_ROOM_EDGES_TO_REMOVE: set[tuple[str, str]] = set()
KNOWN_WEB_DOORS_TO_REMOVE: set[tuple[str, str]] = set()
KNOWN_DATABASE_READERS_TO_REMOVE: set[str] = set()
# What sqlalchemy may hand a module that does not read the database itself: the engine's type,
# to pass on to etl or the store.
SQLALCHEMY_TYPES = {"Engine"}
CONNECTING = {"connect", "begin", "execute"}


def room(module: str) -> str:
    for name in ROOMS[:-1]:
        if module == name or module.startswith(name + "."):
            return name
    return ROOMS[-1]


def room_edges(edges: list[Edge]) -> list[Edge]:
    """Imports from a room to a room above it (packages' own __init__ runs left out)."""
    return [e for e in edges if not e.where.startswith("package")
            and ROOMS.index(room(e.importer)) < ROOMS.index(room(e.imported))]


def web_doors(edges: list[Edge]) -> list[Edge]:
    """Imports of the web by the command line other than by its one door."""
    return [e for e in edges if room(e.importer) == ROOMS[-1] and room(e.imported) == WEB
            and e.imported not in (WEB, WEB_ENTRY) and not e.where.startswith("package")]


def outside_imports(path: Path) -> list[tuple[str, int, ast.AST]]:
    """(top-level package, line, node) of every import in a file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno, node) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.append((node.module.split(".")[0], node.lineno, node))
    return found


def framework_imports(root: Path = ROOT) -> list[str]:
    """Every import of Dash or Flask by presentation, as "path:line: package"."""
    found = []
    for name, path in discover_modules(root).items():
        if room(name) == PRESENTATION:
            found += [f"{path.relative_to(root)}:{line}: {package}"
                      for package, line, _ in outside_imports(path) if package in FRAMEWORKS]
    return found


def database_readers(root: Path = ROOT) -> dict[str, list[str]]:
    """The modules outside the store that talk to the database themselves: they take more
    from sqlalchemy than the engine's type, or call `.connect()`, `.begin()` or `.execute()`."""
    readers = {}
    for name, path in discover_modules(root).items():
        if room(name) in STORE:
            continue
        why = []
        for package, line, node in outside_imports(path):
            if package != "sqlalchemy":
                continue
            names = {a.name for a in node.names} if isinstance(node, ast.ImportFrom) else {"*"}
            if not names <= SQLALCHEMY_TYPES or node.module != "sqlalchemy":
                why.append(f"{path.relative_to(root)}:{line}: sqlalchemy {sorted(names)}")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        why += [f"{path.relative_to(root)}:{node.lineno}: .{node.func.attr}()"
                for node in ast.walk(tree) if isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute) and node.func.attr in CONNECTING]
        if why:
            readers[name] = why
    return readers


def _against_known(found: dict, known: set, what: str) -> list[str]:
    problems = [f"{what}: {key}\n  " + "\n  ".join(found[key])
                for key in sorted(set(found) - known)]
    problems += [f"{what}: the known entry {key} is gone; remove it from the set"
                 for key in sorted(known - set(found))]
    return problems


# --- Dash by its public API only -----------------------------------------------------------------

PRIVATE_OWNERS = ("dash", "flask")  # packages whose "_" names are theirs alone
GENERATED = "# AUTO GENERATED FILE - DO NOT EDIT"  # Dash's component generator
# Private attributes of Dash's app and components that the app has used or could reach for;
# with them, every "_" name the installed Dash's `Dash` and `Component` classes define.
KNOWN_DASH_PRIVATE = frozenset({
    "_got_first_request", "_callback_list", "_inline_scripts", "_collect_and_register_resources",
    "_config", "_namespace", "_type", "_prop_names", "_base_nodes", "_children_props",
    "_valid_wildcard_attributes", "_layout", "_hooks", "_dev_tools", "_setup_server",
    "_index_string", "_favicon", "_assets_files", "_background_manager",
})


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def dash_private_attributes() -> frozenset[str]:
    """KNOWN_DASH_PRIVATE and the "_" names of the installed Dash's `Dash` and `Component`
    (their methods, class attributes and `self._x`), read from its source (not imported)."""
    import importlib.util

    names = set(KNOWN_DASH_PRIVATE)
    spec = importlib.util.find_spec("dash")
    if spec is None or spec.origin is None:
        return frozenset(names)
    root = Path(spec.origin).parent
    for relative, owner in (("dash.py", "Dash"), ("development/base_component.py", "Component")):
        tree = ast.parse((root / relative).read_text(encoding="utf-8"))
        for cls in ast.walk(tree):
            if not (isinstance(cls, ast.ClassDef) and cls.name == owner):
                continue
            for node in ast.walk(cls):
                if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                        and node.value.id == "self" and _is_private(node.attr)):
                    names.add(node.attr)
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) \
                        and _is_private(node.name):
                    names.add(node.name)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) \
                        and _is_private(node.id):
                    names.add(node.id)
    return frozenset(names)


def _owned(module: str | None) -> bool:
    return bool(module) and module.split(".")[0] in PRIVATE_OWNERS


def _private_module(module: str) -> bool:
    return _owned(module) and any(_is_private(part) for part in module.split("."))


class _PrivateUse(ast.NodeVisitor):
    def __init__(self, private: frozenset[str]) -> None:
        self.private = private
        self.modules: set[str] = set(PRIVATE_OWNERS)  # local names bound to dash/flask modules
        self.found: list[tuple[int, str]] = []

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if _private_module(alias.name):
                self.found.append((node.lineno, f"import {alias.name}"))
            if _owned(alias.name):
                self.modules.add(alias.asname or alias.name.split(".")[0])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level or not _owned(node.module):
            return
        if _private_module(node.module):
            self.found.append((node.lineno, f"from {node.module} import …"))
        for alias in node.names:
            if _is_private(alias.name):
                self.found.append((node.lineno, f"from {node.module} import {alias.name}"))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if _is_private(node.attr):
            if isinstance(node.value, ast.Name) and node.value.id in self.modules:
                self.found.append((node.lineno, f"{node.value.id}.{node.attr}"))
            elif node.attr in self.private:
                self.found.append((node.lineno, f"…{node.attr} (Dash's own attribute)"))
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for statement in node.body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                defined = [statement.name]
            elif isinstance(statement, ast.Assign | ast.AnnAssign):
                targets = statement.targets if isinstance(statement, ast.Assign) \
                    else [statement.target]
                defined = [t.id for t in targets if isinstance(t, ast.Name)]
            else:
                defined = []
            for name in defined:
                if name in self.private:
                    self.found.append((statement.lineno,
                                       f"class {node.name} defines {name} (Dash's own)"))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        function = node.func
        name = function.id if isinstance(function, ast.Name) else \
            function.attr if isinstance(function, ast.Attribute) else ""
        literal = node.args[1] if name in ("getattr", "setattr", "hasattr", "delattr") \
            and len(node.args) > 1 else node.args[0] if name == "import_module" and node.args \
            else None
        if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
            text = literal.value
            if (name == "import_module" and _private_module(text)) or text in self.private:
                self.found.append((node.lineno, f"{name}(…{text!r})"))
        self.generic_visit(node)


def private_dash_names(root: Path = ROOT) -> list[str]:
    """Every use of a private Dash or Flask name in the packages, as "path:line: what"."""
    private = dash_private_attributes()
    found = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if text.startswith(GENERATED):
                continue
            collector = _PrivateUse(private)
            collector.visit(ast.parse(text, filename=str(path)))
            found += [f"{path.relative_to(root)}:{line}: {what}"
                      for line, what in sorted(collector.found)]
    return found


def write_tree(root: Path, files: dict[str, str]) -> None:
    """A small source tree for the checker's own tests: relative path → text."""
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)


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
    write_tree(tmp_path, files)
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


def test_dash_by_its_public_api_only():
    found = private_dash_names()
    assert not found, "Private Dash or Flask names (use Dash's public API: dash.hooks, the " \
        "Dash arguments, to_plotly_json(), plotly.io.json):\n" + "\n".join(found)


def test_the_private_name_check_sees_every_form(tmp_path):
    """A small tree with each form of private use: the checker must see them all, and leave
    public use and the generator's files alone."""
    files = {
        "etl/__init__.py": "",
        "dashboard/__init__.py": "",
        "dashboard/imports.py": "import dash._utils\n"
                                "from dash._pages import _path_to_page\n"
                                "from dash import _get_app\n"
                                "from dash.development.base_component import _explicitize_args\n"
                                "from flask import _cv_app\n",
        "dashboard/attributes.py": "import dash\nimport flask as f\n"
                                   "def f1(app, node):\n"
                                   "    app._callback_list.append({})\n"
                                   "    return node._namespace, node._type\n"
                                   "def f2():\n    return dash._callback.GLOBAL_CALLBACK_MAP\n"
                                   "def f3():\n    return f._app_ctx_stack\n"
                                   "def f4(app):\n    app._got_first_request['pages'] = True\n"
                                   "def f5(app):\n    return getattr(app, '_inline_scripts')\n",
        "dashboard/subclass.py": "from dash import Dash\n"
                                 "class Mine(Dash):\n"
                                 "    _namespace = 'x'\n"
                                 "    def _collect_and_register_resources(self, r):\n"
                                 "        return r\n",
        "dashboard/lazy.py": "import importlib\n"
                             "def load():\n    return importlib.import_module('dash._pages')\n",
        "dashboard/fine.py": "import dash\nfrom dash import dcc, hooks\n"
                             "from plotly.io.json import to_json_plotly\n"
                             "def f(app, component, paragraph):\n"
                             "    paragraph._p.clear()  # python-docx, not Dash\n"
                             "    return component.to_plotly_json()['type'], app.callback_map\n",
        "dashboard/made/__init__.py": "",
        "dashboard/made/Thing.py": GENERATED + "\nfrom dash.development.base_component "
                                   "import Component, _explicitize_args\n"
                                   "class Thing(Component):\n    _type = 'Thing'\n",
    }
    write_tree(tmp_path, files)
    found = private_dash_names(tmp_path)
    where = {line.split(": ", 1)[0] for line in found}
    assert where == {
        "dashboard/imports.py:1", "dashboard/imports.py:2", "dashboard/imports.py:3",
        "dashboard/imports.py:4", "dashboard/imports.py:5",
        "dashboard/attributes.py:4", "dashboard/attributes.py:5", "dashboard/attributes.py:7",
        "dashboard/attributes.py:9", "dashboard/attributes.py:11", "dashboard/attributes.py:13",
        "dashboard/subclass.py:3", "dashboard/subclass.py:4",
        "dashboard/lazy.py:3",
    }, "\n".join(found)
    assert "dashboard/attributes.py:5: …_namespace (Dash's own attribute)" in found
    assert "dashboard/attributes.py:5: …_type (Dash's own attribute)" in found


def test_rooms_import_only_rooms_below_them():
    """store → presentation → tasks → web → command line: an arrow never runs back up."""
    found = {}
    for edge in room_edges(import_edges()):
        found.setdefault((edge.importer, edge.imported), []).append(edge.describe())
    problems = _against_known(found, KNOWN_ROOM_EDGES_TO_REMOVE,
                              "An import runs up the floors " + " → ".join(ROOMS))
    assert not problems, "\n".join(problems)


def test_presentation_needs_no_web_framework():
    found = framework_imports()
    assert not found, "dashboard/present imports a web framework (keep it in dashboard/web):\n" \
        + "\n".join(found)
    web = [e.describe() for e in import_edges() if room(e.importer) == PRESENTATION
           and room(e.imported) == WEB]
    assert not web, "dashboard/present imports dashboard/web:\n" + "\n".join(web)


def test_the_command_line_enters_the_web_by_one_door():
    found = {}
    for edge in web_doors(import_edges()):
        found.setdefault((edge.importer, edge.imported), []).append(edge.describe())
    problems = _against_known(found, KNOWN_WEB_DOORS_TO_REMOVE,
                              f"The command line imports the web other than by {WEB_ENTRY} "
                              "(move what it needs down into dashboard/present or etl)")
    assert not problems, "\n".join(problems)


def test_only_the_store_talks_to_the_database():
    """Outside etl/ and dashboard/store/ a module passes an engine on, and reads nothing itself;
    the known readers only ever shrink."""
    problems = _against_known(database_readers(), KNOWN_DATABASE_READERS_TO_REMOVE,
                              "Reads the database outside the store (etl, dashboard/store)")
    assert not problems, "\n".join(problems)


def test_the_room_checks_see_every_form(tmp_path):
    files = {
        "etl/__init__.py": "",
        "dashboard/__init__.py": "",
        "dashboard/cli.py": "def serve():\n    from dashboard.web import server, app\n",
        "dashboard/store/__init__.py": "",
        "dashboard/store/q.py": "from sqlalchemy import Engine, select\n",
        "dashboard/present/__init__.py": "",
        "dashboard/present/words.py": "def f():\n    from dash import html\n"
                                      "    import flask.json\n",
        "dashboard/present/chart.py": "from sqlalchemy import Engine\n"
                                      "from dashboard.web import ids\n",
        "dashboard/present/table.py": "from sqlalchemy import Engine\n"
                                      "def f(e: Engine):\n    with e.connect() as c:\n"
                                      "        return c\n",
        "dashboard/tasks/__init__.py": "",
        "dashboard/tasks/mail.py": "from sqlalchemy import update\n",
        "dashboard/web/__init__.py": "",
        "dashboard/web/ids.py": "",
        "dashboard/web/app.py": "",
        "dashboard/web/server.py": "",
    }
    write_tree(tmp_path, files)
    edges = import_edges(tmp_path)
    assert {(e.importer, e.imported) for e in room_edges(edges)} == {
        ("dashboard.present.chart", "dashboard.web.ids")}
    assert {(e.importer, e.imported) for e in web_doors(edges)} == {
        ("dashboard.cli", "dashboard.web.app")}
    assert framework_imports(tmp_path) == ["dashboard/present/words.py:2: dash",
                                           "dashboard/present/words.py:3: flask"]
    assert set(database_readers(tmp_path)) == {"dashboard.present.table", "dashboard.tasks.mail"}


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
