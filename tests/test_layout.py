"""Facts about the code anyone can check: no import cycles, no module over 300 lines, and each
resource's fields written once (in its declaration)."""

from __future__ import annotations

import ast
from pathlib import Path

from catalog import resources

PACKAGE = Path(__file__).parents[1] / "catalog"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts).removesuffix(".__init__")


def import_graph() -> dict[str, set[str]]:
    """Which catalog module imports which, counting imports inside functions too."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                for alias in node.names:
                    for candidate in (f"{base}.{alias.name}", base):
                        if candidate in modules and candidate != name:
                            graph[name].add(candidate)
                            break
            elif isinstance(node, ast.Import):
                graph[name] |= {a.name for a in node.names if a.name in modules}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return path[path.index(node) :] + [node]
        if node in done:
            return None
        for target in sorted(graph[node]):
            found = visit(target, [*path, node])
            if found:
                return found
        done.add(node)
        return None

    for start in sorted(graph):
        found = visit(start, [])
        if found:
            return found
    return None


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle_in_catalog() -> None:
    assert find_cycle(import_graph()) is None


def test_no_module_over_300_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        # The migrations are history: appended to, never rewritten.
        if p.name != "migrations.py" and (n := len(p.read_text().splitlines())) > 300
    }
    assert long == {}


def test_each_field_is_declared_once() -> None:
    """Outside the resources' own files and the migrations (which are history), no module lists
    a resource's fields (a tuple, list or set of four or more of its field names): grep a field
    name and find its one declaration."""
    for path in PACKAGE.rglob("*.py"):
        if path.parent.name == "resources" or path.name == "migrations.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Tuple | ast.List | ast.Set):
                continue
            names = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            for resource in resources.REGISTRY.values():
                listed = names & (set(resource.fields) - {"id", "created_at", "updated_at"})
                assert len(listed) < 4, f"{path.name}:{node.lineno} lists {resource.name} fields"


def test_the_core_and_declarations_know_no_web_framework() -> None:
    """The folders say the architecture: the domain and the declarations import no Flask, so they
    can be read, tested and reused (the CLI, the importers) without a request."""
    framework = {"flask", "werkzeug", "jinja2"}
    offenders = []
    for folder in ("core", "declarations"):
        for path in sorted((PACKAGE / folder).glob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level:
                    names = [node.module or ""]
                if any(n.split(".")[0] in framework for n in names):
                    offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_the_top_level_holds_only_what_a_newcomer_reads_first() -> None:
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert modules == ["__init__.py", "__main__.py", "client.py", "config.py"]
