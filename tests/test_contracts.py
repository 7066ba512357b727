"""The published contracts and the code agree: JSON Schema per event, AsyncAPI per service, and the
worked example in docs/events.md is a valid event."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from hearth_shared.contracts.catalogue import CATALOGUE
from hearth_shared.messaging.parsing import parse_event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import export_docs  # noqa: E402

GENERATED = export_docs.documents()


@pytest.mark.parametrize("path", sorted(GENERATED), ids=lambda p: p.name)
def test_the_published_document_matches_the_code(path: Path) -> None:
    assert path.exists(), f"{path} is missing: run `uv run python scripts/export_docs.py`"
    assert path.read_text(encoding="utf-8") == GENERATED[path], (
        f"{path.relative_to(ROOT)} disagrees with the code: run `uv run python scripts/export_docs.py`"
    )


def test_no_stale_documents_remain() -> None:
    on_disk = {*ROOT.glob("docs/events/*.json"), *ROOT.glob("docs/asyncapi/*.json")}
    assert on_disk == set(GENERATED)


def test_every_event_type_names_its_major_version() -> None:
    for event_type in CATALOGUE:
        assert re.fullmatch(r"org\.hearth\.[a-z_]+\.[a-z_]+\.v\d+", event_type), event_type


def test_the_example_in_the_publishing_guide_is_a_valid_event() -> None:
    guide = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    examples = re.findall(r"```json\n(.*?)```", guide, flags=re.DOTALL)
    assert examples, "docs/events.md should show a complete event"
    for example in examples:
        event = parse_event(json.dumps(json.loads(example)).encode())
        assert event.type in CATALOGUE
