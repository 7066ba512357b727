"""Contracts without I/O: envelopes round-trip, and bad bodies fail with the right reason."""

from __future__ import annotations

import json
import uuid

import pytest

from hearth_shared.contracts import new_event, routing_key_for
from hearth_shared.contracts.catalogue import GatheringCancelled, MemberUpserted
from hearth_shared.messaging import InvalidJson, SchemaViolation, UnknownEventType, parse_event


def cancelled() -> bytes:
    data = GatheringCancelled(gathering_id=uuid.uuid4(), reason="snowstorm")
    return new_event(data, source="/hearth/registration").model_dump_json().encode()


def test_an_event_round_trips_with_its_data_and_envelope() -> None:
    body = cancelled()
    event = parse_event(body)
    assert isinstance(event.data, GatheringCancelled)
    assert event.data.reason == "snowstorm"
    assert event.correlationid == event.id
    assert json.loads(body)["data"]["reason"] == "snowstorm"


def test_a_caused_event_keeps_the_correlation_and_names_its_cause() -> None:
    first = parse_event(cancelled())
    data = GatheringCancelled(gathering_id=uuid.uuid4())
    second = new_event(data, source="/x", correlation_id=first.correlationid, causation_id=first.id)
    assert (second.correlationid, second.causationid) == (first.correlationid, first.id)


def test_routing_key_is_the_type_without_the_prefix() -> None:
    assert routing_key_for(MemberUpserted.event_type) == "membership.member_upserted.v1"


@pytest.mark.parametrize(
    ("body", "error", "words"),
    [
        (b"\xff\xfe", InvalidJson, "not JSON"),
        (b"[1, 2]", SchemaViolation, "JSON object"),
        (b'{"type": "org.hearth.x.y.v1"}', UnknownEventType, "org.hearth.x.y.v1"),
        (b'{"type": "org.hearth.registration.gathering_cancelled.v1"}', SchemaViolation, "data"),
    ],
)
def test_bad_bodies_fail_with_a_reason_that_says_what_is_wrong(
    body: bytes, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        parse_event(body)


def test_a_handler_that_accepts_only_some_types_refuses_the_others() -> None:
    with pytest.raises(UnknownEventType, match="member_upserted"):
        parse_event(cancelled(), {MemberUpserted.event_type: MemberUpserted})


def test_fields_added_within_a_major_version_are_ignored() -> None:
    document = json.loads(cancelled())
    document["data"]["added_later"] = True
    assert parse_event(json.dumps(document).encode()).data.reason == "snowstorm"
