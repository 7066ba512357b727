"""Regenerate docs/events/*.json (JSON Schema per event) and docs/asyncapi/*.json (per service).

Run after changing a contract or a service's handlers: `uv run python scripts/export_docs.py`.
tests/test_contracts.py fails while the files and the code disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from hearth_shared.contracts.schemas import dumps, event_schemas
from hearth_shared.messaging import ServiceRuntime

ROOT = Path(__file__).resolve().parent.parent


def service_runtimes() -> dict[str, ServiceRuntime]:
    from hearth_credits.app import create_runtime as credits
    from hearth_gateway.app import create_runtime as gateway
    from hearth_groups.app import create_runtime as groups
    from hearth_notifications.app import create_runtime as notifications
    from hearth_registration.app import create_runtime as registration

    factories: list[Callable[[], ServiceRuntime]] = [registration, credits, groups, notifications, gateway]
    return {runtime.service: runtime for runtime in (make() for make in factories)}


def documents() -> dict[Path, str]:
    found = {ROOT / "docs" / "events" / name: dumps(s) for name, s in event_schemas().items()}
    for service, runtime in service_runtimes().items():
        found[ROOT / "docs" / "asyncapi" / f"{service}.json"] = dumps(runtime.asyncapi())
    return found


def main() -> None:
    for folder in ("events", "asyncapi"):
        for old in (ROOT / "docs" / folder).glob("*.json"):
            old.unlink()
    for path, text in documents().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
