"""Bad input on the real broker and database: every delivery is applied or parked with its reason,
none is acknowledged without either, and valid work after it still applies.

Before issue 15 a body whose parse raised something other than a JSON error (nesting too deep, a
number too long) was never queued, and the next batch's `multiple` ack took it away without trace;
a NUL passed validation and was retried for minutes as if the database were down."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from conftest import StartKit, member
from hearth_shared.contracts import MAX_EVENT_BYTES
from hearth_shared.messaging.failures import PARKED_DETAIL, PARKED_REASON


def _document(member_id: str) -> dict[str, object]:
    return json.loads(member(member_id).model_dump_json())


def bad_bodies() -> dict[str, tuple[bytes, str]]:
    """message id -> (body, the reason it must park with)."""
    nul, surrogate, early, digits = (_document(f"m-{uuid.uuid4().hex[:6]}") for _ in range(4))
    nul["data"]["name"] = "Alex\x00Morin"  # type: ignore[index]
    surrogate["data"]["name"] = "Alex\ud800"  # type: ignore[index]
    early["data"]["changed_at"] = 0  # type: ignore[index]
    big = _document("m-big")
    big["data"]["padding"] = "x" * (8 * 1024 * 1024)  # type: ignore[index]
    no_version = _document("m-nov")
    del no_version["specversion"]
    bodies = {
        "nested": (b'{"a":' * 20_000 + b"1" + b"}" * 20_000, "invalid_json"),
        "digits": (json.dumps(digits).encode()[:-1] + b', "n": ' + b"9" * 5000 + b"}", "invalid_json"),
        "nul": (json.dumps(nul).encode(), "schema_violation"),
        "surrogate": (json.dumps(surrogate).encode(), "schema_violation"),
        "time-as-number": (json.dumps(early).encode(), "schema_violation"),
        "no-specversion": (json.dumps(no_version).encode(), "schema_violation"),
        "eight-megabytes": (json.dumps(big).encode(), "too_large"),
    }
    return {f"{name}-{uuid.uuid4().hex[:6]}": value for name, value in bodies.items()}


async def test_bodies_that_cannot_be_read_or_stored_are_parked_with_their_reason(start_kit: StartKit) -> None:
    kit = await start_kit()
    bodies = bad_bodies()
    for message_id, (body, _) in bodies.items():
        await kit.publish_raw(body, message_id)
    valid = member(f"after-{uuid.uuid4().hex[:8]}")
    await kit.publish(valid)

    await kit.wait_for_effect(valid.data.member_id)
    parked = await kit.parked_messages(len(bodies))
    assert {m: (p.headers[PARKED_REASON]) for m, p in parked.items()} == {
        m: reason for m, (_, reason) in bodies.items()
    }
    assert str(MAX_EVENT_BYTES) in str(
        parked[next(m for m in bodies if "megabytes" in m)].headers[PARKED_DETAIL]
    )
    assert len(await kit.effects()) == 1


async def test_data_the_database_refuses_is_parked_at_once_not_retried(start_kit: StartKit) -> None:
    kit = await start_kit()
    refused = member(f"range-{uuid.uuid4().hex[:8]}")
    await kit.publish(refused)
    valid = member(f"after-{uuid.uuid4().hex[:8]}")
    await kit.publish(valid)
    parked = (await kit.parked_messages(1))[refused.id]
    assert parked.headers[PARKED_REASON] == "data_rejected"
    assert "NumericValueOutOfRange" in str(parked.headers[PARKED_DETAIL])
    assert "x-hearth-attempt" not in parked.headers  # never sent to a delay queue
    await kit.wait_for_effect(valid.data.member_id)


@pytest.mark.parametrize("same_source", [False, True])
async def test_the_inbox_knows_an_event_by_its_source_and_id(start_kit: StartKit, same_source: bool) -> None:
    """Two systems may use the same id: both events apply. The same system's repeat does not."""
    kit = await start_kit()
    shared_id = str(uuid.uuid4())
    first = member(f"first-{uuid.uuid4().hex[:8]}", source="/membership-register", event_id=shared_id)
    other_source = "/membership-register" if same_source else "/other-register"
    second = member(f"second-{uuid.uuid4().hex[:8]}", source=other_source, event_id=shared_id)
    marker = member(f"marker-{uuid.uuid4().hex[:8]}")
    for event in (first, second, marker):
        await kit.publish(event)
    await kit.wait_for_effect(marker.data.member_id)
    applied = {(source, event_id) for source, event_id, _ in await kit.effects() if event_id == shared_id}
    expected = {("/membership-register", shared_id)}
    assert applied == (expected if same_source else expected | {("/other-register", shared_id)})


async def test_a_fault_of_the_kit_while_applying_is_retried_not_left_unsettled(
    start_kit: StartKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before, an exception escaping the applier ended the consumer's worker: its batch never
    settled, and every batch after it waited behind it."""
    kit = await start_kit()
    applier = kit.runtime.consumers[0]._applier
    real, faults = applier.apply, ["a bug in the kit"]

    async def faulty(items: Any) -> Any:
        if faults:
            raise RuntimeError(faults.pop())
        return await real(items)

    monkeypatch.setattr(applier, "apply", faulty)
    first, second = member(f"first-{uuid.uuid4().hex[:8]}"), member(f"second-{uuid.uuid4().hex[:8]}")
    await kit.publish(first)
    await kit.wait_for_effect(first.data.member_id)  # through a delay queue
    await kit.publish(second)
    await kit.wait_for_effect(second.data.member_id)
