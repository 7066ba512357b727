"""The house rules, read from the code (hearth_testing.house says them): every module of a service
stands in a room, every import keeps the room table, and no function in services/ or shared/ runs
over 60 lines. A failure lists each breach as path:line; for any checkout,
`uv run --frozen python -m hearth_testing.house ROOT` lists them too."""

from __future__ import annotations

from pathlib import Path

import pytest

from hearth_testing import house

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.unit


PACKAGES = house.service_packages(ROOT)
SERVICE_OF = {p: p.parent.parent.name for p in PACKAGES}
FOLDERS = [ROOT / "shared", *sorted(p for p in ROOT.glob("services/*") if p.is_dir())]


def test_every_service_is_checked() -> None:
    assert {SERVICE_OF[p] for p in PACKAGES} == {
        "registration",
        "credits",
        "groups",
        "notifications",
        "gateway",
    }


@pytest.mark.parametrize("package", [pytest.param(p, id=SERVICE_OF[p]) for p in PACKAGES])
def test_every_module_stands_in_a_room(package: Path) -> None:
    found = house.layout_violations(package, ROOT)
    assert not found, "modules outside the rooms:\n" + "\n".join(found)


@pytest.mark.parametrize("package", [pytest.param(p, id=SERVICE_OF[p]) for p in PACKAGES])
def test_every_import_keeps_the_room_table(package: Path) -> None:
    found = house.import_violations(package, ROOT)
    assert not found, "imports that break the room table:\n" + "\n".join(found)


@pytest.mark.parametrize("folder", [pytest.param(f, id=f.name) for f in FOLDERS])
def test_no_function_is_over_60_lines(folder: Path) -> None:
    found = house.long_functions(folder, ROOT)
    assert not found, "functions over 60 lines:\n" + "\n".join(found)


# The checks themselves, on a made-up service: each finds what it should, and only that.


def _service(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "services" / "demo" / "src" / "hearth_demo"
    for name, text in files.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text, encoding="utf-8")
    return package


HOUSED = {
    "__init__.py": "",
    "__main__.py": "from .app import main\n",
    "app.py": "from . import api, handlers, settings, workers\nfrom .store import migrations\n",
    "settings.py": "from hearth_shared.settings import ServiceSettings\nfrom .domain import Kind\n",
    "events.py": "from .domain import Kind\nfrom .store.rows import Row\n",
    "domain/__init__.py": "from .rules import decide\n",
    "domain/rules.py": "from __future__ import annotations\nimport dataclasses\n",
    "store/__init__.py": "",
    "store/rows.py": "from ..domain import rules\n",
    "store/migrations/__init__.py": "",
    "store/migrations/001_first.sql": "CREATE TABLE t (x int);\n",
    "actions/__init__.py": "",
    "actions/orders.py": "from hearth_shared.messaging import Work\nfrom .. import domain, events, store\n",
    "handlers/__init__.py": "from .on_x import on_x\n",
    "handlers/on_x.py": "from ..actions import orders\nfrom ..settings import Settings\n",
    "api/__init__.py": "",
    "api/deps.py": "import fastapi\nfrom hearth_demo.store import rows\n",
    "workers/__init__.py": "",
    "workers/expiry.py": "from hearth_demo.actions.orders import expire\n",
    "templates/mail.en.txt": "Hello\n",
    "py.typed": "",
}


def test_a_housed_service_has_no_breach(tmp_path: Path) -> None:
    package = _service(tmp_path, HOUSED)
    assert house.layout_violations(package, tmp_path) == []
    assert house.import_violations(package, tmp_path) == []


def test_modules_outside_the_rooms_are_each_named(tmp_path: Path) -> None:
    package = _service(
        tmp_path,
        HOUSED
        | {
            "seats.py": "",
            "store.py": "",
            "domain/deep/rules.py": "",
            "events/__init__.py": "",
            "workers/__init__.py": "",
            "api/__init__.py": "",
            "api/routes/x.py": "",
        },
    )
    (package / "workers" / "__init__.py").unlink()
    assert sorted(house.layout_violations(package, tmp_path)) == [
        "services/demo/src/hearth_demo/api/routes/x.py: outside the rooms",
        "services/demo/src/hearth_demo/domain/deep/rules.py: outside the rooms",
        "services/demo/src/hearth_demo/events/__init__.py: events is a module (events.py), not a package",
        "services/demo/src/hearth_demo/seats.py: outside the rooms",
        "services/demo/src/hearth_demo/store.py: store is a package (store/), not a module",
        "services/demo/src/hearth_demo/workers: workers/ has no __init__.py",
    ]


def test_imports_against_the_table_are_each_named_with_their_line(tmp_path: Path) -> None:
    package = _service(
        tmp_path,
        HOUSED
        | {
            "__init__.py": "from .app import main\n",
            "domain/rules.py": "import asyncpg\nfrom ..store import rows\nfrom hearth_demo import events\n",
            "store/rows.py": "from ..actions import orders\n",
            "events.py": "from .settings import Settings\n",
            "actions/orders.py": "def f():\n    from ..handlers import on_x\n",
            "workers/expiry.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..handlers.on_x import on_x\n"
            ),
            "api/deps.py": "from hearth_other.domain import x\nfrom ..workers import expiry\n",
            "handlers/on_x.py": "from . import on_y\nfrom hearth_demo import api\n",
        },
    )
    where = "services/demo/src/hearth_demo/"
    assert sorted(house.import_violations(package, tmp_path)) == sorted(
        [
            f"{where}__init__.py:1: __init__ imports app (hearth_demo.app.main)",
            f"{where}domain/rules.py:1: domain imports I/O (asyncpg)",
            f"{where}domain/rules.py:2: domain imports store (hearth_demo.store.rows)",
            f"{where}domain/rules.py:3: domain imports events (hearth_demo.events)",
            f"{where}store/rows.py:1: store imports actions (hearth_demo.actions.orders)",
            f"{where}events.py:1: events imports settings (hearth_demo.settings.Settings)",
            f"{where}actions/orders.py:2: actions imports handlers (hearth_demo.handlers.on_x)",
            f"{where}workers/expiry.py:3: workers imports handlers (hearth_demo.handlers.on_x.on_x)",
            f"{where}api/deps.py:1: api imports another package (hearth_other.domain.x)",
            f"{where}api/deps.py:2: api imports workers (hearth_demo.workers.expiry)",
            f"{where}handlers/on_x.py:2: handlers imports api (hearth_demo.api)",
        ]
    )


def test_each_function_over_60_lines_is_named_with_its_length(tmp_path: Path) -> None:
    def body(indent: str) -> str:
        return "".join(f"{indent}x{i} = {i}\n" for i in range(59))

    source = (
        f"def fits():\n{body('    ')}\n\nclass C:\n    async def long(self):\n{body(' ' * 8)}        y = 1\n"
    )
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "m.py").write_text(source, encoding="utf-8")
    line = source.splitlines().index("    async def long(self):") + 1
    assert house.long_functions(tmp_path / "shared", tmp_path) == [f"shared/m.py:{line}: C.long is 61 lines"]
