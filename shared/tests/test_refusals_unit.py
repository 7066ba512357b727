"""What the contracts and the kit refuse, without I/O: bodies that cannot be read or stored, loose
timestamps, unbounded text; which database errors are the data's fault; and that a `multiple` ack
never covers a delivery that did not reach a batch."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg
import pytest
from test_batching_unit import FakeMessage, Settled, no_forward

from conftest import member
from hearth_shared.contracts import CATALOGUE, MAX_EVENT_BYTES, new_event
from hearth_shared.contracts.catalogue import GatheringCancelled
from hearth_shared.contracts.schemas import event_schemas
from hearth_shared.messaging import InvalidJson, SchemaViolation, parse_event
from hearth_shared.messaging.batching import Batches, Pending, runs_on
from hearth_shared.messaging.errors import TooLarge, as_permanent, is_connection_error
from hearth_shared.messaging.outbox import write_events


def document() -> dict[str, Any]:
    return json.loads(member("M-1").model_dump_json())


def body(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc).encode()


def test_a_valid_document_parses() -> None:
    assert parse_event(body(document())).data.member_id == "M-1"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"a":' * 20_000 + b"1" + b"}" * 20_000,  # RecursionError inside json
        b'{"specversion": "1.0", "n": ' + b"7" * 5000 + b"}",  # ValueError: too many digits
    ],
    ids=["nested", "long-number"],
)
def test_a_body_json_cannot_read_is_invalid_json(raw: bytes) -> None:
    with pytest.raises(InvalidJson, match="not JSON"):
        parse_event(raw)


def test_a_body_over_the_maximum_size_is_refused_before_parsing() -> None:
    doc = document()
    doc["data"]["padding"] = "x" * MAX_EVENT_BYTES
    with pytest.raises(TooLarge, match=str(MAX_EVENT_BYTES)):
        parse_event(body(doc))
    with pytest.raises(TooLarge):
        parse_event(b"[" * (MAX_EVENT_BYTES + 1))  # never handed to the JSON parser


def test_nesting_deeper_than_any_contract_is_refused() -> None:
    doc = document()
    doc["extension"] = json.loads("[" * 100 + "]" * 100)
    with pytest.raises(SchemaViolation, match="nested deeper"):
        parse_event(body(doc))


@pytest.mark.parametrize("bad", ["Al\x00ex", "Al\ud800ex"], ids=["nul", "lone-surrogate"])
@pytest.mark.parametrize("where", ["data", "extension", "key"])
def test_no_string_anywhere_may_hold_a_nul_or_a_lone_surrogate(bad: str, where: str) -> None:
    doc = document()
    if where == "data":
        doc["data"]["name"] = bad
    elif where == "extension":
        doc["traceparent"] = bad
    else:
        doc["data"][bad] = 1
    with pytest.raises(SchemaViolation, match=r"NUL|surrogate"):
        parse_event(json.dumps(doc).encode())  # ensure_ascii: escapes, as another system sends them


def test_contracts_built_in_python_refuse_them_too() -> None:
    with pytest.raises(ValueError, match="NUL"):
        GatheringCancelled(gathering_id=uuid.uuid4(), reason="snow\x00storm")


@pytest.mark.parametrize("when", [0, "12", 1.5, "2026-11-20", "2026-11-20T14:04:51", "yesterday"])
@pytest.mark.parametrize("field", ["envelope", "data"])
def test_timestamps_are_only_rfc3339_strings_with_an_offset(when: Any, field: str) -> None:
    doc = document()
    if field == "envelope":
        doc["time"] = when
    else:
        doc["data"]["changed_at"] = when
    with pytest.raises(SchemaViolation, match=r"RFC 3339|timezone|datetime"):
        parse_event(body(doc))


def test_specversion_is_required() -> None:
    doc = document()
    del doc["specversion"]
    with pytest.raises(SchemaViolation, match="specversion"):
        parse_event(body(doc))


def _strings_without_bound(schema: Any, defs: dict[str, Any], path: str = "") -> list[str]:
    """Paths of string properties with neither `maxLength` nor a fixed shape (enum, const,
    format, pattern); a decimal's string form is not text."""
    found: list[str] = []
    if isinstance(schema, dict):
        if "$ref" in schema:
            return _strings_without_bound(defs[schema["$ref"].split("/")[-1]], {}, path) if defs else []
        shaped = {"maxLength", "enum", "const", "format", "pattern"} & schema.keys()
        if schema.get("type") == "string" and not shaped:
            found.append(path)
        for key in ("properties", "$defs"):
            for name, sub in schema.get(key, {}).items():
                found += _strings_without_bound(sub, defs, f"{path}.{name}")
        for key in ("anyOf", "allOf", "oneOf"):
            branches = schema.get(key, [])
            decimal = any(sub.get("type") == "number" for sub in branches)  # number or its string
            for sub in branches:
                if not (decimal and sub.get("type") == "string"):
                    found += _strings_without_bound(sub, defs, path)
        if "items" in schema:
            found += _strings_without_bound(schema["items"], defs, f"{path}[]")
    return found


def test_every_text_field_of_every_contract_is_bounded() -> None:
    unbounded = []
    for name, schema in event_schemas().items():
        unbounded += [name + p for p in _strings_without_bound(schema, schema.get("$defs", {}))]
    assert unbounded == []
    assert len(event_schemas()) == len(CATALOGUE)


def test_the_databases_refusals_of_data_are_permanent_and_its_outages_are_not() -> None:
    for refusal in (
        asyncpg.UntranslatableCharacterError("unsupported Unicode escape sequence"),  # a NUL
        asyncpg.NumericValueOutOfRangeError("smallint out of range"),
        asyncpg.CheckViolationError("new row violates check constraint"),
        asyncpg.NotNullViolationError("null value in column"),
        asyncpg.exceptions._base.DataError("invalid input for query argument $1"),
    ):
        permanent = as_permanent(refusal)
        assert permanent is not None, refusal
        assert permanent.reason == "data_rejected"
        assert not is_connection_error(refusal)
    for passing in (asyncpg.UniqueViolationError("dup"), asyncpg.ForeignKeyViolationError("fk")):
        assert as_permanent(passing) is None  # other rows may change: retried
    for outage in (ConnectionRefusedError(), asyncpg.ConnectionDoesNotExistError("gone")):
        assert as_permanent(outage) is None
        assert is_connection_error(outage)


def test_a_multiple_ack_needs_tags_that_run_on_from_the_last_settled() -> None:
    assert runs_on([1, 2, 3], 0)
    assert runs_on([4, 5], 3)
    assert runs_on([1, 2], 57)  # a new channel starts again at 1
    assert not runs_on([5, 6], 3)  # 4 never reached a batch
    assert not runs_on([4, 6], 3)
    assert runs_on([None, None], 3)  # tags not known (fakes)


async def test_a_delivery_missing_from_the_batches_is_never_covered_by_a_multiple_ack() -> None:
    settled: Settled = []
    batches: Batches[FakeMessage] = Batches(size=2, linger_seconds=0)
    for tag in (1, 2, 4, 5):  # delivery 3 never reached the batches
        batches.put(Pending(FakeMessage(tag, settled), None, tag=tag))
    for _ in range(2):
        async with batches.next() as batch:
            await batch.settle([None, None], no_forward)
    assert settled == [("ack", 2, True), ("ack", 4, False), ("ack", 5, False)]


async def test_an_event_over_the_maximum_size_is_refused_when_it_would_be_published() -> None:
    class NoDatabase:
        async def execute(self, *args: Any) -> None:
            raise AssertionError("nothing may reach the outbox")

    big = new_event(GatheringCancelled(gathering_id=uuid.uuid4(), reason="x" * 1000), source="/x")
    padded = big.model_copy(update={"padding": "x" * MAX_EVENT_BYTES})  # an extension attribute
    with pytest.raises(TooLarge):
        await write_events(NoDatabase(), [padded])  # type: ignore[arg-type]
