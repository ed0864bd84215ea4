"""The shape of the code: layered packages, no import cycles, small modules, citations that resolve.

The import graph is read from the AST of every module of ``costmodel``, ``ui``, ``app_pages`` and
``app.py`` (nothing is imported). Every ``import``/``from ... import`` counts wherever it sits: at module
level, inside functions and inside ``if TYPE_CHECKING:`` blocks. Relative imports are resolved against
the importing module's package; ``from pkg import name`` points at ``pkg.name`` when that is a module,
otherwise at ``pkg``. Importing ``a.b`` is an edge to ``a.b`` only (not to the package ``a``): Python
runs ``a/__init__.py`` first, but a partially initialised parent package does not break the import.

Layers, lowest first (``LAYERS``). A module may import modules of its own package or of lower layers.
Packages that share a rank (``formulas``/``gpu``; ``simulation``/``advisor``/``tokens``;
``app_pages``/``app``) are independent of each other: a module may import its own package, but not a
sibling package of the same rank. Today none of them does (``gpu`` and ``formulas`` share nothing;
``simulation``, ``advisor`` and ``tokens`` each build on the engine alone), and keeping them apart keeps
each one removable. ``report`` turns the engine's results into rows and sentences, so it sits one rank
above ``engine`` (which never needs it). ``costmodel/__main__.py`` (``python -m costmodel``) belongs to
the CLI package.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("costmodel", "ui", "app_pages")
ENTRY_FILES = ("app.py",)
MAX_MODULE_LINES = 400

LAYERS: tuple[tuple[str, ...], ...] = (
    ("costmodel",),  # the root package: only ``__version__`` and a docstring
    ("costmodel.core",),
    ("costmodel.catalog",),
    ("costmodel.scenario",),
    ("costmodel.formulas", "costmodel.gpu"),
    ("costmodel.strategies",),
    ("costmodel.engine",),
    ("costmodel.report",),
    ("costmodel.simulation", "costmodel.advisor", "costmodel.tokens", "costmodel.budget"),
    ("costmodel.cli", "costmodel.__main__"),
    ("ui",),
    ("app_pages", "app"),
)
"""Import layers, lowest first. Each entry is a module or package prefix."""

UI_LIBRARIES = ("streamlit", "plotly")
CLI = "costmodel.cli"
CLI_ENTRY_POINTS = frozenset({"costmodel.__main__"})
"""Modules outside ``costmodel/cli`` allowed to import it: ``python -m costmodel`` runs the CLI."""
SAME_PACKAGE = {"costmodel.__main__": "costmodel.cli"}
"""Layer prefixes that are one package for the sibling rule."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Import:
    """One import statement's target, where it was written."""

    source: str
    target: str
    line: int
    in_function: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Graph:
    """Internal modules (name -> file), their imports of each other, and their external imports."""

    files: Mapping[str, Path]
    internal: tuple[Import, ...]
    external: tuple[Import, ...]

    def edges(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {name: set() for name in self.files}
        for imp in self.internal:
            if imp.target != imp.source:
                out[imp.source].add(imp.target)
        return out


def module_name(path: Path, root: Path) -> str:
    """``costmodel/core/__init__.py`` -> ``costmodel.core``; ``app.py`` -> ``app``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def discover(root: Path, packages: tuple[str, ...], entry_files: tuple[str, ...]) -> dict[str, Path]:
    files = {module_name(p, root): p for pkg in packages for p in sorted((root / pkg).rglob("*.py"))}
    files.update({module_name(root / e, root): root / e for e in entry_files if (root / e).exists()})
    return files


def _walk(node: ast.AST, in_function: bool = False) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, in_function
        inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        yield from _walk(child, inner)


def _base_package(source: str, is_package: bool, level: int, module: str | None) -> str:
    """Absolute module named by a (possibly relative) ``from`` import."""
    if level == 0:
        return module or ""
    package = source.split(".") if is_package else source.split(".")[:-1]
    if level - 1 > len(package):
        raise ValueError(f"{source}: relative import beyond the top-level package")
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, *([module] if module else [])])


def _resolve(name: str, known: Mapping[str, Path]) -> str | None:
    """The longest known module that ``name`` is or lies inside, or None for an external module."""
    parts = name.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in known:
            return candidate
    return None


def imports_of(source: str, path: Path, known: Mapping[str, Path]) -> Iterator[tuple[str, bool, Import]]:
    """(target, internal?, Import) for every import statement of one module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node, in_function in _walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = _base_package(source, is_package, node.level, node.module)
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for name in names:
            internal = _resolve(name, known)
            target = internal if internal is not None else name
            imp = Import(source=source, target=target, line=node.lineno, in_function=in_function)
            yield target, internal is not None, imp


def build_graph(root: Path = ROOT) -> Graph:
    files = discover(root, PACKAGES, ENTRY_FILES)
    internal: list[Import] = []
    external: list[Import] = []
    for source, path in files.items():
        for _, is_internal, imp in imports_of(source, path, files):
            (internal if is_internal else external).append(imp)
    return Graph(files=files, internal=tuple(internal), external=tuple(external))


def find_cycles(edges: Mapping[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component with more than one module (Tarjan), as a path a -> ... -> a."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                connect(w)
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
            if len(component) > 1 or v in edges.get(v, ()):
                components.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            connect(v)
    return [_cycle_in(component, edges) for component in components]


def _cycle_in(component: list[str], edges: Mapping[str, set[str]]) -> list[str]:
    """A concrete cycle through the first module of a strongly connected component (breadth-first)."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in sorted(edges.get(v, set()) & members):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if v != start else [start, start]
                if w not in previous:
                    previous[w] = v
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"no cycle through {start} in {component}")


def layer_of(module: str) -> tuple[int, str]:
    """(rank, group) of a module: the longest matching prefix in LAYERS."""
    best: tuple[int, str] | None = None
    for rank, group in enumerate(LAYERS):
        for prefix in group:
            if (module == prefix or module.startswith(prefix + ".")) and (
                best is None or len(prefix) > len(best[1])
            ):
                best = (rank, prefix)
    if best is None:
        raise AssertionError(f"{module} is in no layer: add it to LAYERS in {Path(__file__).name}")
    return best


def layer_violations(imports: tuple[Import, ...]) -> list[str]:
    out = []
    for imp in imports:
        (src_rank, src_group), (dst_rank, dst_group) = layer_of(imp.source), layer_of(imp.target)
        if dst_rank > src_rank:
            out.append(
                f"{imp.source}:{imp.line} imports {imp.target} — layer {src_group} (rank {src_rank}) must not "
                f"import the higher layer {dst_group} (rank {dst_rank})"
            )
        elif dst_rank == src_rank and SAME_PACKAGE.get(dst_group, dst_group) != SAME_PACKAGE.get(
            src_group, src_group
        ):
            out.append(
                f"{imp.source}:{imp.line} imports {imp.target} — {src_group} and {dst_group} share rank "
                f"{src_rank} and stay independent of each other"
            )
    return out


def _report(title: str, offenders: list[str]) -> str:
    return f"{title} ({len(offenders)}):\n  " + "\n  ".join(offenders)


@pytest.fixture(scope="module")
def graph() -> Graph:
    return build_graph()


# ---------------------------------------------------------------------------------------------
# The graph code itself (so the rules below cannot pass on an empty or wrong graph)
# ---------------------------------------------------------------------------------------------


def test_the_graph_is_read_from_the_real_code(graph: Graph) -> None:
    edges = graph.edges()
    n_edges = sum(len(v) for v in edges.values())
    assert len(graph.files) > 60, sorted(graph.files)
    assert n_edges > 50, n_edges
    assert "costmodel.strategies.registry" in edges["costmodel.engine"], sorted(edges["costmodel.engine"])
    assert "costmodel.strategies.prompting" in edges["costmodel.strategies.registry"]
    # ``from costmodel.advisor import measured`` resolves to the module, not the package face
    assert "costmodel.advisor.measured" in edges["costmodel.advisor.score"]
    assert any(i.target == "streamlit" for i in graph.external)


def test_graph_code_on_a_synthetic_package(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("from pkg import a\n__all__ = ['a']\n")
    (pkg / "a.py").write_text("from . import b\nimport numpy as np\n")
    (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .sub import c\n")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "c.py").write_text("def f():\n    from ..a import thing\n    return thing\n")
    (pkg / "sub" / "d.py").write_text("from .. import sub\nfrom pkg.sub.c import f\n")
    files = discover(tmp_path, ("pkg",), ())
    found = {
        (imp.source, target, imp.in_function)
        for source, path in files.items()
        for target, internal, imp in imports_of(source, path, files)
        if internal
    }
    assert found == {
        ("pkg", "pkg.a", False),
        ("pkg.a", "pkg.b", False),
        ("pkg.b", "pkg.sub.c", False),
        ("pkg.sub.c", "pkg.a", True),
        ("pkg.sub.d", "pkg.sub", False),
        ("pkg.sub.d", "pkg.sub.c", False),
    }
    edges: dict[str, set[str]] = {name: set() for name in files}
    for source, path in files.items():
        for target, internal, _ in imports_of(source, path, files):
            if internal:
                edges[source].add(target)
    assert find_cycles(edges) == [["pkg.a", "pkg.b", "pkg.sub.c", "pkg.a"]]
    edges["pkg.sub.c"].clear()
    assert find_cycles(edges) == []
    assert find_cycles({"x": {"x"}}) == [["x", "x"]]


def test_layer_rules_on_synthetic_imports() -> None:
    def imp(source: str, target: str) -> Import:
        return Import(source=source, target=target, line=1, in_function=False)

    ok = (
        imp("costmodel.strategies.rag", "costmodel.catalog.prices"),
        imp("costmodel.advisor.score", "costmodel.advisor.measured"),
        imp("ui.state", "costmodel.engine"),
        imp("app", "ui.sidebar"),
    )
    assert layer_violations(ok) == []
    bad = (
        imp("costmodel.catalog.loader", "costmodel.strategies.registry"),
        imp("costmodel.simulation.costs", "costmodel.advisor.figures"),
        imp("costmodel.engine", "ui.state"),
    )
    assert len(layer_violations(bad)) == 3


# ---------------------------------------------------------------------------------------------
# The rules
# ---------------------------------------------------------------------------------------------


def test_no_import_cycles(graph: Graph) -> None:
    cycles = find_cycles(graph.edges())
    assert not cycles, _report("import cycles", [" -> ".join(c) for c in cycles])


def test_lower_layers_never_import_higher_ones(graph: Graph) -> None:
    offenders = layer_violations(graph.internal)
    assert not offenders, _report(
        "imports against the layer order " + " < ".join(map("/".join, LAYERS)), offenders
    )


def test_costmodel_never_imports_ui_or_ui_libraries(graph: Graph) -> None:
    offenders = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in (*graph.internal, *graph.external)
        if layer_of(i.source)[1].startswith("costmodel")
        and i.target.split(".")[0] in {"ui", "app_pages", "app", *UI_LIBRARIES}
    ]
    assert not offenders, _report("costmodel imports UI code (streamlit, plotly, ui, app_pages)", offenders)


def test_only_the_cli_imports_the_cli(graph: Graph) -> None:
    offenders = [
        f"{i.source}:{i.line} imports {i.target}"
        for i in graph.internal
        if (i.target == CLI or i.target.startswith(CLI + "."))
        and not (i.source == CLI or i.source.startswith(CLI + "."))
        and i.source not in CLI_ENTRY_POINTS
    ]
    assert not offenders, _report("imports of costmodel.cli from outside costmodel/cli", offenders)


def test_no_costmodel_import_inside_a_function(graph: Graph) -> None:
    offenders = [
        f"{i.source}:{i.line} imports {i.target} inside a function (move it to the top; a cycle needs a redesign)"
        for i in graph.internal
        if i.in_function and i.source.startswith("costmodel") and i.target.startswith("costmodel")
    ]
    assert not offenders, _report("function-level imports of costmodel in costmodel", offenders)


def test_no_sys_modules_tricks(graph: Graph) -> None:
    offenders = []
    for name, path in graph.files.items():
        if not name.startswith(("costmodel", "ui")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "modules"
                and getattr(node.value, "id", "") == "sys"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
            if (
                isinstance(node, ast.ImportFrom)
                and node.module == "sys"
                and any(a.name == "modules" for a in node.names)
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, _report("sys.modules used in costmodel/ui", offenders)


def test_no_module_over_the_line_limit(graph: Graph) -> None:
    sizes = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in graph.files.values()}
    offenders = [
        f"{p.relative_to(ROOT)}: {n} lines" for p, n in sorted(sizes.items()) if n > MAX_MODULE_LINES
    ]
    assert not offenders, _report(f"modules over {MAX_MODULE_LINES} lines", offenders)


def test_every_costmodel_package_declares_its_public_face(graph: Graph) -> None:
    offenders = []
    for name, path in graph.files.items():
        if path.name != "__init__.py" or not name.startswith("costmodel.") or path.parent.name == "data":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        declared = any(
            isinstance(node, ast.Assign | ast.AnnAssign)
            and any(
                isinstance(t, ast.Name) and t.id == "__all__"
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            )
            for node in tree.body
        )
        if not declared:
            offenders.append(str(path.relative_to(ROOT)))
    assert not offenders, _report("packages without __all__ in __init__.py", offenders)


# ---------------------------------------------------------------------------------------------
# Citations in docstrings and comments point at files that exist
# ---------------------------------------------------------------------------------------------

CITED_PATH = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.(?:md|ya?ml|py))(?![\w/-])")
"""A repository-looking path ending in .md/.yaml/.yml/.py, bare or in backticks."""


def _prose(path: Path) -> Iterator[tuple[int, str]]:
    """(line, text) of every comment and docstring-like string statement of a Python file."""
    text = path.read_text(encoding="utf-8")
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.COMMENT:
            yield tok.start[0], tok.string
    for node in ast.walk(ast.parse(text)):
        if (
            isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            yield node.lineno, node.value.value


def _yaml_comments(path: Path) -> Iterator[tuple[int, str]]:
    """Comments and free text of a bundled YAML catalog (its ``notes``/``source`` prose cites files too)."""
    yield from enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)


FORMER_ROOTS = frozenset({"data", "pages", "pricing", "shared"})
"""Top-level folders the code once cited (the research notes, the old page and price folders)."""


def is_repository_path(cited: str, root: Path) -> bool:
    """Whether a cited path claims to be a file of this repository.

    A path with a folder counts when its first folder is a top-level entry of the repository, a
    package folder inside ``costmodel``, or a former top-level folder; other folders are files of
    other projects (``tiktoken_ext/openai_public.py``). A bare name counts when it ends in ``.md``
    (documents: ``formulas.md``); bare ``.py``/``.yaml`` names are usually examples (``s.yaml``) or
    other projects' files. Names of one or two letters are placeholders (``examples/x.yaml``).
    """
    if len(Path(cited).stem) <= 2:
        return False  # a placeholder in an example: ``examples/x.yaml``, ``s.yaml``
    head, slash, _ = cited.partition("/")
    if not slash:
        return cited.endswith(".md")
    return head in FORMER_ROOTS or (root / head).exists() or (root / "costmodel" / head).is_dir()


def resolves(cited: str, citing: Path, root: Path) -> bool:
    """A cited path exists relative to the repository root, ``docs/``, the citing file or a package it lies in."""
    bases = [
        root,
        root / "docs",
        root / "costmodel",
        *[p for p in citing.parents if p == root or root in p.parents],
    ]
    return any((base / cited).exists() for base in bases)


def broken_citations(root: Path = ROOT) -> list[str]:
    sources: list[tuple[Path, Iterator[tuple[int, str]]]] = [
        (p, _prose(p)) for pkg in PACKAGES for p in sorted((root / pkg).rglob("*.py"))
    ]
    sources += [(p, _prose(p)) for e in ENTRY_FILES if (p := root / e).exists()]
    sources += [(p, _yaml_comments(p)) for p in sorted((root / "costmodel").rglob("*.yaml"))]
    out = []
    for path, prose in sources:
        for line, text in prose:
            for cited in CITED_PATH.findall(text):
                if is_repository_path(cited, root) and not resolves(cited, path, root):
                    out.append(
                        f"{path.relative_to(root)}:{line} cites {cited}, which is not in the repository"
                    )
    return sorted(set(out))


def test_citation_check_catches_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "costmodel").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "formulas.md").write_text("# formulas\n")
    (tmp_path / "costmodel" / "m.py").write_text(
        '"""Source: docs/formulas.md §3; see ``costmodel/m.py`` and tiktoken_ext/openai_public.py."""\n\n'
        "# see DESIGN.md §2, ``costmodel/gone.py``, data/formulas.md and ``s.yaml``\nX = 1\n"
    )
    assert broken_citations(tmp_path) == [
        "costmodel/m.py:3 cites DESIGN.md, which is not in the repository",
        "costmodel/m.py:3 cites costmodel/gone.py, which is not in the repository",
        "costmodel/m.py:3 cites data/formulas.md, which is not in the repository",
    ]


def test_docstrings_and_comments_cite_files_that_exist() -> None:
    offenders = broken_citations()
    assert not offenders, _report(
        "citations of files that are not in the repository (point them at docs/formulas.md §... or a public source)",
        offenders,
    )
