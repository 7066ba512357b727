"""The house rules every service keeps, checked by reading the code (tests/test_house.py), and
printed for any checkout: `uv run python -m hearth_testing.house [ROOT]`.

Rooms. Every Python module of `services/*/src/hearth_<service>/` stands in a room:
- packages `domain/`, `actions/`, `store/`, `handlers/`, `api/`, `workers/`, each with an
  `__init__.py` and its modules directly inside (one level; a room is a list of modules, not a
  tree), except `store/migrations/` (the SQL files beside their package marker);
- modules `events.py`, `app.py`, `settings.py`, `__init__.py`, `__main__.py`.
A folder that holds no Python at any depth is data (`templates/`, `locale/`, `static/`) and may
stand anywhere; any other file that is not Python (`py.typed`, `*.sql`) is data too.

Imports, absolute and relative, at any depth (inside functions and `if TYPE_CHECKING:` too): each
room imports only the rooms of its own service that the table allows, and never another service's
package; `domain` imports no I/O library. `settings.py` is configuration every edge may read
(actions, handlers, api, workers, app); it imports only domain. The package's `__init__.py`
imports nothing of the service, or importing any room would load the rooms it names.

Functions. No function or method in services/ or shared/ is longer than 60 lines, counted from
its `def` to its last line (`end_lineno - lineno + 1`: the signature, docstring and body).
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

PACKAGE_ROOMS = ("domain", "actions", "store", "handlers", "api", "workers")
MODULE_ROOMS = ("events", "app", "settings", "__init__", "__main__")
EVERYTHING = frozenset(PACKAGE_ROOMS + MODULE_ROOMS)
MAY_IMPORT: dict[str, frozenset[str]] = {
    "domain": frozenset({"domain"}),
    "store": frozenset({"store", "domain"}),
    "events": frozenset({"events", "domain", "store"}),
    "actions": frozenset({"actions", "domain", "store", "events", "settings"}),
    "handlers": frozenset({"handlers", "actions", "domain", "events", "store", "settings"}),
    "api": frozenset({"api", "actions", "domain", "events", "store", "settings"}),
    "workers": frozenset({"workers", "actions", "domain", "events", "store", "settings"}),
    "settings": frozenset({"settings", "domain"}),
    "app": EVERYTHING,
    "__main__": EVERYTHING,
    "__init__": frozenset(),
}
NO_IO_IN_DOMAIN = frozenset({"asyncpg", "aio_pika", "aiormq", "fastapi", "starlette", "httpx", "aiosmtplib"})
SHARED_PACKAGES = frozenset({"hearth_shared"})
LONGEST_FUNCTION = 60
SKIPPED_FOLDERS = frozenset({"__pycache__", ".venv", "node_modules", ".mypy_cache", ".ruff_cache"})


def service_packages(root: Path) -> list[Path]:
    """Every `services/*/src/hearth_*` package below `root`."""
    return sorted(p for p in root.glob("services/*/src/hearth_*") if p.is_dir())


def python_files(folder: Path) -> Iterator[Path]:
    for path in sorted(folder.rglob("*.py")):
        if not SKIPPED_FOLDERS & set(path.relative_to(folder).parts):
            yield path


def _where(path: Path, root: Path, line: int | None = None) -> str:
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    return f"{shown}:{line}" if line is not None else str(shown)


def room_of(package: Path, path: Path) -> str | None:
    """The room a module of `package` stands in, or None when it stands outside the rooms."""
    parts = path.relative_to(package).parts
    if len(parts) == 1:
        name = parts[0].removesuffix(".py")
        return name if name in MODULE_ROOMS else None
    room, inside = parts[0], parts[1:]
    if room not in PACKAGE_ROOMS:
        return None
    if len(inside) == 1 or (room == "store" and inside[0] == "migrations" and len(inside) == 2):
        return room
    return None


def layout_violations(package: Path, root: Path) -> list[str]:
    """Each module outside the rooms, each room that is not a package, each room without its marker."""
    found = []
    for path in python_files(package):
        parts = path.relative_to(package).parts
        if len(parts) == 1 and path.stem in PACKAGE_ROOMS:
            found.append(f"{_where(path, root)}: {path.stem} is a package ({path.stem}/), not a module")
        elif len(parts) >= 2 and parts[0] in {"events", "app", "settings"}:
            found.append(f"{_where(path, root)}: {parts[0]} is a module ({parts[0]}.py), not a package")
        elif room_of(package, path) is None:
            found.append(f"{_where(path, root)}: outside the rooms")
    for room in PACKAGE_ROOMS:
        if any(python_files(package / room)) and not (package / room / "__init__.py").exists():
            found.append(f"{_where(package / room, root)}: {room}/ has no __init__.py")
    return found


def imports_of(tree: ast.Module, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, dotted name) for every import in a module, relative ones made absolute. For
    `from x import a`, the name is `x.a` (a submodule, or an attribute of x)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                here = module.split(".") if is_package else module.split(".")[:-1]
                base = ".".join(here[: len(here) - (node.level - 1)] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}" if alias.name != "*" else base


def _target_room(package: Path, dotted: str) -> str | None:
    """The room an import of the service's own package reaches (None: a module outside the rooms,
    which the layout check reports)."""
    parts = dotted.split(".")[1:]
    if not parts:
        return "__init__"
    first = parts[0]
    if first in PACKAGE_ROOMS or first in MODULE_ROOMS:
        return first
    if (package / f"{first}.py").exists() or (package / first).is_dir():
        return None
    return "__init__"  # an attribute of the package itself (`from hearth_x import something`)


def import_violations(package: Path, root: Path) -> list[str]:
    """Each import that breaks the table, with the room it was made from and the room it reached."""
    name = package.name
    found = []
    for path in python_files(package):
        room = room_of(package, path)
        if room is None:
            continue
        relative = path.relative_to(package).with_suffix("")
        is_package = relative.name == "__init__"
        module = ".".join([name, *(relative.parent.parts if is_package else relative.parts)])
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, dotted in imports_of(tree, module, is_package):
            top = dotted.split(".")[0]
            if top == name:
                reached = _target_room(package, dotted)
                if reached is not None and reached not in MAY_IMPORT[room]:
                    found.append(f"{_where(path, root, line)}: {room} imports {reached} ({dotted})")
            elif top.startswith("hearth_") and top not in SHARED_PACKAGES:
                found.append(f"{_where(path, root, line)}: {room} imports another package ({dotted})")
            elif room == "domain" and top in NO_IO_IN_DOMAIN:
                found.append(f"{_where(path, root, line)}: domain imports I/O ({dotted})")
    return found


def long_functions(folder: Path, root: Path, limit: int = LONGEST_FUNCTION) -> list[str]:
    """Each function or method in `folder` longer than `limit` lines, longest first."""
    found: list[tuple[int, str]] = []
    for path in python_files(folder):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for qualified, node in _functions(tree, ""):
            lines = (node.end_lineno or node.lineno) - node.lineno + 1
            if lines > limit:
                found.append((lines, f"{_where(path, root, node.lineno)}: {qualified} is {lines} lines"))
    return [text for _, text in sorted(found, key=lambda f: -f[0])]


def _functions(node: ast.AST, prefix: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield f"{prefix}{child.name}", child
            yield from _functions(child, f"{prefix}{child.name}.")
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, f"{prefix}{child.name}.")
        else:
            yield from _functions(child, prefix)


def report(root: Path) -> list[str]:
    """Everything the house checks find below `root`, a line each (path:line: what)."""
    found = []
    for package in service_packages(root):
        found += layout_violations(package, root) + import_violations(package, root)
    for folder in [root / "shared", *sorted(root.glob("services/*"))]:
        if folder.is_dir():
            found += [f"{text} (over {LONGEST_FUNCTION})" for text in long_functions(folder, root)]
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else ".").resolve()
    found = report(root)
    print("\n".join(found) if found else f"{root}: the house rules hold")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
