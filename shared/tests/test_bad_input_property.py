"""Property, on the real broker and database: whatever bytes arrive — arbitrary ones, or consumed
events mutated as JSON (fields removed, replaced or added with any JSON value, NUL and lone
surrogates, numbers for timestamps) or as text (a NUL byte, a 5,000-digit number, deep nesting
spliced in) — each delivery is applied or parked with a reason, never lost, and a valid event
published after it still applies."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, Phase, event, example, given, settings
from hypothesis import strategies as st

from conftest import KitService, StartKit, member
from hearth_shared.contracts import new_event
from hearth_shared.contracts.catalogue import (
    AttendanceReported,
    Bilingual,
    GatheringCancelled,
    GatheringSnapshot,
    MemberUpserted,
    Modality,
    PersonDetails,
    PersonErasureRequested,
    TicketPurchased,
)
from hearth_shared.messaging import HandlerContext, handles
from hearth_shared.messaging.failures import PARKED_REASON

REASONS = {
    "too_large",
    "invalid_json",
    "schema_violation",
    "unknown_event_type",
    "unreadable",
    "data_rejected",
    "retries_exhausted",
}


@handles(MemberUpserted, GatheringCancelled, AttendanceReported, PersonErasureRequested, TicketPurchased)
async def on_consumed(ctx: HandlerContext, data: Any) -> None:
    await ctx.conn.execute(
        "INSERT INTO guarded_effects (source, event_id, member_id) VALUES ($1, $2, $3)",
        ctx.event.source,
        ctx.event.id,
        ctx.event.type,
    )


def consumed_events() -> list[Any]:
    """One event of each type the handler consumes, as their publishers send them."""
    now = datetime.now(UTC)
    gathering = GatheringSnapshot(
        gathering_id=uuid.uuid4(),
        title=Bilingual(en="Noon gathering", fr="Rencontre du midi"),
        modality=Modality.VIRTUAL,
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        time_zone="America/Halifax",
        join_url="https://meet.example.org/noon",
    )
    person = PersonDetails(person_id=uuid.uuid4(), name="Alex Morin", email="alex@example.org", language="fr")
    data = [
        GatheringCancelled(gathering_id=uuid.uuid4(), reason="snowstorm"),
        AttendanceReported(
            gathering_id=uuid.uuid4(), email="alex@example.org", minutes_attended=55, reported_at=now
        ),
        PersonErasureRequested(email="alex@example.org", member_id="M-1", requested_at=now),
        TicketPurchased(
            ticket_id=uuid.uuid4(),
            ticket_type="member",
            price_cents=2500,
            gathering=gathering,
            attendee=person,
        ),
    ]
    return [member("M-1"), *(new_event(d, source="/hearth/registration") for d in data)]


BASES = [json.loads(e.model_dump_json()) for e in consumed_events()]
SPECIAL = ["\x00", "a\ud800", "\udfff", "0", "12", "", "x" * 6000, "1970-01-01T00:00:00", "org.hearth.x.v1"]
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | st.sampled_from(SPECIAL),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
SPLICES = [b"\x00", b'"\\u0000"', b"9" * 5000, b"[" * 3000 + b"]" * 3000, b"\xff\xfe", b"}", b'"', b","]


def mutate(draw: st.DrawFn, value: Any) -> Any:
    """Descend into the document at random, then remove, replace or add one thing there."""
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value)))
        return {**value, key: mutate(draw, value[key])}
    if isinstance(value, list) and value and draw(st.booleans()):
        index = draw(st.integers(0, len(value) - 1))
        return [*value[:index], mutate(draw, value[index]), *value[index + 1 :]]
    operation = draw(
        st.sampled_from(["replace", "remove", "add"] if isinstance(value, dict) else ["replace"])
    )
    if operation == "remove" and value:
        key = draw(st.sampled_from(sorted(value)))
        return {k: v for k, v in value.items() if k != key}
    if operation == "add":
        return {**value, draw(st.text(max_size=8) | st.sampled_from(SPECIAL[:3])): draw(json_values)}
    return draw(json_values)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["bytes", "json", "json", "json", "text"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    document = {**draw(st.sampled_from(BASES)), "id": str(draw(st.uuids()))}
    for _ in range(draw(st.integers(1, 3))):
        document = mutate(draw, document)
    raw = json.dumps(document).encode()  # ensure_ascii: NULs and surrogates travel as escapes
    if kind == "text":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from(SPLICES)) + raw[at:]
    return raw


def key_of(body: bytes) -> tuple[Any, Any] | None:
    """The (source, id) the body claims, if it is a JSON object; an applied effect carries it."""
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        return None
    return (document.get("source"), document.get("id")) if isinstance(document, dict) else None


async def outcome(kit: KitService, message_id: str, body: bytes) -> str:
    """'applied', or the reason it parked with; fails the test if it is neither within 15 s."""
    claimed = key_of(body)
    async with asyncio.timeout(15):
        while True:
            parked = await kit.drain_parking()
            if message_id in parked:
                return str(parked[message_id].headers[PARKED_REASON])
            if claimed and any((s, i) == claimed for s, i, _ in await kit.effects()):
                return "applied"
            await asyncio.sleep(0.05)


@settings(
    max_examples=50,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure shows its body as it was
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies())
@example(body=b'{"a":' * 20_000 + b"1" + b"}" * 20_000)
@example(body=json.dumps(BASES[0]).encode()[:-1] + b', "n": ' + b"9" * 5000 + b"}")
async def test_every_delivery_is_applied_or_parked_with_a_reason(start_kit: StartKit, body: bytes) -> None:
    kit = await kit_for(start_kit)
    message_id = f"prop-{uuid.uuid4().hex}"
    await kit.publish_raw(body, message_id)
    valid = member(f"after-{uuid.uuid4().hex[:8]}")
    await kit.publish(valid)
    result = await outcome(kit, message_id, body)
    event(result)  # the spread of outcomes, in --hypothesis-show-statistics
    assert result == "applied" or result in REASONS, body[:300]
    async with asyncio.timeout(15):  # the valid event after it applies
        while not any(i == valid.id for _, i, _ in await kit.effects()):
            await asyncio.sleep(0.05)


_kits: dict[int, KitService] = {}


async def kit_for(start_kit: StartKit) -> KitService:
    """One service for all the examples of a run (the fixture is entered once for them all)."""
    if id(start_kit) not in _kits:
        _kits[id(start_kit)] = await start_kit(handler=on_consumed)
    return _kits[id(start_kit)]
